use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::roles::{PrincipalGrants, PrincipalKind, RoleAssignmentRecord};
use super::users::paged;
use super::{on_pool, Store, StoreError, StoreResult};
use crate::domain::filter::{Filter, Page, PageRequest};
use crate::domain::ids::{OrgId, TokenId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRecord {
    pub id: Uuid,
    pub org_id: Uuid,
    pub owner_kind: String,
    pub owner_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<Uuid>,
}

const TOKEN_COLS: &str = "k.id, k.org_id, k.owner_kind, k.owner_id, k.name, k.created_at, k.updated_at, \
    k.expires_at, k.last_used_at, k.revoked_at, k.revoked_by";

/// Whether the owner of token `k` still exists (and, for a user, is active).
const OWNER_ACTIVE: &str = "CASE WHEN k.owner_kind = 'user' THEN \
    COALESCE((SELECT u.active FROM users u WHERE u.id = k.owner_id AND u.org_id = k.org_id), FALSE) \
    ELSE EXISTS (SELECT 1 FROM system_accounts s WHERE s.id = k.owner_id AND s.org_id = k.org_id) END";

/// One row of `Store::authenticate`: the token (`kind` = `token`), one of the role assignments
/// its owner holds (`role`, the role in `name`) or a predefined team of the owner (`team`, its
/// key in `name`).
#[derive(sqlx::FromRow)]
struct AuthRow {
    kind: String,
    id: Uuid,
    org_id: Uuid,
    owner_kind: String,
    owner_id: Uuid,
    name: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    revoked_by: Option<Uuid>,
    owner_active: bool,
    entity_type_name: String,
    entity_type_key: String,
    entity_id: String,
    entity_region: String,
}

/// A token found by its hash, with whether its owner still exists and is active.
#[derive(Debug, Clone)]
pub struct AuthTokenRecord {
    pub token: TokenRecord,
    pub owner_active: bool,
}

impl Store {
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_token(
        &self,
        org: OrgId,
        owner_kind: PrincipalKind,
        owner: Uuid,
        name: &str,
        token_hash: &str,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<TokenRecord> {
        let id = TokenId::new();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO access_tokens (id, org_id, owner_kind, owner_id, name, token_hash, created_at, updated_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)")
            .bind(id.0).bind(org.0).bind(owner_kind.as_str()).bind(owner).bind(name).bind(token_hash).bind(now).bind(expires_at)
            .execute(p).await.map(|r| r.rows_affected()))?;
        self.find_token(org, owner_kind, owner, id)
            .await?
            .ok_or(StoreError::NotFound("access token"))
    }

    pub async fn find_token(
        &self,
        org: OrgId,
        owner_kind: PrincipalKind,
        owner: Uuid,
        id: TokenId,
    ) -> StoreResult<Option<TokenRecord>> {
        let sql = format!("SELECT {TOKEN_COLS} FROM access_tokens k WHERE k.org_id = $1 AND k.owner_kind = $2 AND k.owner_id = $3 AND k.id = $4");
        Ok(on_pool!(self, p => sqlx::query_as::<_, TokenRecord>(&sql)
            .bind(org.0).bind(owner_kind.as_str()).bind(owner).bind(id.0).fetch_optional(p).await)?)
    }

    pub async fn list_tokens(
        &self,
        org: OrgId,
        owner_kind: PrincipalKind,
        owner: Uuid,
        filter: &Filter,
        page: PageRequest,
    ) -> StoreResult<Page<TokenRecord>> {
        paged!(
            self,
            TokenRecord,
            TOKEN_COLS,
            filter,
            "k.",
            "k.created_at, k.id",
            page,
            |qb| {
                qb.push("FROM access_tokens k WHERE k.org_id = ");
                qb.push_bind(org.0);
                qb.push(" AND k.owner_kind = ");
                qb.push_bind(owner_kind.as_str());
                qb.push(" AND k.owner_id = ");
                qb.push_bind(owner);
            }
        )
    }

    /// Tokens of an owner that are neither revoked nor expired.
    pub async fn count_live_tokens(
        &self,
        org: OrgId,
        owner_kind: PrincipalKind,
        owner: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        Ok(on_pool!(self, p => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM access_tokens WHERE org_id = $1 AND owner_kind = $2 AND owner_id = $3 \
             AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $4)")
            .bind(org.0).bind(owner_kind.as_str()).bind(owner).bind(now).fetch_one(p).await)?)
    }

    pub async fn rename_token(
        &self,
        org: OrgId,
        owner_kind: PrincipalKind,
        owner: Uuid,
        id: TokenId,
        name: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<TokenRecord>> {
        let res = on_pool!(self, p => sqlx::query(
            "UPDATE access_tokens SET name = $5, updated_at = $6 WHERE org_id = $1 AND owner_kind = $2 AND owner_id = $3 AND id = $4")
            .bind(org.0).bind(owner_kind.as_str()).bind(owner).bind(id.0).bind(name).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        if res == 0 {
            return Ok(None);
        }
        self.find_token(org, owner_kind, owner, id).await
    }

    pub async fn revoke_token(
        &self,
        org: OrgId,
        owner_kind: PrincipalKind,
        owner: Uuid,
        id: TokenId,
        by: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<TokenRecord>> {
        on_pool!(self, p => sqlx::query(
            "UPDATE access_tokens SET revoked_at = $5, revoked_by = $6, updated_at = $5 \
             WHERE org_id = $1 AND owner_kind = $2 AND owner_id = $3 AND id = $4 AND revoked_at IS NULL")
            .bind(org.0).bind(owner_kind.as_str()).bind(owner).bind(id.0).bind(now).bind(by).execute(p).await.map(|r| r.rows_affected()))?;
        self.find_token(org, owner_kind, owner, id).await
    }

    pub async fn delete_token(
        &self,
        org: OrgId,
        owner_kind: PrincipalKind,
        owner: Uuid,
        id: TokenId,
    ) -> StoreResult<bool> {
        let res = on_pool!(self, p => sqlx::query(
            "DELETE FROM access_tokens WHERE org_id = $1 AND owner_kind = $2 AND owner_id = $3 AND id = $4")
            .bind(org.0).bind(owner_kind.as_str()).bind(owner).bind(id.0).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(res > 0)
    }

    pub async fn token_name_taken(
        &self,
        org: OrgId,
        owner_kind: PrincipalKind,
        owner: Uuid,
        name: &str,
    ) -> StoreResult<bool> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM access_tokens WHERE org_id = $1 AND owner_kind = $2 AND owner_id = $3 AND name = $4 AND revoked_at IS NULL")
            .bind(org.0).bind(owner_kind.as_str()).bind(owner).bind(name).fetch_one(p).await)?;
        Ok(n > 0)
    }

    /// A bearer token by its hash, with its owner's state and everything the owner holds (as
    /// `principal_grants` would return it), in one query and one round trip: this runs on
    /// every authenticated request. The grants are read whatever the token's state; the caller
    /// decides whether the token is usable.
    pub async fn authenticate(&self, hash: &str) -> StoreResult<Option<(AuthTokenRecord, PrincipalGrants)>> {
        // Every branch starts from the token (unique index on its hash); CROSS JOIN keeps SQLite
        // from starting anywhere else, PostgreSQL plans it as an inner join.
        const ROLE_COLS: &str = "'role', r.id, r.org_id, r.principal_kind, r.principal_id, r.role_name, r.created_at, \
            r.created_at, NULL, NULL, NULL, NULL, FALSE, r.entity_type_name, r.entity_type_key, r.entity_id, r.entity_region";
        const TEAM_COLS: &str = "'team', t.id, t.org_id, '', t.id, t.system_key, t.created_at, t.created_at, \
            NULL, NULL, NULL, NULL, FALSE, '', '', '', ''";
        let mut sql = format!(
            "SELECT 'token' AS kind, {TOKEN_COLS}, {OWNER_ACTIVE} AS owner_active, '' AS entity_type_name, \
             '' AS entity_type_key, '' AS entity_id, '' AS entity_region FROM access_tokens k WHERE k.token_hash = $1 \
             UNION ALL SELECT {ROLE_COLS} FROM access_tokens k CROSS JOIN role_assignments r \
             WHERE k.token_hash = $1 AND r.principal_kind = k.owner_kind AND r.principal_id = k.owner_id AND r.org_id = k.org_id"
        );
        for owner in [PrincipalKind::User, PrincipalKind::SystemAccount] {
            let Some((table, member)) = owner.membership() else {
                continue;
            };
            let kind = owner.as_str();
            sql.push_str(&format!(
                " UNION ALL SELECT {ROLE_COLS} FROM access_tokens k CROSS JOIN {table} m CROSS JOIN role_assignments r \
                 WHERE k.token_hash = $1 AND k.owner_kind = '{kind}' AND m.{member} = k.owner_id \
                 AND r.principal_kind = 'team' AND r.principal_id = m.team_id AND r.org_id = k.org_id \
                 UNION ALL SELECT {TEAM_COLS} FROM access_tokens k CROSS JOIN {table} m CROSS JOIN teams t \
                 WHERE k.token_hash = $1 AND k.owner_kind = '{kind}' AND m.{member} = k.owner_id \
                 AND t.id = m.team_id AND t.org_id = k.org_id AND t.system_key IS NOT NULL"
            ));
        }
        let rows = on_pool!(self, p => sqlx::query_as::<_, AuthRow>(&sql).bind(hash).fetch_all(p).await)?;
        let mut token = None;
        let mut held = PrincipalGrants::default();
        for r in rows {
            match r.kind.as_str() {
                "token" => {
                    token = Some(AuthTokenRecord {
                        token: TokenRecord {
                            id: r.id,
                            org_id: r.org_id,
                            owner_kind: r.owner_kind,
                            owner_id: r.owner_id,
                            name: r.name,
                            created_at: r.created_at,
                            updated_at: r.updated_at,
                            expires_at: r.expires_at,
                            last_used_at: r.last_used_at,
                            revoked_at: r.revoked_at,
                            revoked_by: r.revoked_by,
                        },
                        owner_active: r.owner_active,
                    })
                }
                "team" => held.system_teams.push(r.name),
                _ => held.assignments.push(RoleAssignmentRecord {
                    id: r.id,
                    role_name: r.name,
                    entity_type_name: r.entity_type_name,
                    entity_type_key: r.entity_type_key,
                    entity_id: r.entity_id,
                    entity_region: r.entity_region,
                }),
            }
        }
        Ok(token.map(|t| (t, held)))
    }

    pub async fn touch_token(&self, id: TokenId, now: DateTime<Utc>) -> StoreResult<()> {
        on_pool!(self, p => sqlx::query("UPDATE access_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id.0).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
