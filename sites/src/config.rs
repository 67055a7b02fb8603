//! How the server runs ([`Config`]), the largest request it agrees to serve,
//! and how long and how many connections it keeps.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

/// Largest body the server agrees to send (`size=`, `--body-bytes`): 64 MiB.
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// Largest latency the server agrees to wait (`latency_ms=`, `--latency-ms`): 10 minutes.
pub const MAX_LATENCY_MS: u64 = 600_000;

/// Default [`Config::header_read_timeout`], in ms: far above what a client on
/// loopback needs to send a head, even with ten thousand connecting at once.
pub const DEFAULT_HEADER_TIMEOUT_MS: u64 = 10_000;

/// Default [`Config::idle_timeout`], in ms: longer than any pause a benchmark's
/// client takes between two requests on one connection.
pub const DEFAULT_IDLE_TIMEOUT_MS: u64 = 60_000;

/// How the server runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where to listen; port 0 picks a free port. Used by
    /// [`SiteServer::spawn`](crate::SiteServer::spawn) (the binary binds with
    /// [`bind`](crate::bind) itself).
    pub addr: SocketAddr,
    /// Latency of a request without `latency_ms=`.
    pub latency_ms: u64,
    /// Body length of `/page` without `size=`.
    pub body_bytes: usize,
    /// Runtime worker threads for [`SiteServer::spawn`](crate::SiteServer::spawn);
    /// `None`: one per core.
    pub workers: Option<usize>,
    /// How long a stopping server waits for requests in flight before dropping them.
    pub shutdown_grace: Duration,
    /// A connection whose request head has begun but not ended this long after
    /// its first byte is closed (a slowloris client).
    pub header_read_timeout: Duration,
    /// A connection with no request in progress and no head begun for this
    /// long is closed. A request waiting its latency is in progress, not idle.
    pub idle_timeout: Duration,
    /// The most connections open at once; past it, accepted connections wait
    /// unanswered until one closes. `None`: the open-files limit when serving
    /// starts minus a margin for the server's own files, at least a few
    /// (see [`default_max_connections`](crate::default_max_connections)).
    pub max_connections: Option<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            latency_ms: 50,
            body_bytes: 1024,
            workers: None,
            shutdown_grace: Duration::from_secs(1),
            header_read_timeout: Duration::from_millis(DEFAULT_HEADER_TIMEOUT_MS),
            idle_timeout: Duration::from_millis(DEFAULT_IDLE_TIMEOUT_MS),
            max_connections: None,
        }
    }
}
