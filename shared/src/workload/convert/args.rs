//! The options of `convert` and the job they describe.

use super::cache::CacheStrategy;
use super::cost::{Cost, CostKind};
use super::job::ConvertJob;
use super::stream::{self, StreamSpec};
use crate::error::UsageError;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// The most requests one job may have: every request and its outcome is kept
/// in memory.
pub const MAX_REQUESTS: u64 = 1_000_000;
/// The most distinct amounts a generated stream may draw from.
pub const MAX_DISTINCT: u64 = 1_000_000;
/// The longest a lookup may be made to cost: 10 s.
pub const MAX_COST_US: u64 = 10_000_000;
/// The largest cache bound accepted.
pub const MAX_CAPACITY: u64 = 100_000_000;

/// Options of `convert`; defaults give the benchmark's job.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Workload options")]
pub struct ConvertArgs {
    /// Requests in the generated stream
    #[arg(long, value_name = "N", default_value_t = 20_000,
          value_parser = crate::cli::whole_number(1..=MAX_REQUESTS))]
    pub requests: u64,
    /// Distinct valid amounts the stream draws from, the r-th most popular
    /// with probability proportional to 1/r
    #[arg(long, value_name = "K", default_value_t = 1_000,
          value_parser = crate::cli::whole_number(1..=MAX_DISTINCT))]
    pub distinct: u64,
    /// Seed of the generated stream
    #[arg(long, value_name = "N", default_value_t = 42,
          value_parser = crate::cli::whole_number(0..=u64::MAX))]
    pub seed: u64,
    /// Invalid requests per 1000 (negative, above the maximum, malformed)
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = crate::cli::whole_number(0..=1000))]
    pub invalid_per_mille: u64,
    /// Replay requests from a file, one per line, instead of generating them
    #[arg(long, value_name = "PATH",
          conflicts_with_all = ["requests", "distinct", "seed", "invalid_per_mille"])]
    pub requests_file: Option<PathBuf>,
    /// Simulated cost of one rate lookup, in microseconds
    #[arg(long, value_name = "US", default_value_t = 1_000,
          value_parser = crate::cli::whole_number(0..=MAX_COST_US))]
    pub cost_us: u64,
    /// What a lookup costs: waiting (I/O-like) or computing (CPU-like)
    #[arg(long, value_enum, default_value_t = CostKind::Sleep)]
    pub cost_kind: CostKind,
    /// How the conversion cache avoids converting twice
    #[arg(long, value_enum, default_value_t = CacheStrategy::SingleFlight)]
    pub cache: CacheStrategy,
    /// Most entries the cache keeps, least recently used evicted first; 0 is
    /// unbounded [default: 0]
    #[arg(long, value_name = "N",
          value_parser = crate::cli::whole_number(0..=MAX_CAPACITY))]
    pub capacity: Option<u64>,
}

impl ConvertArgs {
    /// The validated job: the stream generated or read, its distinct keys
    /// counted.
    pub fn job(&self) -> Result<ConvertJob, UsageError> {
        if self.capacity.is_some() && self.cache == CacheStrategy::NoCache {
            return Err(UsageError::new(
                "--capacity needs a cache: --cache none keeps nothing to bound",
            ));
        }
        let requests = match &self.requests_file {
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|e| {
                    UsageError::new(format!("--requests-file {}: {e}", path.display()))
                })?;
                let requests = stream::parse_lines(&bytes);
                if requests.is_empty() {
                    return Err(UsageError::new(format!(
                        "--requests-file {}: the file holds no requests",
                        path.display()
                    )));
                }
                if requests.len() as u64 > MAX_REQUESTS {
                    return Err(UsageError::new(format!(
                        "--requests-file {}: {} requests, more than the {MAX_REQUESTS} allowed",
                        path.display(),
                        requests.len()
                    )));
                }
                requests
            }
            None => stream::generate(StreamSpec {
                requests: self.requests,
                distinct: self.distinct,
                seed: self.seed,
                invalid_per_mille: self.invalid_per_mille,
            }),
        };
        Ok(ConvertJob::new(
            requests,
            self.cache,
            self.capacity.unwrap_or(0) as usize,
            Cost {
                per_lookup: Duration::from_micros(self.cost_us),
                kind: self.cost_kind,
            },
        ))
    }
}
