//! The files of a results directory, one serde type per file, used both to write
//! it and to read it back (`seeds.tsv` is read beside the seeds' figures).
//!
//! Measurements are read strictly: a garbled export or record line is an error
//! naming the file (and line), because a table built from half a file would look
//! plausible and be wrong. What describes a run (params, machine, a record's
//! fields) is read leniently ([`lenient`]), so an older or newer script still gets
//! a report. Records are kept as the binary wrote them ([`RawValue`]), so a line
//! written and read back is the same bytes.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use clap::Args;
use indexmap::IndexMap;
use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Number, Value};

pub const PARAMS_FILE: &str = "params.json";
pub const MACHINE_FILE: &str = "machine.json";
pub const RECORDS_FILE: &str = "records.jsonl";
pub const README_FILE: &str = "README.md";

/// Every field is optional, and a value of an unexpected type reads as absent
/// rather than failing the whole file; blank text is absent too. A count may be
/// an integral float (`2048.0`) and text a number (a checksum of `17`).
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    let value = Value::deserialize(d)?;
    let fallback = match &value {
        Value::String(text) if text.trim().is_empty() => return Ok(None),
        Value::Number(number) => match number.as_f64() {
            // Exact for the counts a record carries (far below 2^53).
            Some(f) if f >= 0.0 && f.fract() == 0.0 && number.as_u64().is_none() => {
                Value::from(f as u64)
            }
            _ => Value::String(number.to_string()),
        },
        _ => Value::Null,
    };
    Ok(serde_json::from_value(value).or_else(|_| serde_json::from_value(fallback)).ok())
}

/// Declares a struct whose every field is read by [`lenient`], said once here
/// instead of an attribute on each field.
/// Fields after a line holding `;` are read as they are declared.
macro_rules! lenient {
    ($(#[$meta:meta])* pub struct $name:ident {
        $($(#[$field_meta:meta])* pub $field:ident: $type:ty,)*
        $(; $($(#[$other_meta:meta])* pub $other:ident: $other_type:ty,)*)?
    }) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* #[serde(default, deserialize_with = "lenient")] pub $field: $type,)*
            $($($(#[$other_meta])* pub $other: $other_type,)*)?
        }
    };
}

lenient! {
    /// `params.json`: how the run was made. compare.sh and sweep.sh write every
    /// key, with `concur-report params`, whose options are these fields.
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Args)]
    pub struct Params {
        /// Simulated per-request latency of the site server, in milliseconds.
        #[arg(long, value_name = "MS")]
        pub latency_ms: Option<u64>,
        /// Whether this was a --quick scratch run.
        #[arg(long, value_name = "true|false")]
        pub quick: Option<bool>,
        /// Timed runs per variant.
        #[arg(long, value_name = "N")]
        pub runs: Option<u64>,
        /// Rounds the runs were split into (see `rounds.rs`).
        #[arg(long, value_name = "N")]
        pub rounds: Option<u64>,
        /// Warmup runs before the first round.
        #[arg(long, value_name = "N")]
        pub warmup: Option<u64>,
        /// What idle CPUs did while the waiting workloads were timed, in words.
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
        pub idle: Option<String>,
        /// The CPython that ran the python-* variants (`Python 3.12.3`).
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true, conflicts_with = "python_skipped")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub python: Option<String>,
        /// Why the python-* variants were not run.
        #[arg(long, value_name = "REASON", allow_hyphen_values = true)]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub python_skipped: Option<String>,
        ;
        /// Each workload's parameters, in the order they ran (sweep.sh: each
        /// sweep's parameter); given as `--workload NAME=ARGS` (see main.rs).
        #[arg(skip)]
        #[serde(default)]
        pub workloads: IndexMap<String, Option<String>>,
    }
}

lenient! {
    /// `machine.json`: where the run was measured. `concur-report machine` reads
    /// the first five fields from the system ([`crate::machine`]) and takes the
    /// others as options.
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Args)]
    pub struct Machine {
        #[arg(skip)]
        pub cpu: Option<String>,
        /// CPUs the process may run on (as `nproc`).
        #[arg(skip)]
        pub cores: Option<u64>,
        /// `MemTotal`, in GiB to one decimal.
        #[arg(skip)]
        pub memory_gib: Option<f64>,
        #[arg(skip)]
        pub kernel: Option<String>,
        #[arg(skip)]
        pub os: Option<String>,
        /// `rustc --version`.
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true, required = true)]
        pub rustc: Option<String>,
        /// hyperfine's version (`1.20.0`).
        #[arg(long, value_name = "VERSION", required = true)]
        pub hyperfine: Option<String>,
        /// What idle CPUs did while the waiting workloads were timed.
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true, required = true)]
        pub idle: Option<String>,
        /// When the run was made (UTC, ISO 8601).
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true, required = true)]
        pub date: Option<String>,
        /// The commit measured (`42af63d (with uncommitted changes)`).
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true, required = true)]
        pub commit: Option<String>,
        /// The CPython that ran the python-* variants (`Python 3.12.3`).
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub python: Option<String>,
    }
}

