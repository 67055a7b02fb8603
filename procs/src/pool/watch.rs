//! The pool's watch over its busy workers while it waits for answers: a task
//! past its time limit (`Pool::task_limit`), and a worker that is stopped
//! with a task in hand, each fail the job naming the worker.

use std::time::{Duration, Instant};

use anyhow::bail;

use super::Pool;
use crate::worker;

impl Pool {
    /// How long until the oldest unanswered task of any worker passes the
    /// task limit; `None` without a limit or with nothing in progress.
    pub(super) fn time_to_next_deadline(&self) -> Option<Duration> {
        let limit = self.task_limit?;
        self.workers
            .iter()
            .filter(|worker| !worker.finished)
            .filter_map(|worker| worker.busy.front())
            .map(|&(_, sent)| (sent + limit).saturating_duration_since(Instant::now()))
            .min()
    }

    /// Fails the job if a worker is past the task limit, killing that worker.
    pub(super) fn fail_overdue(&mut self) -> anyhow::Result<()> {
        let Some(limit) = self.task_limit else {
            return Ok(());
        };
        let overdue = self.workers.iter().position(|worker| {
            !worker.finished
                && worker
                    .busy
                    .front()
                    .is_some_and(|&(_, sent)| sent.elapsed() >= limit)
        });
        let Some(slot) = overdue else {
            return Ok(());
        };
        let worker = &self.workers[slot];
        let (index, pid) = (worker.index, worker.pid);
        let task = worker.busy.front().map_or(0, |&(task, _)| task);
        let state = worker::state_note(pid);
        let how = self.reap(slot, Duration::ZERO);
        bail!(
            "worker {index} (pid {pid}) gave no answer to task {task} within {:.1} s{state}; \
             the job is abandoned and the worker {how}",
            limit.as_secs_f64()
        )
    }

    /// Fails the job if a worker holding a task is stopped (SIGSTOP, a
    /// debugger): it would never answer, and nothing else would end the wait.
    pub(super) fn fail_stopped(&mut self) -> anyhow::Result<()> {
        let stopped = self.workers.iter().position(|worker| {
            !worker.finished && !worker.busy.is_empty() && worker::is_stopped(worker.pid)
        });
        let Some(slot) = stopped else {
            return Ok(());
        };
        let worker = &self.workers[slot];
        let (index, pid) = (worker.index, worker.pid);
        let task = worker.busy.front().map_or(0, |&(task, _)| task);
        let how = self.reap(slot, Duration::ZERO);
        bail!(
            "worker {index} (pid {pid}) is stopped, as after SIGSTOP, with task {task} in hand; \
             the job is abandoned and the worker {how}"
        )
    }
}
