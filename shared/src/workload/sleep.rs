//! `sleep`: N tasks, each waiting L ms and doing nothing else, the widely
//! cited "1M concurrent tasks" experiment. It measures what a waiting task
//! costs under each model (memory, start-up, how many can wait at once), not
//! what it computes.
//!
//! The answer is the number of completed waits, and a wait counts only if it
//! ended at or after its deadline: a model that skipped or cut short a wait
//! fails verification instead of reporting a fast time.
//!
//! Every wait's deadline is fixed when its task is created (async) or taken
//! up (a blocking worker), as `now + L`, and checked against that instant
//! when it ends. A deadline taken at a task's first poll instead would let a
//! task spawned early but polled late finish late by the delay, and that
//! delay is the model's cost this workload exists to show.

use crate::error::UsageError;
use crate::record::Verified;
use anyhow::bail;
use clap::Args;
use std::time::{Duration, Instant};

/// The most tasks a job may have: the experiment's own million.
pub const MAX_TASKS: u64 = 1_000_000;

/// The longest wait: a minute is already far past any useful benchmark.
pub const MAX_WAIT_MS: u64 = 60_000;

/// Options of `sleep`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Workload options")]
pub struct SleepArgs {
    /// Number of tasks, each of which waits --wait-ms and does nothing else
    #[arg(long, value_name = "N", default_value_t = 1000,
          value_parser = crate::cli::whole_number(1..=MAX_TASKS))]
    pub tasks: u64,
    /// How long each task waits, in milliseconds (a model that runs W tasks at
    /// once needs at least ceil(N / W) x this)
    #[arg(long, value_name = "MS", default_value_t = 1000,
          value_parser = crate::cli::whole_number(0..=MAX_WAIT_MS))]
    pub wait_ms: u64,
}

impl SleepArgs {
    /// The validated job (clap has already bounded both options).
    pub fn job(&self) -> Result<SleepJob, UsageError> {
        let tasks = usize::try_from(self.tasks)
            .map_err(|_| UsageError::new(format!("--tasks {} does not fit here", self.tasks)))?;
        Ok(SleepJob {
            tasks,
            wait_ms: self.wait_ms,
        })
    }
}

/// A sleep job: how many waits, and how long each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SleepJob {
    pub tasks: usize,
    pub wait_ms: u64,
}

impl SleepJob {
    /// How long each task waits.
    pub fn wait(&self) -> Duration {
        Duration::from_millis(self.wait_ms)
    }

    /// The deadline of a wait created now.
    pub fn deadline(&self) -> Instant {
        Instant::now() + self.wait()
    }

    /// One task on a blocking thread: waits from now until its deadline and
    /// says whether it got there (see [`reached`]).
    ///
    /// A plain `thread::sleep`, not [`crate::clock::sleep_until`]: that one
    /// spins the last 60 us of every wait for precision, and a thousand
    /// threads waking together would spin 60 ms of CPU on two cores, while
    /// this workload is a wait and nothing else. The price is the kernel's
    /// timer slack (50 us) plus a wake-up per wait, 0.01% of the default 1 s.
    pub fn wait_blocking(&self) -> bool {
        let deadline = self.deadline();
        std::thread::sleep(self.wait());
        reached(deadline)
    }

    /// The shortest time the job can take when `parallel` tasks wait at once:
    /// ceil(N / parallel) rounds of --wait-ms.
    pub fn ideal_ms(&self, parallel: usize) -> f64 {
        self.tasks.div_ceil(parallel.max(1)) as f64 * self.wait_ms as f64
    }

    /// A `-v` line for task `index`, formatted only when printed.
    pub fn describe(&self, index: usize, reached: bool) -> impl std::fmt::Display {
        let wait_ms = self.wait_ms;
        std::fmt::from_fn(move |f| {
            if reached {
                write!(f, "task {index} waited {wait_ms} ms")
            } else {
                write!(f, "task {index} woke before its {wait_ms} ms were up")
            }
        })
    }

    /// Checks that every wait completed; the checksum is their number.
    pub fn verify(&self, completed: u64) -> anyhow::Result<Verified> {
        if completed != self.tasks as u64 {
            bail!(
                "wrong answer: {completed} of {} waits completed (a wait that ends before \
                 its deadline does not count)",
                self.tasks
            );
        }
        Ok(Verified::new(completed.to_string()).with_field("wait_ms", self.wait_ms))
    }
}

/// Whether a wait with this deadline is over: the check every model makes
/// when a wait ends, so that one cut short is not counted.
pub fn reached(deadline: Instant) -> bool {
    Instant::now() >= deadline
}

/// The number of completed waits among `reached`, the answer a model hands back.
pub fn completed(reached: impl IntoIterator<Item = bool>) -> u64 {
    reached.into_iter().filter(|&reached| reached).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(tasks: usize, wait_ms: u64) -> SleepJob {
        SleepArgs {
            tasks: tasks as u64,
            wait_ms,
        }
        .job()
        .expect("valid")
    }

    /// Blocking waits really wait, count as completed, and verify to N with
    /// the wait in the record.
    #[test]
    fn blocking_waits_verify() {
        let job = job(3, 5);
        let started = Instant::now();
        let waits: Vec<bool> = (0..job.tasks).map(|_| job.wait_blocking()).collect();
        assert!(started.elapsed() >= Duration::from_millis(15));
        let verified = job.verify(completed(waits)).expect("right");
        assert_eq!(verified.checksum, "3");
        assert_eq!(verified.fields["wait_ms"], 5);
        assert_eq!(verified.errors, 0);
    }

    /// A missing or early wait fails verification, and so does an extra one.
    #[test]
    fn verify_rejects_missing_waits() {
        let job = job(4, 10);
        assert!(job.verify(completed([true, true, false, true])).is_err());
        assert!(job.verify(3).is_err());
        assert!(job.verify(5).is_err());
        assert!(!reached(Instant::now() + Duration::from_secs(5)));
        assert!(reached(Instant::now()));
    }

    /// The ideal is ceil(N / parallel) rounds of the wait.
    #[test]
    fn ideal_counts_rounds() {
        let job = job(10, 100);
        assert_eq!(job.ideal_ms(1), 1000.0);
        assert_eq!(job.ideal_ms(3), 400.0);
        assert_eq!(job.ideal_ms(10), 100.0);
        assert_eq!(job.ideal_ms(1000), 100.0);
        assert_eq!(job.ideal_ms(0), 1000.0);
        assert_eq!(self::job(5, 0).ideal_ms(2), 0.0);
    }

    /// `-v` lines name the task and the wait.
    #[test]
    fn describe_names_task_and_wait() {
        let job = job(2, 50);
        assert_eq!(job.describe(1, true).to_string(), "task 1 waited 50 ms");
        assert!(job.describe(0, false).to_string().contains("before"));
    }
}
