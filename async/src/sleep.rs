//! `sleep`: N waits on tokio's timer, each its own spawned task
//! (`--spawn tasks`, the default) or all of them futures joined by one task
//! (`--spawn join`), so the record shows what a task costs beyond a future.
//!
//! Each wait is a `sleep_until` with its deadline fixed when the wait is
//! created, not a `sleep(L)` inside the task: that one takes its deadline at
//! the task's first poll, and spawning a million tasks takes a few hundred
//! ms, so the tasks polled last would finish late by that much.

use crate::tasks::join_in_order;
use clap::ValueEnum;
use concur_shared::model::{Outcome, Progress};
use concur_shared::workload::Answer;
use concur_shared::workload::sleep::{SleepJob, completed, reached};
use std::time::Instant;
use tokio::runtime::Runtime;
use tokio::task::coop::unconstrained;

/// How the waits are scheduled (`--spawn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Spawn {
    /// one tokio task per wait, all spawned at once
    Tasks,
    /// one task joining every wait as a future (futures' join_all): no task
    /// per wait
    Join,
}

impl Spawn {
    /// The record's `spawn` field.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Spawn::Tasks => "tasks",
            Spawn::Join => "join",
        }
    }
}

/// Runs every wait on `runtime` (of `threads` executor threads); all of them
/// wait at once, so the ideal is one --wait-ms.
pub(crate) fn run(
    job: &SleepJob,
    spawn: Spawn,
    runtime: &Runtime,
    threads: usize,
    progress: &Progress,
) -> anyhow::Result<Outcome> {
    let reached = match spawn {
        Spawn::Tasks => runtime.block_on(crate::tasks::drive(spawned(*job)))??,
        Spawn::Join => runtime.block_on(crate::tasks::drive(joined(*job)))?,
    };
    // Said after the waits, from their results: a line per task printed by
    // the task itself would add its index to every waiting future.
    for (index, &reached) in reached.iter().enumerate() {
        progress.say(job.describe(index, reached));
    }
    Ok(
        Outcome::new(Answer::Sleep(completed(reached)), threads, job.tasks)
            .with_ideal_ms(Some(job.ideal_ms(job.tasks)))
            .with_field("spawn", spawn.name()),
    )
}

/// One wait: until `deadline`, then whether it was reached.
async fn wait(deadline: Instant) -> bool {
    tokio::time::sleep_until(deadline.into()).await;
    reached(deadline)
}

/// One spawned task per wait, awaited in order.
async fn spawned(job: SleepJob) -> anyhow::Result<Vec<bool>> {
    let handles: Vec<_> = (0..job.tasks)
        .map(|_| tokio::spawn(wait(job.deadline())))
        .collect();
    join_in_order(handles, "a waiting task").await
}

/// Every wait a future of this one task, joined by `join_all`, which polls
/// only the futures whose wait woke them. A hand-written loop over a `Vec` of
/// pinned sleeps was turned down: it polls every pending sleep at each
/// wake-up, and the wake-ups come one per millisecond tick of the deadlines.
///
/// `unconstrained`: tokio gives a task a budget of 128 timer polls per turn;
/// past it a sleep answers "not yet" and its wake-up is deferred until the
/// scheduler's next turn, so `join_all` (`FuturesUnordered`) sees no future
/// woken and goes on polling all N of them, each of which answers "not yet"
/// again. Under the budget, 100 000 joined waits of 1 s took 3 s here, and a
/// million six minutes; unconstrained, the one task polls every woken wait
/// in a turn, which starves nothing because this task is all there is.
async fn joined(job: SleepJob) -> Vec<bool> {
    let waits = (0..job.tasks).map(|_| wait(job.deadline()));
    unconstrained(futures_util::future::join_all(waits)).await
}
