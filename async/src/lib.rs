//! concur-async: tokio tasks on a current-thread or a multi-thread runtime.
//!
//! The lesson of the CPU workloads: an async task that computes never reaches
//! an `.await`, so it keeps its executor thread until it is done. On a
//! current-thread runtime that means the tasks run one after another, exactly
//! like CPU work under Python's asyncio; on a multi-thread runtime they run in
//! parallel only because there are several executor threads. Moving the work to
//! `spawn_blocking` would hand it to tokio's separate blocking-thread pool, so
//! it would run in parallel even from a current-thread runtime, but that is the
//! threads model with extra steps, not async.
//!
//! For `convert`, `--workers N` means N concurrent callers, as in `threads`
//! and `procs` (so `--workers 8` is the same load in every model): N caller
//! tasks share one converter ([`cache`]). They need no thread each: the
//! multi-thread runtime gets one executor thread per core (at most one per
//! caller), the current-thread runtime one. Lookups wait on
//! `concur_shared::timer`, not on tokio's millisecond timer.

pub mod bare;
pub mod cache;
mod start;

use cache::AsyncConverter;
use clap::ValueEnum;
use concur_shared::error::UsageError;
use concur_shared::model::Outcome;
use concur_shared::model::{Model, ModelOptions, Progress, WorkersArg, available_cores};
use concur_shared::workload::Answer;
use concur_shared::workload::convert::cost::CostKind;
use concur_shared::workload::convert::{ConvertAnswer, ConvertJob, Served};
use concur_shared::workload::download::{BodyDigest, error_chain};
use concur_shared::workload::{CpuTask, DownloadJob, Fetch, Job};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

pub const MODEL: Model = Model {
    name: "async",
    about: "tokio tasks: cooperative scheduling on a current-thread runtime (like Python's \
            asyncio) or a multi-thread runtime with --workers executor threads.",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Runtime {
    /// one executor thread: tasks interleave only at `.await` points
    CurrentThread,
    /// --workers executor threads with work stealing
    MultiThread,
}

/// Options of the async model.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Model options")]
pub struct Options {
    /// Executor threads of the multi-thread runtime [default: the available cores]
    #[command(flatten)]
    pub workers: WorkersArg,
    /// Which tokio runtime drives the tasks
    #[arg(long, value_enum, default_value_t = Runtime::MultiThread)]
    pub runtime: Runtime,
    /// download: at most N requests in flight at once [default: no limit,
    /// like asyncio.gather]
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_in_flight: Option<u32>,
    /// download: the HTTP client the tasks use [default: reqwest]
    #[arg(long, value_enum, value_name = "CLIENT")]
    pub http_client: Option<HttpClient>,
}

/// The HTTP client of `download` (`--http-client`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HttpClient {
    /// one reqwest::Client for the whole job, like one aiohttp.ClientSession:
    /// the async model
    Reqwest,
    /// HTTP/1.1 written by hand on tokio's TcpStream, one connection per
    /// request: the same tasks without an HTTP library, to show what reqwest
    /// costs (understands only what concur-sites sends)
    Bare,
}

impl HttpClient {
    fn name(self) -> &'static str {
        match self {
            HttpClient::Reqwest => "reqwest",
            HttpClient::Bare => "bare",
        }
    }
}

impl ModelOptions for Options {
    fn validate(&self, job: &Job) -> Result<(), UsageError> {
        if !matches!(job, Job::Download(_)) {
            if self.max_in_flight.is_some() {
                return Err(UsageError::new("--max-in-flight only applies to download"));
            }
            if self.http_client.is_some() {
                return Err(UsageError::new("--http-client only applies to download"));
            }
        }
        // For `convert`, --workers counts caller tasks, which any runtime has.
        let counts_threads = !matches!(job, Job::Convert(_));
        if self.runtime == Runtime::CurrentThread
            && self.workers.workers.is_some()
            && counts_threads
        {
            return Err(UsageError::new(
                "--workers only applies to --runtime multi-thread: a current-thread runtime has one thread",
            ));
        }
        Ok(())
    }
}

