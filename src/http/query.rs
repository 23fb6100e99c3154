//! The raw query string as ordered pairs, and page-number pagination (`page[size]`,
//! `page[number]`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;

use crate::domain::filter::{Page, PageRequest};
use crate::error::{ApiError, InvalidParameter};
use crate::state::AppState;

/// Every query pair, percent-decoded, in order.
#[derive(Debug, Clone, Default)]
pub struct RawQuery(pub Vec<(String, String)>);

impl RawQuery {
    pub fn parse(q: &str) -> RawQuery {
        RawQuery(form_urlencoded::parse(q.as_bytes()).into_owned().collect())
    }

    /// The value of a parameter that may be given once; repeating it with different values is
    /// a 400 (the server would otherwise silently pick one).
    pub fn single(&self, key: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let first = values.next();
        if let Some(f) = first {
            if values.any(|v| v != f) {
                return Err(ApiError::invalid(
                    InvalidParameter::new(key, "must be given at most once")
                        .rule("invalid")
                        .source("query"),
                ));
            }
        }
        Ok(first)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RawQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(RawQuery::parse(parts.uri.query().unwrap_or("")))
    }
}

pub const DEFAULT_PAGE_SIZE: u32 = 10;

/// Parses `page[size]` and `page[number]`; empty values take the defaults.
pub fn parse_page(q: &RawQuery, max_size: u32) -> Result<PageRequest, ApiError> {
    let mut page = PageRequest {
        number: 1,
        size: DEFAULT_PAGE_SIZE.min(max_size),
    };
    let mut problems = Vec::new();
    for (key, value) in &q.0 {
        let (target, name, max) = match key.as_str() {
            "page[size]" => (&mut page.size, "page[size]", max_size as i64),
            "page[number]" => (&mut page.number, "page[number]", i64::from(u32::MAX / 2)),
            _ => continue,
        };
        if value.is_empty() {
            continue;
        }
        match value.trim().parse::<i64>() {
            Ok(n) if n >= 1 && n <= max => *target = n as u32,
            Ok(n) if n < 1 => problems.push(
                InvalidParameter::new(name, "must be greater than or equal to 1")
                    .rule("invalid")
                    .source("query"),
            ),
            Ok(_) => problems.push(
                InvalidParameter::new(name, format!("must be less than or equal to {max}"))
                    .rule("invalid")
                    .source("query"),
            ),
            Err(_) => problems.push(
                InvalidParameter::new(name, "must be an integer")
                    .rule("is_integer")
                    .source("query"),
            ),
        }
    }
    if problems.is_empty() {
        Ok(page)
    } else {
        Err(ApiError::invalid_many(problems))
    }
}

/// `page[size]`/`page[number]` as an extractor, bounded by the configured maximum.
pub struct Pagination(pub PageRequest);

impl FromRequestParts<AppState> for Pagination {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let q = RawQuery::parse(parts.uri.query().unwrap_or(""));
        parse_page(&q, state.config.max_page_size).map(Pagination)
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PageMeta {
    pub number: u32,
    pub size: u32,
    pub total: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Meta {
    pub page: PageMeta,
}

/// `{meta: {page: {number, size, total}}, data: [...]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Paginated<T: Serialize> {
    pub meta: Meta,
    pub data: Vec<T>,
}

impl<T: Serialize> Paginated<T> {
    pub fn new<R>(page: Page<R>, req: PageRequest, f: impl FnMut(R) -> T) -> Self {
        Paginated {
            meta: Meta {
                page: PageMeta {
                    number: req.number,
                    size: req.size,
                    total: page.total,
                },
            },
            data: page.items.into_iter().map(f).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn defaults_and_bounds() {
        let p = parse_page(&RawQuery::parse(""), 100).unwrap();
        assert_eq!((p.number, p.size), (1, 10));
        let p = parse_page(&RawQuery::parse("page%5Bsize%5D=100&page[number]=3"), 100).unwrap();
        assert_eq!((p.number, p.size), (3, 100));
        let p = parse_page(&RawQuery::parse("page[size]=&page[number]="), 100).unwrap();
        assert_eq!((p.number, p.size), (1, 10));
        for bad in [
            "page[size]=0",
            "page[size]=-1",
            "page[size]=101",
            "page[number]=0",
            "page[size]=x",
            "page[number]=1.5",
        ] {
            assert!(parse_page(&RawQuery::parse(bad), 100).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(q in ".{0,200}") {
            let _ = parse_page(&RawQuery::parse(&q), 100);
        }

        #[test]
        fn accepted_pages_are_in_range(size in any::<i64>(), number in any::<i64>()) {
            let q = RawQuery::parse(&format!("page[size]={size}&page[number]={number}"));
            if let Ok(p) = parse_page(&q, 100) {
                prop_assert!((1..=100).contains(&p.size));
                prop_assert!(p.number >= 1);
                prop_assert!(p.offset() >= 0);
            }
        }
    }
}
