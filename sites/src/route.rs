//! Request handling: path and query parsing, the simulated latency, and the
//! answer for each route (see the module documentation of `sites` for the table).
//!
//! Parsing is strict (unknown parameters and malformed numbers are a 400): a
//! benchmark that misspells `latency_ms` should fail, not silently run at the
//! default latency.

use concur_shared::timer::{PreciseTimer, Precision};
use std::io;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use std::time::Instant;

use hyper::body::Incoming;
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::watch;

use crate::body::{Break, SiteBody};
use crate::config::{Config, MAX_BODY_BYTES, MAX_LATENCY_MS};
use crate::load::Load;
use crate::phase::{Phase, reached};
use crate::presets::{SITES, Site, site};

/// Default body length of `/fault/status/CODE`.
pub(crate) const STATUS_BODY_BYTES: usize = 16;

/// A parsed route.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    Page,
    Site(&'static Site),
    Status(StatusCode),
    Hang,
    Reset,
    Truncate,
    Stall,
}

/// The query parameters every route accepts.
#[derive(Debug, Default, PartialEq, Eq)]
struct Query {
    latency_ms: Option<u64>,
    size: Option<usize>,
}

/// A request the server refuses, with the status and the one-line reason it sends.
#[derive(Debug, PartialEq, Eq)]
struct Reject {
    status: StatusCode,
    reason: String,
}

impl Reject {
    fn bad_request(reason: String) -> Self {
        Reject {
            status: StatusCode::BAD_REQUEST,
            reason,
        }
    }

    fn not_found(reason: String) -> Self {
        Reject {
            status: StatusCode::NOT_FOUND,
            reason,
        }
    }
}

/// Answers one request, counted in `load` while it is open. `reset` is the
/// connection's flag asking the connection wrapper to close with a TCP reset;
/// `phase` tells `/fault/hang` when to give up.
///
/// The only `Err` is for `/fault/hang` when the server stops: hyper then drops the
/// connection without an answer, which is what a hung server looks like.
pub(crate) async fn handle(
    request: Request<Incoming>,
    config: Arc<Config>,
    load: Arc<Load>,
    reset: Arc<AtomicBool>,
    mut phase: watch::Receiver<Phase>,
) -> Result<Response<SiteBody>, io::Error> {
    if request.uri().path() == "/stats" && request.method() == Method::GET {
        // Not counted and not delayed: asking about a run must not change it.
        return Ok(stats(&config, &load));
    }
    let _open = load.open();
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = text(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("method {} not allowed: use GET", request.method()),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Ok(response);
    }
    let (route, query) = match parse_route(request.uri().path())
        .and_then(|route| Ok((route, parse_query(request.uri().query())?)))
    {
        Ok(parsed) => parsed,
        Err(reject) => return Ok(text(reject.status, reject.reason)),
    };
    let latency_ms = query.latency_ms.unwrap_or(config.latency_ms);
    if route == Route::Stall {
        // On purpose, the one blocking wait in the server: it holds the
        // runtime thread that runs it, as a garbage-collection pause or a
        // blocking call would. With --workers 1, nothing else is served
        // meanwhile: the whole server stalls.
        std::thread::sleep(Duration::from_millis(latency_ms));
    } else if latency_ms > 0 {
        latency(Duration::from_millis(latency_ms)).await;
    }
    let response = match route {
        Route::Page | Route::Stall => page(StatusCode::OK, query.size.unwrap_or(config.body_bytes)),
        Route::Site(site) => page(StatusCode::OK, query.size.unwrap_or(site.bytes)),
        Route::Status(status) => page(status, query.size.unwrap_or(STATUS_BODY_BYTES)),
        Route::Reset | Route::Truncate => {
            let size = query.size.unwrap_or(config.body_bytes);
            if size == 0 {
                return Ok(text(
                    StatusCode::BAD_REQUEST,
                    "size must be at least 1 on /fault/reset and /fault/truncate".to_string(),
                ));
            }
            let ending = if route == Route::Reset {
                // Set now, acted on when hyper drops the failed connection.
                reset.store(true, Ordering::Relaxed);
                Break::Reset
            } else {
                Break::Truncate
            };
            with_content_type(Response::new(SiteBody::broken(size, ending)))
        }
        Route::Hang => {
            // Also completes if the server is gone, which ends the hang as well.
            reached(&mut phase, Phase::Stopping).await;
            return Err(io::Error::other("server stopped during /fault/hang"));
        }
    };
    Ok(response)
}

fn page(status: StatusCode, size: usize) -> Response<SiteBody> {
    let mut response = with_content_type(Response::new(SiteBody::pattern(size)));
    *response.status_mut() = status;
    response
}

/// What `GET /stats` answers: the settings a client needs to know what to
/// expect (the latency of a request without `latency_ms=`, the `/page` size),
/// and the requests served and CPU time spent so far, which a client reads
/// before and after a run to learn the server's share of it.
#[derive(Debug, serde::Serialize)]
struct Stats {
    server: &'static str,
    latency_ms: u64,
    body_bytes: usize,
    requests: u64,
    peak_open: usize,
    connections: u64,
    cpu_ms: concur_shared::process::CpuMs,
}

