//! WCAG 2.1 AA check of every public page, in English and Hindi, in the states a requester
//! sees them: the real app on SQLite (pages do not depend on the backend) renders them and
//! `tests/a11y/check.mjs` runs HTML_CodeSniffer's WCAG2AA standard on each in headless
//! Chromium, at desktop and phone width.
//!
//! Needs node, Chromium (/usr/bin/chromium, or `CHROMIUM`) and `npm ci --prefix tests/a11y`.
//! Without them the test prints a note and passes, unless `RIGHTSDESK_A11Y` is set (as in CI),
//! when it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{link_token, location, Backend, TestApp};
use reqwest::StatusCode;
use rightsdesk::domain::import_row::ImportKind;
use rightsdesk::domain::kind::RequestKind;

/// The whole node run; each page also has its own timeout inside check.mjs.
const CHECK_TIMEOUT: Duration = Duration::from_secs(300);

fn a11y_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("a11y")
}

fn required() -> bool {
    std::env::var_os("RIGHTSDESK_A11Y").is_some_and(|v| !v.is_empty())
}

/// Fails when the check is required, otherwise explains why it is skipped.
fn skip(reason: &str) {
    assert!(
        !required(),
        "RIGHTSDESK_A11Y is set but the accessibility check cannot run: {reason}"
    );
    eprintln!(
        "note: accessibility check skipped: {reason} (needs node, Chromium and \
         `npm ci --prefix tests/a11y`; set RIGHTSDESK_A11Y=1 to make this a failure)"
    );
}

/// What is missing to run the check, if anything.
fn missing_prerequisite() -> Option<String> {
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !node.is_ok_and(|s| s.success()) {
        return Some("`node` is not on PATH".to_string());
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    if !Path::new(&chromium).exists() {
        return Some(format!("no Chromium at {chromium}"));
    }
    let modules = a11y_dir().join("node_modules");
    for package in ["puppeteer-core", "html_codesniffer"] {
        if !modules.join(package).is_dir() {
            return Some(format!("{} is missing", modules.join(package).display()));
        }
    }
    None
}

struct CheckRun {
    code: Option<i32>,
    output: String,
}

/// Runs check.mjs on `urls`, killing it after [`CHECK_TIMEOUT`]. Output goes to files, not
/// pipes, so that a long report cannot block the child while it is polled.
fn run_check(urls: &[String], dir: &Path) -> CheckRun {
    let stdout_path = dir.join("a11y-stdout.txt");
    let stderr_path = dir.join("a11y-stderr.txt");
    let mut child = Command::new("node")
        .arg(a11y_dir().join("check.mjs"))
        .args(urls)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).expect("stdout file"))
        .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("start node");
    let started = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break status.code();
        }
        if started.elapsed() > CHECK_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    let mut output = read(&stdout_path);
    let stderr = read(&stderr_path);
    if !stderr.is_empty() {
        output.push_str("\n--- stderr ---\n");
        output.push_str(&stderr);
    }
    if code.is_none() {
        output.push_str(&format!(
            "\n(check.mjs was killed after {CHECK_TIMEOUT:?} or by a signal)"
        ));
    }
    CheckRun { code, output }
}

/// A page that only a POST renders (a form shown again with its errors): saved to a file, with
/// a base URL so that its stylesheet still loads from the app, and checked as a file:// URL.
async fn save_page(app: &TestApp, name: &str, response: reqwest::Response) -> String {
    let html = response.text().await.expect("page body");
    assert!(html.contains("<head>"), "{name}: no <head> in {html}");
    let html = html.replacen(
        "<head>",
        &format!("<head>\n<base href=\"{}/\">", app.address),
        1,
    );
    let path = app.dir.path().join(format!("{name}.html"));
    std::fs::write(&path, html).expect("save page");
    format!("file://{}", path.display())
}

