//! Sign-in throttling that cannot lock everyone out and cannot be raced, over HTTP: in the
//! app (parallel attempts, the hasher bound, sliding sessions) and in the released binary
//! behind a trusted proxy and in front of an untrusted one.

mod common;

use std::time::Duration;

use common::officer::{sign_in_at, PASSWORD};
use common::site::Site;
use common::{backends, location, TestApp};
use diesel::prelude::*;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use rightsdesk::app::clock;
use rightsdesk::app::purge::{self, PurgeOptions, Quiet};
use rightsdesk::store::schema::officer_sessions;
use rightsdesk::store::time::{from_db, to_db};

/// A browser whose requests say, through the proxy, that they come from `client`.
fn browser_from(client: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_str(client).unwrap());
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .default_headers(headers)
        .build()
        .unwrap()
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn parallel_wrong_passwords_get_no_more_guesses_than_sequential_ones() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        app.create_officer("omar@example.org", "officer", &["in"]);
        let attempts = (0..16).map(|i| {
            let base = app.address.clone();
            async move {
                sign_in_at(
                    &base,
                    &reqwest::Client::builder()
                        .cookie_store(true)
                        .redirect(reqwest::redirect::Policy::none())
                        .build()
                        .unwrap(),
                    "omar@example.org",
                    &format!("guess number {i}"),
                )
                .await
                .status()
            }
        });
        let statuses = futures_util::future::join_all(attempts).await;
        let wrong = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        let throttled = statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        // Three free attempts for the account from this client, however they are sent.
        assert_eq!(wrong, 3, "[{backend}] {statuses:?}");
        assert_eq!(throttled, 13, "[{backend}] {statuses:?}");
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn an_attacker_locks_the_account_only_for_itself() {
    for backend in backends() {
        let app = TestApp::spawn_with(
            &backend,
            &[
                ("RIGHTSDESK_TRUSTED_PROXIES", "127.0.0.1"),
                ("RIGHTSDESK_SIGN_IN_LOCK_AFTER", "4"),
            ],
            true,
        )
        .await;
        app.create_officer("omar@example.org", "officer", &["in"]);
        let attacker = browser_from("203.0.113.7");
        for _ in 0..3 {
            let response = sign_in_at(&app.address, &attacker, "omar@example.org", "a guess").await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "[{backend}]");
        }
        let waiting = sign_in_at(&app.address, &attacker, "omar@example.org", "a guess").await;
        assert_eq!(
            waiting.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "[{backend}]"
        );
        tokio::time::sleep(Duration::from_secs(retry_after(&waiting))).await;
        let fourth = sign_in_at(&app.address, &attacker, "omar@example.org", "a guess").await;
        assert_eq!(fourth.status(), StatusCode::UNAUTHORIZED, "[{backend}]");
        // The attacker is locked out of this account, even with the right password.
        let locked = sign_in_at(&app.address, &attacker, "omar@example.org", PASSWORD).await;
        assert_eq!(
            locked.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "[{backend}]"
        );
        assert!(
            retry_after(&locked) > 14 * 60,
            "[{backend}] a lock of 15 minutes"
        );

        // Omar, from his own address, is at most slowed down for a moment.
        let omar = browser_from("198.51.100.20");
        let mut response = sign_in_at(&app.address, &omar, "omar@example.org", PASSWORD).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(retry_after(&response) <= 2, "[{backend}] only a short wait");
            tokio::time::sleep(Duration::from_secs(retry_after(&response))).await;
            response = sign_in_at(&app.address, &omar, "omar@example.org", PASSWORD).await;
        }
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(location(&response), "/officer/queue");
        let events = rightsdesk::store::audit::batch_after(&mut app.conn(), 0, 1000).unwrap();
        assert!(
            events.iter().any(|e| e.action == "security.sign_in_burst"),
            "[{backend}] the lock is an anomaly event"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn busy_password_hashers_answer_503_with_retry_after() {
    for backend in backends() {
        let app =
            TestApp::spawn_with(&backend, &[("RIGHTSDESK_PASSWORD_HASHERS", "1")], true).await;
        app.create_officer("omar@example.org", "officer", &["in"]);
        assert_eq!(app.ctx.password_checks.capacity(), 1);
        let held = app
            .ctx
            .password_checks
            .enter(Duration::ZERO)
            .expect("the only hasher");
        let busy = sign_in_at(&app.address, &app.browser(), "omar@example.org", PASSWORD).await;
        assert_eq!(
            busy.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "[{backend}]"
        );
        assert_eq!(retry_after(&busy), 1);
        assert!(busy.text().await.unwrap().contains("try again"));
        drop(held);
        let fine = sign_in_at(&app.address, &app.browser(), "omar@example.org", PASSWORD).await;
        assert_eq!(fine.status(), StatusCode::SEE_OTHER, "[{backend}]");
        // Nothing was counted against the account for the refused attempt.
        let metrics = app.ctx.metrics.encode();
        assert!(
            metrics.contains("rightsdesk_sign_in_busy_total 1"),
            "{metrics}"
        );
    }
}

#[tokio::test]
async fn sessions_slide_with_use_and_end_at_the_absolute_limit() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let officer = app.signed_in("omar@example.org", "officer", &["in"]).await;
        let now = clock::now();
        let set = |created: time::Duration, seen: time::Duration, expires: time::Duration| {
            diesel::update(officer_sessions::table)
                .set((
                    officer_sessions::created_at.eq(to_db(now - created)),
                    officer_sessions::last_seen_at.eq(to_db(now - seen)),
                    officer_sessions::expires_at.eq(to_db(now + expires)),
                ))
                .execute(&mut *app.conn())
                .unwrap();
        };
        let expires_at = || {
            from_db(
                officer_sessions::table
                    .select(officer_sessions::expires_at)
                    .first(&mut *app.conn())
                    .unwrap(),
            )
        };
        let purge_at = |at: time::OffsetDateTime| {
            purge::run(
                &app.ctx,
                PurgeOptions {
                    as_of: at,
                    dry_run: false,
                    batch_size: 100,
                },
                &mut Quiet,
            )
            .unwrap()
        };

        // Two hours in, last used 20 minutes ago: it would end in 10 minutes unused.
        set(
            time::Duration::hours(2),
            time::Duration::minutes(20),
            time::Duration::minutes(10),
        );
        assert_eq!(officer.get("/officer/queue").await.status(), StatusCode::OK);
        let slid = expires_at() - now;
        assert!(
            slid > time::Duration::minutes(29) && slid <= time::Duration::minutes(31),
            "[{backend}] the end moved to 30 minutes from now: {slid}"
        );
        purge_at(now + time::Duration::minutes(15));
        assert_eq!(
            officer.get("/officer/queue").await.status(),
            StatusCode::OK,
            "[{backend}] an active session survives the purge"
        );

        // Nearly twelve hours in: use no longer moves the end past the absolute limit.
        set(
            time::Duration::hours(12) - time::Duration::minutes(3),
            time::Duration::minutes(2),
            time::Duration::minutes(28),
        );
        assert_eq!(officer.get("/officer/queue").await.status(), StatusCode::OK);
        let end = expires_at() - now;
        assert!(
            end <= time::Duration::minutes(3),
            "[{backend}] at most the absolute limit: {end}"
        );
        purge_at(now + time::Duration::minutes(5));
        assert_eq!(
            location(&officer.get("/officer/queue").await),
            "/officer/login",
            "[{backend}] past the absolute limit the session is gone"
        );
    }
}

