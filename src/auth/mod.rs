//! Authentication (bearer tokens → `Principal`) and authorization (`rbac::decide`).

pub mod cache;
pub mod password;
pub mod rbac;
pub mod token;

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::TimeDelta;
use uuid::Uuid;

use crate::domain::ids::{OrgId, TokenId};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::PrincipalKind;
use rbac::{Action, Grants};

/// An authenticated user or system account of one organization, with everything it holds.
#[derive(Debug, Clone)]
pub struct Principal {
    pub org: OrgId,
    pub kind: PrincipalKind,
    pub id: Uuid,
    pub token_id: TokenId,
    pub grants: Grants,
}

impl Principal {
    pub fn can(&self, action: &Action<'_>) -> bool {
        rbac::decide(&self.grants, action)
    }

    pub fn is_user(&self, id: Uuid) -> bool {
        self.kind == PrincipalKind::User && self.id == id
    }

    /// 403 unless the principal holds everything `target` holds: nobody hands out more than
    /// they have (team membership, role assignments, system-account tokens).
    pub fn ensure_covers(&self, target: &Grants) -> Result<(), ApiError> {
        if rbac::covers(&self.grants, target) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "You cannot grant access you do not hold yourself".into(),
            ))
        }
    }
}

/// How long `last_used_at` may lag behind real use; keeps reads from writing on every call.
const LAST_USED_GRANULARITY: TimeDelta = TimeDelta::seconds(60);

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(p) = parts.extensions.get::<Principal>() {
            return Ok(p.clone());
        }
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::Unauthenticated)?;
        let (scheme, secret) = header.trim().split_once(' ').ok_or(ApiError::Unauthenticated)?;
        if scheme.eq_ignore_ascii_case("basic") && parts.extensions.get::<PasswordLogin>().is_some() {
            let principal = password_principal(secret.trim(), state).await?;
            parts.extensions.insert(principal.clone());
            return Ok(principal);
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(ApiError::Unauthenticated);
        }
        let secret = secret.trim();
        let kind = token::TokenKind::of(secret).ok_or(ApiError::Unauthenticated)?;
        let hash = token::hash(secret);
        let now = state.clock.now();
        if let Some(hit) = state.principals.get(&hash) {
            if hit.expires_at.is_some_and(|e| e <= now) {
                return Err(ApiError::Unauthenticated);
            }
            if hit.last_used_at.is_none_or(|l| now - l >= LAST_USED_GRANULARITY) {
                state.store.touch_token(hit.principal.token_id, now).await?;
                state.principals.touched(&hash, &hit, now);
            }
            parts.extensions.insert(hit.principal.clone());
            return Ok(hit.principal);
        }
        let generation = state.principals.generation();
        let (found, held) = state
            .store
            .authenticate(&hash)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let t = &found.token;
        let owner_kind = match t.owner_kind.as_str() {
            "user" => PrincipalKind::User,
            "system_account" => PrincipalKind::SystemAccount,
            _ => return Err(ApiError::Unauthenticated),
        };
        let expected = match kind {
            token::TokenKind::Personal => PrincipalKind::User,
            token::TokenKind::SystemAccount => PrincipalKind::SystemAccount,
        };
        if owner_kind != expected
            || t.revoked_at.is_some()
            || t.expires_at.is_some_and(|e| e <= now)
            || !found.owner_active
        {
            return Err(ApiError::Unauthenticated);
        }
        let mut last_used_at = t.last_used_at;
        if last_used_at.is_none_or(|l| now - l >= LAST_USED_GRANULARITY) {
            state.store.touch_token(TokenId(t.id), now).await?;
            last_used_at = Some(now);
        }
        let org = OrgId(t.org_id);
        let principal = Principal {
            org,
            kind: owner_kind,
            id: t.owner_id,
            token_id: TokenId(t.id),
            grants: Grants::from_records(&held),
        };
        state
            .principals
            .insert(hash, principal.clone(), t.expires_at, last_used_at, generation);
        parts.extensions.insert(principal.clone());
        Ok(principal)
    }
}

/// Marks routes where a user may authenticate with `Authorization: Basic email:password`
/// (their own record and personal access tokens), so that an invited user can mint a first
/// token without a web UI. Only for organizations with basic authentication enabled.
#[derive(Debug, Clone, Copy)]
pub struct PasswordLogin;

async fn password_principal(encoded: &str, state: &AppState) -> Result<Principal, ApiError> {
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(ApiError::Unauthenticated)?;
    let (email, password) = decoded.split_once(':').ok_or(ApiError::Unauthenticated)?;
    let email = email.trim().to_lowercase();
    for (user, org, hash) in state.store.password_candidates(&email).await? {
        let (pw, h) = (password.to_string(), hash.clone());
        let ok = tokio::task::spawn_blocking(move || password::verify(&pw, &h))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        if ok {
            let org = OrgId(org);
            let held = state.store.principal_grants(org, PrincipalKind::User, user).await?;
            return Ok(Principal {
                org,
                kind: PrincipalKind::User,
                id: user,
                token_id: TokenId(Uuid::nil()),
                grants: Grants::from_records(&held),
            });
        }
    }
    Err(ApiError::Unauthenticated)
}

/// A rule over a principal alone, checked before the handler runs.
pub trait Policy {
    fn allows(p: &Principal) -> bool;
}

/// Any authenticated principal.
pub struct Anyone;
impl Policy for Anyone {
    fn allows(_: &Principal) -> bool {
        true
    }
}

/// Reads of the identity API.
pub struct IdentityRead;
impl Policy for IdentityRead {
    fn allows(p: &Principal) -> bool {
        p.can(&Action::IdentityRead)
    }
}

/// Writes of the identity API.
pub struct IdentityWrite;
impl Policy for IdentityWrite {
    fn allows(p: &Principal) -> bool {
        p.can(&Action::IdentityWrite)
    }
}

/// A principal that passed policy `P`: declare it in a handler's signature.
pub struct Authorized<P: Policy> {
    pub principal: Principal,
    _policy: PhantomData<P>,
}

impl<P: Policy> std::ops::Deref for Authorized<P> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<P: Policy + Send + Sync> FromRequestParts<AppState> for Authorized<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = Principal::from_request_parts(parts, state).await?;
        if !P::allows(&principal) {
            return Err(ApiError::forbidden());
        }
        Ok(Authorized {
            principal,
            _policy: PhantomData,
        })
    }
}
