//! concur-procs: a pool of forked worker processes, like Python's
//! `multiprocessing.Pool`, with tasks and results travelling over pipes.
//!
//! Processes share nothing: each worker has its own memory, so there is no
//! lock to contend for (and no GIL in Python), at the price of a fork per
//! worker and of encoding every task and result. See [`pool`] for the pool.
//!
//! For `convert` that means one cache per process, whatever `--cache` says:
//! a lock in one process protects nothing in another, exactly like a
//! `threading.Lock` in a `multiprocessing` worker. Each worker serves one
//! request at a time, so inside a process `racy`, `locked` and
//! `single-flight` never meet a second caller and behave alike; what decides
//! duplicates is `--route`. `round-robin` sends request i to worker i mod N,
//! so a key is looked up once by every process that sees it; `by-key` sends
//! every request for a key to the one worker that owns it (a fixed hash of
//! the key), so each key is looked up once in all, without any shared memory.

pub mod pool;
mod sleep;
mod slot;
pub mod worker;

use clap::ValueEnum;
use concur_shared::error::UsageError;
use concur_shared::http;
use concur_shared::model::Outcome;
use concur_shared::model::{Model, ModelOptions, Progress, WorkersArg, available_cores};
use concur_shared::workload::Answer;
use concur_shared::workload::convert::route::owner;
use concur_shared::workload::convert::{ConvertAnswer, ConvertJob, Served};
use concur_shared::workload::download::compute_blocking;
use concur_shared::workload::{CpuTask, Fetched, Job};
use pool::Pool;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use worker::Fault;

/// How much longer than `--timeout-ms` the parent waits for a worker's
/// answer to one request before it fails the job: a worker answers a request
/// that timed out itself within the timeout, so only a stopped or stuck worker
/// is later than this.
const TASK_LIMIT_SLACK: Duration = Duration::from_secs(1);

pub const MODEL: Model = Model {
    name: "procs",
    about: "A pool of forked worker processes (like multiprocessing.Pool): tasks handed out \
            one at a time over pipes, results and each worker's peak memory sent back.",
    forks: true,
};

/// Options of the procs model.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Model options")]
pub struct Options {
    /// Worker processes [default: the available cores]
    #[command(flatten)]
    pub workers: WorkersArg,
    /// Make worker 0 fail on its first task (for tests only)
    #[arg(long, value_enum, hide = true)]
    pub fault: Option<Fault>,
    /// Which worker gets a convert request (convert only) [default: round-robin]
    #[arg(long, value_enum)]
    pub route: Option<Route>,
}

/// How `convert` requests are spread over the worker processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Route {
    /// request i goes to worker i mod N: every process sees most keys
    RoundRobin,
    /// every request for a key goes to the worker that owns the key
    ByKey,
}

impl ModelOptions for Options {
    fn validate(&self, job: &Job) -> Result<(), UsageError> {
        if self.route.is_some() && !matches!(job, Job::Convert(_)) {
            return Err(UsageError::new(
                "--route applies to the convert workload only: other tasks carry no key",
            ));
        }
        Ok(())
    }
}

