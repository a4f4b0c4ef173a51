//! One presenter per page: it turns what a use case returns (entities and view models)
//! into the page's askama struct, every text and link included. Handlers parse, call one
//! use case, call the page's presenter and render.

pub mod audit_page;
pub mod queue_page;
pub mod request_page;
pub mod retention_page;
pub mod status_page;
