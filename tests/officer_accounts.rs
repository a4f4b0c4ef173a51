//! Officer accounts through the real HTTP stack, on both backends: changing one's own
//! password, an admin's password reset (a new password forced at the next sign-in), the
//! TOTP policy per role, and the last active admin who cannot be demoted or disabled.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::officer::{OfficerBrowser, PASSWORD};
use common::{backends, csrf_in, location, TestApp};
use diesel::prelude::*;
use reqwest::StatusCode;
use rightsdesk::config::Settings;
use rightsdesk::store::schema::audit_events;

const NEW_PASSWORD: &str = "a brand new lighthouse keeper";

/// `(actor, target, details)` of every audit event with `action`, oldest first.
fn events(app: &TestApp, action: &str) -> Vec<(String, String, String)> {
    audit_events::table
        .filter(audit_events::action.eq(action))
        .order(audit_events::pos.asc())
        .select((
            audit_events::actor,
            audit_events::target,
            audit_events::details,
        ))
        .load(&mut app.conn())
        .unwrap()
}

async fn change_password(
    browser: &OfficerBrowser,
    current: &str,
    new: &str,
    confirmation: &str,
) -> reqwest::Response {
    let csrf = browser.csrf("/officer/account/password").await;
    browser
        .post_form(
            "/officer/account/password",
            &[
                ("current_password", current),
                ("new_password", new),
                ("confirmation", confirmation),
                ("csrf_token", &csrf),
            ],
        )
        .await
}

/// A second browser of the same officer, signed in with `password`.
async fn another_browser(app: &TestApp, of: &OfficerBrowser, password: &str) -> OfficerBrowser {
    let client = app.browser();
    let response = app.sign_in_with(&client, &of.email, password).await;
    assert_eq!(location(&response), "/officer/queue", "[{}]", app.backend);
    OfficerBrowser {
        client,
        base: app.address.clone(),
        id: of.id.clone(),
        email: of.email.clone(),
    }
}

