//! Fulfilment tasks on both backends: an officer fulfils over HTTP, one task per source
//! system appears, the source systems finish them through the app functions the JSON API
//! calls, and the requester's outcome mail waits for them or for the officer.

mod common;

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use common::{backends, TestApp};
use rightsdesk::app::tasks::{complete_task, fail_task, list_tasks};
use rightsdesk::domain::audit::Actor;
use rightsdesk::domain::ids::{ApiTokenId, TaskId};
use rightsdesk::domain::import_row::ImportKind;
use rightsdesk::domain::task::{Task, TaskState};
use rightsdesk::error::AppError;

const ASHA: &str = "asha.rao@example.in";
const RAVI: &str = "ravi.iyer@example.in";
const NOBODY: &str = "nobody.known@example.in";
const OUTCOME: &str = "News about your request";

fn records_of(email: &str) -> Vec<Value> {
    vec![
        json!({"email": email, "source": "crm", "source_id": format!("{email}-1"), "category": "profile",
               "payload": {"name": "Someone"}}),
        json!({"email": email, "source": "crm", "source_id": format!("{email}-2"), "category": "profile",
               "payload": {"city": "Pune"}}),
        json!({"email": email, "source": "forum", "source_id": format!("{email}-3"), "category": "content",
               "payload": {"post": "hello"}}),
        json!({"email": email, "source": "mailer", "source_id": format!("{email}-4"), "category": "profile",
               "payload": {"list": "news"}}),
    ]
}

/// The open tasks of a source, through the app function the API lists with.
fn open_tasks(app: &TestApp, source: &str) -> Vec<Task> {
    list_tasks(&app.ctx, source, None, 100).expect("list tasks")
}

