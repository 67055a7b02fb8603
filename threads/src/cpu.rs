//! The CPU tasks on either engine.

use crate::gil::Gil;
use crate::scoped::scoped;
use anyhow::anyhow;
use concur_shared::model::Progress;
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

/// rayon's `par_iter` on a pool of exactly `workers` threads.
///
/// `with_max_len(1)` makes every task its own stealable job: with rayon's
/// default splitting, a few adjacent big tasks could end up in one job.
pub(crate) fn rayon_cpu(
    tasks: &[CpuTask],
    workers: usize,
    progress: &Progress,
) -> anyhow::Result<Vec<u128>> {
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
