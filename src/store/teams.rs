use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::users::paged;
use super::{on_pool, Store, StoreError, StoreResult};
use crate::domain::filter::{Filter, Page, PageRequest};
use crate::domain::ids::{OrgId, SystemAccountId, TeamId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TeamRecord {
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub description: String,
    pub system_team: bool,
    pub system_key: Option<String>,
    /// JSON object text.
    pub labels: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const TEAM_COLS: &str =
    "t.id, t.org_id, t.name, t.description, t.system_team, t.system_key, t.labels, t.created_at, t.updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SystemAccountRecord {
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub description: String,
    pub konnect_managed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SA_COLS: &str = "s.id, s.org_id, s.name, s.description, s.konnect_managed, s.created_at, s.updated_at";

/// The two kinds of team membership.
#[derive(Clone, Copy)]
enum Membership {
    Users,
    SystemAccounts,
}

impl Membership {
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Membership::Users => ("team_users", "user_id"),
            Membership::SystemAccounts => ("team_system_accounts", "system_account_id"),
        }
    }
}

/// Outcome of adding a member to a team.
#[derive(Debug, PartialEq, Eq)]
pub enum AddMember {
    Added,
    AlreadyMember,
}

impl Store {
    pub async fn insert_team(
        &self,
        org: OrgId,
        name: &str,
        description: &str,
        labels_json: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<TeamRecord> {
        let id = TeamId::new();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO teams (id, org_id, name, description, system_team, labels, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, FALSE, $5, $6, $6)")
            .bind(id.0).bind(org.0).bind(name).bind(description).bind(labels_json).bind(now)
            .execute(p).await.map(|r| r.rows_affected()))?;
        self.find_team(org, id).await?.ok_or(StoreError::NotFound("team"))
    }

    pub async fn find_team(&self, org: OrgId, id: TeamId) -> StoreResult<Option<TeamRecord>> {
        let sql = format!("SELECT {TEAM_COLS} FROM teams t WHERE t.org_id = $1 AND t.id = $2");
        Ok(on_pool!(self, p => sqlx::query_as::<_, TeamRecord>(&sql).bind(org.0).bind(id.0).fetch_optional(p).await)?)
    }

    pub async fn find_system_team(&self, org: OrgId, key: &str) -> StoreResult<Option<TeamRecord>> {
        let sql = format!("SELECT {TEAM_COLS} FROM teams t WHERE t.org_id = $1 AND t.system_key = $2");
        Ok(on_pool!(self, p => sqlx::query_as::<_, TeamRecord>(&sql).bind(org.0).bind(key).fetch_optional(p).await)?)
    }

    pub async fn list_teams(&self, org: OrgId, filter: &Filter, page: PageRequest) -> StoreResult<Page<TeamRecord>> {
        paged!(
            self,
            TeamRecord,
            TEAM_COLS,
            filter,
            "t.",
            "t.created_at, t.id",
            page,
            |qb| {
                qb.push("FROM teams t WHERE t.org_id = ");
                qb.push_bind(org.0);
            }
        )
    }

    pub async fn list_user_teams(
        &self,
        org: OrgId,
        user: UserId,
        filter: &Filter,
        page: PageRequest,
    ) -> StoreResult<Page<TeamRecord>> {
        paged!(
            self,
            TeamRecord,
            TEAM_COLS,
            filter,
            "t.",
            "t.created_at, t.id",
            page,
            |qb| {
                qb.push("FROM teams t JOIN team_users tu ON tu.team_id = t.id WHERE t.org_id = ");
                qb.push_bind(org.0);
                qb.push(" AND tu.user_id = ");
                qb.push_bind(user.0);
            }
        )
    }

    pub async fn list_system_account_teams(
        &self,
        org: OrgId,
        sa: SystemAccountId,
        filter: &Filter,
        page: PageRequest,
    ) -> StoreResult<Page<TeamRecord>> {
        paged!(
            self,
            TeamRecord,
            TEAM_COLS,
            filter,
            "t.",
            "t.created_at, t.id",
            page,
            |qb| {
                qb.push("FROM teams t JOIN team_system_accounts ts ON ts.team_id = t.id WHERE t.org_id = ");
                qb.push_bind(org.0);
                qb.push(" AND ts.system_account_id = ");
                qb.push_bind(sa.0);
            }
        )
    }

