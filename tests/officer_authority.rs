//! Authority in the officer workspace through the real HTTP stack, on both backends:
//! releasing a legal hold needs the region it was placed from (or admin), admins hold a
//! person's data without a request, and the audit viewer shows officers only their regions.

mod common;

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use common::{backends, location, rightsdesk_cli, TestApp};
use rightsdesk::domain::import_row::ImportKind;

fn reference_in(app: &TestApp, regime: &str) -> String {
    use rightsdesk::store::schema::requests::dsl;
    dsl::requests
        .filter(dsl::regime.eq(regime))
        .select(dsl::reference)
        .first(&mut *app.conn())
        .unwrap()
}

fn request_id(app: &TestApp, reference: &str) -> String {
    use rightsdesk::store::schema::requests::dsl;
    dsl::requests
        .filter(dsl::reference.eq(reference))
        .select(dsl::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn version_of(app: &TestApp, reference: &str) -> i64 {
    use rightsdesk::store::schema::requests::dsl;
    dsl::requests
        .filter(dsl::reference.eq(reference))
        .select(dsl::version)
        .first(&mut *app.conn())
        .unwrap()
}

/// `(id, origin_request_id, released)` of every hold, oldest first.
fn holds(app: &TestApp) -> Vec<(String, Option<String>, bool)> {
    use rightsdesk::store::schema::legal_holds::dsl;
    dsl::legal_holds
        .order(dsl::placed_at.asc())
        .select((
            dsl::id,
            dsl::origin_request_id,
            dsl::released_at.is_not_null(),
        ))
        .load(&mut *app.conn())
        .unwrap()
}

/// `(target, details)` of the events with this action.
fn events(app: &TestApp, action: &str) -> Vec<(String, String)> {
    use rightsdesk::store::schema::audit_events::dsl;
    dsl::audit_events
        .filter(dsl::action.eq(action))
        .order(dsl::pos.asc())
        .select((dsl::target, dsl::details))
        .load(&mut *app.conn())
        .unwrap()
}

#[tokio::test]
async fn releasing_a_hold_needs_the_region_it_was_placed_from_or_admin() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        // One person with data held and a request in two regions.
        app.import_lines(
            ImportKind::Subjects,
            &[json!({"email": "shared@example.org"})],
            true,
            100,
        );
        app.submit_and_verify("access", "shared@example.org", "eu")
            .await;
        app.submit_and_verify("access", "shared@example.org", "in")
            .await;
        let (eu_ref, in_ref) = (reference_in(&app, "eu"), reference_in(&app, "in"));
        let eve = app.signed_in("eve@example.org", "officer", &["eu"]).await;
        let ian = app.signed_in("ian@example.org", "officer", &["in"]).await;

        // Eve holds the person's data from the EU request.
        let response = eve
            .act(
                &eu_ref,
                &[
                    ("action", "hold"),
                    ("hold_scope", "subject"),
                    ("order_reference", "EU-ORDER-1"),
                    ("reason", "Supervisory authority inquiry"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}] hold");
        let placed = holds(&app);
        assert_eq!(placed.len(), 1, "[{backend}] one hold");
        let (hold_id, origin, released) = placed[0].clone();
        assert!(!released, "[{backend}]");
        assert_eq!(origin, Some(request_id(&app, &eu_ref)), "[{backend}]");

        // Ian sees it on the Indian request of the same person, but cannot lift it.
        let page = ian
            .get(&format!("/officer/requests/{in_ref}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("EU-ORDER-1"), "[{backend}] the hold is shown");
        let before = (app.audit_count(), version_of(&app, &in_ref), holds(&app));
        let refused = ian
            .act(
                &in_ref,
                &[("action", "release_hold"), ("hold_id", &hold_id)],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "[{backend}]");
        let body = refused.text().await.unwrap();
        assert!(
            body.contains("placed from a request of another region"),
            "[{backend}] {body}"
        );
        assert_eq!(
            (app.audit_count(), version_of(&app, &in_ref), holds(&app)),
            before,
            "[{backend}] nothing changed"
        );

        // Eve, of the region it came from, can.
        let released = eve
            .act(
                &eu_ref,
                &[("action", "release_hold"), ("hold_id", &hold_id)],
            )
            .await;
        assert_eq!(released.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert!(holds(&app)[0].2, "[{backend}] released");

        // So can an admin, from the other region's request.
        let response = eve
            .act(
                &eu_ref,
                &[
                    ("action", "hold"),
                    ("hold_scope", "subject"),
                    ("order_reference", "EU-ORDER-2"),
                    ("reason", "Second order"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let second = holds(&app)[1].0.clone();
        let admin = app.signed_in_admin("admin@example.org").await;
        let released = admin
            .act(&in_ref, &[("action", "release_hold"), ("hold_id", &second)])
            .await;
        assert_eq!(released.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert!(holds(&app)[1].2, "[{backend}] released by the admin");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn the_release_form_is_shown_only_to_officers_who_may_release() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        app.import_lines(
            ImportKind::Subjects,
            &[json!({"email": "shared@example.org"})],
            true,
            100,
        );
        app.submit_and_verify("access", "shared@example.org", "eu")
            .await;
        app.submit_and_verify("access", "shared@example.org", "in")
            .await;
        let (eu_ref, in_ref) = (reference_in(&app, "eu"), reference_in(&app, "in"));
        let eve = app.signed_in("eve@example.org", "officer", &["eu"]).await;
        let ian = app.signed_in("ian@example.org", "officer", &["in"]).await;
        let response = eve
            .act(
                &eu_ref,
                &[
                    ("action", "hold"),
                    ("hold_scope", "subject"),
                    ("order_reference", "EU-ORDER-1"),
                    ("reason", "Supervisory authority inquiry"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}] hold");
        let release_form = r#"name="action" value="release_hold""#;

        // The other region's officer sees the hold, no release form, and why.
        let page = ian
            .get(&format!("/officer/requests/{in_ref}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("EU-ORDER-1"), "[{backend}] the hold is shown");
        assert!(!page.contains(release_form), "[{backend}] no release form");
        assert!(
            page.contains("only its officers or an admin can release it"),
            "[{backend}] the reason is given"
        );

        // The officer of the hold's region and an admin see the form.
        let page = eve
            .get(&format!("/officer/requests/{eu_ref}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains(release_form), "[{backend}] eve may release");
        let admin = app.signed_in_admin("admin@example.org").await;
        let page = admin
            .get(&format!("/officer/requests/{in_ref}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(release_form),
            "[{backend}] the admin may release"
        );
        assert!(
            !page.contains("can release it"),
            "[{backend}] no reason shown"
        );
        app.assert_no_server_errors();
    }
}

fn purge_as_of(app: &TestApp, day: &str) -> Value {
    let out = rightsdesk_cli(
        app.dir.path(),
        app.database_url(),
        &["purge", "--format", "json", "--as-of", day],
    );
    assert!(
        out.status.success(),
        "[{}] purge: {}",
        app.backend,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[tokio::test]
async fn admins_hold_a_persons_data_without_a_request_even_before_any_arrives() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let admin = app.signed_in_admin("admin@example.org").await;
        let officer = app.signed_in("omar@example.org", "officer", &["in"]).await;

        let page = admin.get("/officer/admin/holds").await;
        assert_eq!(page.status(), StatusCode::OK, "[{backend}]");
        let html = page.text().await.unwrap();
        assert!(html.contains("No hold on a person"), "[{backend}]");
        assert!(
            html.contains(r#"href="/officer/admin/holds""#),
            "[{backend}] nav"
        );

        // Officers may neither see nor use it.
        assert_eq!(
            officer.get("/officer/admin/holds").await.status(),
            StatusCode::FORBIDDEN,
            "[{backend}]"
        );
        let csrf = officer.csrf("/officer/queue").await;
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("email", "later@example.org"),
            ("order_reference", "HC-2026-99"),
            ("reason", "Preserve everything"),
        ];
        let refused = officer.post_form("/officer/admin/holds", &fields).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "[{backend}]");

        // Bad input: every problem at once, a 422, nothing stored.
        let csrf = admin.csrf("/officer/admin/holds").await;
        let bad = admin
            .post_form(
                "/officer/admin/holds",
                &[
                    ("csrf_token", csrf.as_str()),
                    ("email", "not an email"),
                    ("order_reference", " "),
                    ("reason", ""),
                    ("expires_on", "2020-01-01"),
                ],
            )
            .await;
        assert_eq!(
            bad.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{backend}]"
        );
        let html = bad.text().await.unwrap();
        for field in ["email", "order_reference", "reason", "expires_on"] {
            assert!(
                html.contains(&format!("id=\"{field}-error\"")),
                "[{backend}] {field}"
            );
        }
        assert_eq!(
            (app.count("legal_holds"), app.count("subjects")),
            (0, 0),
            "[{backend}] nothing stored"
        );

        // A person we hold nothing about: the hold is placed, and says so.
        let placed = admin
            .post_form(
                "/officer/admin/holds",
                &[
                    ("csrf_token", csrf.as_str()),
                    ("email", " Later@Example.org "),
                    ("order_reference", "HC-2026-99"),
                    ("reason", "Preserve everything about the account holder"),
                ],
            )
            .await;
        assert_eq!(placed.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let to = location(&placed);
        assert_eq!(to, "/officer/admin/holds?done=placed_new", "[{backend}]");
        let html = admin.get(&to).await.text().await.unwrap();
        assert!(
            html.contains("We hold no data about this person yet"),
            "[{backend}]"
        );
        assert!(html.contains("later@example.org"), "[{backend}] listed");
        assert!(html.contains("HC-2026-99"), "[{backend}]");
        let placed = holds(&app);
        assert_eq!(placed.len(), 1, "[{backend}] one hold");
        let hold_id = placed[0].0.clone();
        assert_eq!(
            placed[0],
            (hold_id.clone(), None, false),
            "[{backend}] no request"
        );
        // The audit event carries ids, never the email or the order's words.
        let placed_events = events(&app, "subject.hold_placed");
        assert_eq!(placed_events.len(), 1, "[{backend}]");
        let (target, details) = &placed_events[0];
        assert!(target.starts_with("subject:"), "[{backend}] {target}");
        for personal in ["later@", "Later@", "HC-2026-99", "account holder"] {
            assert!(!details.contains(personal), "[{backend}] {details}");
        }
        assert!(details.contains(&hold_id), "[{backend}]");

        // The retention page lists it beside the other holds.
        let retention = admin.get("/officer/retention").await.text().await.unwrap();
        assert!(retention.contains("HC-2026-99"), "[{backend}]");
        assert!(
            retention.contains("All data about one person"),
            "[{backend}]"
        );

        // Placing a second hold finds the same person by the keyed hash.
        let again = admin
            .post_form(
                "/officer/admin/holds",
                &[
                    ("csrf_token", csrf.as_str()),
                    ("email", "later@example.org"),
                    ("order_reference", "REG-5"),
                    ("reason", "Regulator"),
                    ("expires_on", "9999-12-31"),
                ],
            )
            .await;
        assert_eq!(
            location(&again),
            "/officer/admin/holds?done=placed",
            "[{backend}]"
        );
        assert_eq!(app.count("subjects"), 1, "[{backend}]");
        let second = holds(&app)[1].0.clone();
        let released = admin
            .post_form(
                &format!("/officer/admin/holds/{second}/release"),
                &[("csrf_token", csrf.as_str())],
            )
            .await;
        assert_eq!(released.status(), StatusCode::SEE_OTHER, "[{backend}]");

        // Data arrives later, for the held person and for someone else, due for purging.
        app.import_lines(
            ImportKind::Subjects,
            &[
                json!({"email": "later@example.org", "cancelled_at": "2026-01-10T15:30:00Z"}),
                json!({"email": "free@example.org", "cancelled_at": "2026-01-10T15:30:00Z"}),
            ],
            true,
            100,
        );
        app.import_lines(
            ImportKind::Records,
            &[
                json!({"email": "later@example.org", "source": "web", "source_id": "l", "category": "registration", "payload": {"u": 1}}),
                json!({"email": "free@example.org", "source": "web", "source_id": "f", "category": "registration", "payload": {"u": 2}}),
            ],
            true,
            100,
        );
        assert_eq!(app.count("subjects"), 2, "[{backend}]");
        let report = purge_as_of(&app, "2026-07-10");
        assert_eq!(
            report["classes"]["registration"],
            json!({"due": 2, "purged": 1, "held": 1}),
            "[{backend}] the held person's data stays"
        );

        // An officer cannot release it; an admin can, and then it goes.
        let csrf_officer = officer.csrf("/officer/queue").await;
        let refused = officer
            .post_form(
                &format!("/officer/admin/holds/{hold_id}/release"),
                &[("csrf_token", csrf_officer.as_str())],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "[{backend}]");
        assert!(!holds(&app)[0].2, "[{backend}] still in force");
        let released = admin
            .post_form(
                &format!("/officer/admin/holds/{hold_id}/release"),
                &[("csrf_token", csrf.as_str())],
            )
            .await;
        assert_eq!(
            location(&released),
            "/officer/admin/holds?done=released",
            "[{backend}]"
        );
        let twice = admin
            .post_form(
                &format!("/officer/admin/holds/{hold_id}/release"),
                &[("csrf_token", csrf.as_str())],
            )
            .await;
        assert_eq!(twice.status(), StatusCode::CONFLICT, "[{backend}]");
        let released_events = events(&app, "subject.hold_released");
        assert_eq!(released_events.len(), 2, "[{backend}]");
        assert!(
            !released_events[1].1.contains("later@"),
            "[{backend}] no email in the event"
        );
        let report = purge_as_of(&app, "2026-07-10");
        assert_eq!(
            report["classes"]["registration"],
            json!({"due": 1, "purged": 1, "held": 0}),
            "[{backend}]"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn officers_read_the_audit_events_of_their_regions_and_their_own() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        app.submit_and_verify("access", "eu.person@example.org", "eu")
            .await;
        app.submit_and_verify("access", "in.person@example.org", "in")
            .await;
        let (eu_ref, in_ref) = (reference_in(&app, "eu"), reference_in(&app, "in"));
        let (eu_target, in_target) = (
            format!("request:{}", request_id(&app, &eu_ref)),
            format!("request:{}", request_id(&app, &in_ref)),
        );
        let eve = app.signed_in("eve@example.org", "officer", &["eu"]).await;
        let ian = app.signed_in("ian@example.org", "officer", &["in"]).await;
        let note = [("action", "note"), ("message", "Checked.")];
        assert_eq!(
            eve.act(&eu_ref, &note).await.status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            ian.act(&in_ref, &note).await.status(),
            StatusCode::SEE_OTHER
        );
        let auditor = app.signed_in("audrey@example.org", "auditor", &[]).await;
        let admin = app.signed_in_admin("admin@example.org").await;

        let ian_self = format!("officer:{}", ian.id);
        let eve_self = format!("officer:{}", eve.id);
        let html = ian.get("/officer/audit").await.text().await.unwrap();
        assert!(
            html.contains(&in_target),
            "[{backend}] his region's request"
        );
        assert!(html.contains(&ian_self), "[{backend}] his own sign-in");
        assert!(
            !html.contains(&eu_target),
            "[{backend}] not another region's"
        );
        assert!(
            !html.contains(&eve_self),
            "[{backend}] not another officer's sign-in"
        );
        assert!(!html.contains("officers:"), "[{backend}]");
        // A filter naming the other region's request finds nothing either.
        let filtered = ian
            .get(&format!("/officer/audit?target={eu_target}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !filtered.contains(&format!("<td>{eu_target}</td>")),
            "[{backend}] filtered"
        );
        assert!(filtered.contains("No audit events match"), "[{backend}]");

        let html = eve.get("/officer/audit").await.text().await.unwrap();
        assert!(
            html.contains(&eu_target) && !html.contains(&in_target),
            "[{backend}]"
        );

        for (who, reader) in [("auditor", &auditor), ("admin", &admin)] {
            let html = reader.get("/officer/audit").await.text().await.unwrap();
            for seen in [&eu_target, &in_target, &ian_self, &eve_self] {
                assert!(
                    html.contains(seen.as_str()),
                    "[{backend}] {who} sees {seen}"
                );
            }
        }
        app.assert_no_server_errors();
    }
}

/// A subject row for `email_hash`, as a hold on someone not yet known creates it.
fn new_subject(email_hash: &str) -> rightsdesk::store::subjects::NewSubject {
    let now =
        time::PrimitiveDateTime::new(time::OffsetDateTime::now_utc().date(), time::Time::MIDNIGHT);
    rightsdesk::store::subjects::NewSubject {
        id: uuid::Uuid::now_v7().to_string(),
        email_hash: email_hash.to_string(),
        key_id: "k1".to_string(),
        identity: vec![1, 2, 3],
        cancelled_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// The admin holds form for one unknown person.
fn hold_fields(csrf: &str) -> [(&str, &str); 4] {
    [
        ("csrf_token", csrf),
        ("email", "twice@example.org"),
        ("order_reference", "HC-2026-7"),
        ("reason", "Preserve"),
    ]
}

#[tokio::test]
async fn two_holds_on_one_unknown_person_at_once_both_land_on_one_subject() {
    use rightsdesk::store::subjects;
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;

        // The store: a second insert of the same person gives way instead of failing.
        {
            let mut conn = app.conn();
            assert!(subjects::insert_if_absent(&mut conn, &new_subject("h-1")).unwrap());
            assert!(!subjects::insert_if_absent(&mut conn, &new_subject("h-1")).unwrap());
        }
        if matches!(backend, common::Backend::Postgres(_)) {
            // Two transactions at once: the second waits on the first's uncommitted row,
            // then does nothing and reads the first one's subject.
            let mut first = app.conn();
            diesel::sql_query("BEGIN").execute(&mut *first).unwrap();
            let mine = new_subject("h-2");
            assert!(subjects::insert_if_absent(&mut first, &mine).unwrap());
            let mut second = app.conn();
            let waiting = std::thread::spawn(move || {
                diesel::sql_query("BEGIN").execute(&mut *second).unwrap();
                let inserted = subjects::insert_if_absent(&mut second, &new_subject("h-2"));
                let found = subjects::find_by_email_hashes(&mut second, &["h-2".to_string()]);
                diesel::sql_query("COMMIT").execute(&mut *second).unwrap();
                (inserted.unwrap(), found.unwrap().map(|s| s.id.to_string()))
            });
            std::thread::sleep(std::time::Duration::from_millis(300));
            diesel::sql_query("COMMIT").execute(&mut *first).unwrap();
            let (inserted, found) = waiting.join().unwrap();
            assert!(!inserted, "[{backend}]");
            assert_eq!(found, Some(mine.id.clone()), "[{backend}]");
        }

        // Through the app: two admins place holds on the same unknown email at once.
        let admin = app.signed_in_admin("admin@example.org").await;
        let other = app.signed_in_admin("second.admin@example.org").await;
        let csrf_a = admin.csrf("/officer/admin/holds").await;
        let csrf_b = other.csrf("/officer/admin/holds").await;
        let (fa, fb) = (hold_fields(&csrf_a), hold_fields(&csrf_b));
        let (ra, rb) = tokio::join!(
            admin.post_form("/officer/admin/holds", &fa),
            other.post_form("/officer/admin/holds", &fb)
        );
        assert_eq!(ra.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(rb.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let before = app.count("subjects");
        let subject_targets: std::collections::HashSet<String> = {
            use rightsdesk::store::schema::legal_holds::dsl;
            dsl::legal_holds
                .select((dsl::id, dsl::target_id, dsl::order_reference))
                .load::<(String, String, String)>(&mut *app.conn())
                .unwrap()
                .into_iter()
                .filter(|(id, _, order_reference)| {
                    rightsdesk::store::seal::open(
                        &app.ctx.keyring,
                        "legal_holds",
                        id,
                        "order_reference",
                        order_reference.clone(),
                    )
                    .unwrap()
                        == "HC-2026-7"
                })
                .map(|(_, target_id, _)| target_id)
                .collect()
        };
        assert_eq!(
            subject_targets.len(),
            1,
            "[{backend}] one person held twice"
        );
        assert_eq!(app.count("legal_holds"), 2, "[{backend}]");
        assert!(before >= 1, "[{backend}]");
        app.assert_no_server_errors();
    }
}
