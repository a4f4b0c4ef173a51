//! A small demo data set: one request of every kind, in every status worth looking at.

use serde_json::{Map, Value};

use super::status::fresh_status_link;
use super::submit::submit;
use super::{clock, Context};
use crate::domain::audit::Actor;
use crate::domain::ids::RequestId;
use crate::domain::lifecycle::Action;
use crate::domain::message::Author;
use crate::domain::submission::RawSubmission;
use crate::error::AppError;
use crate::store::messages;
use crate::store::requests::{self, RequestChanges};
use crate::store::time::to_db;

/// One demo request as the command reports it.
#[derive(Debug, Clone)]
pub struct DemoRequest {
    pub reference: String,
    pub status: String,
    pub status_link: Option<String>,
}

struct Case {
    kind: &'static str,
    region: &'static str,
    name: &'static str,
    details: &'static str,
    /// What happens after submission, in order, with an optional message.
    steps: &'static [(Action, Option<&'static str>)],
}

const CASES: &[Case] = &[
    Case {
        kind: "access",
        region: "in",
        name: "Asha Rao",
        details: "Please send me a copy of everything you hold about me.",
        steps: &[(Action::Verify, None)],
    },
    Case {
        kind: "rectification",
        region: "eu",
        name: "Jonas Weber",
        details: "My postal address is out of date.",
        steps: &[(Action::Verify, None), (Action::Start, None)],
    },
    Case {
        kind: "erasure",
        region: "us-ca",
        name: "Maria Lopez",
        details: "Please delete my account and its data.",
        steps: &[
            (Action::Verify, None),
            (Action::Start, None),
            (
                Action::AskRequester,
                Some("Please tell us the username of the account you want erased."),
            ),
        ],
    },
    Case {
        kind: "restriction",
        region: "other",
        name: "Kwame Mensah",
        details: "Please stop processing my data while my complaint is open.",
        steps: &[
            (Action::Verify, None),
            (Action::Start, None),
            (
                Action::Fulfil,
                Some("Processing of your data is restricted until further notice."),
            ),
        ],
    },
    Case {
        kind: "portability",
        region: "eu",
        name: "Elena Rossi",
        details: "I would like my data in a machine-readable format.",
        steps: &[(Action::Verify, None), (Action::Withdraw, None)],
    },
    Case {
        kind: "objection",
        region: "in",
        name: "Vikram Singh",
        details: "I object to profiling for advertising.",
        steps: &[
            (Action::Verify, None),
            (Action::Start, None),
            (
                Action::Reject,
                Some("We could not match the account reference to any account."),
            ),
        ],
    },
    Case {
        kind: "consent_withdrawal",
        region: "us-ca",
        name: "Grace Kim",
        details: "",
        steps: &[(Action::Verify, None)],
    },
    Case {
        kind: "grievance",
        region: "in",
        name: "Priya Nair",
        details: "A post about me has not been taken down after my report.",
        steps: &[],
    },
];

/// Loads the demo requests and returns their references and status links.
pub fn load(ctx: &Context) -> Result<Vec<DemoRequest>, AppError> {
    let mut loaded = Vec::with_capacity(CASES.len());
    let first_purpose = ctx
        .settings
        .policy
        .consent_purposes
        .first()
        .map(|p| p.slug.clone())
        .unwrap_or_default();
    for (n, case) in CASES.iter().enumerate() {
        let raw = RawSubmission {
            kind: case.kind.to_string(),
            full_name: case.name.to_string(),
            email: format!("demo{}@example.org", n + 1),
            region: case.region.to_string(),
            account_ref: format!("ACC-{:04}", 1000 + n),
            details: case.details.to_string(),
            correction: if case.kind == "rectification" {
                "12 Lindenstrasse, 10115 Berlin".to_string()
            } else {
                String::new()
            },
            purposes: vec![first_purpose.clone()],
            content_removal: case.kind == "grievance",
        };
        let submitted = submit(ctx, &raw, &crate::domain::locale::Locale::english())?;
        let mut status_link = None;
        let mut status = "unverified".to_string();
        for (action, message) in case.steps {
            let (new_status, link) = act(ctx, submitted.request_id, *action, *message)?;
            status = new_status;
            status_link = status_link.or(link);
        }
        loaded.push(DemoRequest {
            reference: submitted.reference.to_string(),
            status,
            status_link,
        });
    }
    Ok(loaded)
}

/// Applies one workflow step as the demo officer; a verification also issues a status link.
fn act(
    ctx: &Context,
    request_id: RequestId,
    action: Action,
    message: Option<&str>,
) -> Result<(String, Option<String>), AppError> {
    ctx.write(|conn| {
        let now = clock::now();
        let request =
            requests::find_by_id(conn, &ctx.keyring, request_id)?.ok_or(AppError::NotFound)?;
        let actor = match action {
            Action::Verify | Action::Withdraw => Actor::Requester,
            _ => Actor::DemoOfficer,
        };
        let mut details = Map::new();
        let mut changes = RequestChanges::default();
        match action {
            Action::Verify => changes.verified_at = Some(to_db(now)),
            Action::Reject => {
                changes.rejection_reason = Some("identity_not_verified".to_string());
                changes.outcome = Some("rejected".to_string());
                details.insert(
                    "reason".into(),
                    Value::String(message.unwrap_or_default().to_string()),
                );
            }
            Action::Fulfil => changes.outcome = Some("fulfilled".to_string()),
            _ => {}
        }
        let message_id = uuid::Uuid::now_v7().to_string();
        if message.is_some() && action != Action::Reject {
            details.insert("message_id".into(), Value::String(message_id.clone()));
        }
        let transition = super::transition::apply(
            conn,
            &ctx.keyring,
            &request,
            action,
            &actor,
            now,
            changes,
            details,
        )?;
        if let (Some(body), true) = (message, action != Action::Reject) {
            messages::insert(
                conn,
                &ctx.keyring,
                &message_id,
                request_id,
                Author::Officer,
                body,
                to_db(now),
            )?;
        }
        let link = match action {
            Action::Verify => Some(fresh_status_link(ctx, conn, request_id, now)?),
            _ => None,
        };
        Ok((transition.to.as_str().to_string(), link))
    })
}
