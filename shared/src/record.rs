//! The result record, the last stdout line of every model binary, and the
//! verified answer a workload contributes to it.
//!
//! The record is the binaries' contract with `scripts/compare.sh` and the report:
//! field names carry their unit (`elapsed_ms`, `peak_rss_kib`), `checksum` is a
//! decimal string so that u128 answers survive every JSON parser, and
//! workload- or model-specific fields are flattened in beside the common ones.

use serde::Serialize;
use serde_json::{Map, Value};
use std::time::Duration;

/// A verified answer: what a workload contributes to the record.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub checksum: String,
    /// Tasks that failed (failed requests); any makes the binary exit 1.
    pub errors: u64,
    /// Lines for stderr explaining the errors.
    pub problems: Vec<String>,
    /// Workload-specific record fields (`requests`, `bytes`, `duplicates`, ...).
    pub fields: Map<String, Value>,
}

impl Verified {
    /// A verified answer with no errors and no extra fields.
    pub fn new(checksum: String) -> Self {
        Verified {
            checksum,
            errors: 0,
            problems: Vec::new(),
            fields: Map::new(),
        }
    }

    /// Adds a workload-specific field to the record.
    pub fn with_field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(name.to_owned(), value.into());
        self
    }
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
    /// CPU time of the model's work, every thread and (procs) every worker.
    pub cpu_ms: crate::process::CpuMs,
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
            cpu_ms: crate::process::CpuMs {
                user: 100.5,
                sys: 2.25,
            },
            peak_rss_kib: 2048,
            errors: 0,
            fields,
        };
        let value: Value = serde_json::from_str(&record.to_json_line()).expect("valid JSON");
        assert_eq!(value["checksum"], "833337833344750010830");
        assert_eq!(value["engine"], "rayon");
        assert_eq!(value["peak_rss_kib"], 2048);
        assert_eq!(value["cpu_ms"]["user"], 100.5);
        assert_eq!(value["cpu_ms"]["sys"], 2.25);
    }

    /// Milliseconds keep microsecond resolution.
    #[test]
    fn millis_rounds_to_microseconds() {
        assert_eq!(millis(Duration::from_micros(57_301)), 57.301);
    }
}
