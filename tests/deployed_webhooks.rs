//! Webhooks from the real binary to a real receiver: an admin adds endpoints on the admin
//! page, a requester's confirmation and an officer's action arrive signed (Standard
//! Webhooks), a forged body or the wrong secret fails the check, personal data goes only to
//! the endpoint marked for it, failing endpoints (500, no answer, a redirect) are retried
//! with growing waits a bounded number of times without slowing requests, and two instances
//! deliver each event once.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::backends;
use common::deployed::Deployed;
use common::journey::{browser, confirm_by_mail, requester_journey, submit_request, MailSource};
use common::officer::{sign_in_at, sign_in_new_admin, OfficerBrowser};
use common::site::{assert_log_free_of, stop_cleanly, Site};
use common::webhook_receiver::{Answer, Received, Receiver};
use common::{csrf_in, location};
use reqwest::StatusCode;
use rightsdesk::domain::webhook::SigningSecret;

const PASSWORD: &str = "a long test passphrase";
const ADMIN: &str = "hooks.admin@example.org";
const OFFICER: &str = "hooks.officer@example.org";
const WAIT: Duration = Duration::from_secs(30);

/// Adds an endpoint on the admin page and returns the secret the answer shows once.
async fn add_endpoint(
    admin: &OfficerBrowser,
    url: &str,
    events: &[&str],
    personal: bool,
) -> String {
    let csrf = admin.csrf("/officer/admin/webhooks").await;
    let mut fields = vec![("csrf_token", csrf.as_str()), ("url", url)];
    fields.extend(events.iter().map(|e| ("event_types", *e)));
    if personal {
        fields.push(("personal_data", "yes"));
    }
    let response = admin.post_form("/officer/admin/webhooks", &fields).await;
    assert_eq!(response.status(), StatusCode::OK, "add {url}");
    let html = response.text().await.unwrap();
    let marker = "<code class=\"secret\" id=\"new-secret\">";
    let start = html.find(marker).expect("the new secret on the answer") + marker.len();
    let secret = html[start..start + html[start..].find("</code>").unwrap()].to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let again = admin
        .get("/officer/admin/webhooks")
        .await
        .text()
        .await
        .unwrap();
    assert!(!again.contains(&secret), "the secret is shown once only");
    secret
}

/// Whether a received message's signature checks out with `secret`.
fn verifies(secret: &str, message: &Received, body: &[u8]) -> bool {
    let timestamp: i64 = message
        .header("webhook-timestamp")
        .parse()
        .expect("a timestamp");
    SigningSecret::parse(secret).expect("a secret").verify(
        message.header("webhook-signature"),
        message.header("webhook-id"),
        timestamp,
        body,
    )
}

fn mail_dir(site: &Site) -> MailSource<'static> {
    MailSource::Files(site.path().join("data").join("mail"))
}

async fn signed_in_officer(app: &Deployed) -> OfficerBrowser {
    let officer = OfficerBrowser {
        client: browser(),
        base: app.base_url(),
        id: String::new(),
        email: OFFICER.to_string(),
    };
    let response = sign_in_at(&officer.base, &officer.client, OFFICER, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "sign in");
    officer
}