/// One benchmarked command of a hyperfine 1.x export; times in seconds. Fields
/// concur does not use (`parameters`, `memory_usage_byte`) are not kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HyperfineResult {
    /// The name given with `-n`: the variant's name.
    pub command: String,
    pub mean: f64,
    /// `null` when there was a single run.
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

/// A hyperfine 1.x `--export-json` file; [`Export::join`] copies results as
/// hyperfine wrote them ([`RawValue`]), fields concur does not read included.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Export<R = HyperfineResult> {
    pub results: Vec<R>,
}

const EXPORT: &str = "a hyperfine 1.x --export-json file";

impl Export {
    /// Reads an export; it must have results, each with a positive mean and median
    /// (the median divides every derived number).
    pub fn read(path: &Path) -> Result<Vec<HyperfineResult>> {
        let export: Export = read_json(path, EXPORT)?;
        ensure!(!export.results.is_empty(), "{} has no benchmark results", path.display());
        for result in &export.results {
            for (what, seconds) in [("mean", result.mean), ("median", result.median)] {
                let command = &result.command;
                ensure!(
                    seconds.is_finite() && seconds > 0.0,
                    "{}: command {command:?} has a {what} time of {seconds} s; expected a positive number",
                    path.display()
                );
            }
        }
        Ok(export.results)
    }

    /// The exports of one command each (compare.sh times every command on its
    /// own), joined into one in argument order; a command twice is refused.
    pub fn join(inputs: &[PathBuf]) -> Result<String> {
        let mut joined: Export<Box<RawValue>> = Export { results: Vec::new() };
        let mut commands = Vec::new();
        for path in inputs {
            let raw: Export<Box<RawValue>> = read_json(path, EXPORT)?;
            for (result, checked) in raw.results.into_iter().zip(Export::read(path)?) {
                let (command, path) = (&checked.command, path.display());
                ensure!(
                    !commands.contains(command),
                    "{path}: command {command:?} is also in an earlier export; each variant must be timed once per round"
                );
                commands.push(checked.command);
                joined.results.push(result);
            }
        }
        pretty(&joined)
    }
}

lenient! {
    /// The fields of a binary's result record that the report reads.
    #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
    pub struct Record {
        /// `seq`, `threads`, `async`, `procs`, `python-threads`, ...
        pub model: Option<String>,
        /// A decimal string, equal in every model for equal inputs.
        pub checksum: Option<String>,
        pub errors: Option<u64>,
        pub peak_rss_kib: Option<u64>,
        /// Proportional set size (procs' `sleep`): shared pages split between sharers.
        pub pss_kib: Option<u64>,
        /// `sleep`, `download`: page tables while the most tasks were alive.
        pub page_tables_kib: Option<u64>,
        /// `cluster`: what crossed between its processes.
        pub bytes_exchanged: Option<u64>,
        pub concurrency: Option<u64>,
        pub workers: Option<u64>,
        /// Units of work the job was split into.
        pub tasks: Option<u64>,
        pub requests: Option<u64>,
        /// The program's own time around its work.
        pub elapsed_ms: Option<f64>,
        pub ideal_ms: Option<f64>,
        /// `download` (async): the most requests in flight at once.
        pub peak_in_flight: Option<u64>,
        /// `convert`: the cache design, the cost of a lookup, the lookups that ran
        /// and those of a key that had already been, or was being, converted.
        pub cache: Option<String>,
        pub cost_us: Option<u64>,
        pub conversions: Option<u64>,
        pub duplicates: Option<u64>,
        /// `download`: the requests' latency percentiles.
        pub latency_ms: Option<LatencyMs>,
        /// `download --blocking-ms`: the task that does not yield, and where it ran
        /// (`none`, `spawn-blocking`, `block-in-place`).
        pub blocking_ms: Option<u64>,
        pub offload: Option<String>,
        /// `sleep`: how long each task waited.
        pub wait_ms: Option<f64>,
        /// CPU time of the model's work; `download --server-stats`: the site
        /// server's over the same run.
        pub cpu_ms: Option<CpuMs>,
        pub server_cpu_ms: Option<CpuMs>,
        /// `download --rate`: the rate asked for and the rate answered.
        pub offered_rps: Option<f64>,
        pub achieved_rps: Option<f64>,
    }
}

