use std::sync::Arc;

use crate::auth::cache::PrincipalCache;
use crate::clock::Clock;
use crate::config::Config;
use crate::mail::Mailer;
use crate::store::Store;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    pub config: Arc<Config>,
    pub mailer: Mailer,
    /// Recently authenticated tokens (see `auth::cache`).
    pub principals: PrincipalCache,
}

impl AppState {
    pub fn new(store: Store, clock: Clock, config: Config) -> AppState {
        let mailer = Mailer::from_config(config.smtp.as_ref());
        let principals = PrincipalCache::new(std::time::Duration::from_millis(config.auth_cache_ttl_ms));
        AppState {
            principals,
            store,
            clock,
            config: Arc::new(config),
            mailer,
        }
    }
}
