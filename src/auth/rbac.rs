//! Who may do what: one pure function over what a principal holds (`docs/../rbac.md`).
//!
//! A principal holds its own role assignments and those of its teams, plus membership of the
//! predefined teams. Assignments are additive; nothing denies.

use crate::domain::roles::{EntityType, ORG_ADMIN_READ_ONLY_TEAM, ORG_ADMIN_TEAM};
use crate::store::PrincipalGrants;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: String,
    pub entity_type: Option<EntityType>,
    /// An entity id or `*`.
    pub entity_id: String,
    /// A region or `*`.
    pub region: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    pub org_admin: bool,
    pub org_admin_read_only: bool,
    pub grants: Vec<Grant>,
}

impl Grants {
    pub fn from_records(held: &PrincipalGrants) -> Grants {
        Grants {
            org_admin: held.system_teams.iter().any(|k| k == ORG_ADMIN_TEAM),
            org_admin_read_only: held.system_teams.iter().any(|k| k == ORG_ADMIN_READ_ONLY_TEAM),
            grants: held
                .assignments
                .iter()
                .map(|a| Grant {
                    role: a.role_name.clone(),
                    entity_type: EntityType::from_key(&a.entity_type_key),
                    entity_id: a.entity_id.clone(),
                    region: a.entity_region.clone(),
                })
                .collect(),
        }
    }

    fn identity_admin(&self) -> bool {
        self.grants
            .iter()
            .any(|g| g.entity_type == Some(EntityType::Identity) && g.role == "Admin")
    }

    /// Control-plane grants that apply to group `id` (or to every group when `id` is `None`,
    /// which only `*` grants match) in `region`.
    fn cp_roles<'a>(&'a self, id: Option<&'a str>, region: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.grants
            .iter()
            .filter(move |g| {
                g.entity_type == Some(EntityType::ControlPlanes)
                    && (g.region == "*" || g.region == region)
                    && (g.entity_id == "*" || Some(g.entity_id.as_str()) == id)
            })
            .map(|g| g.role.as_str())
    }

    /// Whether every runtime group of `region` is readable (a `*` role other than Creator).
    pub fn reads_all_runtime_groups(&self, region: &str) -> bool {
        self.org_admin || self.org_admin_read_only || self.cp_roles(None, region).any(|r| r != "Creator")
    }

    /// Group ids in `region` readable through per-group grants (for list visibility).
    pub fn readable_runtime_group_ids(&self, region: &str) -> Vec<String> {
        self.grants
            .iter()
            .filter(|g| {
                g.entity_type == Some(EntityType::ControlPlanes)
                    && (g.region == "*" || g.region == region)
                    && g.entity_id != "*"
                    && g.role != "Creator"
            })
            .map(|g| g.entity_id.clone())
            .collect()
    }
}

/// Whether `caller` holds everything `target` holds, so that handing `target` to someone (adding
/// them to a team, assigning a role, minting a token of a system account) grants nothing the
/// caller does not have. Organization Admins hold everything.
pub fn covers(caller: &Grants, target: &Grants) -> bool {
    if caller.org_admin {
        return true;
    }
    if target.org_admin || (target.org_admin_read_only && !caller.org_admin_read_only) {
        return false;
    }
    target.grants.iter().all(|t| {
        caller.grants.iter().any(|c| {
            c.role == t.role
                && c.entity_type == t.entity_type
                && (c.entity_id == "*" || c.entity_id == t.entity_id)
                && (c.region == "*" || c.region == t.region)
        })
    })
}

/// What a principal wants to do.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Read users, teams, memberships, roles, system accounts, auth settings, IdP.
    IdentityRead,
    /// Change any of those.
    IdentityWrite,
    /// Create a runtime group in a region.
    CreateRuntimeGroup { region: &'a str },
    /// Read a runtime group and what hangs off it.
    ReadRuntimeGroup { id: &'a str, region: &'a str },
    /// Update or delete a runtime group, change its composite memberships.
    AdminRuntimeGroup { id: &'a str, region: &'a str },
    /// Pin or delete data-plane certificates, delete nodes.
    ManageCertificates { id: &'a str, region: &'a str },
}

