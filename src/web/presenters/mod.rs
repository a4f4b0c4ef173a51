//! One presenter per page: it turns what a use case returns (entities and view models)
//! into the page's askama struct, every text and link included. Handlers parse, call one
//! use case, call the page's presenter and render.

pub mod account_pages;
pub mod admin_api_tokens_page;
pub mod admin_holds_page;
pub mod admin_mail_page;
pub mod admin_officers_page;
pub mod admin_webhooks_page;
pub mod audit_page;
pub mod intake_page;
pub mod queue_page;
pub mod request_page;
pub mod retention_page;
pub mod status_page;
