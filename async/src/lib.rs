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
mod blocking;
pub mod cache;
mod convert;
mod cpu;
mod download;
mod options;
mod sleep;
mod start;
mod tasks;

use concur_shared::model::Outcome;
use concur_shared::model::{Model, Progress};
use concur_shared::workload::Answer;
use concur_shared::workload::Job;
use concur_shared::workload::convert::cost::CostKind;
pub use options::{HttpClient, Offload, Options, Runtime};
pub use sleep::Spawn;
use tasks::drive;

pub const MODEL: Model = Model {
    name: "async",
    about: "tokio tasks: cooperative scheduling on a current-thread runtime (like Python's \
            asyncio) or a multi-thread runtime with --workers executor threads.",
    forks: false,
};

/// Runs the job as tokio tasks on the chosen runtime.
pub fn run(job: &Job, options: &Options, progress: &Progress) -> anyhow::Result<Outcome> {
    let threads = match job {
        Job::Convert(_) => options.convert_threads(job),
        _ => options.executor_threads(job),
    };
    let runtime = options.build_runtime(threads, job)?;
    let runtime_name = match options.runtime {
        Runtime::CurrentThread => "current-thread",
        Runtime::MultiThread => "multi-thread",
    };
    let outcome = match job {
        Job::Cpu(job) => {
            let results =
                runtime.block_on(drive(cpu::cpu_tasks(job.tasks.clone(), *progress)))??;
            Outcome::new(Answer::Cpu(results), threads, threads)
        }
        Job::Download(job) => download::run(job, options, &runtime, threads, progress)?,
        Job::Convert(job) => {
            let callers = options.workers.count().min(job.requests.len()).max(1);
            let answer = runtime.block_on(drive(convert::convert_callers(
                job.clone(),
                callers,
                *progress,
            )))??;
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
        Job::Sleep(job) => sleep::run(
            job,
            options.spawn.unwrap_or(Spawn::Tasks),
            &runtime,
            threads,
            progress,
        )?,
    };
    Ok(outcome.with_field("runtime", runtime_name))
}
