//! The connections open under the cap, each with its [`Activity`], so that at
//! the cap the accept loop can close the one idle longest for a new client.
//!
//! A map behind a `std::sync::Mutex`, touched once when a connection opens and
//! once when it closes, and scanned only at the cap. An index ordered by idle
//! time was turned down: every request of every connection would update it,
//! putting a shared lock on the benchmarks' hot path to speed up a scan that
//! only a server at its limit makes.
//!
//! "Idle" means more than no request in progress: a request the client has
//! sent but the server has not read yet (a busy server reads late) is still
//! in the socket, so a candidate's socket is peeked first (`MSG_PEEK`), and
//! one with bytes waiting is passed over; closing it would fail a request
//! that should only have waited. The entry leaves the map before its socket
//! closes (see `connection`), and the map's lock is held while peeking, so a
//! peeked descriptor is always the connection's own.

use std::collections::HashMap;
use std::os::fd::RawFd;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use nix::sys::socket::{MsgFlags, recv};

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
    by_id: HashMap<u64, (Arc<Activity>, RawFd)>,
}

/// The most candidates peeked for one eviction: bounds the work of a scan at
/// the cap when most idle-looking connections have requests waiting.
const MAX_PEEKED: usize = 64;

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

    /// Enters a new connection on socket `fd`, which holds `permit` for as
    /// long as it is open.
    pub(crate) fn enter(self: &Arc<Self>, permit: OwnedSemaphorePermit, fd: RawFd) -> Slot {
        let activity = Arc::new(Activity::new());
        let mut inner = self.inner();
        let id = inner.next_id;
        inner.next_id += 1;
        inner.by_id.insert(id, (Arc::clone(&activity), fd));
        Slot {
            id,
            activity,
            open: Arc::clone(self),
            _permit: permit,
        }
    }

    /// Tells the connection idle longest (no request in progress, no head
    /// begun, nothing waiting in its socket) to close, and returns how long it
    /// had been idle; `None` if every open connection is busy.
    pub(crate) fn close_longest_idle(&self) -> Option<Duration> {
        let now = Instant::now();
        let inner = self.inner();
        let mut idle: Vec<(Instant, &Arc<Activity>, RawFd)> = inner
            .by_id
            .values()
            .filter_map(|(activity, fd)| Some((activity.idle_since()?, activity, *fd)))
            .collect();
        // Only the longest idle are peeked: order those, not all.
        if idle.len() > MAX_PEEKED {
            idle.select_nth_unstable_by_key(MAX_PEEKED - 1, |(since, ..)| *since);
            idle.truncate(MAX_PEEKED);
        }
        idle.sort_unstable_by_key(|(since, ..)| *since);
        idle.into_iter()
            .find(|(_, activity, fd)| !bytes_waiting(*fd) && activity.evict_if_idle())
            .map(|(since, ..)| now.saturating_duration_since(since))
    }
}

/// Whether the client has sent bytes the server has not read yet. A closed
/// or failed socket has none that matter.
fn bytes_waiting(fd: RawFd) -> bool {
    let mut byte = [0u8; 1];
    recv(fd, &mut byte, MsgFlags::MSG_PEEK | MsgFlags::MSG_DONTWAIT).is_ok_and(|n| n > 0)
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

    /// Bytes the client sent and the server has not read are seen; an empty
    /// socket and a closed descriptor have none.
    #[test]
    fn bytes_waiting_are_seen_without_reading_them() -> std::io::Result<()> {
        use std::io::Write as _;
        use std::os::fd::AsRawFd as _;
        let (mut client, server) = std::os::unix::net::UnixStream::pair()?;
        assert!(!bytes_waiting(server.as_raw_fd()));
        client.write_all(b"GET")?;
        assert!(bytes_waiting(server.as_raw_fd()));
        assert!(bytes_waiting(server.as_raw_fd()), "a peek leaves them");
        assert!(!bytes_waiting(-1));
        Ok(())
    }

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
            // No socket: a peek finds nothing waiting.
            open.enter(permit, -1)
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
