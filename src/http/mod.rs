//! Router assembly: which base URL (global or a region) a request is for, API versions, and
//! the layers every request passes through.

pub mod extract;
pub mod filter;
pub mod openapi;
pub mod query;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;

/// Which base URL a request was addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `global.<domain>` or `/global/…`.
    Global,
    /// `{region}.<domain>` or `/{region}/…`.
    Region(String),
    /// Any other host with a plain path: identity goes global, runtime groups to the default region.
    Local,
}

/// The API version of the route (`/v2` or `/v3`), for shapes that differ between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiVersion(pub u8);

impl<S: Send + Sync> FromRequestParts<S> for ApiVersion {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(parts.extensions.get::<ApiVersion>().copied().unwrap_or(ApiVersion(2)))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for crate::domain::runtime_group::Naming {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(parts
            .extensions
            .get::<crate::domain::runtime_group::Naming>()
            .copied()
            .unwrap_or(crate::domain::runtime_group::Naming::RuntimeGroups))
    }
}

/// The region a regional request is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Region {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Region>()
            .cloned()
            .ok_or_else(|| ApiError::NotFound("No region was given for this request".into()))
    }
}

/// The whole application: scope resolution wrapped around the API router.
pub fn app(state: AppState) -> Router {
    let api = api_router(state.clone());
    let scoped = middleware::from_fn_with_state(state.clone(), resolve_scope);
    let inner = tower::Layer::layer(&scoped, api);
    Router::new()
        .fallback_service(inner)
        .layer(middleware::from_fn_with_state(state, forget_principals_after_writes))
        .layer(
            tower::ServiceBuilder::new()
                .layer(TraceLayer::new_for_http())
                // A client that stalls while sending a body is cut off.
                .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(Duration::from_secs(
                    30,
                )))
                .layer(CatchPanicLayer::custom(|_| {
                    ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
                })),
        )
}

/// A write that went through (or failed on the server's side) may have changed who holds what:
/// the principal cache forgets everything once it completes. A 4xx write changed nothing.
async fn forget_principals_after_writes(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let write = !req.method().is_safe();
    let res = next.run(req).await;
    if write && !res.status().is_client_error() {
        state.principals.invalidate();
    }
    res
}

fn api_router(state: AppState) -> Router {
    let global = crate::api::global::router().route_layer(middleware::from_fn(require_global));
    let regional_guard = middleware::from_fn_with_state(state.clone(), require_regional);
    let guard = |r: Router<AppState>| {
        if r.has_routes() {
            r.route_layer(regional_guard.clone())
        } else {
            r
        }
    };
    let regional = guard(crate::api::regional::router());
    let legacy = guard(crate::api::regional::legacy_router());
    let v2 = global.clone().merge(regional).layer(Extension(ApiVersion(2)));
    let v3 = global.layer(Extension(ApiVersion(3)));
    Router::new()
        .route("/health", get(health))
        .route("/v2/openapi.json", get(serve_openapi))
        .nest("/v2", v2)
        .nest("/v3", v3)
        .nest("/konnect-api/api", legacy.layer(Extension(ApiVersion(2))))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .with_state(state)
}

/// Kontrol's OpenAPI document (built once).
pub fn openapi_document() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        use openapi::{document, ApiRoute, Family};
        let meta = vec![
            ApiRoute::new(
                axum::http::Method::GET,
                "/health",
                "get-health",
                "Liveness",
                200,
                get(health),
            )
            .public(),
            ApiRoute::new(
                axum::http::Method::GET,
                "/v2/openapi.json",
                "get-openapi",
                "This document",
                200,
                get(serve_openapi),
            )
            .public(),
        ];
        document(&[
            Family {
                prefixes: &["/v3", "/v2"],
                tag: "Identity (global)",
                routes: crate::api::global::routes(),
            },
            Family {
                prefixes: &["/v2"],
                tag: "Runtime Groups and Control Planes (regional)",
                routes: crate::api::regional::routes(),
            },
            Family {
                prefixes: &["/konnect-api/api"],
                tag: "decK legacy (regional)",
                routes: crate::api::regional::legacy_routes(),
            },
            Family {
                prefixes: &[""],
                tag: "Server",
                routes: meta,
            },
        ])
    })
}

