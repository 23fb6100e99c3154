//! Response shapes of the regional APIs.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::config::Config;
use crate::domain::labels::Labels;
use crate::domain::runtime_group::{render_cluster_type, Naming};
use crate::domain::time::rfc3339;
use crate::store::RuntimeGroupRecord;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProxyUrl {
    pub host: String,
    pub port: i64,
    pub protocol: String,
}

/// A runtime group (control plane) in the shape of the family of paths it was asked through.
pub fn runtime_group(config: &Config, g: &RuntimeGroupRecord, naming: Naming) -> Value {
    let labels: Labels = serde_json::from_str(&g.labels).unwrap_or_default();
    let proxy_urls: Vec<ProxyUrl> = serde_json::from_str(&g.proxy_urls).unwrap_or_default();
    let host = |kind: &str| {
        format!(
            "https://{}.{}.{kind}.{}",
            g.endpoint_prefix, g.region, config.cluster_domain
        )
    };
    json!({
        "id": g.id,
        "name": g.name,
        "description": g.description,
        "labels": labels,
        "config": {
            "control_plane_endpoint": host("cp"),
            "telemetry_endpoint": host("tp"),
            "cluster_type": render_cluster_type(&g.cluster_type, naming),
            "auth_type": g.auth_type,
            "cloud_gateway": g.cloud_gateway,
            "proxy_urls": proxy_urls,
        },
        "created_at": rfc3339(&g.created_at),
        "updated_at": rfc3339(&g.updated_at),
    })
}
