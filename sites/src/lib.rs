//! The site server: a local HTTP/1.1 server that stands in for the web pages the
//! seed documents downloaded, so I/O benchmarks run on loopback, hermetically.
//!
//! It is hyper on a multi-thread Tokio runtime because it must never be the
//! bottleneck: a benchmark with ten thousand requests in flight, each waiting its
//! simulated latency, must measure the client. A thread per connection was turned
//! down (10 000 sleeping threads cost more than the clients being measured); a
//! waiting request here is a timer entry and a parked task.
//!
//! # Routes (GET or HEAD)
//!
//! | route | answer |
//! |---|---|
//! | `/site/NAME` | 200, a page of the preset's size (see [`SITES`]); unknown `NAME` -> 404 |
//! | `/page` | 200, a page of [`Config::body_bytes`] bytes (`--body-bytes`, default 1024) |
//! | `/fault/status/CODE` | status `CODE` (200..=599), a page of 16 bytes |
//! | `/fault/hang` | never answers; the connection is held until the client gives up or the server stops |
//! | `/fault/reset` | headers with `Content-Length: N`, the first N/2 bytes, then a TCP reset (RST) |
//! | `/fault/truncate` | headers with `Content-Length: N`, the first N/2 bytes, then a normal close (FIN) |
//!
//! Every route takes the query parameters `latency_ms=N` (wait N ms before
//! answering, overriding [`Config::latency_ms`]; 0 allowed, at most
//! [`MAX_LATENCY_MS`]) and `size=N` (the body length in bytes, at most
//! [`MAX_BODY_BYTES`]; on `/fault/reset` and `/fault/truncate` N is the announced
//! length, default `body_bytes`, at least 1; `/fault/hang` ignores both). A malformed, repeated or unknown parameter is a 400
//! with a one-line text reason. Latency is kept to a fraction of a millisecond by
//! [`concur_shared::timer`] (which says why not `tokio::time::sleep`).
//!
//! # Bodies
//!
//! A body of N bytes is a function of N alone: byte `i` is
//! `BODY_ALPHABET[i % 36]` with `BODY_ALPHABET = b"abcdefghijklmnopqrstuvwxyz0123456789"`,
//! i.e. `abcdefghijklmnopqrstuvwxyz0123456789abcd...`; a shorter body is a prefix of
//! a longer one, so a client predicts every body (and its checksum) from sizes
//! alone, with [`page_body`]. Every answer carries `Content-Length`. Only refusals
//! (400, 404, 405) have a text body instead, the reason followed by a newline.
//!
//! # Connections
//!
//! HTTP/1.1 with keep-alive. When a client closes its connection, the server
//! releases it with RST rather than FIN (see `SiteSocket` below for why and why
//! nothing is lost).
//!
//! # Using it
//!
//! The `concur-sites` binary prints `listening on http://ADDR` and serves until
//! SIGINT or SIGTERM; on the way out it prints its [`Load`] on stderr (requests
//! served, the most open at once). Tests and other crates start it in-process instead:
//!
//! ```
//! use concur_sites::{self as sites, SiteServer};
//!
//! let server = SiteServer::spawn(sites::Config { latency_ms: 0, ..Default::default() })?;
//! let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).build().into();
//! let body = agent.get(server.url("/site/dice")).call()?.body_mut().read_to_vec()?;
//! assert_eq!(body, sites::page_body(276));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod body;
mod route;

use std::fmt;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{oneshot, watch};

pub use body::{BODY_ALPHABET, page_body};

/// One simulated site of the seed documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    /// The name in `/site/NAME`.
    pub name: &'static str,
    /// The body length the server sends for it.
    pub bytes: usize,
    /// The URL the seed document fetched, which this site stands in for.
    pub origin: &'static str,
}

impl Site {
    /// The path that serves this site: `/site/NAME`.
    pub fn path(&self) -> String {
        format!("/site/{}", self.name)
    }
}

/// The simulated sites. `jython` and `dice` have the sizes seed 000 printed
/// (`Read 10966 from https://www.jython.org`, `Read 276 from .../dice`); seed 002
/// printed no sizes, so its four home pages have invented, plausible sizes,
/// all different, in the 5-60 KB range.
pub const SITES: &[Site] = &[
    Site {
        name: "jython",
        bytes: 10_966,
        origin: "https://www.jython.org",
    },
    Site {
        name: "dice",
        bytes: 276,
        origin: "http://olympus.realpython.org/dice",
    },
    Site {
        name: "naver",
        bytes: 31_458,
        origin: "http://www.naver.com",
    },
    Site {
        name: "google",
        bytes: 50_712,
        origin: "https://www.google.com",
    },
    Site {
        name: "apple",
        bytes: 57_356,
        origin: "https://www.apple.com",
    },
    Site {
        name: "bing",
        bytes: 12_841,
        origin: "http://www.bing.com/",
    },
];

