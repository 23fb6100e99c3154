use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::users::paged;
use super::{on_pool, Store, StoreResult};
use crate::domain::filter::{Filter, Page, PageRequest};
use crate::domain::ids::{OrgId, RoleAssignmentId};

/// Who holds a role assignment or a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    User,
    Team,
    SystemAccount,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Team => "team",
            PrincipalKind::SystemAccount => "system_account",
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoleAssignmentRecord {
    pub id: Uuid,
    pub role_name: String,
    pub entity_type_name: String,
    pub entity_type_key: String,
    pub entity_id: String,
    pub entity_region: String,
}

const RA_COLS: &str = "r.id, r.role_name, r.entity_type_name, r.entity_type_key, r.entity_id, r.entity_region";

pub struct NewRoleAssignment<'a> {
    pub role_name: &'a str,
    pub entity_type_name: &'a str,
    pub entity_type_key: &'a str,
    pub entity_id: &'a str,
    pub entity_region: &'a str,
}

/// What a principal holds: every assignment of its own and of its teams, and the keys of the
/// predefined teams it belongs to.
#[derive(Debug, Clone, Default)]
pub struct PrincipalGrants {
    pub assignments: Vec<RoleAssignmentRecord>,
    pub system_teams: Vec<String>,
}

impl Store {
    pub async fn insert_role_assignment(
        &self,
        org: OrgId,
        kind: PrincipalKind,
        principal: Uuid,
        new: NewRoleAssignment<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<RoleAssignmentRecord> {
        let id = RoleAssignmentId::new();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO role_assignments (id, org_id, principal_kind, principal_id, role_name, entity_type_name, \
             entity_type_key, entity_id, entity_region, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(id.0).bind(org.0).bind(kind.as_str()).bind(principal)
            .bind(new.role_name).bind(new.entity_type_name).bind(new.entity_type_key)
            .bind(new.entity_id).bind(new.entity_region).bind(now)
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(RoleAssignmentRecord {
            id: id.0,
            role_name: new.role_name.into(),
            entity_type_name: new.entity_type_name.into(),
            entity_type_key: new.entity_type_key.into(),
            entity_id: new.entity_id.into(),
            entity_region: new.entity_region.into(),
        })
    }

    pub async fn list_role_assignments(
        &self,
        org: OrgId,
        kind: PrincipalKind,
        principal: Uuid,
        filter: &Filter,
        page: PageRequest,
    ) -> StoreResult<Page<RoleAssignmentRecord>> {
        paged!(
            self,
            RoleAssignmentRecord,
            RA_COLS,
            filter,
            "r.",
            "r.created_at, r.id",
            page,
            |qb| {
                qb.push("FROM role_assignments r WHERE r.org_id = ");
                qb.push_bind(org.0);
                qb.push(" AND r.principal_kind = ");
                qb.push_bind(kind.as_str());
                qb.push(" AND r.principal_id = ");
                qb.push_bind(principal);
            }
        )
    }

    pub async fn delete_role_assignment(
        &self,
        org: OrgId,
        kind: PrincipalKind,
        principal: Uuid,
        id: RoleAssignmentId,
    ) -> StoreResult<bool> {
        let res = on_pool!(self, p => sqlx::query(
            "DELETE FROM role_assignments WHERE org_id = $1 AND principal_kind = $2 AND principal_id = $3 AND id = $4")
            .bind(org.0).bind(kind.as_str()).bind(principal).bind(id.0).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(res > 0)
    }

    /// Everything a user or system account holds, directly and through its teams; for a team,
    /// what its members receive from it.
    pub async fn principal_grants(
        &self,
        org: OrgId,
        kind: PrincipalKind,
        principal: Uuid,
    ) -> StoreResult<PrincipalGrants> {
        let membership = match kind {
            PrincipalKind::User => "SELECT team_id FROM team_users WHERE user_id = $2",
            PrincipalKind::SystemAccount => "SELECT team_id FROM team_system_accounts WHERE system_account_id = $2",
            PrincipalKind::Team => "SELECT team_id FROM team_users WHERE 1 = 0",
        };
        let grants_sql = format!(
            "SELECT {RA_COLS} FROM role_assignments r WHERE r.org_id = $1 AND \
             ((r.principal_kind = $3 AND r.principal_id = $2) OR (r.principal_kind = 'team' AND r.principal_id IN ({membership})))"
        );
        let teams_sql = match kind {
            PrincipalKind::Team => {
                "SELECT t.system_key FROM teams t WHERE t.org_id = $1 AND t.system_key IS NOT NULL AND t.id = $2".to_string()
            }
            _ => format!(
                "SELECT t.system_key FROM teams t WHERE t.org_id = $1 AND t.system_key IS NOT NULL AND t.id IN ({membership})"
            ),
        };
        let (assignments, system_teams) = on_pool!(self, p => {
            let a = sqlx::query_as::<_, RoleAssignmentRecord>(&grants_sql)
                .bind(org.0).bind(principal).bind(kind.as_str()).fetch_all(p).await?;
            let s: Vec<String> = sqlx::query_scalar(&teams_sql).bind(org.0).bind(principal).fetch_all(p).await?;
            (a, s)
        });
        Ok(PrincipalGrants {
            assignments,
            system_teams,
        })
    }
}
