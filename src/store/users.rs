use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{on_pool, Store, StoreResult};
use crate::domain::filter::{Filter, Page, PageRequest};
use crate::domain::ids::{OrgId, TeamId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub id: Uuid,
    pub org_id: Uuid,
    pub email: String,
    pub full_name: String,
    pub preferred_name: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) const USER_COLS: &str =
    "u.id, u.org_id, u.email, u.full_name, u.preferred_name, u.active, u.created_at, u.updated_at";

/// Runs a paged list: `$base` pushes `FROM … WHERE …` (without filter); the macro adds the
/// filter, orders, pages and counts, on one connection. The count is only run when the page
/// does not tell the total by itself: a first page that is not full holds every match.
macro_rules! paged {
    ($store:expr, $ty:ty, $cols:expr, $filter:expr, $prefix:expr, $order:expr, $page:expr, |$qb:ident| $base:block) => {{
        let page: $crate::domain::filter::PageRequest = $page;
        let res: Result<$crate::domain::filter::Page<$ty>, sqlx::Error> = $crate::store::on_pool!($store, p => async {
            let mut conn = p.acquire().await?;
            let mut $qb = sqlx::QueryBuilder::new(format!("SELECT {} ", $cols));
            $base;
            $crate::store::push_filter!($qb, $filter, $prefix);
            $qb.push(format!(" ORDER BY {} LIMIT ", $order));
            $qb.push_bind(page.size as i64);
            $qb.push(" OFFSET ");
            $qb.push_bind(page.offset());
            let items = $qb
                .build_query_as::<$ty>()
                .persistent(!$crate::store::needs_custom_plan($store, $filter))
                .fetch_all(&mut *conn)
                .await?;
            let total = match $crate::store::total_from_page(page, items.len()) {
                Some(total) => total,
                None => {
                    let mut $qb = sqlx::QueryBuilder::new("SELECT COUNT(*) ");
                    $base;
                    $crate::store::push_filter!($qb, $filter, $prefix);
                    $qb.build_query_scalar().fetch_one(&mut *conn).await?
                }
            };
            Ok($crate::domain::filter::Page { items, total })
        }.await);
        res.map_err($crate::store::StoreError::from)
    }};
}
pub(crate) use paged;

/// A substring search that SQLite's trigram index (`users_search`, migration 0004) can narrow:
/// the column and the LIKE pattern to ask it with.
pub(crate) struct UserSearch {
    column: &'static str,
    pattern: String,
}

/// `FROM users u`, or, for an indexed search, the index's matches joined to `users` in that
/// order (`CROSS JOIN` fixes the order in SQLite). The exact `LOWER(col) LIKE` condition of the
/// filter still applies, so the index only has to find a superset of the matches.
fn push_users_from<DB: sqlx::Database>(qb: &mut QueryBuilder<'_, DB>, search: &Option<UserSearch>)
where
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    match search {
        Some(s) => {
            qb.push(format!(
                "FROM users_search s CROSS JOIN users u ON u.rowid = s.rowid AND s.{} LIKE ",
                s.column
            ));
            qb.push_bind(s.pattern.clone());
        }
        None => {
            qb.push("FROM users u");
        }
    }
}

impl Store {
    /// The first `contains` condition on email or full name that the SQLite trigram index can
    /// serve: at least three characters (a trigram) and no LIKE wildcard to escape, which the
    /// index's LIKE cannot take. None on PostgreSQL, whose trigram indexes need no rewrite.
    fn user_search(&self, filter: &Filter) -> Option<UserSearch> {
        use crate::domain::filter::{Op, Value};
        if !matches!(self.pool, super::Pool::Sqlite(_)) {
            return None;
        }
        filter.conditions.iter().find_map(|c| match (&c.op, &c.value, c.field) {
            (Op::Contains, Value::Text(text), column @ ("email" | "full_name"))
                if text.chars().count() >= 3 && !text.contains(super::LIKE_SPECIAL) =>
            {
                Some(UserSearch {
                    column,
                    pattern: super::like_pattern(text),
                })
            }
            _ => None,
        })
    }

    pub async fn insert_user(
        &self,
        org: OrgId,
        email: &str,
        full_name: &str,
        active: bool,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<UserRecord> {
        let id = UserId::new();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO users (id, org_id, email, full_name, preferred_name, active, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, '', $5, $6, $7, $7)")
            .bind(id.0).bind(org.0).bind(email).bind(full_name).bind(active).bind(password_hash).bind(now)
            .execute(p).await.map(|r| r.rows_affected()))?;
        self.find_user(org, id)
            .await?
            .ok_or(super::StoreError::NotFound("user"))
    }

