//! Reading what `scripts/compare.sh` left in the output directory.
//!
//! Hyperfine's JSON and the records are strict: a garbled file is an error that
//! names the file (and the line, for `records.jsonl`), because a table built from
//! half a file would look plausible and be wrong. `params.json` and `machine.json`
//! are descriptive: every key in them is optional and a key of an unexpected type
//! is treated as absent, so an older or newer script still gets a report.

use std::fmt;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::latency::LatencyMs;
use crate::seeds::experiments::{self, Experiment};

/// File name of the run parameters written by `scripts/compare.sh`.
pub const PARAMS_FILE: &str = "params.json";
/// File name of the description of the machine the run was measured on.
pub const MACHINE_FILE: &str = "machine.json";
/// File name of the result records of the correctness-gate runs, one JSON object a line.
pub const RECORDS_FILE: &str = "records.jsonl";

/// Everything the report is built from.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub params: Params,
    pub machine: Machine,
    /// One entry per workload, in report order.
    pub timings: Vec<WorkloadTimings>,
    pub records: Vec<RecordLine>,
    /// The seeds' experiments (`seeds.tsv`), empty when the run has none.
    pub experiments: Vec<Experiment>,
}

/// `params.json`: how the run was made. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    /// Simulated per-request latency of the site server, for the `download` ideal.
    pub latency_ms: Option<f64>,
    /// `true` for a `--quick` scratch run.
    pub quick: Option<bool>,
    pub runs: Option<u64>,
    /// How many rounds the runs were split into (see [`crate::rounds`]).
    pub rounds: Option<u64>,
    pub warmup: Option<u64>,
    /// What idle CPUs did while the waiting workloads were timed (compare.sh's
    /// `--no-idle-poll`), in words.
    pub idle: Option<String>,
    /// The CPython that ran the `python-*` variants, in words (`Python 3.12.3`).
    pub python: Option<String>,
    /// Why the `python-*` variants were not run, when they were not.
    pub python_skipped: Option<String>,
    /// Workload name and its command-line parameters, in the order the file lists them.
    pub workloads: Vec<(String, Option<String>)>,
}

/// `machine.json`: where the run was measured. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Machine {
    pub cpu: Option<String>,
    pub cores: Option<u64>,
    pub memory_gib: Option<f64>,
    pub kernel: Option<String>,
    pub os: Option<String>,
    pub rustc: Option<String>,
    pub hyperfine: Option<String>,
    /// What idle CPUs did while the waiting workloads were timed, as in [`Params::idle`].
    pub idle: Option<String>,
    pub date: Option<String>,
    pub commit: Option<String>,
    /// The CPython that ran the `python-*` variants, as in [`Params::python`].
    pub python: Option<String>,
}

/// One `<workload>.json` written by `hyperfine --export-json`.
#[derive(Debug, Clone)]
pub struct WorkloadTimings {
    pub workload: String,
    /// Command-line parameters of the workload, from `params.json`.
    pub parameters: Option<String>,
    pub results: Vec<HyperfineResult>,
}

/// The top level of a hyperfine 1.x JSON export.
#[derive(Debug, Clone, Deserialize)]
struct HyperfineExport {
    results: Vec<HyperfineResult>,
}

/// One benchmarked command in a hyperfine 1.x JSON export; times in seconds.
/// Fields the report does not use (`parameters`, `memory_usage_byte`) are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HyperfineResult {
    /// The name given with `-n`, which is the variant's name (`seq`, `threads scoped`, ...).
    pub command: String,
    pub mean: f64,
    /// `null` in hyperfine's JSON when there was a single run.
    pub stddev: Option<f64>,
    pub median: f64,
    pub user: f64,
    pub system: f64,
    pub min: f64,
    pub max: f64,
    #[serde(default)]
    pub times: Vec<f64>,
    /// `null` for a run killed by a signal.
    #[serde(default)]
    pub exit_codes: Vec<Option<i32>>,
}

#[cfg(test)]
impl HyperfineResult {
    /// A three-run result for tests: the given mean, median and deviation,
    /// every run at the median, `min` the median and `max` the larger of the two.
    pub fn for_test(command: &str, mean: f64, median: f64, stddev: Option<f64>) -> Self {
        HyperfineResult {
            command: command.to_string(),
            mean,
            stddev,
            median,
            user: 0.0,
            system: 0.0,
            min: median,
            max: mean.max(median),
            times: vec![median; 3],
            exit_codes: vec![Some(0); 3],
        }
    }
}

