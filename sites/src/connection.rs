//! One connection: hyper's HTTP/1.1 or HTTP/2 state machine (chosen by the
//! client's first bytes: HTTP/2 with prior knowledge opens with its preface)
//! over a [`SiteSocket`], the route handler as its service, a clock for the header-read and idle
//! timeouts, and the server's phase and the connection cap deciding when it
//! ends.
//!
//! The clock is one timer per connection that wakes every [`Timeouts::period`]
//! and then sleeps until the nearer of the next look and the connection's
//! deadline. Resetting a timer at every request (head begun, request read,
//! answer sent) was turned down: it would put timer work on every request of
//! the benchmarks, while a look every few seconds costs nothing per request.

use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{Instant, Sleep};

use crate::activity::{Activity, Timeouts, TrackedBody};
use crate::config::Config;
use crate::load::Load;
use crate::open::Slot;
use crate::phase::{Phase, reached};
use crate::route;
use crate::socket::SiteSocket;

/// Streams one HTTP/2 connection may carry at once: past the 10 000 requests
/// in flight of the benchmarks.
const MAX_STREAMS: u32 = 1_000_000;

/// HTTP/1.1 and HTTP/2, told apart by the connection's first bytes.
fn http_builder() -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Keep-alive is hyper's default; said here because the benchmarks rely on it.
    builder.http1().keep_alive(true);
    // No stream limit of the server's own (hyper's default is 200): the client
    // decides how many requests it multiplexes, as it decides how many
    // connections it opens over HTTP/1.1.
    builder.http2().max_concurrent_streams(MAX_STREAMS);
    builder
}

/// Serves one connection until the client closes it, it fails, it times out,
/// it is chosen to close at the connection cap, or the server stops. `slot` is
/// its place under the cap, given back when the connection ends.
pub(crate) async fn serve_connection(
    stream: TcpStream,
    slot: Slot,
    config: Arc<Config>,
    load: Arc<Load>,
    mut phase: watch::Receiver<Phase>,
) {
    // Nagle off: an answer is a few small writes that must leave at once, not wait
    // for an ACK (delayed ACKs would add up to 40 ms to a request).
    let _ = stream.set_nodelay(true);
    let timeouts = Timeouts {
        header: config.header_read_timeout,
        idle: config.idle_timeout,
    };
    let reset = Arc::new(AtomicBool::new(false));
    let activity = Arc::clone(slot.activity());
    let io = TokioIo::new(SiteSocket::new(
        stream,
        Arc::clone(&reset),
        Arc::clone(&activity),
    ));
    let handler_phase = phase.clone();
    let handler_activity = Arc::clone(&activity);
    let service = service_fn(move |request| {
        // hyper calls this as soon as it has read the whole head.
        let in_progress = handler_activity.request_read();
        let answer = route::handle(
            request,
            Arc::clone(&config),
            Arc::clone(&load),
            Arc::clone(&reset),
            handler_phase.clone(),
        );
        async move {
            let response = answer.await?;
            Ok::<_, std::io::Error>(response.map(|body| TrackedBody::new(body, in_progress)))
        }
    });
    let builder = http_builder();
    let connection = builder.serve_connection(io, service);
    let mut connection = pin!(connection);
    // Dropped before the connection: leaves `open` (which peeks it) before the socket closes.
    let _slot = slot;
    let mut clock = pin!(tokio::time::sleep(timeouts.period()));
    // Connection errors (clients that reset, our own fault routes) and
    // timeouts are expected and end only this connection, so they are not
    // reported; dropping the connection closes it.
    let mut awaited = Phase::Stopping;
    let mut evicted = false;
    loop {
        tokio::select! {
            // The connection first: a head that has arrived is read before an
            // eviction is looked at, so the eviction sees the request.
            biased;
            _ = connection.as_mut() => return,
            () = clock.as_mut() => {
                if !rearm(clock.as_mut(), &activity, timeouts) {
                    return;
                }
            }
            // Chosen while idle; a request that arrived since is finished first.
            () = activity.evicted(), if !evicted => {
                if activity.is_idle() {
                    return;
                }
                evicted = true;
                connection.as_mut().graceful_shutdown();
            }
            () = reached(&mut phase, awaited) => {
                if awaited == Phase::Abandoning {
                    return;
                }
                awaited = Phase::Abandoning;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Sets the clock to the nearer of the next look and the connection's
/// deadline; `false` if the deadline has passed.
fn rearm(clock: Pin<&mut Sleep>, activity: &Activity, timeouts: Timeouts) -> bool {
    let now = Instant::now();
    let next_look = now + timeouts.period();
    match activity.deadline(timeouts) {
        Some(deadline) if deadline <= now => false,
        Some(deadline) => {
            clock.reset(deadline.min(next_look));
            true
        }
        None => {
            clock.reset(next_look);
            true
        }
    }
}
