//! The JSON API's use cases: its tokens (made and revoked by admins and operators, checked on
//! every call), the intake of requests received elsewhere, and what other systems read.

pub mod auth;
pub mod consents;
pub mod ingest;
pub mod requests;
pub mod tokens;
