//! The rules of the product, in plain Rust: no database, web framework or I/O here.

pub mod access;
pub mod audit;
pub mod calendar;
pub mod deadline;
pub mod email;
pub mod export;
pub mod fulfilment;
pub mod import_row;
pub mod inventory;
pub mod kind;
pub mod lifecycle;
pub mod officer_action;
pub mod password;
pub mod policy;
pub mod queue;
pub mod reference;
pub mod regime;
pub mod retention;
pub mod role;
pub mod session;
pub mod span;
pub mod status;
pub mod submission;
pub mod throttle;
pub mod token;
pub mod totp;
