use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::dto::{SystemAccount, SystemAccountAccessToken, SystemAccountAccessTokenCreated, Team};
use super::teams::TEAM_FILTERS;
use crate::api::{created, ok, optional_text, required_text, status, Problems};
use crate::auth::rbac::Grants;
use crate::auth::token::{self, TokenKind};
use crate::auth::{Authorized, IdentityRead, IdentityWrite};
use crate::domain::filter::FieldSpec;
use crate::domain::ids::{OrgId, SystemAccountId, TokenId};
use crate::error::{ApiError, ApiResult, InvalidParameter};
use crate::http::extract::{Json, Path};
use crate::http::filter::{boolean, parse_filter, text, EQ_CONTAINS};
use crate::http::query::{Paginated, Pagination, RawQuery};
use crate::http::ApiVersion;
use crate::state::AppState;
use crate::store::{PrincipalKind, SystemAccountRecord};

pub const SA_FILTERS: &[FieldSpec] = &[
    text("name", EQ_CONTAINS),
    text("description", EQ_CONTAINS),
    boolean("konnect_managed"),
];

const TOKEN_FILTERS: &[FieldSpec] = &[text("name", EQ_CONTAINS)];

pub async fn find_account(state: &AppState, org: OrgId, id: Uuid) -> ApiResult<SystemAccountRecord> {
    state
        .store
        .find_system_account(org, SystemAccountId(id))
        .await?
        .ok_or_else(|| ApiError::not_found("system account"))
}

fn managed_error() -> ApiError {
    ApiError::invalid(
        InvalidParameter::new("accountId", "Konnect-managed system accounts cannot be modified")
            .rule("invalid")
            .source("path"),
    )
}

fn name_conflict() -> ApiError {
    ApiError::Conflict("A system account with this name already exists".into())
}

