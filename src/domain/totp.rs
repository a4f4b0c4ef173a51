//! Time-based one-time passwords for officer sign-in (RFC 6238; DESIGN.md section 5).
//!
//! The parameters are the ones every authenticator app understands: HMAC-SHA-1, 6 digits,
//! 30-second steps. A code is accepted one step early or late, to forgive clock drift, and
//! each step is accepted once (RFC 6238 section 5.2): the caller stores the step that
//! [`TotpSecret::verify`] returns and passes it back next time.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use totp_rs::{Builder, Secret, Totp};

/// How many bytes a secret has (160 bits, as RFC 4226 recommends).
pub const TOTP_SECRET_BYTES: usize = 20;
/// How many digits a code has.
pub const DIGITS: usize = 6;
/// How many seconds one code lasts.
pub const STEP_SECONDS: u64 = 30;
/// How many steps early or late a code may be.
pub const SKEW_STEPS: u64 = 1;

/// Characters left as they are in a URI component (RFC 3986 "unreserved").
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The shared secret of an officer's authenticator. Its bytes never appear in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret([u8; TOTP_SECRET_BYTES]);

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpRejected {
    #[error("enter the 6-digit code from your authenticator app")]
    Malformed,
    #[error("that code is not right: enter the code your authenticator app shows now")]
    Wrong,
    /// The code was right but its step was already used. Showing the same message as
    /// [`TotpRejected::Wrong`] tells an onlooker nothing more.
    #[error("that code was already used: wait for the next one")]
    Replayed,
}

impl TotpSecret {
    /// A secret from random bytes the caller drew.
    pub fn from_bytes(bytes: [u8; TOTP_SECRET_BYTES]) -> TotpSecret {
        TotpSecret(bytes)
    }

