//! The sign-in pages: password, code, and TOTP enrolment.

use askama::Template;

use super::OfficerNav;

/// `GET /officer/login` · `POST /officer/login` with an error.
#[derive(Template)]
#[template(path = "officer/login.html")]
pub struct LoginPage {
    pub csrf_token: String,
    pub email: String,
    pub error: Option<String>,
}

/// The second sign-in step (TOTP code), posting to `/officer/login/code`.
#[derive(Template)]
#[template(path = "officer/login_code.html")]
pub struct LoginCodePage {
    pub csrf_token: String,
    pub error: Option<String>,
}

/// TOTP enrolment, posting to `/officer/mfa`. With `nav: None` it renders without the
/// officer nav (for example an admin who must enrol before going any further).
#[derive(Template)]
#[template(path = "officer/mfa.html")]
pub struct MfaEnrolPage {
    pub nav: Option<OfficerNav>,
    pub csrf_token: String,
    /// Base32 secret, shown in groups of four as the QR code's text alternative.
    pub secret: String,
    pub otpauth_uri: String,
    /// An inline `<svg>` (trusted, rendered unescaped): no `<script>`, no `style`.
    pub qr_svg: String,
    /// Enrolment is mandatory (admins): says so.
    pub required: bool,
    pub error: Option<String>,
}

impl MfaEnrolPage {
    /// The secret in groups of four characters, easier to type: `JBSW Y3DP EHPK 3PXP`.
    pub fn secret_groups(&self) -> String {
        let chars: Vec<char> = self.secret.chars().filter(|c| !c.is_whitespace()).collect();
        chars
            .chunks(4)
            .map(|g| g.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }
}
