//! Every cryptographic primitive the portal uses, in one place and from well-kept crates:
//! the secret key and the keys derived from it, keyed hashes (HMAC-SHA-256), sealing
//! (AES-256-GCM), digests and randomness. Nothing here does I/O beyond asking the operating
//! system for random bytes; callers decide what the keys are for.

mod backup_key;
mod keyed_hash;
mod random;
mod sealing;
mod secret_key;

pub use backup_key::{key_ids_in_header, BackupKey};
pub use keyed_hash::{sha256_hex, HashKey};
pub use random::{random_bytes, NoRandomness};
pub use sealing::{SealingKey, Unsealable};
pub use secret_key::SecretKey;
