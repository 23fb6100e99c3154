use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{on_pool, Store, StoreError, StoreResult};
use crate::domain::filter::{Filter, Page, PageRequest};
use crate::domain::ids::{CertificateId, OrgId, RuntimeGroupId};
use crate::domain::labels::Labels;
use crate::domain::runtime_group::{LabelMatch, SortKey};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuntimeGroupRecord {
    pub id: Uuid,
    pub org_id: Uuid,
    pub region: String,
    pub name: String,
    pub description: String,
    pub cluster_type: String,
    pub auth_type: String,
    pub cloud_gateway: bool,
    /// JSON array text.
    pub proxy_urls: String,
    /// JSON object text.
    pub labels: String,
    pub endpoint_prefix: String,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const RG_COLS: &str = "g.id, g.org_id, g.region, g.name, g.description, g.cluster_type, g.auth_type, g.cloud_gateway, \
    g.proxy_urls, g.labels, g.endpoint_prefix, g.is_default, g.created_at, g.updated_at";

pub struct NewRuntimeGroup<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub cluster_type: &'a str,
    pub auth_type: &'a str,
    pub cloud_gateway: bool,
    pub proxy_urls_json: &'a str,
    pub labels: &'a Labels,
}

#[derive(Default)]
pub struct RuntimeGroupChange<'a> {
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub auth_type: Option<&'a str>,
    pub proxy_urls_json: Option<&'a str>,
    pub labels: Option<&'a Labels>,
}

/// What a list may show: everything in the region, or only these ids.
#[derive(Debug, Clone)]
pub enum Visibility {
    All,
    Only(Vec<Uuid>),
}

pub struct RuntimeGroupQuery<'a> {
    pub filter: &'a Filter,
    pub labels: &'a [LabelMatch],
    pub sort: &'a [SortKey],
    pub visibility: &'a Visibility,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CertificateRecord {
    pub id: Uuid,
    pub cert: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NodeRecord {
    pub id: String,
    pub version: String,
    pub hostname: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub config_hash: String,
    pub compatibility_state: String,
    pub last_ping: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const NODE_COLS: &str =
    "id, version, hostname, type, config_hash, compatibility_state, last_ping, created_at, updated_at";

fn random_prefix() -> String {
    format!("{:010x}", rand::random::<u64>() & 0xff_ffff_ffff)
}

/// Pushes the FROM and WHERE clauses of a runtime group list. With label terms, the first one
/// drives the query from the `(key, LOWER(value))` index (`CROSS JOIN` keeps SQLite, which has no
/// statistics, from scanning the region's groups instead); the others are `IN` subqueries.
macro_rules! push_rg_from_where {
    ($qb:expr, $org:expr, $region:expr, $q:expr) => {{
        let label_term = |qb: &mut sqlx::QueryBuilder<'_, _>, alias: &str, m: &LabelMatch| {
            qb.push(format!("{alias}.key = "));
            qb.push_bind(m.key.clone());
            if let Some(v) = &m.value {
                qb.push(format!(" AND LOWER({alias}.value) = "));
                qb.push_bind(v.to_lowercase());
            }
        };
        match $q.labels.split_first() {
            Some((first, _)) => {
                $qb.push(" FROM runtime_group_labels l0 CROSS JOIN runtime_groups g WHERE ");
                label_term(&mut $qb, "l0", first);
                $qb.push(" AND g.id = l0.runtime_group_id AND g.org_id = ");
            }
            None => {
                $qb.push(" FROM runtime_groups g WHERE g.org_id = ");
            }
        }
        $qb.push_bind($org.0);
        $qb.push(" AND g.region = ");
        $qb.push_bind($region.to_string());
        if let Visibility::Only(ids) = $q.visibility {
            if ids.is_empty() {
                $qb.push(" AND 1 = 0");
            } else {
                $qb.push(" AND g.id IN (");
                let mut sep = $qb.separated(", ");
                for id in ids {
                    sep.push_bind(*id);
                }
                $qb.push(")");
            }
        }
        $crate::store::push_filter!($qb, $q.filter, "g.");
        for m in $q.labels.iter().skip(1) {
            $qb.push(" AND g.id IN (SELECT l.runtime_group_id FROM runtime_group_labels l WHERE ");
            label_term(&mut $qb, "l", m);
            $qb.push(")");
        }
    }};
}

