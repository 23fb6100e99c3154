//! The only place with SQL. One `Store` over SQLite and PostgreSQL: every query is written
//! once with `$n` placeholders and run on whichever pool the URL selected (`on_pool!`).

mod bulk;
mod identity;
mod orgs;
mod roles;
mod runtime_groups;
mod teams;
mod tokens;
mod users;

pub use bulk::*;
pub use identity::*;
pub use orgs::*;
pub use roles::*;
pub use runtime_groups::*;
pub use teams::*;
pub use tokens::*;
pub use users::*;

use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnectionMetadata;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return StoreError::Conflict(db.constraint().unwrap_or("unique").to_string());
            }
        }
        StoreError::Other(anyhow::Error::new(e))
    }
}

#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same expression against whichever pool is configured. `$p` is bound to the
/// concrete pool in each arm, so the query is type-checked once per backend.
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($p) => $body,
            $crate::store::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Appends ` AND …` for each filter condition, binding every value. Field names come from a
/// static per-resource allow-list, never from the request.
macro_rules! push_filter {
    ($qb:expr, $filter:expr, $prefix:expr) => {
        for c in &$filter.conditions {
            use $crate::domain::filter::{Op, Value};
            let col = format!("{}{}", $prefix, c.field);
            match (&c.op, &c.value) {
                (_, Value::Nothing) => {
                    $qb.push(" AND 1 = 0");
                }
                (Op::Contains, Value::Text(s)) => {
                    $qb.push(format!(" AND LOWER({col}) LIKE "));
                    $qb.push_bind($crate::store::like_pattern(s));
                    $qb.push(" ESCAPE '\\'");
                }
                (Op::Eq | Op::Neq, v) => {
                    $qb.push(format!(" AND {col} {} ", if c.op == Op::Eq { "=" } else { "<>" }));
                    match v {
                        Value::Text(s) => {
                            $qb.push_bind(s.clone());
                        }
                        Value::Bool(b) => {
                            $qb.push_bind(*b);
                        }
                        Value::Uuid(u) => {
                            $qb.push_bind(*u);
                        }
                        _ => {
                            $qb.push("NULL");
                        }
                    }
                }
                (Op::OneOf, Value::TextList(list)) if !list.is_empty() => {
                    $qb.push(format!(" AND {col} IN ("));
                    let mut sep = $qb.separated(", ");
                    for s in list {
                        sep.push_bind(s.clone());
                    }
                    $qb.push(")");
                }
                (Op::NoneOf, Value::TextList(list)) => {
                    if !list.is_empty() {
                        $qb.push(format!(" AND {col} NOT IN ("));
                        let mut sep = $qb.separated(", ");
                        for s in list {
                            sep.push_bind(s.clone());
                        }
                        $qb.push(")");
                    }
                }
                (Op::OneOf, Value::UuidList(list)) if !list.is_empty() => {
                    $qb.push(format!(" AND {col} IN ("));
                    let mut sep = $qb.separated(", ");
                    for u in list {
                        sep.push_bind(*u);
                    }
                    $qb.push(")");
                }
                _ => {
                    $qb.push(" AND 1 = 0");
                }
            }
        }
    };
}
pub(crate) use push_filter;

/// Whether a list's page query must be planned for its actual parameters. PostgreSQL reuses a
/// generic plan for a prepared statement after a few executions; for `LOWER(col) LIKE $n` that
/// plan cannot know the pattern is selective, and walks the ordering index of the whole
/// organization instead of asking the trigram index. An unnamed (non-persistent) statement is
/// planned at each execution, for one more round trip.
pub(crate) fn needs_custom_plan(store: &Store, filter: &crate::domain::filter::Filter) -> bool {
    matches!(store.pool, Pool::Postgres(_))
        && filter
            .conditions
            .iter()
            .any(|c| c.op == crate::domain::filter::Op::Contains)
}

/// The total of a paged list when its page tells it: a page that is not full is the last one,
/// unless it is empty past the first page (then the total is unknown without counting).
pub(crate) fn total_from_page(page: crate::domain::filter::PageRequest, items: usize) -> Option<i64> {
    ((items as u64) < u64::from(page.size) && (items > 0 || page.offset() == 0)).then(|| page.offset() + items as i64)
}

/// The characters LIKE treats specially (its wildcards and the escape Kontrol declares).
pub(crate) const LIKE_SPECIAL: [char; 3] = ['%', '_', '\\'];

/// `%value%`, lower-cased, with LIKE's wildcards escaped.
pub fn like_pattern(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for ch in s.to_lowercase().chars() {
        if LIKE_SPECIAL.contains(&ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// sqlx pings every connection it hands out (one more round trip per query, on top of the ping
/// when the connection goes back); only connections idle this long are tested before use, so
/// one that died while idle (a database restart) is still replaced instead of failing a request.
const TEST_IDLE_AFTER: Duration = Duration::from_secs(5);

async fn test_if_idle<C: sqlx::Connection>(conn: &mut C, meta: PoolConnectionMetadata) -> Result<bool, sqlx::Error> {
    if meta.idle_for >= TEST_IDLE_AFTER {
        conn.ping().await?;
    }
    Ok(true)
}

#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: Pool,
}

impl Store {
    /// Connects by URL scheme (`sqlite:` or `postgres:`/`postgresql:`) and migrates.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        let pool = if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .before_acquire(|conn, meta| Box::pin(async move { test_if_idle(conn, meta).await }))
                .connect_with(opts)
                .await?;
            Pool::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .test_before_acquire(false)
                .before_acquire(|conn, meta| Box::pin(async move { test_if_idle(conn, meta).await }))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Pool::Postgres(pool)
        } else {
            anyhow::bail!(
                "unsupported database URL {:?}: use sqlite:… or postgres://…",
                crate::config::redact_url(url)
            );
        };
        let store = Store { pool };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await?,
            Pool::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    pub async fn ping(&self) -> StoreResult<()> {
        on_pool!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }

    /// Table and column names, for the migration parity test (without SQLite's search index
    /// `users_search` and its shadow tables, which PostgreSQL does with pg_trgm indexes).
    pub async fn schema_columns(&self) -> StoreResult<Vec<(String, String)>> {
        let rows: Vec<(String, String)> = match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
                     AND m.name NOT LIKE 'users_search%' \
                     ORDER BY 1, 2",
                )
                .fetch_all(p)
                .await?
            }
            Pool::Postgres(p) => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' ORDER BY 1, 2",
                )
                .fetch_all(p)
                .await?
            }
        };
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::{like_pattern, total_from_page};

    #[test]
    fn a_page_that_is_not_full_tells_the_total() {
        use crate::domain::filter::PageRequest;
        let page = |number, size| PageRequest { number, size };
        assert_eq!(total_from_page(page(1, 10), 0), Some(0));
        assert_eq!(total_from_page(page(1, 10), 3), Some(3));
        assert_eq!(total_from_page(page(3, 10), 3), Some(23));
        assert_eq!(
            total_from_page(page(1, 10), 10),
            None,
            "a full page may have more after it"
        );
        assert_eq!(total_from_page(page(3, 10), 0), None, "past the end: count");
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("A_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
