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

pub mod gil;

use anyhow::anyhow;
use clap::ValueEnum;
use concur_shared::error::UsageError;
use concur_shared::http;
use concur_shared::model::Outcome;
use concur_shared::model::{Model, ModelOptions, Progress, WorkersArg, available_cores};
use concur_shared::workload::Answer;
use concur_shared::workload::convert::cost::CostKind;
use concur_shared::workload::convert::{ConvertAnswer, ConvertJob};
use concur_shared::workload::{CpuTask, DownloadJob, Fetch, Job};
use gil::Gil;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::ScopedJoinHandle;
use std::time::Duration;

pub const MODEL: Model = Model {
    name: "threads",
    about: "OS threads sharing one address space: hand-written scoped workers or a rayon pool, \
            optionally under an emulated CPython GIL (--gil).",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// std::thread::scope workers taking tasks from a shared atomic index
    Scoped,
    /// rayon's work-stealing pool with --workers threads
    Rayon,
}

/// Options of the threads model.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Model options")]
pub struct Options {
    #[command(flatten)]
    pub workers: WorkersArg,
    /// How the threads are organised
    #[arg(long, value_enum, default_value_t = Engine::Scoped)]
    pub engine: Engine,
    /// Emulate CPython's GIL: one lock a thread must hold to compute, handed
    /// over at the switch interval (scoped engine only)
    #[arg(long)]
    pub gil: bool,
    /// GIL switch interval in milliseconds, like sys.setswitchinterval() [default: 5]
    #[arg(long, value_name = "MS", value_parser = parse_interval_ms)]
    pub switch_interval_ms: Option<f64>,
}

fn parse_interval_ms(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(ms) if ms > 0.0 && ms <= 10_000.0 => Ok(ms),
        Ok(_) => Err("must be more than 0 and at most 10000".into()),
        Err(_) => Err("not a number".into()),
    }
}

impl ModelOptions for Options {
    fn validate(&self, job: &Job) -> Result<(), UsageError> {
        if self.gil && !matches!(job, Job::Cpu(_)) {
            return Err(UsageError::new(
                "--gil only applies to the CPU workloads: CPython releases the GIL while it waits for I/O, and the emulation has no hook in a cache lookup",
            ));
        }
        if self.engine == Engine::Rayon && matches!(job, Job::Download(_)) {
            return Err(UsageError::new(
                "--engine rayon does not apply to download: rayon's pool is for computing, not for blocking on I/O",
            ));
        }
        if self.gil && self.engine == Engine::Rayon {
            return Err(UsageError::new(
                "--gil needs --engine scoped: rayon's pool has no hook to hand a lock over",
            ));
        }
        if self.switch_interval_ms.is_some() && !self.gil {
            return Err(UsageError::new(
                "--switch-interval-ms only applies with --gil",
            ));
        }
        Ok(())
    }
}

impl Options {
    fn switch_interval(&self) -> Duration {
        Duration::from_secs_f64(self.switch_interval_ms.unwrap_or(5.0) / 1e3)
    }
}

/// Runs the job on `--workers` threads.
pub fn run(job: &Job, options: &Options, progress: &Progress) -> anyhow::Result<Outcome> {
    let workers = options.workers.count();
    let outcome = match job {
        Job::Cpu(job) => {
            let (results, concurrency) = match (options.engine, options.gil) {
                (Engine::Rayon, _) => (rayon_cpu(&job.tasks, workers, progress)?, workers),
                (Engine::Scoped, false) => {
                    (scoped_cpu(&job.tasks, workers, None, progress)?, workers)
                }
                (Engine::Scoped, true) => {
                    let gil = Gil::new(options.switch_interval());
                    let results = scoped_cpu(&job.tasks, workers, Some(&gil), progress)?;
                    progress.say(format!("the GIL changed hands {} times", gil.switches()));
                    (results, 1)
                }
            };
            Outcome::new(Answer::Cpu(results), workers, concurrency).with_field("gil", options.gil)
        }
        Job::Download(job) => {
            let fetches = scoped_download(job, workers, progress)?;
            Outcome::new(
                Answer::Download(fetches),
                workers,
                workers.min(job.urls.len()),
            )
        }
        Job::Convert(job) => {
            run_convert(job, options.engine, workers, progress)?.with_field("gil", false)
        }
    };
    Ok(outcome.with_field("engine", engine_name(options.engine)))
}

/// `--workers` threads calling one shared converter.
fn run_convert(
    job: &ConvertJob,
    engine: Engine,
    workers: usize,
    progress: &Progress,
) -> anyhow::Result<Outcome> {
    let converter = job.converter();
    let serve = |index: usize| {
        let request = &job.requests[index];
        let served = converter.serve(request);
        progress.say(served.describe(index, request));
        served
    };
    let served = match engine {
        Engine::Scoped => {
            // A miss costs a lookup and a hit almost nothing, so requests are
            // handed out dynamically like the CPU tasks (see `scoped`).
            let indices: Vec<usize> = (0..job.requests.len()).collect();
            scoped(&indices, workers, None, |_, &index, _| serve(index))?
        }
        Engine::Rayon => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(workers)
                .build()
                .map_err(|e| anyhow!("cannot start a rayon pool of {workers} threads: {e}"))?;
            // One request per job, as for the CPU tasks; a thread blocked in a
            // lookup is just a busy rayon worker (nothing here joins).
            pool.install(|| {
                (0..job.requests.len())
                    .into_par_iter()
                    .with_max_len(1)
                    .map(serve)
                    .collect()
            })
        }
    };
    let answer = ConvertAnswer {
        served,
        lookups_run: converter.lookups_run(),
        evictions: converter.evictions(),
    };
    // A spinning lookup needs a core: more threads than cores cannot overlap.
    let parallel = match job.cost.kind {
        CostKind::Sleep => workers,
        CostKind::Spin => workers.min(available_cores()),
    };
    Ok(Outcome::new(Answer::Convert(answer), workers, workers)
        .with_ideal_ms(job.ideal_ms(parallel)))
}

fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Scoped => "scoped",
        Engine::Rayon => "rayon",
    }
}

/// Running workers at which `scoped` first joins the finished ones.
const REAP_FIRST_AT: usize = 64;

/// Runs `work` on every item with `workers` scoped threads that take the next
/// item index from one shared atomic counter, and returns the results in item
/// order.
///
/// Items are handed out dynamically, not split into `workers` static slices:
/// the 20 `squares` tasks grow in size and requests finish at different
/// times, so a static split would leave one worker finishing alone. With a GIL,
/// each worker holds it for as long as it runs (releasing it only when another
/// thread asks), as a CPython thread does while it executes bytecode.
///
/// Threads are started with `Builder::spawn_scoped`, not `Scope::spawn`,
/// which panics (and the process aborts) when the OS refuses a thread. A
/// refusal raises `stop`, which the started workers check before each item, so
/// they finish the item in hand and return; the scope joins them and the
/// refusal becomes the error.
///
/// Finished workers are joined while the rest are still being started, not
/// all at the end: an exited thread keeps its stack mapped until it is joined,
/// so with far more workers than items the idle ones would pile up mappings
/// past `vm.max_map_count`, and std aborts the process when a new thread
/// cannot map its signal stack.
fn scoped<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    gil: Option<&Gil>,
    work: impl Fn(usize, &T, &dyn Fn()) -> R + Sync,
) -> anyhow::Result<Vec<R>> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut results: Vec<Option<R>> = items.iter().map(|_| None).collect();
    let mut panicked = false;
    std::thread::scope(|scope| {
        let mut finish = |handle: ScopedJoinHandle<'_, Vec<(usize, R)>>| match handle.join() {
            Ok(done) => {
                for (index, result) in done {
                    results[index] = Some(result);
                }
            }
            Err(_) => panicked = true,
        };
        let mut running = Vec::new();
        // Reaping at each doubling of the running threads keeps the scans
        // linear in `workers` overall.
        let mut reap_at = REAP_FIRST_AT;
        let mut refused = None;
        for worker in 0..workers {
            if running.len() >= reap_at {
                let (finished, still): (Vec<_>, Vec<_>) =
                    running.into_iter().partition(ScopedJoinHandle::is_finished);
                finished.into_iter().for_each(&mut finish);
                running = still;
                reap_at = (2 * running.len()).max(REAP_FIRST_AT);
            }
            let (next, stop, work) = (&next, &stop, &work);
            let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                let guard = gil.map(Gil::acquire);
                let checkpoint = || {
                    if let Some(guard) = &guard {
                        guard.checkpoint();
                    }
                };
                let mut done = Vec::new();
                // Relaxed is enough: `stop` only has to be seen eventually,
                // the counter only has to hand out each index once, and
                // results travel back through `join`.
                while !stop.load(Ordering::Relaxed) {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    done.push((index, work(worker, item, &checkpoint)));
                }
                done
            });
            match spawned {
                Ok(handle) => running.push(handle),
                Err(error) => {
                    stop.store(true, Ordering::Relaxed);
                    refused = Some(concur_shared::process::thread_refused(
                        worker + 1,
                        workers,
                        &error,
                    ));
                    break;
                }
            }
        }
        running.into_iter().for_each(finish);
        refused.map_or(Ok(()), Err)
    })?;
    if panicked {
        return Err(anyhow!("a worker thread panicked"));
    }
    results
        .into_iter()
        .enumerate()
        .map(|(index, result)| result.ok_or_else(|| anyhow!("item {index} got no result")))
        .collect()
}

fn scoped_cpu(
    tasks: &[CpuTask],
    workers: usize,
    gil: Option<&Gil>,
    progress: &Progress,
) -> anyhow::Result<Vec<u128>> {
    scoped(tasks, workers, gil, |worker, task, checkpoint| {
        let result = task.compute_with(checkpoint);
        progress.say(format_args!("worker {worker}: {}", task.describe(result)));
        result
    })
}

/// Like `ThreadPoolExecutor(max_workers=N)` with one shared `requests.Session`: the
/// threads share one agent (and its connection pool, sized to the workers).
fn scoped_download(
    job: &DownloadJob,
    workers: usize,
    progress: &Progress,
) -> anyhow::Result<Vec<Fetch>> {
    let agent = http::agent(workers, job.timeout);
    scoped(&job.urls, workers, None, |worker, url, _| {
        let fetch = http::fetch(&agent, url);
        progress.say(format_args!("worker {worker}: {}", fetch.describe(url)));
        fetch
    })
}

/// rayon's `par_iter` on a pool of exactly `workers` threads.
///
/// `with_max_len(1)` makes every task its own stealable job: with rayon's
/// default splitting, a few adjacent big tasks could end up in one job.
fn rayon_cpu(tasks: &[CpuTask], workers: usize, progress: &Progress) -> anyhow::Result<Vec<u128>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .map_err(|e| anyhow!("cannot start a rayon pool of {workers} threads: {e}"))?;
    Ok(pool.install(|| {
        tasks
            .par_iter()
            .with_max_len(1)
            .map(|task| {
                let result = task.compute();
                progress.say(task.describe(result));
                result
            })
            .collect()
    }))
}
