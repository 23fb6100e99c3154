//! Konnect's predefined roles, the entity types they apply to, and the predefined teams.

use serde_json::{json, Map, Value};

/// Every `role_name` an assignment may carry (identity v3's `AssignRole` enum).
pub const ROLE_NAMES: [&str; 34] = [
    "Admin",
    "Appearance Maintainer",
    "Application Registration",
    "Certificate Admin",
    "Cloud Gateway Cluster Admin",
    "Cloud Gateway Cluster Viewer",
    "Consumer Admin",
    "Connector",
    "Creator",
    "Deployer",
    "Discovery Admin",
    "Discovery Viewer",
    "Gateway Service Admin",
    "Integration Admin",
    "Integration Viewer",
    "Key Admin",
    "Maintainer",
    "Network Admin",
    "Network Creator",
    "Network Viewer",
    "Plugin Admin",
    "Plugins Admin",
    "Product Publisher",
    "Publisher",
    "Route Admin",
    "SNI Admin",
    "Scorecard Admin",
    "Scorecard Viewer",
    "Service Admin",
    "Service Creator",
    "Service Viewer",
    "Upstream Admin",
    "Vault Admin",
    "Viewer",
];

/// Canonical entity types. `Runtime Groups` and `Control Planes` are the same type, as are
/// `Services` and `API Products`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityType {
    ControlPlanes,
    ApiProducts,
    AuditLogs,
    Identity,
    MeshControlPlanes,
    Apis,
    ApplicationAuthStrategies,
    DcrProviders,
    Networks,
    Portals,
    ServiceHub,
}

impl EntityType {
    /// Accepts the v2 and v3 display names and their snake_case keys.
    pub fn parse(name: &str) -> Option<EntityType> {
        use EntityType::*;
        Some(match name {
            "Runtime Groups" | "Control Planes" | "runtime_groups" | "control_planes" => ControlPlanes,
            "Services" | "API Products" | "services" | "api_products" => ApiProducts,
            "Audit Logs" | "audit_logs" => AuditLogs,
            "Identity" | "identity" => Identity,
            "Mesh Control Planes" | "Mesh Control Plane" | "mesh_control_planes" => MeshControlPlanes,
            "APIs" | "apis" => Apis,
            "Application Auth Strategies" | "application_auth_strategies" => ApplicationAuthStrategies,
            "DCR Providers" | "dcr_providers" => DcrProviders,
            "Networks" | "networks" => Networks,
            "Portals" | "portals" => Portals,
            "Service Hub" | "service_hub" => ServiceHub,
            _ => return None,
        })
    }

    /// Stable key stored beside the display name, so that both spellings of one type collide.
    pub fn key(self) -> &'static str {
        use EntityType::*;
        match self {
            ControlPlanes => "control_planes",
            ApiProducts => "api_products",
            AuditLogs => "audit_logs",
            Identity => "identity",
            MeshControlPlanes => "mesh_control_planes",
            Apis => "apis",
            ApplicationAuthStrategies => "application_auth_strategies",
            DcrProviders => "dcr_providers",
            Networks => "networks",
            Portals => "portals",
            ServiceHub => "service_hub",
        }
    }

    /// The name this type has in an API version's responses (2 or 3).
    pub fn display_name(self, version: u8) -> &'static str {
        use EntityType::*;
        match (self, version >= 3) {
            (ControlPlanes, false) => "Runtime Groups",
            (ControlPlanes, true) => "Control Planes",
            (ApiProducts, false) => "Services",
            (ApiProducts, true) => "API Products",
            (AuditLogs, _) => "Audit Logs",
            (Identity, _) => "Identity",
            (MeshControlPlanes, _) => "Mesh Control Planes",
            (Apis, _) => "APIs",
            (ApplicationAuthStrategies, _) => "Application Auth Strategies",
            (DcrProviders, _) => "DCR Providers",
            (Networks, _) => "Networks",
            (Portals, _) => "Portals",
            (ServiceHub, _) => "Service Hub",
        }
    }

    pub fn from_key(key: &str) -> Option<EntityType> {
        Self::parse(key)
    }

    /// The roles this type accepts; `None` means any name of [`ROLE_NAMES`].
    pub fn allowed_roles(self) -> Option<&'static [&'static str]> {
        use EntityType::*;
        match self {
            ControlPlanes => Some(&[
                "Admin",
                "Certificate Admin",
                "Consumer Admin",
                "Creator",
                "Deployer",
                "Gateway Service Admin",
                "Key Admin",
                "Plugin Admin",
                "Route Admin",
                "SNI Admin",
                "Upstream Admin",
                "Vault Admin",
                "Viewer",
            ]),
            ApiProducts => Some(&[
                "Admin",
                "Application Registration",
                "Creator",
                "Deployer",
                "Maintainer",
                "Plugins Admin",
                "Publisher",
                "Viewer",
            ]),
            AuditLogs | Identity => Some(&["Admin"]),
            MeshControlPlanes => Some(&["Admin", "Connector", "Creator", "Viewer"]),
            _ => None,
        }
    }
}