/// The preset called `name`, if there is one.
pub fn site(name: &str) -> Option<&'static Site> {
    SITES.iter().find(|site| site.name == name)
}

/// Largest body the server agrees to send (`size=`, `--body-bytes`): 64 MiB.
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// Largest latency the server agrees to wait (`latency_ms=`, `--latency-ms`): 10 minutes.
pub const MAX_LATENCY_MS: u64 = 600_000;

/// Listen backlog: a burst of thousands of simultaneous connects must queue, not
/// be refused (the kernel caps it at `net.core.somaxconn`, 4096 on current Linux).
const LISTEN_BACKLOG: u32 = 4096;

/// How the server runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where to listen; port 0 picks a free port. Used by [`SiteServer::spawn`]
    /// (the binary binds with [`bind`] itself).
    pub addr: SocketAddr,
    /// Latency of a request without `latency_ms=`.
    pub latency_ms: u64,
    /// Body length of `/page` without `size=`.
    pub body_bytes: usize,
    /// Runtime worker threads for [`SiteServer::spawn`]; `None`: one per core.
    pub workers: Option<usize>,
    /// How long a stopping server waits for requests in flight before dropping them.
    pub shutdown_grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            latency_ms: 50,
            body_bytes: 1024,
            workers: None,
            shutdown_grace: Duration::from_secs(1),
        }
    }
}

/// The routes, presets and body format as plain text, for `--help`; built from
/// [`SITES`] so it cannot drift from what the server does.
pub fn routes_help() -> String {
    let presets: Vec<String> = SITES
        .iter()
        .map(|site| {
            format!(
                "  /site/{:<8} {:>6} bytes  (stands in for {})",
                site.name, site.bytes, site.origin
            )
        })
        .collect();
    format!(
        "Routes (GET or HEAD):\n\
         {presets}\n  \
         /page                 --body-bytes bytes\n  \
         /fault/status/CODE    answers status CODE (200..=599) with 16 bytes\n  \
         /fault/hang           never answers; holds the connection until the client gives up\n  \
         /fault/reset          Content-Length N, sends N/2 bytes, then resets the connection (RST)\n  \
         /fault/truncate       Content-Length N, sends N/2 bytes, then closes the connection (FIN)\n\
         \n\
         Query parameters (every route):\n  \
         latency_ms=N   wait N ms before answering (0..={MAX_LATENCY_MS}; default --latency-ms)\n  \
         size=N         body length in bytes (0..={MAX_BODY_BYTES}); on /fault/reset and /fault/truncate\n                 \
         the announced length N (default --body-bytes, at least 1)\n\
         Malformed, repeated or unknown parameters get a 400; unknown routes and sites a 404.\n\
         \n\
         Bodies: byte i of a body of N bytes is \"abcdefghijklmnopqrstuvwxyz0123456789\"[i % 36],\n\
         so every body depends on its length alone. Every answer has a Content-Length.\n\
         \n\
         Connections: HTTP/1.1 keep-alive. A connection the client has closed is released\n\
         with RST instead of FIN, so clients opening thousands of connections are not\n\
         left with a TIME_WAIT socket for each.",
        presets = presets.join("\n"),
    )
}

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
}

