//! The contract between the harness and a model: who the model is
//! ([`Model`]), the options it adds ([`ModelOptions`], [`WorkersArg`]), what
//! its `run` is handed besides the job ([`Progress`]) and what it hands back
//! ([`Outcome`]).
//!
//! A model's whole surface is one function,
//! `run(&Job, &Options, &Progress) -> anyhow::Result<Outcome>`; the harness
//! ([`crate::harness`]) does the rest the same way for all four binaries.

use crate::error::UsageError;
use crate::workload::{Answer, Job};
use clap::{Args, FromArgMatches};
use serde_json::{Map, Value};
use std::fmt::Display;
use std::io::Write;
use std::num::NonZero;

/// A model binary's identity, for `--help` and the record.
#[derive(Debug, Clone, Copy)]
pub struct Model {
    /// The record's `model` field and the binary's suffix: `concur-<name>`.
    pub name: &'static str,
    /// One paragraph for `--help`: what this model demonstrates.
    pub about: &'static str,
    /// Whether it forks worker processes: the harness then starts no thread
    /// of its own (a fork from a threaded parent can deadlock the child), and
    /// the model counts its workers' page tables itself.
    pub forks: bool,
}

/// A model's own options. They are attached to every workload subcommand, so
/// they may follow the workload's options in any order.
pub trait ModelOptions: Args + FromArgMatches {
    /// Rejects combinations clap cannot express (an option that makes no sense
    /// for this job or with another option). The message names the option.
    fn validate(&self, job: &Job) -> Result<(), UsageError>;
}

/// The model entry point every binary hands the harness.
pub type RunFn<M> = fn(&Job, &M, &Progress) -> anyhow::Result<Outcome>;

/// Upper bound for `--workers`: well past the 10 000 in-flight requests of the
/// I/O benchmark, low enough to stop a typo from forking a machine to death.
pub const MAX_WORKERS: u32 = 100_000;

/// `--workers N`, for the models that have workers.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Model options")]
pub struct WorkersArg {
    /// Number of workers, at most one per task [default: the available cores]
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_WORKERS)))]
    pub workers: Option<u32>,
}

impl WorkersArg {
    /// The worker count: as given, else one per available core.
    pub fn count(&self) -> usize {
        self.workers.map_or_else(available_cores, |w| w as usize)
    }

    /// The workers to start for `job`: the count, but never more than its tasks.
    /// A worker with nothing to do only costs its start (a thread, a fork), so
    /// 100 000 of them for 20 tasks would measure the starts, not the work.
    pub fn count_for(&self, job: &Job) -> usize {
        self.count().min(job.tasks()).max(1)
    }
}

/// The cores this process may run on (1 if the OS will not say).
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, NonZero::get)
}

/// The `-v` printer every model is handed: one human-readable line per task
/// on stderr, like the seeds' `Read 10966 from ...`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Whether `-v` was given.
    pub verbose: bool,
}

impl Progress {
    /// Prints a progress line on stderr with `-v`; stdout stays reserved for
    /// the record.
    pub fn say(&self, line: impl Display) {
        if self.verbose {
            say_line(line);
        }
    }
}

/// Writes one line on stderr in a single write: stderr is unbuffered, and
/// `writeln!` would write each piece apart, so that processes sharing one
/// stderr (procs' workers, cluster's processes) could interleave mid-line.
/// A closed stderr must not fail the job, so a failed write is ignored.
pub fn say_line(line: impl Display) {
    let line = format!("{line}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// What a model's `run` hands back: the answer to verify plus how it ran.
#[derive(Debug)]
pub struct Outcome {
    /// The workload's answer, checked against the reference before printing.
    pub answer: Answer,
    /// Workers the model used (threads, processes, runtime threads; 1 for `seq`).
    pub workers: usize,
    /// How many tasks could make progress at the same moment (1 under the
    /// emulated GIL or on a current-thread runtime, whatever `workers` says).
    pub concurrency: usize,
    /// Sum of the peak RSS that worker processes reported about themselves; 0
    /// for models that run in one process (their peak is in the parent's own).
    pub children_peak_rss_kib: u64,
    /// Model-specific record fields (`engine`, `runtime`, `gil`, ...).
    pub fields: Map<String, Value>,
}

impl Outcome {
    /// An outcome from one process with no model-specific fields.
    pub fn new(answer: Answer, workers: usize, concurrency: usize) -> Self {
        Outcome {
            answer,
            workers,
            concurrency,
            children_peak_rss_kib: 0,
            fields: Map::new(),
        }
    }

    /// Adds a model-specific field to the record.
    pub fn with_field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(name.to_owned(), value.into());
        self
    }

    /// Adds `ideal_ms`, the shortest time the job could take under this model,
    /// where such a bound exists (rounded to the microsecond).
    pub fn with_ideal_ms(self, ideal_ms: Option<f64>) -> Self {
        match ideal_ms {
            Some(ideal) => self.with_field("ideal_ms", (ideal * 1e3).round() / 1e3),
            None => self,
        }
    }
}