/// One line of `records.jsonl`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordLine {
    /// 1-based line number in `records.jsonl`, for messages.
    pub line: usize,
    pub workload: String,
    /// Matches hyperfine's `command` name for the same variant.
    pub variant: String,
    /// The exact command line the record came from.
    pub command: Option<String>,
    pub record: Record,
}

/// The fields of a binary's result record that the report reads. Other fields are ignored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// `seq`, `threads`, `async`, `procs`, `python-threads`, ...
    pub model: Option<String>,
    pub checksum: Option<String>,
    pub errors: Option<u64>,
    pub peak_rss_kib: Option<u64>,
    pub concurrency: Option<u64>,
    pub workers: Option<u64>,
    /// Units of work the job was split into (`squares`: numbers, `range-sum`: parts).
    pub tasks: Option<u64>,
    pub requests: Option<u64>,
    pub ideal_ms: Option<f64>,
    /// `download` (async): the most requests that were ever in flight at once.
    pub peak_in_flight: Option<u64>,
    /// `convert`: the cache design (`racy`, `locked`, `single-flight`, `moka`).
    pub cache: Option<String>,
    /// `convert`: the cost of one lookup.
    pub cost_us: Option<u64>,
    /// `convert`: expensive lookups that ran.
    pub conversions: Option<u64>,
    /// `convert`: lookups of a key that had already been, or was being, converted.
    pub duplicates: Option<u64>,
    /// `download`: percentiles of the requests' latencies.
    pub latency_ms: Option<LatencyMs>,
    /// `download --blocking-ms`: the CPU time of the task that does not yield.
    pub blocking_ms: Option<u64>,
    /// `download --blocking-ms` (async): where the blocking task ran (`none`,
    /// `spawn-blocking`, `block-in-place`).
    pub offload: Option<String>,
}

impl Record {
    /// Pulls the known fields out of a record object; a field of the wrong type counts as absent.
    pub fn from_object(object: &Map<String, Value>) -> Self {
        let count = |key: &str| object.get(key).and_then(as_count);
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_string);
        Record {
            model: text("model"),
            checksum: object.get("checksum").and_then(|value| match value {
                Value::String(text) => Some(text.clone()),
                Value::Number(number) => Some(number.to_string()),
                _ => None,
            }),
            errors: count("errors"),
            peak_rss_kib: count("peak_rss_kib"),
            concurrency: count("concurrency"),
            workers: count("workers"),
            tasks: count("tasks"),
            requests: count("requests"),
            ideal_ms: object.get("ideal_ms").and_then(Value::as_f64),
            peak_in_flight: count("peak_in_flight"),
            cache: text("cache"),
            cost_us: count("cost_us"),
            conversions: count("conversions"),
            duplicates: count("duplicates"),
            latency_ms: object.get("latency_ms").and_then(LatencyMs::from_value),
            blocking_ms: count("blocking_ms"),
            offload: text("offload"),
        }
    }

    /// How many pieces of work may run at once: `concurrency`, else `workers`, else 1.
    pub fn parallelism(&self) -> u64 {
        self.concurrency.or(self.workers).unwrap_or(1).max(1)
    }
}

/// A non-negative whole number, written either as an integer or as an integral float.
fn as_count(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        let float = value.as_f64()?;
        // Exact for the counts a record carries (far below 2^53).
        (float >= 0.0 && float.fract() == 0.0).then_some(float as u64)
    })
}

/// Reads every input in `dir`. Nothing is written.
pub fn load(dir: &Path) -> Result<Inputs> {
    if !dir.is_dir() {
        bail!(
            "{} is not a directory (expected the output directory of scripts/compare.sh)",
            dir.display()
        );
    }
    let params = read_params(&dir.join(PARAMS_FILE))?;
    let machine = read_machine(&dir.join(MACHINE_FILE))?;
    let records = read_records(&dir.join(RECORDS_FILE))?;
    let experiments = experiments::read(&dir.join(experiments::SEEDS_FILE))?;

    let workloads = if params.workloads.is_empty() {
        discover_workloads(dir)?
    } else {
        params.workloads.clone()
    };
    if let Some((bad, _)) = workloads.iter().find(|(name, _)| !is_file_name(name)) {
        bail!(
            "{}: workload name {bad:?} cannot be used as a file name",
            dir.join(PARAMS_FILE).display()
        );
    }
    let timings = workloads
        .into_iter()
        .map(|(workload, parameters)| {
            let path = dir.join(format!("{workload}.json"));
            Ok(WorkloadTimings {
                results: read_hyperfine(&path)?,
                workload,
                parameters,
            })
        })
        .collect::<Result<Vec<_>>>()?;

    Ok(Inputs {
        params,
        machine,
        timings,
        records,
        experiments,
    })
}

