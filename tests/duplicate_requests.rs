//! Duplicate requests over HTTP on both backends: a person who confirms a second request of
//! the same kind while the first is open has it linked to the first (and is told, once the
//! address is proved), the officer sees the link on both pages, and can merge the duplicate
//! into the original in one audited step. Nothing is told to someone who merely typed the
//! address.

mod common;

use diesel::prelude::*;
use reqwest::StatusCode;

use common::{backends, location, TestApp};

const EMAIL: &str = "twice.asked@example.in";

/// The reference a status page shows.
async fn reference_of(app: &TestApp, status_token: &str) -> String {
    let html = app
        .get(&format!("/status/{status_token}"))
        .await
        .text()
        .await
        .unwrap();
    let marker = "reference--title\">";
    let start = html.find(marker).expect("the reference") + marker.len();
    html[start..start + html[start..].find('<').unwrap()].to_string()
}

fn status_of(app: &TestApp, reference: &str) -> (String, Option<String>) {
    use rightsdesk::store::schema::requests::dsl;
    dsl::requests
        .filter(dsl::reference.eq(reference))
        .select((dsl::status, dsl::duplicate_of))
        .first(&mut *app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_second_request_of_the_same_kind_is_linked_shown_and_merged() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let first_token = app.submit_and_verify("erasure", EMAIL, "in").await;
        let original = reference_of(&app, &first_token).await;

        // Someone types the same address: the answer and the verification mail say nothing
        // of the open request (only the address's owner can confirm).
        app.wait_for_mail(EMAIL, "/status/").await;
        let before_submit: Vec<_> = app.mails().into_iter().map(|m| m.file).collect();
        let submitted = app
            .submit("erasure", &[("email", EMAIL), ("region", "in")])
            .await;
        assert_eq!(submitted.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let page = app.get(&location(&submitted)).await.text().await.unwrap();
        assert!(!page.contains(&original), "[{backend}] {page}");
        let verification = app
            .wait_for_new_mail(EMAIL, "/verify/", &before_submit)
            .await;
        assert!(!verification.body.contains(&original), "[{backend}]");

        // Confirmed by the owner: linked, and told on the page and in the mail.
        let earlier: Vec<_> = app.mails().into_iter().map(|m| m.file).collect();
        let token = common::link_token(&verification.body, "/verify/").unwrap();
        let csrf = app.csrf_from(&format!("/verify/{token}")).await;
        let confirmed = app
            .post_form(&format!("/verify/{token}"), &[("csrf_token", &csrf)])
            .await;
        assert_eq!(confirmed.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let second_token = location(&confirmed)
            .strip_prefix("/status/")
            .and_then(|rest| rest.split('?').next())
            .unwrap()
            .to_string();
        let duplicate = reference_of(&app, &second_token).await;
        assert_ne!(duplicate, original);
        let status_page = app
            .get(&format!("/status/{second_token}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            status_page.contains(&original) && status_page.contains("linked this request"),
            "[{backend}] {status_page}"
        );
        let confirmation = app.wait_for_new_mail(EMAIL, "/status/", &earlier).await;
        assert!(
            confirmation.body.contains(&original) && confirmation.body.contains("linked"),
            "[{backend}] {}",
            confirmation.body
        );
        let original_id = {
            use rightsdesk::store::schema::requests::dsl;
            dsl::requests
                .filter(dsl::reference.eq(&original))
                .select(dsl::id)
                .first::<String>(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(
            status_of(&app, &duplicate),
            ("open".to_string(), Some(original_id.clone()))
        );
        let first_page = app
            .get(&format!("/status/{first_token}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(!first_page.contains("linked this request"), "[{backend}]");

        // Not linked: another kind from the same person, or the same kind from another.
        let access = app.submit_and_verify("access", EMAIL, "in").await;
        let access = reference_of(&app, &access).await;
        let other = app
            .submit_and_verify("erasure", "someone.else@example.in", "in")
            .await;
        let other = reference_of(&app, &other).await;
        assert_eq!(status_of(&app, &access).1, None, "[{backend}]");
        assert_eq!(status_of(&app, &other).1, None, "[{backend}]");

        // The officer sees the link on both pages; only the duplicate offers a merge.
        let officer = app
            .signed_in("merging.officer@example.org", "officer", &["in"])
            .await;
        let dup_page = officer
            .get(&format!("/officer/requests/{duplicate}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            dup_page.contains(&format!("href=\"/officer/requests/{original}\"")),
            "[{backend}] {dup_page}"
        );
        assert!(dup_page.contains("value=\"merge\""), "[{backend}]");
        let orig_page = officer
            .get(&format!("/officer/requests/{original}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            orig_page.contains(&format!("href=\"/officer/requests/{duplicate}\"")),
            "[{backend}]"
        );
        assert!(!orig_page.contains("value=\"merge\""), "[{backend}]");

        // A request that repeats nothing cannot be merged.
        let refused = officer.act(&original, &[("action", "merge")]).await;
        assert_eq!(refused.status(), StatusCode::CONFLICT, "[{backend}]");

        // The merge closes the duplicate, audited on both, and tells the requester.
        let before = app.mails().into_iter().map(|m| m.file).collect::<Vec<_>>();
        let merged = officer.act(&duplicate, &[("action", "merge")]).await;
        assert_eq!(merged.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(status_of(&app, &duplicate).0, "withdrawn", "[{backend}]");
        assert_eq!(status_of(&app, &original).0, "open", "[{backend}]");
        assert_eq!(
            app.count(&format!(
                "audit_events WHERE action = 'request.merged' AND details LIKE '%{original}%'"
            )),
            1,
            "[{backend}]"
        );
        assert_eq!(
            app.count(&format!(
                "audit_events WHERE action = 'request.duplicate_merged' AND details LIKE '%{duplicate}%'"
            )),
            1,
            "[{backend}]"
        );
        let told = app.wait_for_new_mail(EMAIL, &original, &before).await;
        assert!(
            told.subject.contains(&duplicate),
            "[{backend}] {}",
            told.subject
        );
        let again = officer.act(&duplicate, &[("action", "merge")]).await;
        assert_eq!(again.status(), StatusCode::CONFLICT, "[{backend}]");
        let closed_page = app
            .get(&format!("/status/{second_token}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            closed_page.contains("Merged into your earlier request"),
            "[{backend}]"
        );

        // A third request now links to the original, which is still open.
        let third = app.submit_and_verify("erasure", EMAIL, "in").await;
        let third = reference_of(&app, &third).await;
        assert_eq!(status_of(&app, &third).1, Some(original_id), "[{backend}]");

        app.assert_counts_match();
        app.assert_no_server_errors();
    }
}
