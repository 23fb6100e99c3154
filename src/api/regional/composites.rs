//! Composite runtime groups (control plane groups): memberships and status.

use std::collections::{BTreeSet, HashMap};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use base64::Engine;
use serde::Deserialize;
use uuid::Uuid;

use super::dto::{runtime_group, CursorMeta, CursorPageMeta, GroupMemberships, GroupStatus, MemberStatus};
use super::runtime_groups::{changeable, entity_name, readable, visibility, Need};
use crate::api::{ok, status, Problems};
use crate::auth::rbac::Action;
use crate::auth::Principal;
use crate::domain::ids::RuntimeGroupId;
use crate::domain::runtime_group::{ClusterKind, Naming};
use crate::domain::time::rfc3339;
use crate::error::{ApiError, ApiResult, InvalidParameter};
use crate::http::extract::{Json, Path};
use crate::http::query::{Paginated, Pagination, RawQuery};
use crate::http::{BasePath, Region};
use crate::state::AppState;
use crate::store::RuntimeGroupRecord;

pub const MAX_MEMBERS: usize = 256;
pub const MAX_PER_CALL: usize = 50;
pub const MAX_COMPOSITES_PER_GROUP: i64 = 5;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MemberRef {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    id: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MembersRequest {
    #[serde(default, deserialize_with = "crate::http::extract::non_null")]
    members: Option<Vec<MemberRef>>,
}

fn not_composite(naming: Naming) -> ApiError {
    let what = match naming {
        Naming::RuntimeGroups => "composite runtime group",
        Naming::ControlPlanes => "control plane group",
    };
    ApiError::bad_request(
        format!("The {} is not a {what}.", entity_name(naming)),
        InvalidParameter::new("id", format!("must be a {what}"))
            .rule("invalid")
            .source("path"),
    )
}

fn is_composite(g: &RuntimeGroupRecord) -> bool {
    ClusterKind::parse(&g.cluster_type) == Some(ClusterKind::Composite)
}

/// Parses and de-duplicates `members`, checking the per-call limit.
fn member_ids(body: &MembersRequest, per_call: usize) -> ApiResult<Vec<Uuid>> {
    let members = body
        .members
        .as_ref()
        .ok_or_else(|| ApiError::invalid(InvalidParameter::required("members")))?;
    let mut problems = Problems::default();
    if members.len() > per_call {
        let p = InvalidParameter::new("members", format!("must not have more than {per_call} items"))
            .rule("invalid")
            .source("body");
        problems.push(p);
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, m) in members.iter().enumerate() {
        match m.id.as_deref().map(Uuid::parse_str) {
            None => problems.push(InvalidParameter::required(format!("members[{i}].id"))),
            Some(Err(_)) => problems.push(
                InvalidParameter::new(format!("members[{i}].id"), "must be a valid UUID")
                    .rule("is_uuid")
                    .source("body"),
            ),
            Some(Ok(u)) => {
                if seen.insert(u) {
                    out.push(u);
                }
            }
        }
    }
    problems.finish()?;
    Ok(out)
}

/// Checks that each group to add exists, is readable and may join; `index` maps ids back to
/// their request positions for error fields.
async fn check_additions(
    state: &AppState,
    p: &Principal,
    region: &str,
    composite: &RuntimeGroupRecord,
    add: &[Uuid],
    index: &HashMap<Uuid, usize>,
    problems: &mut Problems,
) -> ApiResult<()> {
    let field = |u: &Uuid| format!("members[{}].id", index.get(u).copied().unwrap_or(0));
    let mut joinable = Vec::new();
    for id in add {
        if *id == composite.id {
            problems.push(
                InvalidParameter::new(field(id), "a group cannot be a member of itself")
                    .rule("invalid")
                    .source("body"),
            );
            continue;
        }
        let id_s = id.to_string();
        let g = if p.can(&Action::ReadRuntimeGroup { id: &id_s, region }) {
            state
                .store
                .find_runtime_group(p.org, region, RuntimeGroupId(*id))
                .await?
        } else {
            None
        };
        let Some(g) = g else {
            problems.push(
                InvalidParameter::new(field(id), "does not exist")
                    .rule("missing_reference")
                    .source("body"),
            );
            continue;
        };
        match ClusterKind::parse(&g.cluster_type) {
            Some(ClusterKind::Composite) => problems.push(
                InvalidParameter::new(field(id), "a group cannot be a member of another group")
                    .rule("invalid")
                    .source("body"),
            ),
            Some(k) if !k.may_join_composite() => problems.push(
                InvalidParameter::new(
                    field(id),
                    format!("a member of cluster type {} cannot join a group", g.cluster_type),
                )
                .rule("invalid")
                .source("body"),
            ),
            _ => joinable.push(*id),
        }
    }
    for (id, n) in state
        .store
        .composite_counts(&joinable, RuntimeGroupId(composite.id))
        .await?
    {
        if n >= MAX_COMPOSITES_PER_GROUP {
            problems.push(
                InvalidParameter::new(
                    field(&id),
                    format!("already belongs to {MAX_COMPOSITES_PER_GROUP} groups, the maximum"),
                )
                .rule("invalid")
                .source("body"),
            );
        }
    }
    for (id, n) in state.store.count_nodes(&joinable).await? {
        if n > 0 {
            problems.push(
                InvalidParameter::new(
                    field(&id),
                    "has connected data-plane nodes; only groups without nodes may join",
                )
                .rule("invalid")
                .source("body"),
            );
        }
    }
    Ok(())
}

fn check_removals(p: &Principal, region: &str, remove: &[Uuid]) -> ApiResult<()> {
    for id in remove {
        let id_s = id.to_string();
        if !p.can(&Action::ReadRuntimeGroup { id: &id_s, region }) {
            return Err(ApiError::forbidden());
        }
    }
    Ok(())
}

fn total_problem(total: usize) -> Option<InvalidParameter> {
    (total > MAX_MEMBERS).then(|| {
        let p = InvalidParameter::new("members", format!("a group has at most {MAX_MEMBERS} members"))
            .rule("invalid")
            .source("body");
        p
    })
}

async fn load_composite(
    state: &AppState,
    p: &Principal,
    region: &str,
    id: Uuid,
    naming: Naming,
) -> ApiResult<RuntimeGroupRecord> {
    let g = changeable(state, p, region, id, naming, Need::Admin).await?;
    if !is_composite(&g) {
        return Err(not_composite(naming));
    }
    Ok(g)
}

fn positions(body: &MembersRequest) -> HashMap<Uuid, usize> {
    let mut m = HashMap::new();
    for (i, r) in body.members.iter().flatten().enumerate() {
        if let Some(u) = r.id.as_deref().and_then(|s| Uuid::parse_str(s).ok()) {
            m.entry(u).or_insert(i);
        }
    }
    m
}

/// How a membership route changes a composite's members; each route carries its own as an
/// `Extension`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum MembersChange {
    /// `PUT`: the members become exactly the given list; an empty list clears.
    Replace,
    /// `POST …/add`: adding a member twice is not an error.
    Add,
    /// `POST …/remove`: removing a non-member is not an error.
    Remove,
}

