//! Pinned data-plane client certificates, data-plane node records and the expected
//! configuration hash, in the `{item}` / `{items, page}` shapes of the configuration API
//! (timestamps as Unix seconds).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::dto::{
    CertificatePage, CompatibilityStatus, DpCertificate, DpCertificateItem, DpCertificateList, EolNode, EolNodeList,
    ExpectedConfigHash, Node, NodeItem, NodeList, TotalCount,
};
use super::runtime_groups::{changeable, readable, Need};
use crate::api::{created, ok, status};
use crate::auth::Principal;
use crate::domain::certificate::parse_pinned_cert;
use crate::domain::filter::PageRequest;
use crate::domain::ids::{CertificateId, RuntimeGroupId};
use crate::domain::runtime_group::Naming;
use crate::error::{ApiError, ApiResult, InvalidParameter};
use crate::http::extract::{Json, Path};
use crate::http::query::RawQuery;
use crate::http::Region;
use crate::state::AppState;
use crate::store::{CertificateRecord, NodeRecord};

/// The hash a data plane reports for an empty configuration.
pub const EMPTY_CONFIG_HASH: &str = "00000000000000000000000000000000";

/// `page_size` (1–1000, default 100) and `page_number` (from 1).
fn config_api_page(q: &RawQuery) -> ApiResult<PageRequest> {
    let mut page = PageRequest { number: 1, size: 100 };
    for (key, max) in [("page_size", 1000i64), ("page_number", i64::from(u32::MAX / 2))] {
        let Some(raw) = q.single(key)?.filter(|v| !v.is_empty()) else {
            continue;
        };
        match raw.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => {
                if key == "page_size" {
                    page.size = n as u32
                } else {
                    page.number = n as u32
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
    Ok(page)
}

/// `{total_count, has_next_page[, next_cursor]}`; the cursor (the next page number) is only
/// present when there is a next page, as the spec types it as a non-nullable string.
fn page_body(total: i64, has_next: bool, page: PageRequest) -> CertificatePage {
    CertificatePage {
        total_count: total,
        has_next_page: has_next,
        next_cursor: has_next.then(|| (page.number + 1).to_string()),
    }
}

fn cert_body(c: &CertificateRecord) -> DpCertificate {
    DpCertificate {
        id: c.id,
        cert: c.cert.clone(),
        created_at: c.created_at.timestamp(),
        updated_at: c.updated_at.timestamp(),
    }
}

fn node_body(n: &NodeRecord) -> Node {
    Node {
        id: n.id.clone(),
        version: n.version.clone(),
        hostname: n.hostname.clone(),
        last_ping: n.last_ping,
        kind: n.kind.clone(),
        created_at: n.created_at.timestamp(),
        updated_at: n.updated_at.timestamp(),
        config_hash: n.config_hash.clone(),
        compatibility_status: CompatibilityStatus {
            state: n.compatibility_state.clone(),
        },
    }
}

pub async fn list_certificates(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path(id): Path<Uuid>,
    q: RawQuery,
) -> ApiResult<Response> {
    let page = config_api_page(&q)?;
    let g = readable(&state, &p, &region, id, naming).await?;
    let res = state.store.list_certificates(RuntimeGroupId(g.id), page).await?;
    let has_next = page.offset() + (res.items.len() as i64) < res.total;
    Ok(ok(DpCertificateList {
        items: res.items.iter().map(cert_body).collect(),
        page: page_body(res.total, has_next, page),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PinRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    cert: Option<String>,
}

pub async fn pin_certificate(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path(id): Path<Uuid>,
    Json(body): Json<PinRequest>,
) -> ApiResult<Response> {
    let g = changeable(&state, &p, &region, id, naming, Need::Certificates).await?;
    let raw = body
        .cert
        .ok_or_else(|| ApiError::invalid(InvalidParameter::required("cert")))?;
    let now = state.clock.now();
    let pinned = parse_pinned_cert(&raw, now.timestamp()).map_err(|reason| {
        ApiError::invalid(
            InvalidParameter::new("cert", format!("certificate {reason}"))
                .rule("invalid")
                .source("body"),
        )
    })?;
    match state
        .store
        .insert_certificate(RuntimeGroupId(g.id), &pinned.pem, &pinned.fingerprint, now)
        .await
    {
        Ok(c) => Ok(created(DpCertificateItem { item: cert_body(&c) })),
        Err(e) if e.is_conflict() => Err(ApiError::Conflict(
            "This certificate is already pinned on the group.".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn get_certificate(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path((id, cert)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    let g = readable(&state, &p, &region, id, naming).await?;
    let c = state
        .store
        .find_certificate(RuntimeGroupId(g.id), CertificateId(cert))
        .await?
        .ok_or_else(|| ApiError::not_found("certificate"))?;
    Ok(ok(DpCertificateItem { item: cert_body(&c) }))
}

pub async fn delete_certificate(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path((id, cert)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    let g = changeable(&state, &p, &region, id, naming, Need::Certificates).await?;
    if !state
        .store
        .delete_certificate(RuntimeGroupId(g.id), CertificateId(cert))
        .await?
    {
        return Err(ApiError::not_found("certificate"));
    }
    Ok(status(StatusCode::NO_CONTENT))
}

pub async fn list_nodes(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path(id): Path<Uuid>,
    q: RawQuery,
) -> ApiResult<Response> {
    let page = config_api_page(&q)?;
    let g = readable(&state, &p, &region, id, naming).await?;
    let res = state.store.list_nodes(RuntimeGroupId(g.id), page).await?;
    Ok(ok(NodeList {
        items: res.items.iter().map(node_body).collect(),
        page: TotalCount { total_count: res.total },
    }))
}

/// Major version below which Kong Gateway data planes are end of life.
const SUPPORTED_MAJOR: u32 = 3;

fn eol_message(version: &str) -> Option<String> {
    let major: u32 = version.trim_start_matches('v').split('.').next()?.parse().ok()?;
    (major < SUPPORTED_MAJOR).then(|| {
        format!(
            "Kong Gateway {version} has reached end of life; upgrade the data plane to {SUPPORTED_MAJOR}.x or later."
        )
    })
}

pub async fn list_eol_nodes(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path(id): Path<Uuid>,
    q: RawQuery,
) -> ApiResult<Response> {
    let page = config_api_page(&q)?;
    let g = readable(&state, &p, &region, id, naming).await?;
    let eol: Vec<EolNode> = state
        .store
        .all_nodes(RuntimeGroupId(g.id))
        .await?
        .iter()
        .filter_map(|n| {
            eol_message(&n.version).map(|message| EolNode {
                node_id: n.id.clone(),
                node_version: n.version.clone(),
                message,
            })
        })
        .collect();
    let total = eol.len() as i64;
    let items: Vec<EolNode> = eol
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.size as usize)
        .collect();
    Ok(ok(EolNodeList {
        items,
        page: TotalCount { total_count: total },
    }))
}

fn node_id(raw: &str) -> ApiResult<&str> {
    if raw.is_empty() || raw.len() > 128 || raw.chars().any(|c| c.is_control()) {
        return Err(ApiError::invalid(
            InvalidParameter::new("nodeId", "is not a valid node id")
                .rule("invalid")
                .source("path"),
        ));
    }
    Ok(raw)
}

pub async fn get_node(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path((id, node)): Path<(Uuid, String)>,
) -> ApiResult<Response> {
    let g = readable(&state, &p, &region, id, naming).await?;
    let n = state
        .store
        .find_node(RuntimeGroupId(g.id), node_id(&node)?)
        .await?
        .ok_or_else(|| ApiError::not_found("node"))?;
    Ok(ok(NodeItem { item: node_body(&n) }))
}

pub async fn delete_node(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path((id, node)): Path<(Uuid, String)>,
) -> ApiResult<Response> {
    let g = changeable(&state, &p, &region, id, naming, Need::Certificates).await?;
    if !state.store.delete_node(RuntimeGroupId(g.id), node_id(&node)?).await? {
        return Err(ApiError::not_found("node"));
    }
    Ok(status(StatusCode::NO_CONTENT))
}

pub async fn expected_config_hash(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let g = readable(&state, &p, &region, id, naming).await?;
    Ok(ok(ExpectedConfigHash {
        expected_hash: EMPTY_CONFIG_HASH.to_string(),
        created_at: g.created_at.timestamp(),
        updated_at: g.updated_at.timestamp(),
    }))
}

#[cfg(test)]
mod tests {
    use super::eol_message;

    #[test]
    fn eol_versions() {
        assert!(eol_message("2.8.4").is_some());
        assert!(eol_message("3.4.0").is_none());
        assert!(eol_message("garbage").is_none());
    }
}