/// Whether a workload name can become a file name (`<workload>.json`, `<workload>.svg`)
/// in the results directory: not empty, not hidden, no path separator.
pub fn is_file_name(workload: &str) -> bool {
    !(workload.is_empty() || workload.starts_with('.') || workload.contains(['/', '\\']))
}

/// Without a `workloads` list in `params.json`, every other `*.json` in `dir` is a
/// hyperfine export, named after its workload, taken in file-name order.
fn discover_workloads(dir: &Path) -> Result<Vec<(String, Option<String>)>> {
    let entries =
        fs::read_dir(dir).with_context(|| format!("cannot list directory {}", dir.display()))?;
    let mut workloads = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list directory {}", dir.display()))?
            .path();
        let name = path.file_name().and_then(|name| name.to_str());
        if path.extension().is_some_and(|ext| ext == "json")
            && name.is_some_and(|name| name != PARAMS_FILE && name != MACHINE_FILE)
            && let Some(stem) = path.file_stem().and_then(|stem| stem.to_str())
        {
            workloads.push((stem.to_string(), None));
        }
    }
    workloads.sort();
    if workloads.is_empty() {
        bail!(
            "no hyperfine JSON files (<workload>.json) in {} and no `workloads` in {PARAMS_FILE}",
            dir.display()
        );
    }
    Ok(workloads)
}

pub(crate) fn read_text(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn parse_json<T: DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    serde_json::from_str(&read_text(path)?)
        .with_context(|| format!("{} is not {what}", path.display()))
}

/// Reads one hyperfine 1.x `--export-json` file.
pub fn read_hyperfine(path: &Path) -> Result<Vec<HyperfineResult>> {
    let export: HyperfineExport = parse_json(path, HYPERFINE_EXPORT)?;
    check_results(path, &export.results)?;
    Ok(export.results)
}

/// What a hyperfine export is called in messages.
pub(crate) const HYPERFINE_EXPORT: &str = "a hyperfine 1.x --export-json file";

/// The export at `path` has results, each with a positive mean and median.
pub(crate) fn check_results(path: &Path, results: &[HyperfineResult]) -> Result<()> {
    if results.is_empty() {
        bail!("{} has no benchmark results", path.display());
    }
    // The median divides every derived number; the mean is shown beside it.
    for result in results {
        for (what, seconds) in [("mean", result.mean), ("median", result.median)] {
            if !(seconds.is_finite() && seconds > 0.0) {
                bail!(
                    "{}: command {:?} has a {what} time of {seconds} s; expected a positive number",
                    path.display(),
                    result.command
                );
            }
        }
    }
    Ok(())
}

/// `params.json` as written; every field optional.
#[derive(Deserialize)]
struct RawParams {
    #[serde(default)]
    latency_ms: Value,
    #[serde(default)]
    quick: Value,
    #[serde(default)]
    runs: Value,
    #[serde(default)]
    rounds: Value,
    #[serde(default)]
    warmup: Value,
    #[serde(default)]
    idle: Value,
    #[serde(default)]
    python: Value,
    #[serde(default)]
    python_skipped: Value,
    #[serde(default, deserialize_with = "ordered_object")]
    workloads: Vec<(String, Value)>,
}

pub(crate) fn read_params(path: &Path) -> Result<Params> {
    let raw: RawParams = parse_json(path, "a valid run-parameters file")?;
    Ok(Params {
        latency_ms: raw.latency_ms.as_f64(),
        quick: raw.quick.as_bool(),
        runs: as_count(&raw.runs),
        rounds: as_count(&raw.rounds),
        warmup: as_count(&raw.warmup),
        idle: describe(&raw.idle),
        python: describe(&raw.python),
        python_skipped: describe(&raw.python_skipped),
        workloads: raw
            .workloads
            .into_iter()
            .map(|(name, parameters)| (name, describe(&parameters)))
            .collect(),
    })
}