pub const ENTITY_TYPE_NAMES_V2: [&str; 5] = [
    "Runtime Groups",
    "Services",
    "Audit Logs",
    "Identity",
    "Mesh Control Planes",
];

pub const ENTITY_TYPE_NAMES_V3: [&str; 11] = [
    "APIs",
    "API Products",
    "Application Auth Strategies",
    "Audit Logs",
    "Control Planes",
    "DCR Providers",
    "Identity",
    "Mesh Control Planes",
    "Networks",
    "Portals",
    "Service Hub",
];

fn role(name: &str, description: &str) -> Value {
    json!({ "name": name, "description": description })
}

/// The `GET /roles` document, in the shape of the given API version (2 or 3).
pub fn predefined_roles(version: u8) -> Value {
    let v3 = version >= 3;
    let word = if v3 { "control plane" } else { "runtime group" };
    let title = if v3 { "Control Plane" } else { "Runtime Group" };
    let mut cp = Map::new();
    cp.insert(
        "admin".into(),
        role(
            "Admin",
            &format!("This role grants full write access to all entities within a {word}."),
        ),
    );
    cp.insert(
        "certificate_admin".into(),
        role(
            "Certificate Admin",
            "This role grants full write access to administer certificates.",
        ),
    );
    cp.insert(
        "consumer_admin".into(),
        role(
            "Consumer Admin",
            "This role grants full write access to administer consumers.",
        ),
    );
    cp.insert(
        "creator".into(),
        role(
            "Creator",
            &format!(
                "Creates a new {title} in an organization. The creator becomes the owner of the {title} they create."
            ),
        ),
    );
    cp.insert("deployer".into(), role("Deployer", "This role grants full write access to administer services, routes and plugins necessary to deploy services in Service Hub."));
    cp.insert(
        "gateway_service_admin".into(),
        role(
            "Gateway Service Admin",
            "This role grants full write access to administer gateway services.",
        ),
    );
    cp.insert(
        "plugin_admin".into(),
        role(
            "Plugin Admin",
            "This role grants full write access to administer plugins.",
        ),
    );
    cp.insert(
        "route_admin".into(),
        role(
            "Route Admin",
            "This role grants full write access to administer routes.",
        ),
    );
    cp.insert(
        "sni_admin".into(),
        role("SNI Admin", "This role grants full write access to administer SNIs."),
    );
    cp.insert(
        "upstream_admin".into(),
        role(
            "Upstream Admin",
            "This role grants full write access to administer upstreams.",
        ),
    );
    cp.insert(
        "viewer".into(),
        role(
            "Viewer",
            &format!("This role grants read only access to all entities within a {word}."),
        ),
    );

    let services = if v3 {
        json!({
            "admin": role("Admin", "This role grants full write access to an API product and its versions."),
            "application_registration": role("Application Registration", "This role grants permission to enable and disable application registration on an API product."),
            "creator": role("Creator", "This access is required to create API products. This access is not for creating sub-entities such as versions, API specs, etc."),
            "deployer": role("Deployer", "This role grants permission to deploy and remove an API product from a control plane."),
            "maintainer": role("Maintainer", "This role grants all write permission to manage an API product and to administer plugins."),
            "plugins_admin": role("Plugins Admin", "This role grants full write permission to administer plugins."),
            "publisher": role("Publisher", "This role grants permission to publish an API product to one or more portals."),
            "viewer": role("Viewer", "Viewer has read-only access to an API product and its sub-entities."),
        })
    } else {
        json!({
            "admin": role("Admin", "Admin of an existing Service. The admins have all write access permissions related to a Service, service version, service package etc."),
            "application_registration": role("Application Registration", "This role grants permission to enable and disable application registration on a service."),
            "creator": role("Creator", "This access is required to create a service. In addition the creators are granted Admin access to the service they create. This access is not for creating sub-entities such as service versions, implementations, API specs etc."),
            "deployer": role("Deployer", "This role grants permission to deploy and remove a service from a runtime group."),
            "maintainer": role("Maintainer", "This role grants all write permission to manage a service and to administer plugins."),
            "plugins_admin": role("Plugins Admin", "This role grants full write permission to administer plugins."),
            "publisher": role("Publisher", "This role grants permission to publish a service to one or more portals."),
            "viewer": role("Viewer", "Viewer has read-only access to all the configurations of a service, attributes, versions, reports, vitals and plugins."),
        })
    };
    let mut mesh = json!({
        "admin": role("Admin", "This role grants full write access to the related to Mesh control planes."),
        "creator": role("Creator", "This role grants access to create new Mesh control planes."),
        "viewer": role("Viewer", "This role grants access to read-only permissions to Mesh control planes."),
    });
    if v3 {
        mesh["connector"] = role(
            "Connector",
            "This role grants a mesh zone to connect to the mesh control plane in Konnect.",
        );
    }
    let (cp_key, cp_name, sv_key, sv_name) = if v3 {
        ("control_planes", "Control Planes", "api_products", "API Products")
    } else {
        ("runtime_groups", "Runtime Groups", "services", "Services")
    };
    let mut doc = Map::new();
    doc.insert(cp_key.into(), json!({ "name": cp_name, "roles": Value::Object(cp) }));
    doc.insert(sv_key.into(), json!({ "name": sv_name, "roles": services }));
    doc.insert(
        "audit_logs".into(),
        json!({ "name": "Audit Logs", "roles": { "admin": role("Admin", "This role grants full write access to the Audit log configuration.") } }),
    );
    doc.insert(
        "identity".into(),
        json!({ "name": "Identity", "roles": { "admin": role("Admin", "This role grants full write access to the Identity configuration.") } }),
    );
    doc.insert(
        "mesh_control_planes".into(),
        json!({ "name": "Mesh Control Plane", "roles": mesh }),
    );
    Value::Object(doc)
}

