//! The regional APIs: runtime groups (and the same data as control planes), composite
//! groups, pinned data-plane certificates and node records.

mod composites;
mod dataplanes;
mod dto;
mod legacy;
mod runtime_groups;

use axum::routing::{get, post};
use axum::{Extension, Router};

use crate::domain::runtime_group::Naming;
use crate::state::AppState;

/// Routes under `/v2` on a regional base URL: `/runtime-groups/…` and `/control-planes/…`.
pub fn router() -> Router<AppState> {
    let rg = Router::new()
        .route(
            "/runtime-groups",
            get(runtime_groups::list).post(runtime_groups::create),
        )
        .route(
            "/runtime-groups/{id}",
            get(runtime_groups::get)
                .patch(runtime_groups::update)
                .delete(runtime_groups::delete),
        )
        .route(
            "/runtime-groups/{id}/composite-memberships",
            get(composites::list_members).put(composites::put_members),
        )
        .route(
            "/runtime-groups/{id}/composite-memberships/add",
            post(composites::add_members),
        )
        .route(
            "/runtime-groups/{id}/composite-memberships/remove",
            post(composites::remove_members),
        )
        .route(
            "/runtime-groups/{id}/composite-member-status",
            get(composites::member_status),
        )
        .route("/runtime-groups/{id}/composite-status", get(composites::group_status))
        .merge(dataplane_routes("/runtime-groups"))
        .layer(Extension(Naming::RuntimeGroups));
    let cp = Router::new()
        .route(
            "/control-planes",
            get(runtime_groups::list).post(runtime_groups::create),
        )
        .route(
            "/control-planes/{id}",
            get(runtime_groups::get)
                .patch(runtime_groups::update)
                .delete(runtime_groups::delete),
        )
        .route(
            "/control-planes/{id}/group-memberships",
            get(composites::list_members_cursor).put(composites::put_members),
        )
        .route(
            "/control-planes/{id}/group-memberships/add",
            post(composites::add_members),
        )
        .route(
            "/control-planes/{id}/group-memberships/remove",
            post(composites::remove_members),
        )
        .route(
            "/control-planes/{id}/group-member-status",
            get(composites::member_status),
        )
        .route("/control-planes/{id}/group-status", get(composites::group_status))
        .merge(dataplane_routes("/control-planes"))
        .layer(Extension(Naming::ControlPlanes));
    rg.merge(cp)
}

fn dataplane_routes(base: &str) -> Router<AppState> {
    Router::new()
        .route(
            &format!("{base}/{{id}}/dp-client-certificates"),
            get(dataplanes::list_certificates).post(dataplanes::pin_certificate),
        )
        .route(
            &format!("{base}/{{id}}/dp-client-certificates/{{certificateId}}"),
            get(dataplanes::get_certificate).delete(dataplanes::delete_certificate),
        )
        .route(&format!("{base}/{{id}}/nodes"), get(dataplanes::list_nodes))
        .route(&format!("{base}/{{id}}/nodes/eol"), get(dataplanes::list_eol_nodes))
        .route(
            &format!("{base}/{{id}}/nodes/{{nodeId}}"),
            get(dataplanes::get_node).delete(dataplanes::delete_node),
        )
        .route(
            &format!("{base}/{{id}}/expected-config-hash"),
            get(dataplanes::expected_config_hash),
        )
}

/// decK's legacy listing under `/konnect-api/api`.
pub fn legacy_router() -> Router<AppState> {
    Router::new().route("/runtime_groups", get(legacy::list_runtime_groups))
}
