use std::sync::Arc;

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
}

impl AppState {
    pub fn new(store: Store, clock: Clock, config: Config) -> AppState {
        let mailer = Mailer::from_config(config.smtp.as_ref());
        AppState {
            store,
            clock,
            config: Arc::new(config),
            mailer,
        }
    }
}