/// A record's CPU time, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CpuMs {
    pub user: NonNegative,
    pub sys: NonNegative,
}

impl CpuMs {
    pub fn total(self) -> f64 {
        self.user.0 + self.sys.0
    }
}

impl Record {
    /// How many pieces of work may run at once: `concurrency`, else `workers`, else 1.
    pub fn parallelism(&self) -> u64 {
        self.concurrency.or(self.workers).unwrap_or(1).max(1)
    }
}

/// A record's `latency_ms`: nearest-rank percentiles in milliseconds. All four
/// or none: a table with a made-up tail would be worse than one without.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencyMs {
    pub p50: NonNegative,
    pub p90: NonNegative,
    pub p99: NonNegative,
    pub max: NonNegative,
}

/// A finite number of at least zero.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64")]
pub struct NonNegative(pub f64);

impl TryFrom<f64> for NonNegative {
    type Error = &'static str;
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        let valid = value.is_finite() && value >= 0.0;
        valid.then_some(NonNegative(value)).ok_or("not a finite number of at least zero")
    }
}

/// One line of `records.jsonl`: a variant's result record from the checked run
/// (`concur-report record` takes the other fields as options).
#[derive(Debug, Clone, Serialize, Deserialize, Args)]
pub struct RecordLine {
    /// The workload's name.
    #[arg(long, value_name = "W")]
    pub workload: String,
    /// The variant's name, as hyperfine's -n gives it.
    #[arg(long, value_name = "V")]
    pub variant: String,
    /// The exact command line the record came from.
    #[arg(long, value_name = "C", allow_hyphen_values = true)]
    #[serde(default)]
    pub command: Option<String>,
    #[arg(skip = RawValue::NULL.to_owned())]
    pub record: Box<RawValue>,
}

/// One line of a sweep's `records.jsonl`: a point and its result record
/// (`concur-report sweep-record` takes the other fields as options).
#[derive(Debug, Clone, Serialize, Deserialize, Args)]
pub struct SweepLine {
    /// The sweep's name (tasks, inflight, latency, tasksize, workers, callers).
    #[arg(long, value_name = "S")]
    pub sweep: String,
    /// The swept parameter's name (tasks, in_flight, latency_ms, ...).
    #[arg(long, value_name = "P")]
    pub parameter: String,
    /// Kept as the number it was given, so `1000000` stays an integer.
    #[arg(skip = Number::from(0))]
    pub value: Number,
    /// The variant's name, as hyperfine's -n gives it.
    #[arg(long, value_name = "NAME")]
    pub variant: String,
    /// The exact command line that was timed.
    #[arg(long, value_name = "CMD", allow_hyphen_values = true)]
    pub command: String,
    /// The point's hyperfine export, relative to the sweep directory.
    #[arg(long, value_name = "REL")]
    pub export: String,
    #[arg(skip = RawValue::NULL.to_owned())]
    pub record: Box<RawValue>,
    /// `inflight`: the record of the same command at 0 ms latency, whose CPU per request is the
    /// point's CPU bound.
    #[arg(skip)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_latency: Option<Box<RawValue>>,
}

/// A result record as one line of JSON, as written when it is one line already;
/// an error when it is not a JSON object.
pub fn record_object(record: &str) -> Result<Box<RawValue>> {
    let short: String = record.chars().take(120).collect();
    let excerpt = format!("{short:?}{}", if short.len() < record.len() { "..." } else { "" });
    let raw: Box<RawValue> = serde_json::from_str(record)
        .with_context(|| format!("the record is not JSON: {excerpt}"))?;
    ensure!(raw.get().starts_with('{'), "the record is not a JSON object: {excerpt}");
    // A record spread over lines would break the one-record-a-line file.
    if raw.get().contains(['\n', '\r']) {
        let value: Value = serde_json::from_str(raw.get()).context("the record is not JSON")?;
        return RawValue::from_string(value.to_string()).context("cannot re-encode the record");
    }
    Ok(raw)
}

pub fn record_of(raw: &RawValue) -> Record {
    // An object was checked when the line was read, and every field is lenient.
    serde_json::from_str(raw.get()).unwrap_or_default()
}

