//! The async model's options and the runtime they build.

use crate::sleep::Spawn;
use crate::start;
use clap::ValueEnum;
use concur_shared::error::UsageError;
use concur_shared::model::{ModelOptions, WorkersArg, available_cores};
use concur_shared::workload::Job;

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
    /// download: HTTP/1.1 (a connection per request in flight) or HTTP/2 with
    /// prior knowledge (every request a stream of one connection) [default: 1.1]
    #[arg(long, value_enum, value_name = "VERSION")]
    pub http_version: Option<HttpVersion>,
    /// download --http-version 2: spread the streams over N connections,
    /// request i on connection i mod N [default: 1]. Over HTTP/1.1 a
    /// connection carries one request at a time, so --max-in-flight N is N
    /// connections, reused
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub connections: Option<u32>,
    /// download --blocking-ms: where the blocking task runs [default: a task
    /// on the runtime, which never yields its executor thread]
    #[arg(long, value_enum, value_name = "HOW")]
    pub offload: Option<Offload>,
    /// sleep: one task per wait, or one task joining them all [default: tasks]
    #[arg(long, value_enum, value_name = "HOW")]
    pub spawn: Option<Spawn>,
}

/// Where `download --blocking-ms` runs its blocking task (`--offload`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Offload {
    /// tokio::task::spawn_blocking: a thread of tokio's blocking pool, off the
    /// executor threads
    SpawnBlocking,
    /// tokio::task::block_in_place in a spawned task: its executor thread
    /// hands its other tasks to a new thread first (multi-thread runtime only)
    BlockInPlace,
}

impl Offload {
    /// The record's `offload` field; "none" is the task left on the runtime.
    pub(crate) fn name(offload: Option<Offload>) -> &'static str {
        match offload {
            None => "none",
            Some(Offload::SpawnBlocking) => "spawn-blocking",
            Some(Offload::BlockInPlace) => "block-in-place",
        }
    }
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

/// The HTTP version of reqwest's requests (`--http-version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HttpVersion {
    /// HTTP/1.1: one request at a time on a connection
    #[value(name = "1.1")]
    Http1,
    /// HTTP/2 with prior knowledge: many requests multiplexed on one connection
    #[value(name = "2")]
    Http2,
}

impl HttpVersion {
    pub(crate) fn name(version: Option<HttpVersion>) -> &'static str {
        match version {
            None | Some(HttpVersion::Http1) => "1.1",
            Some(HttpVersion::Http2) => "2",
        }
    }
}

impl HttpClient {
    pub(crate) fn name(self) -> &'static str {
        match self {
            HttpClient::Reqwest => "reqwest",
            HttpClient::Bare => "bare",
        }
    }
}

impl ModelOptions for Options {
    fn validate(&self, job: &Job) -> Result<(), UsageError> {
        if self.spawn.is_some() && !matches!(job, Job::Sleep(_)) {
            return Err(UsageError::new(
                "--spawn only applies to sleep: the other workloads spawn one task per task",
            ));
        }
        if !matches!(job, Job::Download(_)) {
            if self.max_in_flight.is_some() {
                return Err(UsageError::new("--max-in-flight only applies to download"));
            }
            if self.http_client.is_some() {
                return Err(UsageError::new("--http-client only applies to download"));
            }
            if self.http_version.is_some() {
                return Err(UsageError::new("--http-version only applies to download"));
            }
            if self.connections.is_some() {
                return Err(UsageError::new("--connections only applies to download"));
            }
            if self.offload.is_some() {
                return Err(UsageError::new(
                    "--offload only applies to download with --blocking-ms",
                ));
            }
        }
        if let Job::Download(download) = job
            && self.offload.is_some()
            && download.blocking.is_none()
        {
            return Err(UsageError::new(
                "--offload needs --blocking-ms: without it there is no blocking task to move",
            ));
        }
        if self.http_version == Some(HttpVersion::Http2)
            && self.http_client == Some(HttpClient::Bare)
        {
            return Err(UsageError::new(
                "--http-version 2 needs the reqwest client: --http-client bare speaks HTTP/1.1 only",
            ));
        }
        if self.connections.is_some() && self.http_version != Some(HttpVersion::Http2) {
            return Err(UsageError::new(
                "--connections needs --http-version 2: over HTTP/1.1 a connection carries one \
                 request at a time, so bound the connections with --max-in-flight N instead",
            ));
        }
        if self.offload == Some(Offload::BlockInPlace) && self.runtime == Runtime::CurrentThread {
            return Err(UsageError::new(
                "--offload block-in-place needs --runtime multi-thread: \
                 tokio's block_in_place panics on a current-thread runtime (use spawn-blocking)",
            ));
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
    pub(crate) fn executor_threads(&self, job: &Job) -> usize {
        match self.runtime {
            Runtime::CurrentThread => 1,
            Runtime::MultiThread => self.workers.count_for(job),
        }
    }

    /// Executor threads for `convert`: callers wait, they do not need a
    /// thread each, so no more threads than cores.
    pub(crate) fn convert_threads(&self, job: &Job) -> usize {
        match self.runtime {
            Runtime::CurrentThread => 1,
            Runtime::MultiThread => self.workers.count_for(job).min(available_cores()),
        }
    }

    pub(crate) fn build_runtime(
        &self,
        threads: usize,
        job: &Job,
    ) -> anyhow::Result<tokio::runtime::Runtime> {
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
