//! The listening socket and the accept loop: [`bind`] opens the listener,
//! [`serve`] hands every admitted connection to its own task and runs the
//! shutdown (stop accepting, let requests finish, drop what is left).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;

use crate::admission::{Admission, default_max_connections};
use crate::config::Config;
use crate::connection::serve_connection;
use crate::load::Load;
use crate::phase::Phase;

/// Listen backlog: a burst of thousands of simultaneous connects must queue, not
/// be refused (the kernel caps it at `net.core.somaxconn`, 4096 on current Linux).
const LISTEN_BACKLOG: u32 = 4096;

/// Binds a listener on `addr` with a large backlog. Call it from inside a Tokio runtime.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .context("cannot create a TCP socket")?;
    // A restarted server can rebind its port while old connections sit in TIME_WAIT.
    socket
        .set_reuseaddr(true)
        .context("cannot set SO_REUSEADDR")?;
    socket
        .bind(addr)
        .with_context(|| format!("cannot bind {addr}"))?;
    socket
        .listen(LISTEN_BACKLOG)
        .with_context(|| format!("cannot listen on {addr}"))
}

/// Whether a server listening on `addr` can be reached from other machines:
/// anything but a loopback address, including the unspecified `0.0.0.0` and
/// `[::]`, which listen on every interface.
pub fn reachable_from_network(addr: SocketAddr) -> bool {
    !addr.ip().to_canonical().is_loopback()
}

/// Serves HTTP on `listener` until `shutdown` completes, then stops accepting,
/// lets requests in flight finish for up to [`Config::shutdown_grace`], and drops
/// whatever is left. `/fault/hang` requests end at once when shutdown starts.
/// Every request is counted in `load`. At most [`Config::max_connections`]
/// connections are open at once (see [`default_max_connections`] when unset).
///
/// The accept loop runs as a task on a runtime worker, not in the caller's
/// `block_on`: a connection task spawned from a worker starts on that worker,
/// while one spawned from `block_on` goes through the global queue and wakes
/// a worker, and every accept first wakes the `block_on` thread. The loop in
/// `block_on` was turned down for those extra context switches in the server
/// (docs/io.md has the measurements).
pub async fn serve(
    listener: TcpListener,
    config: Config,
    load: Arc<Load>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let accepting = tokio::spawn(accept_loop(listener, config, load, shutdown));
    if let Err(error) = accepting.await
        && error.is_panic()
    {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn accept_loop(
    listener: TcpListener,
    config: Config,
    load: Arc<Load>,
    shutdown: impl Future<Output = ()>,
) {
    let grace = config.shutdown_grace;
    let mut admission = Admission::new(
        config
            .max_connections
            .unwrap_or_else(default_max_connections),
    );
    let config = Arc::new(config);
    // Connections are detached tasks that each hold a receiver of the phase, and
    // the server knows they are all gone when the last receiver is dropped. A
    // JoinSet was turned down: reaping it wakes the accept loop once per closed
    // connection, a cross-thread wake-up per request that the phase channel avoids.
    let (phase_tx, phase_rx) = watch::channel(Phase::Serving);
    let mut shutdown = pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            (stream, slot) = admission.admit(&listener) => {
                load.accepted();
                tokio::spawn(serve_connection(
                    stream,
                    slot,
                    Arc::clone(&config),
                    Arc::clone(&load),
                    phase_rx.clone(),
                ));
            }
        }
    }
    drop(listener);
    drop(phase_rx);
    phase_tx.send_replace(Phase::Stopping);
    if tokio::time::timeout(grace, phase_tx.closed())
        .await
        .is_err()
    {
        phase_tx.send_replace(Phase::Abandoning);
        // The connections drop themselves as soon as they run; give them a moment,
        // so that their sockets are closed when `serve` returns.
        let _ = tokio::time::timeout(Duration::from_millis(100), phase_tx.closed()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only loopback addresses, IPv4-mapped ones included, stay off the network.
    #[test]
    fn only_loopback_is_unreachable_from_the_network() {
        for (addr, reachable) in [
            ("127.0.0.1:0", false),
            ("127.0.0.2:8080", false),
            ("[::1]:0", false),
            ("[::ffff:127.0.0.1]:0", false),
            ("0.0.0.0:0", true),
            ("[::]:0", true),
            ("192.168.1.10:80", true),
        ] {
            let addr: SocketAddr = addr.parse().expect("a valid address");
            assert_eq!(reachable_from_network(addr), reachable, "{addr}");
        }
    }
}
