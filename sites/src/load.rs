//! What the server has been asked: requests read, and the most open at once.
//!
//! Relaxed atomics and not a mutex: the counters are independent tallies that
//! every connection task bumps, and nothing reads two of them as one state.

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// What the server has been asked so far: every request it has read, and the
/// most that were open at once. A request is open from the moment the server
/// has read it until its answer starts (its latency is spent open), so the peak
/// is the server's side of "N requests in flight at once": a client can only
/// claim N in flight if the server saw N open.
#[derive(Debug, Default)]
pub struct Load {
    requests: AtomicU64,
    open: AtomicUsize,
    peak_open: AtomicUsize,
    connections: AtomicU64,
}

/// A snapshot of [`Load`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadSummary {
    /// Requests read, answered or not.
    pub requests: u64,
    /// The most requests open at once.
    pub peak_open: usize,
    /// Connections accepted: one per request in flight over HTTP/1.1, one in
    /// all over HTTP/2.
    pub connections: u64,
}

impl fmt::Display for LoadSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.requests == 1 { "" } else { "s" };
        write!(
            f,
            "{} request{plural}, at most {} open at once",
            self.requests, self.peak_open
        )
    }
}

impl Load {
    /// Counts a request as read and open until the guard is dropped; a guard
    /// and not a call at the end, because hyper drops the handler of a
    /// request whose client hung up.
    pub(crate) fn open(&self) -> OpenRequest<'_> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let open = self.open.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_open.fetch_max(open, Ordering::Relaxed);
        OpenRequest(self)
    }

    /// Counts a connection accepted.
    pub(crate) fn accepted(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    /// The requests read so far, the most that were open at once, and the
    /// connections accepted.
    pub fn summary(&self) -> LoadSummary {
        LoadSummary {
            requests: self.requests.load(Ordering::Relaxed),
            peak_open: self.peak_open.load(Ordering::Relaxed),
            connections: self.connections.load(Ordering::Relaxed),
        }
    }
}

/// One open request of a [`Load`]; closes it when dropped.
pub(crate) struct OpenRequest<'a>(&'a Load);

impl Drop for OpenRequest<'_> {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::Relaxed);
    }
}