fn stats(config: &Config, load: &Load) -> Response<SiteBody> {
    let summary = load.summary();
    let stats = Stats {
        server: "concur-sites",
        latency_ms: config.latency_ms,
        body_bytes: config.body_bytes,
        requests: summary.requests,
        peak_open: summary.peak_open,
        connections: summary.connections,
        cpu_ms: concur_shared::process::own_cpu_ms(),
    };
    // Cannot fail: plain numbers and strings.
    let json = serde_json::to_string(&stats).expect("the stats serialize");
    let mut response = Response::new(SiteBody::text(json + "\n"));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn text(status: StatusCode, reason: String) -> Response<SiteBody> {
    let mut response = with_content_type(Response::new(SiteBody::text(reason + "\n")));
    *response.status_mut() = status;
    response
}

fn with_content_type(mut response: Response<SiteBody>) -> Response<SiteBody> {
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

fn parse_route(path: &str) -> Result<Route, Reject> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments[..] {
        ["page"] => Ok(Route::Page),
        ["site", name] => site(name).map(Route::Site).ok_or_else(|| {
            let known: Vec<&str> = SITES.iter().map(|site| site.name).collect();
            Reject::not_found(format!(
                "no site {name:?}; known sites: {}",
                known.join(", ")
            ))
        }),
        ["fault", "status", code] => code
            .parse::<u16>()
            .ok()
            .filter(|code| (200..=599).contains(code))
            .and_then(|code| StatusCode::from_u16(code).ok())
            .map(Route::Status)
            .ok_or_else(|| {
                Reject::bad_request(format!("bad status code {code:?}: expected 200..=599"))
            }),
        ["fault", "hang"] => Ok(Route::Hang),
        ["fault", "reset"] => Ok(Route::Reset),
        ["fault", "truncate"] => Ok(Route::Truncate),
        ["fault", "stall"] => Ok(Route::Stall),
        _ => Err(Reject::not_found(format!(
            "no route {path:?}; routes: /site/NAME, /page, /fault/status/CODE, \
             /fault/hang, /fault/reset, /fault/truncate, /fault/stall, /stats"
        ))),
    }
}

fn parse_query(query: Option<&str>) -> Result<Query, Reject> {
    let mut parsed = Query::default();
    for pair in query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "latency_ms" if parsed.latency_ms.is_none() => {
                parsed.latency_ms = Some(parse_number(key, value, MAX_LATENCY_MS)?);
            }
            "size" if parsed.size.is_none() => {
                // MAX_BODY_BYTES fits in u64 and the parsed value is at most it.
                let size = parse_number(key, value, MAX_BODY_BYTES as u64)?;
                parsed.size = Some(size as usize);
            }
            "latency_ms" | "size" => {
                return Err(Reject::bad_request(format!("{key} given twice")));
            }
            _ => {
                return Err(Reject::bad_request(format!(
                    "unknown query parameter {key:?}: expected latency_ms or size"
                )));
            }
        }
    }
    Ok(parsed)
}

fn parse_number(key: &str, value: &str, max: u64) -> Result<u64, Reject> {
    value
        .parse::<u64>()
        .ok()
        .filter(|number| *number <= max)
        .ok_or_else(|| {
            Reject::bad_request(format!(
                "bad {key}={value:?}: expected a whole number in 0..={max}"
            ))
        })
}

/// Waits the simulated latency on one process-wide [`PreciseTimer`] (see
/// [`concur_shared::timer`] for why not `tokio::time::sleep`).
async fn latency(duration: Duration) {
    static TIMER: OnceLock<Option<PreciseTimer>> = OnceLock::new();
    let deadline = Instant::now() + duration;
    match TIMER.get_or_init(|| PreciseTimer::start(Precision::LIGHT).ok()) {
        Some(timer) => timer.sleep_until(deadline).await,
        // No thread could be started: tokio's coarser timer still waits.
        None => tokio::time::sleep_until(deadline.into()).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every documented route parses, and anything else is a 404.
    #[test]
    fn routes_parse() {
        assert_eq!(parse_route("/page"), Ok(Route::Page));
        assert_eq!(parse_route("/site/dice"), Ok(Route::Site(&SITES[1])));
        assert_eq!(
            parse_route("/fault/status/503"),
            Ok(Route::Status(StatusCode::SERVICE_UNAVAILABLE))
        );
        assert_eq!(parse_route("/fault/hang"), Ok(Route::Hang));
        assert_eq!(parse_route("/fault/stall"), Ok(Route::Stall));
        assert_eq!(parse_route("/fault/reset"), Ok(Route::Reset));
        assert_eq!(parse_route("/fault/truncate"), Ok(Route::Truncate));
        for path in ["/", "/site/nope", "/site", "/page/x", "/fault/status"] {
            let status = parse_route(path).map_err(|reject| reject.status);
            assert_eq!(status, Err(StatusCode::NOT_FOUND), "{path}");
        }
        for path in ["/fault/status/99", "/fault/status/600", "/fault/status/x"] {
            let status = parse_route(path).map_err(|reject| reject.status);
            assert_eq!(status, Err(StatusCode::BAD_REQUEST), "{path}");
        }
    }

    /// Well-formed queries parse; malformed, unknown, repeated or too large ones are refused.
    #[test]
    fn queries_parse_strictly() {
        assert_eq!(parse_query(None), Ok(Query::default()));
        assert_eq!(
            parse_query(Some("latency_ms=0&size=10&")),
            Ok(Query {
                latency_ms: Some(0),
                size: Some(10)
            })
        );
        let too_big = format!("size={}", MAX_BODY_BYTES + 1);
        for query in [
            "latency_ms=",
            "latency_ms=-1",
            "latency_ms=1.5",
            "size=abc",
            "size",
            "latency=5",
            "size=1&size=2",
            too_big.as_str(),
        ] {
            let status = parse_query(Some(query)).map_err(|reject| reject.status);
            assert_eq!(status, Err(StatusCode::BAD_REQUEST), "{query}");
        }
    }
}