#[tokio::test]
async fn a_verified_request_and_an_officer_action_arrive_signed_and_personal_data_only_where_marked(
) {
    for backend in backends() {
        let site = Site::new(&backend);
        site.create_officer(ADMIN, "admin", PASSWORD);
        site.create_officer(OFFICER, "officer", PASSWORD);
        let plain = Receiver::start(Answer::Accept).await;
        let personal = Receiver::start(Answer::Accept).await;
        let app = site
            .start(&[("RIGHTSDESK_WEBHOOK_INTERVAL_MS", "50")])
            .await;
        let admin = sign_in_new_admin(&app.base_url(), ADMIN, PASSWORD).await;

        // Bad input is refused with the form again, never a 500.
        let csrf = admin.csrf("/officer/admin/webhooks").await;
        let refused = admin
            .post_form(
                "/officer/admin/webhooks",
                &[
                    ("csrf_token", &csrf),
                    ("url", "http://crm.example.org/hooks"),
                ],
            )
            .await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{backend}]"
        );
        let html = refused.text().await.unwrap();
        assert!(
            html.contains("must start with https://"),
            "[{backend}] {html}"
        );
        assert!(
            html.contains("Choose at least one event type"),
            "[{backend}]"
        );

        let secret = add_endpoint(
            &admin,
            &plain.url(),
            &["request.created", "request.status_changed"],
            false,
        )
        .await;
        let personal_secret = add_endpoint(
            &admin,
            &personal.url(),
            &[
                "request.created",
                "request.status_changed",
                "consent.withdrawn",
                "task.created",
            ],
            true,
        )
        .await;
        assert_ne!(secret, personal_secret);

        let email = "hooked.requester@example.org";
        let journey = requester_journey(&browser(), &app.base_url(), &mail_dir(&site), email).await;
        let created = plain
            .wait_until("request.created", WAIT, |all| !all.is_empty())
            .await;
        let message = &created[0];
        assert_eq!(message.path, "/hooks", "[{backend}]");
        assert_eq!(message.header("content-type"), "application/json");
        assert!(
            message.header("webhook-id").starts_with("msg_"),
            "[{backend}]"
        );
        let sent_at: i64 = message.header("webhook-timestamp").parse().unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        assert!(
            (now - sent_at).abs() < 120,
            "[{backend}] a current timestamp"
        );
        let body = message.json();
        assert_eq!(body["type"], "request.created", "[{backend}]");
        assert_eq!(body["data"]["reference"], journey.reference.as_str());
        assert_eq!(body["data"]["status"], "open");
        // The signature holds with the endpoint's secret, and fails for a forged body, a
        // changed timestamp or another secret.
        assert!(verifies(&secret, message, &message.body), "[{backend}]");
        let forged = message.body_text().replace("open", "closed");
        assert!(
            !verifies(&secret, message, forged.as_bytes()),
            "[{backend}]"
        );
        assert!(
            !verifies(&personal_secret, message, &message.body),
            "[{backend}]"
        );
        let mut late = message.clone();
        late.headers
            .insert("webhook-timestamp".into(), (sent_at + 1).to_string());
        assert!(!verifies(&secret, &late, &message.body), "[{backend}]");
        // Reference only for the plain endpoint; the marked one has email and name.
        assert!(
            !message.body_text().contains(email) && !message.body_text().contains("Asha"),
            "[{backend}] {}",
            message.body_text()
        );
        let marked = personal
            .wait_until("request.created", WAIT, |all| !all.is_empty())
            .await;
        assert_eq!(marked[0].json()["data"]["email"], email, "[{backend}]");
        assert_eq!(marked[0].json()["data"]["full_name"], "Asha Rao");
        assert!(verifies(&personal_secret, &marked[0], &marked[0].body));

        // An officer starts work: the status change arrives, signed, at both.
        let officer = signed_in_officer(&app).await;
        let started = officer
            .act(&journey.reference, &[("action", "start")])
            .await;
        assert_eq!(started.status(), StatusCode::SEE_OTHER, "[{backend}] start");
        let all = plain
            .wait_until("request.status_changed", WAIT, |all| {
                all.iter()
                    .any(|r| r.json()["type"] == "request.status_changed")
            })
            .await;
        let changed = all
            .iter()
            .find(|r| r.json()["type"] == "request.status_changed")
            .unwrap();
        assert!(verifies(&secret, changed, &changed.body), "[{backend}]");
        let data = &changed.json()["data"];
        assert_eq!(data["reference"], journey.reference.as_str());
        assert_eq!(data["from"], "open", "[{backend}] {data}");
        assert_eq!(data["status"], "in_progress", "[{backend}] {data}");
        assert!(!changed.body_text().contains(email));
        personal
            .wait_until("status change with personal data", WAIT, |all| {
                all.iter().any(|r| {
                    r.json()["type"] == "request.status_changed"
                        && r.json()["data"]["email"] == email
                })
            })
            .await;

        // Each event once per endpoint; the log on the admin page shows the deliveries.
        let ids: HashSet<String> = plain
            .all()
            .iter()
            .map(|r| r.header("webhook-id").to_string())
            .collect();
        assert_eq!(ids.len(), plain.all().len(), "[{backend}] no repeats");
        assert_eq!(plain.all().len(), 2, "[{backend}]");
        let page = admin
            .get("/officer/admin/webhooks")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&plain.url()) && page.contains("Delivered"),
            "[{backend}]"
        );
        assert!(page.contains(changed.header("webhook-id")), "[{backend}]");
        assert_eq!(
            site.count("audit_events WHERE action = 'webhook.created'"),
            2
        );

        // An admin disables an endpoint: its events wait, and go once it is enabled again.
        let endpoint_id = page
            .split("action=\"/officer/admin/webhooks/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("an endpoint's form")
            .to_string();
        let csrf = csrf_in(&page).unwrap();
        let disabled = admin
            .post_form(
                &format!("/officer/admin/webhooks/{endpoint_id}"),
                &[("csrf_token", &csrf), ("action", "disable")],
            )
            .await;
        assert_eq!(disabled.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(location(&disabled), "/officer/admin/webhooks?done=disabled");

        let log = stop_cleanly(app, &backend).await;
        assert_log_free_of(&log, email, &backend);
    }
}

