//! The regional APIs: runtime groups (and the same data as control planes), composite
//! groups, pinned data-plane certificates and node records.

mod composites;
mod dataplanes;
mod dto;
mod legacy;
mod runtime_groups;

use axum::http::Method;
use axum::routing::{delete, get, patch, post, put, MethodRouter};
use axum::{Extension, Router};

use crate::domain::runtime_group::Naming;
use crate::http::openapi::{inline, named, router_of, ApiRoute, PAGE};
use crate::http::query::Paginated;
use crate::state::AppState;
use composites::MembersChange;
use dto::{
    DpCertificateItem, DpCertificateList, EolNodeList, ExpectedConfigHash, GroupMemberships, GroupStatus,
    LegacyRuntimeGroups, MemberStatus, NodeItem, NodeList, RuntimeGroup,
};

const LIST_QUERY: [&str; 14] = [
    "page[size]",
    "page[number]",
    "filter[name][eq]",
    "filter[name]",
    "filter[name][contains]",
    "filter[name][neq]",
    "filter[id][eq]",
    "filter[id]",
    "filter[id][oeq]",
    "filter[cluster_type][eq]",
    "filter[cluster_type]",
    "filter[cluster_type][neq]",
    "labels",
    "sort",
];

/// Routes under `/v2` on a regional base URL: `/runtime-groups/…` and `/control-planes/…`.
pub fn router() -> Router<AppState> {
    router_of(routes())
}

fn with(naming: Naming, m: MethodRouter<AppState>) -> MethodRouter<AppState> {
    m.layer(Extension(naming))
}

