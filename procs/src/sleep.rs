//! `sleep` on the process pool: `--workers` forked processes, each taking the
//! next wait in turn; `--workers N` for N tasks is the process-per-task end
//! of the experiment.
//!
//! The pool is reused as it is: it forks every worker before anything else
//! runs, while the parent is small and has one thread, so a thousand forks
//! stay cheap, and a fork or pipe the OS refuses is the one-line error naming
//! the limit. The record adds `pss_kib` to `peak_rss_kib` (see
//! [`Pool::with_memory`]).

use crate::pool::Pool;
use crate::worker::Fault;
use concur_shared::model::{Outcome, Progress};
use concur_shared::workload::Answer;
use concur_shared::workload::sleep::{SleepJob, completed};
use std::time::Duration;

/// How much longer than one wait the parent waits for a worker's answer
/// before it fails the job: only a stopped or stuck worker is that late.
const TASK_LIMIT_SLACK: Duration = Duration::from_secs(1);

/// Every wait on `workers` processes; at most `workers` of them wait at once.
pub(crate) fn pool_sleep(
    job: &SleepJob,
    workers: usize,
    fault: Option<Fault>,
    progress: &Progress,
) -> anyhow::Result<Outcome> {
    let job = *job;
    let mut pool = Pool::spawn(workers, fault, |_| move |(): ()| job.wait_blocking())?
        .task_limit(job.wait() + TASK_LIMIT_SLACK);
    progress.say(format_args!("workers started: pids {:?}", pool.pids()));
    // A wait carries nothing: each task is an empty message, its index the
    // pool's.
    let waits = vec![(); job.tasks];
    let reached = pool.run(&waits, |worker, index, &reached: &bool| {
        progress.say(format_args!(
            "worker {worker}: {}",
            job.describe(index, reached)
        ));
    })?;
    let parallel = workers.min(job.tasks);
    let outcome = Outcome::new(Answer::Sleep(completed(reached)), workers, parallel)
        .with_ideal_ms(Some(job.ideal_ms(parallel)));
    Ok(pool.with_memory(outcome, true))
}
