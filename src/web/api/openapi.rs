//! The API's OpenAPI 3.1 document, generated from the handlers' annotations and the JSON
//! types (utoipa). It is served at `/api/v1/openapi.json`, printed by `rightsdesk openapi`,
//! and kept in `docs/openapi.json` (a test fails when that file differs from this).

use actix_web::HttpResponse;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::json::{
    ConsentsJson, FailTaskBody, IngestSummaryJson, NewRequestBody, PurposeConsentJson,
    RejectedLineJson, RequestJson, RequestListJson, RequesterBody, TaskJson, TaskListJson,
};
use super::problem::{FieldProblem, Problem};
use super::{consents, inventory, requests, tasks};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "rightsdesk API",
        version = "1",
        description = "Other systems record requests received elsewhere, read their status, \
            read consent state, push inventory data and report on their fulfilment tasks. \
            Every call needs `Authorization: Bearer <token>` (see `rightsdesk api-token create`); \
            errors are RFC 9457 problem documents."
    ),
    paths(
        requests::create,
        requests::list,
        requests::show,
        consents::show,
        inventory::push,
        tasks::list,
        tasks::complete,
        tasks::fail
    ),
    components(schemas(
        NewRequestBody,
        RequesterBody,
        RequestJson,
        RequestListJson,
        ConsentsJson,
        PurposeConsentJson,
        IngestSummaryJson,
        RejectedLineJson,
        TaskJson,
        TaskListJson,
        FailTaskBody,
        Problem,
        FieldProblem
    )),
    modifiers(&BearerScheme),
    tags(
        (name = "requests", description = "Rights requests"),
        (name = "consents", description = "Consent state per purpose"),
        (name = "inventory", description = "Subjects, records and consents pushed in"),
        (name = "tasks", description = "What each source system must do for a fulfilled request")
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document as served and checked in: pretty JSON ending in a newline.
pub fn document() -> String {
    let mut text = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

pub async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}
