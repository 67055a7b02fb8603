//! The jobs every model runs, defined once: their options, their tasks and
//! their reference answers.
//!
//! A model never decides what to compute; it only decides how to schedule the
//! tasks a [`Job`] hands it. That is what makes a checksum mismatch a model bug.

pub mod convert;
pub mod cpu;
pub mod download;
pub mod latency;
pub mod rate;
pub mod sleep;
mod urls;

use crate::error::UsageError;
use crate::record::Verified;
use clap::{ArgMatches, Args, Command, FromArgMatches};

pub use convert::{ConvertAnswer, ConvertArgs, ConvertJob};
pub use cpu::{CpuJob, CpuTask, RangeSumArgs, SquaresArgs};
pub use download::{DownloadArgs, DownloadJob, Fetch, Fetched};
pub use sleep::{SleepArgs, SleepJob};

/// A validated job, ready to hand to a model.
#[derive(Debug, Clone)]
pub enum Job {
    /// `squares` or `range-sum`: independent CPU-bound tasks.
    Cpu(CpuJob),
    /// `download`: HTTP GETs whose bodies are read whole.
    Download(DownloadJob),
    /// `convert`: point-conversion requests through a memoizing cache.
    Convert(ConvertJob),
    /// `sleep`: tasks that wait and do nothing else.
    Sleep(SleepJob),
}

impl Job {
    /// The workload's command-line name, as in the record's `workload` field.
    pub fn workload(&self) -> &'static str {
        match self {
            Job::Cpu(job) => job.workload,
            Job::Download(_) => "download",
            Job::Convert(_) => "convert",
            Job::Sleep(_) => "sleep",
        }
    }

    /// How many tasks the job consists of (the record's `tasks` field).
    pub fn tasks(&self) -> usize {
        match self {
            Job::Cpu(job) => job.tasks.len(),
            Job::Download(job) => job.urls.len(),
            Job::Convert(job) => job.requests.len(),
            Job::Sleep(job) => job.tasks,
        }
    }

    /// Checks a model's answer against the reference and returns the checksum
    /// to report. `Err` is a wrong answer: the run fails loudly instead of
    /// reporting a fast wrong result.
    pub fn verify(&self, answer: &Answer) -> anyhow::Result<Verified> {
        match (self, answer) {
            (Job::Cpu(job), Answer::Cpu(results)) => job.verify(results),
            (Job::Download(job), Answer::Download(fetches)) => job.verify(fetches),
            (Job::Convert(job), Answer::Convert(answer)) => job.verify(answer),
            (Job::Sleep(job), Answer::Sleep(completed)) => job.verify(*completed),
            (job, _) => anyhow::bail!("wrong answer: not an answer to a {} job", job.workload()),
        }
    }
}

/// A workload's answer, as the model computed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// CPU workloads: one result per task, in task order.
    Cpu(Vec<u128>),
    /// `download`: one outcome per request, with its latency, in request order.
    Download(Vec<Fetched>),
    /// `convert`: every request's outcome, in request order, and the counts.
    Convert(ConvertAnswer),
    /// `sleep`: how many waits completed, each at or after its deadline.
    Sleep(u64),
}

/// The workloads, in `--help` order: name, one-line description.
pub(crate) const WORKLOADS: &[(&str, &str)] = &[
    (
        "squares",
        "CPU: for each n in start..start+count, the sum of i*i for i < n (seed 000)",
    ),
    (
        "range-sum",
        "CPU: the sum of 0..end, split into `parts` contiguous chunks (seed 002)",
    ),
    (
        "download",
        "I/O: GET every page --repeat times and read the bodies (seeds 000 and 002)",
    ),
    (
        "convert",
        "Cache: convert A points to B points through a memoizing cache, never twice (seed 000)",
    ),
    (
        "sleep",
        "Waiting: N tasks, each waiting L ms and doing nothing else (the \"1M tasks\" experiment)",
    ),
];

/// Adds the workload's own options to its subcommand.
pub(crate) fn augment(name: &str, command: Command) -> Command {
    match name {
        "squares" => SquaresArgs::augment_args(command),
        "range-sum" => RangeSumArgs::augment_args(command),
        "download" => DownloadArgs::augment_args(command),
        "convert" => ConvertArgs::augment_args(command),
        "sleep" => SleepArgs::augment_args(command),
        _ => command,
    }
}

/// Builds the validated job from a workload subcommand's matches.
pub(crate) fn from_matches(name: &str, matches: &ArgMatches) -> Result<Job, UsageError> {
    match name {
        "squares" => parsed::<SquaresArgs>(matches)?.job().map(Job::Cpu),
        "range-sum" => parsed::<RangeSumArgs>(matches)?.job().map(Job::Cpu),
        "download" => parsed::<DownloadArgs>(matches)?.job().map(Job::Download),
        "convert" => parsed::<ConvertArgs>(matches)?.job().map(Job::Convert),
        "sleep" => parsed::<SleepArgs>(matches)?.job().map(Job::Sleep),
        other => Err(UsageError::new(format!("unknown workload '{other}'"))),
    }
}

/// One workload's options from its subcommand's matches.
fn parsed<A: FromArgMatches>(matches: &ArgMatches) -> Result<A, UsageError> {
    A::from_arg_matches(matches).map_err(|e| UsageError::new(e.to_string()))
}
