//! concur-seq: the baseline. One thread, one process, one task after another.
//!
//! Every other model is measured against this one, so it does nothing clever:
//! the tasks run in order on the calling thread. For `convert` that means one
//! caller: no cache strategy can see a duplicate here, whatever its locking.
//! For `download --blocking-ms` it means the blocking task runs in line,
//! before the first request: it delays the job, never a request.

use concur_shared::error::UsageError;
use concur_shared::http;
use concur_shared::model::Outcome;
use concur_shared::model::{Model, ModelOptions, Progress};
use concur_shared::workload::Answer;
use concur_shared::workload::convert::{ConvertAnswer, ConvertJob};
use concur_shared::workload::download::compute_blocking;
use concur_shared::workload::sleep::{SleepJob, completed};
use concur_shared::workload::{CpuTask, DownloadJob, Fetched, Job};
use std::time::Instant;

pub const MODEL: Model = Model {
    name: "seq",
    about: "The baseline: one thread, one process, every task in order. \
            The other models are measured against it.",
    forks: false,
};

/// `seq` has no options of its own: it is the baseline.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {}

impl ModelOptions for Options {
    fn validate(&self, _job: &Job) -> Result<(), UsageError> {
        Ok(())
    }
}

/// Runs the job on the calling thread.
pub fn run(job: &Job, _options: &Options, progress: &Progress) -> anyhow::Result<Outcome> {
    match job {
        Job::Cpu(job) => Ok(Outcome::new(
            Answer::Cpu(run_cpu(&job.tasks, progress)),
            1,
            1,
        )),
        Job::Download(job) => Ok(Outcome::new(
            Answer::Download(run_download(job, progress)),
            1,
            1,
        )),
        Job::Convert(job) => Ok(run_convert(job, progress)),
        Job::Sleep(job) => Ok(run_sleep(job, progress)),
    }
}

fn run_cpu(tasks: &[CpuTask], progress: &Progress) -> Vec<u128> {
    tasks
        .iter()
        .map(|task| {
            let result = task.compute();
            progress.say(task.describe(result));
            result
        })
        .collect()
}

fn run_download(job: &DownloadJob, progress: &Progress) -> Vec<Fetched> {
    if let Some(cpu) = job.blocking {
        compute_blocking(cpu);
        progress.say(format_args!("blocking task: computed {cpu:?}"));
    }
    let agent = http::agent(1, job.timeout);
    // Under --rate, one request at a time: a request due while the last one
    // is still under way waits for it, and its latency says so.
    let start = Instant::now();
    (0..job.urls.len())
        .map(|index| {
            let fetched = http::fetch_scheduled(&agent, job, start, index);
            progress.say(fetched.fetch.describe(&job.urls[index]));
            fetched
        })
        .collect()
}

/// Every request in order, through one converter.
fn run_convert(job: &ConvertJob, progress: &Progress) -> Outcome {
    let converter = job.converter();
    let served = job
        .requests
        .iter()
        .enumerate()
        .map(|(index, request)| {
            let served = converter.serve(request);
            progress.say(served.describe(index, request));
            served
        })
        .collect();
    let answer = ConvertAnswer {
        served,
        lookups_run: converter.lookups_run(),
        evictions: converter.evictions(),
    };
    Outcome::new(Answer::Convert(answer), 1, 1).with_ideal_ms(job.ideal_ms(1))
}

/// Every wait in turn, N x L in all: the "one task at a time" end of the
/// sleep experiment. A plain `thread::sleep` per wait, as in every blocking
/// model (see `SleepJob::wait_blocking` for why not the spinning precise
/// sleep).
fn run_sleep(job: &SleepJob, progress: &Progress) -> Outcome {
    let completed = completed((0..job.tasks).map(|index| {
        let reached = job.wait_blocking();
        progress.say(job.describe(index, reached));
        reached
    }));
    Outcome::new(Answer::Sleep(completed), 1, 1).with_ideal_ms(Some(job.ideal_ms(1)))
}
