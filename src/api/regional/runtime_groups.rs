//! Runtime groups / control planes: create, list, get, update, delete.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::dto::{runtime_group, ProxyUrl};
use crate::api::{created, ok, optional_text, required_text, status, Problems};
use crate::auth::rbac::Action;
use crate::auth::Principal;
use crate::domain::filter::{FieldSpec, Filter, Op, Value};
use crate::domain::ids::{OrgId, RuntimeGroupId};
use crate::domain::labels::{self, Labels};
use crate::domain::runtime_group::{
    parse_label_filter, parse_sort, ClusterKind, Naming, AUTH_TYPES, CP_CLUSTER_TYPES, PROXY_PROTOCOLS,
    RG_CLUSTER_TYPES,
};
use crate::error::{ApiError, ApiResult, InvalidParameter};
use crate::http::extract::{Json, Path};
use crate::http::filter::{boolean, parse_filter, text, uuid};
use crate::http::query::{Paginated, Pagination, RawQuery};
use crate::http::Region;
use crate::state::AppState;
use crate::store::{
    NewRoleAssignment, NewRuntimeGroup, PrincipalKind, RuntimeGroupChange, RuntimeGroupQuery, RuntimeGroupRecord,
    Visibility,
};

pub const MAX_NAME: usize = 100;
pub const MAX_DESCRIPTION: usize = 250;

const RG_FILTERS: &[FieldSpec] = &[
    uuid("id", &[Op::Eq, Op::OneOf]),
    text("name", &[Op::Eq, Op::Contains, Op::Neq]),
    text("cluster_type", &[Op::Eq, Op::Neq, Op::OneOf]),
    boolean("cloud_gateway"),
];

pub fn entity_name(naming: Naming) -> &'static str {
    match naming {
        Naming::RuntimeGroups => "runtime group",
        Naming::ControlPlanes => "control plane",
    }
}

fn not_found(naming: Naming) -> ApiError {
    ApiError::NotFound(format!("The requested {} was not found.", entity_name(naming)))
}

/// The group, if it exists in this org and region and the caller may read it; else 404.
pub async fn readable(
    state: &AppState,
    p: &Principal,
    region: &str,
    id: Uuid,
    naming: Naming,
) -> ApiResult<RuntimeGroupRecord> {
    let id_s = id.to_string();
    if !p.can(&Action::ReadRuntimeGroup { id: &id_s, region }) {
        return Err(not_found(naming));
    }
    state
        .store
        .find_runtime_group(p.org, region, RuntimeGroupId(id))
        .await?
        .ok_or_else(|| not_found(naming))
}

/// What a write needs beyond reading the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Update, delete, composite membership changes.
    Admin,
    /// Pin or delete certificates, delete nodes.
    Certificates,
}

/// Like `readable`, then requires `need` (403 when the group is readable but not changeable).
pub async fn changeable(
    state: &AppState,
    p: &Principal,
    region: &str,
    id: Uuid,
    naming: Naming,
    need: Need,
) -> ApiResult<RuntimeGroupRecord> {
    let g = readable(state, p, region, id, naming).await?;
    let id_s = id.to_string();
    let action = match need {
        Need::Admin => Action::AdminRuntimeGroup { id: &id_s, region },
        Need::Certificates => Action::ManageCertificates { id: &id_s, region },
    };
    if !p.can(&action) {
        return Err(ApiError::forbidden());
    }
    Ok(g)
}

/// Unknown-property checks, cluster type names and labels for create and update.
fn check_proxy_urls(urls: &[ProxyUrl], problems: &mut Problems) {
    for (i, u) in urls.iter().enumerate() {
        if u.host.trim().is_empty() || u.host.len() > 253 || u.host.contains(char::is_whitespace) {
            problems.push(
                InvalidParameter::new(format!("proxy_urls[{i}].host"), "must be a host name")
                    .rule("invalid")
                    .source("body"),
            );
        }
        if !(1..=65535).contains(&u.port) {
            problems.push(
                InvalidParameter::new(format!("proxy_urls[{i}].port"), "must be between 1 and 65535")
                    .rule("invalid")
                    .source("body"),
            );
        }
        if !PROXY_PROTOCOLS.contains(&u.protocol.as_str()) {
            problems.push(InvalidParameter::choices(
                format!("proxy_urls[{i}].protocol"),
                &PROXY_PROTOCOLS,
            ));
        }
    }
    if urls.len() > 64 {
        let p = InvalidParameter::new("proxy_urls", "must not have more than 64 items")
            .rule("invalid")
            .source("body");
        problems.push(p);
    }
}

/// The control-planes spec has no `InvalidParameterMaximumLength` shape: there a length limit is
/// reported in the standard shape (`rule: max_length`, no `maximum`).
fn finish(mut problems: Problems, naming: Naming) -> ApiResult<()> {
    if naming == Naming::ControlPlanes {
        for p in &mut problems.0 {
            p.maximum = None;
        }
    }
    problems.finish()
}

