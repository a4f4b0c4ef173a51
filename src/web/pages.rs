//! Public page views: one askama template struct per page.
//!
//! Every field is owned and already formatted for display; templates hold no
//! logic beyond choosing what to show. All pages extend `templates/base.html`.

use askama::Template;

use crate::domain::submission::RawSubmission;
use crate::web::language::PageLang;

/// A right the requester can exercise (a request kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindOption {
    pub slug: String,
    pub label: String,
    pub description: String,
    /// The details field is required for this kind.
    pub details_required: bool,
}

/// A regime (which law's clock applies), with its deadlines in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegimeOption {
    pub slug: String,
    pub label: String,
    pub law: String,
    pub acknowledge: String,
    pub respond: String,
    pub extension: String,
}

/// One line of the public retention table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRow {
    pub what: String,
    pub period: String,
}

/// A consent purpose offered on the consent-withdrawal form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeOption {
    pub slug: String,
    pub label: String,
    pub checked: bool,
}

/// A validation message for one form field (`field` is the field's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// One entry of a request's public timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at: String,
    pub label: String,
    pub message: Option<String>,
    pub from_requester: bool,
}

fn find_error<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// `GET /`
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    /// The page's language and its switch links.
    pub lang: PageLang,
    pub kinds: Vec<KindOption>,
    pub regimes: Vec<RegimeOption>,
    pub retention: Vec<RetentionRow>,
}

/// `GET /requests/new?kind=K`, and `POST /requests` with errors (422).
#[derive(Template)]
#[template(path = "request_form.html")]
pub struct RequestFormPage {
    /// The page's language and its switch links.
    pub lang: PageLang,
    pub csrf_token: String,
    pub kinds: Vec<KindOption>,
    pub chosen: Option<KindOption>,
    pub regimes: Vec<RegimeOption>,
    pub purposes: Vec<PurposeOption>,
    /// What the requester typed, shown back with the errors.
    pub entered: RawSubmission,
    pub errors: Vec<FieldError>,
}

impl RequestFormPage {
    /// The first error message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        find_error(&self.errors, field)
    }
}

/// After `POST /requests` succeeded (303 target).
#[derive(Template)]
#[template(path = "submitted.html")]
pub struct SubmittedPage {
    pub lang: PageLang,
}

/// `GET /verify/{token}`: shows the request and a button that confirms it.
#[derive(Template)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    /// The page's language and its switch links.
    pub lang: PageLang,
    pub csrf_token: String,
    pub token: String,
    pub reference: String,
    pub kind_label: String,
}

/// `GET /status/{token}`
#[derive(Template)]
#[template(path = "status.html")]
pub struct StatusPage {
    /// The page's language and its switch links.
    pub lang: PageLang,
    pub token: String,
    pub csrf_token: String,
    pub reference: String,
    pub kind_label: String,
    pub regime_label: String,
    pub status_label: String,
    pub status_explanation: String,
    pub received_at: String,
    pub due_at: String,
    pub due_note: String,
    pub due_rule: String,
    pub extended: bool,
    pub timeline: Vec<TimelineEntry>,
    pub can_reply: bool,
    pub can_withdraw: bool,
    pub awaiting_requester: bool,
    pub notice: Option<String>,
    /// The closing message (what was done, in plain words), once the request is closed.
    pub outcome: Option<String>,
    pub package: Option<PackageEntry>,
    /// The requester's open request of the same kind this one was linked to.
    pub linked_to: Option<String>,
}

/// A data package as the status page offers it.
pub struct PackageEntry {
    pub path: Option<String>,
    /// Until when, and how many downloads are left, in one sentence.
    pub availability: String,
    pub expires_at: String,
    pub downloads_left: i32,
    pub size: String,
}

/// `GET /status/lookup` · `POST /status/lookup`
#[derive(Template)]
#[template(path = "lookup.html")]
pub struct LookupPage {
    /// The page's language and its switch links.
    pub lang: PageLang,
    pub csrf_token: String,
    pub email: String,
    pub reference: String,
    pub sent: bool,
    pub errors: Vec<FieldError>,
}

