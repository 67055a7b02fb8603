//! The threads model's options.

use clap::ValueEnum;
use concur_shared::error::UsageError;
use concur_shared::model::{ModelOptions, WorkersArg};
use concur_shared::workload::Job;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// std::thread::scope workers taking tasks from a shared atomic index
    Scoped,
    /// rayon's work-stealing pool with --workers threads
    Rayon,
}

/// Options of the threads model.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Model options")]
pub struct Options {
    #[command(flatten)]
    pub workers: WorkersArg,
    /// How the threads are organised
    #[arg(long, value_enum, default_value_t = Engine::Scoped)]
    pub engine: Engine,
    /// Emulate CPython's GIL: one lock a thread must hold to compute, handed
    /// over at the switch interval (scoped engine only)
    #[arg(long)]
    pub gil: bool,
    /// GIL switch interval in milliseconds, like sys.setswitchinterval() [default: 5]
    #[arg(long, value_name = "MS", value_parser = parse_interval_ms)]
    pub switch_interval_ms: Option<f64>,
}

fn parse_interval_ms(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(ms) if ms > 0.0 && ms <= 10_000.0 => Ok(ms),
        Ok(_) => Err("must be more than 0 and at most 10000".into()),
        Err(_) => Err("not a number".into()),
    }
}

impl ModelOptions for Options {
    fn validate(&self, job: &Job) -> Result<(), UsageError> {
        if self.gil && !matches!(job, Job::Cpu(_)) {
            return Err(UsageError::new(
                "--gil only applies to the CPU workloads: CPython releases the GIL while it waits for I/O, and the emulation has no hook in a cache lookup",
            ));
        }
        if self.engine == Engine::Rayon && matches!(job, Job::Download(_)) {
            return Err(UsageError::new(
                "--engine rayon does not apply to download: rayon's pool is for computing, not for blocking on I/O",
            ));
        }
        if self.engine == Engine::Rayon && matches!(job, Job::Sleep(_)) {
            return Err(UsageError::new(
                "--engine rayon does not apply to sleep: rayon's pool is for computing, and a worker blocked in a wait is a core's worth of the pool lost",
            ));
        }
        if self.gil && self.engine == Engine::Rayon {
            return Err(UsageError::new(
                "--gil needs --engine scoped: rayon's pool has no hook to hand a lock over",
            ));
        }
        if self.switch_interval_ms.is_some() && !self.gil {
            return Err(UsageError::new(
                "--switch-interval-ms only applies with --gil",
            ));
        }
        Ok(())
    }
}

impl Options {
    pub(crate) fn switch_interval(&self) -> Duration {
        Duration::from_secs_f64(self.switch_interval_ms.unwrap_or(5.0) / 1e3)
    }
}

pub(crate) fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Scoped => "scoped",
        Engine::Rayon => "rayon",
    }
}
