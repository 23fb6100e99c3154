use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{on_pool, Store, StoreError, StoreResult};
use crate::domain::ids::{OrgId, TeamId};
use crate::domain::roles::{RUNTIME_ADMIN_TEAM, SYSTEM_TEAMS};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgRecord {
    pub id: Uuid,
    pub name: String,
    pub owner_id: Option<Uuid>,
    pub login_path: String,
    pub state: String,
    pub retention_period_days: i32,
    pub basic_auth_enabled: bool,
    pub oidc_auth_enabled: bool,
    pub saml_auth_enabled: bool,
    pub idp_mapping_enabled: bool,
    pub konnect_mapping_enabled: bool,
    pub impersonation_enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const ORG_COLS: &str = "id, name, owner_id, login_path, state, retention_period_days, basic_auth_enabled, \
    oidc_auth_enabled, saml_auth_enabled, idp_mapping_enabled, konnect_mapping_enabled, \
    impersonation_enabled, created_at, updated_at";

/// The five authentication switches of an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthSettings {
    pub basic_auth_enabled: bool,
    pub oidc_auth_enabled: bool,
    pub saml_auth_enabled: bool,
    pub idp_mapping_enabled: bool,
    pub konnect_mapping_enabled: bool,
}

impl From<&OrgRecord> for AuthSettings {
    fn from(o: &OrgRecord) -> Self {
        AuthSettings {
            basic_auth_enabled: o.basic_auth_enabled,
            oidc_auth_enabled: o.oidc_auth_enabled,
            saml_auth_enabled: o.saml_auth_enabled,
            idp_mapping_enabled: o.idp_mapping_enabled,
            konnect_mapping_enabled: o.konnect_mapping_enabled,
        }
    }
}

impl Store {
    /// Creates an organization with its predefined teams (and the Runtime Admin team's role),
    /// or returns the existing one of that name. The bool is true when it was created.
    pub async fn ensure_org(&self, name: &str, now: DateTime<Utc>) -> StoreResult<(OrgRecord, bool)> {
        if let Some(org) = self.find_org_by_name(name).await? {
            return Ok((org, false));
        }
        let org_id = OrgId::new();
        let res: Result<(), sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            sqlx::query("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
                .bind(org_id.0).bind(name).bind(now)
                .execute(&mut *tx).await?;
            for (key, team_name, description) in SYSTEM_TEAMS {
                let team_id = TeamId::new();
                sqlx::query("INSERT INTO teams (id, org_id, name, description, system_team, system_key, labels, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, TRUE, $5, '{}', $6, $6)")
                    .bind(team_id.0).bind(org_id.0).bind(team_name).bind(description).bind(key).bind(now)
                    .execute(&mut *tx).await?;
                if key == RUNTIME_ADMIN_TEAM {
                    sqlx::query("INSERT INTO role_assignments (id, org_id, principal_kind, principal_id, role_name, \
                                 entity_type_name, entity_type_key, entity_id, entity_region, created_at) \
                                 VALUES ($1, $2, 'team', $3, 'Admin', 'Runtime Groups', 'control_planes', '*', '*', $4)")
                        .bind(Uuid::new_v4()).bind(org_id.0).bind(team_id.0).bind(now)
                        .execute(&mut *tx).await?;
                }
            }
            tx.commit().await
        }.await);
        match res {
            Ok(()) => {}
            // Another bootstrap created it concurrently.
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                let org = self
                    .find_org_by_name(name)
                    .await?
                    .ok_or(StoreError::NotFound("organization"))?;
                return Ok((org, false));
            }
            Err(e) => return Err(e.into()),
        }
        let org = self
            .find_org(org_id)
            .await?
            .ok_or(StoreError::NotFound("organization"))?;
        Ok((org, true))
    }

    pub async fn find_org(&self, id: OrgId) -> StoreResult<Option<OrgRecord>> {
        let sql = format!("SELECT {ORG_COLS} FROM organizations WHERE id = $1");
        Ok(on_pool!(self, p => sqlx::query_as::<_, OrgRecord>(&sql).bind(id.0).fetch_optional(p).await)?)
    }

    pub async fn find_org_by_name(&self, name: &str) -> StoreResult<Option<OrgRecord>> {
        let sql = format!("SELECT {ORG_COLS} FROM organizations WHERE name = $1");
        Ok(on_pool!(self, p => sqlx::query_as::<_, OrgRecord>(&sql).bind(name).fetch_optional(p).await)?)
    }

    pub async fn count_orgs(&self) -> StoreResult<i64> {
        Ok(on_pool!(self, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM organizations").fetch_one(p).await)?)
    }

    pub async fn set_org_owner(&self, org: OrgId, owner: Uuid) -> StoreResult<()> {
        on_pool!(self, p => sqlx::query("UPDATE organizations SET owner_id = $2 WHERE id = $1 AND owner_id IS NULL")
            .bind(org.0).bind(owner).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn update_auth_settings(&self, org: OrgId, s: AuthSettings, now: DateTime<Utc>) -> StoreResult<()> {
        on_pool!(self, p => sqlx::query(
            "UPDATE organizations SET basic_auth_enabled = $2, oidc_auth_enabled = $3, saml_auth_enabled = $4, \
             idp_mapping_enabled = $5, konnect_mapping_enabled = $6, updated_at = $7 WHERE id = $1")
            .bind(org.0).bind(s.basic_auth_enabled).bind(s.oidc_auth_enabled).bind(s.saml_auth_enabled)
            .bind(s.idp_mapping_enabled).bind(s.konnect_mapping_enabled).bind(now)
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn set_impersonation(&self, org: OrgId, enabled: bool, now: DateTime<Utc>) -> StoreResult<()> {
        on_pool!(self, p => sqlx::query("UPDATE organizations SET impersonation_enabled = $2, updated_at = $3 WHERE id = $1")
            .bind(org.0).bind(enabled).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn set_org_login_path(&self, org: OrgId, login_path: &str) -> StoreResult<()> {
        on_pool!(self, p => sqlx::query("UPDATE organizations SET login_path = $2 WHERE id = $1")
            .bind(org.0).bind(login_path).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

impl StoreError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict(_))
    }
}