/// Every regional operation under both names, handler and documentation in one place.
pub fn routes() -> Vec<ApiRoute> {
    use Method as M;
    let r = ApiRoute::new;
    let rg = |m| with(Naming::RuntimeGroups, m);
    let cp = |m| with(Naming::ControlPlanes, m);
    let mut routes = vec![
        // runtime groups
        r(
            M::GET,
            "/runtime-groups",
            "list-runtime-groups",
            "List Runtime Groups",
            200,
            rg(get(runtime_groups::list)),
        )
        .query(&LIST_QUERY)
        .response(inline::<Paginated<RuntimeGroup>>),
        r(
            M::POST,
            "/runtime-groups",
            "create-runtime-group",
            "Create Runtime Group",
            201,
            rg(post(runtime_groups::create)),
        )
        .request(inline::<runtime_groups::CreateRuntimeGroupRequest>)
        .response(named::<RuntimeGroup>),
        r(
            M::GET,
            "/runtime-groups/{id}",
            "get-runtime-group",
            "Fetch Runtime Group",
            200,
            rg(get(runtime_groups::get)),
        )
        .response(named::<RuntimeGroup>),
        r(
            M::PATCH,
            "/runtime-groups/{id}",
            "update-runtime-group",
            "Update Runtime Group",
            200,
            rg(patch(runtime_groups::update)),
        )
        .request(inline::<runtime_groups::UpdateRuntimeGroupRequest>)
        .response(named::<RuntimeGroup>),
        r(
            M::DELETE,
            "/runtime-groups/{id}",
            "delete-runtime-group",
            "Delete Runtime Group",
            204,
            rg(delete(runtime_groups::delete)),
        ),
        r(
            M::GET,
            "/runtime-groups/{id}/composite-memberships",
            "get-runtime-groups-id-composite-memberships",
            "List Composite RG Memberships",
            200,
            rg(get(composites::list_members)),
        )
        .query(&PAGE)
        .response(inline::<Paginated<RuntimeGroup>>),
        r(
            M::PUT,
            "/runtime-groups/{id}/composite-memberships",
            "put-runtime-groups-id-composite-memberships",
            "Upsert Composite RG Members",
            204,
            rg(put(composites::change_members).layer(Extension(MembersChange::Replace))),
        )
        .request(inline::<composites::MembersRequest>),
        r(
            M::POST,
            "/runtime-groups/{id}/composite-memberships/add",
            "post-runtime-groups-id-composite-memberships-add",
            "Add Composite RG Members",
            204,
            rg(post(composites::change_members).layer(Extension(MembersChange::Add))),
        )
        .request(inline::<composites::MembersRequest>),
        r(
            M::POST,
            "/runtime-groups/{id}/composite-memberships/remove",
            "post-runtime-groups-id-composite-memberships-remove",
            "Remove Composite RG Members",
            204,
            rg(post(composites::change_members).layer(Extension(MembersChange::Remove))),
        )
        .request(inline::<composites::MembersRequest>),
        r(
            M::GET,
            "/runtime-groups/{id}/composite-member-status",
            "get-runtime-groups-id-composite-member-status",
            "Composite Membership Status",
            200,
            rg(get(composites::member_status)),
        )
        .response(inline::<MemberStatus>),
        r(
            M::GET,
            "/runtime-groups/{id}/composite-status",
            "get-runtime-groups-id-composite-status",
            "Get Composite RG Status",
            200,
            rg(get(composites::group_status)),
        )
        .response(inline::<GroupStatus>),
        // control planes
        r(
            M::GET,
            "/control-planes",
            "list-control-planes",
            "List Control Planes",
            200,
            cp(get(runtime_groups::list)),
        )
        .query(&LIST_QUERY)
        .response(inline::<Paginated<RuntimeGroup>>),
        r(
            M::POST,
            "/control-planes",
            "create-control-plane",
            "Create Control Plane",
            201,
            cp(post(runtime_groups::create)),
        )
        .request(inline::<runtime_groups::CreateRuntimeGroupRequest>)
        .response(named::<RuntimeGroup>),
        r(
            M::GET,
            "/control-planes/{id}",
            "get-control-plane",
            "Fetch Control Plane",
            200,
            cp(get(runtime_groups::get)),
        )
        .response(named::<RuntimeGroup>),
        r(
            M::PATCH,
            "/control-planes/{id}",
            "update-control-plane",
            "Update Control Plane",
            200,
            cp(patch(runtime_groups::update)),
        )
        .request(inline::<runtime_groups::UpdateRuntimeGroupRequest>)
        .response(named::<RuntimeGroup>),
        r(
            M::DELETE,
            "/control-planes/{id}",
            "delete-control-plane",
            "Delete Control Plane",
            204,
            cp(delete(runtime_groups::delete)),
        ),
        r(
            M::GET,
            "/control-planes/{id}/group-memberships",
            "get-control-planes-id-group-memberships",
            "List Control Plane Group Memberships",
            200,
            cp(get(composites::list_members_cursor)),
        )
        .query(&["page[size]", "page[after]"])
        .response(inline::<GroupMemberships>),
        r(
            M::PUT,
            "/control-planes/{id}/group-memberships",
            "put-control-planes-id-group-memberships",
            "Upsert Control Plane Group Members",
            204,
            cp(put(composites::change_members).layer(Extension(MembersChange::Replace))),
        )
        .request(inline::<composites::MembersRequest>),
        r(
            M::POST,
            "/control-planes/{id}/group-memberships/add",
            "post-control-planes-id-group-memberships-add",
            "Add Control Plane Group Members",
            204,
            cp(post(composites::change_members).layer(Extension(MembersChange::Add))),
        )
        .request(inline::<composites::MembersRequest>),
        r(
            M::POST,
            "/control-planes/{id}/group-memberships/remove",
            "post-control-planes-id-group-memberships-remove",
            "Remove Control Plane Group Members",
            204,
            cp(post(composites::change_members).layer(Extension(MembersChange::Remove))),
        )
        .request(inline::<composites::MembersRequest>),
        r(
            M::GET,
            "/control-planes/{id}/group-member-status",
            "get-control-planes-id-group-member-status",
            "Control Plane Group Member Status",
            200,
            cp(get(composites::member_status)),
        )
        .response(inline::<MemberStatus>),
        r(
            M::GET,
            "/control-planes/{id}/group-status",
            "get-control-planes-id-group-status",
            "Get Control Plane Group Status",
            200,
            cp(get(composites::group_status)),
        )
        .response(inline::<GroupStatus>),
    ];
    routes.extend(dataplane_routes("/runtime-groups/{id}", "", Naming::RuntimeGroups));
    routes.extend(dataplane_routes(
        "/control-planes/{id}",
        "-control-plane",
        Naming::ControlPlanes,
    ));
    routes
}

