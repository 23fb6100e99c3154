use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::dto::AssignedRole;
use super::system_accounts::find_account;
use super::teams::{find_team, system_team_error};
use crate::api::{created, ok, status, Problems};
use crate::auth::rbac::{Grant, Grants};
use crate::auth::{Anyone, Authorized, IdentityRead, IdentityWrite, Principal};
use crate::domain::filter::{FieldSpec, Filter, Value};
use crate::domain::ids::{OrgId, RoleAssignmentId, UserId};
use crate::domain::roles::{predefined_roles, EntityType, ENTITY_TYPE_NAMES_V3, ROLE_NAMES};
use crate::error::{ApiError, ApiResult, InvalidParameter};
use crate::http::extract::{Json, Path};
use crate::http::filter::{parse_filter, text, EQ};
use crate::http::query::{Paginated, Pagination, RawQuery};
use crate::http::ApiVersion;
use crate::state::AppState;
use crate::store::{NewRoleAssignment, PrincipalKind};

const ROLE_FILTERS: &[FieldSpec] = &[text("role_name", EQ), text("entity_type_name", EQ)];

/// The predefined roles document: entity type key → `{name, roles: {key: {name, description}}}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(value_type = Object)]
pub struct Roles(serde_json::Value);

pub async fn get_predefined_roles(_p: Authorized<Anyone>, ApiVersion(v): ApiVersion) -> Response {
    ok(Roles(predefined_roles(v)))
}

/// Checks that the principal exists (and for teams, that it may be changed when `write`).
async fn target(state: &AppState, org: OrgId, kind: PrincipalKind, id: Uuid, write: bool) -> ApiResult<()> {
    match kind {
        PrincipalKind::User => {
            state
                .store
                .find_user(org, UserId(id))
                .await?
                .ok_or_else(|| ApiError::not_found("user"))?;
        }
        PrincipalKind::Team => {
            let t = find_team(state, org, id).await?;
            if write && t.system_team {
                return Err(system_team_error());
            }
        }
        PrincipalKind::SystemAccount => {
            find_account(state, org, id).await?;
        }
    }
    Ok(())
}

/// `filter[entity_type_name]` matches both spellings of a type (`Runtime Groups` and
/// `Control Planes` are one type), through the stored canonical key.
fn role_filter(q: &RawQuery) -> ApiResult<Filter> {
    let mut filter = parse_filter(q, ROLE_FILTERS)?;
    for c in &mut filter.conditions {
        if c.field != "entity_type_name" {
            continue;
        }
        if let Value::Text(name) = &c.value {
            if let Some(t) = EntityType::parse(name) {
                c.field = "entity_type_key";
                c.value = Value::Text(t.key().to_string());
            }
        }
    }
    Ok(filter)
}

