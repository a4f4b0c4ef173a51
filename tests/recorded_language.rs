//! A request recorded over the API or on "Record a request received offline" keeps the
//! requester's language, on both backends: its `recorded` mail and status page speak it,
//! with times on the requester's clock and the zone named; English when none is given; a
//! language the program does not speak is a field error, never a 500.

mod common;

use common::api::{days_ago, intake_body, json_of};
use common::{backends, csrf_in, link_token, location, TestApp};
use diesel::prelude::*;
use reqwest::StatusCode;
use rightsdesk::store::schema::requests;

fn stored_locale(app: &TestApp, reference: &str) -> String {
    requests::table
        .filter(requests::reference.eq(reference))
        .select(requests::locale)
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn the_api_records_the_requesters_language() {
    for backend in backends() {
        let b = backend.to_string();
        let app = TestApp::spawn(&backend).await;
        let system = app.api_token(&["requests:write"], &[]);

        let mut hindi = intake_body("meera@example.in", "in", &days_ago(2), "phone");
        hindi["language"] = "hi".into();
        let created = app
            .api_post("/api/v1/requests", Some(&system.secret), &hindi)
            .await;
        assert_eq!(created.status(), StatusCode::CREATED, "[{b}]");
        let reference = json_of(created).await["reference"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(stored_locale(&app, &reference), "hi", "[{b}]");
        let mail = app.wait_for_mail("meera@example.in", "/status/").await;
        assert!(
            mail.subject.contains("दर्ज") && mail.subject.contains(&reference),
            "[{b}] {}",
            mail.subject
        );
        assert!(
            mail.body.contains("हमने आपका अनुरोध")
                && mail.body.contains("माध्यम: फ़ोन")
                && mail.body.contains("भारतीय मानक समय"),
            "[{b}] {}",
            mail.body
        );
        assert!(!mail.body.contains("UTC"), "[{b}] India reads IST");
        let token = link_token(&mail.body, "/status/").expect("status link");
        let status_page = app
            .get(&format!("/status/{token}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(status_page.contains(r#"<html lang="hi">"#), "[{b}]");

        // `locale` is read as `language`; none at all is English.
        let mut by_locale = intake_body("ravi@example.in", "in", &days_ago(1), "post");
        by_locale["locale"] = "hi".into();
        let created = app
            .api_post("/api/v1/requests", Some(&system.secret), &by_locale)
            .await;
        assert_eq!(created.status(), StatusCode::CREATED, "[{b}]");
        let reference = json_of(created).await["reference"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(stored_locale(&app, &reference), "hi", "[{b}]");
        let english = intake_body("anna@example.org", "eu", &days_ago(1), "email");
        let created = app
            .api_post("/api/v1/requests", Some(&system.secret), &english)
            .await;
        let reference = json_of(created).await["reference"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(stored_locale(&app, &reference), "en", "[{b}]");
        let mail = app.wait_for_mail("anna@example.org", "/status/").await;
        assert!(
            mail.body.contains("which reached us")
                && mail.body.contains("by email on ")
                && mail.body.contains(" UTC."),
            "[{b}] {}",
            mail.body
        );

        let mut french = intake_body("jean@example.org", "eu", &days_ago(1), "post");
        french["language"] = "fr".into();
        let refused = app
            .api_post("/api/v1/requests", Some(&system.secret), &french)
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{b}]");
        let problem = json_of(refused).await;
        let errors = problem["errors"].as_array().expect("field errors");
        assert_eq!(errors.len(), 1, "[{b}] {problem}");
        assert_eq!(errors[0]["pointer"], "/language", "[{b}]");
        assert_eq!(app.count("requests"), 3, "[{b}]");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn the_intake_page_records_the_requesters_language() {
    for backend in backends() {
        let b = backend.to_string();
        let app = TestApp::spawn(&backend).await;
        let officer = app
            .signed_in("officer@example.org", "officer", &["in"])
            .await;
        let html = officer.get("/officer/intake").await.text().await.unwrap();
        assert!(
            html.contains(r#"<option value="en" lang="en" selected>English</option>"#)
                && html.contains(r#"<option value="hi" lang="hi">हिन्दी</option>"#),
            "[{b}] English is chosen unless asked"
        );
        let csrf = csrf_in(&html).unwrap();
        let received = (time::OffsetDateTime::now_utc() - time::Duration::days(2))
            .format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]"
            ))
            .unwrap();
        let mut fields = vec![
            ("csrf_token", csrf.as_str()),
            ("kind", "access"),
            ("region", "in"),
            ("full_name", "Meera Iyer"),
            ("email", "meera@example.in"),
            ("received_at", received.as_str()),
            ("channel", "in_person"),
            ("language", "xx"),
        ];
        let refused = officer.post_form("/officer/intake", &fields).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{b}]");
        let html = refused.text().await.unwrap();
        assert!(
            html.contains("Choose the requester&#39;s language")
                || html.contains("Choose the requester&#x27;s language")
                || html.contains("Choose the requester's language"),
            "[{b}] {html}"
        );
        assert_eq!(app.count("requests"), 0, "[{b}]");

        fields.retain(|(k, _)| *k != "language");
        fields.push(("language", "hi"));
        let recorded = officer.post_form("/officer/intake", &fields).await;
        assert_eq!(recorded.status(), StatusCode::SEE_OTHER, "[{b}]");
        let reference = location(&recorded)
            .trim_start_matches("/officer/requests/")
            .to_string();
        assert_eq!(stored_locale(&app, &reference), "hi", "[{b}]");
        let mail = app.wait_for_mail("meera@example.in", "/status/").await;
        assert!(
            mail.body.contains("माध्यम: व्यक्तिगत रूप से"),
            "[{b}] {}",
            mail.body
        );
        app.assert_no_server_errors();
    }
}