/// Forks the workers first, then runs the job on them.
pub fn run(job: &Job, options: &Options, progress: &Progress) -> anyhow::Result<Outcome> {
    let workers = options.workers.count_for(job);
    match job {
        Job::Cpu(job) => {
            let mut pool = Pool::spawn(workers, options.fault, |_| |task: CpuTask| task.compute())?;
            progress.say(format_args!("workers started: pids {:?}", pool.pids()));
            let results = pool.run(&job.tasks, |worker, index, result: &u128| {
                progress.say(format_args!(
                    "worker {worker}: {}",
                    job.tasks[index].describe(*result)
                ));
            })?;
            let mut outcome = Outcome::new(Answer::Cpu(results), workers, workers);
            outcome.children_peak_rss_kib = pool.children_peak_rss_kib();
            Ok(outcome)
        }
        Job::Download(job) => {
            // Each worker builds its own agent after the fork, like a
            // `requests.Session` per process in the seed: connections cannot
            // be shared across processes. Each times its own requests; the
            // latency travels back with the outcome.
            //
            // `--blocking-ms` runs in worker 0, ahead of its share of the
            // requests: a process does one thing at a time, so its first
            // request waits in its pipe (not yet started, so no latency
            // counts it) while the other workers take the rest of the work.
            //
            // Under --rate, a free worker is handed the next request (its
            // index: the job is in every worker's memory since the fork) and
            // waits until it is due, so a request may wait up to one due
            // interval per worker before it is sent.
            let (timeout, blocking) = (job.timeout, job.blocking);
            let ahead = job.schedule.map_or(Duration::ZERO, |schedule| {
                Duration::from_secs_f64(workers as f64 / schedule.rate_per_s)
            });
            let start = Instant::now();
            let mut pool = Pool::spawn(workers, options.fault, |worker| {
                if let (0, Some(cpu)) = (worker, blocking) {
                    compute_blocking(cpu);
                }
                let agent = http::agent(1, timeout);
                move |index: usize| http::fetch_scheduled(&agent, job, start, index)
            })?
            // Worker 0's first request was sent before it started computing.
            .task_limit(timeout + blocking.unwrap_or_default() + ahead + TASK_LIMIT_SLACK);
            progress.say(format_args!("workers started: pids {:?}", pool.pids()));
            let indices: Vec<usize> = (0..job.urls.len()).collect();
            let fetches = pool.run(&indices, |worker, index, fetched: &Fetched| {
                progress.say(format_args!(
                    "worker {worker}: {}",
                    fetched.fetch.describe(&job.urls[index])
                ));
            })?;
            let outcome = Outcome::new(
                Answer::Download(fetches),
                workers,
                workers.min(job.urls.len()),
            );
            Ok(pool.with_memory(outcome, false))
        }
        Job::Convert(job) => run_convert(job, options, workers, progress),
        Job::Sleep(job) => sleep::pool_sleep(job, workers, options.fault, progress),
    }
}

/// A worker's reply to one request: its outcome, and the worker's running
/// totals, so the parent knows every process's counts from its last reply.
#[derive(Debug, Serialize, Deserialize)]
struct WorkerServed {
    served: Served,
    lookups_run: u64,
    evictions: u64,
}

/// Routes every request, forks the workers (each builds its own converter,
/// after the fork, so every cache lives in one process only), runs them.
fn run_convert(
    job: &ConvertJob,
    options: &Options,
    workers: usize,
    progress: &Progress,
) -> anyhow::Result<Outcome> {
    let route = options.route.unwrap_or(Route::RoundRobin);
    let routes = route_requests(job, route, workers);
    let mut pool = Pool::spawn(workers, options.fault, |_| {
        let converter = job.converter();
        move |request: String| WorkerServed {
            served: converter.serve(&request),
            lookups_run: converter.lookups_run(),
            evictions: converter.evictions(),
        }
    })?;
    progress.say(format_args!("workers started: pids {:?}", pool.pids()));
    let mut totals = vec![(0, 0); workers];
    let replies = pool.run_routed(
        &job.requests,
        &routes,
        |worker, index, reply: &WorkerServed| {
            totals[worker] = (reply.lookups_run, reply.evictions);
            progress.say(format_args!(
                "worker {worker}: {}",
                reply.served.describe(index, &job.requests[index])
            ));
        },
    )?;
    let answer = ConvertAnswer {
        served: replies.iter().map(|reply| reply.served).collect(),
        lookups_run: totals.iter().map(|t| t.0).sum(),
        evictions: totals.iter().map(|t| t.1).sum(),
    };
    let ideal_ms = job.ideal_ms_routed(&routes, workers, available_cores());
    let mut outcome = Outcome::new(Answer::Convert(answer), workers, workers)
        .with_ideal_ms(ideal_ms)
        .with_field(
            "route",
            match route {
                Route::RoundRobin => "round-robin",
                Route::ByKey => "by-key",
            },
        );
    outcome.children_peak_rss_kib = pool.children_peak_rss_kib();
    Ok(outcome)
}

/// The worker of every request: `by-key` to the worker that owns its key,
/// `round-robin` in turn.
fn route_requests(job: &ConvertJob, route: Route, workers: usize) -> Vec<usize> {
    job.requests
        .iter()
        .enumerate()
        .map(|(index, request)| match route {
            Route::ByKey => owner(index, request, workers),
            Route::RoundRobin => index % workers,
        })
        .collect()
}