/// A snapshot of [`Load`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadSummary {
    /// Requests read, answered or not.
    pub requests: u64,
    /// The most requests open at once.
    pub peak_open: usize,
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

    /// The requests read so far and the most that were open at once.
    pub fn summary(&self) -> LoadSummary {
        LoadSummary {
            requests: self.requests.load(Ordering::Relaxed),
            peak_open: self.peak_open.load(Ordering::Relaxed),
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

/// Where the server is in its life; every connection watches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    Serving,
    /// No new connections; requests in flight may finish, `/fault/hang` ends now.
    Stopping,
    /// The grace period is over: every connection drops at once.
    Abandoning,
}

/// Serves HTTP on `listener` until `shutdown` completes, then stops accepting,
/// lets requests in flight finish for up to [`Config::shutdown_grace`], and drops
/// whatever is left. `/fault/hang` requests end at once when shutdown starts.
/// Every request is counted in `load`.
///
/// The accept loop runs as a task on a runtime worker, not in the caller's
/// `block_on`: a connection task spawned from a worker starts on that worker,
/// while one spawned from `block_on` goes through the global queue and wakes
/// a worker, and every accept first wakes the `block_on` thread. Measured,
/// eight series of 40 runs of 160 requests at 50 ms: 137-162 context
/// switches per run in the server against 230-340 with the loop in
/// `block_on`; the client's work time moved within noise.
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
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    tokio::spawn(serve_connection(
                        stream,
                        Arc::clone(&config),
                        Arc::clone(&load),
                        phase_rx.clone(),
                    ));
                }
                Err(error) => {
                    // Typically EMFILE: back off instead of spinning on a full fd table.
                    eprintln!("concur-sites: accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
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

/// Serves one connection until the client closes it, it fails, or the server stops.
async fn serve_connection(
    stream: TcpStream,
    config: Arc<Config>,
    load: Arc<Load>,
    mut phase: watch::Receiver<Phase>,
) {
    // Nagle off: an answer is a few small writes that must leave at once, not wait
    // for an ACK (delayed ACKs would add up to 40 ms to a request).
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(SiteSocket {
        stream,
        reset: Arc::clone(&reset),
        peer_closed: false,
    });
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

/// Completes when the server reaches `target` (or is gone).
async fn reached(phase: &mut watch::Receiver<Phase>, target: Phase) {
    // The guard `wait_for` returns must not live across an await: it is a lock.
    let _ = phase.wait_for(|phase| *phase >= target).await;
}

/// A connection's socket, closed with RST instead of FIN (`SO_LINGER` 0) in two
/// cases: the connection was marked for a reset (`/fault/reset`), or the client
/// had already closed its end when hyper shuts the connection down.
///
/// The second case is what every benchmark connection ends in: the client reads
/// its page and closes, hyper reads EOF and shuts down. A FIN there costs a
/// round of ACKs and a TIME_WAIT socket on the client's side (60 s in the
/// kernel's tables, 10 000 of them after a 10 000-request run) for a peer that
/// has hung up; RST releases both sockets at once. Measured: ~10% less server
/// CPU per request. Nothing is lost: the client has closed, and hyper (without
/// `half_close`) already drops a connection whose client half-closes, so no
/// client here is still reading when the RST arrives.
struct SiteSocket {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
    /// A read returned EOF: the client closed (or half-closed) its end.
    peer_closed: bool,
}

impl Drop for SiteSocket {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed) {
            // Failing leaves a normal close: a cut body is still cut, and an
            // ended connection still ends.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for SiteSocket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(())))
            && buf.filled().len() == before
            && buf.remaining() > 0
        {
            self.peer_closed = true;
        }
        polled
    }
}

impl AsyncWrite for SiteSocket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.peer_closed {
            self.reset.store(true, Ordering::Relaxed);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }
}

/// A site server running on its own thread with its own Tokio runtime, so that
/// blocking clients (ureq, plain threads) and async tests alike can use it.
/// Stops when [`SiteServer::stop`] is called or when dropped.
#[derive(Debug)]
pub struct SiteServer {
    addr: SocketAddr,
    load: Arc<Load>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl SiteServer {
    /// Binds `config.addr` and starts serving on a new thread. Also raises this
    /// process's open files limit (best effort), as the benchmark clients do.
    pub fn spawn(config: Config) -> Result<SiteServer> {
        if config.workers == Some(0) {
            bail!("the site server needs at least one worker thread");
        }
        let _ = concur_shared::process::raise_open_files_limit();
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        if let Some(workers) = config.workers {
            builder.worker_threads(workers);
        }
        let runtime = builder
            .thread_name("concur-sites-worker")
            .enable_all()
            .build()
            .context("cannot start the site server's Tokio runtime")?;
        let listener = runtime.block_on(bind(config.addr))?;
        let addr = listener
            .local_addr()
            .context("cannot read the site server's address")?;
        let (stop, stopped) = oneshot::channel::<()>();
        let load = Arc::new(Load::default());
        let served = Arc::clone(&load);
        let thread = thread::Builder::new()
            .name("concur-sites".to_string())
            .spawn(move || {
                // A dropped sender (the handle is gone) also means stop.
                runtime.block_on(serve(listener, config, served, async {
                    let _ = stopped.await;
                }));
            })
            .context("cannot start the site server thread")?;
        Ok(SiteServer {
            addr,
            load,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The requests served so far and the most that were open at once.
    pub fn load(&self) -> LoadSummary {
        self.load.summary()
    }

    /// `http://ADDR`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The full URL of `path` (which starts with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the server and waits for its thread (at most about `shutdown_grace`).
    pub fn stop(mut self) -> Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            // Err: the server thread is already gone, which is what we want.
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| anyhow::anyhow!("the site server thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for SiteServer {
    fn drop(&mut self) {
        // A panic on the server thread is reported by `stop`; a drop cannot report it.
        let _ = self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Preset names are unique and resolve; sizes match the seed documents.
    #[test]
    fn presets_resolve() {
        for preset in SITES {
            assert_eq!(site(preset.name), Some(preset));
            assert_eq!(preset.path(), format!("/site/{}", preset.name));
        }
        assert_eq!(site("jython").map(|s| s.bytes), Some(10_966));
        assert_eq!(site("dice").map(|s| s.bytes), Some(276));
        assert_eq!(site("nope"), None);
    }
}
