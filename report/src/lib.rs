//! The report generator: turns what `scripts/compare.sh` measured into `summary.csv`,
//! `README.md` and one SVG bar chart per workload, all in the results directory.
//!
//! Timings come from hyperfine's JSON, everything else a row shows (peak memory,
//! checksum, the parallelism an ideal bound needs) from the records the binaries
//! printed in the correctness-gate run; the two are joined on (workload, variant).
//! hyperfine's own memory figure is not used: it is wrong in 1.20 and never sums a
//! process tree (see `shared/FACTS.md`).
//!
//! Every derived number (order, speedup, ideal bound, ratio to ideal) comes from
//! hyperfine's median wall time, not its mean: on a shared 2-vCPU VM a single slow
//! run among ten (545 ms among runs of ~365 ms) drags the mean by ~18 ms and barely
//! moves the median. The mean and σ are still shown, as a measure of the noise.
//!
//! # Layout
//! - [`rounds`]: joining the rounds' hyperfine exports (`rounds/<workload>.<k>.json`)
//!   into one `<workload>.json`, `.csv` and `.md` per workload, before anything else
//! - [`input`]: reading the inputs, strict for measurements, lenient for descriptions
//! - this module: joining timings and records; speedup, ideal bound, checksum agreement
//! - [`summary`], [`markdown`], [`svg`]: the three kinds of output, rendered as strings
//! - [`format`](mod@format): durations, memory and factors for humans
//!
//! Every output is rendered in memory before the first is written, and each is
//! written to a temporary file and renamed into place, so a bad input or a failed
//! write never leaves a half-written or half-updated report behind.

pub mod format;
pub mod input;
pub mod markdown;
pub mod rounds;
pub mod summary;
pub mod svg;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub use input::{HyperfineResult, Inputs, Machine, Params, Record, RecordLine, WorkloadTimings};

/// The baseline variant every other variant is compared with.
pub const SEQ: &str = "seq";
/// File name of the merged table.
pub const SUMMARY_FILE: &str = "summary.csv";
/// File name of the findings page.
pub const README_FILE: &str = "README.md";

/// Workload names that have an ideal-bound rule. These are the names the binaries
/// use on their command line; the report only needs them as strings.
const DOWNLOAD: &str = "download";
const CPU_BOUND: [&str; 2] = ["squares", "range-sum"];

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

/// The fastest time a variant could reach, and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ideal {
    pub seconds: f64,
    pub rule: IdealRule,
}

/// Which rule gave an ideal bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IdealRule {
    /// The binary reported `ideal_ms` in its record.
    Reported,
    /// `ceil(requests / concurrency) * latency_ms`: waves of requests, each one latency long.
    Latency,
    /// `seq median / min(concurrency, cores)`: perfect division of the sequential work.
    CpuBound,
}

/// How many times faster than `seq` a variant ran, from the two medians.
pub fn speedup(seq_median_s: f64, median_s: f64) -> f64 {
    seq_median_s / median_s
}

/// The ideal bound of one variant, by the first rule that applies:
/// the record's own `ideal_ms`; for `download` the latency rule; for the CPU-bound
/// workloads the sequential time divided among the lanes that can really run at
/// once (`seq` itself: its own median). `None` when a rule's inputs are missing.
pub fn ideal(
    workload: &str,
    is_seq: bool,
    record: Option<&Record>,
    seq_median_s: Option<f64>,
    latency_ms: Option<f64>,
    cores: Option<u64>,
) -> Option<Ideal> {
    if let Some(ms) = record.and_then(|record| record.ideal_ms)
        && ms.is_finite()
        && ms > 0.0
    {
        return Some(Ideal {
            seconds: ms / 1000.0,
            rule: IdealRule::Reported,
        });
    }
    if workload == DOWNLOAD {
        let record = record?;
        let waves = record.requests?.div_ceil(record.parallelism());
        return Some(Ideal {
            // Exact: request counts are far below 2^53.
            seconds: waves as f64 * latency_ms? / 1000.0,
            rule: IdealRule::Latency,
        });
    }
    if CPU_BOUND.contains(&workload) {
        let seq_median_s = seq_median_s?;
        let lanes = if is_seq {
            1
        } else {
            record?.parallelism().min(cores?.max(1))
        };
        return Some(Ideal {
            seconds: seq_median_s / lanes as f64,
            rule: IdealRule::CpuBound,
        });
    }
    None
}

/// Whether a variant's answer agrees with `seq`'s: the same checksum and no errors.
/// `None` when there is nothing to compare (no record, or no `seq` checksum);
/// a record without a checksum disagrees.
pub fn checksum_agrees(record: Option<&Record>, seq: Option<&Record>) -> Option<bool> {
    let record = record?;
    let reference = seq?.checksum.as_ref()?;
    Some(record.checksum.as_ref() == Some(reference) && record.errors.unwrap_or(0) == 0)
}

