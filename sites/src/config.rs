//! How the server runs ([`Config`]) and the largest request it agrees to serve.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

/// Largest body the server agrees to send (`size=`, `--body-bytes`): 64 MiB.
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// Largest latency the server agrees to wait (`latency_ms=`, `--latency-ms`): 10 minutes.
pub const MAX_LATENCY_MS: u64 = 600_000;

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