/// Arrival times of the requests a receiver got at its endpoint path.
fn arrivals(receiver: &Receiver) -> Vec<Instant> {
    receiver
        .all()
        .iter()
        .filter(|r| r.path == "/hooks")
        .map(|r| r.at)
        .collect()
}

#[tokio::test]
async fn failing_endpoints_are_retried_with_growing_waits_a_bounded_number_of_times() {
    for backend in backends() {
        let site = Site::new(&backend);
        site.create_officer(ADMIN, "admin", PASSWORD);
        let failing = Receiver::start(Answer::ServerError).await;
        let redirecting = Receiver::start(Answer::Redirect).await;
        let silent = Receiver::start(Answer::Hang).await;
        let app = site
            .start(&[
                ("RIGHTSDESK_WEBHOOK_INTERVAL_MS", "50"),
                ("RIGHTSDESK_WEBHOOK_RETRY_SECS", "1"),
                ("RIGHTSDESK_WEBHOOK_MAX_ATTEMPTS", "3"),
                ("RIGHTSDESK_WEBHOOK_TIMEOUT_SECS", "1"),
            ])
            .await;
        let admin = sign_in_new_admin(&app.base_url(), ADMIN, PASSWORD).await;
        for receiver in [&failing, &redirecting, &silent] {
            add_endpoint(&admin, &receiver.url(), &["request.created"], false).await;
        }

        // The requester's pages answer at once while the endpoints fail or hang.
        let client = browser();
        let email = "patient.requester@example.org";
        submit_request(&client, &app.base_url(), email).await;
        let started = Instant::now();
        confirm_by_mail(&client, &app.base_url(), &mail_dir(&site), email).await;
        let status = client
            .get(format!("{}/", app.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(status.status(), StatusCode::OK);
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "[{backend}] the request path waited on webhooks: {:?}",
            started.elapsed()
        );

        for receiver in [&failing, &redirecting, &silent] {
            receiver
                .wait_until("three attempts", WAIT, |all| {
                    all.iter().filter(|r| r.path == "/hooks").count() >= 3
                })
                .await;
        }
        // Bounded: no fourth attempt comes.
        tokio::time::sleep(Duration::from_secs(5)).await;
        for (name, receiver) in [
            ("500", &failing),
            ("302", &redirecting),
            ("silent", &silent),
        ] {
            let times = arrivals(receiver);
            assert_eq!(times.len(), 3, "[{backend}] {name}: attempts");
            let first_gap = times[1] - times[0];
            let second_gap = times[2] - times[1];
            assert!(
                first_gap >= Duration::from_millis(900),
                "[{backend}] {name}: {first_gap:?}"
            );
            assert!(
                second_gap >= Duration::from_millis(1900),
                "[{backend}] {name}: the wait grows: {first_gap:?} then {second_gap:?}"
            );
            let ids: HashSet<String> = receiver
                .all()
                .iter()
                .map(|r| r.header("webhook-id").to_string())
                .collect();
            assert_eq!(ids.len(), 1, "[{backend}] {name}: one message, retried");
        }
        assert!(
            redirecting.all().iter().all(|r| r.path == "/hooks"),
            "[{backend}] the redirect is not followed"
        );
        assert_eq!(
            site.count(
                "webhook_deliveries WHERE failed_at IS NOT NULL AND attempts = 3 AND delivered_at IS NULL"
            ),
            3,
            "[{backend}] given up after three attempts"
        );
        assert_eq!(site.count("webhook_deliveries WHERE last_status = 500"), 1);
        assert_eq!(site.count("webhook_deliveries WHERE last_status = 302"), 1);
        assert_eq!(
            site.count(
                "webhook_deliveries WHERE last_status IS NULL AND last_error LIKE '%timeout%'"
            ),
            1,
            "[{backend}] the silent endpoint timed out"
        );
        let page = admin
            .get("/officer/admin/webhooks")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Given up") && page.contains("500"),
            "[{backend}]"
        );
        let log = stop_cleanly(app, &backend).await;
        assert!(log.contains("webhook delivery given up"), "[{backend}]");
        assert_log_free_of(&log, email, &backend);
    }
}

