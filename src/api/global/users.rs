use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::dto::{Team, User};
use super::teams::TEAM_FILTERS;
use crate::api::{ok, optional_text, status, Problems};
use crate::auth::rbac::Action;
use crate::auth::{Anyone, Authorized, IdentityRead, IdentityWrite, Principal};
use crate::domain::filter::{FieldSpec, Filter, Value};
use crate::domain::ids::UserId;
use crate::error::{ApiError, ApiResult, InvalidParameter};
use crate::http::extract::{Json, Path};
use crate::http::filter::{boolean, parse_filter, text, uuid, EQ, EQ_CONTAINS};
use crate::http::query::{Paginated, Pagination, RawQuery};
use crate::http::ApiVersion;
use crate::state::AppState;
use crate::store::PrincipalKind;

pub const USER_FILTERS: &[FieldSpec] = &[
    uuid("id", EQ),
    text("email", EQ_CONTAINS),
    text("full_name", EQ_CONTAINS),
    boolean("active"),
];

/// Parses user filters; emails are stored lower-case, so exact email matches are too.
pub fn user_filter(q: &RawQuery) -> ApiResult<Filter> {
    let mut f = parse_filter(q, USER_FILTERS)?;
    for c in &mut f.conditions {
        if c.field == "email" {
            if let Value::Text(s) = &mut c.value {
                *s = s.to_lowercase();
            }
        }
    }
    Ok(f)
}

pub async fn list_users(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    ApiVersion(v): ApiVersion,
    Pagination(page): Pagination,
    q: RawQuery,
) -> ApiResult<Response> {
    let filter = user_filter(&q)?;
    let res = state.store.list_users(p.org, &filter, page).await?;
    let region = state.config.default_region();
    Ok(ok(Paginated::new(res, page, |u| User::from_record(u, v, region))))
}

/// A user may read their own record; reading others needs identity read access.
pub async fn get_user(
    State(state): State<AppState>,
    p: Principal,
    ApiVersion(v): ApiVersion,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    if !(p.is_user(id) || p.can(&Action::IdentityRead)) {
        return Err(ApiError::forbidden());
    }
    let user = state
        .store
        .find_user(p.org, UserId(id))
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    Ok(ok(User::from_record(user, v, state.config.default_region())))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateUserRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    full_name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    preferred_name: Option<String>,
}

pub async fn update_user(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    ApiVersion(v): ApiVersion,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateUserRequest>,
) -> ApiResult<Response> {
    let mut problems = Problems::default();
    if let Some(f) = &body.full_name {
        if f.trim().is_empty() {
            problems.push(
                InvalidParameter::new("full_name", "cannot be blank")
                    .rule("required")
                    .source("body"),
            );
        }
        problems.check(optional_text("full_name", f, 250));
    }
    if let Some(n) = &body.preferred_name {
        problems.check(optional_text("preferred_name", n, 250));
    }
    problems.finish()?;
    let now = state.clock.now();
    let user = state
        .store
        .update_user(
            p.org,
            UserId(id),
            body.full_name.as_deref(),
            body.preferred_name.as_deref(),
            now,
        )
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    Ok(ok(User::from_record(user, v, state.config.default_region())))
}

pub async fn delete_user(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    if p.is_user(id) {
        return Err(ApiError::bad_request(
            "You cannot delete yourself",
            InvalidParameter::new("userId", "cannot delete the calling user")
                .rule("invalid")
                .source("path"),
        ));
    }
    if !state.store.delete_user(p.org, UserId(id)).await? {
        return Err(ApiError::not_found("user"));
    }
    Ok(status(StatusCode::NO_CONTENT))
}

pub async fn list_user_teams(
    State(state): State<AppState>,
    p: Principal,
    ApiVersion(v): ApiVersion,
    Path(id): Path<Uuid>,
    Pagination(page): Pagination,
    q: RawQuery,
) -> ApiResult<Response> {
    if !(p.is_user(id) || p.can(&Action::IdentityRead)) {
        return Err(ApiError::forbidden());
    }
    let filter = parse_filter(&q, TEAM_FILTERS)?;
    state
        .store
        .find_user(p.org, UserId(id))
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let res = state.store.list_user_teams(p.org, UserId(id), &filter, page).await?;
    Ok(ok(Paginated::new(res, page, |t| Team::from_record(t, v))))
}

/// `GET /users/me`: the calling user (personal access tokens only).
pub async fn get_users_me(
    State(state): State<AppState>,
    p: Authorized<Anyone>,
    ApiVersion(v): ApiVersion,
) -> ApiResult<Response> {
    if p.kind != PrincipalKind::User {
        return Err(ApiError::Forbidden(
            "Only users have a user account; this token belongs to a system account".into(),
        ));
    }
    let user = state
        .store
        .find_user(p.org, UserId(p.id))
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    Ok(ok(User::from_record(user, v, state.config.default_region())))
}