fn dataplane_routes(base: &'static str, suffix: &'static str, naming: Naming) -> Vec<ApiRoute> {
    use Method as M;
    let path = |rest: &str| format!("{base}{rest}");
    let id = |op: &str| format!("{op}{suffix}");
    let w = |m| with(naming, m);
    let r = ApiRoute::new;
    vec![
        r(
            M::GET,
            path("/dp-client-certificates"),
            id("get-dp-client-certificates"),
            "List DP Client Certificates",
            200,
            w(get(dataplanes::list_certificates)),
        )
        .query(&["page_size", "page_number"])
        .response(inline::<DpCertificateList>),
        r(
            M::POST,
            path("/dp-client-certificates"),
            id("post-dp-client-certificates"),
            "Pin New DP Client Certificate",
            201,
            w(post(dataplanes::pin_certificate)),
        )
        .request(inline::<dataplanes::PinRequest>)
        .response(inline::<DpCertificateItem>),
        r(
            M::GET,
            path("/dp-client-certificates/{certificateId}"),
            id("get-dp-client-certificates-cert_id"),
            "Fetch DP Client Certificate",
            200,
            w(get(dataplanes::get_certificate)),
        )
        .response(inline::<DpCertificateItem>),
        r(
            M::DELETE,
            path("/dp-client-certificates/{certificateId}"),
            id("delete-dp-client-certificates-cert_id"),
            "Delete DP Client Certificate",
            204,
            w(delete(dataplanes::delete_certificate)),
        ),
        r(
            M::GET,
            path("/nodes"),
            id("get-nodes"),
            "List Runtime Instance Records",
            200,
            w(get(dataplanes::list_nodes)),
        )
        .query(&["page_size", "page_number"])
        .response(inline::<NodeList>),
        r(
            M::GET,
            path("/nodes/eol"),
            id("get-nodes-eol"),
            "List Runtime Instance End-of-Life Records",
            200,
            w(get(dataplanes::list_eol_nodes)),
        )
        .query(&["page_size", "page_number"])
        .response(inline::<EolNodeList>),
        r(
            M::GET,
            path("/nodes/{nodeId}"),
            id("get-nodes-node_id"),
            "Fetch Runtime Instance Record",
            200,
            w(get(dataplanes::get_node)),
        )
        .response(inline::<NodeItem>),
        r(
            M::DELETE,
            path("/nodes/{nodeId}"),
            id("delete-nodes-node_id"),
            "Delete Runtime Instance Record",
            204,
            w(delete(dataplanes::delete_node)),
        ),
        r(
            M::GET,
            path("/expected-config-hash"),
            id("get-expected-config-hash"),
            "Fetch Expected Config Hash",
            200,
            w(get(dataplanes::expected_config_hash)),
        )
        .response(inline::<ExpectedConfigHash>),
    ]
}

/// decK's legacy listing under `/konnect-api/api`.
pub fn legacy_routes() -> Vec<ApiRoute> {
    vec![ApiRoute::new(
        Method::GET,
        "/runtime_groups",
        "list-runtime-groups-legacy",
        "List Runtime Groups (decK's legacy listing)",
        200,
        get(legacy::list_runtime_groups),
    )
    .query(&["page", "size"])
    .response(inline::<LegacyRuntimeGroups>)]
}

pub fn legacy_router() -> Router<AppState> {
    router_of(legacy_routes())
}
