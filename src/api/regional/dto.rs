//! Response shapes of the regional APIs.

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::domain::labels::Labels;
use crate::domain::runtime_group::{render_cluster_type, Naming};
use crate::domain::time::rfc3339;
use crate::store::RuntimeGroupRecord;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxyUrl {
    pub host: String,
    pub port: i64,
    pub protocol: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuntimeGroupConfig {
    pub control_plane_endpoint: String,
    pub telemetry_endpoint: String,
    pub cluster_type: String,
    pub auth_type: String,
    pub cloud_gateway: bool,
    pub proxy_urls: Vec<ProxyUrl>,
}

/// A runtime group (control plane).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuntimeGroup {
    pub id: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub labels: Labels,
    pub config: RuntimeGroupConfig,
    pub created_at: String,
    pub updated_at: String,
}

/// A runtime group in the shape of the family of paths it was asked through.
pub fn runtime_group(config: &Config, g: &RuntimeGroupRecord, naming: Naming) -> RuntimeGroup {
    let labels: Labels = serde_json::from_str(&g.labels).unwrap_or_default();
    let proxy_urls: Vec<ProxyUrl> = serde_json::from_str(&g.proxy_urls).unwrap_or_default();
    let host = |kind: &str| {
        format!(
            "https://{}.{}.{kind}.{}",
            g.endpoint_prefix, g.region, config.cluster_domain
        )
    };
    RuntimeGroup {
        id: g.id,
        name: g.name.clone(),
        description: g.description.clone(),
        labels,
        config: RuntimeGroupConfig {
            control_plane_endpoint: host("cp"),
            telemetry_endpoint: host("tp"),
            cluster_type: render_cluster_type(&g.cluster_type, naming).to_string(),
            auth_type: g.auth_type.clone(),
            cloud_gateway: g.cloud_gateway,
            proxy_urls,
        },
        created_at: rfc3339(&g.created_at),
        updated_at: rfc3339(&g.updated_at),
    }
}

/// `meta.page` of cursor-paginated lists.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CursorPageMeta {
    #[schema(required = true)]
    pub next: Option<String>,
    pub size: u32,
    #[schema(required = true)]
    pub total: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CursorMeta {
    pub page: CursorPageMeta,
}

/// `GET /control-planes/{id}/group-memberships`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupMemberships {
    pub meta: CursorMeta,
    pub data: Vec<RuntimeGroup>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MemberStatus {
    pub is_member: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConflictResource {
    pub id: uuid::Uuid,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Conflict {
    pub cluster_id: uuid::Uuid,
    pub description: String,
    pub resource: ConflictResource,
}

/// `GET …/composite-status` and `…/group-status`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupStatus {
    pub id: uuid::Uuid,
    pub created_at: String,
    pub updated_at: String,
    pub conflicts: Vec<Conflict>,
    pub state: String,
}

/// A pinned data-plane certificate (configuration-API shape: Unix-second timestamps).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DpCertificate {
    pub id: uuid::Uuid,
    pub cert: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DpCertificateItem {
    pub item: DpCertificate,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CertificatePage {
    pub total_count: i64,
    pub has_next_page: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DpCertificateList {
    pub items: Vec<DpCertificate>,
    pub page: CertificatePage,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompatibilityStatus {
    pub state: String,
}

/// A data-plane node record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Node {
    pub id: String,
    pub version: String,
    pub hostname: String,
    pub last_ping: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub config_hash: String,
    pub compatibility_status: CompatibilityStatus,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NodeItem {
    pub item: Node,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TotalCount {
    pub total_count: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NodeList {
    pub items: Vec<Node>,
    pub page: TotalCount,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EolNode {
    pub node_id: String,
    pub node_version: String,
    pub message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EolNodeList {
    pub items: Vec<EolNode>,
    pub page: TotalCount,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExpectedConfigHash {
    pub expected_hash: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// decK's legacy listing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LegacyRuntimeGroups {
    pub data: Vec<RuntimeGroup>,
    pub page: u32,
    #[serde(rename = "pageCount")]
    pub page_count: i64,
}