    pub async fn update_team(
        &self,
        org: OrgId,
        id: TeamId,
        name: Option<&str>,
        description: Option<&str>,
        labels_json: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<TeamRecord>> {
        let res = on_pool!(self, p => {
            let mut qb = QueryBuilder::new("UPDATE teams SET updated_at = ");
            qb.push_bind(now);
            if let Some(v) = name {
                qb.push(", name = ").push_bind(v);
            }
            if let Some(v) = description {
                qb.push(", description = ").push_bind(v);
            }
            if let Some(v) = labels_json {
                qb.push(", labels = ").push_bind(v);
            }
            qb.push(" WHERE system_team = FALSE AND org_id = ").push_bind(org.0).push(" AND id = ").push_bind(id.0);
            qb.build().execute(p).await.map(|r| r.rows_affected())
        })?;
        if res == 0 {
            return Ok(None);
        }
        self.find_team(org, id).await
    }

    /// Deletes a non-system team and the role assignments made to it.
    pub async fn delete_team(&self, org: OrgId, id: TeamId) -> StoreResult<bool> {
        let res: Result<u64, sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM role_assignments WHERE org_id = $1 AND principal_kind = 'team' AND principal_id = $2")
                .bind(org.0).bind(id.0).execute(&mut *tx).await?;
            let n = sqlx::query("DELETE FROM teams WHERE org_id = $1 AND id = $2 AND system_team = FALSE")
                .bind(org.0).bind(id.0).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            Ok(n)
        }.await);
        Ok(res? > 0)
    }

    pub async fn add_team_user(&self, team: TeamId, user: UserId, now: DateTime<Utc>) -> StoreResult<AddMember> {
        self.add_member(Membership::Users, team, user.0, now).await
    }

    pub async fn remove_team_user(&self, team: TeamId, user: UserId) -> StoreResult<bool> {
        self.remove_member(Membership::Users, team, user.0).await
    }

    pub async fn add_team_system_account(
        &self,
        team: TeamId,
        sa: SystemAccountId,
        now: DateTime<Utc>,
    ) -> StoreResult<AddMember> {
        self.add_member(Membership::SystemAccounts, team, sa.0, now).await
    }

    pub async fn remove_team_system_account(&self, team: TeamId, sa: SystemAccountId) -> StoreResult<bool> {
        self.remove_member(Membership::SystemAccounts, team, sa.0).await
    }

    async fn add_member(
        &self,
        m: Membership,
        team: TeamId,
        member: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<AddMember> {
        let (table, column) = m.table();
        let sql = format!("INSERT INTO {table} (team_id, {column}, created_at) VALUES ($1, $2, $3)");
        let res = on_pool!(self, p => sqlx::query(&sql).bind(team.0).bind(member).bind(now).execute(p).await.map(|r| r.rows_affected()));
        match res {
            Ok(_) => Ok(AddMember::Added),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(AddMember::AlreadyMember),
            Err(e) => Err(e.into()),
        }
    }

    async fn remove_member(&self, m: Membership, team: TeamId, member: Uuid) -> StoreResult<bool> {
        let (table, column) = m.table();
        let sql = format!("DELETE FROM {table} WHERE team_id = $1 AND {column} = $2");
        let n = on_pool!(self, p => sqlx::query(&sql).bind(team.0).bind(member).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    // ---- system accounts -------------------------------------------------------------

    pub async fn insert_system_account(
        &self,
        org: OrgId,
        name: &str,
        description: &str,
        konnect_managed: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<SystemAccountRecord> {
        let id = SystemAccountId::new();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO system_accounts (id, org_id, name, description, konnect_managed, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)")
            .bind(id.0).bind(org.0).bind(name).bind(description).bind(konnect_managed).bind(now)
            .execute(p).await.map(|r| r.rows_affected()))?;
        self.find_system_account(org, id)
            .await?
            .ok_or(StoreError::NotFound("system account"))
    }

    pub async fn find_system_account(
        &self,
        org: OrgId,
        id: SystemAccountId,
    ) -> StoreResult<Option<SystemAccountRecord>> {
        let sql = format!("SELECT {SA_COLS} FROM system_accounts s WHERE s.org_id = $1 AND s.id = $2");
        Ok(
            on_pool!(self, p => sqlx::query_as::<_, SystemAccountRecord>(&sql).bind(org.0).bind(id.0).fetch_optional(p).await)?,
        )
    }

    pub async fn list_system_accounts(
        &self,
        org: OrgId,
        filter: &Filter,
        page: PageRequest,
    ) -> StoreResult<Page<SystemAccountRecord>> {
        paged!(
            self,
            SystemAccountRecord,
            SA_COLS,
            filter,
            "s.",
            "s.created_at, s.id",
            page,
            |qb| {
                qb.push("FROM system_accounts s WHERE s.org_id = ");
                qb.push_bind(org.0);
            }
        )
    }

    pub async fn list_team_system_accounts(
        &self,
        org: OrgId,
        team: TeamId,
        filter: &Filter,
        page: PageRequest,
    ) -> StoreResult<Page<SystemAccountRecord>> {
        paged!(
            self,
            SystemAccountRecord,
            SA_COLS,
            filter,
            "s.",
            "s.created_at, s.id",
            page,
            |qb| {
                qb.push("FROM system_accounts s JOIN team_system_accounts ts ON ts.system_account_id = s.id WHERE s.org_id = ");
                qb.push_bind(org.0);
                qb.push(" AND ts.team_id = ");
                qb.push_bind(team.0);
            }
        )
    }

    pub async fn update_system_account(
        &self,
        org: OrgId,
        id: SystemAccountId,
        name: Option<&str>,
        description: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SystemAccountRecord>> {
        let res = on_pool!(self, p => {
            let mut qb = QueryBuilder::new("UPDATE system_accounts SET updated_at = ");
            qb.push_bind(now);
            if let Some(v) = name {
                qb.push(", name = ").push_bind(v);
            }
            if let Some(v) = description {
                qb.push(", description = ").push_bind(v);
            }
            qb.push(" WHERE org_id = ").push_bind(org.0).push(" AND id = ").push_bind(id.0);
            qb.build().execute(p).await.map(|r| r.rows_affected())
        })?;
        if res == 0 {
            return Ok(None);
        }
        self.find_system_account(org, id).await
    }

    /// Deletes a system account with its tokens and role assignments.
    pub async fn delete_system_account(&self, org: OrgId, id: SystemAccountId) -> StoreResult<bool> {
        let res: Result<u64, sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM access_tokens WHERE org_id = $1 AND owner_kind = 'system_account' AND owner_id = $2")
                .bind(org.0).bind(id.0).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM role_assignments WHERE org_id = $1 AND principal_kind = 'system_account' AND principal_id = $2")
                .bind(org.0).bind(id.0).execute(&mut *tx).await?;
            let n = sqlx::query("DELETE FROM system_accounts WHERE org_id = $1 AND id = $2")
                .bind(org.0).bind(id.0).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            Ok(n)
        }.await);
        Ok(res? > 0)
    }
}
