//! HTTP handlers: `global` (identity) and `regional` (runtime groups). Wire DTOs live next to
//! their handlers; field names follow Konnect's specs.

pub mod global;
pub mod regional;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{ApiError, InvalidParameter};

/// 201 with a JSON body.
pub fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

pub fn ok<T: Serialize>(body: T) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

pub fn status(code: StatusCode) -> Response {
    code.into_response()
}

/// A required, non-blank string of at most `max` characters.
pub fn required_text(field: &str, value: Option<&str>, max: usize) -> Result<String, InvalidParameter> {
    match value {
        None => Err(InvalidParameter::required(field)),
        Some(v) if v.trim().is_empty() => Err(InvalidParameter::new(field, "cannot be blank")
            .rule("required")
            .source("body")),
        Some(v) => optional_text(field, v, max).map(str::to_string),
    }
}

/// An optional string of at most `max` characters.
pub fn optional_text<'a>(field: &str, v: &'a str, max: usize) -> Result<&'a str, InvalidParameter> {
    if v.chars().count() > max {
        return Err(InvalidParameter::max_length(field, max as i64));
    }
    if v.chars().any(|c| c == '\0') {
        return Err(InvalidParameter::new(field, "must not contain NUL characters")
            .rule("invalid")
            .source("body"));
    }
    Ok(v)
}

/// Collects validation problems and turns them into one 400.
#[derive(Default)]
pub struct Problems(pub Vec<InvalidParameter>);

impl Problems {
    pub fn check<T>(&mut self, r: Result<T, InvalidParameter>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(p) => {
                self.0.push(p);
                None
            }
        }
    }
    pub fn push(&mut self, p: InvalidParameter) {
        self.0.push(p);
    }
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid_many(self.0))
        }
    }
}
