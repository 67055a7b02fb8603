//! The connections open under the cap, each with its [`Activity`], so that at
//! the cap the accept loop can close the one idle longest for a new client.
//!
//! A map behind a `std::sync::Mutex`, touched once when a connection opens and
//! once when it closes, and scanned only at the cap. An index ordered by idle
//! time was turned down: every request of every connection would update it,
//! putting a shared lock on the benchmarks' hot path to speed up a scan that
//! only a server at its limit makes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

use crate::activity::Activity;

/// Every connection that holds a place under the cap.
#[derive(Debug, Default)]
pub(crate) struct OpenConnections {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    by_id: HashMap<u64, Arc<Activity>>,
}

/// A connection's place under the cap: its permit and its entry among the open
/// connections, both given back when it is dropped with the connection.
#[derive(Debug)]
pub(crate) struct Slot {
    id: u64,
    activity: Arc<Activity>,
    open: Arc<OpenConnections>,
    _permit: OwnedSemaphorePermit,
}

impl OpenConnections {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves a consistent map.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Enters a new connection, which holds `permit` for as long as it is open.
    pub(crate) fn enter(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> Slot {
        let activity = Arc::new(Activity::new());
        let mut inner = self.inner();
        let id = inner.next_id;
        inner.next_id += 1;
        inner.by_id.insert(id, Arc::clone(&activity));
        Slot {
            id,
            activity,
            open: Arc::clone(self),
            _permit: permit,
        }
    }

    /// Tells the connection idle longest (no request in progress, no head
    /// begun) to close, and returns how long it had been idle; `None` if every
    /// open connection is busy.
    pub(crate) fn close_longest_idle(&self) -> Option<Duration> {
        let now = Instant::now();
        let inner = self.inner();
        // A connection can turn busy between the scan and the eviction (it
        // then refuses): the scan is made again, and finds it busy.
        for _ in 0..3 {
            let (since, activity) = inner
                .by_id
                .values()
                .filter_map(|activity| Some((activity.idle_since()?, activity)))
                .min_by_key(|(since, _)| *since)?;
            if activity.evict_if_idle() {
                return Some(now.saturating_duration_since(since));
            }
        }
        None
    }
}

impl Slot {
    /// What the connection in this slot is doing.
    pub(crate) fn activity(&self) -> &Arc<Activity> {
        &self.activity
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open.inner().by_id.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::sync::Semaphore;

    use super::*;

    /// The connection idle longest is told to close; busy ones never are, and
    /// a slot dropped leaves the map and gives its permit back.
    #[test]
    fn the_longest_idle_connection_is_closed_first() {
        let permits = Arc::new(Semaphore::new(3));
        let open = Arc::new(OpenConnections::default());
        let enter = || {
            let permit = Arc::clone(&permits)
                .try_acquire_owned()
                .expect("a permit is free");
            open.enter(permit)
        };
        let oldest = enter();
        let busy = enter();
        let newest = enter();
        let request = busy.activity().request_read();

        assert!(open.close_longest_idle().is_some());
        assert!(oldest.activity().is_evicted());
        assert!(!busy.activity().is_evicted() && !newest.activity().is_evicted());
        drop(oldest);
        assert_eq!(permits.available_permits(), 1);

        assert!(open.close_longest_idle().is_some());
        assert!(newest.activity().is_evicted());
        assert_eq!(open.close_longest_idle(), None, "only a busy one is left");
        drop(request);
        assert!(open.close_longest_idle().is_some());
        assert!(busy.activity().is_evicted());
    }
}