/// `PUT …/composite-memberships`, `POST …/add`, `POST …/remove` (and the `group-memberships`
/// paths).
pub async fn change_members(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path(id): Path<Uuid>,
    Extension(change): Extension<MembersChange>,
    Json(body): Json<MembersRequest>,
) -> ApiResult<Response> {
    let c = load_composite(&state, &p, &region, id, naming).await?;
    let per_call = if change == MembersChange::Replace {
        MAX_MEMBERS
    } else {
        MAX_PER_CALL
    };
    let ids = member_ids(&body, per_call)?;
    let current: BTreeSet<Uuid> = state
        .store
        .composite_member_ids(RuntimeGroupId(c.id))
        .await?
        .into_iter()
        .collect();
    let add: Vec<Uuid> = match change {
        MembersChange::Remove => vec![],
        _ => ids.iter().filter(|u| !current.contains(u)).copied().collect(),
    };
    let remove: Vec<Uuid> = match change {
        MembersChange::Add => vec![],
        MembersChange::Remove => ids.iter().filter(|u| current.contains(u)).copied().collect(),
        MembersChange::Replace => {
            let wanted: BTreeSet<Uuid> = ids.iter().copied().collect();
            current.difference(&wanted).copied().collect()
        }
    };
    if change != MembersChange::Remove {
        let mut problems = Problems::default();
        check_additions(&state, &p, &region, &c, &add, &positions(&body), &mut problems).await?;
        if change == MembersChange::Add {
            if let Some(t) = total_problem(current.len() + add.len()) {
                problems.push(t);
            }
        }
        problems.finish()?;
    }
    check_removals(&p, &region, &remove)?;
    state
        .store
        .change_composite_members(RuntimeGroupId(c.id), &add, &remove, state.clock.now())
        .await?;
    Ok(status(StatusCode::NO_CONTENT))
}