impl Store {
    async fn write_labels(&self, id: RuntimeGroupId, labels: &Labels) -> StoreResult<()> {
        let res: Result<(), sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM runtime_group_labels WHERE runtime_group_id = $1").bind(id.0).execute(&mut *tx).await?;
            for (k, v) in labels {
                sqlx::query("INSERT INTO runtime_group_labels (runtime_group_id, key, value) VALUES ($1, $2, $3)")
                    .bind(id.0).bind(k).bind(v).execute(&mut *tx).await?;
            }
            tx.commit().await
        }.await);
        Ok(res?)
    }

    pub async fn insert_runtime_group(
        &self,
        org: OrgId,
        region: &str,
        new: NewRuntimeGroup<'_>,
        is_default: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<RuntimeGroupRecord> {
        let id = RuntimeGroupId::new();
        let labels_json = serde_json::to_string(new.labels).map_err(anyhow::Error::from)?;
        let res: Result<(), sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            sqlx::query(
                "INSERT INTO runtime_groups (id, org_id, region, name, description, cluster_type, auth_type, cloud_gateway, \
                 proxy_urls, labels, endpoint_prefix, is_default, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)")
                .bind(id.0).bind(org.0).bind(region).bind(new.name).bind(new.description).bind(new.cluster_type)
                .bind(new.auth_type).bind(new.cloud_gateway).bind(new.proxy_urls_json).bind(&labels_json)
                .bind(random_prefix()).bind(is_default).bind(now)
                .execute(&mut *tx).await?;
            for (k, v) in new.labels {
                sqlx::query("INSERT INTO runtime_group_labels (runtime_group_id, key, value) VALUES ($1, $2, $3)")
                    .bind(id.0).bind(k).bind(v).execute(&mut *tx).await?;
            }
            tx.commit().await
        }.await);
        res?;
        self.find_runtime_group(org, region, id)
            .await?
            .ok_or(StoreError::NotFound("runtime group"))
    }

    /// Creates the `default` group of every organization in each region where it is missing.
    pub async fn ensure_default_runtime_groups(&self, regions: &[String], now: DateTime<Utc>) -> StoreResult<()> {
        let orgs: Vec<Uuid> =
            on_pool!(self, p => sqlx::query_scalar("SELECT id FROM organizations").fetch_all(p).await)?;
        for org in orgs {
            for region in regions {
                let exists: i64 = on_pool!(self, p => sqlx::query_scalar(
                    "SELECT COUNT(*) FROM runtime_groups WHERE org_id = $1 AND region = $2 AND is_default = TRUE")
                    .bind(org).bind(region).fetch_one(p).await)?;
                if exists > 0 {
                    continue;
                }
                let labels = Labels::new();
                let new = NewRuntimeGroup {
                    name: "default",
                    description: "",
                    cluster_type: "CLUSTER_TYPE_HYBRID",
                    auth_type: "pinned_client_certs",
                    cloud_gateway: false,
                    proxy_urls_json: "[]",
                    labels: &labels,
                };
                match self.insert_runtime_group(OrgId(org), region, new, true, now).await {
                    Ok(_) => {}
                    // A user group already took the name, or another process raced us.
                    Err(StoreError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    pub async fn find_runtime_group(
        &self,
        org: OrgId,
        region: &str,
        id: RuntimeGroupId,
    ) -> StoreResult<Option<RuntimeGroupRecord>> {
        let sql = format!("SELECT {RG_COLS} FROM runtime_groups g WHERE g.org_id = $1 AND g.region = $2 AND g.id = $3");
        Ok(
            on_pool!(self, p => sqlx::query_as::<_, RuntimeGroupRecord>(&sql).bind(org.0).bind(region).bind(id.0).fetch_optional(p).await)?,
        )
    }

    pub async fn list_runtime_groups(
        &self,
        org: OrgId,
        region: &str,
        q: RuntimeGroupQuery<'_>,
        page: PageRequest,
    ) -> StoreResult<Page<RuntimeGroupRecord>> {
        let mut order: Vec<String> = q
            .sort
            .iter()
            .map(|k| format!("g.{} {}", k.column, if k.descending { "DESC" } else { "ASC" }))
            .collect();
        order.push("g.created_at ASC".into());
        order.push("g.id ASC".into());
        let order = order.join(", ");
        let res: Result<Page<RuntimeGroupRecord>, sqlx::Error> = on_pool!(self, p => async {
            let mut conn = p.acquire().await?;
            let mut qb = sqlx::QueryBuilder::new(format!("SELECT {RG_COLS}"));
            push_rg_from_where!(qb, org, region, q);
            qb.push(format!(" ORDER BY {order} LIMIT "));
            qb.push_bind(page.size as i64);
            qb.push(" OFFSET ");
            qb.push_bind(page.offset());
            let items = qb
                .build_query_as::<RuntimeGroupRecord>()
                .persistent(!super::needs_custom_plan(self, q.filter))
                .fetch_all(&mut *conn)
                .await?;
            let total = match super::total_from_page(page, items.len()) {
                Some(total) => total,
                None => {
                    let mut qb = sqlx::QueryBuilder::new("SELECT COUNT(*)");
                    push_rg_from_where!(qb, org, region, q);
                    qb.build_query_scalar().fetch_one(&mut *conn).await?
                }
            };
            Ok(Page { items, total })
        }.await);
        Ok(res?)
    }

    pub async fn update_runtime_group(
        &self,
        org: OrgId,
        region: &str,
        id: RuntimeGroupId,
        change: RuntimeGroupChange<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<RuntimeGroupRecord>> {
        let labels_json = match change.labels {
            Some(l) => Some(serde_json::to_string(l).map_err(anyhow::Error::from)?),
            None => None,
        };
        let n = on_pool!(self, p => {
            let mut qb = sqlx::QueryBuilder::new("UPDATE runtime_groups SET updated_at = ");
            qb.push_bind(now);
            if let Some(v) = change.name {
                qb.push(", name = ").push_bind(v);
            }
            if let Some(v) = change.description {
                qb.push(", description = ").push_bind(v);
            }
            if let Some(v) = change.auth_type {
                qb.push(", auth_type = ").push_bind(v);
            }
            if let Some(v) = change.proxy_urls_json {
                qb.push(", proxy_urls = ").push_bind(v);
            }
            if let Some(v) = &labels_json {
                qb.push(", labels = ").push_bind(v.clone());
            }
            qb.push(" WHERE org_id = ").push_bind(org.0).push(" AND region = ").push_bind(region).push(" AND id = ").push_bind(id.0);
            qb.build().execute(p).await.map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(l) = change.labels {
            self.write_labels(id, l).await?;
        }
        self.find_runtime_group(org, region, id).await
    }

    /// Deletes a group and the role assignments that name it.
    pub async fn delete_runtime_group(&self, org: OrgId, region: &str, id: RuntimeGroupId) -> StoreResult<bool> {
        let res: Result<u64, sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            let n = sqlx::query("DELETE FROM runtime_groups WHERE org_id = $1 AND region = $2 AND id = $3 AND is_default = FALSE")
                .bind(org.0).bind(region).bind(id.0).execute(&mut *tx).await?.rows_affected();
            if n > 0 {
                sqlx::query("DELETE FROM role_assignments WHERE org_id = $1 AND entity_type_key = 'control_planes' AND entity_id = $2")
                    .bind(org.0).bind(id.0.to_string()).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(n)
        }.await);
        Ok(res? > 0)
    }

    // ---- composite memberships ---------------------------------------------------------

    /// Members of a composite from `offset`, at most `limit`, with the total count.
    /// Members of a composite that the caller may see, from `offset`, at most `limit`, with
    /// the total of those it may see.
    pub async fn list_composite_members(
        &self,
        composite: RuntimeGroupId,
        visibility: &Visibility,
        offset: i64,
        limit: u32,
    ) -> StoreResult<Page<RuntimeGroupRecord>> {
        let res: Result<Page<RuntimeGroupRecord>, sqlx::Error> = on_pool!(self, p => async {
            let mut page = Page { items: vec![], total: 0 };
            for count in [true, false] {
                let mut qb = sqlx::QueryBuilder::new(if count {
                    "SELECT COUNT(*)".to_string()
                } else {
                    format!("SELECT {RG_COLS}")
                });
                qb.push(" FROM runtime_groups g JOIN composite_memberships m ON m.member_id = g.id WHERE m.composite_id = ");
                qb.push_bind(composite.0);
                if let Visibility::Only(ids) = visibility {
                    if ids.is_empty() {
                        qb.push(" AND 1 = 0");
                    } else {
                        qb.push(" AND g.id IN (");
                        let mut sep = qb.separated(", ");
                        for id in ids {
                            sep.push_bind(*id);
                        }
                        qb.push(")");
                    }
                }
                if count {
                    page.total = qb.build_query_scalar().fetch_one(p).await?;
                } else {
                    qb.push(" ORDER BY m.created_at, g.created_at, g.id LIMIT ");
                    qb.push_bind(limit as i64);
                    qb.push(" OFFSET ");
                    qb.push_bind(offset);
                    page.items = qb.build_query_as::<RuntimeGroupRecord>().fetch_all(p).await?;
                }
            }
            Ok(page)
        }.await);
        Ok(res?)
    }

    pub async fn composite_member_ids(&self, composite: RuntimeGroupId) -> StoreResult<Vec<Uuid>> {
        Ok(
            on_pool!(self, p => sqlx::query_scalar::<_, Uuid>("SELECT member_id FROM composite_memberships WHERE composite_id = $1")
            .bind(composite.0).fetch_all(p).await)?,
        )
    }

    /// How many composites each of `ids` belongs to, not counting `except`.
    pub async fn composite_counts(&self, ids: &[Uuid], except: RuntimeGroupId) -> StoreResult<Vec<(Uuid, i64)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let res: Result<Vec<(Uuid, i64)>, sqlx::Error> = on_pool!(self, p => async {
            let mut qb = sqlx::QueryBuilder::new("SELECT member_id, COUNT(*) FROM composite_memberships WHERE composite_id <> ");
            qb.push_bind(except.0);
            qb.push(" AND member_id IN (");
            let mut sep = qb.separated(", ");
            for id in ids {
                sep.push_bind(*id);
            }
            qb.push(") GROUP BY member_id");
            qb.build_query_as::<(Uuid, i64)>().fetch_all(p).await
        }.await);
        Ok(res?)
    }

    pub async fn is_composite_member(&self, id: RuntimeGroupId) -> StoreResult<bool> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM composite_memberships WHERE member_id = $1")
            .bind(id.0).fetch_one(p).await)?;
        Ok(n > 0)
    }

    /// Sets the members of a composite: adds `add`, removes `remove` (one transaction).
    pub async fn change_composite_members(
        &self,
        composite: RuntimeGroupId,
        add: &[Uuid],
        remove: &[Uuid],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let res: Result<(), sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            for m in remove {
                sqlx::query("DELETE FROM composite_memberships WHERE composite_id = $1 AND member_id = $2")
                    .bind(composite.0).bind(*m).execute(&mut *tx).await?;
            }
            for m in add {
                sqlx::query("INSERT INTO composite_memberships (composite_id, member_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(composite.0).bind(*m).bind(now).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE runtime_groups SET updated_at = $2 WHERE id = $1").bind(composite.0).bind(now).execute(&mut *tx).await?;
            tx.commit().await
        }.await);
        Ok(res?)
    }

    // ---- data-plane certificates and nodes ----------------------------------------------

    pub async fn insert_certificate(
        &self,
        group: RuntimeGroupId,
        pem: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<CertificateRecord> {
        let id = CertificateId::new();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO dp_client_certificates (id, runtime_group_id, cert, fingerprint, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
            .bind(id.0).bind(group.0).bind(pem).bind(fingerprint).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
        self.find_certificate(group, id)
            .await?
            .ok_or(StoreError::NotFound("certificate"))
    }

    pub async fn find_certificate(
        &self,
        group: RuntimeGroupId,
        id: CertificateId,
    ) -> StoreResult<Option<CertificateRecord>> {
        Ok(on_pool!(self, p => sqlx::query_as::<_, CertificateRecord>(
            "SELECT id, cert, created_at, updated_at FROM dp_client_certificates WHERE runtime_group_id = $1 AND id = $2")
            .bind(group.0).bind(id.0).fetch_optional(p).await)?)
    }

    pub async fn list_certificates(
        &self,
        group: RuntimeGroupId,
        page: PageRequest,
    ) -> StoreResult<Page<CertificateRecord>> {
        let (items, total) = on_pool!(self, p => {
            let items = sqlx::query_as::<_, CertificateRecord>(
                "SELECT id, cert, created_at, updated_at FROM dp_client_certificates WHERE runtime_group_id = $1 \
                 ORDER BY created_at, id LIMIT $2 OFFSET $3")
                .bind(group.0).bind(page.size as i64).bind(page.offset()).fetch_all(p).await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dp_client_certificates WHERE runtime_group_id = $1")
                .bind(group.0).fetch_one(p).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    pub async fn delete_certificate(&self, group: RuntimeGroupId, id: CertificateId) -> StoreResult<bool> {
        let n = on_pool!(self, p => sqlx::query("DELETE FROM dp_client_certificates WHERE runtime_group_id = $1 AND id = $2")
            .bind(group.0).bind(id.0).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    pub async fn list_nodes(&self, group: RuntimeGroupId, page: PageRequest) -> StoreResult<Page<NodeRecord>> {
        let sql = format!(
            "SELECT {NODE_COLS} FROM dp_nodes WHERE runtime_group_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3"
        );
        let (items, total) = on_pool!(self, p => {
            let items = sqlx::query_as::<_, NodeRecord>(&sql).bind(group.0).bind(page.size as i64).bind(page.offset()).fetch_all(p).await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dp_nodes WHERE runtime_group_id = $1").bind(group.0).fetch_one(p).await?;
            (items, total)
        });
        Ok(Page { items, total })
    }

    pub async fn all_nodes(&self, group: RuntimeGroupId) -> StoreResult<Vec<NodeRecord>> {
        let sql = format!("SELECT {NODE_COLS} FROM dp_nodes WHERE runtime_group_id = $1 ORDER BY created_at, id");
        Ok(on_pool!(self, p => sqlx::query_as::<_, NodeRecord>(&sql).bind(group.0).fetch_all(p).await)?)
    }

    pub async fn find_node(&self, group: RuntimeGroupId, id: &str) -> StoreResult<Option<NodeRecord>> {
        let sql = format!("SELECT {NODE_COLS} FROM dp_nodes WHERE runtime_group_id = $1 AND id = $2");
        Ok(on_pool!(self, p => sqlx::query_as::<_, NodeRecord>(&sql).bind(group.0).bind(id).fetch_optional(p).await)?)
    }

    pub async fn delete_node(&self, group: RuntimeGroupId, id: &str) -> StoreResult<bool> {
        let n = on_pool!(self, p => sqlx::query("DELETE FROM dp_nodes WHERE runtime_group_id = $1 AND id = $2")
            .bind(group.0).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Records a data-plane node's check-in (used by the data-plane connection and tests).
    #[allow(clippy::too_many_arguments)]
    pub async fn upsert_node(
        &self,
        group: RuntimeGroupId,
        id: &str,
        version: &str,
        hostname: &str,
        config_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO dp_nodes (id, runtime_group_id, version, hostname, config_hash, last_ping, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             ON CONFLICT (runtime_group_id, id) DO UPDATE SET version = $3, hostname = $4, config_hash = $5, last_ping = $6, updated_at = $7")
            .bind(id).bind(group.0).bind(version).bind(hostname).bind(config_hash).bind(now.timestamp()).bind(now)
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn count_nodes(&self, groups: &[Uuid]) -> StoreResult<Vec<(Uuid, i64)>> {
        if groups.is_empty() {
            return Ok(vec![]);
        }
        let res: Result<Vec<(Uuid, i64)>, sqlx::Error> = on_pool!(self, p => async {
            let mut qb = sqlx::QueryBuilder::new("SELECT runtime_group_id, COUNT(*) FROM dp_nodes WHERE runtime_group_id IN (");
            let mut sep = qb.separated(", ");
            for id in groups {
                sep.push_bind(*id);
            }
            qb.push(") GROUP BY runtime_group_id");
            qb.build_query_as::<(Uuid, i64)>().fetch_all(p).await
        }.await);
        Ok(res?)
    }
}
