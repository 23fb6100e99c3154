//! Runtime groups (control planes): cluster types under both names, auth types, proxy URLs,
//! sorting and label filters.

/// What a group is, whichever name it was created under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterKind {
    /// `CLUSTER_TYPE_HYBRID` / `CLUSTER_TYPE_CONTROL_PLANE`
    Hybrid,
    /// `CLUSTER_TYPE_K8S_INGRESS_CONTROLLER`
    K8sIngressController,
    /// `CLUSTER_TYPE_COMPOSITE` / `CLUSTER_TYPE_CONTROL_PLANE_GROUP`
    Composite,
    /// `CLUSTER_TYPE_SERVERLESS`
    Serverless,
}

/// Which family of paths a request came through; each answers in its own spec's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    RuntimeGroups,
    ControlPlanes,
}

pub const RG_CLUSTER_TYPES: [&str; 4] = [
    "CLUSTER_TYPE_HYBRID",
    "CLUSTER_TYPE_K8S_INGRESS_CONTROLLER",
    "CLUSTER_TYPE_COMPOSITE",
    "CLUSTER_TYPE_SERVERLESS",
];

pub const CP_CLUSTER_TYPES: [&str; 5] = [
    "CLUSTER_TYPE_CONTROL_PLANE",
    "CLUSTER_TYPE_HYBRID",
    "CLUSTER_TYPE_K8S_INGRESS_CONTROLLER",
    "CLUSTER_TYPE_CONTROL_PLANE_GROUP",
    "CLUSTER_TYPE_SERVERLESS",
];

impl ClusterKind {
    /// Accepts every name of either family.
    pub fn parse(s: &str) -> Option<ClusterKind> {
        Some(match s {
            "CLUSTER_TYPE_HYBRID" | "CLUSTER_TYPE_CONTROL_PLANE" => ClusterKind::Hybrid,
            "CLUSTER_TYPE_K8S_INGRESS_CONTROLLER" => ClusterKind::K8sIngressController,
            "CLUSTER_TYPE_COMPOSITE" | "CLUSTER_TYPE_CONTROL_PLANE_GROUP" => ClusterKind::Composite,
            "CLUSTER_TYPE_SERVERLESS" => ClusterKind::Serverless,
            _ => return None,
        })
    }

    /// Every stored spelling of this kind (for filters).
    pub fn names(self) -> &'static [&'static str] {
        match self {
            ClusterKind::Hybrid => &["CLUSTER_TYPE_HYBRID", "CLUSTER_TYPE_CONTROL_PLANE"],
            ClusterKind::K8sIngressController => &["CLUSTER_TYPE_K8S_INGRESS_CONTROLLER"],
            ClusterKind::Composite => &["CLUSTER_TYPE_COMPOSITE", "CLUSTER_TYPE_CONTROL_PLANE_GROUP"],
            ClusterKind::Serverless => &["CLUSTER_TYPE_SERVERLESS"],
        }
    }

    /// May this kind be a member of a composite group?
    pub fn may_join_composite(self) -> bool {
        matches!(self, ClusterKind::Hybrid)
    }
}

/// How a stored cluster type reads through a family of paths: the stored name when that
/// family knows it (so clients read back what they wrote), else the family's name for it.
pub fn render_cluster_type(stored: &str, naming: Naming) -> &str {
    match (naming, stored) {
        (Naming::RuntimeGroups, "CLUSTER_TYPE_CONTROL_PLANE") => "CLUSTER_TYPE_HYBRID",
        (Naming::RuntimeGroups, "CLUSTER_TYPE_CONTROL_PLANE_GROUP") => "CLUSTER_TYPE_COMPOSITE",
        (Naming::ControlPlanes, "CLUSTER_TYPE_COMPOSITE") => "CLUSTER_TYPE_CONTROL_PLANE_GROUP",
        (_, s) => s,
    }
}

pub const AUTH_TYPES: [&str; 2] = ["pinned_client_certs", "pki_client_certs"];

pub const PROXY_PROTOCOLS: [&str; 10] = [
    "http",
    "https",
    "grpc",
    "grpcs",
    "tcp",
    "tls",
    "tls_passthrough",
    "udp",
    "ws",
    "wss",
];

/// A sort key of the runtime group list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub column: &'static str,
    pub descending: bool,
}