pub async fn list_system_accounts(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    Pagination(page): Pagination,
    q: RawQuery,
) -> ApiResult<Response> {
    let filter = parse_filter(&q, SA_FILTERS)?;
    let res = state.store.list_system_accounts(p.org, &filter, page).await?;
    Ok(ok(Paginated::new(res, page, SystemAccount::from)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateSystemAccountRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    description: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    konnect_managed: Option<bool>,
}

pub async fn create_system_account(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Json(body): Json<CreateSystemAccountRequest>,
) -> ApiResult<Response> {
    let mut problems = Problems::default();
    let name = problems.check(required_text("name", body.name.as_deref(), 250));
    let description = match body.description.as_deref() {
        None => {
            problems.push(InvalidParameter::required("description"));
            None
        }
        Some(d) => problems.check(optional_text("description", d, 250)).map(str::to_string),
    };
    problems.finish()?;
    let res = state
        .store
        .insert_system_account(
            p.org,
            name.as_deref().unwrap_or_default(),
            description.as_deref().unwrap_or_default(),
            body.konnect_managed.unwrap_or(false),
            state.clock.now(),
        )
        .await;
    match res {
        Ok(sa) => Ok(created(SystemAccount::from(sa))),
        Err(e) if e.is_conflict() => Err(name_conflict()),
        Err(e) => Err(e.into()),
    }
}

pub async fn get_system_account(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    Ok(ok(SystemAccount::from(find_account(&state, p.org, id).await?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateSystemAccountRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    description: Option<String>,
}

pub async fn update_system_account(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateSystemAccountRequest>,
) -> ApiResult<Response> {
    let sa = find_account(&state, p.org, id).await?;
    if sa.konnect_managed {
        return Err(managed_error());
    }
    let mut problems = Problems::default();
    if body.name.is_some() {
        problems.check(required_text("name", body.name.as_deref(), 250));
    }
    if let Some(d) = &body.description {
        problems.check(optional_text("description", d, 250));
    }
    problems.finish()?;
    let res = state
        .store
        .update_system_account(
            p.org,
            SystemAccountId(id),
            body.name.as_deref(),
            body.description.as_deref(),
            state.clock.now(),
        )
        .await;
    match res {
        Ok(Some(sa)) => Ok(ok(SystemAccount::from(sa))),
        Ok(None) => Err(ApiError::not_found("system account")),
        Err(e) if e.is_conflict() => Err(name_conflict()),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_system_account(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let sa = find_account(&state, p.org, id).await?;
    if sa.konnect_managed {
        return Err(managed_error());
    }
    state.store.delete_system_account(p.org, SystemAccountId(id)).await?;
    Ok(status(StatusCode::NO_CONTENT))
}

pub async fn list_system_account_teams(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    ApiVersion(v): ApiVersion,
    Path(id): Path<Uuid>,
    Pagination(page): Pagination,
    q: RawQuery,
) -> ApiResult<Response> {
    let filter = parse_filter(&q, TEAM_FILTERS)?;
    find_account(&state, p.org, id).await?;
    let res = state
        .store
        .list_system_account_teams(p.org, SystemAccountId(id), &filter, page)
        .await?;
    Ok(ok(Paginated::new(res, page, |t| Team::from_record(t, v))))
}

// ---- access tokens -------------------------------------------------------------------

pub async fn list_system_account_tokens(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    Path(id): Path<Uuid>,
    Pagination(page): Pagination,
    q: RawQuery,
) -> ApiResult<Response> {
    let filter = parse_filter(&q, TOKEN_FILTERS)?;
    find_account(&state, p.org, id).await?;
    let res = state
        .store
        .list_tokens(p.org, PrincipalKind::SystemAccount, id, &filter, page)
        .await?;
    Ok(ok(Paginated::new(res, page, SystemAccountAccessToken::from)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateTokenRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    expires_at: Option<String>,
}

/// Parses an RFC 3339 timestamp that must lie in the future.
pub fn future_timestamp(field: &str, raw: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, InvalidParameter> {
    let t = DateTime::parse_from_rfc3339(raw)
        .map_err(|_| {
            InvalidParameter::new(field, "must be an RFC 3339 date-time")
                .rule("is_date_time")
                .source("body")
        })?
        .with_timezone(&Utc);
    if t <= now {
        return Err(InvalidParameter::new(field, "must be in the future")
            .rule("invalid")
            .source("body"));
    }
    Ok(t)
}

pub async fn create_system_account_token(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path(id): Path<Uuid>,
    Json(body): Json<CreateTokenRequest>,
) -> ApiResult<Response> {
    find_account(&state, p.org, id).await?;
    // A token acts as the account: minting one hands out everything the account holds.
    let held = state
        .store
        .principal_grants(p.org, PrincipalKind::SystemAccount, id)
        .await?;
    p.ensure_covers(&Grants::from_records(&held))?;
    let now = state.clock.now();
    let mut problems = Problems::default();
    let name = problems.check(required_text("name", body.name.as_deref(), 256));
    // `expires_at` is optional in the spec; without it a token lives for one year, so that no
    // token lives forever.
    let expires_at = match body.expires_at.as_deref() {
        None => Some(now + chrono::TimeDelta::days(365)),
        Some(raw) => problems.check(future_timestamp("expires_at", raw, now)),
    };
    problems.finish()?;
    let name = name.unwrap_or_default();
    if state
        .store
        .token_name_taken(p.org, PrincipalKind::SystemAccount, id, &name)
        .await?
    {
        return Err(ApiError::Conflict(
            "An access token with this name already exists for the system account".into(),
        ));
    }
    let secret = token::generate(TokenKind::SystemAccount);
    let rec = state
        .store
        .insert_token(
            p.org,
            PrincipalKind::SystemAccount,
            id,
            &name,
            &token::hash(&secret),
            expires_at,
            now,
        )
        .await?;
    Ok(created(SystemAccountAccessTokenCreated {
        token: SystemAccountAccessToken::from(rec),
        secret,
    }))
}

pub async fn get_system_account_token(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    Path((id, token_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    find_account(&state, p.org, id).await?;
    let t = state
        .store
        .find_token(p.org, PrincipalKind::SystemAccount, id, TokenId(token_id))
        .await?
        .ok_or_else(|| ApiError::not_found("access token"))?;
    Ok(ok(SystemAccountAccessToken::from(t)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RenameTokenRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    name: Option<String>,
}

pub async fn update_system_account_token(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path((id, token_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<RenameTokenRequest>,
) -> ApiResult<Response> {
    find_account(&state, p.org, id).await?;
    let now = state.clock.now();
    let t = match body.name.as_deref() {
        Some(_) => {
            let name = required_text("name", body.name.as_deref(), 256).map_err(ApiError::invalid)?;
            state
                .store
                .rename_token(p.org, PrincipalKind::SystemAccount, id, TokenId(token_id), &name, now)
                .await?
        }
        None => {
            state
                .store
                .find_token(p.org, PrincipalKind::SystemAccount, id, TokenId(token_id))
                .await?
        }
    };
    let t = t.ok_or_else(|| ApiError::not_found("access token"))?;
    Ok(ok(SystemAccountAccessToken::from(t)))
}

pub async fn delete_system_account_token(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path((id, token_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    find_account(&state, p.org, id).await?;
    if !state
        .store
        .delete_token(p.org, PrincipalKind::SystemAccount, id, TokenId(token_id))
        .await?
    {
        return Err(ApiError::not_found("access token"));
    }
    Ok(status(StatusCode::NO_CONTENT))
}