async fn list(
    state: AppState,
    org: OrgId,
    kind: PrincipalKind,
    id: Uuid,
    page: crate::domain::filter::PageRequest,
    q: RawQuery,
    version: u8,
) -> ApiResult<Response> {
    let filter = role_filter(&q)?;
    target(&state, org, kind, id, false).await?;
    let res = state.store.list_role_assignments(org, kind, id, &filter, page).await?;
    Ok(ok(Paginated::new(res, page, |r| AssignedRole::from_record(r, version))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AssignRoleRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    role_name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    entity_id: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    entity_type_name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    entity_region: Option<String>,
}

async fn assign(
    state: AppState,
    p: &Principal,
    kind: PrincipalKind,
    id: Uuid,
    body: AssignRoleRequest,
    version: u8,
) -> ApiResult<Response> {
    let org = p.org;
    target(&state, org, kind, id, true).await?;
    let mut problems = Problems::default();
    let role = match body.role_name.as_deref() {
        None => {
            problems.push(InvalidParameter::required("role_name"));
            None
        }
        Some(r) if ROLE_NAMES.contains(&r) => Some(r),
        Some(_) => {
            problems.push(InvalidParameter::choices("role_name", &ROLE_NAMES));
            None
        }
    };
    let entity_type = match body.entity_type_name.as_deref() {
        None => {
            problems.push(InvalidParameter::required("entity_type_name"));
            None
        }
        Some(t) => match EntityType::parse(t) {
            Some(et) => Some(et),
            None => {
                problems.push(InvalidParameter::choices("entity_type_name", &ENTITY_TYPE_NAMES_V3));
                None
            }
        },
    };
    if let (Some(r), Some(t)) = (role, entity_type) {
        if let Some(allowed) = t.allowed_roles() {
            if !allowed.contains(&r) {
                problems.push(InvalidParameter::choices("role_name", allowed));
            }
        }
    }
    match body.entity_id.as_deref() {
        None => problems.push(InvalidParameter::required("entity_id")),
        Some("*") => {}
        Some(e) if Uuid::parse_str(e).is_ok() => {}
        Some(_) => problems.push(
            InvalidParameter::new("entity_id", "must be a valid UUID or '*'")
                .rule("is_uuid")
                .source("body"),
        ),
    }
    let mut regions: Vec<&str> = state.config.regions.iter().map(String::as_str).collect();
    regions.push("*");
    match body.entity_region.as_deref() {
        None => problems.push(InvalidParameter::required("entity_region")),
        Some(r) if regions.contains(&r) => {}
        Some(_) => problems.push(InvalidParameter::choices("entity_region", &regions)),
    }
    problems.finish()?;
    let entity_type = entity_type.expect("validated above");
    // A canonical id, so that the same entity spelled in upper case still collides.
    let entity_id = body.entity_id.as_deref().unwrap_or("*").to_ascii_lowercase();
    let region = body.entity_region.as_deref().unwrap_or_default();
    p.ensure_covers(&Grants {
        grants: vec![Grant {
            role: role.unwrap_or_default().to_string(),
            entity_type: Some(entity_type),
            entity_id: entity_id.clone(),
            region: region.to_string(),
        }],
        ..Grants::default()
    })?;
    let new = NewRoleAssignment {
        role_name: role.unwrap_or_default(),
        entity_type_name: body.entity_type_name.as_deref().unwrap_or_default(),
        entity_type_key: entity_type.key(),
        entity_id: &entity_id,
        entity_region: body.entity_region.as_deref().unwrap_or_default(),
    };
    match state
        .store
        .insert_role_assignment(org, kind, id, new, state.clock.now())
        .await
    {
        Ok(rec) => Ok(created(AssignedRole::from_record(rec, version))),
        Err(e) if e.is_conflict() => Err(ApiError::Conflict("The role is already assigned".into())),
        Err(e) => Err(e.into()),
    }
}

async fn remove(state: AppState, org: OrgId, kind: PrincipalKind, id: Uuid, role_id: Uuid) -> ApiResult<Response> {
    target(&state, org, kind, id, true).await?;
    if !state
        .store
        .delete_role_assignment(org, kind, id, RoleAssignmentId(role_id))
        .await?
    {
        return Err(ApiError::not_found("role"));
    }
    Ok(status(StatusCode::NO_CONTENT))
}

pub async fn list_user_roles(
    State(s): State<AppState>,
    p: Authorized<IdentityRead>,
    Path(id): Path<Uuid>,
    Pagination(page): Pagination,
    q: RawQuery,
    ApiVersion(v): ApiVersion,
) -> ApiResult<Response> {
    list(s, p.org, PrincipalKind::User, id, page, q, v).await
}
pub async fn list_team_roles(
    State(s): State<AppState>,
    p: Authorized<IdentityRead>,
    Path(id): Path<Uuid>,
    Pagination(page): Pagination,
    q: RawQuery,
    ApiVersion(v): ApiVersion,
) -> ApiResult<Response> {
    list(s, p.org, PrincipalKind::Team, id, page, q, v).await
}
pub async fn list_system_account_roles(
    State(s): State<AppState>,
    p: Authorized<IdentityRead>,
    Path(id): Path<Uuid>,
    Pagination(page): Pagination,
    q: RawQuery,
    ApiVersion(v): ApiVersion,
) -> ApiResult<Response> {
    list(s, p.org, PrincipalKind::SystemAccount, id, page, q, v).await
}
pub async fn users_assign_role(
    State(s): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path(id): Path<Uuid>,
    ApiVersion(v): ApiVersion,
    Json(b): Json<AssignRoleRequest>,
) -> ApiResult<Response> {
    assign(s, &p, PrincipalKind::User, id, b, v).await
}
pub async fn teams_assign_role(
    State(s): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path(id): Path<Uuid>,
    ApiVersion(v): ApiVersion,
    Json(b): Json<AssignRoleRequest>,
) -> ApiResult<Response> {
    assign(s, &p, PrincipalKind::Team, id, b, v).await
}
pub async fn system_accounts_assign_role(
    State(s): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path(id): Path<Uuid>,
    ApiVersion(v): ApiVersion,
    Json(b): Json<AssignRoleRequest>,
) -> ApiResult<Response> {
    assign(s, &p, PrincipalKind::SystemAccount, id, b, v).await
}
pub async fn users_remove_role(
    State(s): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path((id, r)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    remove(s, p.org, PrincipalKind::User, id, r).await
}
pub async fn teams_remove_role(
    State(s): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path((id, r)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    remove(s, p.org, PrincipalKind::Team, id, r).await
}
pub async fn system_accounts_remove_role(
    State(s): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path((id, r)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    remove(s, p.org, PrincipalKind::SystemAccount, id, r).await
}
