//! The report as data: one table per workload, one row per variant, every derived
//! column already computed.
//!
//! The renderers ([`summary`](crate::summary), [`markdown`](crate::markdown),
//! [`svg`](crate::svg)) only read these types; [`join`](crate::join) fills them in.
//! Keeping them apart from both lets every import point down to this module.

use crate::ideal::Ideal;
use crate::input::{HyperfineResult, Machine, Params, Record};
use crate::model::Family;
use crate::rank_test::Difference;
use crate::seeds::experiments::Experiment;

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
    /// Where the run compared with (`--baseline`) was measured; `None` without one.
    pub baseline: Option<Machine>,
    /// The seeds' experiments (`seeds.tsv`), empty when the run has none.
    pub experiments: Vec<Experiment>,
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
    /// The workload's own rule kept (`convert`: no key converted twice, `duplicates`
    /// is 0); `None` when the record does not count what the rule is about.
    pub rule_kept: Option<bool>,
    /// This run against the baseline run; `None` without `--baseline`.
    pub vs_baseline: Option<VsBaseline>,
}

/// What a variant's check column says, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Its checksum differs from `seq`'s, or its record counts errors.
    WrongAnswer,
    /// The right answer, but a key was converted more than once (`duplicates` > 0).
    ConvertsTwice,
    /// Same checksum as `seq`, no errors, and the rule kept where there is one.
    Passed,
    /// No record to check, or no `seq` checksum to check it against.
    Unchecked,
}

impl Check {
    /// The mark in a table cell: `✓`, `✗`, `✗ converts twice`, or `None` (unchecked).
    pub fn mark(self) -> Option<&'static str> {
        match self {
            Check::WrongAnswer => Some("✗"),
            Check::ConvertsTwice => Some("✗ converts twice"),
            Check::Passed => Some("✓"),
            Check::Unchecked => None,
        }
    }

    /// What went wrong, for a label next to a number: `None` when nothing did.
    pub fn failure(self) -> Option<&'static str> {
        match self {
            Check::WrongAnswer => Some("✗ wrong answer"),
            Check::ConvertsTwice => Some("✗ converts twice"),
            Check::Passed | Check::Unchecked => None,
        }
    }
}

/// One variant of this run against the same variant of the baseline run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VsBaseline {
    /// The baseline did not time this variant.
    New,
    Compared {
        baseline_median_s: f64,
        /// This run's median ÷ the baseline's.
        ratio: f64,
        /// Whether the runs of the two differ by more than their noise.
        difference: Difference,
    },
}

impl VsBaseline {
    /// `slower` or `faster` when the difference stands out of the noise, `within noise`
    /// when it does not, `too few runs` when no test could tell; `new` for a new variant.
    pub fn verdict(&self) -> &'static str {
        match *self {
            VsBaseline::New => "new",
            VsBaseline::Compared {
                ratio, difference, ..
            } => match difference.stands_out() {
                Some(true) if ratio > 1.0 => "slower",
                Some(true) if ratio < 1.0 => "faster",
                Some(true) => "differs",
                Some(false) => "within noise",
                None => "too few runs",
            },
        }
    }
}

#[cfg(test)]
impl Row {
    /// A row for unit tests: its timing (whose name is the variant's) and record,
    /// with every column the join derives left empty.
    pub fn for_test(timing: HyperfineResult, record: Option<Record>) -> Self {
        Row {
            variant: timing.command.clone(),
            timing,
            record,
            command: None,
            speedup_vs_seq: None,
            ideal: None,
            ratio_to_ideal: None,
            checksum_agrees: None,
            rule_kept: None,
            vs_baseline: None,
        }
    }
}

impl Row {
    pub fn is_seq(&self) -> bool {
        self.variant == SEQ
    }

    /// The concurrency model the variant belongs to.
    pub fn family(&self) -> Family {
        Family::of(&self.variant, self.record.as_ref())
    }

    /// The verdict of its check column.
    pub fn check(&self) -> Check {
        match (self.checksum_agrees, self.rule_kept) {
            (Some(false), _) => Check::WrongAnswer,
            (_, Some(false)) => Check::ConvertsTwice,
            (Some(true), _) => Check::Passed,
            (None, _) => Check::Unchecked,
        }
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