fn task_of(app: &TestApp, source: &str, reference: &str) -> TaskId {
    let request_id: String = {
        use rightsdesk::store::schema::requests::dsl;
        dsl::requests
            .filter(dsl::reference.eq(reference))
            .select(dsl::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    open_tasks(app, source)
        .into_iter()
        .find(|t| t.request_id.to_string() == request_id)
        .unwrap_or_else(|| panic!("[{}] an open {source} task", app.backend))
        .id
}

fn outcome_mails(app: &TestApp, to: &str) -> usize {
    app.mails()
        .iter()
        .filter(|m| m.to == to && m.subject.contains(OUTCOME))
        .count()
}

/// A source system reporting through the JSON API, as its token.
fn system() -> Actor {
    Actor::ApiToken(ApiTokenId::from_uuid(uuid::Uuid::from_u128(7)))
}

#[tokio::test]
async fn the_requester_is_told_only_when_every_source_has_completed() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        app.import_lines(ImportKind::Records, &records_of(ASHA), true, 10);
        let officer = app.signed_in_admin("admin@example.org").await;
        let csrf = officer.csrf("/officer/admin/webhooks").await;
        let response = officer
            .post_form(
                "/officer/admin/webhooks",
                &[
                    ("csrf_token", csrf.as_str()),
                    ("url", "https://crm.example.org/hooks"),
                    ("event_types", "task.created"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "[{backend}] endpoint");
        let reference = app.verified_request("erasure", ASHA, "in").await;
        let mails_before = outcome_mails(&app, ASHA);

        let response = officer
            .act(&reference, &[("action", "fulfil"), ("message", "Done.")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(
            app.count("fulfilment_tasks"),
            3,
            "[{backend}] one per source"
        );
        for source in ["crm", "forum", "mailer"] {
            assert_eq!(open_tasks(&app, source).len(), 1, "[{backend}] {source}");
        }
        let page = officer
            .get(&format!("/officer/requests/{reference}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("Source system tasks"), "[{backend}]");
        assert!(page.contains("Erase the records"), "[{backend}]");

        // Keyset paging: nothing after the last open task of a source.
        let crm = open_tasks(&app, "crm");
        assert!(list_tasks(&app.ctx, "crm", Some(crm[0].id), 10)
            .unwrap()
            .is_empty());

        let crm = task_of(&app, "crm", &reference);
        let forum = task_of(&app, "forum", &reference);
        let mailer = task_of(&app, "mailer", &reference);
        let done = complete_task(&app.ctx, &system(), crm).expect("complete crm");
        assert_eq!(done.state, TaskState::Completed, "[{backend}]");
        complete_task(&app.ctx, &system(), forum).expect("complete forum");
        let settled = app.settled_mails().await;
        assert_eq!(
            settled
                .iter()
                .filter(|m| m.to == ASHA && m.subject.contains(OUTCOME))
                .count(),
            mails_before,
            "[{backend}] no outcome mail while a task is open"
        );

        // Completing a task twice is a conflict, not a server error.
        let again = complete_task(&app.ctx, &system(), crm);
        assert!(
            matches!(again, Err(AppError::Conflict(_))),
            "[{backend}] {again:?}"
        );
        let unknown = complete_task(&app.ctx, &system(), TaskId::new());
        assert!(matches!(unknown, Err(AppError::NotFound)), "[{backend}]");

        complete_task(&app.ctx, &system(), mailer).expect("complete mailer");
        let mail = app.wait_for_mail(ASHA, "New status: Completed").await;
        assert!(mail.subject.contains(&reference), "[{backend}]");
        app.settled_mails().await;
        assert_eq!(
            outcome_mails(&app, ASHA),
            mails_before + 1,
            "[{backend}] one outcome mail"
        );
        let page = officer
            .get(&format!("/officer/requests/{reference}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("A source system completed its task"),
            "[{backend}] the timeline"
        );
        assert!(page.contains("Connected system"), "[{backend}] the actor");
        assert!(
            page.contains("The requester has been told the outcome."),
            "[{backend}]"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn a_failed_task_shows_and_closing_anyway_lists_the_sources_left() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        app.import_lines(ImportKind::Records, &records_of(RAVI), true, 10);
        let officer = app.signed_in_admin("admin@example.org").await;
        let reference = app.verified_request("restriction", RAVI, "in").await;
        // The requester reads their mail in Hindi.
        app.execute(&format!(
            "UPDATE requests SET locale = 'hi' WHERE reference = '{reference}'"
        ));
        let response = officer
            .act(
                &reference,
                &[("action", "fulfil"), ("message", "Restricted.")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(app.count("fulfilment_tasks"), 3, "[{backend}]");

        let crm = task_of(&app, "crm", &reference);
        let forum = task_of(&app, "forum", &reference);
        let blank = fail_task(&app.ctx, &system(), forum, "  ");
        assert!(
            matches!(blank, Err(AppError::BadRequest(_))),
            "[{backend}] a reason is needed"
        );
        complete_task(&app.ctx, &system(), crm).expect("complete crm");
        let failed = fail_task(
            &app.ctx,
            &system(),
            forum,
            "The forum account is archived offline",
        )
        .expect("fail forum");
        assert!(matches!(failed.state, TaskState::Failed(_)), "[{backend}]");
        let again = fail_task(&app.ctx, &system(), forum, "again");
        assert!(matches!(again, Err(AppError::Conflict(_))), "[{backend}]");

        let page = officer
            .get(&format!("/officer/requests/{reference}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Failed: The forum account is archived offline"),
            "[{backend}] the reason shows"
        );
        assert!(page.contains("Tell the requester now"), "[{backend}]");
        assert!(
            !app.mails()
                .iter()
                .any(|m| m.to == RAVI && m.body.contains("forum")),
            "[{backend}] nothing mailed yet"
        );

        let path = format!("/officer/requests/{reference}/tasks/close");
        let csrf = officer
            .csrf(&format!("/officer/requests/{reference}"))
            .await;
        let response = officer.post_form(&path, &[("csrf_token", &csrf)]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        let mail = app.wait_for_mail(RAVI, "forum, mailer").await;
        assert!(
            mail.body
                .contains("हमारी निम्नलिखित प्रणालियों ने अभी तक इस पर कार्रवाई की पुष्टि नहीं की है"),
            "[{backend}] {}",
            mail.body
        );
        assert!(!mail.body.contains("crm"), "[{backend}] crm completed");

        // Closing twice is refused; a task completed later mails nothing more.
        let csrf = officer
            .csrf(&format!("/officer/requests/{reference}"))
            .await;
        let response = officer.post_form(&path, &[("csrf_token", &csrf)]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "[{backend}]");
        let mailer = task_of(&app, "mailer", &reference);
        let before = app.settled_mails().await.len();
        complete_task(&app.ctx, &system(), mailer).expect("complete mailer");
        assert_eq!(app.settled_mails().await.len(), before, "[{backend}]");

        let closed = {
            use rightsdesk::store::schema::audit_events::dsl;
            dsl::audit_events
                .filter(dsl::action.eq("request.closed_with_open_tasks"))
                .select(dsl::details)
                .load::<String>(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(closed.len(), 1, "[{backend}]");
        assert!(closed[0].contains("forum"), "[{backend}] {}", closed[0]);
        let reports = {
            use rightsdesk::store::schema::audit_events::dsl;
            dsl::audit_events
                .filter(dsl::action.eq_any(["task.completed", "task.failed"]))
                .select(dsl::actor)
                .load::<String>(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(
            reports,
            vec![system().to_audit_string(); 3],
            "[{backend}] the token is the actor"
        );
        app.assert_no_server_errors();
    }
}

#[tokio::test]
async fn no_task_for_a_subject_with_no_records_and_the_mail_goes_at_once() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        app.import_lines(ImportKind::Records, &records_of(ASHA), true, 10);
        let officer = app.signed_in_admin("admin@example.org").await;
        let reference = app.verified_request("erasure", NOBODY, "in").await;
        let response = officer
            .act(&reference, &[("action", "fulfil"), ("message", "Done.")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(app.count("fulfilment_tasks"), 0, "[{backend}]");
        app.wait_for_mail(NOBODY, "New status: Completed").await;
        let page = officer
            .get(&format!("/officer/requests/{reference}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(!page.contains("Source system tasks"), "[{backend}]");

        // An access request changes nothing at the sources: no tasks either.
        let access = app.verified_request("access", ASHA, "in").await;
        let response = officer
            .act(&access, &[("action", "fulfil"), ("message", "Here.")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(app.count("fulfilment_tasks"), 0, "[{backend}]");
        app.assert_no_server_errors();
    }
}
