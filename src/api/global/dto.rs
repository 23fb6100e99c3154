//! Response shapes of the identity API.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::labels::Labels;
use crate::domain::roles::EntityType;
use crate::domain::time::{ser, ser_opt};
use crate::store::{RoleAssignmentRecord, SystemAccountRecord, TeamRecord, TokenRecord, UserRecord};

#[derive(Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    pub preferred_name: String,
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inferred_region: Option<String>,
    #[serde(serialize_with = "ser")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser")]
    pub updated_at: DateTime<Utc>,
}

impl User {
    /// v3 adds `inferred_region`.
    pub fn from_record(u: UserRecord, version: u8, region: &str) -> User {
        User {
            id: u.id,
            email: u.email,
            full_name: u.full_name,
            preferred_name: u.preferred_name,
            active: u.active,
            inferred_region: (version >= 3).then(|| region.to_string()),
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub system_team: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
    #[serde(serialize_with = "ser")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser")]
    pub updated_at: DateTime<Utc>,
}

impl Team {
    /// v3 adds `labels`.
    pub fn from_record(t: TeamRecord, version: u8) -> Team {
        Team {
            id: t.id,
            labels: (version >= 3).then(|| serde_json::from_str(&t.labels).unwrap_or_default()),
            name: t.name,
            description: t.description,
            system_team: t.system_team,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AssignedRole {
    pub id: Uuid,
    pub role_name: String,
    pub entity_id: String,
    pub entity_type_name: String,
    pub entity_region: String,
}

impl AssignedRole {
    /// `entity_type_name` in the route's version's words (`Runtime Groups` on v2, `Control
    /// Planes` on v3), whichever spelling the assignment was made with.
    pub fn from_record(r: RoleAssignmentRecord, version: u8) -> Self {
        let entity_type_name = EntityType::from_key(&r.entity_type_key)
            .map(|t| t.display_name(version).to_string())
            .unwrap_or(r.entity_type_name);
        AssignedRole {
            id: r.id,
            role_name: r.role_name,
            entity_id: r.entity_id,
            entity_type_name,
            entity_region: r.entity_region,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SystemAccount {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    #[serde(serialize_with = "ser")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser")]
    pub updated_at: DateTime<Utc>,
    pub konnect_managed: bool,
}

impl From<SystemAccountRecord> for SystemAccount {
    fn from(s: SystemAccountRecord) -> Self {
        SystemAccount {
            id: s.id,
            name: s.name,
            description: s.description,
            created_at: s.created_at,
            updated_at: s.updated_at,
            konnect_managed: s.konnect_managed,
        }
    }
}

/// A system account access token (the secret is only in the create response).
#[derive(Serialize, utoipa::ToSchema)]
pub struct SystemAccountAccessToken {
    pub id: Uuid,
    pub name: String,
    #[serde(serialize_with = "ser")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser")]
    pub updated_at: DateTime<Utc>,
    /// Omitted when unset: the spec types these as non-nullable strings.
    #[serde(serialize_with = "ser_opt", skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "ser_opt", skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<TokenRecord> for SystemAccountAccessToken {
    fn from(t: TokenRecord) -> Self {
        SystemAccountAccessToken {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            updated_at: t.updated_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
        }
    }
}

/// The create response: the token and, once, its secret.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SystemAccountAccessTokenCreated {
    #[serde(flatten)]
    pub token: SystemAccountAccessToken,
    #[serde(rename = "token")]
    pub secret: String,
}

/// A personal access token in the shape of Konnect's SDK (`PersonalAccessToken`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PersonalAccessToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub state: &'static str,
    pub revoked_by: Option<Uuid>,
    #[serde(serialize_with = "ser")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser")]
    pub updated_at: DateTime<Utc>,
    #[serde(serialize_with = "ser_opt")]
    pub last_used_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "ser_opt")]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "ser_opt")]
    pub revoked_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub konnect_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl PersonalAccessToken {
    pub fn from_record(t: TokenRecord, now: DateTime<Utc>) -> Self {
        let state = if t.revoked_at.is_some() {
            "REVOKED"
        } else if t.expires_at.is_some_and(|e| e <= now) {
            "EXPIRED"
        } else {
            "ACTIVE"
        };
        PersonalAccessToken {
            id: t.id,
            user_id: t.owner_id,
            name: t.name,
            state,
            revoked_by: t.revoked_by,
            created_at: t.created_at,
            updated_at: t.updated_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
            konnect_token: None,
            token: None,
        }
    }
}