/// Reads a JSON-lines file: blank lines skipped, any other must parse as `T`;
/// each value comes with its 1-based line number.
pub fn read_lines<T: DeserializeOwned>(path: &Path, what: &str) -> Result<Vec<(usize, T)>> {
    let text = read_text(path)?;
    let lines = text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty());
    lines
        .map(|(index, line)| {
            let value = serde_json::from_str(line)
                .with_context(|| format!("{}:{}: not {what}", path.display(), index + 1))?;
            Ok((index + 1, value))
        })
        .collect()
}

/// The run described in `dir`, the output directory of `script`: its params and machine.
pub fn read_run(dir: &Path, script: &str) -> Result<(Params, Machine)> {
    let expected = format!("expected the output directory of {script}");
    ensure!(dir.is_dir(), "{} is not a directory ({expected})", dir.display());
    let params = read_json(&dir.join(PARAMS_FILE), "a run-parameters file")?;
    Ok((params, read_json(&dir.join(MACHINE_FILE), "a machine description")?))
}

/// CSV text of `records`, the header first, each field quoted only where it needs it.
pub fn csv_text<R: IntoIterator<Item = String>>(
    records: impl IntoIterator<Item = R>,
) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in records {
        writer.write_record(record)?;
    }
    String::from_utf8(writer.into_inner()?).context("the CSV is not UTF-8")
}

/// One line of JSON with its line break.
pub fn one_line<T: Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string(value).context("cannot serialize")? + "\n")
}

pub fn pretty<T: Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string_pretty(value).context("cannot serialize")? + "\n")
}

pub fn read_text(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

pub fn read_json<T: DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    serde_json::from_str(&read_text(path)?)
        .with_context(|| format!("{} is not {what}", path.display()))
}

/// Whether a name can become a file name in the results directory.
pub fn is_file_name(name: &str) -> bool {
    !(name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']))
}

/// Writes `contents` to `path` through a temporary file in the same directory
/// and a rename, so a reader never sees half a file.
pub fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or("out");
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&temporary, contents)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    fs::rename(&temporary, path).with_context(|| {
        let _ = fs::remove_file(&temporary);
        format!("cannot move {} into place", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Params keep the workloads' order, read odd types as absent, and write the
    /// layout compare.sh always wrote.
    #[test]
    fn params_round_trip_in_order() -> Result<()> {
        let params: Params = serde_json::from_str(
            r#"{"latency_ms":"fifty","runs":10.0,"idle":" ",
                "workloads":{"squares":"--count 20","download":"--repeat 80","convert":""}}"#,
        )?;
        let names: Vec<_> = params.workloads.keys().map(String::as_str).collect();
        assert_eq!(names, ["squares", "download", "convert"]);
        assert_eq!((params.latency_ms, params.runs, params.idle), (None, Some(10), None));
        let written = Params {
            latency_ms: Some(50),
            workloads: [("b".into(), Some("--x 1".into())), ("a".into(), None)].into(),
            ..Params::default()
        };
        let text = one_line(&written)?;
        assert!(text.contains(r#""workloads":{"b":"--x 1","a":null}"#), "{text}");
        assert_eq!(serde_json::from_str::<Params>(&text)?, written);
        Ok(())
    }

    /// Record fields are read leniently; latency needs all four percentiles.
    #[test]
    fn records_are_lenient() -> Result<()> {
        let record = |text: &str| record_of(&record_object(text).expect("an object"));
        let full = record(
            r#"{"checksum":17,"errors":0,"workers":4,"concurrency":8,"peak_rss_kib":2048.0,
                "latency_ms":{"p50":51.2,"p90":53,"p99":512.5,"max":530.25},"model":true}"#,
        );
        assert_eq!(full.checksum.as_deref(), Some("17"));
        assert_eq!((full.peak_rss_kib, full.parallelism(), full.model), (Some(2048), 8, None));
        assert_eq!(full.latency_ms.map(|l| l.p99.0), Some(512.5));
        assert_eq!(record(r#"{"latency_ms":{"p50":1,"p90":2,"p99":3}}"#).latency_ms, None);
        assert_eq!(record(r#"{"latency_ms":{"p50":-1,"p90":2,"p99":3,"max":4}}"#).latency_ms, None);
        assert_eq!(record(r#"{"concurrency":0}"#).parallelism(), 1);
        assert!(record_object("[1]").is_err() && record_object("{").is_err());
        assert_eq!(record_object("{\n\"a\": 1\n}")?.get(), r#"{"a":1}"#);
        Ok(())
    }
}