pub(crate) fn read_machine(path: &Path) -> Result<Machine> {
    let raw: Map<String, Value> = parse_json(path, "a JSON object describing the machine")?;
    let text = |key: &str| raw.get(key).and_then(describe);
    Ok(Machine {
        cpu: text("cpu"),
        cores: raw.get("cores").and_then(as_count),
        memory_gib: raw.get("memory_gib").and_then(Value::as_f64),
        kernel: text("kernel"),
        os: text("os"),
        rustc: text("rustc"),
        hyperfine: text("hyperfine"),
        idle: text("idle"),
        date: text("date"),
        commit: text("commit"),
        python: text("python"),
    })
}

/// A descriptive value as text: strings as they are, other values as compact JSON;
/// `null` and blank strings are absent.
fn describe(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) if text.trim().is_empty() => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// One line of `records.jsonl` as written.
#[derive(Deserialize)]
struct RawRecordLine {
    workload: String,
    variant: String,
    #[serde(default)]
    command: Option<String>,
    record: Map<String, Value>,
}

/// Reads `records.jsonl`; blank lines are skipped, any other line must parse.
pub fn read_records(path: &Path) -> Result<Vec<RecordLine>> {
    let text = read_text(path)?;
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_number = index + 1;
        let raw: RawRecordLine = serde_json::from_str(line).with_context(|| {
            format!(
                "{}:{line_number}: not a record line \
                 ({{\"workload\":...,\"variant\":...,\"record\":{{...}}}})",
                path.display()
            )
        })?;
        records.push(RecordLine {
            line: line_number,
            record: Record::from_object(&raw.record),
            workload: raw.workload,
            variant: raw.variant,
            command: raw.command,
        });
    }
    Ok(records)
}

/// Deserializes a JSON object into its entries in document order (`serde_json::Map`
/// sorts its keys unless the crate-wide `preserve_order` feature is switched on,
/// and the report must list workloads in the order the script ran them).
fn ordered_object<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(String, Value)>, D::Error> {
    struct Entries;

    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<(String, Value)>;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("an object mapping workload names to their parameters")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut entries = Vec::new();
            while let Some(entry) = map.next_entry::<String, Value>()? {
                entries.push(entry);
            }
            Ok(entries)
        }
    }

    deserializer.deserialize_any(Entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Workloads keep the order of `params.json`, not alphabetical order.
    #[test]
    fn params_keep_workload_order_and_tolerate_odd_types() {
        let raw: RawParams = serde_json::from_str(
            r#"{"latency_ms":"fifty","runs":10.0,
                "workloads":{"squares":"--count 20","download":"--repeat 80","convert":""}}"#,
        )
        .expect("valid JSON");
        let names: Vec<_> = raw
            .workloads
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(names, ["squares", "download", "convert"]);
        assert_eq!(describe(&raw.workloads[0].1).as_deref(), Some("--count 20"));
        assert_eq!(
            describe(&raw.workloads[2].1),
            None,
            "blank parameters are absent"
        );
        assert_eq!(raw.latency_ms.as_f64(), None);
        assert_eq!(as_count(&raw.runs), Some(10));
    }

    /// Record fields are read leniently; `parallelism` falls back from concurrency to workers to 1.
    #[test]
    fn record_fields_and_parallelism_fallbacks() {
        let object = |text: &str| -> Map<String, Value> {
            serde_json::from_str(text).expect("valid JSON object")
        };
        let full = Record::from_object(&object(
            r#"{"checksum":"42","errors":0,"workers":4,"concurrency":8,"peak_rss_kib":2048.0}"#,
        ));
        assert_eq!(full.checksum.as_deref(), Some("42"));
        assert_eq!(full.peak_rss_kib, Some(2048));
        assert_eq!(full.parallelism(), 8);
        assert_eq!(
            Record::from_object(&object(r#"{"workers":4}"#)).parallelism(),
            4
        );
        assert_eq!(Record::from_object(&object("{}")).parallelism(), 1);
        assert_eq!(
            Record::from_object(&object(r#"{"checksum":17,"concurrency":0}"#)),
            Record {
                checksum: Some("17".into()),
                concurrency: Some(0),
                ..Record::default()
            }
        );
        assert_eq!(
            Record::from_object(&object(r#"{"concurrency":0}"#)).parallelism(),
            1
        );
    }
}
