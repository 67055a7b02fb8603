//! The CPU tasks on either engine.

use crate::gil::Gil;
use crate::scoped::scoped;
use anyhow::anyhow;
use concur_shared::model::Progress;
use concur_shared::process::thread_refused;
use concur_shared::workload::CpuTask;
use rayon::prelude::*;

pub(crate) fn scoped_cpu(
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

/// A rayon pool of exactly `workers` threads. Its threads are started here
/// (`spawn_handler`) rather than by rayon's default builder, whose error is a bare
/// "Resource temporarily unavailable": a thread the OS refuses is then named with
/// the limits to raise, as the scoped engine names it.
pub(crate) fn rayon_pool(workers: usize) -> anyhow::Result<rayon::ThreadPool> {
    let refused = std::sync::Mutex::new(None);
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .spawn_handler(|thread| {
            let number = thread.index() + 1;
            let spawned = std::thread::Builder::new().spawn(|| thread.run());
            spawned.map(drop).inspect_err(|error| {
                // Poisoned only if a thread panicked holding it: the value is still usable.
                let mut first = refused
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                first.get_or_insert_with(|| thread_refused(number, workers, error));
            })
        })
        .build();
    built.map_err(|error| {
        let refused = refused
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        refused
            .unwrap_or_else(|| anyhow!("cannot start a rayon pool of {workers} threads: {error}"))
    })
}

/// rayon's `par_iter` on a pool of exactly `workers` threads.
///
/// `with_max_len(1)` makes every task its own stealable job: with rayon's
/// default splitting, a few adjacent big tasks could end up in one job.
pub(crate) fn rayon_cpu(
    tasks: &[CpuTask],
    workers: usize,
    progress: &Progress,
) -> anyhow::Result<Vec<u128>> {
    let pool = rayon_pool(workers)?;
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
