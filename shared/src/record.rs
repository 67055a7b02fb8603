//! The result record (the last stdout line of every model binary) and peak
//! memory accounting.
//!
//! The record is the binaries' contract with `scripts/compare.sh` and the report:
//! field names carry their unit (`elapsed_ms`, `peak_rss_kib`), `checksum` is a
//! decimal string so that u128 answers survive every JSON parser, and
//! workload- or model-specific fields are flattened in beside the common ones.

use crate::workload::convert::ConvertAnswer;
use serde::Serialize;
use serde_json::{Map, Value};
use std::time::Duration;

/// What a model's `run` hands back: the answer to verify plus how it ran.
#[derive(Debug)]
pub struct Outcome {
    /// The workload's answer, checked against the reference before printing.
    pub answer: Answer,
    /// Workers the model used (threads, processes, runtime threads; 1 for `seq`).
    pub workers: usize,
    /// How many tasks could make progress at the same moment (1 under the
    /// emulated GIL or on a current-thread runtime, whatever `workers` says).
    pub concurrency: usize,
    /// Sum of the peak RSS that worker processes reported about themselves; 0
    /// for models that run in one process (their peak is in the parent's own).
    pub children_peak_rss_kib: u64,
    /// Model-specific record fields (`engine`, `runtime`, `gil`, ...).
    pub fields: Map<String, Value>,
}

impl Outcome {
    /// An outcome from one process with no model-specific fields.
    pub fn new(answer: Answer, workers: usize, concurrency: usize) -> Self {
        Outcome {
            answer,
            workers,
            concurrency,
            children_peak_rss_kib: 0,
            fields: Map::new(),
        }
    }

    /// Adds a model-specific field to the record.
    pub fn with_field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(name.to_owned(), value.into());
        self
    }
}

/// A workload's answer, as the model computed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// CPU workloads: one result per task, in task order.
    Cpu(Vec<u128>),
    /// `download`: one outcome per request, in request order.
    Download(Vec<crate::workload::Fetch>),
    /// `convert`: every request's outcome, in request order, and the counts.
    Convert(ConvertAnswer),
}

/// The JSON object printed as the last line of stdout.
#[derive(Debug, Serialize)]
pub struct Record {
    pub model: &'static str,
    pub workload: &'static str,
    pub workers: usize,
    pub concurrency: usize,
    pub tasks: usize,
    pub checksum: String,
    pub elapsed_ms: f64,
    pub peak_rss_kib: u64,
    pub errors: u64,
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl Record {
    /// One line of JSON; a `Record` holds only strings, numbers and maps, which
    /// always serialize.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// Milliseconds as a float with microsecond resolution, the record's time unit.
pub fn millis(elapsed: Duration) -> f64 {
    (elapsed.as_secs_f64() * 1e6).round() / 1e3
}

/// Peak resident set size of this process so far, in KiB (Linux reports
/// `ru_maxrss` in KiB). Returns 0 if the kernel refuses, which it does not in
/// practice; a missing memory figure must not fail a benchmark.
pub fn own_peak_rss_kib() -> u64 {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_SELF)
        .map(|usage| u64::try_from(usage.max_rss()).unwrap_or(0))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The record serializes with the contract's field names and flattens extras.
    #[test]
    fn record_serializes_contract_fields() {
        let mut fields = Map::new();
        fields.insert("engine".into(), Value::from("rayon"));
        let record = Record {
            model: "threads",
            workload: "squares",
            workers: 2,
            concurrency: 2,
            tasks: 20,
            checksum: "833337833344750010830".into(),
            elapsed_ms: 57.3,
            peak_rss_kib: 2048,
            errors: 0,
            fields,
        };
        let value: Value = serde_json::from_str(&record.to_json_line()).expect("valid JSON");
        assert_eq!(value["checksum"], "833337833344750010830");
        assert_eq!(value["engine"], "rayon");
        assert_eq!(value["peak_rss_kib"], 2048);
    }

    /// Peak RSS of a running process is never zero on Linux.
    #[test]
    fn own_peak_rss_is_positive() {
        assert!(own_peak_rss_kib() > 0);
    }

    /// Milliseconds keep microsecond resolution.
    #[test]
    fn millis_rounds_to_microseconds() {
        assert_eq!(millis(Duration::from_micros(57_301)), 57.301);
    }
}