impl Options {
    fn executor_threads(&self) -> usize {
        match self.runtime {
            Runtime::CurrentThread => 1,
            Runtime::MultiThread => self.workers.count(),
        }
    }

    /// Executor threads for `convert`: callers wait, they do not need a
    /// thread each, so no more threads than cores.
    fn convert_threads(&self) -> usize {
        match self.runtime {
            Runtime::CurrentThread => 1,
            Runtime::MultiThread => self.workers.count().min(available_cores()),
        }
    }

    fn build_runtime(&self, threads: usize, job: &Job) -> anyhow::Result<tokio::runtime::Runtime> {
        let mut builder = match self.runtime {
            Runtime::CurrentThread => tokio::runtime::Builder::new_current_thread(),
            Runtime::MultiThread => {
                let mut builder = tokio::runtime::Builder::new_multi_thread();
                builder.worker_threads(threads);
                builder
            }
        };
        if let Job::Download(_) = job {
            // Start every request before advancing any, as `asyncio.gather`
            // does, so that all of them are in flight at once. Spawned tasks
            // wait in the global queue, which tokio by default visits only
            // every few dozen polls, after the tasks their sockets woke;
            // visiting it at every poll opens them all before any answer is
            // read. Sockets stay at tokio's default interval, so a woken task
            // waits its turn too. Turned down: tokio's default order, which
            // reads the first answers while the last requests are still being
            // opened; the price is that the answers come back in one burst,
            // which costs a short run a few percent
            // ([docs/io.md](../../docs/io.md#10-000-requests-in-flight)).
            builder.global_queue_interval(1);
        }
        builder.enable_all();
        start::build(&mut builder, threads)
    }
}

/// Runs the job as tokio tasks on the chosen runtime.
pub fn run(job: &Job, options: &Options, progress: &Progress) -> anyhow::Result<Outcome> {
    let threads = match job {
        Job::Convert(_) => options.convert_threads(),
        _ => options.executor_threads(),
    };
    let runtime = options.build_runtime(threads, job)?;
    let runtime_name = match options.runtime {
        Runtime::CurrentThread => "current-thread",
        Runtime::MultiThread => "multi-thread",
    };
    let outcome = match job {
        Job::Cpu(job) => {
            let results = runtime.block_on(drive(cpu_tasks(job.tasks.clone(), *progress)))??;
            Outcome::new(Answer::Cpu(results), threads, threads)
        }
        Job::Download(job) => {
            let in_flight = options
                .max_in_flight
                .map_or(job.urls.len(), |n| (n as usize).min(job.urls.len()));
            let http_client = options.http_client.unwrap_or(HttpClient::Reqwest);
            let http = match http_client {
                HttpClient::Reqwest => {
                    Http::Reqwest(client(options.max_in_flight.map(|_| in_flight), job)?)
                }
                HttpClient::Bare => Http::Bare {
                    timeout: job.timeout,
                },
            };
            let urls: Arc<[String]> = job.urls.clone().into();
            let gauge = Arc::new(InFlight::default());
            let fetches = runtime.block_on(drive(download(
                Arc::new(http),
                urls,
                options.max_in_flight,
                Arc::clone(&gauge),
                *progress,
            )))??;
            Outcome::new(Answer::Download(fetches), threads, in_flight)
                .with_field("max_in_flight", options.max_in_flight)
                .with_field("peak_in_flight", gauge.peak.load(Ordering::Relaxed))
                .with_field("http_client", http_client.name())
        }
        Job::Convert(job) => {
            let callers = options.workers.count();
            let answer =
                runtime.block_on(drive(convert_callers(job.clone(), callers, *progress)))??;
            // A spinning lookup never yields: only the executor threads'
            // worth of callers can make progress at once.
            let concurrency = match job.cost.kind {
                CostKind::Sleep => callers,
                CostKind::Spin => callers.min(threads),
            };
            Outcome::new(Answer::Convert(answer), callers, concurrency)
                .with_ideal_ms(job.ideal_ms(concurrency))
                .with_field("runtime_threads", threads)
        }
    };
    Ok(outcome.with_field("runtime", runtime_name))
}

