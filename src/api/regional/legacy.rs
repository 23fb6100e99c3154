//! decK's legacy listing: `GET /konnect-api/api/runtime_groups?page=&size=` →
//! `{data, page, pageCount}`.

use axum::extract::State;
use axum::response::Response;

use super::dto::{runtime_group, LegacyRuntimeGroups};
use super::runtime_groups::visibility;
use crate::api::ok;
use crate::auth::Principal;
use crate::domain::filter::{Filter, PageRequest};
use crate::domain::runtime_group::Naming;
use crate::error::{ApiError, ApiResult, InvalidParameter};
use crate::http::query::RawQuery;
use crate::http::Region;
use crate::state::AppState;
use crate::store::RuntimeGroupQuery;

pub async fn list_runtime_groups(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    q: RawQuery,
) -> ApiResult<Response> {
    let mut page = PageRequest { number: 1, size: 100 };
    for (key, max) in [("page", i64::from(u32::MAX / 2)), ("size", 100)] {
        let Some(raw) = q.single(key)?.filter(|v| !v.is_empty()) else {
            continue;
        };
        match raw.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => {
                if key == "page" {
                    page.number = n as u32
                } else {
                    page.size = n as u32
                }
            }
            _ => {
                return Err(ApiError::invalid(
                    InvalidParameter::new(key, format!("must be an integer from 1 to {max}"))
                        .rule("invalid")
                        .source("query"),
                ))
            }
        }
    }
    let vis = visibility(&p, &region);
    let filter = Filter::default();
    let res = state
        .store
        .list_runtime_groups(
            p.org,
            &region,
            RuntimeGroupQuery {
                filter: &filter,
                labels: &[],
                sort: &[],
                visibility: &vis,
            },
            page,
        )
        .await?;
    let page_count = (res.total + page.size as i64 - 1) / page.size as i64;
    Ok(ok(LegacyRuntimeGroups {
        data: res
            .items
            .iter()
            .map(|g| runtime_group(&state.config, g, Naming::RuntimeGroups))
            .collect(),
        page: page.number,
        page_count,
    }))
}
