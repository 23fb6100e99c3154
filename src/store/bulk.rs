//! Bulk loading (benchmarks, imports): multi-row INSERTs, one transaction per call, with ids
//! and times chosen by the caller. Nothing here checks the API's rules; callers pass rows that
//! are already valid.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgConnectOptions;
use sqlx::ConnectOptions;
use uuid::Uuid;

use super::roles::PrincipalKind;
use super::{on_pool, Pool, Store, StoreResult};
use crate::domain::ids::OrgId;
use crate::domain::labels::Labels;

/// Bind parameters per statement: below SQLite's 32766 and PostgreSQL's 65535.
const MAX_BINDS: usize = 30_000;
/// Rows per statement.
const MAX_ROWS: usize = 1_000;

pub struct BulkUser {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

pub struct BulkTeam {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// JSON object text.
    pub labels_json: String,
    pub created_at: DateTime<Utc>,
}

pub struct BulkMembership {
    pub team_id: Uuid,
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
}

pub struct BulkRoleAssignment {
    pub id: Uuid,
    pub principal_kind: PrincipalKind,
    pub principal_id: Uuid,
    pub role_name: String,
    pub entity_type_name: String,
    pub entity_type_key: String,
    pub entity_id: String,
    pub entity_region: String,
    pub created_at: DateTime<Utc>,
}

pub struct BulkRuntimeGroup {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub cluster_type: String,
    pub auth_type: String,
    pub labels: Labels,
    pub endpoint_prefix: String,
    pub created_at: DateTime<Utc>,
}

pub struct BulkToken {
    pub id: Uuid,
    pub owner_kind: PrincipalKind,
    pub owner_id: Uuid,
    pub name: String,
    /// `auth::token::hash` of the secret.
    pub token_hash: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Inserts `$rows` in statements of at most `MAX_ROWS` rows (and `MAX_BINDS` parameters) inside
/// one transaction. `$push` binds one row's `$cols` values on `$b` from `$r`.
macro_rules! insert_rows {
    ($store:expr, $head:expr, $rows:expr, $cols:expr, |$b:ident, $r:ident| $push:block) => {{
        let rows = $rows;
        let per_statement = (MAX_BINDS / $cols).min(MAX_ROWS);
        let res: Result<(), sqlx::Error> = on_pool!($store, p => async {
            let mut tx = p.begin().await?;
            for part in rows.chunks(per_statement) {
                let mut qb = sqlx::QueryBuilder::new($head);
                qb.push_values(part, |mut $b, $r| $push);
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await
        }.await);
        res?;
        StoreResult::Ok(())
    }};
}

impl Store {
    pub async fn bulk_insert_users(&self, org: OrgId, rows: &[BulkUser]) -> StoreResult<()> {
        insert_rows!(
            self,
            "INSERT INTO users (id, org_id, email, full_name, preferred_name, active, created_at, updated_at) ",
            rows,
            8,
            |b, r| {
                b.push_bind(r.id)
                    .push_bind(org.0)
                    .push_bind(r.email.as_str())
                    .push_bind(r.full_name.as_str())
                    .push_bind("")
                    .push_bind(r.active)
                    .push_bind(r.created_at)
                    .push_bind(r.created_at);
            }
        )
    }

    pub async fn bulk_insert_teams(&self, org: OrgId, rows: &[BulkTeam]) -> StoreResult<()> {
        insert_rows!(
            self,
            "INSERT INTO teams (id, org_id, name, description, system_team, labels, created_at, updated_at) ",
            rows,
            8,
            |b, r| {
                b.push_bind(r.id)
                    .push_bind(org.0)
                    .push_bind(r.name.as_str())
                    .push_bind(r.description.as_str())
                    .push_bind(false)
                    .push_bind(r.labels_json.as_str())
                    .push_bind(r.created_at)
                    .push_bind(r.created_at);
            }
        )
    }

    /// Team memberships of users. Teams and users must belong to the same organization.
    pub async fn bulk_insert_team_users(&self, rows: &[BulkMembership]) -> StoreResult<()> {
        insert_rows!(
            self,
            "INSERT INTO team_users (team_id, user_id, created_at) ",
            rows,
            3,
            |b, r| {
                b.push_bind(r.team_id).push_bind(r.user_id).push_bind(r.created_at);
            }
        )
    }

    pub async fn bulk_insert_role_assignments(&self, org: OrgId, rows: &[BulkRoleAssignment]) -> StoreResult<()> {
        insert_rows!(
            self,
            "INSERT INTO role_assignments (id, org_id, principal_kind, principal_id, role_name, entity_type_name, \
             entity_type_key, entity_id, entity_region, created_at) ",
            rows,
            10,
            |b, r| {
                b.push_bind(r.id)
                    .push_bind(org.0)
                    .push_bind(r.principal_kind.as_str())
                    .push_bind(r.principal_id)
                    .push_bind(r.role_name.as_str())
                    .push_bind(r.entity_type_name.as_str())
                    .push_bind(r.entity_type_key.as_str())
                    .push_bind(r.entity_id.as_str())
                    .push_bind(r.entity_region.as_str())
                    .push_bind(r.created_at);
            }
        )
    }

    /// Runtime groups of one region with their labels (both the JSON column and the label rows).
    pub async fn bulk_insert_runtime_groups(
        &self,
        org: OrgId,
        region: &str,
        rows: &[BulkRuntimeGroup],
    ) -> StoreResult<()> {
        let json: Vec<String> = rows
            .iter()
            .map(|r| serde_json::to_string(&r.labels))
            .collect::<Result<_, _>>()
            .map_err(anyhow::Error::from)?;
        let groups: Vec<(&BulkRuntimeGroup, &str)> = rows.iter().zip(json.iter().map(String::as_str)).collect();
        insert_rows!(
            self,
            "INSERT INTO runtime_groups (id, org_id, region, name, description, cluster_type, auth_type, cloud_gateway, \
             proxy_urls, labels, endpoint_prefix, is_default, created_at, updated_at) ",
            &groups,
            14,
            |b, g| {
                let (r, labels) = *g;
                b.push_bind(r.id)
                    .push_bind(org.0)
                    .push_bind(region)
                    .push_bind(r.name.as_str())
                    .push_bind(r.description.as_str())
                    .push_bind(r.cluster_type.as_str())
                    .push_bind(r.auth_type.as_str())
                    .push_bind(false)
                    .push_bind("[]")
                    .push_bind(labels)
                    .push_bind(r.endpoint_prefix.as_str())
                    .push_bind(false)
                    .push_bind(r.created_at)
                    .push_bind(r.created_at);
            }
        )?;
        let labels: Vec<(Uuid, &str, &str)> = rows
            .iter()
            .flat_map(|r| r.labels.iter().map(move |(k, v)| (r.id, k.as_str(), v.as_str())))
            .collect();
        insert_rows!(
            self,
            "INSERT INTO runtime_group_labels (runtime_group_id, key, value) ",
            &labels,
            3,
            |b, l| {
                b.push_bind(l.0).push_bind(l.1).push_bind(l.2);
            }
        )
    }

    pub async fn bulk_insert_tokens(&self, org: OrgId, rows: &[BulkToken]) -> StoreResult<()> {
        insert_rows!(
            self,
            "INSERT INTO access_tokens (id, org_id, owner_kind, owner_id, name, token_hash, created_at, updated_at, expires_at) ",
            rows,
            9,
            |b, r| {
                b.push_bind(r.id)
                    .push_bind(org.0)
                    .push_bind(r.owner_kind.as_str())
                    .push_bind(r.owner_id)
                    .push_bind(r.name.as_str())
                    .push_bind(r.token_hash.as_str())
                    .push_bind(r.created_at)
                    .push_bind(r.created_at)
                    .push_bind(r.expires_at);
            }
        )
    }

    /// Refreshes PostgreSQL's planner statistics after a bulk load (what autovacuum would do a
    /// little later). Nothing on SQLite: Kontrol never gathers SQLite statistics, and with them
    /// (the bundled SQLite has STAT4) every statement whose plan could depend on a bound value is
    /// compiled again at each execution; the queries are written to plan well without them.
    pub async fn analyze(&self) -> StoreResult<()> {
        if let Pool::Postgres(p) = &self.pool {
            sqlx::query("ANALYZE").execute(p).await?;
        }
        Ok(())
    }
}

impl Store {
    /// `SQLite 3.x.y` or `PostgreSQL x.y`, for reports.
    pub async fn server_version(&self) -> StoreResult<String> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => {
                let v: String = sqlx::query_scalar("SELECT sqlite_version()").fetch_one(p).await?;
                format!("SQLite {v}")
            }
            Pool::Postgres(p) => {
                let v: String = sqlx::query_scalar("SELECT current_setting('server_version')")
                    .fetch_one(p)
                    .await?;
                format!("PostgreSQL {v}")
            }
        })
    }
}

/// PostgreSQL database names this module creates and drops: lower-case letters, digits, `_`.
fn check_database_name(name: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        !name.is_empty()
            && name.len() <= 63
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "invalid database name {name:?}"
    );
    Ok(())
}

/// Creates database `name` on the PostgreSQL server of `admin_url` (a database the user may
/// connect to) and returns the URL of the new database.
pub async fn create_postgres_database(admin_url: &str, name: &str) -> anyhow::Result<String> {
    check_database_name(name)?;
    let mut conn = PgConnectOptions::from_str(admin_url)?.connect().await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    let mut url = url::Url::parse(admin_url)?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}

/// Drops database `name` (and its connections) on the PostgreSQL server of `admin_url`.
pub async fn drop_postgres_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    check_database_name(name)?;
    let mut conn = PgConnectOptions::from_str(admin_url)?.connect().await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    Ok(())
}
