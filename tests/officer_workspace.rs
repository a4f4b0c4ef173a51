//! The Grievance Officer's workspace through the real HTTP stack: sign-in with TOTP, roles and
//! regions, the queue, and every workflow action's guard — on both backends.

mod common;

use common::officer::{OfficerBrowser, PASSWORD};
use common::{backends, location, TestApp};
use reqwest::StatusCode;
use rightsdesk::domain::throttle::ThrottlePolicy;

fn now_unix() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp() as u64
}

#[tokio::test]
async fn admins_enrol_then_sign_in_with_a_real_totp_code() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let id = app.create_officer("admin@example.org", "admin", &[]);
        let browser = app.browser();

        // Password first; an admin without two-step sign-in is sent to enrol, and nothing else
        // opens until they do.
        let response = app
            .sign_in_with(&browser, "admin@example.org", PASSWORD)
            .await;
        assert_eq!(location(&response), "/officer/mfa", "[{backend}]");
        let admin = OfficerBrowser {
            client: browser,
            base: app.address.clone(),
            id: id.clone(),
            email: "admin@example.org".into(),
        };
        for path in [
            "/officer/queue",
            "/officer/admin/officers",
            "/officer/audit",
        ] {
            let response = admin.get(path).await;
            assert_eq!(
                response.status(),
                StatusCode::SEE_OTHER,
                "[{backend}] {path}"
            );
            assert_eq!(location(&response), "/officer/mfa", "[{backend}] {path}");
        }

        // The enrolment page shows the secret and a QR code drawn on the server.
        let page = admin.get("/officer/mfa").await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("<svg"), "[{backend}] QR code as SVG");
        let secret = app.totp_secret(&id);
        assert!(
            html.contains(&secret.to_base32()[..4]),
            "[{backend}] the secret is shown"
        );
        let csrf = common::csrf_in(&html).unwrap();

        let wrong = admin
            .post_form("/officer/mfa", &[("code", "000000"), ("csrf_token", &csrf)])
            .await;
        assert_eq!(
            wrong.status(),
            StatusCode::UNAUTHORIZED,
            "[{backend}] wrong enrolment code"
        );
        let now = now_unix();
        let response = admin
            .post_form(
                "/officer/mfa",
                &[("code", &secret.code_at(now)), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(
            admin.get("/officer/queue").await.status(),
            StatusCode::OK,
            "[{backend}]"
        );

        // Sign out, then in again: now the code is asked for.
        let csrf = admin.csrf("/officer/queue").await;
        let out = admin
            .post_form("/officer/logout", &[("csrf_token", &csrf)])
            .await;
        assert_eq!(location(&out), "/officer/login");
        assert_eq!(
            location(&admin.get("/officer/queue").await),
            "/officer/login",
            "[{backend}] signed out"
        );
        let response = app
            .sign_in_with(&admin.client, "admin@example.org", PASSWORD)
            .await;
        assert_eq!(location(&response), "/officer/login/code", "[{backend}]");
        assert_eq!(
            location(&admin.get("/officer/queue").await),
            "/officer/login/code",
            "[{backend}] code first"
        );
        let csrf = admin.csrf("/officer/login/code").await;

        // The enrolment's code cannot be replayed; a wrong code is refused; the next one works.
        let replay = admin
            .post_form(
                "/officer/login/code",
                &[("code", &secret.code_at(now)), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(
            replay.status(),
            StatusCode::UNAUTHORIZED,
            "[{backend}] replayed code"
        );
        assert!(replay.text().await.unwrap().contains("already used"));
        let wrong = admin
            .post_form(
                "/officer/login/code",
                &[("code", "123456"), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(
            wrong.status(),
            StatusCode::UNAUTHORIZED,
            "[{backend}] wrong code"
        );
        let missing_csrf = admin
            .post_form(
                "/officer/login/code",
                &[("code", &secret.code_at(now + 30))],
            )
            .await;
        assert_eq!(
            missing_csrf.status(),
            StatusCode::FORBIDDEN,
            "[{backend}] no CSRF token"
        );
        let next = admin
            .post_form(
                "/officer/login/code",
                &[("code", &secret.code_at(now + 30)), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(location(&next), "/officer/queue", "[{backend}]");
        assert_eq!(admin.get("/officer/queue").await.status(), StatusCode::OK);

        // An expired session is refused.
        app.execute("UPDATE officer_sessions SET last_seen_at = '2000-01-01 00:00:00', created_at = '2000-01-01 00:00:00'");
        assert_eq!(
            location(&admin.get("/officer/queue").await),
            "/officer/login",
            "[{backend}] expired"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn sign_in_fails_the_same_way_for_unknown_accounts_and_throttles_then_locks() {
    for backend in backends() {
        let app = TestApp::spawn_configured(&backend, &[], true, |settings| {
            settings.throttle = ThrottlePolicy {
                free_attempts: 3,
                base_delay: time::Duration::seconds(30),
                lock_after: 5,
                ..ThrottlePolicy::default()
            };
        })
        .await;
        app.create_officer("admin@example.org", "admin", &[]);
        app.create_officer("omar@example.org", "officer", &["in"]);
        let browser = app.browser();

        let unknown = app
            .sign_in_with(&browser, "nobody@example.org", PASSWORD)
            .await;
        let unknown_status = unknown.status();
        let unknown_html = unknown.text().await.unwrap();
        let wrong = app
            .sign_in_with(&app.browser(), "omar@example.org", "not the password")
            .await;
        assert_eq!(unknown_status, StatusCode::UNAUTHORIZED, "[{backend}]");
        assert_eq!(wrong.status(), unknown_status, "[{backend}] same status");
        assert!(unknown_html.contains("The email address or password is not right."));
        assert!(wrong
            .text()
            .await
            .unwrap()
            .contains("The email address or password is not right."));

        // Three free failures for this account from this client (one used above), then a
        // growing wait: refused even with the right password, with a clear message.
        for attempt in ["still wrong", "wrong once more"] {
            let response = app
                .sign_in_with(&app.browser(), "omar@example.org", attempt)
                .await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "[{backend}]");
        }
        let waiting = app
            .sign_in_with(&app.browser(), "omar@example.org", PASSWORD)
            .await;
        assert_eq!(
            waiting.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "[{backend}] wait"
        );
        let retry_after = waiting.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap();
        assert!((1..=30).contains(&retry_after), "[{backend}] {retry_after}");
        assert!(waiting.text().await.unwrap().contains("please wait"));

        // Reaching the lock raises an anomaly event and mails the admins.
        // Ten minutes on: the wait is over, the count is not forgotten yet.
        let earlier = time::OffsetDateTime::now_utc() - time::Duration::minutes(10);
        let earlier = format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            earlier.year(),
            earlier.month() as u8,
            earlier.day(),
            earlier.hour(),
            earlier.minute(),
            earlier.second()
        );
        app.execute(&format!(
            "UPDATE login_throttle SET failures = 4, last_failure_at = '{earlier}'"
        ));
        let locking = app
            .sign_in_with(&app.browser(), "omar@example.org", "wrong again")
            .await;
        assert_eq!(locking.status(), StatusCode::UNAUTHORIZED, "[{backend}]");
        let locked = app
            .sign_in_with(&app.browser(), "omar@example.org", PASSWORD)
            .await;
        assert_eq!(
            locked.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "[{backend}] locked"
        );
        let events = rightsdesk::store::audit::batch_after(&mut app.conn(), 0, 1000).unwrap();
        assert!(
            events.iter().any(|e| e.action == "security.sign_in_burst"),
            "[{backend}] anomaly event"
        );
        app.wait_for_mail("admin@example.org", "/officer/audit")
            .await;
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn roles_and_regions_decide_every_route_and_action() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let india = app.verified_request("access", "in@example.org", "in").await;
        let europe = app
            .verified_request("erasure", "eu@example.org", "eu")
            .await;
        let admin = app.signed_in_admin("admin@example.org").await;
        let officer = app.signed_in("omar@example.org", "officer", &["in"]).await;
        let auditor = app.signed_in("audrey@example.org", "auditor", &[]).await;
        let anonymous = OfficerBrowser {
            client: app.browser(),
            base: app.address.clone(),
            id: String::new(),
            email: String::new(),
        };

        // Reading a request.
        for (who, browser, reference, expected) in [
            ("admin", &admin, &india, StatusCode::OK),
            ("admin", &admin, &europe, StatusCode::OK),
            ("officer", &officer, &india, StatusCode::OK),
            ("officer", &officer, &europe, StatusCode::NOT_FOUND),
            ("auditor", &auditor, &india, StatusCode::OK),
            ("auditor", &auditor, &europe, StatusCode::OK),
            ("anonymous", &anonymous, &india, StatusCode::SEE_OTHER),
        ] {
            let status = browser
                .get(&format!("/officer/requests/{reference}"))
                .await
                .status();
            assert_eq!(status, expected, "[{backend}] {who} reads {reference}");
        }

        // Finding it in the queue by reference.
        for (who, browser, reference, found) in [
            ("admin", &admin, &europe, true),
            ("officer", &officer, &europe, false),
            ("officer", &officer, &india, true),
            ("auditor", &auditor, &europe, true),
        ] {
            let html = browser
                .get(&format!("/officer/queue?q={reference}"))
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(
                html.contains(&format!("/officer/requests/{reference}")),
                found,
                "[{backend}] {who} finds {reference}"
            );
        }
        let html = officer
            .get("/officer/queue?q=eu%40example.org")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains(&europe),
            "[{backend}] no finding another region by email"
        );

        // Acting on it.
        let csrf = officer.csrf("/officer/queue").await;
        let europe_action = officer
            .post_form(
                &format!("/officer/requests/{europe}/actions"),
                &[("action", "start"), ("version", "2"), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(
            europe_action.status(),
            StatusCode::NOT_FOUND,
            "[{backend}] officer acts outside their region"
        );
        let before = app.audit_count();
        let read_only = auditor.act(&india, &[("action", "start")]).await;
        assert_eq!(
            read_only.status(),
            StatusCode::FORBIDDEN,
            "[{backend}] auditors change nothing"
        );
        let html = auditor
            .get(&format!("/officer/requests/{india}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains("name=\"action\""),
            "[{backend}] no action forms for auditors"
        );
        assert_eq!(app.audit_count(), before);
        assert_eq!(
            officer.act(&india, &[("action", "start")]).await.status(),
            StatusCode::SEE_OTHER,
            "[{backend}]"
        );
        assert_eq!(
            admin.act(&europe, &[("action", "start")]).await.status(),
            StatusCode::SEE_OTHER,
            "[{backend}]"
        );

        // Officer management and the audit chain check.
        for (who, browser, path, expected) in [
            ("admin", &admin, "/officer/admin/officers", StatusCode::OK),
            (
                "officer",
                &officer,
                "/officer/admin/officers",
                StatusCode::FORBIDDEN,
            ),
            (
                "auditor",
                &auditor,
                "/officer/admin/officers",
                StatusCode::FORBIDDEN,
            ),
            (
                "anonymous",
                &anonymous,
                "/officer/admin/officers",
                StatusCode::SEE_OTHER,
            ),
            ("admin", &admin, "/officer/admin/mail", StatusCode::OK),
            (
                "officer",
                &officer,
                "/officer/admin/mail",
                StatusCode::FORBIDDEN,
            ),
            (
                "auditor",
                &auditor,
                "/officer/admin/mail",
                StatusCode::FORBIDDEN,
            ),
            (
                "anonymous",
                &anonymous,
                "/officer/admin/mail",
                StatusCode::SEE_OTHER,
            ),
            ("officer", &officer, "/officer/audit", StatusCode::OK),
            (
                "anonymous",
                &anonymous,
                "/officer/audit",
                StatusCode::SEE_OTHER,
            ),
            (
                "anonymous",
                &anonymous,
                "/officer/queue",
                StatusCode::SEE_OTHER,
            ),
        ] {
            assert_eq!(
                browser.get(path).await.status(),
                expected,
                "[{backend}] {who} GET {path}"
            );
        }
        for (who, browser, expected) in [
            ("admin", &admin, StatusCode::OK),
            ("auditor", &auditor, StatusCode::OK),
            ("officer", &officer, StatusCode::FORBIDDEN),
        ] {
            let csrf = browser.csrf("/officer/audit").await;
            let response = browser
                .post_form("/officer/audit/verify", &[("csrf_token", &csrf)])
                .await;
            assert_eq!(
                response.status(),
                expected,
                "[{backend}] {who} verifies the chain"
            );
            if expected == StatusCode::OK {
                assert!(response
                    .text()
                    .await
                    .unwrap()
                    .contains("The audit chain is intact"));
            }
        }
        let csrf = officer.csrf("/officer/queue").await;
        let response = officer
            .post_form(
                "/officer/admin/officers",
                &[
                    ("email", "x@example.org"),
                    ("name", "X"),
                    ("role", "admin"),
                    ("password", PASSWORD),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "[{backend}] officers create no officers"
        );

        // Admins manage officers, audited.
        let csrf = admin.csrf("/officer/admin/officers").await;
        let response = admin
            .post_form(
                &format!("/officer/admin/officers/{}", officer.id),
                &[("action", "disable"), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "[{backend}] disable"
        );
        assert_eq!(
            location(&officer.get("/officer/queue").await),
            "/officer/login",
            "[{backend}] disabled officer is signed out"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn every_action_checks_its_guard_and_writes_one_audit_event() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let reference = app
            .verified_request("erasure", "subject@example.org", "us-ca")
            .await;
        let officer = app
            .signed_in("omar@example.org", "officer", &["us-ca"])
            .await;

        // (action fields, expected status) in lifecycle order.
        let steps: Vec<(Vec<(&str, &str)>, StatusCode)> = vec![
            (
                vec![("action", "ask_requester"), ("message", "Which account?")],
                StatusCode::SEE_OTHER,
            ),
            (vec![("action", "start")], StatusCode::CONFLICT),
            (
                vec![("action", "ask_requester"), ("message", "Again?")],
                StatusCode::CONFLICT,
            ),
            (
                vec![("action", "note"), ("message", "Checked the CRM.")],
                StatusCode::SEE_OTHER,
            ),
            (
                vec![
                    ("action", "extend"),
                    ("reason", "Several systems to search."),
                ],
                StatusCode::SEE_OTHER,
            ),
            (
                vec![("action", "extend"), ("reason", "Once more.")],
                StatusCode::CONFLICT,
            ),
            (
                vec![("action", "assign"), ("assignee", officer.id.as_str())],
                StatusCode::SEE_OTHER,
            ),
            (
                vec![
                    ("action", "hold"),
                    ("order_reference", "HC-2026-17"),
                    ("reason", "Court order to preserve"),
                ],
                StatusCode::SEE_OTHER,
            ),
            (
                vec![
                    ("action", "reject"),
                    ("reason", "not_a_reason"),
                    ("message", "x"),
                ],
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                vec![("action", "fulfil"), ("message", "Your data is erased.")],
                StatusCode::SEE_OTHER,
            ),
            (
                vec![("action", "fulfil"), ("message", "Twice?")],
                StatusCode::CONFLICT,
            ),
            (
                vec![
                    ("action", "reject"),
                    ("reason", "excessive"),
                    ("message", "No."),
                ],
                StatusCode::CONFLICT,
            ),
            (vec![("action", "start")], StatusCode::CONFLICT),
            (
                vec![
                    ("action", "note"),
                    ("message", "Closed; kept for the file."),
                ],
                StatusCode::SEE_OTHER,
            ),
        ];
        for (fields, expected) in steps {
            let before = (app.audit_count(), app.snapshot());
            let response = officer.act(&reference, &fields).await;
            assert_eq!(response.status(), expected, "[{backend}] {fields:?}");
            if expected == StatusCode::SEE_OTHER {
                assert_eq!(
                    app.audit_count(),
                    before.0 + 1,
                    "[{backend}] {fields:?} writes one event"
                );
            } else {
                assert_eq!(
                    app.snapshot(),
                    before.1,
                    "[{backend}] {fields:?} changed something"
                );
            }
        }

        // The requester saw the question, the extension and the answer, never the notes.
        let html = {
            let mail = app.wait_for_mail("subject@example.org", "/status/").await;
            let token = common::link_token(&mail.body, "/status/").unwrap();
            app.get(&format!("/status/{token}"))
                .await
                .text()
                .await
                .unwrap()
        };
        assert!(html.contains("Which account?"), "[{backend}]");
        assert!(html.contains("Your data is erased."), "[{backend}]");
        assert!(
            !html.contains("Checked the CRM."),
            "[{backend}] internal notes stay internal"
        );

        // The hold is shown and can be released.
        let page = officer
            .get(&format!("/officer/requests/{reference}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("HC-2026-17"), "[{backend}]");
        let hold_id = {
            let marker = "name=\"hold_id\" value=\"";
            let start = page.find(marker).expect("a release form") + marker.len();
            page[start..start + page[start..].find('"').unwrap()].to_string()
        };
        let released = officer
            .act(
                &reference,
                &[("action", "release_hold"), ("hold_id", &hold_id)],
            )
            .await;
        assert_eq!(released.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let again = officer
            .act(
                &reference,
                &[("action", "release_hold"), ("hold_id", &hold_id)],
            )
            .await;
        assert_eq!(
            again.status(),
            StatusCode::CONFLICT,
            "[{backend}] released once"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn two_officers_acting_on_the_same_version_one_wins() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let reference = app
            .verified_request("access", "race@example.org", "in")
            .await;
        let first = app.signed_in("one@example.org", "officer", &["in"]).await;
        let second = app.signed_in("two@example.org", "officer", &["in"]).await;
        let path = format!("/officer/requests/{reference}");
        let (html_a, html_b) = (
            first.get(&path).await.text().await.unwrap(),
            second.get(&path).await.text().await.unwrap(),
        );
        let (csrf_a, csrf_b) = (
            common::csrf_in(&html_a).unwrap(),
            common::csrf_in(&html_b).unwrap(),
        );
        let version = common::officer::version_in(&html_a).unwrap();
        let before = app.audit_count();
        let actions = format!("{path}/actions");
        let fields_a = [
            ("action", "note"),
            ("message", "mine"),
            ("version", version.as_str()),
            ("csrf_token", csrf_a.as_str()),
        ];
        let fields_b = [
            ("action", "start"),
            ("version", version.as_str()),
            ("csrf_token", csrf_b.as_str()),
        ];
        let (a, b) = tokio::join!(
            first.post_form(&actions, &fields_a),
            second.post_form(&actions, &fields_b)
        );
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::SEE_OTHER, StatusCode::CONFLICT],
            "[{backend}]"
        );
        assert_eq!(
            app.audit_count(),
            before + 1,
            "[{backend}] exactly one change"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn the_queue_filters_sorts_by_due_date_and_pages_by_keyset() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let mut references = Vec::new();
        for n in 0..3 {
            references.push(
                app.verified_request("access", &format!("q{n}@example.org"), "other")
                    .await,
            );
        }
        let grievance = app
            .verified_request("grievance", "g@example.org", "in")
            .await;
        let admin = app.signed_in_admin("admin@example.org").await;
        let html = admin.get("/officer/queue").await.text().await.unwrap();
        // The India grievance (72 hours) is due first.
        let first = html.find(&grievance).expect("grievance listed");
        for reference in &references {
            assert!(
                html.find(reference.as_str()).expect("listed") > first,
                "[{backend}] sorted by due date"
            );
        }
        let html = admin
            .get("/officer/queue?kind=grievance")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&grievance) && !html.contains(&references[0]),
            "[{backend}] kind filter"
        );
        let html = admin
            .get("/officer/queue?regime=other&assignee=unassigned")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains(&grievance) && html.contains(&references[2]),
            "[{backend}] regime filter"
        );
        let html = admin
            .get("/officer/queue?assignee=me")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains(&grievance),
            "[{backend}] nothing assigned to me yet"
        );
        let response = admin.get("/officer/queue?status=bogus").await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "[{backend}] bad filter"
        );
        // Overdue is stated in words.
        app.execute(&format!(
            "UPDATE requests SET effective_due_at = '2001-01-01 00:00:00' WHERE reference = '{}'",
            references[1]
        ));
        let html = admin
            .get("/officer/queue?overdue=1")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&references[1]) && !html.contains(&references[0]),
            "[{backend}] overdue filter"
        );
        assert!(html.contains("Overdue"), "[{backend}] overdue in text");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn admins_create_change_disable_and_reset_officers_and_each_change_is_audited() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let admin = app.signed_in_admin("admin@example.org").await;
        let csrf = admin.csrf("/officer/admin/officers").await;

        // A weak password is refused with the reason; nothing is stored.
        let officers_before = app.count("officers");
        for (password, reason) in [
            ("short", "at least 12 characters"),
            ("new@example.org", "email"),
            ("password1234", "common"),
        ] {
            let response = admin
                .post_form(
                    "/officer/admin/officers",
                    &[
                        ("email", "new@example.org"),
                        ("name", "New Officer"),
                        ("role", "officer"),
                        ("regions", "eu"),
                        ("password", password),
                        ("csrf_token", &csrf),
                    ],
                )
                .await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{backend}] {password}"
            );
            assert!(
                response.text().await.unwrap().contains(reason),
                "[{backend}] {password}: {reason}"
            );
        }
        let same_as_email = admin
            .post_form(
                "/officer/admin/officers",
                &[
                    ("email", "long.name.here@example.org"),
                    ("name", "N"),
                    ("role", "officer"),
                    ("regions", "eu"),
                    ("password", "long.name.here@example.org"),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(
            same_as_email.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{backend}] password equal to the email"
        );
        assert_eq!(app.count("officers"), officers_before);

        let events = app.audit_count();
        let response = admin
            .post_form(
                "/officer/admin/officers",
                &[
                    ("email", "new@example.org"),
                    ("name", "New Officer"),
                    ("role", "officer"),
                    ("regions", "eu"),
                    ("regions", "in"),
                    ("password", PASSWORD),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "[{backend}] create"
        );
        assert_eq!(
            app.audit_count(),
            events + 1,
            "[{backend}] creation audited"
        );
        let new = rightsdesk::store::officers::find_by_email(&mut app.conn(), "new@example.org")
            .unwrap()
            .unwrap();
        assert_eq!(new.regions, "eu,in");

        // The new officer signs in and works only their regions.
        let browser = app.browser();
        assert_eq!(
            location(
                &app.sign_in_with(&browser, "new@example.org", PASSWORD)
                    .await
            ),
            "/officer/queue"
        );

        for (fields, action) in [
            (
                vec![("action", "update"), ("role", "auditor")],
                "officer.role_changed",
            ),
            (vec![("action", "reset_mfa")], "officer.mfa_reset"),
            (vec![("action", "disable")], "officer.disabled"),
            (vec![("action", "enable")], "officer.enabled"),
        ] {
            let before = app.audit_count();
            let mut all = fields.clone();
            all.push(("csrf_token", &csrf));
            let response = admin
                .post_form(&format!("/officer/admin/officers/{}", new.id), &all)
                .await;
            assert_eq!(
                response.status(),
                StatusCode::SEE_OTHER,
                "[{backend}] {action}"
            );
            assert_eq!(
                app.audit_count(),
                before + 1,
                "[{backend}] {action} audited once"
            );
            let events =
                rightsdesk::store::audit::batch_after(&mut app.conn(), before, 10).unwrap();
            assert_eq!(events[0].action, action, "[{backend}]");
            assert!(
                !events[0].details.contains("new@example.org"),
                "[{backend}] no email in the audit trail"
            );
        }
        // The role change signed the officer out.
        let response = browser
            .get(format!("{}/officer/queue", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&response), "/officer/login", "[{backend}]");

        // An admin cannot lock themselves out.
        let response = admin
            .post_form(
                &format!("/officer/admin/officers/{}", admin.id),
                &[("action", "disable"), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "[{backend}]");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn keyset_paging_walks_the_whole_queue_once() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let total = 81;
        for n in 0..total {
            let raw = rightsdesk::domain::submission::RawSubmission {
                kind: "access".into(),
                full_name: "Page Person".into(),
                email: format!("page{n}@example.org"),
                region: ["in", "eu", "us-ca", "other"][n % 4].into(),
                ..Default::default()
            };
            rightsdesk::app::submit::submit(&app.ctx, &raw, &Default::default()).unwrap();
            app.force_status(&format!("page{n}@example.org"), "open");
        }
        // Some share a due date, so the id breaks ties across a page boundary.
        for n in (0..total).filter(|n| n.to_string().starts_with('1')) {
            app.execute(&format!(
                "UPDATE requests SET effective_due_at = '2030-01-01 00:00:00' WHERE {}",
                app.email_is(&format!("page{n}@example.org"))
            ));
        }
        let admin = app.signed_in_admin("admin@example.org").await;
        let seen = walk_queue(&admin).await;
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            seen.len(),
            total,
            "[{backend}] every request once: {seen:?}"
        );
        assert_eq!(unique.len(), total, "[{backend}] no request twice");
        // An officer of several regions pages through their regions' requests, merged.
        let officer = app
            .signed_in("omar@example.org", "officer", &["in", "eu", "us-ca"])
            .await;
        let seen = walk_queue(&officer).await;
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        let expected = (0..total).filter(|n| n % 4 < 3).count();
        assert_eq!(seen.len(), expected, "[{backend}] {seen:?}");
        assert_eq!(unique.len(), expected, "[{backend}] no request twice");
        let eu_only = app.signed_in("eva@example.org", "officer", &["eu"]).await;
        assert_eq!(walk_queue(&eu_only).await.len(), 20, "[{backend}]");
        app.assert_no_server_errors();
    }
}

/// The references the queue lists, page after page, in order.
async fn walk_queue(browser: &common::officer::OfficerBrowser) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut path = "/officer/queue".to_string();
    for _ in 0..5 {
        let html = browser.get(&path).await.text().await.unwrap();
        let mut rest = html.as_str();
        while let Some(at) = rest.find("href=\"/officer/requests/") {
            let start = at + "href=\"/officer/requests/".len();
            let reference = &rest[start..start + 12];
            if seen.last().map(String::as_str) != Some(reference) {
                seen.push(reference.to_string());
            }
            rest = &rest[start..];
        }
        // The "Next page" link is the one that carries a cursor.
        let next = html
            .match_indices("href=\"/officer/queue?")
            .find_map(|(at, _)| {
                let start = at + "href=\"".len();
                let end = start + html[start..].find('"')?;
                let link = html[start..end].replace("&#38;", "&").replace("&amp;", "&");
                link.contains("after=").then_some(link)
            });
        match next {
            Some(link) => path = link,
            None => break,
        }
    }
    seen
}
