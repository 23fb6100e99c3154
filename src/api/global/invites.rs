use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::TimeDelta;
use serde::Deserialize;

use crate::api::{optional_text, required_text, status, Problems};
use crate::auth::token;
use crate::auth::{password, Authorized, IdentityWrite};
use crate::domain::ids::{OrgId, UserId};
use crate::error::{ApiError, ApiResult, InvalidParameter};
use crate::http::extract::Json;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct InviteUserRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    email: Option<String>,
}

/// A plausible email address: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.len() <= 250
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
}

/// `POST /invites`: creates (or re-invites) an inactive user and sends a one-time link.
pub async fn invite_user(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Json(body): Json<InviteUserRequest>,
) -> ApiResult<Response> {
    let email = match body.email.as_deref().map(str::trim) {
        None => return Err(ApiError::invalid(InvalidParameter::required("email"))),
        Some(e) if !valid_email(e) => {
            return Err(ApiError::invalid(
                InvalidParameter::new("email", "must be a valid email address")
                    .rule("invalid")
                    .source("body"),
            ))
        }
        Some(e) => e.to_lowercase(),
    };
    let now = state.clock.now();
    let user = match state.store.find_user_by_email(p.org, &email).await? {
        Some(u) if u.active => return Err(ApiError::Conflict("User is already active".into())),
        Some(u) => u,
        // Until the invite is accepted, the user's name is their email address.
        None => match state.store.insert_user(p.org, &email, &email, false, None, now).await {
            Ok(u) => u,
            Err(e) if e.is_conflict() => state
                .store
                .find_user_by_email(p.org, &email)
                .await?
                .ok_or_else(|| ApiError::Conflict("User is being invited concurrently".into()))?,
            Err(e) => return Err(e.into()),
        },
    };
    let secret = uuid::Uuid::new_v4().to_string();
    let expires_at = now + TimeDelta::hours(state.config.invite_ttl_hours);
    state
        .store
        .insert_invite(p.org, UserId(user.id), &token::hash(&secret), expires_at, now)
        .await?;
    let org_name = state.store.find_org(p.org).await?.map(|o| o.name).unwrap_or_default();
    let link = format!(
        "{}/accept-invite?token={secret}",
        state.config.public_url.trim_end_matches('/')
    );
    if let Err(e) = state.mailer.send_invite(&org_name, &email, &link, &secret).await {
        tracing::error!(error = %e, "sending the invite email failed");
        return Err(ApiError::Internal(anyhow::anyhow!(
            "the invite email could not be sent: {e}"
        )));
    }
    Ok(status(StatusCode::CREATED))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AcceptInviteRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    token: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    password: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    full_name: Option<String>,
    preferred_name: Option<String>,
}

/// `POST /accept-invite` (no authentication): sets the user's names and password and
/// activates them. The token works once and expires.
pub async fn accept_invite(
    State(state): State<AppState>,
    Json(body): Json<AcceptInviteRequest>,
) -> ApiResult<Response> {
    let mut problems = Problems::default();
    let full_name = problems.check(required_text("full_name", body.full_name.as_deref(), 250));
    if let Some(pn) = &body.preferred_name {
        problems.check(optional_text("preferred_name", pn, 250));
    }
    let token = match body.token.as_deref() {
        None => {
            problems.push(InvalidParameter::required("token"));
            None
        }
        Some(t) => Some(t.trim().to_string()),
    };
    match body.password.as_deref() {
        None => problems.push(InvalidParameter::required("password")),
        Some(pw) => {
            for (rule, n, reason) in password::complexity_problems(pw) {
                let mut p = InvalidParameter::new("password", reason).rule(rule).source("body");
                p.minimum = Some(n);
                problems.push(p);
            }
            if pw.len() > 1024 {
                problems.push(InvalidParameter::max_length("password", 1024));
            }
        }
    }
    problems.finish()?;
    let invalid_token = || {
        ApiError::bad_request(
            "The invitation is invalid, expired or already used",
            InvalidParameter::new("token", "invalid or expired invite token")
                .rule("invalid")
                .source("body"),
        )
    };
    let token = token.unwrap_or_default();
    let invite = state
        .store
        .find_invite_by_hash(&token::hash(&token))
        .await?
        .ok_or_else(invalid_token)?;
    let now = state.clock.now();
    if invite.accepted_at.is_some() || invite.expires_at <= now {
        return Err(invalid_token());
    }
    let hash = password::hash(body.password.unwrap_or_default(), state.config.fast_password_hashing).await?;
    let accepted = state
        .store
        .accept_invite(
            &invite,
            full_name.as_deref().unwrap_or_default(),
            body.preferred_name.as_deref().unwrap_or_default(),
            &hash,
            now,
        )
        .await?;
    if !accepted {
        return Err(invalid_token());
    }
    let org = OrgId(invite.org_id);
    state.store.set_org_owner(org, invite.user_id).await?;
    Ok(status(StatusCode::ACCEPTED))
}

#[cfg(test)]
mod tests {
    use super::valid_email;

    #[test]
    fn emails() {
        assert!(valid_email("james.c.woods@example.com"));
        assert!(!valid_email("no-at.example.com"));
        assert!(!valid_email("a@b"));
        assert!(!valid_email("a b@example.com"));
        assert!(!valid_email("@example.com"));
        assert!(!valid_email("a@@example.com"));
    }
}
