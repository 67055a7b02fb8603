//! One variant's figures ([`Row`]) and the rules that derive them.

use serde::Serialize;

use crate::files::Record;
use crate::stats::{Difference, Timing};

/// The baseline variant every other variant is compared with.
pub const SEQ: &str = "seq";

/// A concurrency model, as the report groups and colours variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Seq,
    Threads,
    Async,
    Procs,
    Cluster,
    /// Every `python-*` model: one colour, so Rust and Python tell apart at a glance.
    Python,
    Other,
}

impl Family {
    pub const ALL: [Family; 7] = [
        Family::Seq,
        Family::Threads,
        Family::Async,
        Family::Procs,
        Family::Cluster,
        Family::Python,
        Family::Other,
    ];

    /// The record's `model`, else the variant name's first word.
    pub fn of(variant: &str, record: Option<&Record>) -> Family {
        let first = variant.split_whitespace().next().unwrap_or(variant);
        match record.and_then(|record| record.model.as_deref()).unwrap_or(first) {
            "seq" => Family::Seq,
            "threads" => Family::Threads,
            "async" => Family::Async,
            "procs" => Family::Procs,
            "cluster" => Family::Cluster,
            python if python == "python" || python.starts_with("python-") => Family::Python,
            _ => Family::Other,
        }
    }

    pub fn name(self) -> &'static str {
        ["seq", "threads", "async", "procs", "cluster", "CPython", "other"][self.index()]
    }

    /// Its place in [`Family::ALL`], which is also its colour in the charts' palette.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What a workload is about, which decides its ideal rule, its own columns and
/// the lesson its table is read as. Chosen here once, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// `squares`, `range-sum`: the sequential work divided among the lanes.
    Cpu,
    /// `download`: waves of requests, each one latency long.
    Download,
    /// `convert`: never convert a key twice.
    Convert,
    /// `blocking`: download with one task that does not yield.
    Blocking,
    /// `seeds`: the blog posts' CPython programs beside their concur twins.
    Seeds,
    Other,
}

impl Kind {
    pub fn of(workload: &str) -> Kind {
        match workload {
            "squares" | "range-sum" => Kind::Cpu,
            "download" => Kind::Download,
            "convert" => Kind::Convert,
            "blocking" => Kind::Blocking,
            "seeds" => Kind::Seeds,
            _ => Kind::Other,
        }
    }
}

/// The fastest time a variant could reach, and the rule that says so.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ideal {
    pub seconds: f64,
    pub rule: IdealRule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdealRule {
    /// The binary reported `ideal_ms`.
    Reported,
    /// `ceil(requests ÷ concurrency) × latency`.
    Latency,
    /// `seq median ÷ min(concurrency, cores)`.
    CpuBound,
}

/// The latency rule, shared with the sweeps: waves of `parallelism` requests.
pub fn latency_bound_s(requests: u64, parallelism: u64, latency_ms: f64) -> f64 {
    // Exact: request counts are far below 2^53.
    requests.div_ceil(parallelism.max(1)) as f64 * latency_ms / 1000.0
}

/// The CPU rule, shared with the sweeps: the lanes that can really run at once.
pub fn cpu_lanes(parallelism: u64, cores: u64) -> u64 {
    parallelism.min(cores).max(1)
}

/// CPU time per request, in microseconds: the client's (the model's whole
/// process) and, where the record has it, the site server's over the same run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CpuPerRequest {
    pub client_us: f64,
    pub server_us: Option<f64>,
}

/// The CPU rule of a record that made requests, shared with the sweeps.
pub fn cpu_per_request(record: &Record) -> Option<CpuPerRequest> {
    let requests = record.requests.filter(|&n| n > 0)? as f64;
    let per_request = |cpu: crate::files::CpuMs| cpu.total() * 1000.0 / requests;
    let client_us = per_request(record.cpu_ms?);
    Some(CpuPerRequest { client_us, server_us: record.server_cpu_ms.map(per_request) })
}

/// What a variant's check column says, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// Its checksum differs from the reference, or its record counts errors.
    WrongAnswer,
    /// The right answer, but a key was converted more than once.
    ConvertsTwice,
    Passed,
    /// No record to check, or no reference to check it against.
    Unchecked,
}

