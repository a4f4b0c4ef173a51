//! rightsdesk: a self-hosted portal where people exercise their privacy rights and a
//! Grievance Officer works those requests to closure inside the legal deadlines.
//!
//! Imports flow one way: `web`, `cli`, `jobs` → `app` → `store`, `mail` → `domain`.

pub mod app;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod files;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod store;
pub mod vault;
pub mod web;
