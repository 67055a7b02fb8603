//! The blocking HTTP client of the `seq`, `threads` and `procs` models: one
//! `ureq` agent, configured once here so the three models fetch identically.
//!
//! Proxies are disabled (a `HTTP_PROXY` variable would otherwise route even
//! 127.0.0.1 through a proxy), the connection pool is sized to the number of
//! workers sharing the agent (ureq keeps 3 idle connections per host by
//! default, so more workers than that would keep re-connecting), and non-2xx
//! statuses come back as responses so they can be reported as such.

use crate::workload::download::{Fetch, error_chain};
use std::time::Duration;
use ureq::Agent;

/// Bodies larger than this are an error rather than a memory exhaustion; far
/// above any simulated page.
const MAX_BODY_BYTES: u64 = 1 << 30;

/// An agent for `connections` concurrent users with a per-request timeout.
pub fn agent(connections: usize, timeout: Duration) -> Agent {
    Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .max_idle_connections(connections.max(1))
        .max_idle_connections_per_host(connections.max(1))
        .build()
        .into()
}

/// GETs `url` and reads the whole body.
pub fn fetch(agent: &Agent, url: &str) -> Fetch {
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
    match response
        .body_mut()
        .with_config()
        .limit(MAX_BODY_BYTES)
        .read_to_vec()
    {
        Ok(body) => Fetch::of_body(&body),
        Err(error) => match failed(&error) {
            Fetch::Failed { reason } => Fetch::Failed {
                reason: format!("reading the body: {reason}"),
            },
            body => body,
        },
    }
}

/// ureq says "timeout: global" for the per-request timeout; name it plainly.
fn failed(error: &ureq::Error) -> Fetch {
    let reason = match error {
        ureq::Error::Timeout(_) => "timed out (--timeout-ms)".to_owned(),
        other => error_chain(other),
    };
    Fetch::Failed { reason }
}