impl Check {
    pub fn mark(self) -> Option<&'static str> {
        [Some("✗"), Some("✗ converts twice"), Some("✓"), None][self as usize]
    }

    /// What went wrong, for a label beside a number.
    pub fn failure(self) -> Option<&'static str> {
        [Some("✗ wrong answer"), Some("✗ converts twice"), None, None][self as usize]
    }
}

/// One variant of this run against the same variant of the baseline run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum VsBaseline {
    New,
    Compared {
        baseline_median_s: f64,
        /// This median ÷ the baseline's.
        ratio: f64,
        difference: Difference,
    },
}

impl VsBaseline {
    pub fn verdict(&self) -> &'static str {
        match *self {
            VsBaseline::New => "new",
            VsBaseline::Compared { ratio, difference, .. } => match difference.stands_out() {
                Some(true) if ratio > 1.0 => "slower",
                Some(true) if ratio < 1.0 => "faster",
                Some(true) => "differs",
                Some(false) => "within noise",
                None => "too few runs",
            },
        }
    }
}

/// One variant of one workload, with every derived figure.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub variant: String,
    pub family: Family,
    pub timing: Timing,
    #[serde(skip)]
    pub record: Option<Record>,
    /// The command line of the record run.
    pub command: Option<String>,
    /// `seq` median ÷ this median.
    pub speedup: Option<f64>,
    pub ideal: Option<Ideal>,
    /// This median ÷ the ideal.
    pub ratio_to_ideal: Option<f64>,
    pub cpu_per_request: Option<CpuPerRequest>,
    /// Same checksum as the reference and no errors.
    pub checksum_agrees: Option<bool>,
    /// `convert`'s rule kept: no key converted twice.
    pub rule_kept: Option<bool>,
    pub check: Check,
    /// Slowest round median ÷ fastest, when the rounds disagree.
    pub unsteady: Option<f64>,
    pub vs_baseline: Option<VsBaseline>,
}

impl Row {
    pub fn is_seq(&self) -> bool {
        self.variant == SEQ
    }

    pub fn record(&self) -> Record {
        self.record.clone().unwrap_or_default()
    }

    pub(crate) fn set_check(&mut self) {
        self.check = match (self.checksum_agrees, self.rule_kept) {
            (Some(false), _) => Check::WrongAnswer,
            (_, Some(false)) => Check::ConvertsTwice,
            (Some(true), _) => Check::Passed,
            (None, _) => Check::Unchecked,
        };
    }
}

/// The ideal bound of one variant, by the first rule that applies: the record's
/// own `ideal_ms`; for `download` the latency rule; for the CPU workloads the
/// sequential time divided among the lanes (`seq` itself: its own median).
/// `None` when a rule's inputs are missing, rather than a guess.
pub fn ideal(
    kind: Kind,
    is_seq: bool,
    record: Option<&Record>,
    seq_median_s: Option<f64>,
    latency_ms: Option<f64>,
    cores: Option<u64>,
) -> Option<Ideal> {
    if let Some(ms) = record.and_then(|r| r.ideal_ms).filter(|ms| ms.is_finite() && *ms > 0.0) {
        return Some(Ideal { seconds: ms / 1000.0, rule: IdealRule::Reported });
    }
    match kind {
        Kind::Download => {
            let record = record?;
            let seconds = latency_bound_s(record.requests?, record.parallelism(), latency_ms?);
            Some(Ideal { seconds, rule: IdealRule::Latency })
        }
        Kind::Cpu => {
            let lanes = if is_seq { 1 } else { cpu_lanes(record?.parallelism(), cores?) };
            Some(Ideal { seconds: seq_median_s? / lanes as f64, rule: IdealRule::CpuBound })
        }
        _ => None,
    }
}

/// The items of `(key, item)` pairs grouped by key, each group where its key
/// first came.
pub fn collate<K: PartialEq, T>(pairs: impl IntoIterator<Item = (K, T)>) -> Vec<(K, Vec<T>)> {
    let mut groups: Vec<(K, Vec<T>)> = Vec::new();
    for (key, item) in pairs {
        match groups.iter_mut().find(|(group, _)| *group == key) {
            Some((_, members)) => members.push(item),
            None => groups.push((key, vec![item])),
        }
    }
    groups
}
