//! What a connection is doing, for its two timeouts: idle (no request in
//! progress) and reading a request head (its first byte has arrived, its end
//! has not).
//!
//! hyper's own `header_read_timeout` was turned down: hyper starts its clock as
//! soon as a kept-alive connection goes idle, so it cannot tell a client that
//! is slow to send a head from one that keeps its connection for later, and it
//! would close idle connections at the (short) header timeout. Here the socket
//! reports the first byte of a head, the service reports a request read, and
//! the answer's body reports its end; one clock per connection (see
//! `connection`) compares that with the two timeouts.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::body::SiteBody;

/// What a connection is doing.
///
/// A `std::sync::Mutex` that is never contended: the socket, the handler and
/// the body that update it are all polled by the connection's own task; the
/// lock only makes the state shareable between them (`Send`). Atomics were
/// turned down as less readable for no gain.
#[derive(Debug)]
pub(crate) struct Activity {
    state: Mutex<State>,
    /// Wakes the connection when the accept loop, at the cap, chooses it to
    /// close (see `open`).
    eviction: Notify,
}

#[derive(Debug)]
struct State {
    /// Requests read whose answers have not been sent yet; more than one only
    /// for the moment hyper starts a pipelined request before dropping the
    /// previous answer.
    in_progress: usize,
    /// When the first byte of the next request head arrived, if it has.
    head_since: Option<Instant>,
    /// When the last request in progress ended (or the connection opened).
    idle_since: Instant,
    /// Chosen to close for a new client at the connection cap.
    evicted: bool,
}

/// The two timeouts of a connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    /// From the first byte of a request head to its end.
    pub(crate) header: Duration,
    /// With no request in progress and no head begun.
    pub(crate) idle: Duration,
}

impl Timeouts {
    /// How often a connection's clock looks at its [`Activity`]: the shorter
    /// timeout, so that a deadline set after a look is still seen in time
    /// (and at least a millisecond, so that a zero timeout cannot spin).
    pub(crate) fn period(&self) -> Duration {
        self.header.min(self.idle).max(Duration::from_millis(1))
    }
}

impl Activity {
    /// A connection that has just opened: idle, nothing read.
    pub(crate) fn new() -> Self {
        Activity {
            state: Mutex::new(State {
                in_progress: 0,
                head_since: None,
                idle_since: Instant::now(),
                evicted: false,
            }),
            eviction: Notify::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent plain data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Bytes arrived from the client: on an idle connection, a head begins.
    /// Bytes read while a request is in progress (a pipelined head, a request
    /// body) start no clock; the idle clock still bounds them.
    pub(crate) fn bytes_read(&self) {
        let mut state = self.state();
        if state.in_progress == 0 && state.head_since.is_none() {
            state.head_since = Some(Instant::now());
        }
    }

    /// hyper has read a whole head: the request is in progress, and not idle,
    /// until the returned guard is dropped with its answer.
    pub(crate) fn request_read(self: &Arc<Self>) -> InProgress {
        let mut state = self.state();
        state.in_progress += 1;
        state.head_since = None;
        InProgress(Arc::clone(self))
    }

    /// When the connection times out if nothing happens; `None` while a
    /// request is in progress (waiting its latency is not being idle).
    pub(crate) fn deadline(&self, timeouts: Timeouts) -> Option<Instant> {
        let state = self.state();
        if state.in_progress > 0 {
            return None;
        }
        Some(match state.head_since {
            Some(since) => since + timeouts.header,
            None => state.idle_since + timeouts.idle,
        })
    }
}

impl Activity {
    /// Since when the connection has been idle (no request in progress, no
    /// head begun); `None` if it is busy or already chosen to close.
    pub(crate) fn idle_since(&self) -> Option<Instant> {
        let state = self.state();
        (state.is_idle() && !state.evicted).then_some(state.idle_since)
    }

    /// Whether the connection is idle now: no request in progress, no head begun.
    pub(crate) fn is_idle(&self) -> bool {
        self.state().is_idle()
    }

    /// Chooses the connection to close if it is idle, and wakes it; `false`
    /// if it has turned busy or was chosen before.
    pub(crate) fn evict_if_idle(&self) -> bool {
        let mut state = self.state();
        if !state.is_idle() || state.evicted {
            return false;
        }
        state.evicted = true;
        // A stored permit: the connection sees it even if it is not waiting now.
        self.eviction.notify_one();
        true
    }

    /// Whether the connection has been chosen to close.
    #[cfg(test)]
    pub(crate) fn is_evicted(&self) -> bool {
        self.state().evicted
    }

    /// Completes once the connection has been chosen to close.
    pub(crate) async fn evicted(&self) {
        self.eviction.notified().await;
    }
}

impl State {
    fn is_idle(&self) -> bool {
        self.in_progress == 0 && self.head_since.is_none()
    }
}

/// A request in progress on its connection's [`Activity`]; ends when dropped.
#[derive(Debug)]
pub(crate) struct InProgress(Arc<Activity>);

impl Drop for InProgress {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.in_progress -= 1;
        if state.in_progress == 0 {
            state.idle_since = Instant::now();
        }
    }
}

/// An answer's body that keeps its request in progress until hyper drops it,
/// which it does once the body is sent, has failed, or the connection is gone.
pub(crate) struct TrackedBody {
    body: SiteBody,
    _request: InProgress,
}

impl TrackedBody {
    pub(crate) fn new(body: SiteBody, request: InProgress) -> Self {
        TrackedBody {
            body,
            _request: request,
        }
    }
}

impl Body for TrackedBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        // Forwarded exactly: hyper turns it into the Content-Length header.
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUTS: Timeouts = Timeouts {
        header: Duration::from_secs(10),
        idle: Duration::from_secs(60),
    };

    /// Idle until a byte arrives, then reading a head, then no deadline while
    /// a request is in progress, then idle again once its answer is dropped.
    #[test]
    fn deadlines_follow_the_connection() {
        let activity = Arc::new(Activity::new());
        let opened = activity.state().idle_since;
        assert_eq!(activity.deadline(TIMEOUTS), Some(opened + TIMEOUTS.idle));

        activity.bytes_read();
        let head = activity.state().head_since.expect("a head has begun");
        assert_eq!(activity.deadline(TIMEOUTS), Some(head + TIMEOUTS.header));
        activity.bytes_read();
        assert_eq!(
            activity.state().head_since,
            Some(head),
            "the first byte counts"
        );

        let request = activity.request_read();
        assert_eq!(activity.deadline(TIMEOUTS), None);
        activity.bytes_read();
        assert_eq!(activity.deadline(TIMEOUTS), None, "a pipelined byte");

        let next = activity.request_read();
        drop(request);
        assert_eq!(activity.deadline(TIMEOUTS), None, "the next is in progress");
        drop(next);
        let idle = activity.state().idle_since;
        assert!(idle >= opened);
        assert_eq!(activity.deadline(TIMEOUTS), Some(idle + TIMEOUTS.idle));
    }
}
