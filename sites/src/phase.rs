//! Where the server is in its life, broadcast to every connection.
//!
//! A `watch` channel and not a cancellation token per connection: one value
//! reaches every connection, and the server learns that the last connection is
//! gone when the last receiver is dropped (see `listener`).

use tokio::sync::watch;

/// Where the server is in its life; every connection watches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    Serving,
    /// No new connections; requests in flight may finish, `/fault/hang` ends now.
    Stopping,
    /// The grace period is over: every connection drops at once.
    Abandoning,
}

/// Completes when the server reaches `target` (or is gone).
pub(crate) async fn reached(phase: &mut watch::Receiver<Phase>, target: Phase) {
    // The guard `wait_for` returns must not live across an await: it is a lock.
    let _ = phase.wait_for(|phase| *phase >= target).await;
}
