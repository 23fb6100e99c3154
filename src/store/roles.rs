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

    /// The table that lists the teams of this kind of principal, and its member column; a team
    /// is in none.
    pub(crate) fn membership(self) -> Option<(&'static str, &'static str)> {
        match self {
            PrincipalKind::User => Some(("team_users", "user_id")),
            PrincipalKind::SystemAccount => Some(("team_system_accounts", "system_account_id")),
            PrincipalKind::Team => None,
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

/// One row of `principal_grants`: a role assignment (`kind` = `role`) or a predefined team
/// (`kind` = `team`, its key in `role_name`).
#[derive(sqlx::FromRow)]
struct GrantRow {
    kind: String,
    id: Uuid,
    role_name: String,
    entity_type_name: String,
    entity_type_key: String,
    entity_id: String,
    entity_region: String,
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
    /// what its members receive from it. One query: the principal's own assignments, its teams'
    /// assignments and its predefined teams, each branch served by an index. `CROSS JOIN` makes
    /// SQLite start from the (few) memberships whatever its statistics say; PostgreSQL plans it
    /// as any inner join.
    pub async fn principal_grants(
        &self,
        org: OrgId,
        kind: PrincipalKind,
        principal: Uuid,
    ) -> StoreResult<PrincipalGrants> {
        let own = "SELECT 'role' AS kind, r.id, r.role_name, r.entity_type_name, r.entity_type_key, r.entity_id, \
                   r.entity_region FROM role_assignments r \
                   WHERE r.org_id = $1 AND r.principal_kind = $3 AND r.principal_id = $2";
        let sql = match kind.membership() {
            Some((table, member)) => format!(
                "{own} UNION ALL \
                 SELECT 'role', r.id, r.role_name, r.entity_type_name, r.entity_type_key, r.entity_id, r.entity_region \
                 FROM {table} m CROSS JOIN role_assignments r \
                 WHERE m.{member} = $2 AND r.principal_kind = 'team' AND r.principal_id = m.team_id AND r.org_id = $1 \
                 UNION ALL \
                 SELECT 'team', t.id, t.system_key, '', '', '', '' FROM {table} m CROSS JOIN teams t \
                 WHERE m.{member} = $2 AND t.id = m.team_id AND t.org_id = $1 AND t.system_key IS NOT NULL"
            ),
            None => format!(
                "{own} UNION ALL SELECT 'team', t.id, t.system_key, '', '', '', '' FROM teams t \
                 WHERE t.org_id = $1 AND t.id = $2 AND t.system_key IS NOT NULL"
            ),
        };
        let rows = on_pool!(self, p => sqlx::query_as::<_, GrantRow>(&sql)
            .bind(org.0).bind(principal).bind(kind.as_str()).fetch_all(p).await)?;
        let mut held = PrincipalGrants::default();
        for r in rows {
            if r.kind == "team" {
                held.system_teams.push(r.role_name);
            } else {
                held.assignments.push(RoleAssignmentRecord {
                    id: r.id,
                    role_name: r.role_name,
                    entity_type_name: r.entity_type_name,
                    entity_type_key: r.entity_type_key,
                    entity_id: r.entity_id,
                    entity_region: r.entity_region,
                });
            }
        }
        Ok(held)
    }
}