/// `GET …/composite-memberships` (page numbers).
pub async fn list_members(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path(id): Path<Uuid>,
    Pagination(page): Pagination,
) -> ApiResult<Response> {
    let c = readable(&state, &p, &region, id, naming).await?;
    if !is_composite(&c) {
        return Err(not_composite(naming));
    }
    let res = state
        .store
        .list_composite_members(RuntimeGroupId(c.id), &visibility(&p, &region), page.offset(), page.size)
        .await?;
    let config = state.config.clone();
    Ok(ok(Paginated::new(res, page, |g| runtime_group(&config, &g, naming))))
}

/// `GET /control-planes/{id}/group-memberships` (cursor: `page[size]`, `page[after]`).
pub async fn list_members_cursor(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    prefix: BasePath,
    naming: Naming,
    Path(id): Path<Uuid>,
    q: RawQuery,
) -> ApiResult<Response> {
    let c = readable(&state, &p, &region, id, naming).await?;
    if !is_composite(&c) {
        return Err(not_composite(naming));
    }
    let mut size = 10u32;
    let mut offset = 0i64;
    let mut problems = Problems::default();
    if let Some(s) = q.single("page[size]")?.filter(|s| !s.is_empty()) {
        match s.parse::<u32>() {
            Ok(n) if (1..=state.config.max_page_size).contains(&n) => size = n,
            _ => problems.push(
                InvalidParameter::new(
                    "page[size]",
                    format!("must be an integer from 1 to {}", state.config.max_page_size),
                )
                .rule("invalid")
                .source("query"),
            ),
        }
    }
    if let Some(a) = q.single("page[after]")?.filter(|s| !s.is_empty()) {
        match decode_cursor(a) {
            Some(n) => offset = n,
            None => problems.push(
                InvalidParameter::new("page[after]", "is not a valid cursor")
                    .rule("invalid")
                    .source("query"),
            ),
        }
    }
    problems.finish()?;
    let res = state
        .store
        .list_composite_members(RuntimeGroupId(c.id), &visibility(&p, &region), offset, size)
        .await?;
    let next_offset = offset + res.items.len() as i64;
    let next = (next_offset < res.total).then(|| {
        let base = match naming {
            Naming::ControlPlanes => "control-planes",
            Naming::RuntimeGroups => "runtime-groups",
        };
        format!(
            "{}/v2/{base}/{}/group-memberships?page[size]={size}&page[after]={}",
            prefix.0,
            c.id,
            encode_cursor(next_offset)
        )
    });
    let config = state.config.clone();
    Ok(ok(GroupMemberships {
        meta: CursorMeta {
            page: CursorPageMeta {
                next,
                size,
                total: (offset == 0).then_some(res.total),
            },
        },
        data: res.items.iter().map(|g| runtime_group(&config, g, naming)).collect(),
    }))
}

fn encode_cursor(offset: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

fn decode_cursor(s: &str) -> Option<i64> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let n: i64 = text.strip_prefix("o:")?.parse().ok()?;
    (0..=1_000_000).contains(&n).then_some(n)
}

/// `GET …/composite-member-status` / `…/group-member-status`.
pub async fn member_status(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let g = readable(&state, &p, &region, id, naming).await?;
    let is_member = state.store.is_composite_member(RuntimeGroupId(g.id)).await?;
    Ok(ok(MemberStatus { is_member }))
}

/// `GET …/composite-status` / `…/group-status`. Conflicts come from configuration entities
/// that share names or ids across members; without configuration entities there are none.
pub async fn group_status(
    State(state): State<AppState>,
    p: Principal,
    Region(region): Region,
    naming: Naming,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let g = readable(&state, &p, &region, id, naming).await?;
    if !is_composite(&g) {
        return Err(not_composite(naming));
    }
    let state_name = match naming {
        Naming::RuntimeGroups => "COMPOSITE_STATE_OK",
        Naming::ControlPlanes => "OK",
    };
    Ok(ok(GroupStatus {
        id: g.id,
        created_at: rfc3339(&g.created_at),
        updated_at: rfc3339(&g.updated_at),
        conflicts: vec![],
        state: state_name.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(30)), Some(30));
        assert_eq!(decode_cursor("nope"), None);
        assert_eq!(decode_cursor(""), None);
        assert_eq!(
            decode_cursor(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("o:-1")),
            None
        );
    }
}
