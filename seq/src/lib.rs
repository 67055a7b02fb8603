//! concur-seq: the baseline. One thread, one process, one task after another.
//!
//! Every other model is measured against this one, so it does nothing clever:
//! the tasks run in order on the calling thread.

use concur_shared::cli::{Context, Model, ModelOptions};
use concur_shared::error::UsageError;
use concur_shared::http;
use concur_shared::record::{Answer, Outcome};
use concur_shared::workload::{CpuTask, DownloadJob, Fetch, Job};

pub const MODEL: Model = Model {
    name: "seq",
    about: "The baseline: one thread, one process, every task in order. \
            The other models are measured against it.",
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
pub fn run(job: &Job, _options: &Options, context: &Context) -> anyhow::Result<Outcome> {
    match job {
        Job::Cpu(job) => Ok(Outcome::new(
            Answer::Cpu(run_cpu(&job.tasks, context)),
            1,
            1,
        )),
        Job::Download(job) => Ok(Outcome::new(
            Answer::Download(run_download(job, context)),
            1,
            1,
        )),
    }
}

fn run_cpu(tasks: &[CpuTask], context: &Context) -> Vec<u128> {
    tasks
        .iter()
        .map(|task| {
            let result = task.compute();
            context.say(task.describe(result));
            result
        })
        .collect()
}

fn run_download(job: &DownloadJob, context: &Context) -> Vec<Fetch> {
    let agent = http::agent(1, job.timeout);
    job.urls
        .iter()
        .map(|url| {
            let fetch = http::fetch(&agent, url);
            context.say(fetch.describe(url));
            fetch
        })
        .collect()
}
