//! The OpenAPI document: generated from the code, served at `/api/v1/openapi.json` and
//! checked in as `docs/openapi.json`. This test fails when the checked-in copy differs from
//! what the code generates; `RIGHTSDESK_UPDATE_OPENAPI=1 cargo test --test openapi` (or
//! `rightsdesk openapi > docs/openapi.json`) writes it anew.

mod common;

use std::path::Path;

use common::{backends, TestApp};
use reqwest::StatusCode;

fn checked_in() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json")
}

#[test]
fn the_checked_in_document_is_the_generated_one() {
    let generated = rightsdesk::web::api::openapi::document();
    let path = checked_in();
    if std::env::var("RIGHTSDESK_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == generated,
        "docs/openapi.json differs from the document the code generates: run \
         `RIGHTSDESK_UPDATE_OPENAPI=1 cargo test --test openapi` and commit the file"
    );
    let document: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    for path in ["/api/v1/requests", "/api/v1/requests/{reference}"] {
        assert!(document["paths"].get(path).is_some(), "{path}");
    }
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn the_served_document_is_the_generated_one() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let response = app.get("/api/v1/openapi.json").await;
        assert_eq!(response.status(), StatusCode::OK, "[{backend}]");
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/json"
        );
        assert_eq!(
            response.text().await.unwrap(),
            rightsdesk::web::api::openapi::document()
        );
        app.assert_no_server_errors();
    }
}