/// Joins timings with records and computes every derived column.
pub fn build(inputs: Inputs) -> Report {
    let Inputs {
        params,
        machine,
        timings,
        records,
    } = inputs;
    let mut warnings = Vec::new();

    // The last record for a (workload, variant) wins; earlier ones are reported.
    let mut by_key: HashMap<(&str, &str), &RecordLine> = HashMap::new();
    for line in &records {
        if let Some(earlier) = by_key.insert((&line.workload, &line.variant), line) {
            warnings.push(format!(
                "{}:{}: another record for {} / {} (also on line {}); using the later one",
                input::RECORDS_FILE,
                line.line,
                line.workload,
                line.variant,
                earlier.line
            ));
        }
    }

    let workloads = timings
        .iter()
        .map(|timings| build_workload(timings, &by_key, &params, &machine, &mut warnings))
        .collect();

    let timed: HashSet<(&str, &str)> = timings
        .iter()
        .flat_map(|timings| {
            let workload = timings.workload.as_str();
            timings
                .results
                .iter()
                .map(move |result| (workload, result.command.as_str()))
        })
        .collect();
    for line in &records {
        if !timed.contains(&(line.workload.as_str(), line.variant.as_str())) {
            warnings.push(format!(
                "{}:{}: record for {} / {} matches no timed variant; ignored",
                input::RECORDS_FILE,
                line.line,
                line.workload,
                line.variant
            ));
        }
    }

    Report {
        params,
        machine,
        workloads,
        warnings,
    }
}

fn build_workload(
    timings: &WorkloadTimings,
    records: &HashMap<(&str, &str), &RecordLine>,
    params: &Params,
    machine: &Machine,
    warnings: &mut Vec<String>,
) -> WorkloadReport {
    let workload = timings.workload.as_str();
    let record_of = |variant: &str| records.get(&(workload, variant)).copied();
    let seq_median_s = timings
        .results
        .iter()
        .find(|result| result.command == SEQ)
        .map(|result| result.median);
    let seq_record = record_of(SEQ).map(|line| &line.record);

    if seq_median_s.is_none() {
        warnings.push(format!(
            "{workload}: no `{SEQ}` variant in {workload}.json; speedup and checksum agreement left empty"
        ));
    }
    let with_record = timings
        .results
        .iter()
        .filter(|result| record_of(&result.command).is_some())
        .count();
    if with_record == 0 {
        warnings.push(format!(
            "{workload}: no records in {}; peak RSS, checksum and most ideal bounds left empty",
            input::RECORDS_FILE
        ));
    }
    if workload == DOWNLOAD && params.latency_ms.is_none() {
        warnings.push(format!(
            "{workload}: no latency_ms in {}; ideal bound left empty",
            input::PARAMS_FILE
        ));
    }
    if CPU_BOUND.contains(&workload) && machine.cores.is_none() {
        warnings.push(format!(
            "{workload}: no cores in {}; ideal bound left empty except for {SEQ}",
            input::MACHINE_FILE
        ));
    }

    let mut rows: Vec<Row> = timings
        .results
        .iter()
        .map(|timing| {
            let line = record_of(&timing.command);
            let record = line.map(|line| &line.record);
            let is_seq = timing.command == SEQ;
            if line.is_none() && with_record > 0 {
                warnings.push(format!(
                    "{workload} / {}: no record in {}; its record columns are empty",
                    timing.command,
                    input::RECORDS_FILE
                ));
            }
            let ideal = ideal(
                workload,
                is_seq,
                record,
                seq_median_s,
                params.latency_ms,
                machine.cores,
            );
            let row = Row {
                variant: timing.command.clone(),
                speedup_vs_seq: seq_median_s.map(|seq| speedup(seq, timing.median)),
                ratio_to_ideal: ideal.map(|ideal| timing.median / ideal.seconds),
                ideal,
                checksum_agrees: checksum_agrees(record, seq_record),
                record: record.cloned(),
                command: line.and_then(|line| line.command.clone()),
                timing: timing.clone(),
            };
            if row.failed_runs() > 0 {
                warnings.push(format!(
                    "{workload} / {}: {} of {} timed runs exited non-zero",
                    row.variant,
                    row.failed_runs(),
                    row.timing.exit_codes.len()
                ));
            }
            row
        })
        .collect();
    rows.sort_by(|a, b| {
        a.timing
            .median
            .total_cmp(&b.timing.median)
            .then_with(|| a.variant.cmp(&b.variant))
    });

    WorkloadReport {
        workload: workload.to_string(),
        parameters: timings.parameters.clone(),
        rows,
    }
}

/// One rendered output file.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub file_name: String,
    pub contents: String,
}

