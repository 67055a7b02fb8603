//! `download`: one task per request on one shared client, all started at
//! once, optionally bounded by a semaphore; with `--blocking-ms`, one more
//! task that does not yield ([`crate::blocking`]).

use crate::bare;
use crate::blocking::Blocking;
use crate::options::{HttpClient, HttpVersion, Offload, Options};
use crate::tasks::{drive, join_in_order};
use concur_shared::model::{Outcome, Progress};
use concur_shared::timer::{PreciseTimer, Precision};
use concur_shared::workload::download::{BodyDigest, error_chain};
use concur_shared::workload::rate::Schedule;
use concur_shared::workload::{Answer, DownloadJob, Fetch, Fetched};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;

/// Runs the job's requests (and its blocking task) on `runtime`, which has
/// `threads` executor threads.
pub(crate) fn run(
    job: &DownloadJob,
    options: &Options,
    runtime: &Runtime,
    threads: usize,
    progress: &Progress,
) -> anyhow::Result<Outcome> {
    let in_flight = options
        .max_in_flight
        .map_or(job.urls.len(), |n| (n as usize).min(job.urls.len()));
    let http_client = options.http_client.unwrap_or(HttpClient::Reqwest);
    let connections = options.connections.unwrap_or(1) as usize;
    let http = match http_client {
        HttpClient::Reqwest => Http::Reqwest(
            (0..connections)
                .map(|_| {
                    client(
                        options.max_in_flight.map(|_| in_flight),
                        options.http_version,
                        job,
                    )
                })
                .collect::<anyhow::Result<_>>()?,
        ),
        HttpClient::Bare => Http::Bare {
            timeout: job.timeout,
        },
    };
    let urls: Arc<[String]> = job.urls.clone().into();
    let gauge = Arc::new(InFlight::default());
    let blocking = job.blocking.map(|cpu| Blocking {
        cpu,
        offload: options.offload,
    });
    // The schedule's timer: no spinning, so that at tens of thousands of
    // requests a second it does not take a core from the runtime.
    let timer = job
        .schedule
        .map(|schedule| PreciseTimer::start(Precision::LIGHT).map(|timer| (schedule, timer)))
        .transpose()?;
    let fetched = runtime.block_on(drive(download(
        Arc::new(http),
        urls,
        options.max_in_flight,
        blocking,
        timer,
        Arc::clone(&gauge),
        *progress,
    )))??;
    Ok(Outcome::new(Answer::Download(fetched), threads, in_flight)
        .with_field("max_in_flight", options.max_in_flight)
        .with_field("peak_in_flight", gauge.peak.load(Ordering::Relaxed))
        .with_field("http_client", http_client.name())
        .with_field("http_version", HttpVersion::name(options.http_version))
        .with_field("connections", options.connections)
        .with_field("offload", Offload::name(options.offload)))
}

/// One `reqwest::Client` for the whole job (like one `aiohttp.ClientSession`),
/// with proxies disabled (a `HTTP_PROXY` variable would otherwise capture even
/// 127.0.0.1) and TCP keepalive off: its probes matter for connections idle
/// for minutes, and reqwest's default costs every new socket more
/// `setsockopt` calls, which add up when 10 000 sockets open at once.
///
/// The pool keeps idle connections only when `--max-in-flight` bounds the
/// requests: then a finished request's connection is reused by a waiting one.
/// Unbounded, every request opens its own connection at the start and none is
/// ever reused; keeping them idle would only defer every close to the end of
/// the run, where they queue behind each other. Closing each one as its
/// response completes overlaps the closes with the remaining waits.
///
/// Over HTTP/2 every request is a stream of one connection (reqwest opens
/// one per host and multiplexes), which is kept between requests. With
/// `--connections N` there are N clients, so N connections, and request i
/// goes to client i mod N: one connection is driven by one task on each end,
/// so its framing runs on one core at a time; N spreads it over the runtime's
/// threads ([docs/io.md](../../docs/io.md#one-connection-for-every-request-http2)).
/// Turned down: reqwest's own pool, which opens a second HTTP/2 connection to
/// a host only when the first fails.
fn client(
    reused: Option<usize>,
    version: Option<HttpVersion>,
    job: &DownloadJob,
) -> anyhow::Result<reqwest::Client> {
    let http2 = version == Some(HttpVersion::Http2);
    let builder = reqwest::Client::builder();
    let builder = if http2 {
        builder.http2_prior_knowledge()
    } else {
        builder
    };
    builder
        .no_proxy()
        .pool_max_idle_per_host(if http2 { 1 } else { reused.unwrap_or(0) })
        .tcp_keepalive(None)
        .tcp_keepalive_interval(None)
        .tcp_keepalive_retries(None)
        .timeout(job.timeout)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot build the HTTP client: {}", error_chain(&e)))
}

