//! Time is injected: production uses the system clock, tests a clock they can move.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

#[derive(Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock { fixed: None }
    }

    /// A clock that only moves when told to.
    pub fn manual(start: DateTime<Utc>) -> Self {
        Clock {
            fixed: Some(Arc::new(Mutex::new(start))),
        }
    }

    /// Now, truncated to microseconds (what both databases store).
    pub fn now(&self) -> DateTime<Utc> {
        let t = match &self.fixed {
            Some(m) => *m.lock().unwrap_or_else(|e| e.into_inner()),
            #[allow(clippy::disallowed_methods)]
            None => Utc::now(),
        };
        t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
    }

    /// Moves a manual clock forward; a no-op on the system clock.
    pub fn advance(&self, by: TimeDelta) {
        if let Some(m) = &self.fixed {
            let mut t = m.lock().unwrap_or_else(|e| e.into_inner());
            *t += by;
        }
    }
}
