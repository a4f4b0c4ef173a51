//! Requesters in English and Hindi, on both backends: the language is negotiated from
//! `Accept-Language`, switched by a plain link (kept in a `lang` cookie), stored on the
//! request so that its mail and status page keep it whatever browser opens them later;
//! times show on the requester's clock with the zone named (IST for India).

mod common;

use diesel::prelude::*;
use reqwest::header::{ACCEPT_LANGUAGE, SET_COOKIE, VARY};
use reqwest::{Client, StatusCode};

use common::{backends, csrf_in, link_token, location, TestApp};

/// GETs `path` with `client`, optionally with an `Accept-Language` header.
async fn page(
    app: &TestApp,
    client: &Client,
    path: &str,
    accept: Option<&str>,
) -> (StatusCode, String) {
    let mut request = client.get(format!("{}{path}", app.address));
    if let Some(accept) = accept {
        request = request.header(ACCEPT_LANGUAGE, accept);
    }
    let response = request.send().await.expect("GET");
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// The `href` of the link that switches to `lang`.
fn switch_link(html: &str, lang: &str) -> String {
    let marker = format!(r#"" hreflang="{lang}" lang="{lang}">"#);
    let end = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no switch to {lang}"));
    let start = html[..end].rfind(r#"href=""#).unwrap() + r#"href=""#.len();
    html[start..end].replace("&#38;", "&").replace("&amp;", "&")
}

/// Submits an access request from `client` (which keeps its own cookies).
async fn submit_from(
    app: &TestApp,
    client: &Client,
    accept: Option<&str>,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let (status, form) = page(app, client, "/requests/new?kind=access", accept).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_in(&form).unwrap();
    let lang = if form.contains(r#"<html lang="hi">"#) {
        "hi"
    } else {
        "en"
    };
    let mut all = vec![
        ("kind", "access"),
        ("full_name", "Asha Rao"),
        ("region", "in"),
        ("details", ""),
        ("lang", lang),
        ("csrf_token", csrf.as_str()),
    ];
    all.extend_from_slice(fields);
    let mut request = client.post(format!("{}/requests", app.address)).form(&all);
    if let Some(accept) = accept {
        request = request.header(ACCEPT_LANGUAGE, accept);
    }
    let response = request.send().await.expect("POST");
    let status = response.status();
    (status, response.text().await.unwrap())
}

fn stored_locale(app: &TestApp, email: &str) -> String {
    use rightsdesk::store::schema::requests::dsl;
    dsl::requests
        .filter(dsl::email_index.eq(app.email_index(email)))
        .select(dsl::locale)
        .first(&mut *app.conn())
        .unwrap()
}

#[tokio::test]
async fn the_home_page_speaks_the_language_the_browser_asks_for() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let browser = app.browser();
        let (status, html) = page(&app, &browser, "/", Some("hi-IN,hi;q=0.9,en;q=0.8")).await;
        assert_eq!(status, StatusCode::OK, "[{backend}]");
        assert!(html.contains(r#"<html lang="hi">"#), "[{backend}] {html}");
        assert!(html.contains("<h1>आपके निजता अधिकार</h1>"));
        assert!(html.contains("शिकायत अधिकारी"));
        assert!(html.contains("व्यक्तिगत डेटा"));
        assert_eq!(switch_link(&html, "en"), "/?lang=en");
        assert!(html.contains(r#"lang="en">English</a>"#));

        let (_, html) = page(&app, &browser, "/", None).await;
        assert!(html.contains(r#"<html lang="en">"#));
        assert!(html.contains("<h1>Your privacy rights</h1>"));
        assert_eq!(switch_link(&html, "hi"), "/?lang=hi");
        assert!(html.contains(r#"lang="hi">हिन्दी</a>"#));

        let (_, html) = page(&app, &browser, "/", Some("fr, de;q=0.5")).await;
        assert!(
            html.contains(r#"<html lang="en">"#),
            "[{backend}] English by default"
        );

        let response = browser
            .get(format!("{}/", app.address))
            .send()
            .await
            .unwrap();
        let vary = response.headers().get_all(VARY).iter();
        assert!(
            vary.filter_map(|v| v.to_str().ok())
                .any(|v| v.contains("Accept-Language")),
            "[{backend}]"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn the_switch_link_works_without_javascript_and_the_form_in_hindi() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let browser = app.browser();
        let (_, html) = page(&app, &browser, "/requests/new?kind=access", None).await;
        let to_hindi = switch_link(&html, "hi");
        assert_eq!(to_hindi, "/requests/new?kind=access&lang=hi", "[{backend}]");

        let response = browser
            .get(format!("{}{to_hindi}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("lang="))
            .expect("a lang cookie")
            .to_string();
        assert!(cookie.starts_with("lang=hi;"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Max-Age="), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        let html = response.text().await.unwrap();
        assert!(html.contains(r#"<html lang="hi">"#));
        assert!(html.contains("<label class=\"label\" for=\"full_name\">पूरा नाम</label>"));
        assert!(html.contains(r#"<input type="hidden" name="lang" value="hi">"#));

        // The cookie keeps Hindi on the next page, without the parameter.
        let (_, html) = page(&app, &browser, "/status/lookup", None).await;
        assert!(html.contains(r#"<html lang="hi">"#), "[{backend}]");
        assert!(html.contains("मेरा अनुरोध खोजें"));

        // The form in Hindi: its errors in Hindi (422), its CSRF token accepted.
        let (status, html) =
            submit_from(&app, &browser, None, &[("email", "not-an-address")]).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{backend}] {html}"
        );
        assert!(html.contains(r#"<html lang="hi">"#));
        assert!(
            html.contains("name@example.com जैसा ईमेल पता दर्ज करें"),
            "{html}"
        );
        assert!(html.contains("कुछ जानकारी ठीक करनी होगी"));
        assert_eq!(
            switch_link(&html, "en"),
            "/requests/new?kind=access&lang=en"
        );
        let (status, _) =
            submit_from(&app, &browser, None, &[("email", "switched@example.in")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(stored_locale(&app, "switched@example.in"), "hi");
        let mail = app.wait_for_mail("switched@example.in", "/verify/").await;
        assert!(mail.body.starts_with("नमस्कार,"), "{}", mail.body);

        // And back to English.
        let (_, html) = page(&app, &browser, "/?lang=en", None).await;
        assert!(html.contains(r#"<html lang="en">"#));
        let (_, html) = page(&app, &browser, "/", None).await;
        assert!(
            html.contains(r#"<html lang="en">"#),
            "[{backend}] the cookie says en"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn a_request_made_in_hindi_gets_its_mail_and_status_page_in_hindi() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let hindi_browser = app.browser();
        let email = "meera@example.in";
        let (status, _) = submit_from(&app, &hindi_browser, Some("hi"), &[("email", email)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(stored_locale(&app, email), "hi");

        let mail = app.wait_for_mail(email, "/verify/").await;
        assert!(
            mail.subject.contains("पुष्टि"),
            "[{backend}] {}",
            mail.subject
        );
        assert!(mail.body.contains("निजता अनुरोध"), "{}", mail.body);
        assert!(mail.body.contains("7 दिन में समाप्त"), "{}", mail.body);
        let token = link_token(&mail.body, "/verify/").unwrap();

        // Another browser, asking for nothing (English): the request's language wins.
        let (status, html) = page(&app, &app.client, &format!("/verify/{token}"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"<html lang="hi">"#), "[{backend}]");
        assert!(html.contains("मेरे अनुरोध की पुष्टि करें</button>"));
        let csrf = csrf_in(&html).unwrap();
        let response = app
            .post_form(&format!("/verify/{token}"), &[("csrf_token", &csrf)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let status_path = location(&response);

        let (_, html) = page(&app, &app.client, &status_path, Some("en")).await;
        assert!(html.contains(r#"<html lang="hi">"#), "[{backend}]");
        assert!(html.contains("स्थिति: प्राप्त हुआ"), "{html}");
        assert!(html.contains("भारतीय मानक समय"), "{html}");
        assert!(html.contains("धन्यवाद: आपके अनुरोध की पुष्टि हो गई है।"));
        assert!(html.contains("डीपीडीपी अधिनियम 2023"));

        let mail = app.wait_for_mail(email, "/status/").await;
        assert!(mail.subject.contains("पुष्टि हो गई"), "{}", mail.subject);
        assert!(mail.body.contains("भारतीय मानक समय"), "{}", mail.body);
        assert!(mail.body.contains("हम "), "{}", mail.body);

        // A status mail (the requester withdraws): Hindi too.
        let token = status_path
            .trim_start_matches("/status/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let csrf = app.csrf_from(&format!("/status/{token}")).await;
        let response = app
            .post_form(
                &format!("/status/{token}/withdraw"),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let mail = app.wait_for_mail(email, "नई स्थिति").await;
        assert!(
            mail.body.contains("नई स्थिति: वापस लिया गया"),
            "{}",
            mail.body
        );
        assert!(mail.subject.contains("नई जानकारी"), "{}", mail.subject);

        // The lost-link mail follows the request's language as well.
        let reference: String = {
            use rightsdesk::store::schema::requests::dsl;
            dsl::requests
                .filter(dsl::email_index.eq(app.email_index(email)))
                .select(dsl::reference)
                .first(&mut *app.conn())
                .unwrap()
        };
        let csrf = app.csrf_from("/status/lookup").await;
        let response = app
            .post_form(
                "/status/lookup",
                &[
                    ("email", email),
                    ("reference", &reference),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let mail = app.wait_for_mail(email, "नया लिंक माँगा").await;
        assert!(mail.subject.contains(&reference));
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn an_indian_requester_sees_ist_and_others_utc_unless_a_zone_is_set() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let india = app
            .submit_and_verify("access", "ravi@example.in", "in")
            .await;
        let (_, html) = page(&app, &app.client, &format!("/status/{india}"), None).await;
        assert!(html.contains(r#"<html lang="en">"#));
        assert!(html.contains(" IST</dd>"), "[{backend}] {html}");
        assert!(html.contains("Due by "));
        let mail = app
            .wait_for_mail("ravi@example.in", "We will respond by")
            .await;
        assert!(mail.body.contains(" IST."), "[{backend}] {}", mail.body);

        let eu = app
            .submit_and_verify("access", "eva@example.eu", "eu")
            .await;
        let (_, html) = page(&app, &app.client, &format!("/status/{eu}"), None).await;
        assert!(html.contains(" UTC</dd>"), "[{backend}] {html}");
        app.assert_no_server_errors();

        let app =
            TestApp::spawn_with(&backend, &[("RIGHTSDESK_TIME_ZONE", "Europe/Berlin")], true).await;
        let india = app
            .submit_and_verify("access", "ravi@example.in", "in")
            .await;
        let (_, html) = page(&app, &app.client, &format!("/status/{india}"), None).await;
        assert!(
            html.contains(" CET</dd>") || html.contains(" CEST</dd>"),
            "[{backend}] the organisation's zone: {html}"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn error_pages_speak_the_requesters_language() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let browser = app.browser();
        let (status, html) = page(&app, &browser, "/status/no-such-token", Some("hi")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{backend}]");
        assert!(html.contains(r#"<html lang="hi">"#));
        assert!(html.contains("<h1>पेज नहीं मिला</h1>"), "{html}");
        assert!(html.contains("त्रुटि 404"));
        let (status, html) = page(&app, &browser, "/status/no-such-token", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(html.contains("<h1>Page not found</h1>"));
        // A forged form is refused in Hindi too.
        let response = browser
            .post(format!("{}/requests", app.address))
            .header(ACCEPT_LANGUAGE, "hi")
            .form(&[("kind", "access"), ("csrf_token", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let html = response.text().await.unwrap();
        assert!(html.contains("इस फ़ॉर्म की अवधि समाप्त हो गई है"), "{html}");
    }
}