#[tokio::test]
async fn officers_change_their_own_password_and_their_other_sessions_end() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let officer = app.signed_in("omar@example.org", "officer", &["in"]).await;
        let elsewhere = another_browser(&app, &officer, PASSWORD).await;

        // The workspace links to the page.
        let queue = officer.get("/officer/queue").await.text().await.unwrap();
        assert!(
            queue.contains(r#"href="/officer/account/password""#),
            "[{backend}] linked from the navigation"
        );
        let page = officer.get("/officer/account/password").await;
        assert_eq!(page.status(), StatusCode::OK, "[{backend}]");
        let html = page.text().await.unwrap();
        assert!(html.contains(r#"name="current_password""#), "[{backend}]");
        assert!(html.contains("Sign out"), "[{backend}] with the nav");

        // Bad input: a clear message and a 422; nothing changes.
        let refused = [
            (
                "not my password",
                NEW_PASSWORD,
                NEW_PASSWORD,
                "current password is not right",
            ),
            (
                PASSWORD,
                "1qaz2wsx3edc4rfv",
                "1qaz2wsx3edc4rfv",
                "most common",
            ),
            (
                PASSWORD,
                "qwertyuiopasdfghjkl",
                "qwertyuiopasdfghjkl",
                "most common",
            ),
            (PASSWORD, "short", "short", "at least 12 characters"),
            (
                PASSWORD,
                NEW_PASSWORD,
                "a brand new lighthouse",
                "not the same",
            ),
            (
                PASSWORD,
                PASSWORD,
                PASSWORD,
                "different from your current one",
            ),
            (
                "",
                NEW_PASSWORD,
                NEW_PASSWORD,
                "Enter your current password",
            ),
        ];
        for (current, new, confirmation, message) in refused {
            let response = change_password(&officer, current, new, confirmation).await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{backend}] {message}"
            );
            let html = response.text().await.unwrap();
            assert!(html.contains(message), "[{backend}] {message}: {html}");
            assert!(
                !html.contains(new) || new == PASSWORD,
                "[{backend}] not echoed"
            );
        }
        assert!(events(&app, "officer.password_changed").is_empty());
        assert_eq!(
            elsewhere.get("/officer/queue").await.status(),
            StatusCode::OK,
            "[{backend}] refused changes end no session"
        );

        let response = change_password(&officer, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(
            location(&response),
            "/officer/account/password?done=changed"
        );
        let done = officer
            .get(&location(&response))
            .await
            .text()
            .await
            .unwrap();
        assert!(done.contains("Your password is changed"), "[{backend}]");

        // This session stays; every other one ends.
        assert_eq!(
            officer.get("/officer/queue").await.status(),
            StatusCode::OK,
            "[{backend}] the session that changed it stays"
        );
        assert_eq!(
            location(&elsewhere.get("/officer/queue").await),
            "/officer/login",
            "[{backend}] the other session ended"
        );

        // The old password no longer signs in; the new one does.
        let client = app.browser();
        let old = app.sign_in_with(&client, &officer.email, PASSWORD).await;
        assert_eq!(old.status(), StatusCode::UNAUTHORIZED, "[{backend}]");
        another_browser(&app, &officer, NEW_PASSWORD).await;

        // Audited by officer id, without the password.
        let changed = events(&app, "officer.password_changed");
        assert_eq!(changed.len(), 1, "[{backend}]");
        let (actor, target, details) = &changed[0];
        assert_eq!(actor, &format!("officer:{}", officer.id));
        assert_eq!(target, &format!("officer:{}", officer.id));
        assert!(!details.contains("lighthouse"), "[{backend}] {details}");
        assert!(details.contains(r#""other_sessions_ended":1"#), "{details}");
        app.assert_no_server_errors();
    }
}

/// The temporary password on the reset page.
fn temporary_password_in(html: &str) -> String {
    let marker = r#"<code class="secret">"#;
    let start = html.find(marker).expect("the temporary password") + marker.len();
    let end = html[start..].find("</code>").unwrap() + start;
    html[start..end].to_string()
}

#[tokio::test]
async fn an_admin_reset_forces_a_new_password_at_the_next_sign_in() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let admin = app.signed_in_admin("admin@example.org").await;
        let officer = app.signed_in("omar@example.org", "officer", &["in"]).await;
        let reset_path = format!("/officer/admin/officers/{}/password", officer.id);

        // Only admins reset passwords, and not their own (they change it like anyone).
        let csrf = officer.csrf("/officer/queue").await;
        let response = officer
            .post_form(
                &format!("/officer/admin/officers/{}/password", admin.id),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "[{backend}]");
        let html = admin
            .get("/officer/admin/officers")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&format!(r#"action="{reset_path}""#)),
            "[{backend}] a reset button per officer"
        );
        let csrf = csrf_in(&html).unwrap();
        let own = admin
            .post_form(
                &format!("/officer/admin/officers/{}/password", admin.id),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(own.status(), StatusCode::CONFLICT, "[{backend}]");
        let unknown = admin
            .post_form(
                "/officer/admin/officers/0190a000-0000-7000-8000-000000000000/password",
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND, "[{backend}]");
        assert!(events(&app, "officer.password_reset").is_empty());

        // The reset answers with a temporary password, shown once, and signs the officer out.
        let response = admin.post_form(&reset_path, &[("csrf_token", &csrf)]).await;
        assert_eq!(response.status(), StatusCode::OK, "[{backend}]");
        assert_eq!(
            response.headers()["cache-control"],
            "no-store",
            "[{backend}]"
        );
        let temporary = temporary_password_in(&response.text().await.unwrap());
        assert_eq!(temporary.len(), 29, "[{backend}] {temporary}");
        assert_eq!(
            location(&officer.get("/officer/queue").await),
            "/officer/login",
            "[{backend}] every session of the officer ended"
        );
        let reset = events(&app, "officer.password_reset");
        assert_eq!(reset.len(), 1, "[{backend}]");
        assert_eq!(reset[0].0, format!("officer:{}", admin.id));
        assert_eq!(reset[0].1, format!("officer:{}", officer.id));
        assert!(!reset[0].2.contains(&temporary[..4]), "[{backend}]");

        // The old password is gone; the temporary one leads only to choosing a new one.
        let client = app.browser();
        let old = app.sign_in_with(&client, &officer.email, PASSWORD).await;
        assert_eq!(old.status(), StatusCode::UNAUTHORIZED, "[{backend}]");
        let signed_in = app.sign_in_with(&client, &officer.email, &temporary).await;
        assert_eq!(location(&signed_in), "/officer/account/password");
        let returning = OfficerBrowser {
            client,
            base: app.address.clone(),
            id: officer.id.clone(),
            email: officer.email.clone(),
        };
        for path in ["/officer/queue", "/officer/audit", "/officer/mfa"] {
            assert_eq!(
                location(&returning.get(path).await),
                "/officer/account/password",
                "[{backend}] {path} waits for the new password"
            );
        }
        let page = returning.get("/officer/account/password").await;
        assert_eq!(page.status(), StatusCode::OK, "[{backend}]");
        let html = page.text().await.unwrap();
        assert!(html.contains("before you can continue"), "[{backend}]");
        assert!(
            !html.contains(r#"href="/officer/queue">Queue"#),
            "[{backend}] no nav"
        );

        // The temporary password cannot be kept.
        let kept = change_password(&returning, &temporary, &temporary, &temporary).await;
        assert_eq!(
            kept.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{backend}]"
        );
        let response = change_password(&returning, &temporary, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(location(&response), "/officer/queue", "[{backend}]");
        assert_eq!(
            returning.get("/officer/queue").await.status(),
            StatusCode::OK,
            "[{backend}] the workspace opens"
        );
        let changed = events(&app, "officer.password_changed");
        assert_eq!(changed.len(), 1, "[{backend}]");
        assert!(
            changed[0].2.contains(r#""after_reset":true"#),
            "{}",
            changed[0].2
        );

        // The next sign-in asks nothing more.
        let client = app.browser();
        let again = app
            .sign_in_with(&client, &officer.email, NEW_PASSWORD)
            .await;
        assert_eq!(location(&again), "/officer/queue", "[{backend}]");
        app.assert_no_server_errors();
    }
}

/// Signs in with the password and says where the app sends the browser.
async fn first_step(app: &TestApp, email: &str) -> (reqwest::Client, String) {
    let client = app.browser();
    let response = app.sign_in_with(&client, email, PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "[{}]",
        app.backend
    );
    (client, location(&response))
}

#[tokio::test]
async fn the_totp_policy_makes_the_listed_roles_enrol_and_no_other() {
    for backend in backends() {
        // The default policy: admins and officers; auditors only read.
        let app = TestApp::spawn_with(
            &backend,
            &[("RIGHTSDESK_TOTP_REQUIRED_ROLES", "admin,officer")],
            true,
        )
        .await;
        let id = app.create_officer("omar@example.org", "officer", &["in"]);
        app.create_officer("audra@example.org", "auditor", &[]);
        let (client, next) = first_step(&app, "omar@example.org").await;
        assert_eq!(next, "/officer/mfa", "[{backend}] officers must enrol");
        let officer = OfficerBrowser {
            client,
            base: app.address.clone(),
            id: id.clone(),
            email: "omar@example.org".into(),
        };
        assert_eq!(
            location(&officer.get("/officer/queue").await),
            "/officer/mfa",
            "[{backend}] nothing opens before enrolment"
        );
        let (_, next) = first_step(&app, "audra@example.org").await;
        assert_eq!(next, "/officer/queue", "[{backend}] auditors need not");

        // Enrolment opens the workspace; the next sign-in asks for the code.
        let csrf = officer.csrf("/officer/mfa").await;
        let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
        let code = app.totp_secret(&id).code_at(now);
        let enrolled = officer
            .post_form("/officer/mfa", &[("code", &code), ("csrf_token", &csrf)])
            .await;
        assert_eq!(enrolled.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(
            officer.get("/officer/queue").await.status(),
            StatusCode::OK,
            "[{backend}]"
        );
        let (_, next) = first_step(&app, "omar@example.org").await;
        assert_eq!(next, "/officer/login/code", "[{backend}]");

        // Another policy: admins and auditors.
        let app = TestApp::spawn_with(
            &backend,
            &[("RIGHTSDESK_TOTP_REQUIRED_ROLES", "admin,auditor")],
            true,
        )
        .await;
        app.create_officer("omar@example.org", "officer", &["in"]);
        app.create_officer("audra@example.org", "auditor", &[]);
        app.create_officer("admin@example.org", "admin", &[]);
        let (_, next) = first_step(&app, "omar@example.org").await;
        assert_eq!(next, "/officer/queue", "[{backend}] officers need not");
        let (_, next) = first_step(&app, "audra@example.org").await;
        assert_eq!(next, "/officer/mfa", "[{backend}] auditors must");
        let (_, next) = first_step(&app, "admin@example.org").await;
        assert_eq!(next, "/officer/mfa", "[{backend}] admins always must");
    }
}

fn settings_with(dir: &std::path::Path, vars: &[(&str, &str)]) -> Result<Settings, String> {
    let mut env: HashMap<String, String> = [
        ("DATABASE_URL", "sqlite://ignored.db".to_string()),
        ("RIGHTSDESK_DATA_DIR", dir.display().to_string()),
        (
            "RIGHTSDESK_SECRET_KEY",
            "a secret key of at least thirty-two characters".to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in vars {
        env.insert(k.to_string(), v.to_string());
    }
    Settings::from_env(&env).map_err(|e| e.to_string())
}

#[test]
fn the_totp_policy_setting_reads_from_the_environment_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let roles = |vars: &[(&str, &str)]| {
        settings_with(dir.path(), vars).map(|s| s.totp_required_roles.to_string())
    };
    assert_eq!(roles(&[]).unwrap(), "admin,officer", "the default");
    assert_eq!(
        roles(&[("RIGHTSDESK_TOTP_REQUIRED_ROLES", "admin, auditor, officer")]).unwrap(),
        "admin,officer,auditor"
    );
    let config = dir.path().join("rightsdesk.toml");
    std::fs::write(&config, "totp_required_roles = [\"admin\", \"auditor\"]\n").unwrap();
    let file = config.display().to_string();
    assert_eq!(
        roles(&[("RIGHTSDESK_CONFIG", &file)]).unwrap(),
        "admin,auditor"
    );
    assert_eq!(
        roles(&[
            ("RIGHTSDESK_CONFIG", &file),
            ("RIGHTSDESK_TOTP_REQUIRED_ROLES", "admin")
        ])
        .unwrap(),
        "admin",
        "the variable wins over the file"
    );

    let refused = [
        (
            vec![("RIGHTSDESK_TOTP_REQUIRED_ROLES", "officer,auditor")],
            "RIGHTSDESK_TOTP_REQUIRED_ROLES: the list must include admin",
        ),
        (
            vec![("RIGHTSDESK_TOTP_REQUIRED_ROLES", "admin,root")],
            "RIGHTSDESK_TOTP_REQUIRED_ROLES: \"root\" is not a role",
        ),
    ];
    for (vars, message) in refused {
        let error = roles(&vars).unwrap_err();
        assert!(error.starts_with(message), "{error}");
    }
    std::fs::write(&config, "totp_required_roles = [\"officer\"]\n").unwrap();
    let error = roles(&[("RIGHTSDESK_CONFIG", &file)]).unwrap_err();
    assert!(
        error.starts_with("RIGHTSDESK_CONFIG: totp_required_roles: the list must include admin"),
        "{error}"
    );
}

/// The columns of a stored officer these tests look at, read straight from the table.
#[derive(diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = rightsdesk::store::schema::officers)]
struct StoredOfficer {
    role: String,
    disabled_at: Option<time::PrimitiveDateTime>,
}

fn officer_row(app: &TestApp, id: &str) -> StoredOfficer {
    use rightsdesk::store::schema::officers::dsl;
    dsl::officers
        .find(id)
        .select(StoredOfficer::as_select())
        .first(&mut *app.conn())
        .expect("officer")
}

/// Runs `sql` in a transaction of a connection of its own that stays open for a moment
/// after the change: another admin's change, caught in the middle. Sends on `changed` once
/// the change is made (and its locks are held).
fn hold_a_change(
    database_url: String,
    sql: String,
    changed: tokio::sync::oneshot::Sender<()>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let pool = rightsdesk::store::connect(
            &rightsdesk::store::DatabaseUrl::parse(&database_url).unwrap(),
            1,
        )
        .expect("connect");
        let mut conn = pool.get().expect("connection");
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            diesel::connection::SimpleConnection::batch_execute(conn, &sql)?;
            changed.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(800));
            Ok(())
        })
        .expect("the held change commits");
    })
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_demoted_or_disabled() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let asha = app.signed_in_admin("asha@example.org").await;

        // Each case: a second admin asks to remove Asha's authority while another change
        // takes theirs away in the same moment. Their own session still said "admin" when
        // they asked; counted in the transaction, Asha is the last active admin.
        let cases = [
            (
                "ravi@example.org",
                "UPDATE officers SET role = 'officer', regions = 'in' WHERE id = '{id}'",
                vec![("action", "update"), ("role", "officer"), ("regions", "in")],
            ),
            (
                "meera@example.org",
                "UPDATE officers SET disabled_at = updated_at WHERE id = '{id}'",
                vec![("action", "disable")],
            ),
        ];
        for (email, sql, fields) in cases {
            let other = app.signed_in_admin(email).await;
            let csrf = other.csrf("/officer/admin/officers").await;
            let (changed, made) = tokio::sync::oneshot::channel();
            let held = hold_a_change(
                app.database_url().to_string(),
                sql.replace("{id}", &other.id),
                changed,
            );
            made.await.unwrap();
            let mut all = vec![("csrf_token", csrf.as_str())];
            all.extend_from_slice(&fields);
            let response = other
                .post_form(&format!("/officer/admin/officers/{}", asha.id), &all)
                .await;
            held.join().unwrap();
            assert_eq!(
                response.status(),
                StatusCode::CONFLICT,
                "[{backend}] {email}: {:?}",
                fields
            );
            let html = response.text().await.unwrap();
            assert!(
                html.contains("This is the last active admin"),
                "[{backend}] {html}"
            );

            // Nothing changed: still an active admin, signed in, no event.
            let row = officer_row(&app, &asha.id);
            assert_eq!(row.role, "admin", "[{backend}]");
            assert!(row.disabled_at.is_none(), "[{backend}]");
            assert_eq!(
                asha.get("/officer/queue").await.status(),
                StatusCode::OK,
                "[{backend}] Asha's session is untouched"
            );
            for action in ["officer.role_changed", "officer.disabled"] {
                assert!(
                    events(&app, action)
                        .iter()
                        .all(|(_, target, _)| target != &format!("officer:{}", asha.id)),
                    "[{backend}] {action}"
                );
            }
        }
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    for backend in backends() {
        for round in 0..3 {
            let app = TestApp::spawn(&backend).await;
            let a = app.signed_in_admin("a@example.org").await;
            let b = app.signed_in_admin("b@example.org").await;
            let (csrf_a, csrf_b) = (
                a.csrf("/officer/admin/officers").await,
                b.csrf("/officer/admin/officers").await,
            );
            let demote = |by: &OfficerBrowser, target: &str, csrf: &str| {
                let path = format!("/officer/admin/officers/{target}");
                let fields = [
                    ("csrf_token", csrf.to_string()),
                    ("action", "update".to_string()),
                    ("role", "officer".to_string()),
                    ("regions", "in".to_string()),
                ];
                let request = by.client.post(format!("{}{}", by.base, path)).form(&fields);
                async move {
                    let response = request.send().await.expect("POST");
                    // A success goes back to the officers page; a loser whose session the
                    // winner ended is sent to sign in.
                    let status = response.status();
                    let saved = status == StatusCode::SEE_OTHER
                        && location(&response).starts_with("/officer/admin/officers?done=");
                    (status, saved)
                }
            };
            let (by_a, by_b) = tokio::join!(demote(&a, &b.id, &csrf_a), demote(&b, &a.id, &csrf_b));
            let succeeded = [by_a, by_b].iter().filter(|(_, saved)| *saved).count();
            let admins = [&a.id, &b.id]
                .iter()
                .filter(|id| {
                    let row = officer_row(&app, id);
                    row.role == "admin" && row.disabled_at.is_none()
                })
                .count();
            assert!(
                succeeded <= 1 && admins >= 1 && admins + succeeded == 2,
                "[{backend}] round {round}: {by_a:?} and {by_b:?}, {admins} admins left"
            );
            for (status, _) in [by_a, by_b] {
                assert!(!status.is_server_error(), "[{backend}] {status}");
            }
        }
    }
}
