use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::dto::{SystemAccount, Team, User};
use super::system_accounts::SA_FILTERS;
use super::users::user_filter;
use crate::api::{created, ok, optional_text, required_text, status, Problems};
use crate::auth::rbac::Grants;
use crate::auth::{Authorized, IdentityRead, IdentityWrite, Principal};
use crate::domain::filter::{FieldSpec, Filter, PageRequest};
use crate::domain::ids::{OrgId, SystemAccountId, TeamId, UserId};
use crate::domain::labels::{self, Labels};
use crate::domain::roles::ORG_ADMIN_TEAM;
use crate::error::{ApiError, ApiResult, InvalidParameter};
use crate::http::extract::{Json, Path};
use crate::http::filter::{boolean, parse_filter, text, uuid, EQ, EQ_CONTAINS};
use crate::http::query::{Paginated, Pagination, RawQuery};
use crate::http::ApiVersion;
use crate::state::AppState;
use crate::store::{AddMember, PrincipalKind, TeamRecord};

pub const TEAM_FILTERS: &[FieldSpec] = &[text("name", EQ_CONTAINS), uuid("id", EQ), boolean("system_team")];

/// Konnect's answer to any change of a predefined team.
pub fn system_team_error() -> ApiError {
    ApiError::invalid(
        InvalidParameter::new("teamID", "system teams cannot be modified")
            .rule("invalid")
            .source("path"),
    )
}

/// Joining a team hands out everything the team holds.
async fn ensure_covers_team(state: &AppState, p: &Principal, team: Uuid) -> ApiResult<()> {
    let held = state.store.principal_grants(p.org, PrincipalKind::Team, team).await?;
    p.ensure_covers(&Grants::from_records(&held))
}

pub async fn find_team(state: &AppState, org: OrgId, id: Uuid) -> ApiResult<TeamRecord> {
    state
        .store
        .find_team(org, TeamId(id))
        .await?
        .ok_or_else(|| ApiError::not_found("team"))
}

fn label_error(e: labels::LabelError) -> InvalidParameter {
    InvalidParameter::new(e.field, e.reason).rule("is_label").source("body")
}