impl LookupPage {
    /// The first error message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        find_error(&self.errors, field)
    }
}

/// Any error shown to a requester (4xx/5xx).
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// The page's language and its switch links.
    pub lang: PageLang,
    pub status: u16,
    pub title: String,
    pub message: String,
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(slug: &str, label: &str) -> KindOption {
        KindOption {
            slug: slug.into(),
            label: label.into(),
            description: format!("About {label}."),
            details_required: matches!(slug, "rectification" | "objection" | "grievance"),
        }
    }

    fn kinds() -> Vec<KindOption> {
        vec![
            kind("access", "Get a copy of your data"),
            kind("rectification", "Correct your data"),
            kind("consent_withdrawal", "Withdraw consent"),
            kind("grievance", "Complain to the Grievance Officer"),
        ]
    }

    fn regimes() -> Vec<RegimeOption> {
        [
            ("in", "India"),
            ("eu", "EU, EEA or UK"),
            ("us-ca", "California"),
        ]
        .into_iter()
        .map(|(slug, label)| RegimeOption {
            slug: slug.into(),
            label: label.into(),
            law: format!("Law of {label}"),
            acknowledge: "24 hours".into(),
            respond: "30 days".into(),
            extension: "up to 90 days in all".into(),
        })
        .collect()
    }

    fn form(kind_slug: Option<&str>) -> RequestFormPage {
        RequestFormPage {
            lang: PageLang::default(),
            csrf_token: "csrf-abc".into(),
            kinds: kinds(),
            chosen: kind_slug.map(|s| kinds().into_iter().find(|k| k.slug == s).unwrap()),
            regimes: regimes(),
            purposes: vec![
                PurposeOption {
                    slug: "marketing".into(),
                    label: "Marketing emails".into(),
                    checked: true,
                },
                PurposeOption {
                    slug: "analytics".into(),
                    label: "Product analytics".into(),
                    checked: false,
                },
            ],
            entered: RawSubmission {
                full_name: "Asha <Rao>".into(),
                email: "asha@example.org".into(),
                region: "eu".into(),
                account_ref: String::new(),
                details: "Please send everything.".into(),
                correction: "New address".into(),
                content_removal: true,
                ..RawSubmission::default()
            },
            errors: vec![],
        }
    }

    fn count(hay: &str, needle: &str) -> usize {
        hay.matches(needle).count()
    }

    fn assert_page_shell(html: &str) {
        assert!(html.starts_with("<!doctype html>"), "{html}");
        assert!(html.contains(r#"<html lang="en">"#));
        assert!(html.contains(r#"name="viewport""#));
        assert!(html.contains(r#"<link rel="stylesheet" href="/static/style.css">"#));
        assert!(html.contains(r##"href="#main""##));
        assert!(html.contains(r#"<main id="main""#));
        assert!(html.contains(r#"href="/status/lookup">Find my request</a>"#));
        assert!(!html.contains("<script"));
        assert!(!html.contains("style="));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn home_lists_rights_deadlines_and_retention() {
        let html = HomePage {
            lang: PageLang::default(),
            kinds: kinds(),
            regimes: regimes(),
            retention: vec![RetentionRow {
                what: "Unverified requests".into(),
                period: "7 days".into(),
            }],
        }
        .render()
        .unwrap();
        assert_page_shell(&html);
        assert!(html.contains(r#"href="/requests/new?kind=rectification""#));
        assert!(html.contains("<td>24 hours</td>"));
        assert!(html.contains("Unverified requests"));
        assert!(html.contains("<td>7 days</td>"));
        assert!(html.contains(r#"<a href="/status/lookup">Find my request</a>"#));
    }

    #[test]
    fn form_without_kind_lists_kinds_as_links() {
        let html = form(None).render().unwrap();
        assert_page_shell(&html);
        assert!(html.contains(r#"href="/requests/new?kind=access""#));
        assert!(html.contains(r#"href="/requests/new?kind=grievance""#));
        assert!(!html.contains("<form"));
    }

    #[test]
    fn access_form_has_common_fields_only() {
        let html = form(Some("access")).render().unwrap();
        assert_page_shell(&html);
        assert!(html.contains(r#"<form method="post" action="/requests""#));
        assert!(html.contains(r#"name="csrf_token" value="csrf-abc""#));
        assert!(html.contains(r#"name="kind" value="access""#));
        for name in ["full_name", "email", "region", "account_ref", "details"] {
            assert!(html.contains(&format!(r#"name="{name}""#)), "{name}");
        }
        assert!(html.contains(r#"type="email""#));
        assert!(html.contains(r#"autocomplete="email""#));
        assert!(!html.contains(r#"name="correction""#));
        assert!(!html.contains(r#"name="purposes""#));
        assert!(!html.contains(r#"name="content_removal""#));
        assert!(!html.contains("aria-invalid"));
        assert!(!html.contains(r#"role="alert""#));
        // Entered values are kept, and escaped.
        assert!(html.contains(r#"value="Asha &#60;Rao&#62;""#), "{html}");
        assert!(html.contains("Please send everything.</textarea>"));
        assert_eq!(count(&html, " checked"), 1);
        assert!(html.contains(r#"href="/requests/new">Choose a different kind"#));
        // Each radio has a label.
        assert!(html.contains(r#"<label class="choice__label" for="region">India</label>"#));
        assert!(html.contains(r#"<label class="choice__label" for="region-eu">"#));
    }

    #[test]
    fn region_keeps_selected_value() {
        let html = form(Some("access")).render().unwrap();
        let eu = html.find(r#"id="region-eu""#).unwrap();
        let next = html[eu..].find('>').unwrap();
        assert!(
            html[eu..eu + next].contains("checked"),
            "{}",
            &html[eu..eu + next]
        );
        let india = html.find(r#"id="region""#).unwrap();
        let next = html[india..].find('>').unwrap();
        assert!(!html[india..india + next].contains("checked"));
    }

    #[test]
    fn rectification_form_has_correction() {
        let html = form(Some("rectification")).render().unwrap();
        assert!(html.contains(r#"name="correction""#));
        assert!(html.contains("New address</textarea>"));
        assert!(!html.contains(r#"name="purposes""#));
        assert!(!html.contains("Details of your request (optional)"));
    }

    #[test]
    fn details_are_marked_optional_where_they_are() {
        let html = form(Some("access")).render().unwrap();
        assert!(html.contains("Details of your request (optional)"));
    }

    #[test]
    fn consent_withdrawal_form_has_purposes() {
        let html = form(Some("consent_withdrawal")).render().unwrap();
        assert_eq!(count(&html, r#"name="purposes""#), 2);
        assert!(html.contains(r#"value="marketing""#));
        assert!(html.contains("<legend"));
        assert!(!html.contains(r#"name="correction""#));
        // eu radio + marketing checkbox
        assert_eq!(count(&html, " checked"), 2);
    }

    #[test]
    fn grievance_form_has_content_removal() {
        let html = form(Some("grievance")).render().unwrap();
        assert!(html.contains(r#"name="content_removal" value="on""#));
        assert!(html.contains("My complaint is about content that should be removed"));
        assert!(!html.contains(r#"name="correction""#));
        assert!(!html.contains(r#"name="purposes""#));
    }

    #[test]
    fn form_errors_render_summary_and_inline() {
        let mut page = form(Some("rectification"));
        page.errors = vec![
            FieldError {
                field: "email".into(),
                message: "Enter an email address like name@example.com".into(),
            },
            FieldError {
                field: "correction".into(),
                message: "Tell us what the correct information is".into(),
            },
            FieldError {
                field: "region".into(),
                message: "Choose where you live".into(),
            },
        ];
        assert_eq!(
            page.error_for("email"),
            Some("Enter an email address like name@example.com")
        );
        assert_eq!(page.error_for("details"), None);
        let html = page.render().unwrap();
        assert!(html.contains("<title>Error: "));
        assert!(html.contains(r#"role="alert""#));
        assert!(html.contains(r##"<a href="#email">Enter an email address"##));
        assert!(html.contains(r##"<a href="#correction">"##));
        assert!(html.contains(r##"<a href="#region">"##));
        assert!(html.contains(r#"id="email-error""#));
        assert!(html.contains(r#"aria-describedby="email-hint email-error""#));
        assert!(html.contains(r#"aria-describedby="correction-hint correction-error""#));
        assert!(html.contains(r#"id="region-error""#));
        // email, correction, and one per radio
        assert_eq!(count(&html, r#"aria-invalid="true""#), 2 + regimes().len());
        // the summary comes before the form
        assert!(html.find(r#"role="alert""#).unwrap() < html.find("<form").unwrap());
    }

    #[test]
    fn submitted_page_says_check_your_mail() {
        let html = SubmittedPage {
            lang: PageLang::default(),
        }
        .render()
        .unwrap();
        assert_page_shell(&html);
        assert!(html.contains("Check your mail"));
        assert!(html.contains("7 days"));
    }

    #[test]
    fn verify_page_posts_with_csrf() {
        let html = VerifyPage {
            lang: PageLang::default(),
            csrf_token: "csrf-abc".into(),
            token: "tok123".into(),
            reference: "RD-7K3M-9QXA".into(),
            kind_label: "Correct your data".into(),
        }
        .render()
        .unwrap();
        assert_page_shell(&html);
        assert!(html.contains(r#"<form method="post" action="/verify/tok123""#));
        assert!(html.contains(r#"name="csrf_token" value="csrf-abc""#));
        assert!(html.contains("Confirm my request</button>"));
        assert!(html.contains("RD-7K3M-9QXA"));
    }

    fn status() -> StatusPage {
        StatusPage {
            lang: PageLang::default(),
            linked_to: None,
            token: "tok123".into(),
            csrf_token: "csrf-abc".into(),
            reference: "RD-7K3M-9QXA".into(),
            kind_label: "Get a copy of your data".into(),
            regime_label: "EU, EEA or UK".into(),
            status_label: "Waiting for you".into(),
            status_explanation: "We asked you a question.".into(),
            received_at: "3 March 2026".into(),
            due_at: "3 April 2026".into(),
            due_note: "12 days left".into(),
            due_rule: "One calendar month from receipt (GDPR Art. 12(3)).".into(),
            extended: false,
            timeline: vec![
                TimelineEntry {
                    at: "3 March 2026, 10:02".into(),
                    label: "Request received".into(),
                    message: None,
                    from_requester: true,
                },
                TimelineEntry {
                    at: "4 March 2026, 09:00".into(),
                    label: "We asked a question".into(),
                    message: Some("Which account?\n<b>x</b>".into()),
                    from_requester: false,
                },
            ],
            can_reply: true,
            can_withdraw: true,
            awaiting_requester: true,
            notice: Some("Your reply has been sent.".into()),
            outcome: None,
            package: None,
        }
    }

    #[test]
    fn status_page_offers_the_package_and_the_outcome() {
        let mut page = status();
        page.outcome = Some("We removed 2 records from use.\n<i>x</i>".into());
        page.package = Some(PackageEntry {
            path: Some("/downloads/tok456".into()),
            availability: "Available until 30 November 2026; 1 download left.".into(),
            expires_at: "30 November 2026".into(),
            downloads_left: 1,
            size: "14 KB".into(),
        });
        let html = page.render().unwrap();
        assert!(html.contains("What we did"));
        assert!(html.contains("&#60;i&#62;x&#60;/i&#62;"));
        assert!(html.contains(r#"href="/downloads/tok456""#));
        assert!(html.contains("1 download left"));
        page.package.as_mut().unwrap().path = None;
        let html = page.render().unwrap();
        assert!(!html.contains("/downloads/"));
        assert!(html.contains("no longer available"));
    }

    #[test]
    fn status_page_shows_everything() {
        let html = status().render().unwrap();
        assert_page_shell(&html);
        assert!(html.contains("RD-7K3M-9QXA"));
        assert!(html.contains("Waiting for you"));
        assert!(html.contains("3 April 2026"));
        assert!(html.contains("12 days left"));
        assert!(html.contains("GDPR Art. 12(3)"));
        assert!(html.contains(r#"<ol class="timeline">"#));
        assert_eq!(count(&html, r#"<span class="tag">You</span>"#), 1);
        assert!(html.contains("&#60;b&#62;x&#60;/b&#62;"));
        assert!(html.contains("We need something from you"));
        assert!(html.contains(r#"action="/status/tok123/reply""#));
        assert!(html.contains(r#"name="message""#));
        assert!(html.contains(r#"action="/status/tok123/withdraw""#));
        assert!(html.contains("Withdraw this request</button>"));
        assert_eq!(count(&html, r#"name="csrf_token" value="csrf-abc""#), 2);
        assert!(html.contains(r#"role="status""#));
        assert!(html.contains("Your reply has been sent."));
    }

    #[test]
    fn status_page_hides_forms_when_not_allowed() {
        let mut page = status();
        page.can_reply = false;
        page.can_withdraw = false;
        page.awaiting_requester = false;
        page.notice = None;
        page.extended = true;
        let html = page.render().unwrap();
        assert!(!html.contains("<form"));
        assert!(!html.contains("We need something from you"));
        assert!(!html.contains(r#"role="status""#));
        assert!(html.contains("deadline has been extended"));
    }

    #[test]
    fn lookup_page_form_errors_and_sent() {
        let page = LookupPage {
            lang: PageLang::default(),
            csrf_token: "csrf-abc".into(),
            email: "a@example.org".into(),
            reference: "RD-XXXX".into(),
            sent: false,
            errors: vec![FieldError {
                field: "reference".into(),
                message: "Enter the reference from our email".into(),
            }],
        };
        assert_eq!(
            page.error_for("reference"),
            Some("Enter the reference from our email")
        );
        let html = page.render().unwrap();
        assert_page_shell(&html);
        assert!(html.contains(r#"<form method="post" action="/status/lookup""#));
        assert!(html.contains(r#"name="csrf_token" value="csrf-abc""#));
        assert!(html.contains(r#"name="email""#) && html.contains(r#"name="reference""#));
        assert!(html.contains(r#"aria-invalid="true""#));
        assert!(html.contains(r##"href="#reference""##));
        assert!(html.contains(r#"value="RD-XXXX""#));
        assert!(!html.contains("we have sent a new link"));

        let html = LookupPage {
            lang: PageLang::default(),
            csrf_token: "c".into(),
            email: String::new(),
            reference: String::new(),
            sent: true,
            errors: vec![],
        }
        .render()
        .unwrap();
        assert!(html.contains(
            "If the email address and reference match a request, we have sent a new link to that address."
        ));
        assert!(!html.contains("aria-invalid"));
        assert!(!html.contains(r#"role="alert""#));
    }

    #[test]
    fn error_page_shows_message_and_request_id() {
        let html = ErrorPage {
            lang: PageLang::default(),
            status: 404,
            title: "Page not found".into(),
            message: "This link is not valid or has expired.".into(),
            request_id: Some("req-42".into()),
        }
        .render()
        .unwrap();
        assert_page_shell(&html);
        assert!(html.contains("<h1>Page not found</h1>"));
        assert!(html.contains("req-42"));
        assert!(html.contains(r#"<a href="/">"#));
        let html = ErrorPage {
            lang: PageLang::default(),
            status: 500,
            title: "Something went wrong".into(),
            message: "Please try again.".into(),
            request_id: None,
        }
        .render()
        .unwrap();
        assert!(!html.contains("quote this code"));
    }
}
