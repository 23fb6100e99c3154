//! The regional APIs: runtime groups (control planes) and what hangs off them.

use axum::Router;

use crate::state::AppState;

/// Routes under `/v2` on a regional base URL.
pub fn router() -> Router<AppState> {
    Router::new()
}

/// decK's legacy listing under `/konnect-api/api`.
pub fn legacy_router() -> Router<AppState> {
    Router::new()
}