    /// Reads a secret as [`TotpSecret::to_base32`] wrote it. Also accepts lower case, spaces
    /// and `=` padding, as people copy it; anything that is not exactly 20 bytes is `None`.
    pub fn from_base32(text: &str) -> Option<TotpSecret> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = BASE32_NOPAD.decode(compact.as_bytes()).ok()?;
        bytes.try_into().ok().map(TotpSecret)
    }

    /// The secret in RFC 4648 base32 without padding (32 characters), as authenticator apps
    /// take it when typed in by hand.
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// The `otpauth://` URI an authenticator app reads (Google Authenticator "Key Uri Format").
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let issuer = utf8_percent_encode(issuer, COMPONENT).to_string();
        let account = utf8_percent_encode(account, COMPONENT);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}\
             &algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            secret = self.to_base32(),
        )
    }

    /// The code for the step that holds `unix_seconds`.
    pub fn code_at(&self, unix_seconds: u64) -> String {
        self.totp().generate(unix_seconds).to_string()
    }

    /// Checks `code` at `unix_seconds` and returns the time step it belongs to. Spaces in the
    /// code are ignored ("123 456"). A code of a step at or before `last_used_step` is refused
    /// as replayed. Every step in the window is computed and compared in constant time, so the
    /// answer takes the same time whichever step matched.
    pub fn verify(
        &self,
        code: &str,
        unix_seconds: u64,
        last_used_step: Option<u64>,
    ) -> Result<u64, TotpRejected> {
        let code: String = code.chars().filter(|c| *c != ' ').collect();
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TotpRejected::Malformed);
        }
        let totp = self.totp();
        let now = unix_seconds / STEP_SECONDS;
        let mut fresh = None;
        let mut replayed = false;
        for step in now.saturating_sub(SKEW_STEPS)..=now.saturating_add(SKEW_STEPS) {
            // The crate's skew is 0 here: each step of the window is checked on its own so
            // that a replayed step never hides a fresh one.
            let Some(at) = step.checked_mul(STEP_SECONDS) else {
                continue;
            };
            if totp.check(&code, at).is_some() {
                if last_used_step.is_some_and(|used| step <= used) {
                    replayed = true;
                } else {
                    fresh = Some(step);
                }
            }
        }
        match (fresh, replayed) {
            (Some(step), _) => Ok(step),
            (None, true) => Err(TotpRejected::Replayed),
            (None, false) => Err(TotpRejected::Wrong),
        }
    }

    fn totp(&self) -> Totp {
        Builder::new()
            .with_secret(Secret::new_stack(self.0))
            .with_digits(DIGITS as u8)
            .with_step_duration(STEP_SECONDS)
            .with_skew(0)
            .build()
            .expect("a 20-byte secret, 6 digits and 30 s steps are valid RFC 6238 parameters")
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SHA-1 secret of RFC 6238 appendix B.
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(*b"12345678901234567890")
    }

    #[test]
    fn rfc_6238_sha1_vectors_last_six_digits() {
        // (T, the RFC's 8-digit TOTP)
        let table = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        let secret = rfc_secret();
        for (time, eight) in table {
            assert_eq!(secret.code_at(time), &eight[2..], "T={time}");
            assert_eq!(
                secret.verify(&eight[2..], time, None),
                Ok(time / 30),
                "T={time}"
            );
        }
    }

    #[test]
    fn one_step_of_skew_either_way() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let step = now / 30;
        // (when the code was shown, accepted step or refusal)
        let table = [
            (now, Ok(step)),
            (now - 30, Ok(step - 1)),
            (now + 30, Ok(step + 1)),
            (now - 60, Err(TotpRejected::Wrong)),
            (now + 60, Err(TotpRejected::Wrong)),
        ];
        for (shown_at, expected) in table {
            let code = secret.code_at(shown_at);
            assert_eq!(
                secret.verify(&code, now, None),
                expected,
                "shown at {shown_at}"
            );
        }
    }

    #[test]
    fn a_step_is_accepted_once() {
        let secret = rfc_secret();
        let now = 1_111_111_109;
        let step = now / 30;
        let code = secret.code_at(now);
        // (last used step, outcome)
        let table = [
            (None, Ok(step)),
            (Some(step - 1), Ok(step)),
            (Some(step), Err(TotpRejected::Replayed)),
            (Some(step + 1), Err(TotpRejected::Replayed)),
        ];
        for (last_used, expected) in table {
            assert_eq!(
                secret.verify(&code, now, last_used),
                expected,
                "{last_used:?}"
            );
        }
        // The code of the previous step, used after the current one, is a replay too.
        let previous = secret.code_at(now - 30);
        assert_eq!(
            secret.verify(&previous, now, Some(step)),
            Err(TotpRejected::Replayed)
        );
    }

    #[test]
    fn codes_that_are_not_six_digits_are_malformed() {
        let secret = rfc_secret();
        for bad in [
            "",
            "12345",
            "1234567",
            "12a456",
            "+12345",
            "12 34 5",
            "١٢٣٤٥٦",
            "-12345",
        ] {
            assert_eq!(
                secret.verify(bad, 59, None),
                Err(TotpRejected::Malformed),
                "{bad:?}"
            );
        }
        // Spaces as authenticator apps show them are fine.
        assert_eq!(secret.verify("287 082", 59, None), Ok(1));
        assert_eq!(secret.verify("000000", 59, None), Err(TotpRejected::Wrong));
    }

    #[test]
    fn the_window_starts_at_zero() {
        let secret = rfc_secret();
        assert_eq!(secret.verify(&secret.code_at(0), 0, None), Ok(0));
        assert_eq!(secret.verify(&secret.code_at(30), 0, None), Ok(1));
    }

    #[test]
    fn base32_round_trips_and_refuses_other_lengths() {
        let secret = rfc_secret();
        let text = secret.to_base32();
        assert_eq!(text, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(TotpSecret::from_base32(&text), Some(secret.clone()));
        assert_eq!(
            TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"),
            Some(secret)
        );
        for bad in [
            "",
            "GEZDGNBVGY3TQOJQ",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE",
            "not base32!",
        ] {
            assert_eq!(TotpSecret::from_base32(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn otpauth_uri_encodes_the_label() {
        let uri = rfc_secret().otpauth_uri("Rights Desk", "asha.rao@example.in");
        assert_eq!(
            uri,
            "otpauth://totp/Rights%20Desk:asha.rao%40example.in\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Rights%20Desk\
             &algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let shown = format!("{:?}", rfc_secret());
        assert!(!shown.contains("1234"), "{shown}");
        assert!(!shown.contains("GEZD"), "{shown}");
    }
}
