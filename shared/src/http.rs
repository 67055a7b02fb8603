//! The blocking HTTP client of the `seq`, `threads` and `procs` models: one
//! `ureq` agent, configured once here so the three models fetch identically.
//!
//! Proxies are disabled (a `HTTP_PROXY` variable would otherwise route even
//! 127.0.0.1 through a proxy), the connection pool is sized to the number of
//! workers sharing the agent (ureq keeps 3 idle connections per host by
//! default, so more workers than that would keep re-connecting), and non-2xx
//! statuses come back as responses so they can be reported as such.

use crate::process::CpuMs;
use crate::workload::DownloadJob;
use crate::workload::download::{BodyDigest, Fetch, Fetched, error_chain};
use anyhow::Context as _;
use std::io::Read;
use std::time::{Duration, Instant};
use ureq::Agent;
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout, time};

/// What a concur-sites says of itself at `GET /stats` that a run needs.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
pub struct SiteStats {
    pub requests: u64,
    pub cpu_ms: CpuMs,
}

/// Reads `GET {origin}/stats` (within 5 s): the requests a concur-sites has
/// served and the CPU time it has spent so far.
pub fn site_stats(origin: &str) -> anyhow::Result<SiteStats> {
    let url = format!("{origin}/stats");
    let agent = agent(1, Duration::from_secs(5));
    let read = || -> anyhow::Result<SiteStats> {
        let mut response = agent.get(&url).call()?;
        anyhow::ensure!(response.status() == 200, "status {}", response.status());
        Ok(serde_json::from_reader(response.body_mut().as_reader())?)
    };
    read().with_context(|| format!("cannot read {url} (is the server a concur-sites?)"))
}

/// The read buffer of a body; pages arrive in chunks of at most this.
const READ_BUFFER_BYTES: usize = 16 * 1024;

/// Each connection's input and output buffers. ureq's default is 128 KiB each,
/// zero-filled when the connection opens (`LazyBuffers` in ureq 3.5's
/// `unversioned/transport/buf.rs`): 256 KiB of resident memory per connection,
/// where hyper under reqwest starts its read buffer at 8 KiB and grows it. At
/// 16 KiB each, the two take an eighth of that; a threads worker's allocator
/// pages fell from 327 to 100 KiB
/// ([docs/io.md](../../docs/io.md#where-the-memory-of-a-request-goes)). The
/// input buffer still grows for a response head that needs more.
const CONNECTION_BUFFER_BYTES: usize = 16 * 1024;

/// An agent for `connections` concurrent users with a per-request timeout.
pub fn agent(connections: usize, timeout: Duration) -> Agent {
    let config = Agent::config_builder()
        .input_buffer_size(CONNECTION_BUFFER_BYTES)
        .output_buffer_size(CONNECTION_BUFFER_BYTES)
        .proxy(None)
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .max_idle_connections(connections.max(1))
        .max_idle_connections_per_host(connections.max(1))
        .build();
    Agent::with_parts(config, DefaultConnector::default(), SameThreadResolver)
}

/// Resolves a request's host on the calling thread. ureq's default resolver
/// starts a thread for every lookup whenever a timeout is set (so that it can
/// abandon a slow DNS answer; `resolve_async` in ureq 3's
/// `unversioned/resolver.rs`): with a global timeout that is one extra thread
/// per request, which a thread-per-request model would pay beside its own
/// and which fails outright when the system refuses a thread. The pages come
/// from addresses, not names that need DNS, so nothing is lost by not racing
/// the lookup against the timeout.
#[derive(Debug)]
struct SameThreadResolver;

impl Resolver for SameThreadResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let no_deadline = NextTimeout {
            after: time::Duration::NotHappening,
            ..timeout
        };
        DefaultResolver::default().resolve(uri, config, no_deadline)
    }
}

/// [`fetch`] of request `index` of `job`: under `--rate`, first waits until
/// it is due (request 0 being due at `start`; at once if it is overdue), and
/// its latency then counts from when it was due.
pub fn fetch_scheduled(agent: &Agent, job: &DownloadJob, start: Instant, index: usize) -> Fetched {
    let url = &job.urls[index];
    let Some(schedule) = job.schedule else {
        return fetch(agent, url);
    };
    let due = schedule.due(start, index);
    crate::clock::sleep_until(due);
    let sent = Instant::now();
    fetch(agent, url).since_due(due, sent)
}

/// GETs `url` and reads the whole body, timed from the call to the body's
/// last byte digested (or the failure): the request's latency, measured the
/// same way for the three blocking models.
pub fn fetch(agent: &Agent, url: &str) -> Fetched {
    let started = Instant::now();
    Fetched::since(started, get(agent, url))
}

fn get(agent: &Agent, url: &str) -> Fetch {
    let mut response = match agent.get(url).call() {
        Ok(response) => response,
        Err(error) => return failed(&error),
    };
    let status = response.status();
    if !status.is_success() {
        return Fetch::Failed {
            reason: format!("HTTP status {status}"),
        };
    }
    // Read through a fixed buffer and digested as it arrives: no body is
    // ever held whole, so a thousand workers hold a thousand buffers, not
    // a thousand pages.
    let mut reader = response.body_mut().as_reader();
    let mut buffer = [0u8; READ_BUFFER_BYTES];
    let mut digest = BodyDigest::default();
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return digest.finish(),
            Ok(n) => digest.update(&buffer[..n]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => {
                return Fetch::Failed {
                    reason: format!("reading the body: {}", io_error_reason(&error)),
                };
            }
        }
    }
}

fn failed(error: &ureq::Error) -> Fetch {
    Fetch::Failed {
        reason: reason(error),
    }
}

/// ureq says "timeout: global" for the per-request timeout; name it plainly.
fn reason(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => "timed out (--timeout-ms)".to_owned(),
        other => error_chain(other),
    }
}

/// The body reader wraps ureq's errors in `io::Error`; unwrap them so a
/// body that times out reads the same as a request that does.
fn io_error_reason(error: &std::io::Error) -> String {
    match error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ureq::Error>())
    {
        Some(error) => reason(error),
        None => error_chain(error),
    }
}
