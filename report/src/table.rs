//! The report as data: one table per workload, one row per variant, every derived
//! column already computed.
//!
//! The renderers ([`summary`](crate::summary), [`markdown`](crate::markdown),
//! [`svg`](crate::svg)) only read these types; [`join`](crate::join) fills them in.
//! Keeping them apart from both lets every import point down to this module.

use crate::ideal::Ideal;
use crate::input::{HyperfineResult, Machine, Params, Record};

/// The baseline variant every other variant is compared with.
pub const SEQ: &str = "seq";

/// The whole report, ready to render.
#[derive(Debug, Clone)]
pub struct Report {
    pub params: Params,
    pub machine: Machine,
    pub workloads: Vec<WorkloadReport>,
    /// Things the reader of the numbers should know (missing records, failed runs).
    pub warnings: Vec<String>,
}

/// One workload: its variants, fastest first.
#[derive(Debug, Clone)]
pub struct WorkloadReport {
    pub workload: String,
    /// Command-line parameters of the workload, from `params.json`.
    pub parameters: Option<String>,
    /// Never empty: hyperfine JSON without results is rejected when read.
    pub rows: Vec<Row>,
}

impl WorkloadReport {
    /// The variant with the lowest median time.
    pub fn fastest(&self) -> Option<&Row> {
        self.rows.first()
    }

    /// The `seq` baseline, if it was measured.
    pub fn seq(&self) -> Option<&Row> {
        self.rows.iter().find(|row| row.is_seq())
    }
}

/// One variant of one workload.
#[derive(Debug, Clone)]
pub struct Row {
    pub variant: String,
    /// hyperfine's measurement of the whole process.
    pub timing: HyperfineResult,
    /// The binary's own result record, if `records.jsonl` has one.
    pub record: Option<Record>,
    /// The command line of the record run.
    pub command: Option<String>,
    /// `seq` median / this median.
    pub speedup_vs_seq: Option<f64>,
    pub ideal: Option<Ideal>,
    /// This median / the ideal bound.
    pub ratio_to_ideal: Option<f64>,
    /// Same checksum as `seq` and no errors; `None` when either record is missing.
    pub checksum_agrees: Option<bool>,
}

impl Row {
    pub fn is_seq(&self) -> bool {
        self.variant == SEQ
    }

    /// Timed runs hyperfine made.
    pub fn runs(&self) -> usize {
        self.timing.times.len()
    }

    /// Timed runs that did not exit with status 0 (possible with `hyperfine -i`).
    pub fn failed_runs(&self) -> usize {
        self.timing
            .exit_codes
            .iter()
            .filter(|code| **code != Some(0))
            .count()
    }
}
