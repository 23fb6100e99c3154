//! Personal access tokens at `/users/{userId}/access-tokens`, in the shape of Konnect's SDK.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::TimeDelta;
use serde::Deserialize;
use uuid::Uuid;

use super::dto::PersonalAccessToken;
use super::system_accounts::future_timestamp;
use crate::api::{created, ok, status, Problems};
use crate::auth::rbac::Action;
use crate::auth::token::{self, TokenKind};
use crate::auth::Principal;
use crate::domain::filter::FieldSpec;
use crate::domain::ids::{TokenId, UserId};
use crate::error::{ApiError, ApiResult, InvalidParameter};
use crate::http::extract::{Json, Path};
use crate::http::filter::{parse_filter, text, EQ_CONTAINS};
use crate::http::query::{Paginated, Pagination, RawQuery};
use crate::state::AppState;
use crate::store::PrincipalKind;

pub const MAX_PATS_PER_USER: i64 = 10;
pub const MIN_TTL_SECONDS: i64 = 86_400;
pub const MAX_TTL_SECONDS: i64 = 31_536_000;

const PAT_FILTERS: &[FieldSpec] = &[text("name", EQ_CONTAINS)];

/// Who may touch a user's tokens: the user always; identity admins only to list and revoke.
fn authorize(p: &Principal, user: Uuid, admin_allowed: bool) -> ApiResult<()> {
    if p.is_user(user) {
        return Ok(());
    }
    if admin_allowed && p.can(&Action::IdentityWrite) {
        return Ok(());
    }
    if admin_allowed && p.can(&Action::IdentityRead) {
        return Err(ApiError::forbidden());
    }
    Err(ApiError::forbidden())
}

async fn user_exists(state: &AppState, p: &Principal, user: Uuid) -> ApiResult<()> {
    state
        .store
        .find_user(p.org, UserId(user))
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    Ok(())
}

/// Konnect's `PATName`: 1–256 characters, letters, digits, space, `_ - . '`, starting and
/// ending with a letter or digit.
fn valid_pat_name(name: &str) -> bool {
    let chars: Vec<char> = name.chars().collect();
    !chars.is_empty()
        && chars.len() <= 256
        && chars[0].is_alphanumeric()
        && chars[chars.len() - 1].is_alphanumeric()
        && chars
            .iter()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '\''))
}