    pub async fn find_user(&self, org: OrgId, id: UserId) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.org_id = $1 AND u.id = $2");
        Ok(on_pool!(self, p => sqlx::query_as::<_, UserRecord>(&sql).bind(org.0).bind(id.0).fetch_optional(p).await)?)
    }

    pub async fn find_user_by_email(&self, org: OrgId, email: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.org_id = $1 AND u.email = $2");
        Ok(on_pool!(self, p => sqlx::query_as::<_, UserRecord>(&sql).bind(org.0).bind(email).fetch_optional(p).await)?)
    }

    pub async fn list_users(&self, org: OrgId, filter: &Filter, page: PageRequest) -> StoreResult<Page<UserRecord>> {
        let search = self.user_search(filter);
        paged!(
            self,
            UserRecord,
            USER_COLS,
            filter,
            "u.",
            "u.created_at, u.id",
            page,
            |qb| {
                push_users_from(&mut qb, &search);
                qb.push(" WHERE u.org_id = ");
                qb.push_bind(org.0);
            }
        )
    }

    pub async fn list_team_users(
        &self,
        org: OrgId,
        team: TeamId,
        filter: &Filter,
        page: PageRequest,
    ) -> StoreResult<Page<UserRecord>> {
        let search = self.user_search(filter);
        paged!(
            self,
            UserRecord,
            USER_COLS,
            filter,
            "u.",
            "u.created_at, u.id",
            page,
            |qb| {
                push_users_from(&mut qb, &search);
                qb.push(" JOIN team_users tu ON tu.user_id = u.id WHERE u.org_id = ");
                qb.push_bind(org.0);
                qb.push(" AND tu.team_id = ");
                qb.push_bind(team.0);
            }
        )
    }

    pub async fn update_user(
        &self,
        org: OrgId,
        id: UserId,
        full_name: Option<&str>,
        preferred_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserRecord>> {
        let res = on_pool!(self, p => {
            let mut qb = QueryBuilder::new("UPDATE users SET updated_at = ");
            qb.push_bind(now);
            if let Some(f) = full_name {
                qb.push(", full_name = ").push_bind(f);
            }
            if let Some(pn) = preferred_name {
                qb.push(", preferred_name = ").push_bind(pn);
            }
            qb.push(" WHERE org_id = ").push_bind(org.0).push(" AND id = ").push_bind(id.0);
            qb.build().execute(p).await.map(|r| r.rows_affected())
        })?;
        if res == 0 {
            return Ok(None);
        }
        self.find_user(org, id).await
    }

    /// Deletes a user with its memberships, invites, tokens and role assignments.
    pub async fn delete_user(&self, org: OrgId, id: UserId) -> StoreResult<bool> {
        let res: Result<u64, sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM access_tokens WHERE org_id = $1 AND owner_kind = 'user' AND owner_id = $2")
                .bind(org.0).bind(id.0).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM role_assignments WHERE org_id = $1 AND principal_kind = 'user' AND principal_id = $2")
                .bind(org.0).bind(id.0).execute(&mut *tx).await?;
            let n = sqlx::query("DELETE FROM users WHERE org_id = $1 AND id = $2")
                .bind(org.0).bind(id.0).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            Ok(n)
        }.await);
        Ok(res? > 0)
    }

    pub async fn user_password_hash(&self, org: OrgId, id: UserId) -> StoreResult<Option<String>> {
        let v: Option<Option<String>> = on_pool!(self, p => sqlx::query_scalar("SELECT password_hash FROM users WHERE org_id = $1 AND id = $2")
            .bind(org.0).bind(id.0).fetch_optional(p).await)?;
        Ok(v.flatten())
    }

    /// Active users with this email and a password, in any organization whose basic
    /// authentication is enabled: (user, org, password hash), oldest organization first.
    pub async fn password_candidates(&self, email: &str) -> StoreResult<Vec<(Uuid, Uuid, String)>> {
        Ok(on_pool!(self, p => sqlx::query_as::<_, (Uuid, Uuid, String)>(
            "SELECT u.id, u.org_id, u.password_hash FROM users u JOIN organizations o ON o.id = u.org_id \
             WHERE u.email = $1 AND u.active = TRUE AND u.password_hash IS NOT NULL AND o.basic_auth_enabled = TRUE \
             ORDER BY o.created_at, o.id")
            .bind(email).fetch_all(p).await)?)
    }
}