#[tokio::test]
async fn every_public_page_passes_wcag_2_1_aa() {
    if let Some(reason) = missing_prerequisite() {
        skip(&reason);
        return;
    }
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let page = |path: &str| format!("{}{}", app.address, path);
    let mut urls = vec![
        page("/"),
        page("/requests/new"),
        page("/requests/submitted"),
        page("/status/lookup"),
        page("/no-such-page"),
    ];
    for kind in RequestKind::ALL {
        urls.push(page(&format!("/requests/new?kind={}", kind.as_str())));
    }

    // An unconfirmed request: its confirmation page.
    let response = app
        .submit("erasure", &[("email", "unconfirmed@example.org")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let mail = app
        .wait_for_mail("unconfirmed@example.org", "/verify/")
        .await;
    let token = link_token(&mail.body, "/verify/").expect("verify link");
    urls.push(page(&format!("/verify/{token}")));

    // An open request the requester wrote to: the timeline holds their message, with a long
    // unbreakable link in it (it must wrap at phone width).
    let open = app
        .submit_and_verify("access", "open@example.org", "eu")
        .await;
    let csrf = app.csrf_from(&format!("/status/{open}")).await;
    let response = app
        .post_form(
            &format!("/status/{open}/reply"),
            &[
                ("csrf_token", &csrf),
                (
                    "message",
                    "My customer number is ACC-1.\nPlease include my order history: \
                     https://shop.example.org/account/orders?from=2019-01-01&to=2026-11-30&format=full",
                ),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    urls.push(page(&location(&response)));
    urls.push(page(&format!("/status/{open}?notice=confirmed")));
    // Its confirmation link, used: the 410 error page.
    let mail = app.wait_for_mail("open@example.org", "/verify/").await;
    let used = link_token(&mail.body, "/verify/").expect("verify link");
    assert_eq!(
        app.get(&format!("/verify/{used}")).await.status(),
        StatusCode::GONE
    );
    urls.push(page(&format!("/verify/{used}")));

    // A request waiting for the requester's answer: the call to action.
    let waiting = app
        .submit_and_verify("rectification", "waiting@example.org", "in")
        .await;
    app.force_status("waiting@example.org", "awaiting_requester");
    urls.push(page(&format!("/status/{waiting}")));

    // A withdrawn request: closed, no forms.
    let withdrawn = app
        .submit_and_verify("grievance", "withdrawn@example.org", "us-ca")
        .await;
    let csrf = app.csrf_from(&format!("/status/{withdrawn}")).await;
    let response = app
        .post_form(
            &format!("/status/{withdrawn}/withdraw"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    urls.push(page(&location(&response)));

    // Forms shown again with their errors (POST only, so saved to files).
    let response = app
        .submit(
            "rectification",
            &[
                ("full_name", ""),
                ("email", "not-an-address"),
                ("region", ""),
                ("correction", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    urls.push(save_page(&app, "rectification-errors", response).await);
    let response = app
        .submit("consent_withdrawal", &[("purposes", ""), ("region", "")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    urls.push(save_page(&app, "consent-errors", response).await);
    let csrf = app.csrf_from("/status/lookup").await;
    let response = app
        .post_form(
            "/status/lookup",
            &[
                ("csrf_token", &csrf),
                ("email", "nobody"),
                ("reference", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    urls.push(save_page(&app, "lookup-errors", response).await);
    let csrf = app.csrf_from("/status/lookup").await;
    let response = app
        .post_form(
            "/status/lookup",
            &[
                ("csrf_token", &csrf),
                ("email", "open@example.org"),
                ("reference", "RD-0000-0000"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    urls.push(save_page(&app, "lookup-sent", response).await);

    // Every public page so far in Hindi too (the language switch's `?lang=hi`), and the
    // forms shown again with their errors in Hindi (the switch's cookie keeps the language).
    let hindi: Vec<String> = urls
        .iter()
        .filter(|url| url.starts_with(&app.address))
        .map(|url| {
            let join = if url.contains('?') { '&' } else { '?' };
            format!("{url}{join}lang=hi")
        })
        .collect();
    urls.extend(hindi);
    assert_eq!(app.get("/?lang=hi").await.status(), StatusCode::OK);
    let response = app
        .submit(
            "rectification",
            &[
                ("full_name", ""),
                ("email", "not-an-address"),
                ("region", ""),
                ("correction", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    urls.push(save_page(&app, "rectification-errors-hi", response).await);
    let csrf = app.csrf_from("/status/lookup").await;
    let response = app
        .post_form(
            "/status/lookup",
            &[
                ("csrf_token", &csrf),
                ("email", "nobody"),
                ("reference", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let saved = save_page(&app, "lookup-errors-hi", response).await;
    let html = std::fs::read_to_string(saved.trim_start_matches("file://")).unwrap();
    assert!(html.contains(r#"<html lang="hi">"#), "{html}");
    urls.push(saved);
    assert_eq!(app.get("/?lang=en").await.status(), StatusCode::OK);

    // The officer workspace, as officers see it (signed in, so saved to files).
    urls.push(page("/officer/login"));
    let reference = app
        .verified_request("erasure", "case@example.org", "in")
        .await;
    let officer = app.signed_in("omar@example.org", "officer", &["in"]).await;
    officer
        .act(
            &reference,
            &[("action", "note"), ("message", "Checked the CRM.")],
        )
        .await;
    officer
        .act(
            &reference,
            &[
                ("action", "hold"),
                ("order_reference", "HC-1"),
                ("reason", "Court order"),
            ],
        )
        .await;
    // Data held about the requester: the request pages list it, and a fulfilled access
    // request offers a data package on the status page.
    let inventory = [
        (ImportKind::Records, "{\"email\":\"case@example.org\",\"source\":\"crm\",\"source_id\":\"1\",\"category\":\"profile\",\"payload\":{\"name\":\"Case Person\",\"city\":\"Pune\"}}\n{\"email\":\"case@example.org\",\"source\":\"web\",\"source_id\":\"2\",\"category\":\"registration\",\"payload\":{\"username\":\"case\"}}\n"),
        (ImportKind::Consents, "{\"email\":\"case@example.org\",\"purpose\":\"marketing\",\"granted_at\":\"2026-01-01T00:00:00Z\",\"source\":\"signup\"}\n"),
    ];
    for (kind, body) in inventory {
        let lines: Vec<serde_json::Value> = body
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect();
        app.import_lines(kind, &lines, true, 100);
    }
    let rectification = app
        .verified_request("rectification", "case@example.org", "in")
        .await;
    let access_token = app
        .submit_and_verify("access", "case@example.org", "in")
        .await;
    let access: String = {
        use diesel::prelude::*;
        use rightsdesk::store::schema::requests::dsl;
        dsl::requests
            .filter(dsl::kind.eq("access"))
            .filter(dsl::email_index.eq(app.email_index("case@example.org")))
            .select(dsl::reference)
            .first(&mut *app.conn())
            .expect("the access request")
    };
    let response = officer
        .act(
            &access,
            &[("action", "fulfil"), ("message", "Your data is attached.")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    urls.push(page(&format!("/status/{access_token}")));
    // This month's report, with the fulfilled request in its figures and chart.
    let today = time::OffsetDateTime::now_utc();
    let this_month = format!("{}-{:02}", today.year(), u8::from(today.month()));
    for (name, path) in [
        ("officer-queue", "/officer/queue".to_string()),
        (
            "officer-request-rectification",
            format!("/officer/requests/{rectification}"),
        ),
        ("officer-request", format!("/officer/requests/{reference}")),
        ("officer-audit", "/officer/audit".to_string()),
        (
            "officer-report",
            format!("/officer/reports/compliance?month={this_month}"),
        ),
    ] {
        let response = officer.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        urls.push(save_page(&app, name, response).await);
    }
    let admin = app.signed_in_admin("admin@example.org").await;
    let response = admin.get("/officer/admin/officers").await;
    urls.push(save_page(&app, "officer-admin", response).await);
    let response = admin.get("/officer/retention").await;
    assert_eq!(response.status(), StatusCode::OK);
    urls.push(save_page(&app, "officer-retention", response).await);
    // Mail delivery with one mail given up (a retry form) and one still being retried.
    app.execute(
        "UPDATE mail_outbox SET sent_at = NULL, attempts = 1, failed_at = created_at, \
         last_error = 'SMTP: permanent error (550): mailbox unavailable' \
         WHERE id = (SELECT MIN(id) FROM mail_outbox)",
    );
    app.execute(
        "UPDATE mail_outbox SET sent_at = NULL, attempts = 3, \
         next_attempt_at = '2999-01-01 00:00:00', last_error = 'SMTP: connection refused' \
         WHERE id = (SELECT MAX(id) FROM mail_outbox)",
    );
    let response = admin.get("/officer/admin/mail").await;
    assert_eq!(response.status(), StatusCode::OK);
    urls.push(save_page(&app, "officer-admin-mail", response).await);
    let saved = std::fs::read_to_string(app.dir.path().join("officer-admin-mail.html")).unwrap();
    assert!(saved.contains("/retry\"") && saved.contains("Next attempt"));
    // Legal holds on people: one in force (a release form), then the form with its errors.
    let csrf = admin.csrf("/officer/admin/holds").await;
    let response = admin
        .post_form(
            "/officer/admin/holds",
            &[
                ("csrf_token", csrf.as_str()),
                ("email", "held@example.org"),
                ("order_reference", "HC-2026-17"),
                ("reason", "Preserve everything about the account"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = admin.get(&location(&response)).await;
    urls.push(save_page(&app, "officer-admin-holds", response).await);
    let response = admin
        .post_form(
            "/officer/admin/holds",
            &[("csrf_token", csrf.as_str()), ("email", "not an email")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    urls.push(save_page(&app, "officer-admin-holds-errors", response).await);
    // API tokens: a token just made (its secret shown once), then the form with its errors.
    let csrf = admin.csrf("/officer/admin/api-tokens").await;
    let response = admin
        .post_form(
            "/officer/admin/api-tokens",
            &[
                ("csrf_token", csrf.as_str()),
                ("name", "CRM"),
                ("scopes", "requests:read"),
                ("regions", "eu"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    urls.push(save_page(&app, "officer-admin-api-tokens", response).await);
    let response = admin
        .post_form(
            "/officer/admin/api-tokens",
            &[("csrf_token", csrf.as_str()), ("expires", "2001-01-01")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    urls.push(save_page(&app, "officer-admin-api-tokens-errors", response).await);
    // Record a request received offline: the form, then the form with its errors.
    let response = admin.get("/officer/intake").await;
    assert_eq!(response.status(), StatusCode::OK);
    urls.push(save_page(&app, "officer-intake", response).await);
    let csrf = admin.csrf("/officer/intake").await;
    let response = admin
        .post_form(
            "/officer/intake",
            &[("csrf_token", csrf.as_str()), ("email", "not an email")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    urls.push(save_page(&app, "officer-intake-errors", response).await);
    let auditor = app.signed_in("audrey@example.org", "auditor", &[]).await;
    let response = auditor.get(&format!("/officer/requests/{reference}")).await;
    urls.push(save_page(&app, "officer-request-read-only", response).await);
    // Enrolment (with its QR code) and the code step, for a second admin.
    app.create_officer("second@example.org", "admin", &[]);
    let browser = app.browser();
    app.sign_in_with(&browser, "second@example.org", common::officer::PASSWORD)
        .await;
    let response = browser.get(page("/officer/mfa")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    urls.push(save_page(&app, "officer-mfa", response).await);
    // The password page, as shown and with errors; an admin's reset of the auditor's
    // password (the temporary password shown once), and the page the auditor then owes.
    let response = officer.get("/officer/account/password").await;
    assert_eq!(response.status(), StatusCode::OK);
    urls.push(save_page(&app, "officer-password", response).await);
    let csrf = officer.csrf("/officer/account/password").await;
    let response = officer
        .post_form(
            "/officer/account/password",
            &[
                ("current_password", ""),
                ("new_password", "short"),
                ("confirmation", ""),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    urls.push(save_page(&app, "officer-password-errors", response).await);
    let csrf = admin.csrf("/officer/admin/officers").await;
    let response = admin
        .post_form(
            &format!("/officer/admin/officers/{}/password", auditor.id),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    let marker = r#"<code class="secret">"#;
    let start = html.find(marker).expect("the temporary password") + marker.len();
    let temporary = &html[start..start + 29];
    let path = app.dir.path().join("officer-password-reset.html");
    let based = html.replacen(
        "<head>",
        &format!("<head>\n<base href=\"{}/\">", app.address),
        1,
    );
    std::fs::write(&path, based).unwrap();
    urls.push(format!("file://{}", path.display()));
    let browser = app.browser();
    let response = app
        .sign_in_with(&browser, "audrey@example.org", temporary)
        .await;
    assert_eq!(location(&response), "/officer/account/password");
    let response = browser
        .get(page("/officer/account/password"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    urls.push(save_page(&app, "officer-password-required", response).await);

    app.assert_no_server_errors();

    // The server runs on this test's runtime: wait for node off it.
    let dir = app.dir.path().to_path_buf();
    let check = tokio::task::spawn_blocking(move || run_check(&urls, &dir))
        .await
        .expect("check thread");
    match check.code {
        Some(0) => println!("{}", check.output),
        Some(2) => skip(&format!("check.mjs cannot run:\n{}", check.output)),
        _ => panic!(
            "accessibility errors (WCAG 2.1 AA), exit code {:?}:\n{}",
            check.code, check.output
        ),
    }
}