fn label_problem(e: labels::LabelError) -> InvalidParameter {
    InvalidParameter::new(e.field, e.reason).rule("is_label").source("body")
}

fn conflict(naming: Naming) -> ApiError {
    match naming {
        Naming::RuntimeGroups => ApiError::Conflict("Runtime group with provided name already exists.".into()),
        Naming::ControlPlanes => ApiError::Conflict("Control plane with provided name already exists.".into()),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRuntimeGroupRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    description: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    cluster_type: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    auth_type: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    cloud_gateway: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    proxy_urls: Option<Vec<ProxyUrl>>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    labels: Option<Labels>,
}

pub async fn create(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Json(body): Json<CreateRuntimeGroupRequest>,
) -> ApiResult<Response> {
    if !p.can(&Action::CreateRuntimeGroup { region: &region }) {
        return Err(ApiError::Forbidden(format!(
            "Insufficient role-set to create {}s.",
            entity_name(naming)
        )));
    }
    let mut problems = Problems::default();
    let name = problems.check(required_text("name", body.name.as_deref(), MAX_NAME));
    let description = body.description.unwrap_or_default();
    problems.check(optional_text("description", &description, MAX_DESCRIPTION));
    let cluster_type = body.cluster_type.unwrap_or_else(|| match naming {
        Naming::RuntimeGroups => "CLUSTER_TYPE_HYBRID".into(),
        Naming::ControlPlanes => "CLUSTER_TYPE_CONTROL_PLANE".into(),
    });
    if ClusterKind::parse(&cluster_type).is_none() {
        problems.push(InvalidParameter::choices(
            "cluster_type",
            if naming == Naming::RuntimeGroups {
                &RG_CLUSTER_TYPES
            } else {
                &CP_CLUSTER_TYPES
            },
        ));
    }
    let auth_type = body.auth_type.unwrap_or_else(|| "pinned_client_certs".into());
    if !AUTH_TYPES.contains(&auth_type.as_str()) {
        problems.push(InvalidParameter::choices("auth_type", &AUTH_TYPES));
    }
    let proxy_urls = body.proxy_urls.unwrap_or_default();
    check_proxy_urls(&proxy_urls, &mut problems);
    let labels = body.labels.unwrap_or_default();
    problems.check(labels::validate(&labels).map_err(label_problem));
    finish(problems, naming)?;

    let proxy_json = serde_json::to_string(&proxy_urls).map_err(anyhow::Error::from)?;
    let new = NewRuntimeGroup {
        name: name.as_deref().unwrap_or_default(),
        description: &description,
        cluster_type: &cluster_type,
        auth_type: &auth_type,
        cloud_gateway: body.cloud_gateway.unwrap_or(false),
        proxy_urls_json: &proxy_json,
        labels: &labels,
    };
    let now = state.clock.now();
    let g = match state.store.insert_runtime_group(p.org, &region, new, false, now).await {
        Ok(g) => g,
        Err(e) if e.is_conflict() => return Err(conflict(naming)),
        Err(e) => return Err(e.into()),
    };
    // The creator becomes Admin of what it creates.
    let id_s = g.id.to_string();
    if !p.can(&Action::AdminRuntimeGroup {
        id: &id_s,
        region: &region,
    }) {
        grant_admin(&state, p.org, &p, &id_s, &region, naming).await?;
    }
    Ok(created(runtime_group(&state.config, &g, naming)))
}

async fn grant_admin(
    state: &AppState,
    org: OrgId,
    p: &Principal,
    id: &str,
    region: &str,
    naming: Naming,
) -> ApiResult<()> {
    let kind = if p.kind == PrincipalKind::SystemAccount {
        PrincipalKind::SystemAccount
    } else {
        PrincipalKind::User
    };
    let new = NewRoleAssignment {
        role_name: "Admin",
        entity_type_name: if naming == Naming::RuntimeGroups {
            "Runtime Groups"
        } else {
            "Control Planes"
        },
        entity_type_key: "control_planes",
        entity_id: id,
        entity_region: region,
    };
    match state
        .store
        .insert_role_assignment(org, kind, p.id, new, state.clock.now())
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.is_conflict() => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// `filter[cluster_type]` matches both names of a kind.
fn widen_cluster_type(filter: &mut Filter) {
    for c in &mut filter.conditions {
        if c.field != "cluster_type" {
            continue;
        }
        let values: Vec<String> = match &c.value {
            Value::Text(s) => vec![s.clone()],
            Value::TextList(l) => l.clone(),
            _ => continue,
        };
        let mut names = Vec::new();
        for v in values {
            match ClusterKind::parse(v.trim()) {
                Some(k) => names.extend(k.names().iter().map(|s| s.to_string())),
                None => names.push(v),
            }
        }
        c.op = if c.op == Op::Neq { Op::NoneOf } else { Op::OneOf };
        c.value = Value::TextList(names);
    }
}

pub fn visibility(p: &Principal, region: &str) -> Visibility {
    if p.grants.reads_all_runtime_groups(region) {
        Visibility::All
    } else {
        Visibility::Only(
            p.grants
                .readable_runtime_group_ids(region)
                .iter()
                .filter_map(|s| Uuid::parse_str(s).ok())
                .collect(),
        )
    }
}

pub async fn list(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Pagination(page): Pagination,
    q: RawQuery,
) -> ApiResult<Response> {
    let mut filter = parse_filter(&q, RG_FILTERS)?;
    widen_cluster_type(&mut filter);
    let mut problems = Problems::default();
    let label_terms = match q.single("labels")? {
        Some(raw) => problems
            .check(
                parse_label_filter(raw).map_err(|r| InvalidParameter::new("labels", r).rule("invalid").source("query")),
            )
            .unwrap_or_default(),
        None => vec![],
    };
    let sort = match q.single("sort")? {
        Some(raw) => problems
            .check(parse_sort(raw).map_err(|r| InvalidParameter::new("sort", r).rule("invalid").source("query")))
            .unwrap_or_default(),
        None => vec![],
    };
    problems.finish()?;
    let vis = visibility(&p, &region);
    let res = state
        .store
        .list_runtime_groups(
            p.org,
            &region,
            RuntimeGroupQuery {
                filter: &filter,
                labels: &label_terms,
                sort: &sort,
                visibility: &vis,
            },
            page,
        )
        .await?;
    let config = state.config.clone();
    Ok(ok(Paginated::new(res, page, |g| runtime_group(&config, &g, naming))))
}

pub async fn get(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let g = readable(&state, &p, &region, id, naming).await?;
    Ok(ok(runtime_group(&state.config, &g, naming)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRuntimeGroupRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    description: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    auth_type: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    proxy_urls: Option<Vec<ProxyUrl>>,
    labels: Option<BTreeMap<String, Option<String>>>,
}

pub async fn update(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateRuntimeGroupRequest>,
) -> ApiResult<Response> {
    let g = changeable(&state, &p, &region, id, naming, Need::Admin).await?;
    let mut problems = Problems::default();
    if body.name.is_some() {
        problems.check(required_text("name", body.name.as_deref(), MAX_NAME));
        if g.is_default && body.name.as_deref() != Some(g.name.as_str()) {
            problems.push(
                InvalidParameter::new("name", "the default group cannot be renamed")
                    .rule("invalid")
                    .source("body"),
            );
        }
    }
    if let Some(d) = &body.description {
        problems.check(optional_text("description", d, MAX_DESCRIPTION));
    }
    if let Some(a) = &body.auth_type {
        if !AUTH_TYPES.contains(&a.as_str()) {
            problems.push(InvalidParameter::choices("auth_type", &AUTH_TYPES));
        }
    }
    if let Some(urls) = &body.proxy_urls {
        check_proxy_urls(urls, &mut problems);
    }
    let mut next_labels = None;
    if let Some(update) = &body.labels {
        let current: Labels = serde_json::from_str(&g.labels).unwrap_or_default();
        next_labels = problems.check(labels::apply_update(&current, update).map_err(label_problem));
    }
    finish(problems, naming)?;
    let proxy_json = match &body.proxy_urls {
        Some(u) => Some(serde_json::to_string(u).map_err(anyhow::Error::from)?),
        None => None,
    };
    let change = RuntimeGroupChange {
        name: body.name.as_deref(),
        description: body.description.as_deref(),
        auth_type: body.auth_type.as_deref(),
        proxy_urls_json: proxy_json.as_deref(),
        labels: next_labels.as_ref(),
    };
    let res = state
        .store
        .update_runtime_group(p.org, &region, RuntimeGroupId(id), change, state.clock.now())
        .await;
    match res {
        Ok(Some(g)) => Ok(ok(runtime_group(&state.config, &g, naming))),
        Ok(None) => Err(not_found(naming)),
        Err(e) if e.is_conflict() => Err(conflict(naming)),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let g = changeable(&state, &p, &region, id, naming, Need::Admin).await?;
    if g.is_default {
        return Err(ApiError::bad_request(
            format!("The default {} cannot be deleted.", entity_name(naming)),
            InvalidParameter::new("id", format!("the default {} cannot be deleted", entity_name(naming)))
                .rule("invalid")
                .source("path"),
        ));
    }
    state
        .store
        .delete_runtime_group(p.org, &region, RuntimeGroupId(id))
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}
