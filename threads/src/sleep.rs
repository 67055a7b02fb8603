//! `sleep` on scoped workers: `--workers` threads, each taking the next wait
//! in turn; `--workers N` for N tasks is the thread-per-task end of the
//! experiment.
//!
//! The scoped engine is reused as it is: it hands out the waits from one
//! atomic index, and it already turns a thread the OS refuses (the thread
//! limits, or no room for another stack) into the one-line error instead of
//! an abort. rayon is turned down for this workload (a usage error): its
//! pool is for computing, and a worker blocked in a wait is a core's worth
//! of the pool lost.

use crate::scoped::scoped;
use concur_shared::model::{Outcome, Progress};
use concur_shared::workload::Answer;
use concur_shared::workload::sleep::{SleepJob, completed};

/// Every wait on `workers` threads; at most `workers` of them wait at once.
pub(crate) fn scoped_sleep(
    job: &SleepJob,
    workers: usize,
    progress: &Progress,
) -> anyhow::Result<Outcome> {
    let indices: Vec<usize> = (0..job.tasks).collect();
    let reached = scoped(&indices, workers, None, |worker, &index, _| {
        let reached = job.wait_blocking();
        progress.say(format_args!(
            "worker {worker}: {}",
            job.describe(index, reached)
        ));
        reached
    })?;
    let parallel = workers.min(job.tasks);
    Ok(
        Outcome::new(Answer::Sleep(completed(reached)), workers, parallel)
            .with_ideal_ms(Some(job.ideal_ms(parallel))),
    )
}