/// The one authorization decision.
pub fn decide(g: &Grants, action: &Action<'_>) -> bool {
    if g.org_admin {
        return true;
    }
    match *action {
        Action::IdentityRead => g.org_admin_read_only || g.identity_admin(),
        Action::IdentityWrite => g.identity_admin(),
        Action::CreateRuntimeGroup { region } => g.cp_roles(None, region).any(|r| r == "Admin" || r == "Creator"),
        Action::ReadRuntimeGroup { id, region } => {
            g.org_admin_read_only || g.cp_roles(Some(id), region).any(|r| r != "Creator")
        }
        Action::AdminRuntimeGroup { id, region } => g.cp_roles(Some(id), region).any(|r| r == "Admin"),
        Action::ManageCertificates { id, region } => g
            .cp_roles(Some(id), region)
            .any(|r| r == "Admin" || r == "Certificate Admin"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: &str, t: EntityType, id: &str, region: &str) -> Grant {
        Grant {
            role: role.into(),
            entity_type: Some(t),
            entity_id: id.into(),
            region: region.into(),
        }
    }

    fn with(grants: Vec<Grant>) -> Grants {
        Grants {
            grants,
            ..Grants::default()
        }
    }

    const G1: &str = "11111111-1111-4111-8111-111111111111";
    const G2: &str = "22222222-2222-4222-8222-222222222222";

    #[test]
    fn nobody_holds_nothing() {
        let g = Grants::default();
        for a in [
            Action::IdentityRead,
            Action::IdentityWrite,
            Action::CreateRuntimeGroup { region: "us" },
            Action::ReadRuntimeGroup { id: G1, region: "us" },
            Action::AdminRuntimeGroup { id: G1, region: "us" },
            Action::ManageCertificates { id: G1, region: "us" },
        ] {
            assert!(!decide(&g, &a), "{a:?}");
        }
    }

    #[test]
    fn org_admin_does_everything_read_only_reads() {
        let admin = Grants {
            org_admin: true,
            ..Grants::default()
        };
        let ro = Grants {
            org_admin_read_only: true,
            ..Grants::default()
        };
        assert!(decide(&admin, &Action::IdentityWrite));
        assert!(decide(&admin, &Action::ManageCertificates { id: G1, region: "eu" }));
        assert!(decide(&ro, &Action::IdentityRead));
        assert!(!decide(&ro, &Action::IdentityWrite));
        assert!(decide(&ro, &Action::ReadRuntimeGroup { id: G1, region: "eu" }));
        assert!(!decide(&ro, &Action::AdminRuntimeGroup { id: G1, region: "eu" }));
        assert!(!decide(&ro, &Action::CreateRuntimeGroup { region: "eu" }));
    }

    #[test]
    fn identity_admin_manages_identity_only() {
        let g = with(vec![grant("Admin", EntityType::Identity, "*", "*")]);
        assert!(decide(&g, &Action::IdentityRead));
        assert!(decide(&g, &Action::IdentityWrite));
        assert!(!decide(&g, &Action::ReadRuntimeGroup { id: G1, region: "us" }));
    }

    #[test]
    fn wildcards_for_id_and_region() {
        let g = with(vec![grant("Viewer", EntityType::ControlPlanes, "*", "us")]);
        assert!(decide(&g, &Action::ReadRuntimeGroup { id: G1, region: "us" }));
        assert!(!decide(&g, &Action::ReadRuntimeGroup { id: G1, region: "eu" }));
        assert!(!decide(&g, &Action::AdminRuntimeGroup { id: G1, region: "us" }));
        assert!(g.reads_all_runtime_groups("us"));
        assert!(!g.reads_all_runtime_groups("eu"));

        let g = with(vec![grant("Admin", EntityType::ControlPlanes, G1, "*")]);
        assert!(decide(&g, &Action::AdminRuntimeGroup { id: G1, region: "eu" }));
        assert!(!decide(&g, &Action::AdminRuntimeGroup { id: G2, region: "eu" }));
        assert!(!decide(&g, &Action::CreateRuntimeGroup { region: "eu" }));
        assert_eq!(g.readable_runtime_group_ids("au"), vec![G1.to_string()]);
    }

    #[test]
    fn creator_creates_but_sees_nothing_existing() {
        let g = with(vec![grant("Creator", EntityType::ControlPlanes, "*", "*")]);
        assert!(decide(&g, &Action::CreateRuntimeGroup { region: "me" }));
        assert!(!decide(&g, &Action::ReadRuntimeGroup { id: G1, region: "me" }));
        assert!(!g.reads_all_runtime_groups("me"));
        assert!(g.readable_runtime_group_ids("me").is_empty());
    }

    #[test]
    fn covering_what_is_handed_out() {
        let identity_admin = with(vec![grant("Admin", EntityType::Identity, "*", "*")]);
        let org_admin = Grants {
            org_admin: true,
            ..Grants::default()
        };
        let ro = Grants {
            org_admin_read_only: true,
            ..Grants::default()
        };
        let cp_all = with(vec![grant("Admin", EntityType::ControlPlanes, "*", "*")]);
        let cp_one = with(vec![grant("Admin", EntityType::ControlPlanes, G1, "us")]);
        assert!(covers(&org_admin, &org_admin));
        assert!(covers(&org_admin, &cp_all));
        assert!(!covers(&identity_admin, &org_admin));
        assert!(!covers(&identity_admin, &ro));
        assert!(!covers(&identity_admin, &cp_one));
        assert!(covers(&identity_admin, &identity_admin));
        assert!(covers(&identity_admin, &Grants::default()));
        assert!(covers(&cp_all, &cp_one), "wildcards cover specific grants");
        assert!(!covers(&cp_one, &cp_all));
        let viewer_one = with(vec![grant("Viewer", EntityType::ControlPlanes, G1, "us")]);
        assert!(
            !covers(&cp_one, &viewer_one),
            "roles are not ranked: Admin does not hand out Viewer"
        );
        assert!(covers(&ro, &ro));
    }

    #[test]
    fn certificate_admin_and_other_types() {
        let g = with(vec![grant("Certificate Admin", EntityType::ControlPlanes, G1, "us")]);
        assert!(decide(&g, &Action::ManageCertificates { id: G1, region: "us" }));
        assert!(decide(&g, &Action::ReadRuntimeGroup { id: G1, region: "us" }));
        assert!(!decide(&g, &Action::AdminRuntimeGroup { id: G1, region: "us" }));
        // A role on another entity type grants nothing here.
        let g = with(vec![grant("Admin", EntityType::ApiProducts, "*", "*")]);
        assert!(!decide(&g, &Action::ReadRuntimeGroup { id: G1, region: "us" }));
        assert!(!decide(&g, &Action::IdentityRead));
    }
}