pub async fn list_teams(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    ApiVersion(v): ApiVersion,
    Pagination(page): Pagination,
    q: RawQuery,
) -> ApiResult<Response> {
    let filter = parse_filter(&q, TEAM_FILTERS)?;
    let res = state.store.list_teams(p.org, &filter, page).await?;
    Ok(ok(Paginated::new(res, page, |t| Team::from_record(t, v))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateTeamRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    description: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    labels: Option<Labels>,
}

pub async fn create_team(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    ApiVersion(v): ApiVersion,
    Json(body): Json<CreateTeamRequest>,
) -> ApiResult<Response> {
    let mut problems = Problems::default();
    let name = problems.check(required_text("name", body.name.as_deref(), 250));
    let description = body.description.unwrap_or_default();
    problems.check(optional_text("description", &description, 250));
    let labels = if v >= 3 {
        body.labels.unwrap_or_default()
    } else {
        Labels::new()
    };
    problems.check(labels::validate(&labels).map_err(label_error));
    problems.finish()?;
    let labels_json = serde_json::to_string(&labels).map_err(anyhow::Error::from)?;
    let team = state
        .store
        .insert_team(
            p.org,
            name.as_deref().unwrap_or_default(),
            &description,
            &labels_json,
            state.clock.now(),
        )
        .await?;
    Ok(created(Team::from_record(team, v)))
}

pub async fn get_team(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    ApiVersion(v): ApiVersion,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    Ok(ok(Team::from_record(find_team(&state, p.org, id).await?, v)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateTeamRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    description: Option<String>,
    labels: Option<BTreeMap<String, Option<String>>>,
}

pub async fn update_team(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    ApiVersion(v): ApiVersion,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateTeamRequest>,
) -> ApiResult<Response> {
    let team = find_team(&state, p.org, id).await?;
    if team.system_team {
        return Err(system_team_error());
    }
    let mut problems = Problems::default();
    if body.name.is_some() {
        problems.check(required_text("name", body.name.as_deref(), 250));
    }
    if let Some(d) = &body.description {
        problems.check(optional_text("description", d, 250));
    }
    let mut labels_json = None;
    if let (Some(update), true) = (&body.labels, v >= 3) {
        let current: Labels = serde_json::from_str(&team.labels).unwrap_or_default();
        if let Some(next) = problems.check(labels::apply_update(&current, update).map_err(label_error)) {
            labels_json = Some(serde_json::to_string(&next).map_err(anyhow::Error::from)?);
        }
    }
    problems.finish()?;
    let team = state
        .store
        .update_team(
            p.org,
            TeamId(id),
            body.name.as_deref(),
            body.description.as_deref(),
            labels_json.as_deref(),
            state.clock.now(),
        )
        .await?
        .ok_or_else(|| ApiError::not_found("team"))?;
    Ok(ok(Team::from_record(team, v)))
}

pub async fn delete_team(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let team = find_team(&state, p.org, id).await?;
    if team.system_team {
        return Err(system_team_error());
    }
    state.store.delete_team(p.org, TeamId(id)).await?;
    Ok(status(StatusCode::NO_CONTENT))
}

// ---- membership ----------------------------------------------------------------------

pub async fn list_team_users(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    ApiVersion(v): ApiVersion,
    Path(id): Path<Uuid>,
    Pagination(page): Pagination,
    q: RawQuery,
) -> ApiResult<Response> {
    let filter = user_filter(&q)?;
    find_team(&state, p.org, id).await?;
    let res = state.store.list_team_users(p.org, TeamId(id), &filter, page).await?;
    let region = state.config.default_region();
    Ok(ok(Paginated::new(res, page, |u| User::from_record(u, v, region))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MemberRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    id: Option<String>,
}

fn member_id(body: &MemberRequest) -> ApiResult<Uuid> {
    let raw = body
        .id
        .as_deref()
        .ok_or_else(|| ApiError::invalid(InvalidParameter::required("id")))?;
    Uuid::parse_str(raw).map_err(|_| {
        ApiError::invalid(
            InvalidParameter::new("id", "must be a valid UUID v4")
                .rule("is_uuid")
                .source("body"),
        )
    })
}

pub async fn add_user_to_team(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path(id): Path<Uuid>,
    Json(body): Json<MemberRequest>,
) -> ApiResult<Response> {
    let user_id = member_id(&body)?;
    find_team(&state, p.org, id).await?;
    ensure_covers_team(&state, &p, id).await?;
    state
        .store
        .find_user(p.org, UserId(user_id))
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    match state
        .store
        .add_team_user(TeamId(id), UserId(user_id), state.clock.now())
        .await?
    {
        AddMember::Added => Ok(status(StatusCode::CREATED)),
        AddMember::AlreadyMember => Err(ApiError::Conflict("User is already a member of the team".into())),
    }
}

pub async fn remove_user_from_team(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path((team_id, user_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    let team = find_team(&state, p.org, team_id).await?;
    if team.system_key.as_deref() == Some(ORG_ADMIN_TEAM) {
        let page = PageRequest { number: 1, size: 2 };
        let members = state
            .store
            .list_team_users(p.org, TeamId(team_id), &Filter::default(), page)
            .await?;
        if members.total == 1 && members.items.iter().any(|u| u.id == user_id) {
            return Err(ApiError::bad_request(
                "An organization keeps at least one Organization Admin",
                InvalidParameter::new("userId", "is the last member of the Organization Admin team")
                    .rule("invalid")
                    .source("path"),
            ));
        }
    }
    if !state.store.remove_team_user(TeamId(team_id), UserId(user_id)).await? {
        return Err(ApiError::NotFound("The user is not a member of the team".into()));
    }
    Ok(status(StatusCode::NO_CONTENT))
}

pub async fn list_team_system_accounts(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    Path(id): Path<Uuid>,
    Pagination(page): Pagination,
    q: RawQuery,
) -> ApiResult<Response> {
    let filter = parse_filter(&q, SA_FILTERS)?;
    find_team(&state, p.org, id).await?;
    let res = state
        .store
        .list_team_system_accounts(p.org, TeamId(id), &filter, page)
        .await?;
    Ok(ok(Paginated::new(res, page, SystemAccount::from)))
}

pub async fn add_system_account_to_team(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path(id): Path<Uuid>,
    Json(body): Json<MemberRequest>,
) -> ApiResult<Response> {
    let sa = member_id(&body)?;
    find_team(&state, p.org, id).await?;
    ensure_covers_team(&state, &p, id).await?;
    state
        .store
        .find_system_account(p.org, SystemAccountId(sa))
        .await?
        .ok_or_else(|| ApiError::not_found("system account"))?;
    match state
        .store
        .add_team_system_account(TeamId(id), SystemAccountId(sa), state.clock.now())
        .await?
    {
        AddMember::Added => Ok(status(StatusCode::CREATED)),
        AddMember::AlreadyMember => Err(ApiError::Conflict(
            "System account is already a member of the team".into(),
        )),
    }
}

pub async fn remove_system_account_from_team(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path((team_id, sa)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    find_team(&state, p.org, team_id).await?;
    if !state
        .store
        .remove_team_system_account(TeamId(team_id), SystemAccountId(sa))
        .await?
    {
        return Err(ApiError::NotFound(
            "The system account is not a member of the team".into(),
        ));
    }
    Ok(status(StatusCode::NO_CONTENT))
}
