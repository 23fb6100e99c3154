//! Authentication settings, identity providers (v2's single OIDC `/identity-provider` and
//! v3's `/identity-providers`), IdP group → team mappings, impersonation, `/organizations/me`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::api::{created, ok, status, Problems};
use crate::auth::{Anyone, Authorized, IdentityRead, IdentityWrite};
use crate::domain::filter::PageRequest;
use crate::domain::ids::{IdentityProviderId, OrgId, TeamId};
use crate::domain::time::rfc3339;
use crate::error::{ApiError, ApiResult, InvalidParameter};
use crate::http::extract::{Json, Path};
use crate::http::query::{Meta, PageMeta, Pagination, RawQuery};
use crate::state::AppState;
use crate::store::{AuthSettings, IdpChange, IdpRecord, OrgRecord};

async fn org(state: &AppState, id: OrgId) -> ApiResult<OrgRecord> {
    state
        .store
        .find_org(id)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuthenticationSettings {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    basic_auth_enabled: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    oidc_auth_enabled: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    saml_auth_enabled: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    idp_mapping_enabled: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    konnect_mapping_enabled: Option<bool>,
}

fn settings_body(s: AuthSettings) -> AuthenticationSettings {
    AuthenticationSettings {
        basic_auth_enabled: Some(s.basic_auth_enabled),
        oidc_auth_enabled: Some(s.oidc_auth_enabled),
        saml_auth_enabled: Some(s.saml_auth_enabled),
        idp_mapping_enabled: Some(s.idp_mapping_enabled),
        konnect_mapping_enabled: Some(s.konnect_mapping_enabled),
    }
}

/// v2's single OIDC configuration (`IdP`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct IdP {
    issuer: String,
    login_path: String,
    client_id: String,
    scopes: Vec<String>,
    claim_mappings: ClaimMappings,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClaimMappings {
    name: String,
    email: String,
    groups: String,
}

/// An identity provider (v3).
#[derive(Serialize, utoipa::ToSchema)]
pub struct IdentityProvider {
    id: Uuid,
    #[serde(rename = "type")]
    kind: String,
    enabled: bool,
    login_path: String,
    #[schema(value_type = Object)]
    config: Value,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TeamMapping {
    group: String,
    team_ids: Vec<Uuid>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TeamGroupMapping {
    team_id: Uuid,
    groups: Vec<String>,
}

/// `GET /identity-provider/team-mappings`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TeamMappingResponse {
    meta: Meta,
    data: Vec<TeamMapping>,
}

/// `PUT /identity-provider/team-mappings`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TeamMappingCollection {
    data: Vec<TeamMapping>,
}

/// `GET`/`PATCH /identity-provider/team-group-mappings`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TeamGroupMappingCollection {
    meta: Meta,
    data: Vec<TeamGroupMapping>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ImpersonationSettings {
    enabled: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MeOrganization {
    id: Uuid,
    name: String,
    owner_id: String,
    login_path: String,
    created_at: String,
    updated_at: String,
    state: String,
    retention_period_days: i32,
}

pub async fn get_authentication_settings(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
) -> ApiResult<Response> {
    let o = org(&state, p.org).await?;
    Ok(ok(settings_body(AuthSettings::from(&o))))
}

pub async fn update_authentication_settings(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Json(body): Json<AuthenticationSettings>,
) -> ApiResult<Response> {
    let o = org(&state, p.org).await?;
    let cur = AuthSettings::from(&o);
    let next = AuthSettings {
        basic_auth_enabled: body.basic_auth_enabled.unwrap_or(cur.basic_auth_enabled),
        oidc_auth_enabled: body.oidc_auth_enabled.unwrap_or(cur.oidc_auth_enabled),
        saml_auth_enabled: body.saml_auth_enabled.unwrap_or(cur.saml_auth_enabled),
        idp_mapping_enabled: body.idp_mapping_enabled.unwrap_or(cur.idp_mapping_enabled),
        konnect_mapping_enabled: body.konnect_mapping_enabled.unwrap_or(cur.konnect_mapping_enabled),
    };
    if !next.basic_auth_enabled && !next.oidc_auth_enabled && !next.saml_auth_enabled {
        return Err(ApiError::InvalidParameters {
            detail: "Atleast one of the authentication schemes from basic, oidc or saml needs to be enabled".into(),
            params: vec![
                InvalidParameter::new(
                    "oidc_auth_enabled",
                    "cannot be disabled when both basic auth and SAML are also disabled",
                )
                .source("body"),
                InvalidParameter::new(
                    "basic_auth_enabled",
                    "cannot be disabled when both OIDC and SAML are also disabled",
                )
                .source("body"),
                InvalidParameter::new(
                    "saml_auth_enabled",
                    "cannot be disabled when both OIDC and basic auth are also disabled",
                )
                .source("body"),
            ],
        });
    }
    let mut problems = Problems::default();
    for (kind, field, on, was) in [
        (
            "oidc",
            "oidc_auth_enabled",
            next.oidc_auth_enabled,
            cur.oidc_auth_enabled,
        ),
        (
            "saml",
            "saml_auth_enabled",
            next.saml_auth_enabled,
            cur.saml_auth_enabled,
        ),
    ] {
        if on && !was && state.store.find_idp_by_type(p.org, kind).await?.is_none() {
            problems.push(
                InvalidParameter::new(field, "cannot be set before configuring an identity provider").source("body"),
            );
        }
    }
    problems.finish()?;
    state.store.update_auth_settings(p.org, next, state.clock.now()).await?;
    Ok(ok(settings_body(next)))
}

// ---- identity providers (v3) ---------------------------------------------------------

fn default_scopes() -> Value {
    json!(["email", "openid", "profile"])
}

fn default_claims() -> Value {
    json!({"name": "name", "email": "email", "groups": "groups"})
}

/// A login path: 1–100 characters of lowercase letters, digits and `-`.
fn valid_login_path(s: &str) -> bool {
    (1..=100).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// Validates a provider `config` for `kind`; returns the stored config and the client secret.
fn parse_config(
    kind: &str,
    config: &Value,
    current: Option<&Value>,
) -> Result<(Value, Option<String>), Vec<InvalidParameter>> {
    let mut problems = Vec::new();
    let Some(obj) = config.as_object() else {
        return Err(vec![InvalidParameter::new("config", "must be an object")
            .rule("is_object")
            .source("body")]);
    };
    let base = current.and_then(Value::as_object).cloned().unwrap_or_default();
    let mut out: Map<String, Value> = base;
    let mut secret = None;
    let allowed: &[&str] = if kind == "oidc" {
        &["issuer_url", "client_id", "client_secret", "scopes", "claim_mappings"]
    } else {
        &["idp_metadata_url", "idp_metadata_xml"]
    };
    for (k, v) in obj {
        if !allowed.contains(&k.as_str()) {
            problems.push(
                InvalidParameter::new(format!("config.{k}"), format!("property config.{k} should not exist"))
                    .rule("unknown_property")
                    .source("body"),
            );
            continue;
        }
        match (k.as_str(), v) {
            ("issuer_url" | "idp_metadata_url", Value::String(s)) if is_http_url(s) => {
                out.insert(k.clone(), v.clone());
            }
            ("issuer_url" | "idp_metadata_url", _) => problems.push(
                InvalidParameter::new(format!("config.{k}"), "must be an http(s) URL")
                    .rule("invalid")
                    .source("body"),
            ),
            ("client_id" | "idp_metadata_xml", Value::String(s)) if !s.trim().is_empty() && s.len() <= 65536 => {
                out.insert(k.clone(), v.clone());
            }
            ("client_secret", Value::String(s)) if !s.is_empty() && s.len() <= 4096 => secret = Some(s.clone()),
            ("scopes", Value::Array(a)) if a.iter().all(Value::is_string) && a.len() <= 50 => {
                out.insert(k.clone(), v.clone());
            }
            ("claim_mappings", Value::Object(m))
                if m.iter().all(|(mk, mv)| {
                    ["name", "email", "groups"].contains(&mk.as_str()) && mv.as_str().is_some_and(|s| !s.is_empty())
                }) =>
            {
                let mut claims = out.get("claim_mappings").cloned().unwrap_or_else(default_claims);
                for (mk, mv) in m {
                    claims[mk] = mv.clone();
                }
                out.insert(k.clone(), claims);
            }
            _ => problems.push(
                InvalidParameter::new(format!("config.{k}"), "has an invalid value")
                    .rule("invalid")
                    .source("body"),
            ),
        }
    }
    if kind == "oidc" {
        for req in ["issuer_url", "client_id"] {
            if !out.contains_key(req) {
                problems.push(InvalidParameter::required(format!("config.{req}")));
            }
        }
        out.entry("scopes").or_insert_with(default_scopes);
        out.entry("claim_mappings").or_insert_with(default_claims);
    } else if !out.contains_key("idp_metadata_url") && !out.contains_key("idp_metadata_xml") {
        problems.push(InvalidParameter::required("config.idp_metadata_url"));
    }
    if problems.is_empty() {
        Ok((Value::Object(out), secret))
    } else {
        Err(problems)
    }
}

fn provider_body(state: &AppState, r: &IdpRecord) -> IdentityProvider {
    let mut config: Value = serde_json::from_str(&r.config).unwrap_or_else(|_| json!({}));
    if r.kind == "saml" {
        let base = state.config.public_url.trim_end_matches('/');
        let lp = &r.login_path;
        config["sp_metadata_url"] = json!(format!("{base}/v2/authenticate/{lp}/saml/metadata"));
        config["sp_entity_id"] = json!(format!("{base}/sp/{}", r.org_id));
        config["login_url"] = json!(format!("{base}/login/{lp}"));
        config["callback_url"] = json!(format!("{base}/v2/authenticate/{lp}/saml/acs"));
    }
    IdentityProvider {
        id: r.id,
        kind: r.kind.clone(),
        enabled: r.enabled,
        login_path: r.login_path.clone(),
        config,
        created_at: rfc3339(&r.created_at),
        updated_at: rfc3339(&r.updated_at),
    }
}

pub async fn get_identity_providers(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    q: RawQuery,
) -> ApiResult<Response> {
    let mut kind = None;
    for (k, v) in &q.0 {
        match k.as_str() {
            "filter[type]" | "filter[type][eq]" => kind = Some(v.clone()),
            k if k.starts_with("filter") => {
                return Err(ApiError::invalid(
                    InvalidParameter::new(k.to_string(), "only filter[type] is supported")
                        .rule("unknown_property")
                        .source("query"),
                ))
            }
            _ => {}
        }
    }
    let list = state.store.list_idps(p.org, kind.as_deref()).await?;
    Ok(ok(list.iter().map(|r| provider_body(&state, r)).collect::<Vec<_>>()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateIdentityProviderRequest {
    #[serde(rename = "type")]
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    login_path: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    #[schema(value_type = Option<Object>)]
    config: Option<Value>,
}

async fn check_login_path(state: &AppState, lp: &str, except: Option<IdentityProviderId>) -> ApiResult<()> {
    if !valid_login_path(lp) {
        return Err(ApiError::invalid(
            InvalidParameter::new("login_path", "must be 1 to 100 lowercase letters, digits or '-'")
                .rule("matches_regex")
                .source("body"),
        ));
    }
    if state.store.login_path_taken(lp, except).await? {
        return Err(ApiError::Conflict("The login path is already in use".into()));
    }
    Ok(())
}

pub async fn create_identity_provider(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Json(body): Json<CreateIdentityProviderRequest>,
) -> ApiResult<Response> {
    let kind = match body.kind.as_deref() {
        Some(k @ ("oidc" | "saml")) => k.to_string(),
        None => return Err(ApiError::invalid(InvalidParameter::required("type"))),
        Some(_) => return Err(ApiError::invalid(InvalidParameter::choices("type", &["oidc", "saml"]))),
    };
    let login_path = body
        .login_path
        .ok_or_else(|| ApiError::invalid(InvalidParameter::required("login_path")))?;
    let config = body
        .config
        .ok_or_else(|| ApiError::invalid(InvalidParameter::required("config")))?;
    let (config, secret) = parse_config(&kind, &config, None).map_err(ApiError::invalid_many)?;
    check_login_path(&state, &login_path, None).await?;
    if state.store.find_idp_by_type(p.org, &kind).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "An identity provider of type {kind} already exists"
        )));
    }
    let res = state
        .store
        .insert_idp(
            p.org,
            &kind,
            false,
            &login_path,
            &config.to_string(),
            secret.as_deref(),
            state.clock.now(),
        )
        .await;
    match res {
        Ok(r) => Ok(created(provider_body(&state, &r))),
        Err(e) if e.is_conflict() => Err(ApiError::Conflict(
            "The identity provider conflicts with an existing one".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

async fn find_provider(state: &AppState, org: OrgId, id: Uuid) -> ApiResult<IdpRecord> {
    state
        .store
        .find_idp(org, IdentityProviderId(id))
        .await?
        .ok_or_else(|| ApiError::not_found("identity provider"))
}

pub async fn get_identity_provider(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    Ok(ok(provider_body(&state, &find_provider(&state, p.org, id).await?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateIdentityProviderRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    enabled: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    login_path: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    #[schema(value_type = Option<Object>)]
    config: Option<Value>,
}

pub async fn update_identity_provider(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path(id): Path<Uuid>,
    Json(body): Json<UpdateIdentityProviderRequest>,
) -> ApiResult<Response> {
    let cur = find_provider(&state, p.org, id).await?;
    let id = IdentityProviderId(id);
    let current_cfg: Value = serde_json::from_str(&cur.config).unwrap_or_else(|_| json!({}));
    let (config, secret) = match &body.config {
        Some(c) => {
            let (c, s) = parse_config(&cur.kind, c, Some(&current_cfg)).map_err(ApiError::invalid_many)?;
            (Some(c.to_string()), s)
        }
        None => (None, None),
    };
    if let Some(lp) = &body.login_path {
        check_login_path(&state, lp, Some(id)).await?;
    }
    let rec = state
        .store
        .update_idp(
            p.org,
            id,
            IdpChange {
                enabled: body.enabled,
                login_path: body.login_path.as_deref(),
                config: config.as_deref(),
                client_secret: secret.as_deref(),
            },
            state.clock.now(),
        )
        .await?
        .ok_or_else(|| ApiError::not_found("identity provider"))?;
    if body.enabled == Some(true) {
        state.store.enable_only_idp(p.org, id).await?;
        state.store.set_org_login_path(p.org, &rec.login_path).await?;
    }
    let rec = find_provider(&state, p.org, id.0).await?;
    Ok(ok(provider_body(&state, &rec)))
}

pub async fn delete_identity_provider(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    if !state.store.delete_idp(p.org, IdentityProviderId(id)).await? {
        return Err(ApiError::not_found("identity provider"));
    }
    Ok(status(StatusCode::NO_CONTENT))
}

// ---- v2's single OIDC configuration -----------------------------------------------------

fn idp_v2_body(r: Option<&IdpRecord>) -> IdP {
    let cfg: Value = r
        .and_then(|r| serde_json::from_str(&r.config).ok())
        .unwrap_or_else(|| json!({}));
    let text = |k: &str| cfg.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    IdP {
        issuer: text("issuer_url"),
        login_path: r.map(|r| r.login_path.clone()).unwrap_or_default(),
        client_id: text("client_id"),
        scopes: serde_json::from_value(cfg.get("scopes").cloned().unwrap_or_else(default_scopes)).unwrap_or_default(),
        claim_mappings: serde_json::from_value(cfg.get("claim_mappings").cloned().unwrap_or_else(default_claims))
            .unwrap_or(ClaimMappings {
                name: "name".into(),
                email: "email".into(),
                groups: "groups".into(),
            }),
    }
}

pub async fn get_idp_configuration(State(state): State<AppState>, p: Authorized<IdentityRead>) -> ApiResult<Response> {
    let r = state.store.find_idp_by_type(p.org, "oidc").await?;
    let r = r.ok_or_else(|| ApiError::NotFound("IdP configuration not found".into()))?;
    Ok(ok(idp_v2_body(Some(&r))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateIdpConfigurationRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    issuer: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    login_path: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    client_id: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    client_secret: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    scopes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    claim_mappings: Option<BTreeMap<String, String>>,
}

pub async fn update_idp_configuration(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Json(body): Json<UpdateIdpConfigurationRequest>,
) -> ApiResult<Response> {
    let mut cfg = Map::new();
    if let Some(v) = body.issuer {
        cfg.insert("issuer_url".into(), json!(v));
    }
    if let Some(v) = body.client_id {
        cfg.insert("client_id".into(), json!(v));
    }
    if let Some(v) = body.client_secret {
        cfg.insert("client_secret".into(), json!(v));
    }
    if let Some(v) = body.scopes {
        cfg.insert("scopes".into(), json!(v));
    }
    if let Some(v) = body.claim_mappings {
        // v2's IdP schema: claim_mappings has minProperties 3 (name, email, groups).
        if v.len() < 3 {
            let mut p = InvalidParameter::new("claim_mappings", "must map name, email and groups")
                .rule("min_items")
                .source("body");
            p.minimum = Some(3);
            return Err(ApiError::invalid(p));
        }
        cfg.insert("claim_mappings".into(), json!(v));
    }
    let rename = |ps: Vec<InvalidParameter>| {
        ApiError::invalid_many(
            ps.into_iter()
                .map(|mut p| {
                    p.field = p.field.replace("config.issuer_url", "issuer").replace("config.", "");
                    p
                })
                .collect(),
        )
    };
    let existing = state.store.find_idp_by_type(p.org, "oidc").await?;
    let now = state.clock.now();
    let rec = match existing {
        Some(cur) => {
            let current_cfg: Value = serde_json::from_str(&cur.config).unwrap_or_else(|_| json!({}));
            let (config, secret) = parse_config("oidc", &Value::Object(cfg), Some(&current_cfg)).map_err(rename)?;
            if let Some(lp) = &body.login_path {
                check_login_path(&state, lp, Some(IdentityProviderId(cur.id))).await?;
            }
            let config = config.to_string();
            state
                .store
                .update_idp(
                    p.org,
                    IdentityProviderId(cur.id),
                    IdpChange {
                        enabled: None,
                        login_path: body.login_path.as_deref(),
                        config: Some(&config),
                        client_secret: secret.as_deref(),
                    },
                    now,
                )
                .await?
                .ok_or_else(|| ApiError::not_found("identity provider"))?
        }
        None => {
            let (config, secret) = parse_config("oidc", &Value::Object(cfg), None).map_err(rename)?;
            let lp = body
                .login_path
                .ok_or_else(|| ApiError::invalid(InvalidParameter::required("login_path")))?;
            check_login_path(&state, &lp, None).await?;
            state
                .store
                .insert_idp(p.org, "oidc", false, &lp, &config.to_string(), secret.as_deref(), now)
                .await?
        }
    };
    state.store.set_org_login_path(p.org, &rec.login_path).await?;
    Ok(ok(idp_v2_body(Some(&rec))))
}

// ---- group ↔ team mappings ---------------------------------------------------------------

fn page_of<T>(all: Vec<T>, page: PageRequest) -> Vec<T> {
    all.into_iter()
        .skip(page.offset() as usize)
        .take(page.size as usize)
        .collect()
}

fn meta(page: PageRequest, total: usize) -> Meta {
    Meta {
        page: PageMeta {
            number: page.number,
            size: page.size,
            total: total as i64,
        },
    }
}

async fn require_idp(state: &AppState, org: OrgId, status_412: bool) -> ApiResult<()> {
    if state.store.list_idps(org, None).await?.is_empty() {
        return Err(if status_412 {
            ApiError::PreconditionFailed("IdP configuration not found".into())
        } else {
            ApiError::bad_request(
                "An IdP configuration is required",
                InvalidParameter::new("data", "cannot be set before configuring an identity provider").source("body"),
            )
        });
    }
    Ok(())
}

fn group_by_group(pairs: Vec<(String, Uuid)>) -> Vec<TeamMapping> {
    let mut map: BTreeMap<String, Vec<Uuid>> = BTreeMap::new();
    for (g, t) in pairs {
        map.entry(g).or_default().push(t);
    }
    map.into_iter()
        .map(|(group, team_ids)| TeamMapping { group, team_ids })
        .collect()
}

fn group_by_team(pairs: Vec<(String, Uuid)>) -> Vec<TeamGroupMapping> {
    let mut map: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
    for (g, t) in pairs {
        map.entry(t).or_default().push(g);
    }
    map.into_iter()
        .map(|(team_id, groups)| TeamGroupMapping { team_id, groups })
        .collect()
}

pub async fn get_idp_team_mappings(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    Pagination(page): Pagination,
) -> ApiResult<Response> {
    require_idp(&state, p.org, true).await?;
    let all = group_by_group(state.store.list_team_mappings(p.org).await?);
    Ok(ok(TeamMappingResponse {
        meta: meta(page, all.len()),
        data: page_of(all, page),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TeamMappingItem {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    group: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    team_ids: Option<Vec<String>>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateTeamMappingsRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    mappings: Option<Vec<TeamMappingItem>>,
}

async fn parse_team_ids(
    state: &AppState,
    org: OrgId,
    field: &str,
    ids: &[String],
    problems: &mut Problems,
) -> Vec<TeamId> {
    let mut out = Vec::new();
    for (i, raw) in ids.iter().enumerate() {
        let f = format!("{field}[{i}]");
        match Uuid::parse_str(raw) {
            Err(_) => problems.push(
                InvalidParameter::new(f, "must be a valid UUID")
                    .rule("is_uuid")
                    .source("body"),
            ),
            Ok(u) => match state.store.find_team(org, TeamId(u)).await {
                Ok(Some(_)) => out.push(TeamId(u)),
                _ => problems.push(
                    InvalidParameter::new(f, "team does not exist")
                        .rule("missing_reference")
                        .source("body"),
                ),
            },
        }
    }
    out
}

pub async fn update_idp_team_mappings(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Json(body): Json<UpdateTeamMappingsRequest>,
) -> ApiResult<Response> {
    require_idp(&state, p.org, true).await?;
    let items = body
        .mappings
        .ok_or_else(|| ApiError::invalid(InvalidParameter::required("mappings")))?;
    let mut problems = Problems::default();
    let mut parsed = Vec::new();
    for (i, m) in items.iter().enumerate() {
        let group = match m.group.as_deref() {
            Some(g) if !g.trim().is_empty() && g.len() <= 250 => g.to_string(),
            _ => {
                problems.push(
                    InvalidParameter::new(format!("mappings[{i}].group"), "cannot be blank")
                        .rule("required")
                        .source("body"),
                );
                continue;
            }
        };
        let ids = parse_team_ids(
            &state,
            p.org,
            &format!("mappings[{i}].team_ids"),
            m.team_ids.as_deref().unwrap_or_default(),
            &mut problems,
        )
        .await;
        parsed.push((group, ids));
    }
    problems.finish()?;
    state.store.replace_group_mappings(p.org, &parsed).await?;
    let data = parsed
        .into_iter()
        .map(|(group, ids)| TeamMapping {
            group,
            team_ids: ids.iter().map(|t| t.0).collect(),
        })
        .collect();
    Ok(ok(TeamMappingCollection { data }))
}

pub async fn get_team_group_mappings(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
    Pagination(page): Pagination,
) -> ApiResult<Response> {
    let all = group_by_team(state.store.list_team_mappings(p.org).await?);
    Ok(ok(TeamGroupMappingCollection {
        meta: meta(page, all.len()),
        data: page_of(all, page),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TeamGroupItem {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    team_id: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    groups: Option<Vec<String>>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PatchTeamGroupMappingsRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    data: Option<Vec<TeamGroupItem>>,
}

pub async fn patch_team_group_mappings(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Json(body): Json<PatchTeamGroupMappingsRequest>,
) -> ApiResult<Response> {
    require_idp(&state, p.org, false).await?;
    let items = body
        .data
        .ok_or_else(|| ApiError::invalid(InvalidParameter::required("data")))?;
    let mut problems = Problems::default();
    let mut parsed = Vec::new();
    for (i, m) in items.iter().enumerate() {
        let ids = parse_team_ids(
            &state,
            p.org,
            &format!("data[{i}].team_id"),
            m.team_id.as_slice(),
            &mut problems,
        )
        .await;
        if m.team_id.is_none() {
            problems.push(InvalidParameter::required(format!("data[{i}].team_id")));
        }
        let groups: Vec<String> = m.groups.clone().unwrap_or_default();
        if groups.iter().any(|g| g.trim().is_empty() || g.len() > 250) {
            problems.push(
                InvalidParameter::new(format!("data[{i}].groups"), "groups must be 1 to 250 characters")
                    .rule("invalid")
                    .source("body"),
            );
        }
        if let Some(t) = ids.first() {
            parsed.push((*t, groups));
        }
    }
    problems.finish()?;
    state.store.replace_team_groups(p.org, &parsed).await?;
    let page = PageRequest {
        number: 1,
        size: state.config.max_page_size,
    };
    let all = group_by_team(state.store.list_team_mappings(p.org).await?);
    Ok(ok(TeamGroupMappingCollection {
        meta: meta(page, all.len()),
        data: page_of(all, page),
    }))
}

// ---- impersonation and the organization ----------------------------------------------------

pub async fn get_impersonation_settings(
    State(state): State<AppState>,
    p: Authorized<IdentityRead>,
) -> ApiResult<Response> {
    let o = org(&state, p.org).await?;
    Ok(ok(ImpersonationSettings {
        enabled: o.impersonation_enabled,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ImpersonationRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    enabled: Option<bool>,
}

pub async fn update_impersonation_settings(
    State(state): State<AppState>,
    p: Authorized<IdentityWrite>,
    Json(body): Json<ImpersonationRequest>,
) -> ApiResult<Response> {
    if let Some(e) = body.enabled {
        state.store.set_impersonation(p.org, e, state.clock.now()).await?;
    }
    let o = org(&state, p.org).await?;
    Ok(ok(ImpersonationSettings {
        enabled: o.impersonation_enabled,
    }))
}

pub async fn get_organizations_me(State(state): State<AppState>, p: Authorized<Anyone>) -> ApiResult<Response> {
    let o = org(&state, p.org).await?;
    Ok(ok(MeOrganization {
        id: o.id,
        name: o.name,
        owner_id: o.owner_id.map(|u| u.to_string()).unwrap_or_default(),
        login_path: o.login_path,
        created_at: rfc3339(&o.created_at),
        updated_at: rfc3339(&o.updated_at),
        state: o.state,
        retention_period_days: o.retention_period_days,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oidc_config_requires_issuer_and_client() {
        let e = parse_config("oidc", &json!({"client_id": "x"}), None).unwrap_err();
        assert_eq!(e[0].field, "config.issuer_url");
        let (c, s) = parse_config(
            "oidc",
            &json!({"issuer_url": "https://idp.example.com/oauth2", "client_id": "x", "client_secret": "s"}),
            None,
        )
        .unwrap();
        assert_eq!(c["scopes"], default_scopes());
        assert_eq!(s.as_deref(), Some("s"));
        assert!(c.get("client_secret").is_none());
        let e = parse_config("saml", &json!({"issuer_url": "https://x.example.com"}), None).unwrap_err();
        assert_eq!(e[0].rule, Some("unknown_property"));
        assert!(parse_config(
            "saml",
            &json!({"idp_metadata_url": "https://mocksaml.com/api/saml/metadata"}),
            None
        )
        .is_ok());
    }

    #[test]
    fn login_paths() {
        assert!(valid_login_path("my-org1"));
        assert!(!valid_login_path("My Org"));
        assert!(!valid_login_path(""));
    }
}