/// Renders every output file of a report.
pub fn render(report: &Report) -> Vec<Output> {
    let mut outputs = vec![
        Output {
            file_name: SUMMARY_FILE.to_string(),
            contents: summary::csv(report),
        },
        Output {
            file_name: README_FILE.to_string(),
            contents: markdown::readme(report),
        },
    ];
    outputs.extend(report.workloads.iter().map(|workload| Output {
        file_name: svg::file_name(&workload.workload),
        contents: svg::bar_chart(workload),
    }));
    outputs
}

/// What [`generate`] did.
#[derive(Debug, Clone)]
pub struct Generated {
    pub report: Report,
    pub written: Vec<PathBuf>,
}

/// Reads the inputs in `dir` and writes every output into it.
pub fn generate(dir: &Path) -> Result<Generated> {
    let mut written = rounds::merge_rounds(dir)?;
    let report = build(input::load(dir)?);
    for output in render(&report) {
        let path = dir.join(&output.file_name);
        write_atomically(&path, &output.contents)?;
        written.push(path);
    }
    Ok(Generated { report, written })
}

/// Writes `contents` next to `path` under a temporary name, then renames it over
/// `path`: a reader never sees a half-written file.
fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let result = fs::write(&temporary, contents)
        .with_context(|| format!("cannot write {}", temporary.display()))
        .and_then(|()| {
            fs::rename(&temporary, path).with_context(|| {
                format!(
                    "cannot rename {} to {}",
                    temporary.display(),
                    path.display()
                )
            })
        });
    if result.is_err() {
        // Best effort: the error being returned is the one that matters.
        let _ = fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(concurrency: Option<u64>, workers: Option<u64>, requests: Option<u64>) -> Record {
        Record {
            concurrency,
            workers,
            requests,
            ..Record::default()
        }
    }

    fn seconds(ideal: Option<Ideal>) -> Option<f64> {
        ideal.map(|ideal| ideal.seconds)
    }

    /// Speedup is the seq median over the variant's median.
    #[test]
    fn speedup_divides_seq_by_variant() {
        assert_eq!(speedup(8.0, 2.0), 4.0);
        assert_eq!(speedup(1.0, 2.0), 0.5);
        assert_eq!(speedup(3.0, 3.0), 1.0);
    }

    /// A record's own `ideal_ms` beats every other rule, for any workload.
    #[test]
    fn reported_ideal_wins() {
        let reported = Record {
            ideal_ms: Some(250.0),
            requests: Some(160),
            ..Record::default()
        };
        for workload in ["download", "squares", "convert"] {
            assert_eq!(
                ideal(
                    workload,
                    false,
                    Some(&reported),
                    Some(9.0),
                    Some(50.0),
                    Some(2)
                ),
                Some(Ideal {
                    seconds: 0.25,
                    rule: IdealRule::Reported
                })
            );
        }
    }

    /// Download's ideal is one latency per wave of `concurrency` requests, rounded up.
    #[test]
    fn download_ideal_counts_waves_of_requests() {
        let ideal_s = |record: &Record| {
            seconds(ideal(
                "download",
                false,
                Some(record),
                None,
                Some(50.0),
                Some(2),
            ))
        };
        // The seed's numbers: 160 requests at 50 ms (FACTS.md).
        assert_eq!(ideal_s(&record(None, None, Some(160))), Some(8.0));
        assert_eq!(ideal_s(&record(Some(5), None, Some(160))), Some(1.6));
        assert_eq!(ideal_s(&record(Some(160), None, Some(160))), Some(0.05));
        assert_eq!(ideal_s(&record(None, Some(2), Some(160))), Some(4.0));
        // 161 requests in waves of 5: 33 waves, not 32.2.
        assert_eq!(ideal_s(&record(Some(5), None, Some(161))), Some(1.65));
        // Cores do not bound waiting.
        assert_eq!(ideal_s(&record(Some(64), None, Some(128))), Some(0.1));
        assert_eq!(
            ideal(
                "download",
                false,
                Some(&record(Some(5), None, Some(160))),
                None,
                None,
                None
            ),
            None,
            "no latency, no bound"
        );
        assert_eq!(ideal_s(&record(Some(5), None, None)), None, "no requests");
        assert_eq!(
            ideal("download", false, None, None, Some(50.0), None),
            None,
            "no record"
        );
    }

    /// CPU-bound ideals divide the seq median among min(concurrency, cores) lanes.
    #[test]
    fn cpu_ideal_divides_seq_among_usable_cores() {
        let ideal_s = |record: Option<&Record>, is_seq: bool, cores: Option<u64>| {
            seconds(ideal("squares", is_seq, record, Some(3.0), None, cores))
        };
        assert_eq!(
            ideal_s(Some(&record(Some(2), None, None)), false, Some(2)),
            Some(1.5)
        );
        assert_eq!(
            ideal_s(Some(&record(Some(8), None, None)), false, Some(2)),
            Some(1.5)
        );
        assert_eq!(
            ideal_s(Some(&record(None, Some(3), None)), false, Some(4)),
            Some(1.0)
        );
        assert_eq!(
            ideal_s(Some(&record(None, None, None)), false, Some(4)),
            Some(3.0)
        );
        assert_eq!(
            ideal_s(None, true, None),
            Some(3.0),
            "seq's ideal is its median"
        );
        assert_eq!(ideal_s(None, false, Some(2)), None, "no record");
        assert_eq!(
            ideal_s(Some(&record(Some(2), None, None)), false, None),
            None
        );
        assert_eq!(
            seconds(ideal(
                "range-sum",
                false,
                Some(&record(Some(2), None, None)),
                Some(4.0),
                None,
                Some(2)
            )),
            Some(2.0)
        );
        assert_eq!(
            ideal("range-sum", true, None, None, None, Some(2)),
            None,
            "no seq"
        );
    }

    /// Rows are ordered by median, and speedup, the CPU ideal and the ratio to it come
    /// from medians: slow outlier runs that drag the means change none of them.
    #[test]
    fn build_orders_and_derives_by_median() {
        let timing = |command: &str, mean: f64, median: f64| {
            HyperfineResult::for_test(command, mean, median, Some(0.1))
        };
        let line = |number: usize, variant: &str, workers: u64| RecordLine {
            line: number,
            workload: "squares".to_string(),
            variant: variant.to_string(),
            command: None,
            record: record(None, Some(workers), None),
        };
        let report = build(Inputs {
            params: Params::default(),
            machine: Machine {
                cores: Some(2),
                ..Machine::default()
            },
            timings: vec![WorkloadTimings {
                workload: "squares".to_string(),
                parameters: None,
                // By mean the order would be threads, procs, seq.
                results: vec![
                    timing(SEQ, 1.2, 1.0),
                    timing("threads", 0.5, 0.55),
                    timing("procs", 0.6, 0.52),
                ],
            }],
            records: vec![line(1, SEQ, 1), line(2, "threads", 2), line(3, "procs", 2)],
        });
        let rows = &report.workloads[0].rows;
        let names: Vec<&str> = rows.iter().map(|row| row.variant.as_str()).collect();
        assert_eq!(names, ["procs", "threads", SEQ]);
        let close = |actual: Option<f64>, expected: f64| {
            actual.is_some_and(|actual| (actual - expected).abs() < 1e-12)
        };
        // procs: 1.0 / 0.52; ideal 1.0 / 2 lanes; 0.52 / 0.5.
        assert!(close(rows[0].speedup_vs_seq, 1.923_076_923_076_923));
        assert!(close(seconds(rows[0].ideal), 0.5));
        assert!(close(rows[0].ratio_to_ideal, 1.04));
        assert!(close(rows[1].speedup_vs_seq, 1.818_181_818_181_818));
        assert!(close(rows[1].ratio_to_ideal, 1.1));
        // seq against itself, and its own ideal is its median.
        assert!(close(rows[2].speedup_vs_seq, 1.0));
        assert!(close(seconds(rows[2].ideal), 1.0));
        assert!(close(rows[2].ratio_to_ideal, 1.0));
    }

    /// Workloads without a rule (and without `ideal_ms`) have no bound.
    #[test]
    fn other_workloads_have_no_ideal() {
        let any = record(Some(2), None, Some(10));
        assert_eq!(
            ideal("convert", false, Some(&any), Some(1.0), Some(50.0), Some(2)),
            None
        );
    }

    /// Checksums agree only when equal to seq's and the record reports no errors.
    #[test]
    fn checksum_agreement_needs_equal_checksum_and_no_errors() {
        let with = |checksum: Option<&str>, errors: Option<u64>| Record {
            checksum: checksum.map(str::to_string),
            errors,
            ..Record::default()
        };
        let seq = with(Some("42"), Some(0));
        assert_eq!(checksum_agrees(Some(&seq), Some(&seq)), Some(true));
        assert_eq!(
            checksum_agrees(Some(&with(Some("42"), None)), Some(&seq)),
            Some(true)
        );
        assert_eq!(
            checksum_agrees(Some(&with(Some("43"), Some(0))), Some(&seq)),
            Some(false)
        );
        assert_eq!(
            checksum_agrees(Some(&with(Some("42"), Some(1))), Some(&seq)),
            Some(false)
        );
        assert_eq!(
            checksum_agrees(Some(&with(None, Some(0))), Some(&seq)),
            Some(false)
        );
        assert_eq!(checksum_agrees(None, Some(&seq)), None);
        assert_eq!(checksum_agrees(Some(&seq), None), None);
    }
}
