//! Reading form bodies: capped in size, strictly UTF-8, repeated fields into vectors.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::error::WebError;
use crate::error::AppError;

/// The largest form body accepted: the longest form holds a few 5,000-character fields.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Reads and decodes an `application/x-www-form-urlencoded` body.
pub async fn read_form<T: DeserializeOwned>(
    req: &HttpRequest,
    mut payload: web::Payload,
) -> Result<T, WebError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err(AppError::BadRequest(
            "This address accepts form submissions only.".to_string(),
        )
        .into());
    }
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_FORM_BYTES) {
        return Err(WebError::PayloadTooLarge);
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            AppError::BadRequest("The form could not be read completely.".to_string())
        })?;
        if body.len() + chunk.len() > MAX_FORM_BYTES {
            return Err(WebError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(decode(&body)?)
}

/// Decodes a form body, refusing (rather than silently repairing) text that is not UTF-8,
/// and the NUL character, which no field has a use for and PostgreSQL cannot store in text.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let not_text =
        || AppError::BadRequest("The form contained text that is not valid UTF-8.".to_string());
    let text = std::str::from_utf8(body).map_err(|_| not_text())?;
    for pair in text.split('&') {
        let pair = pair.replace('+', " ");
        let decoded = percent_encoding::percent_decode_str(&pair)
            .decode_utf8()
            .map_err(|_| not_text())?;
        if decoded.contains('\0') {
            return Err(AppError::BadRequest(
                "The form contained a NUL character, which cannot be stored. Remove it and send the form again.".to_string(),
            ));
        }
    }
    serde_html_form::from_str(text)
        .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sample {
        #[serde(default)]
        name: String,
        #[serde(default)]
        purposes: Vec<String>,
    }

    #[test]
    fn repeated_fields_become_a_list() {
        let sample: Sample = decode(b"name=A+B%C3%A9&purposes=x&purposes=y").unwrap();
        assert_eq!(sample.name, "A Bé");
        assert_eq!(sample.purposes, vec!["x", "y"]);
    }

    #[test]
    fn nul_characters_are_refused_raw_or_encoded() {
        for body in [&b"name=a%00b"[..], b"na%00me=ab", b"name=a\0b"] {
            assert!(
                matches!(decode::<Sample>(body), Err(AppError::BadRequest(_))),
                "{body:?}"
            );
        }
        // Text that reads "%00" is not a NUL.
        assert_eq!(decode::<Sample>(b"name=%2500").unwrap().name, "%00");
    }

    #[test]
    fn invalid_utf8_is_refused_raw_or_encoded() {
        assert!(matches!(
            decode::<Sample>(b"name=%FF%FE"),
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(
            decode::<Sample>(b"name=\xff"),
            Err(AppError::BadRequest(_))
        ));
    }
}