pub async fn list_personal_access_tokens(
    State(state): State<AppState>,
    p: Principal,
    Path(user): Path<Uuid>,
    Pagination(page): Pagination,
    q: RawQuery,
) -> ApiResult<Response> {
    if !(p.is_user(user) || p.can(&Action::IdentityWrite)) {
        return Err(ApiError::forbidden());
    }
    let filter = parse_filter(&q, PAT_FILTERS)?;
    user_exists(&state, &p, user).await?;
    let now = state.clock.now();
    let res = state
        .store
        .list_tokens(p.org, PrincipalKind::User, user, &filter, page)
        .await?;
    Ok(ok(Paginated::new(res, page, |t| {
        PersonalAccessToken::from_record(t, now)
    })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreatePatRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    ttl_seconds: Option<i64>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    expires_at: Option<String>,
}

pub async fn create_personal_access_token(
    State(state): State<AppState>,
    p: Principal,
    Path(user): Path<Uuid>,
    Json(body): Json<CreatePatRequest>,
) -> ApiResult<Response> {
    authorize(&p, user, false)?;
    let now = state.clock.now();
    let mut problems = Problems::default();
    match body.name.as_deref() {
        None => problems.push(InvalidParameter::required("name")),
        Some(n) if !valid_pat_name(n) => problems.push(
            InvalidParameter::new(
                "name",
                "must be 1 to 256 characters of letters, digits, spaces and _ - . ', starting and ending with a letter or digit",
            )
            .rule("matches_regex")
            .source("body"),
        ),
        Some(_) => {}
    }
    let expires_at = match (body.ttl_seconds, body.expires_at.as_deref()) {
        (Some(ttl), _) if (MIN_TTL_SECONDS..=MAX_TTL_SECONDS).contains(&ttl) => Some(now + TimeDelta::seconds(ttl)),
        (Some(ttl), _) => {
            let mut p = InvalidParameter::new(
                "ttl_seconds",
                format!("must be between {MIN_TTL_SECONDS} (1 day) and {MAX_TTL_SECONDS} (1 year)"),
            )
            .source("body");
            if ttl < MIN_TTL_SECONDS {
                p = p.rule("min");
                p.minimum = Some(MIN_TTL_SECONDS);
            } else {
                p = p.rule("max");
                p.maximum = Some(MAX_TTL_SECONDS);
            }
            problems.push(p);
            None
        }
        (None, Some(raw)) => match future_timestamp("expires_at", raw, now) {
            Ok(t) if t <= now + TimeDelta::seconds(MAX_TTL_SECONDS) => Some(t),
            Ok(_) => {
                problems.push(
                    InvalidParameter::new("expires_at", "must be at most one year from now")
                        .rule("invalid")
                        .source("body"),
                );
                None
            }
            Err(e) => {
                problems.push(e);
                None
            }
        },
        (None, None) => {
            problems.push(InvalidParameter::required("ttl_seconds"));
            None
        }
    };
    problems.finish()?;
    user_exists(&state, &p, user).await?;
    if state
        .store
        .count_live_tokens(p.org, PrincipalKind::User, user, now)
        .await?
        >= MAX_PATS_PER_USER
    {
        return Err(ApiError::bad_request(
            format!("A maximum of {MAX_PATS_PER_USER} personal access tokens can be created"),
            InvalidParameter::new(
                "name",
                format!("the user already has {MAX_PATS_PER_USER} active personal access tokens"),
            )
            .rule("invalid")
            .source("body"),
        ));
    }
    let secret = token::generate(TokenKind::Personal);
    let name = body.name.unwrap_or_default();
    let rec = state
        .store
        .insert_token(
            p.org,
            PrincipalKind::User,
            user,
            &name,
            &token::hash(&secret),
            expires_at,
            now,
        )
        .await?;
    let mut out = PersonalAccessToken::from_record(rec, now);
    out.konnect_token = Some(secret.clone());
    out.token = Some(secret);
    Ok(created(out))
}

pub async fn get_personal_access_token(
    State(state): State<AppState>,
    p: Principal,
    Path((user, id)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    if !(p.is_user(user) || p.can(&Action::IdentityWrite)) {
        return Err(ApiError::forbidden());
    }
    let t = state
        .store
        .find_token(p.org, PrincipalKind::User, user, TokenId(id))
        .await?
        .ok_or_else(|| ApiError::not_found("personal access token"))?;
    Ok(ok(PersonalAccessToken::from_record(t, state.clock.now())))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdatePatRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    name: Option<String>,
}

pub async fn update_personal_access_token(
    State(state): State<AppState>,
    p: Principal,
    Path((user, id)): Path<(Uuid, Uuid)>,
    Json(body): Json<UpdatePatRequest>,
) -> ApiResult<Response> {
    authorize(&p, user, false)?;
    let now = state.clock.now();
    let t = match body.name.as_deref() {
        Some(n) if !valid_pat_name(n) => {
            return Err(ApiError::invalid(
                InvalidParameter::new(
                    "name",
                    "must be 1 to 256 characters of letters, digits, spaces and _ - . '",
                )
                .rule("matches_regex")
                .source("body"),
            ))
        }
        Some(n) => {
            state
                .store
                .rename_token(p.org, PrincipalKind::User, user, TokenId(id), n, now)
                .await?
        }
        None => {
            state
                .store
                .find_token(p.org, PrincipalKind::User, user, TokenId(id))
                .await?
        }
    };
    let t = t.ok_or_else(|| ApiError::not_found("personal access token"))?;
    Ok(ok(PersonalAccessToken::from_record(t, now)))
}

pub async fn revoke_personal_access_token(
    State(state): State<AppState>,
    p: Principal,
    Path((user, id)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    authorize(&p, user, true)?;
    let now = state.clock.now();
    let t = state
        .store
        .revoke_token(p.org, PrincipalKind::User, user, TokenId(id), p.id, now)
        .await?
        .ok_or_else(|| ApiError::not_found("personal access token"))?;
    Ok(ok(PersonalAccessToken::from_record(t, now)))
}

pub async fn delete_personal_access_token(
    State(state): State<AppState>,
    p: Principal,
    Path((user, id)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    authorize(&p, user, true)?;
    if !state
        .store
        .delete_token(p.org, PrincipalKind::User, user, TokenId(id))
        .await?
    {
        return Err(ApiError::not_found("personal access token"));
    }
    Ok(status(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::valid_pat_name;

    #[test]
    fn pat_names() {
        assert!(valid_pat_name("ci token"));
        assert!(valid_pat_name("Jo's-token_1.x"));
        assert!(!valid_pat_name(""));
        assert!(!valid_pat_name(" lead"));
        assert!(!valid_pat_name("trail-"));
        assert!(!valid_pat_name("semi;colon"));
        assert!(!valid_pat_name(&"a".repeat(257)));
    }
}
