//! concur-procs: a pool of forked worker processes, like Python's
//! `multiprocessing.Pool`, with tasks and results travelling over pipes.
//!
//! Processes share nothing: each worker has its own memory, so there is no
//! lock to contend for (and no GIL in Python), at the price of a fork per
//! worker and of encoding every task and result. See [`pool`] for the pool.

pub mod pool;

use concur_shared::cli::{Context, Model, ModelOptions, WorkersArg};
use concur_shared::error::UsageError;
use concur_shared::http;
use concur_shared::record::{Answer, Outcome};
use concur_shared::workload::{CpuTask, Fetch, Job};
use pool::{Fault, Pool};

pub const MODEL: Model = Model {
    name: "procs",
    about: "A pool of forked worker processes (like multiprocessing.Pool): tasks handed out \
            one at a time over pipes, results and each worker's peak memory sent back.",
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
}

impl ModelOptions for Options {
    fn validate(&self, _job: &Job) -> Result<(), UsageError> {
        Ok(())
    }
}

/// Forks the workers first, then runs the job on them.
pub fn run(job: &Job, options: &Options, context: &Context) -> anyhow::Result<Outcome> {
    let workers = options.workers.count();
    match job {
        Job::Cpu(job) => {
            let mut pool = Pool::spawn(workers, options.fault, |_| |task: CpuTask| task.compute())?;
            context.say(format_args!("workers started: pids {:?}", pool.pids()));
            let results = pool.run(&job.tasks, |worker, index, result: &u128| {
                context.say(format_args!(
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
            // be shared across processes.
            let timeout = job.timeout;
            let mut pool = Pool::spawn(workers, options.fault, |_| {
                let agent = http::agent(1, timeout);
                move |url: String| http::fetch(&agent, &url)
            })?;
            context.say(format_args!("workers started: pids {:?}", pool.pids()));
            let fetches = pool.run(&job.urls, |worker, index, fetch: &Fetch| {
                context.say(format_args!(
                    "worker {worker}: {}",
                    fetch.describe(&job.urls[index])
                ));
            })?;
            let mut outcome = Outcome::new(
                Answer::Download(fetches),
                workers,
                workers.min(job.urls.len()),
            );
            outcome.children_peak_rss_kib = pool.children_peak_rss_kib();
            Ok(outcome)
        }
    }
}