const EVENTS: usize = 120;

#[tokio::test]
async fn two_instances_deliver_each_event_once() {
    for backend in backends() {
        let site = Site::new(&backend);
        site.create_officer(ADMIN, "admin", PASSWORD);
        let receiver = Receiver::start(Answer::Accept).await;
        let env = [("RIGHTSDESK_WEBHOOK_INTERVAL_MS", "20")];
        let (first, second) = tokio::join!(site.start(&env), site.start(&env));
        let admin = sign_in_new_admin(&first.base_url(), ADMIN, PASSWORD).await;
        let secret = add_endpoint(&admin, &receiver.url(), &["request.created"], false).await;
        // A backlog falls due at once for both senders, as after an endpoint's outage.
        let endpoint: String = {
            #[derive(diesel::QueryableByName)]
            struct Id {
                #[diesel(sql_type = diesel::sql_types::Text)]
                id: String,
            }
            use diesel::RunQueryDsl;
            let mut conn = site.conn();
            let conn: &mut rightsdesk::store::DbConn = &mut conn;
            diesel::sql_query("SELECT id FROM webhook_endpoints")
                .get_result::<Id>(conn)
                .unwrap()
                .id
        };
        let mut values = Vec::new();
        for n in 0..EVENTS {
            values.push(format!(
                "('msg_backlog{n:04}', '{endpoint}', 'request.created', \
                 '{{\"type\":\"request.created\",\"data\":{{\"n\":{n}}}}}', \
                 '2000-01-01 00:00:00', 0, '2100-01-01 00:00:00')"
            ));
        }
        site.execute(&format!(
            "INSERT INTO webhook_deliveries \
             (id, endpoint_id, event_type, body, created_at, attempts, next_attempt_at) VALUES {}",
            values.join(", ")
        ));
        site.execute("UPDATE webhook_deliveries SET next_attempt_at = '2000-01-01 00:00:00'");
        // And a real event through the second instance.
        let journey = requester_journey(
            &browser(),
            &second.base_url(),
            &mail_dir(&site),
            "twice.requester@example.org",
        )
        .await;

        let all = receiver
            .wait_until("every event", Duration::from_secs(60), |all| {
                all.len() > EVENTS
            })
            .await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let all = if receiver.all().len() > all.len() {
            receiver.all()
        } else {
            all
        };
        let ids: HashSet<&str> = all.iter().map(|r| r.header("webhook-id")).collect();
        assert_eq!(all.len(), EVENTS + 1, "[{backend}] each event once");
        assert_eq!(ids.len(), EVENTS + 1, "[{backend}]");
        assert!(
            all.iter().all(|r| verifies(&secret, r, &r.body)),
            "[{backend}]"
        );
        assert!(all
            .iter()
            .any(|r| r.json()["data"]["reference"] == journey.reference.as_str()));
        assert_eq!(
            site.count("webhook_deliveries WHERE delivered_at IS NOT NULL AND attempts = 1"),
            (EVENTS + 1) as i64,
            "[{backend}]"
        );
        stop_cleanly(first, &backend).await;
        stop_cleanly(second, &backend).await;
    }
}
