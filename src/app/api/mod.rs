//! The JSON API's use cases: its tokens (made and revoked by admins and operators, checked on
//! every call), the intake of requests received elsewhere, what other systems read, and
//! the fulfilment tasks source systems report on.

pub mod auth;
pub mod consents;
pub mod ingest;
pub mod requests;
pub mod tasks;
pub mod tokens;
