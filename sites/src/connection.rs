//! One connection: hyper's HTTP/1.1 state machine over a [`SiteSocket`], the
//! route handler as its service, and the server's phase deciding when it ends.

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::config::Config;
use crate::load::Load;
use crate::phase::{Phase, reached};
use crate::route;
use crate::socket::SiteSocket;

/// Serves one connection until the client closes it, it fails, or the server stops.
pub(crate) async fn serve_connection(
    stream: TcpStream,
    config: Arc<Config>,
    load: Arc<Load>,
    mut phase: watch::Receiver<Phase>,
) {
    // Nagle off: an answer is a few small writes that must leave at once, not wait
    // for an ACK (delayed ACKs would add up to 40 ms to a request).
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(SiteSocket::new(stream, Arc::clone(&reset)));
    let handler_phase = phase.clone();
    let service = service_fn(move |request| {
        route::handle(
            request,
            Arc::clone(&config),
            Arc::clone(&load),
            Arc::clone(&reset),
            handler_phase.clone(),
        )
    });
    // Keep-alive is hyper's default; said here because the benchmarks rely on it.
    let connection = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    let mut connection = pin!(connection);
    // Connection errors (clients that reset, our own fault routes) are expected
    // and end only this connection, so they are not reported.
    tokio::select! {
        _ = connection.as_mut() => {}
        () = reached(&mut phase, Phase::Stopping) => {
            connection.as_mut().graceful_shutdown();
            tokio::select! {
                _ = connection.as_mut() => {}
                () = reached(&mut phase, Phase::Abandoning) => {}
            }
        }
    }
}
