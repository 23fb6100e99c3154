//! One error type for the HTTP boundary, rendered as Konnect's problem+json.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

/// One entry of `invalid_parameters` in a 400 body. Optional members are only
/// serialized when set, so each entry matches one of Konnect's `InvalidParameter*` shapes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InvalidParameter {
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
}

impl InvalidParameter {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        InvalidParameter {
            field: field.into(),
            rule: None,
            source: None,
            reason: reason.into(),
            minimum: None,
            maximum: None,
            choices: None,
        }
    }
    pub fn rule(mut self, rule: &'static str) -> Self {
        self.rule = Some(rule);
        self
    }
    pub fn source(mut self, source: &'static str) -> Self {
        self.source = Some(source);
        self
    }
    pub fn required(field: impl Into<String>) -> Self {
        Self::new(field, "is a required field").rule("required").source("body")
    }
    pub fn max_length(field: impl Into<String>, max: i64) -> Self {
        let mut p = Self::new(field, format!("must not have more than {max} characters"))
            .rule("max_length")
            .source("body");
        p.maximum = Some(max);
        p
    }
    pub fn choices(field: impl Into<String>, choices: &[&str]) -> Self {
        let mut p = Self::new(field, format!("must be one of: {}", choices.join(", ")))
            .rule("enum")
            .source("body");
        p.choices = Some(choices.iter().map(|c| c.to_string()).collect());
        p
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request")]
    InvalidParameters {
        detail: String,
        params: Vec<InvalidParameter>,
    },
    #[error("unauthenticated")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("uri too long")]
    UriTooLong,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A 400 for one parameter.
    pub fn invalid(param: InvalidParameter) -> Self {
        ApiError::InvalidParameters {
            detail: "Invalid parameters".into(),
            params: vec![param],
        }
    }
    /// A 400 for several parameters; repeated entries are reported once (the spec requires
    /// `invalid_parameters` items to be unique).
    pub fn invalid_many(params: Vec<InvalidParameter>) -> Self {
        let mut unique: Vec<InvalidParameter> = Vec::with_capacity(params.len());
        for p in params {
            if !unique.contains(&p) {
                unique.push(p);
            }
        }
        ApiError::InvalidParameters {
            detail: "Invalid parameters".into(),
            params: unique,
        }
    }
    /// A 400 carrying its own detail and one parameter.
    pub fn bad_request(detail: impl Into<String>, param: InvalidParameter) -> Self {
        ApiError::InvalidParameters {
            detail: detail.into(),
            params: vec![param],
        }
    }
    pub fn forbidden() -> Self {
        ApiError::Forbidden("You do not have permission to perform this action".into())
    }
    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("The requested {what} was not found"))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidParameters { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong => StatusCode::URI_TOO_LONG,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Serialize)]
struct Problem<'a> {
    status: u16,
    title: &'a str,
    #[serde(rename = "type")]
    kind: String,
    instance: String,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    invalid_parameters: Option<&'a [InvalidParameter]>,
}

/// A correlation id in Konnect's `konnect:trace:<digits>` form.
pub fn trace_id() -> String {
    format!("konnect:trace:{}", rand::random::<u64>() >> 1)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (title, detail, params) = match &self {
            ApiError::InvalidParameters { detail, params } => ("Bad Request", detail.clone(), Some(params.as_slice())),
            ApiError::Unauthenticated => ("Unauthenticated", "A valid token is required".to_string(), None),
            ApiError::Forbidden(d) => ("Forbidden", d.clone(), None),
            ApiError::NotFound(d) => ("Not Found", d.clone(), None),
            ApiError::MethodNotAllowed => (
                "Method Not Allowed",
                "The method is not allowed for the requested URL".into(),
                None,
            ),
            ApiError::Conflict(d) => ("Conflict", d.clone(), None),
            ApiError::PreconditionFailed(d) => ("Precondition Failed", d.clone(), None),
            ApiError::PayloadTooLarge => ("Payload Too Large", "The request body is too large".into(), None),
            ApiError::UriTooLong => ("URI Too Long", "The request URI is too long".into(), None),
            ApiError::UnsupportedMediaType => (
                "Unsupported Media Type",
                "Expected a request with 'Content-Type: application/json'".into(),
                None,
            ),
            ApiError::TooManyRequests(d) => ("Too Many Requests", d.clone(), None),
            ApiError::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "internal error");
                ("Internal Server Error", "An unexpected error occurred".into(), None)
            }
        };
        let body = Problem {
            status: status.as_u16(),
            title,
            kind: format!("https://httpstatuses.com/{}", status.as_u16()),
            instance: trace_id(),
            detail,
            invalid_parameters: params,
        };
        let mut resp = (status, axum::Json(body)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::Conflict(detail) => ApiError::Conflict(detail),
            StoreError::Other(err) => ApiError::Internal(err),
        }
    }
}
