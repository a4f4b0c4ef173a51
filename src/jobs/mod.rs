//! Background work inside `serve`: each job is idempotent and safe beside other instances.

pub mod maintenance;
pub mod outbox;
pub mod retention;