#[tokio::test]
async fn the_binary_behind_a_trusted_proxy_keeps_clients_apart_and_an_untrusted_peer_is_throttled()
{
    for backend in backends() {
        let site = Site::new(&backend);
        site.create_officer("attacked@example.org", "officer", PASSWORD);
        site.create_officer("colleague@example.org", "officer", PASSWORD);

        let behind_proxy = site
            .start(&[
                ("RIGHTSDESK_TRUSTED_PROXIES", "127.0.0.1/32, ::1"),
                ("RIGHTSDESK_SESSION_IDLE_MINUTES", "20"),
                ("RIGHTSDESK_SESSION_MAX_HOURS", "8"),
                ("RIGHTSDESK_SIGN_IN_LOCK_AFTER", "10"),
                ("RIGHTSDESK_SIGN_IN_LOCK_MINUTES", "30"),
                ("RIGHTSDESK_PASSWORD_HASHERS", "2"),
            ])
            .await;
        let base = behind_proxy.base_url();
        // Twelve failed sign-ins, each from its own client behind the proxy. Past ten, the
        // account itself asks for short waits (guessing spread over many clients is slowed),
        // but nothing is locked.
        for i in 1..=12 {
            let response = sign_in_at(
                &base,
                &browser_from(&format!("192.0.2.{i}")),
                "attacked@example.org",
                "a wrong guess",
            )
            .await;
            let status = response.status();
            assert!(
                status == StatusCode::UNAUTHORIZED
                    || (i > 10
                        && status == StatusCode::TOO_MANY_REQUESTS
                        && retry_after(&response) <= 2),
                "[{backend}] attempt {i}: {status}"
            );
        }
        let colleague = browser_from("198.51.100.99");
        let response = sign_in_at(&base, &colleague, "colleague@example.org", PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "[{backend}] another officer signs in"
        );
        assert_eq!(location(&response), "/officer/queue");
        let queue = colleague
            .get(format!("{base}/officer/queue"))
            .send()
            .await
            .unwrap();
        assert_eq!(queue.status(), StatusCode::OK);
        // The session lasts as the operator set it: 20 minutes unused.
        {
            let mut conn = site.conn();
            let (created, expires): (time::PrimitiveDateTime, time::PrimitiveDateTime) =
                officer_sessions::table
                    .select((officer_sessions::created_at, officer_sessions::expires_at))
                    .first(&mut *conn)
                    .unwrap();
            assert_eq!(
                expires - created,
                time::Duration::minutes(20),
                "[{backend}]"
            );
        }
        let (status, log) = behind_proxy.terminate().await;
        assert_eq!(status.code(), Some(0), "[{backend}] {log}");
        assert!(
            !log.contains("attacked@example.org") && !log.contains("192.0.2."),
            "[{backend}] no personal data in the log"
        );

        // The same from a peer that is not a trusted proxy: the spoofed addresses are
        // ignored, every attempt is the peer's, and it is throttled.
        let untrusted = site
            .start(&[("RIGHTSDESK_TRUSTED_PROXIES", "10.0.0.0/8")])
            .await;
        let base = untrusted.base_url();
        let mut statuses = Vec::new();
        for i in 1..=12 {
            let response = sign_in_at(
                &base,
                &browser_from(&format!("192.0.2.{i}")),
                "colleague@example.org",
                "a wrong guess",
            )
            .await;
            statuses.push(response.status());
        }
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::UNAUTHORIZED)
                .count(),
            3,
            "[{backend}] {statuses:?}"
        );
        assert!(
            statuses[3..]
                .iter()
                .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
            "[{backend}] {statuses:?}"
        );
        let (status, log) = untrusted.terminate().await;
        assert_eq!(status.code(), Some(0), "[{backend}] {log}");
    }
}