/// Runs `work` as a spawned task, not in `block_on` itself: on a multi-thread
/// runtime, each wake-up of `block_on` is a hop to the main thread and back
/// (~10 us), while a task awaiting tasks stays on the executor threads.
async fn drive<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> anyhow::Result<T> {
    tokio::spawn(work)
        .await
        .map_err(|e| anyhow::anyhow!("the driving task failed: {e}"))
}

/// One task per CPU task, awaited in order.
async fn cpu_tasks(tasks: Vec<CpuTask>, progress: Progress) -> anyhow::Result<Vec<u128>> {
    let handles: Vec<_> = tasks
        .into_iter()
        .map(|task| {
            tokio::spawn(async move {
                // No `.await` inside: this task holds its executor thread until
                // the loop ends (see the module comment).
                let result = task.compute();
                progress.say(task.describe(result));
                result
            })
        })
        .collect();
    join_in_order(handles, "a task").await
}

/// Awaits spawned tasks in spawn order and returns their results in that
/// order; a task that panicked is the job's failure, named by `what`.
async fn join_in_order<T>(
    handles: Vec<tokio::task::JoinHandle<T>>,
    what: &str,
) -> anyhow::Result<Vec<T>> {
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        results.push(
            handle
                .await
                .map_err(|e| anyhow::anyhow!("{what} failed: {e}"))?,
        );
    }
    Ok(results)
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
fn client(reused: Option<usize>, job: &DownloadJob) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(reused.unwrap_or(0))
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
async fn download(
    http: Arc<Http>,
    urls: Arc<[String]>,
    max_in_flight: Option<u32>,
    gauge: Arc<InFlight>,
    progress: Progress,
) -> anyhow::Result<Vec<Fetch>> {
    let permits = max_in_flight.map(|n| Arc::new(Semaphore::new(n as usize)));
    let handles: Vec<_> = (0..urls.len())
        .map(|index| {
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
                let fetch = http.get(url).await;
                gauge.leave();
                progress.say(fetch.describe(url));
                fetch
            })
        })
        .collect();
    join_in_order(handles, "a request task").await
}

/// The client every request task uses.
enum Http {
    Reqwest(reqwest::Client),
    Bare { timeout: std::time::Duration },
}

impl Http {
    async fn get(&self, url: &str) -> Fetch {
        match self {
            Http::Reqwest(client) => fetch(client, url).await,
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

/// `callers` tasks calling one shared converter, each taking the next request
/// index from an atomic counter, like the threads model's workers. Turned
/// down: one task per request, bounded by a semaphore of `callers` permits;
/// it caps the calls in flight the same way but spawns a task per request
/// instead of one per caller, and reads less like the threads model it is
/// compared with.
async fn convert_callers(
    job: ConvertJob,
    callers: usize,
    progress: Progress,
) -> anyhow::Result<ConvertAnswer> {
    let converter = Arc::new(AsyncConverter::new(job.cache, job.capacity, job.cost)?);
    let next = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..callers)
        .map(|_| {
            let (converter, next, requests) = (
                Arc::clone(&converter),
                Arc::clone(&next),
                Arc::clone(&job.requests),
            );
            tokio::spawn(async move {
                let mut done = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(request) = requests.get(index) else {
                        break;
                    };
                    let served = converter.serve(request).await;
                    progress.say(served.describe(index, request));
                    done.push((index, served));
                }
                done
            })
        })
        .collect();
    let mut served: Vec<Option<Served>> = vec![None; job.requests.len()];
    for done in join_in_order(handles, "a caller task").await? {
        for (index, outcome) in done {
            served[index] = Some(outcome);
        }
    }
    let served = served
        .into_iter()
        .enumerate()
        .map(|(index, served)| {
            served.ok_or_else(|| anyhow::anyhow!("request {index} got no outcome"))
        })
        .collect::<anyhow::Result<Vec<Served>>>()?;
    Ok(ConvertAnswer {
        served,
        lookups_run: converter.lookups_run(),
        evictions: converter.evictions().await,
    })
}
