//! concur-threads: OS threads in one process, sharing memory.
//!
//! Two engines: `scoped`, hand-written `std::thread::scope` workers pulling
//! tasks from a shared atomic index, and `rayon`, the work-stealing pool.
//! `--gil` runs the scoped workers under an emulated CPython GIL ([`gil`]) to
//! reproduce the seeds' Python numbers next to the real Rust ones.
//!
//! For `convert`, the `--workers` threads share one converter (one cache), so
//! this is where the cache strategies differ: `racy` converts a key twice when
//! two threads miss it at once, `locked` serializes every lookup behind one
//! lock, `single-flight` and `moka` make only the callers of the same key
//! wait.

mod convert;
mod cpu;
mod download;
pub mod gil;
mod options;
mod scoped;
mod sleep;

use concur_shared::model::{Model, Outcome, Progress};
use concur_shared::workload::{Answer, Job};
use gil::Gil;
pub use options::{Engine, Options};

pub const MODEL: Model = Model {
    name: "threads",
    about: "OS threads sharing one address space: hand-written scoped workers or a rayon pool, \
            optionally under an emulated CPython GIL (--gil).",
    forks: false,
};

/// Runs the job on `--workers` threads.
pub fn run(job: &Job, options: &Options, progress: &Progress) -> anyhow::Result<Outcome> {
    let workers = options.workers.count_for(job);
    let outcome = match job {
        Job::Cpu(job) => {
            let (results, concurrency) = match (options.engine, options.gil) {
                (Engine::Rayon, _) => (cpu::rayon_cpu(&job.tasks, workers, progress)?, workers),
                (Engine::Scoped, false) => (
                    cpu::scoped_cpu(&job.tasks, workers, None, progress)?,
                    workers,
                ),
                (Engine::Scoped, true) => {
                    let gil = Gil::new(options.switch_interval());
                    let results = cpu::scoped_cpu(&job.tasks, workers, Some(&gil), progress)?;
                    progress.say(format!("the GIL changed hands {} times", gil.switches()));
                    (results, 1)
                }
            };
            Outcome::new(Answer::Cpu(results), workers, concurrency).with_field("gil", options.gil)
        }
        Job::Download(job) => {
            let fetches = download::scoped_download(job, workers, progress)?;
            Outcome::new(
                Answer::Download(fetches),
                workers,
                workers.min(job.urls.len()),
            )
        }
        Job::Convert(job) => {
            convert::run_convert(job, options.engine, workers, progress)?.with_field("gil", false)
        }
        Job::Sleep(job) => sleep::scoped_sleep(job, workers, progress)?,
    };
    Ok(outcome.with_field("engine", options::engine_name(options.engine)))
}