/// One task per request, all spawned at once; with `max_in_flight`, a
/// semaphore lets only that many hold a connection at a time.
///
/// A semaphore and not a fixed set of N worker tasks: every request still gets
/// its own task (as with `asyncio.gather`), and waiting for a permit costs a
/// parked task, not a thread. Without a bound, 10 000 requests mean 10 000
/// sockets at once, which is the point of the unbounded variant.
///
/// Each task times its request from when it begins it, after its permit, to
/// the body digested: the latency is the request's, not the queue's.
///
/// Under `--rate` (`timer`), this task starts each request's task when it is
/// due: every request already due at once, then a sleep until the next one.
/// A request that waits for a permit past its due time has that wait counted
/// in its latency, which runs from when it was due.
async fn download(
    http: Arc<Http>,
    urls: Arc<[String]>,
    max_in_flight: Option<u32>,
    blocking: Option<Blocking>,
    timer: Option<(Schedule, PreciseTimer)>,
    gauge: Arc<InFlight>,
    progress: Progress,
) -> anyhow::Result<Vec<Fetched>> {
    let permits = max_in_flight.map(|n| Arc::new(Semaphore::new(n as usize)));
    let spawn = |index: usize, due: Option<Instant>| {
        let (http, urls, permits) = (Arc::clone(&http), Arc::clone(&urls), permits.clone());
        let gauge = Arc::clone(&gauge);
        tokio::spawn(async move {
            // The semaphore is never closed, so acquiring cannot fail;
            // if it ever did, running unbounded is the safe fallback.
            let _permit = match &permits {
                Some(permits) => permits.acquire().await.ok(),
                None => None,
            };
            let url = &urls[index];
            gauge.enter();
            let started = Instant::now();
            let fetched = Fetched::since(started, http.get(index, url).await);
            gauge.leave();
            progress.say(fetched.fetch.describe(url));
            match due {
                Some(due) => fetched.since_due(due, started),
                None => fetched,
            }
        })
    };
    let handles: Vec<_> = match &timer {
        None => (0..urls.len()).map(|index| spawn(index, None)).collect(),
        Some((schedule, timer)) => {
            let start = Instant::now();
            let mut handles = Vec::with_capacity(urls.len());
            for index in 0..urls.len() {
                let due = schedule.due(start, index);
                timer.sleep_until(due).await;
                handles.push(spawn(index, Some(due)));
            }
            handles
        }
    };
    let blocking = blocking.map(Blocking::spawn);
    let fetched = join_in_order(handles, "a request task").await?;
    if let Some(blocking) = blocking {
        blocking
            .await
            .map_err(|e| anyhow::anyhow!("the blocking task failed: {e}"))?;
        progress.say("blocking task: done");
    }
    Ok(fetched)
}

/// The client every request task uses.
enum Http {
    /// One client per connection (one unless `--connections`), never empty.
    Reqwest(Vec<reqwest::Client>),
    Bare {
        timeout: std::time::Duration,
    },
}

impl Http {
    /// GETs `url` as the job's request `index`.
    async fn get(&self, index: usize, url: &str) -> Fetch {
        match self {
            Http::Reqwest(clients) => fetch(&clients[index % clients.len()], url).await,
            Http::Bare { timeout } => bare::get(url, *timeout).await,
        }
    }
}

/// GETs `url` with reqwest and reads the whole body.
async fn fetch(client: &reqwest::Client, url: &str) -> Fetch {
    let mut response = match client.get(url).send().await {
        Ok(response) => response,
        Err(error) => {
            return Fetch::Failed {
                reason: error_chain(&error),
            };
        }
    };
    let status = response.status();
    if !status.is_success() {
        return Fetch::Failed {
            reason: format!("HTTP status {status}"),
        };
    }
    // Chunk by chunk as hyper reads them: no body is ever held whole.
    let mut digest = BodyDigest::default();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => digest.update(&chunk),
            Ok(None) => return digest.finish(),
            Err(error) => {
                return Fetch::Failed {
                    reason: format!("reading the body: {}", error_chain(&error)),
                };
            }
        }
    }
}

/// Counts requests in flight and remembers the most at once, so the record
/// shows whether the runtime really kept them all open together.
#[derive(Debug, Default)]
struct InFlight {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl InFlight {
    fn enter(&self) {
        let now = self.now.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    fn leave(&self) {
        self.now.fetch_sub(1, Ordering::Relaxed);
    }
}