async fn serve_openapi() -> Response {
    axum::Json(openapi_document()).into_response()
}

async fn health(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => axum::Json(serde_json::json!({"status": "ok"})).into_response(),
        _ => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "unavailable"})),
        )
            .into_response(),
    }
}

async fn not_found() -> ApiError {
    ApiError::NotFound("The requested resource was not found".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

const API_ROOTS: [&str; 3] = ["v2", "v3", "konnect-api"];

/// The path prefix the request came in under (`/eu`, `/global`, or empty), for links back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BasePath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BasePath {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(parts.extensions.get::<BasePath>().cloned().unwrap_or_default())
    }
}

/// Longest request target accepted; longer ones are a 414 problem.
const MAX_URI_BYTES: usize = 16 * 1024;

/// Strips a `/global` or `/{region}` prefix (or reads the Host) and records the `Scope`.
/// A trailing slash is ignored (`/v2/users/` is `/v2/users`), as in Konnect's own examples.
async fn resolve_scope(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if req.uri().to_string().len() > MAX_URI_BYTES {
        return ApiError::UriTooLong.into_response();
    }
    let mut path = req.uri().path().to_string();
    if path.len() > 1 && path.ends_with('/') {
        path = path.trim_end_matches('/').to_string();
        if path.is_empty() {
            path.push('/');
        }
        let pq = match req.uri().query() {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        let mut parts = req.uri().clone().into_parts();
        parts.path_and_query = pq.parse().ok();
        if let Ok(uri) = Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    let mut segs = path.trim_start_matches('/').splitn(3, '/');
    let first = segs.next().unwrap_or("");
    let second = segs.next();
    let regions = &state.config.regions;

    let mut scope = None;
    if let Some(second) = second {
        if first == "global" {
            scope = Some(Scope::Global);
        } else if regions.iter().any(|r| r == first) {
            scope = Some(Scope::Region(first.to_string()));
        } else if !API_ROOTS.contains(&first) && API_ROOTS.contains(&second) {
            return ApiError::NotFound(format!("Unknown region '{first}'")).into_response();
        }
    }
    if scope.is_some() {
        req.extensions_mut().insert(BasePath(format!("/{first}")));
        let rest = &path[first.len() + 1..];
        let new_pq = match req.uri().query() {
            Some(q) => format!("{rest}?{q}"),
            None => rest.to_string(),
        };
        let mut parts = req.uri().clone().into_parts();
        parts.path_and_query = new_pq.parse().ok();
        if let Ok(uri) = Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    } else {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| req.uri().host())
            .unwrap_or("");
        let label = host.split('.').next().unwrap_or("");
        scope = Some(if host.contains('.') && label == "global" {
            Scope::Global
        } else if host.contains('.') && regions.iter().any(|r| r == label) {
            Scope::Region(label.to_string())
        } else {
            Scope::Local
        });
    }
    req.extensions_mut().insert(scope.unwrap_or(Scope::Local));
    next.run(req).await
}

async fn require_global(req: Request, next: Next) -> Response {
    match req.extensions().get::<Scope>() {
        Some(Scope::Region(r)) => ApiError::NotFound(format!(
            "This resource is served by the global API, not by region '{r}'"
        ))
        .into_response(),
        _ => next.run(req).await,
    }
}

async fn require_regional(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let region = match req.extensions().get::<Scope>() {
        Some(Scope::Region(r)) => r.clone(),
        Some(Scope::Global) => {
            return ApiError::NotFound("This resource is served by the regional APIs, not the global API".into())
                .into_response()
        }
        _ => state.config.default_region().to_string(),
    };
    req.extensions_mut().insert(Region(region));
    next.run(req).await
}
