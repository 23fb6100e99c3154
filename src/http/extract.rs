//! Extractors whose rejections are Konnect-shaped 400s instead of axum's plain text.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, InvalidParameter};

/// A JSON body. Syntax errors give `{field: body, reason: "request format is invalid"}`; type
/// errors and unknown properties name the offending field.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let mut form = false;
        if let Some(ct) = req.headers().get(CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
            let mime = ct.split(';').next().unwrap_or("").trim();
            form = mime == "application/x-www-form-urlencoded";
            if !(form || mime == "application/json" || mime.ends_with("+json")) {
                return Err(ApiError::UnsupportedMediaType);
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::invalid(InvalidParameter::new("body", "request format is invalid").source("body"))
            }
        })?;
        let trimmed = bytes.trim_ascii_start();
        if form && !trimmed.is_empty() && trimmed[0] != b'{' {
            // A form body: flat string fields, as Konnect also accepts.
            let obj: serde_json::Map<String, serde_json::Value> = form_urlencoded::parse(&bytes)
                .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
                .collect();
            return parse_json(serde_json::Value::Object(obj).to_string().as_bytes()).map(Json);
        }
        parse_json(&bytes).map(Json)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid(
            InvalidParameter::new("body", "a JSON request body is required")
                .rule("required")
                .source("body"),
        ));
    }
    let body = bytes;
    if body.trim_ascii_start().first() != Some(&b'{') {
        let reason = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(_) => "request body must be a JSON object",
            Err(_) => "request format is invalid",
        };
        return Err(ApiError::invalid(InvalidParameter::new("body", reason).source("body")));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() || path == "." {
            let reason = if inner.is_data() {
                "request body must be a JSON object".to_string()
            } else {
                "request format is invalid".to_string()
            };
            return ApiError::invalid(InvalidParameter::new("body", reason).source("body"));
        }
        let msg = inner.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        if let Some(rest) = msg.strip_prefix("unknown field `") {
            // The path already ends with the unknown property's name.
            let name = rest.split('`').next().unwrap_or("");
            let field = if path.is_empty() || path == "." {
                name.to_string()
            } else {
                path.replace("?.", "")
            };
            return ApiError::invalid(
                InvalidParameter::new(field.clone(), format!("property {field} should not exist"))
                    .rule("unknown_property")
                    .source("body"),
            );
        }
        let rule = if msg.contains("expected a string") || msg.contains("expected a borrowed string") {
            Some("is_string")
        } else if msg.contains("expected a boolean") {
            Some("is_boolean")
        } else if msg.contains("expected an array") || msg.contains("expected a sequence") {
            Some("is_array")
        } else if msg.contains("expected a map") || msg.contains("expected struct") {
            Some("is_object")
        } else if msg.contains("expected i") || msg.contains("expected u") {
            Some("is_integer")
        } else if msg.starts_with("missing field") {
            Some("required")
        } else {
            None
        };
        let field = if msg.starts_with("missing field `") {
            let name = msg
                .trim_start_matches("missing field `")
                .split('`')
                .next()
                .unwrap_or("");
            if path == "." {
                name.to_string()
            } else {
                format!("{path}.{name}")
            }
        } else {
            path
        };
        let reason = match rule {
            Some("required") => "is a required field".to_string(),
            _ => msg,
        };
        let mut p = InvalidParameter::new(field, reason).source("body");
        if let Some(r) = rule {
            p = p.rule(r);
        }
        ApiError::invalid(p)
    })
}

/// Path parameters. An id that is not a UUID cannot name anything, so it is a 404 (Konnect's
/// specs type most path ids as plain strings and document 404, not 400, for them).
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(_) => Err(ApiError::NotFound("The requested resource was not found".into())),
        }
    }
}

/// For optional body fields whose schema is not nullable: absent is `None`, but an explicit
/// `null` is a type error (a 400 naming the field), not "absent".
/// Use as `#[serde(default, deserialize_with = "crate::http::extract::non_null")]`.
pub fn non_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}
