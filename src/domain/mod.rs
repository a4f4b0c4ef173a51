//! The rules of the product, in plain Rust: no database, web framework or I/O here.

pub mod audit;
pub mod calendar;
pub mod deadline;
pub mod email;
pub mod kind;
pub mod lifecycle;
pub mod officer_action;
pub mod policy;
pub mod reference;
pub mod regime;
pub mod span;
pub mod status;
pub mod submission;
pub mod token;