/// The predefined teams of every organization: (stable key, name, description).
pub const SYSTEM_TEAMS: [(&str, &str, &str); 8] = [
    (
        "organization-admin",
        "Organization Admin",
        "Users can fully manage all entities and configuration in the organization.",
    ),
    (
        "organization-admin-read-only",
        "Organization Admin (Read Only)",
        "Users can view all entities and configuration in the organization.",
    ),
    (
        "runtime-admin",
        "Runtime Admin",
        "Users can fully manage all runtime groups and their configuration in every region.",
    ),
    (
        "analytics-admin",
        "Analytics Admin",
        "Users can fully manage all analytics.",
    ),
    ("analytics-viewer", "Analytics Viewer", "Users can view all analytics."),
    (
        "portal-admin",
        "Portal Admin",
        "Users can fully manage all Dev Portal content.",
    ),
    ("service-admin", "Service Admin", "Users can fully manage all services."),
    ("service-developer", "Service Developer", "Users can develop services."),
];

pub const ORG_ADMIN_TEAM: &str = "organization-admin";
pub const ORG_ADMIN_READ_ONLY_TEAM: &str = "organization-admin-read-only";
pub const RUNTIME_ADMIN_TEAM: &str = "runtime-admin";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_are_one_type() {
        assert_eq!(EntityType::parse("Runtime Groups"), EntityType::parse("Control Planes"));
        assert_eq!(EntityType::parse("Services"), EntityType::parse("API Products"));
        assert_eq!(EntityType::parse("Nope"), None);
        for n in ENTITY_TYPE_NAMES_V2.iter().chain(ENTITY_TYPE_NAMES_V3.iter()) {
            let t = EntityType::parse(n).expect(n);
            assert_eq!(EntityType::from_key(t.key()), Some(t));
        }
    }

    #[test]
    fn roles_document_per_version() {
        let v2 = predefined_roles(2);
        assert_eq!(v2["runtime_groups"]["name"], "Runtime Groups");
        assert!(v2.get("control_planes").is_none());
        assert_eq!(v2["runtime_groups"]["roles"].as_object().unwrap().len(), 11);
        let v3 = predefined_roles(3);
        assert_eq!(v3["control_planes"]["roles"]["viewer"]["name"], "Viewer");
        assert_eq!(v3["api_products"]["name"], "API Products");
        assert_eq!(v3["mesh_control_planes"]["roles"]["connector"]["name"], "Connector");
        for t in [EntityType::ControlPlanes, EntityType::ApiProducts] {
            for r in t.allowed_roles().unwrap() {
                assert!(ROLE_NAMES.contains(r), "{r}");
            }
        }
    }
}