/// Parses `sort=created_at desc,name`; supported attributes are `created_at`, `updated_at`
/// and `name`.
pub fn parse_sort(raw: &str) -> Result<Vec<SortKey>, String> {
    let mut keys = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let attr = words.next().unwrap_or("");
        let column = match attr {
            "created_at" => "created_at",
            "updated_at" => "updated_at",
            "name" => "name",
            other => {
                return Err(format!(
                    "sorting by '{other}' is not supported; use created_at, updated_at or name"
                ))
            }
        };
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(o) => return Err(format!("unknown sort direction '{o}'; use asc or desc")),
        };
        if words.next().is_some() {
            return Err(format!("invalid sort term '{part}'"));
        }
        keys.push(SortKey { column, descending });
    }
    if keys.len() > 3 {
        return Err("at most 3 sort attributes are supported".into());
    }
    Ok(keys)
}

/// One term of `labels=key:value,key2`: a key that must exist, with an optional value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMatch {
    pub key: String,
    pub value: Option<String>,
}

pub fn parse_label_filter(raw: &str) -> Result<Vec<LabelMatch>, String> {
    let mut out = Vec::new();
    for term in raw.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let (key, value) = match term.split_once(':') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (term, None),
        };
        if key.is_empty() || key.len() > 63 || value.is_some_and(|v| v.is_empty() || v.len() > 63) {
            return Err(format!("invalid label filter term '{term}'; use key:value or key"));
        }
        out.push(LabelMatch {
            key: key.to_string(),
            value: value.map(str::to_string),
        });
    }
    if out.len() > 50 {
        return Err("at most 50 label terms are supported".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cluster_type_names() {
        assert_eq!(
            ClusterKind::parse("CLUSTER_TYPE_CONTROL_PLANE"),
            Some(ClusterKind::Hybrid)
        );
        assert_eq!(
            ClusterKind::parse("CLUSTER_TYPE_COMPOSITE"),
            ClusterKind::parse("CLUSTER_TYPE_CONTROL_PLANE_GROUP")
        );
        assert_eq!(ClusterKind::parse("hybrid"), None);
        assert_eq!(
            render_cluster_type("CLUSTER_TYPE_CONTROL_PLANE", Naming::RuntimeGroups),
            "CLUSTER_TYPE_HYBRID"
        );
        assert_eq!(
            render_cluster_type("CLUSTER_TYPE_HYBRID", Naming::ControlPlanes),
            "CLUSTER_TYPE_HYBRID"
        );
        assert_eq!(
            render_cluster_type("CLUSTER_TYPE_COMPOSITE", Naming::ControlPlanes),
            "CLUSTER_TYPE_CONTROL_PLANE_GROUP"
        );
        for n in RG_CLUSTER_TYPES.iter().chain(CP_CLUSTER_TYPES.iter()) {
            let k = ClusterKind::parse(n).unwrap();
            assert!(k.names().contains(n));
            assert!(RG_CLUSTER_TYPES.contains(&render_cluster_type(n, Naming::RuntimeGroups)));
            assert!(CP_CLUSTER_TYPES.contains(&render_cluster_type(n, Naming::ControlPlanes)));
        }
    }

    #[test]
    fn sorting() {
        assert_eq!(
            parse_sort("created_at").unwrap(),
            vec![SortKey {
                column: "created_at",
                descending: false
            }]
        );
        assert_eq!(
            parse_sort("name,created_at desc").unwrap()[1],
            SortKey {
                column: "created_at",
                descending: true
            }
        );
        assert!(parse_sort("password").is_err());
        assert!(parse_sort("name sideways").is_err());
        assert!(parse_sort("").unwrap().is_empty());
    }

    #[test]
    fn label_filters() {
        let f = parse_label_filter("env:prod,team").unwrap();
        assert_eq!(
            f[0],
            LabelMatch {
                key: "env".into(),
                value: Some("prod".into())
            }
        );
        assert_eq!(
            f[1],
            LabelMatch {
                key: "team".into(),
                value: None
            }
        );
        assert!(parse_label_filter("env:").is_err());
        assert!(parse_label_filter(":x").is_err());
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in ".{0,200}") {
            let _ = parse_sort(&s);
            let _ = parse_label_filter(&s);
            let _ = ClusterKind::parse(&s);
        }
    }
}
