//! The JSON API in tests: tokens made through the app (as `rightsdesk api-token create`
//! does) and calls with a bearer token.

use reqwest::Response;
use rightsdesk::app::api::tokens;
use rightsdesk::app::officers::Requester;
use rightsdesk::domain::api_token::RawNewApiToken;

use super::TestApp;

/// A token's id and secret.
pub struct Token {
    pub id: String,
    pub secret: String,
}

/// A request body for `POST /api/v1/requests`, received `received_at` by `channel`.
pub fn intake_body(
    email: &str,
    regime: &str,
    received_at: &str,
    channel: &str,
) -> serde_json::Value {
    serde_json::json!({
        "kind": "access",
        "regime": regime,
        "requester": {"name": "Asha Rao", "email": email},
        "received_at": received_at,
        "channel": channel,
    })
}

/// A response's body as JSON.
pub async fn json_of(response: Response) -> serde_json::Value {
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Now minus `days`, as RFC 3339.
pub fn days_ago(days: i64) -> String {
    (time::OffsetDateTime::now_utc() - time::Duration::days(days))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

impl TestApp {
    pub fn api_token(&self, scopes: &[&str], regions: &[&str]) -> Token {
        let created = tokens::create(
            &self.ctx,
            Requester::Operator,
            &RawNewApiToken {
                name: "test system".to_string(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                regions: regions.iter().map(|s| s.to_string()).collect(),
                expires: String::new(),
            },
        )
        .expect("create API token");
        Token {
            id: created.token.id.to_string(),
            secret: created.secret.as_str().to_string(),
        }
    }

    pub async fn api_get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.client.get(format!("{}{}", self.address, path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("API GET");
        self.record(format!("GET {path}"), response.status());
        response
    }

    pub async fn api_post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> Response {
        let mut request = self
            .client
            .post(format!("{}{}", self.address, path))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(body).unwrap());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("API POST");
        self.record(format!("POST {path}"), response.status());
        response
    }

    /// Posts raw bytes with a content type.
    pub async fn api_post_raw(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Response {
        let response = self
            .client
            .post(format!("{}{}", self.address, path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("API POST raw");
        self.record(format!("POST {path} (raw)"), response.status());
        response
    }
}
