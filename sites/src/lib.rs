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
//! | `/fault/stall` | blocks the runtime thread serving it for the latency, then answers like `/page`: with one worker thread, the whole server stalls |
//! | `/stats` (GET) | JSON, at once and not counted: `latency_ms`, `body_bytes`, `requests`, `peak_open`, `connections` (accepted), `cpu_ms` {`user`, `sys`} |
//!
//! `/stats` lets a client that did not start the server learn what latency
//! and page size to expect, and, read before and after a run, the requests and
//! the server CPU time the run cost. Every other route takes the query parameters `latency_ms=N` (wait N ms before
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
//! releases it with RST rather than FIN (the `socket` module says why, and why
//! nothing is lost).
//!
//! A connection is closed when a request head has begun but not ended within
//! [`Config::header_read_timeout`] (a slowloris client), or when it has had no
//! request in progress for [`Config::idle_timeout`]; a request waiting its
//! latency is in progress. At most [`Config::max_connections`] are open at
//! once, so the server never runs out of file descriptors for the connections
//! it has: at the cap, the connection idle longest is closed for a new one, and
//! only while every open connection has a request in progress does a new one
//! wait, unanswered, until one ends.
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
//!
//! # Layout
//!
//! - `presets`: the simulated sites ([`SITES`], [`site`]).
//! - `config`: [`Config`] and the largest request served.
//! - `help`: [`routes_help`], the routes as `--help` text.
//! - `route`: parsing a request and answering it, latency included.
//! - `body`: the page pattern ([`page_body`]) and the broken bodies of the faults.
//! - `load`: [`Load`], the requests read and the most open at once.
//! - `phase`: where the server is in its life, watched by every connection.
//! - `activity`: what a connection is doing, for its header-read and idle timeouts.
//! - `socket`: a connection's socket, closed with RST once the client has gone.
//! - `connection`: one connection, served by hyper until it ends or times out.
//! - `open`: the connections open under the cap, and which has been idle longest.
//! - `admission`: the cap on open connections and the pause after accept errors.
//! - `listener`: [`bind`], and [`serve`] with its accept loop and shutdown.
//! - `server`: [`SiteServer`], all of the above on a thread of its own.

mod activity;
mod admission;
mod body;
mod config;
mod connection;
mod help;
mod listener;
mod load;
mod open;
mod phase;
mod presets;
mod route;
mod server;
mod socket;

pub use admission::default_max_connections;
pub use body::{BODY_ALPHABET, page_body};
pub use config::{
    Config, DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, MAX_BODY_BYTES, MAX_LATENCY_MS,
};
pub use help::routes_help;
pub use listener::{bind, reachable_from_network, serve};
pub use load::{Load, LoadSummary};
pub use presets::{SITES, Site, site};
pub use server::SiteServer;
