//! The cluster's own options: how many processes, how many worker threads in
//! each, where they run, and how long a silent peer is waited for.

use concur_shared::cli::whole_number;
use concur_shared::error::UsageError;
use concur_shared::model::{ModelOptions, available_cores};
use concur_shared::workload::Job;
use std::path::PathBuf;
use std::time::Duration;

/// More processes than this on one job is a typo, not an experiment: each is
/// a copy of the binary with its own worker threads and a connection to
/// every other.
pub const MAX_PROCESSES: u64 = 64;

/// Options of the cluster model.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Model options")]
pub struct Options {
    /// Processes, all started by this one on loopback (127.0.0.1) unless
    /// --hosts names where they run [default: 2, or the hosts file's lines]
    #[arg(long, value_name = "P", value_parser = whole_number(1..=MAX_PROCESSES))]
    pub processes: Option<u64>,
    /// Worker threads in each process; workers = processes x threads
    /// [default: the available cores / processes, at least 1]
    #[arg(long, value_name = "T", value_parser = whole_number(1..=1024))]
    pub threads: Option<u64>,
    /// A file of one host:port a line, in process order: the job runs on
    /// several hosts, one process each, started by hand with --process
    #[arg(long, value_name = "FILE", requires = "process")]
    pub hosts: Option<PathBuf>,
    /// This process's line in the --hosts file, from 0; process 0 prints the record
    #[arg(long, value_name = "I", requires = "hosts",
          value_parser = whole_number(0..=MAX_PROCESSES - 1))]
    pub process: Option<u64>,
    /// With --hosts: a file holding the run's secret, the same on every host
    /// (else $CONCUR_CLUSTER_SECRET); a connection that does not give it is closed
    #[arg(long, value_name = "FILE", requires = "hosts")]
    pub secret_file: Option<PathBuf>,
    /// How long a peer may take to join the mesh, and to stay silent once
    /// joined, before the job fails naming it
    #[arg(long, value_name = "MS", default_value = "5000",
          value_parser = whole_number(1..=3_600_000))]
    pub peer_timeout_ms: u64,
    /// A delay before every batch of records a process sends to another,
    /// standing in for a slower network between hosts
    #[arg(long, value_name = "MS", default_value = "0",
          value_parser = whole_number(0..=10_000))]
    pub link_delay_ms: u64,
    /// Set by process 0 on the processes it starts: this one's index
    #[arg(long, value_name = "I", hide = true, conflicts_with = "hosts")]
    pub spawned: Option<u64>,
}

impl Options {
    /// The worker threads of each process.
    pub fn threads(&self, processes: usize) -> usize {
        self.threads
            .map_or_else(|| (available_cores() / processes).max(1), |t| t as usize)
    }

    pub fn peer_timeout(&self) -> Duration {
        Duration::from_millis(self.peer_timeout_ms)
    }

    pub fn link_delay(&self) -> Duration {
        Duration::from_millis(self.link_delay_ms)
    }
}

impl ModelOptions for Options {
    fn validate(&self, _job: &Job) -> Result<(), UsageError> {
        if self.hosts.is_some() && self.processes.is_some() {
            return Err(UsageError::new(
                "--processes comes from the --hosts file (one process a line); give one or the other",
            ));
        }
        Ok(())
    }
}
