//! concur-async: tokio tasks on a current-thread or a multi-thread runtime.
//!
//! The lesson of the CPU workloads: an async task that computes never reaches
//! an `.await`, so it keeps its executor thread until it is done. On a
//! current-thread runtime that means the tasks run one after another, exactly
//! like CPU work under Python's asyncio; on a multi-thread runtime they run in
//! parallel only because there are several executor threads. Moving the work to
//! `spawn_blocking` would hand it to tokio's separate blocking-thread pool, so
//! it would run in parallel even from a current-thread runtime, but that is the
//! threads model with extra steps, not async.

use clap::ValueEnum;
use concur_shared::cli::{Context, Model, ModelOptions, WorkersArg};
use concur_shared::error::UsageError;
use concur_shared::record::{Answer, Outcome};
use concur_shared::workload::{CpuTask, Job};

pub const MODEL: Model = Model {
    name: "async",
    about: "tokio tasks: cooperative scheduling on a current-thread runtime (like Python's \
            asyncio) or a multi-thread runtime with --workers executor threads.",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Runtime {
    /// one executor thread: tasks interleave only at `.await` points
    CurrentThread,
    /// --workers executor threads with work stealing
    MultiThread,
}

/// Options of the async model.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Model options")]
pub struct Options {
    /// Executor threads of the multi-thread runtime [default: the available cores]
    #[command(flatten)]
    pub workers: WorkersArg,
    /// Which tokio runtime drives the tasks
    #[arg(long, value_enum, default_value_t = Runtime::MultiThread)]
    pub runtime: Runtime,
}

impl ModelOptions for Options {
    fn validate(&self, _job: &Job) -> Result<(), UsageError> {
        if self.runtime == Runtime::CurrentThread && self.workers.workers.is_some() {
            return Err(UsageError::new(
                "--workers only applies to --runtime multi-thread: a current-thread runtime has one thread",
            ));
        }
        Ok(())
    }
}

impl Options {
    fn executor_threads(&self) -> usize {
        match self.runtime {
            Runtime::CurrentThread => 1,
            Runtime::MultiThread => self.workers.count(),
        }
    }

    fn build_runtime(&self) -> anyhow::Result<tokio::runtime::Runtime> {
        let mut builder = match self.runtime {
            Runtime::CurrentThread => tokio::runtime::Builder::new_current_thread(),
            Runtime::MultiThread => {
                let mut builder = tokio::runtime::Builder::new_multi_thread();
                builder.worker_threads(self.executor_threads());
                builder
            }
        };
        builder
            .enable_all()
            .build()
            .map_err(|e| anyhow::anyhow!("cannot start the tokio runtime: {e}"))
    }
}

/// Runs the job as tokio tasks on the chosen runtime.
pub fn run(job: &Job, options: &Options, context: &Context) -> anyhow::Result<Outcome> {
    let runtime = options.build_runtime()?;
    let threads = options.executor_threads();
    let runtime_name = match options.runtime {
        Runtime::CurrentThread => "current-thread",
        Runtime::MultiThread => "multi-thread",
    };
    let outcome = match job {
        Job::Cpu(job) => {
            let results = runtime.block_on(drive(cpu_tasks(job.tasks.clone(), *context)))??;
            Outcome::new(Answer::Cpu(results), threads, threads)
        }
    };
    Ok(outcome.with_field("runtime", runtime_name))
}

/// Runs `work` as a spawned task: awaiting tasks from inside a task costs
/// under a microsecond, from `block_on` on a multi-thread runtime ~10 us a hop.
async fn drive<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> anyhow::Result<T> {
    tokio::spawn(work)
        .await
        .map_err(|e| anyhow::anyhow!("the driving task failed: {e}"))
}

/// One task per CPU task, awaited in order.
async fn cpu_tasks(tasks: Vec<CpuTask>, context: Context) -> anyhow::Result<Vec<u128>> {
    let handles: Vec<_> = tasks
        .into_iter()
        .map(|task| {
            tokio::spawn(async move {
                // No `.await` inside: this task holds its executor thread until
                // the loop ends (see the module comment).
                let result = task.compute();
                context.say(task.describe(result));
                result
            })
        })
        .collect();
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        results.push(
            handle
                .await
                .map_err(|e| anyhow::anyhow!("a task failed: {e}"))?,
        );
    }
    Ok(results)
}
