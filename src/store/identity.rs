use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{on_pool, Store, StoreError, StoreResult};
use crate::domain::ids::{IdentityProviderId, InviteId, OrgId, TeamId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InviteRecord {
    pub id: Uuid,
    pub org_id: Uuid,
    pub user_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdpRecord {
    pub id: Uuid,
    pub org_id: Uuid,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub enabled: bool,
    pub login_path: String,
    /// JSON object text (without secrets).
    pub config: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const IDP_COLS: &str = "id, org_id, type, enabled, login_path, config, created_at, updated_at";

pub struct IdpChange<'a> {
    pub enabled: Option<bool>,
    pub login_path: Option<&'a str>,
    pub config: Option<&'a str>,
    pub client_secret: Option<&'a str>,
}

impl Store {
    // ---- invites ---------------------------------------------------------------------

    pub async fn insert_invite(
        &self,
        org: OrgId,
        user: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO invites (id, org_id, user_id, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(InviteId::new().0).bind(org.0).bind(user.0).bind(token_hash).bind(expires_at).bind(now)
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn find_invite_by_hash(&self, token_hash: &str) -> StoreResult<Option<InviteRecord>> {
        Ok(on_pool!(self, p => sqlx::query_as::<_, InviteRecord>(
            "SELECT id, org_id, user_id, expires_at, accepted_at FROM invites WHERE token_hash = $1")
            .bind(token_hash).fetch_optional(p).await)?)
    }

    /// Activates the invited user and uses up every open invite of theirs. Returns false when
    /// the invite was already used (a concurrent accept).
    pub async fn accept_invite(
        &self,
        invite: &InviteRecord,
        full_name: &str,
        preferred_name: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let res: Result<bool, sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            let n = sqlx::query("UPDATE invites SET accepted_at = $2 WHERE id = $1 AND accepted_at IS NULL")
                .bind(invite.id).bind(now).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Ok(false);
            }
            sqlx::query("UPDATE invites SET accepted_at = $2 WHERE user_id = $1 AND accepted_at IS NULL")
                .bind(invite.user_id).bind(now).execute(&mut *tx).await?;
            sqlx::query("UPDATE users SET full_name = $2, preferred_name = $3, password_hash = $4, active = TRUE, updated_at = $5 WHERE id = $1")
                .bind(invite.user_id).bind(full_name).bind(preferred_name).bind(password_hash).bind(now)
                .execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(true)
        }.await);
        Ok(res?)
    }

    // ---- identity providers ------------------------------------------------------------

    pub async fn list_idps(&self, org: OrgId, kind: Option<&str>) -> StoreResult<Vec<IdpRecord>> {
        let sql = format!(
            "SELECT {IDP_COLS} FROM identity_providers WHERE org_id = $1 AND ($2 IS NULL OR type = $2) ORDER BY created_at, id"
        );
        let kind = kind.map(str::to_string);
        Ok(on_pool!(self, p => sqlx::query_as::<_, IdpRecord>(&sql).bind(org.0).bind(kind.clone()).fetch_all(p).await)?)
    }

    pub async fn find_idp(&self, org: OrgId, id: IdentityProviderId) -> StoreResult<Option<IdpRecord>> {
        let sql = format!("SELECT {IDP_COLS} FROM identity_providers WHERE org_id = $1 AND id = $2");
        Ok(on_pool!(self, p => sqlx::query_as::<_, IdpRecord>(&sql).bind(org.0).bind(id.0).fetch_optional(p).await)?)
    }

    pub async fn find_idp_by_type(&self, org: OrgId, kind: &str) -> StoreResult<Option<IdpRecord>> {
        let sql = format!("SELECT {IDP_COLS} FROM identity_providers WHERE org_id = $1 AND type = $2");
        Ok(on_pool!(self, p => sqlx::query_as::<_, IdpRecord>(&sql).bind(org.0).bind(kind).fetch_optional(p).await)?)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_idp(
        &self,
        org: OrgId,
        kind: &str,
        enabled: bool,
        login_path: &str,
        config: &str,
        client_secret: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<IdpRecord> {
        let id = IdentityProviderId::new();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO identity_providers (id, org_id, type, enabled, login_path, config, client_secret, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
            .bind(id.0).bind(org.0).bind(kind).bind(enabled).bind(login_path).bind(config).bind(client_secret).bind(now)
            .execute(p).await.map(|r| r.rows_affected()))?;
        self.find_idp(org, id)
            .await?
            .ok_or(StoreError::NotFound("identity provider"))
    }

    pub async fn update_idp(
        &self,
        org: OrgId,
        id: IdentityProviderId,
        change: IdpChange<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<IdpRecord>> {
        let res = on_pool!(self, p => {
            let mut qb = sqlx::QueryBuilder::new("UPDATE identity_providers SET updated_at = ");
            qb.push_bind(now);
            if let Some(v) = change.enabled {
                qb.push(", enabled = ").push_bind(v);
            }
            if let Some(v) = change.login_path {
                qb.push(", login_path = ").push_bind(v);
            }
            if let Some(v) = change.config {
                qb.push(", config = ").push_bind(v);
            }
            if let Some(v) = change.client_secret {
                qb.push(", client_secret = ").push_bind(v);
            }
            qb.push(" WHERE org_id = ").push_bind(org.0).push(" AND id = ").push_bind(id.0);
            qb.build().execute(p).await.map(|r| r.rows_affected())
        })?;
        if res == 0 {
            return Ok(None);
        }
        self.find_idp(org, id).await
    }

    /// Enables one provider and disables the others (only one may be active at a time).
    pub async fn enable_only_idp(&self, org: OrgId, id: IdentityProviderId) -> StoreResult<()> {
        on_pool!(self, p => sqlx::query("UPDATE identity_providers SET enabled = (id = $2) WHERE org_id = $1")
            .bind(org.0).bind(id.0).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn delete_idp(&self, org: OrgId, id: IdentityProviderId) -> StoreResult<bool> {
        let res = on_pool!(self, p => sqlx::query("DELETE FROM identity_providers WHERE org_id = $1 AND id = $2")
            .bind(org.0).bind(id.0).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(res > 0)
    }

    pub async fn login_path_taken(&self, login_path: &str, except: Option<IdentityProviderId>) -> StoreResult<bool> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM identity_providers WHERE login_path = $1 AND ($2 IS NULL OR id <> $2)")
            .bind(login_path).bind(except.map(|i| i.0)).fetch_one(p).await)?;
        Ok(n > 0)
    }

    // ---- IdP group → team mappings -----------------------------------------------------

    /// Every (group, team) pair of the organization, ordered by group then team.
    pub async fn list_team_mappings(&self, org: OrgId) -> StoreResult<Vec<(String, Uuid)>> {
        Ok(on_pool!(self, p => sqlx::query_as::<_, (String, Uuid)>(
            "SELECT m.group_name, m.team_id FROM idp_team_mappings m JOIN teams t ON t.id = m.team_id \
             WHERE m.org_id = $1 ORDER BY m.group_name, t.created_at, m.team_id")
            .bind(org.0).fetch_all(p).await)?)
    }

    /// Replaces the mappings of the given groups (PUT team-mappings): each listed group maps
    /// to exactly the listed teams afterwards; an empty list unmaps the group.
    pub async fn replace_group_mappings(&self, org: OrgId, mappings: &[(String, Vec<TeamId>)]) -> StoreResult<()> {
        let res: Result<(), sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            for (group, teams) in mappings {
                sqlx::query("DELETE FROM idp_team_mappings WHERE org_id = $1 AND group_name = $2")
                    .bind(org.0).bind(group).execute(&mut *tx).await?;
                for t in teams {
                    sqlx::query("INSERT INTO idp_team_mappings (org_id, group_name, team_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                        .bind(org.0).bind(group).bind(t.0).execute(&mut *tx).await?;
                }
            }
            tx.commit().await
        }.await);
        Ok(res?)
    }

    /// Replaces the groups of the given teams (PATCH team-group-mappings).
    pub async fn replace_team_groups(&self, org: OrgId, mappings: &[(TeamId, Vec<String>)]) -> StoreResult<()> {
        let res: Result<(), sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            for (team, groups) in mappings {
                sqlx::query("DELETE FROM idp_team_mappings WHERE org_id = $1 AND team_id = $2")
                    .bind(org.0).bind(team.0).execute(&mut *tx).await?;
                for g in groups {
                    sqlx::query("INSERT INTO idp_team_mappings (org_id, group_name, team_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                        .bind(org.0).bind(g).bind(team.0).execute(&mut *tx).await?;
                }
            }
            tx.commit().await
        }.await);
        Ok(res?)
    }
}
