//! Outgoing mail: composed from text templates, queued in the outbox, delivered by the
//! sender job through a file or SMTP transport.

pub mod compose;
pub mod templates;
pub mod transport;

pub use transport::{MailError, Mailer};
