//! Recently authenticated principals, so that a request costs its own query and not also the
//! token lookup.
//!
//! An entry is keyed by the token's hash and is used only while
//! - it is younger than the configured time to live (`auth_cache_ttl_ms`), and
//! - no write request has finished in this process since the entry was read: every POST, PUT,
//!   PATCH or DELETE bumps a generation counter when it completes, which discards every entry.
//!
//! Within one process a revocation, a removed membership or a changed role therefore takes
//! effect for the very next request. Changes made by another process sharing the database (a
//! split global/regional deployment) take effect within the time to live. Token expiry is
//! checked against the clock on every use.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::Principal;

/// Entries kept at most; beyond it the least recently used go.
const CAPACITY: usize = 10_000;

#[derive(Clone)]
pub struct Cached {
    pub principal: Principal,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    loaded: Instant,
    generation: u64,
}

#[derive(Clone)]
pub struct PrincipalCache {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    ttl: Duration,
    generation: AtomicU64,
    entries: quick_cache::sync::Cache<String, Cached>,
}

/// The generation a lookup started at; an entry made from that lookup is stored with it, so a
/// write that finished while the lookup ran makes the entry stale at once.
#[derive(Clone, Copy)]
pub struct Generation(u64);

impl PrincipalCache {
    /// A cache with time to live `ttl`; zero disables caching.
    pub fn new(ttl: Duration) -> PrincipalCache {
        PrincipalCache {
            inner: (!ttl.is_zero()).then(|| {
                Arc::new(Inner {
                    ttl,
                    generation: AtomicU64::new(0),
                    entries: quick_cache::sync::Cache::new(CAPACITY),
                })
            }),
        }
    }

    pub fn generation(&self) -> Generation {
        Generation(self.inner.as_ref().map_or(0, |i| i.generation.load(Ordering::Acquire)))
    }

    pub fn get(&self, token_hash: &str) -> Option<Cached> {
        let inner = self.inner.as_ref()?;
        let entry = inner.entries.get(token_hash)?;
        if entry.generation != inner.generation.load(Ordering::Acquire) || entry.loaded.elapsed() >= inner.ttl {
            inner.entries.remove(token_hash);
            return None;
        }
        Some(entry)
    }

    pub fn insert(
        &self,
        token_hash: String,
        principal: Principal,
        expires_at: Option<DateTime<Utc>>,
        last_used_at: Option<DateTime<Utc>>,
        seen: Generation,
    ) {
        let Some(inner) = self.inner.as_ref() else {
            return;
        };
        if seen.0 != inner.generation.load(Ordering::Acquire) {
            return;
        }
        inner.entries.insert(
            token_hash,
            Cached {
                principal,
                expires_at,
                last_used_at,
                loaded: Instant::now(),
                generation: seen.0,
            },
        );
    }

    /// Records a newer `last_used_at` on an entry without extending its life.
    pub fn touched(&self, token_hash: &str, entry: &Cached, at: DateTime<Utc>) {
        if let Some(inner) = self.inner.as_ref() {
            let mut e = entry.clone();
            e.last_used_at = Some(at);
            if e.generation == inner.generation.load(Ordering::Acquire) {
                inner.entries.insert(token_hash.to_string(), e);
            }
        }
    }

    /// Discards every entry: called when a write request completes.
    pub fn invalidate(&self) {
        if let Some(inner) = self.inner.as_ref() {
            inner.generation.fetch_add(1, Ordering::AcqRel);
            inner.entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{OrgId, TokenId};
    use crate::store::PrincipalKind;
    use uuid::Uuid;

    fn principal() -> Principal {
        Principal {
            org: OrgId(Uuid::new_v4()),
            kind: PrincipalKind::User,
            id: Uuid::new_v4(),
            token_id: TokenId(Uuid::new_v4()),
            grants: Default::default(),
        }
    }

    #[test]
    fn hit_until_a_write_completes() {
        let c = PrincipalCache::new(Duration::from_secs(60));
        let p = principal();
        c.insert("h".into(), p.clone(), None, None, c.generation());
        assert_eq!(c.get("h").map(|e| e.principal.id), Some(p.id));
        c.invalidate();
        assert!(c.get("h").is_none());
    }

    #[test]
    fn a_lookup_that_raced_a_write_is_not_stored() {
        let c = PrincipalCache::new(Duration::from_secs(60));
        let seen = c.generation();
        c.invalidate();
        c.insert("h".into(), principal(), None, None, seen);
        assert!(c.get("h").is_none());
    }

    #[test]
    fn entries_expire_and_zero_disables() {
        let c = PrincipalCache::new(Duration::from_millis(20));
        c.insert("h".into(), principal(), None, None, c.generation());
        assert!(c.get("h").is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(c.get("h").is_none());

        let off = PrincipalCache::new(Duration::ZERO);
        off.insert("h".into(), principal(), None, None, off.generation());
        assert!(off.get("h").is_none());
    }
}
