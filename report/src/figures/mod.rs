//! The compare report's figures, computed once: every variant's timing, speedup,
//! ideal bound, ratio to it, check and comparison with a baseline, and each
//! workload's lesson, in the model ([`Report`]) that the pages, the terminal,
//! `summary.csv`, the charts and the README blocks all read. Nothing downstream
//! computes a number of its own.
//!
//! Timings come from hyperfine's exports; everything else a row shows (memory,
//! checksum, the parallelism an ideal needs) from the records the binaries
//! printed in the correctness-gate run, joined on (workload, variant). Memory
//! comes from the records, not hyperfine: in hyperfine 1.20 `memory_usage_byte`
//! is a running maximum over every child ever waited for.
//!
//! Building never fails: an input that is missing leaves its figures empty and
//! adds a warning naming the file and what it lacked.

pub mod blocking;
pub mod lessons;
pub mod row;
pub mod seeds;

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, ensure};
use serde::Serialize;

use crate::files::{
    self, Export, HyperfineResult, MACHINE_FILE, Machine, PARAMS_FILE, Params, RECORDS_FILE,
    RecordLine,
};
use crate::stats::{self, Timing};

use self::blocking::Blocking;
use self::lessons::Lesson;
use self::seeds::{Experiment, SEEDS_FILE, Seeds};

pub use self::row::{
    Check, Family, Ideal, IdealRule, Kind, Row, SEQ, VsBaseline, collate, cpu_lanes, ideal,
    latency_bound_s,
};

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub params: Params,
    pub machine: Machine,
    pub workloads: Vec<Workload>,
    /// What the reader of the numbers should know (missing records, failed runs).
    pub warnings: Vec<String>,
    /// Where the run compared with (`--baseline`) was measured.
    pub baseline: Option<Machine>,
    /// The rounds the runs were split into, when more than one.
    pub rounds: Option<u64>,
}

impl Report {
    /// Every row with its workload, in report order.
    pub fn rows(&self) -> impl Iterator<Item = (&Workload, &Row)> {
        self.workloads.iter().flat_map(|w| w.rows.iter().map(move |row| (w, row)))
    }
}

/// One workload: its variants, fastest (lowest median) first, and what they show.
#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    pub name: String,
    pub kind: Kind,
    /// Command-line parameters of the workload, from `params.json`.
    pub parameters: Option<String>,
    /// Never empty: an export without results is refused when read.
    pub rows: Vec<Row>,
    pub lesson: Lesson,
    pub seeds: Option<Seeds>,
    pub blocking: Option<Blocking>,
}

/// Reads every input in `dir` and builds the report. Nothing is written.
pub fn load(dir: &Path) -> Result<Report> {
    let (params, machine) = files::read_run(dir, "scripts/compare.sh")?;
    let records: Vec<(usize, RecordLine)> = files::read_lines(
        &dir.join(RECORDS_FILE),
        "a record line ({\"workload\":...,\"variant\":...,\"record\":{...}})",
    )?;
    let experiments = Experiment::read(&dir.join(SEEDS_FILE))?;
    // Without a `workloads` list every other `*.json` in `dir` is an export, named
    // after its workload, in file-name order.
    let names = if params.workloads.is_empty() {
        let mut names: Vec<(String, Option<String>)> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list directory {}", dir.display()))?
            .filter_map(|entry| {
                let name = entry.ok()?.file_name().into_string().ok()?;
                let stem = name.strip_suffix(".json")?;
                (name != PARAMS_FILE && name != MACHINE_FILE).then(|| (stem.to_string(), None))
            })
            .collect();
        names.sort();
        ensure!(
            !names.is_empty(),
            "no hyperfine JSON files (<workload>.json) in {} and no `workloads` in {PARAMS_FILE}",
            dir.display()
        );
        names
    } else {
        let blank = |p: &Option<String>| p.clone().filter(|p| !p.trim().is_empty());
        params.workloads.iter().map(|(name, p)| (name.clone(), blank(p))).collect()
    };
    let mut timings = Vec::new();
    for (name, parameters) in names {
        let path = dir.join(PARAMS_FILE);
        let usable = files::is_file_name(&name);
        ensure!(usable, "{}: workload name {name:?} cannot be used as a file name", path.display());
        let results = Export::read(&dir.join(format!("{name}.json")))?;
        timings.push((name, parameters, results));
    }
    Ok(build(params, machine, timings, &records, experiments))
}

/// Joins timings with records and derives every figure.
pub fn build(
    params: Params,
    machine: Machine,
    timings: Vec<(String, Option<String>, Vec<HyperfineResult>)>,
    records: &[(usize, RecordLine)],
    experiments: Vec<Experiment>,
) -> Report {
    let mut warnings = Vec::new();
    let mut by_key: HashMap<(&str, &str), (usize, &RecordLine)> = HashMap::new();
    for (line, record) in records {
        let key = (record.workload.as_str(), record.variant.as_str());
        if let Some((earlier, _)) = by_key.insert(key, (*line, record)) {
            warnings.push(format!(
                "{RECORDS_FILE}:{line}: another record for {} / {} (also on line {earlier}); using the later one",
                record.workload, record.variant
            ));
        }
    }
    for (line, record) in records {
        let timed = timings.iter().any(|(name, _, results)| {
            *name == record.workload && results.iter().any(|r| r.command == record.variant)
        });
        if !timed {
            warnings.push(format!(
                "{RECORDS_FILE}:{line}: record for {} / {} matches no timed variant; ignored",
                record.workload, record.variant
            ));
        }
    }
    let workloads = timings
        .into_iter()
        .map(|(name, parameters, results)| {
            let record_of =
                |variant: &str| by_key.get(&(name.as_str(), variant)).map(|(_, line)| *line);
            let cores = machine.cores;
            let mut rows = rows(&name, &results, &record_of, &params, cores, &mut warnings);
            let kind = Kind::of(&name);
            let seeds =
                (kind == Kind::Seeds).then(|| seeds::figures(&mut rows, &experiments, cores));
            let lesson = lessons::lesson(kind, &rows, cores);
            let blocking = (kind == Kind::Blocking).then(|| blocking::figures(&rows));
            Workload { name, kind, parameters, rows, lesson, seeds, blocking }
        })
        .collect();
    let rounds = params.rounds.filter(|rounds| *rounds > 1);
    Report { params, machine, workloads, warnings, baseline: None, rounds }
}

/// One workload's rows, fastest first, with every figure a row has; what is
/// missing goes to `warnings`.
fn rows<'a>(
    name: &str,
    results: &[HyperfineResult],
    record_of: &dyn Fn(&str) -> Option<&'a RecordLine>,
    params: &Params,
    cores: Option<u64>,
    warnings: &mut Vec<String>,
) -> Vec<Row> {
    let kind = Kind::of(name);
    let seq_median = results.iter().find(|r| r.command == SEQ).map(|r| r.median);
    let seq_checksum = record_of(SEQ).and_then(|line| files::record_of(&line.record).checksum);
    let any_record = results.iter().any(|r| record_of(&r.command).is_some());
    let gaps = [
        (seq_median.is_none() && kind != Kind::Seeds).then(|| {
            format!("no `{SEQ}` variant in {name}.json; speedup and checksum agreement left empty")
        }),
        (!any_record).then(|| {
            format!(
                "no records in {RECORDS_FILE}; peak RSS, checksum and most ideal bounds left empty"
            )
        }),
        (kind == Kind::Download && params.latency_ms.is_none())
            .then(|| format!("no latency_ms in {PARAMS_FILE}; ideal bound left empty")),
        (kind == Kind::Cpu && cores.is_none()).then(|| {
            format!("no cores in {MACHINE_FILE}; ideal bound left empty except for {SEQ}")
        }),
    ];
    warnings.extend(gaps.into_iter().flatten().map(|what| format!("{name}: {what}")));
    let mut rows: Vec<Row> = results
        .iter()
        .map(|result| {
            let line = record_of(&result.command);
            let record = line.map(|line| files::record_of(&line.record));
            let (variant, timing) = (&result.command, Timing::of(result, params.rounds));
            if line.is_none() && any_record {
                warnings.push(format!(
                    "{name} / {variant}: no record in {RECORDS_FILE}; its record columns are empty"
                ));
            }
            if timing.failed_runs > 0 {
                let (failed, runs) = (timing.failed_runs, result.exit_codes.len());
                warnings.push(format!(
                    "{name} / {variant}: {failed} of {runs} timed runs exited non-zero"
                ));
            }
            let latency = params.latency_ms.map(|ms| ms as f64);
            let ideal = ideal(kind, *variant == SEQ, record.as_ref(), seq_median, latency, cores);
            let mut row = Row {
                variant: variant.clone(),
                family: Family::of(variant, record.as_ref()),
                speedup: seq_median.map(|seq| seq / result.median),
                ratio_to_ideal: ideal.map(|ideal| result.median / ideal.seconds),
                ideal,
                cpu_per_request: record.as_ref().and_then(row::cpu_per_request),
                checksum_agrees: record
                    .as_ref()
                    .zip(seq_checksum.as_ref())
                    .map(|(r, seq)| r.checksum.as_ref() == Some(seq) && r.errors.unwrap_or(0) == 0),
                rule_kept: record.as_ref().and_then(|r| r.duplicates).map(|d| d == 0),
                check: Check::Unchecked,
                unsteady: timing.unsteady(),
                vs_baseline: None,
                command: line.and_then(|line| line.command.clone()),
                record,
                timing,
            };
            row.set_check();
            row
        })
        .collect();
    rows.sort_by(|a, b| {
        a.timing.median_s.total_cmp(&b.timing.median_s).then_with(|| a.variant.cmp(&b.variant))
    });
    rows
}

/// Fills every row's `vs_baseline` from the earlier results directory `dir`
/// (read as strictly as this run's), for the workloads it ran at the same sizes. Nothing
/// in it is written.
pub fn compare_with(report: &mut Report, dir: &Path) -> Result<()> {
    let (then, machine) = files::read_run(dir, "scripts/compare.sh, to compare with")?;
    let now = report.params.clone();
    for workload in &mut report.workloads {
        let name = &workload.name;
        let path = dir.join(format!("{name}.json"));
        // A time is compared only with one of the same job: sizes and latency.
        let sizes = |params: &Params| (params.workloads.get(name).cloned(), params.latency_ms);
        if then.workloads.contains_key(name) && sizes(&then) != sizes(&now) {
            let warning = format!("{name} ran with other sizes or latency; not compared");
            report.warnings.push(format!("baseline {}: {warning}", dir.display()));
            continue;
        }
        let earlier = if path.exists() {
            Export::read(&path)?
        } else {
            let warning = format!("no {name}.json; every {name} variant is new");
            report.warnings.push(format!("baseline {}: {warning}", dir.display()));
            Vec::new()
        };
        for row in &mut workload.rows {
            let now = &row.timing;
            row.vs_baseline = Some(match earlier.iter().find(|r| r.command == row.variant) {
                None => VsBaseline::New,
                Some(then) => VsBaseline::Compared {
                    baseline_median_s: then.median,
                    ratio: now.median_s / then.median,
                    difference: stats::compare(
                        &now.times,
                        &then.times,
                        (now.min_s, now.max_s),
                        (then.min, then.max),
                    ),
                },
            });
        }
    }
    report.baseline = Some(machine);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::Record;

    fn result(command: &str, mean: f64, median: f64) -> HyperfineResult {
        HyperfineResult {
            command: command.to_string(),
            mean,
            stddev: Some(0.1),
            median,
            user: 0.0,
            system: 0.0,
            min: median,
            max: mean.max(median),
            times: vec![median; 3],
            exit_codes: vec![Some(0); 3],
        }
    }

    fn line(variant: &str, record: &str) -> RecordLine {
        RecordLine {
            workload: "squares".into(),
            variant: variant.into(),
            command: None,
            record: files::record_object(record).expect("an object"),
        }
    }

    /// Rows are ordered by median; speedup, the CPU ideal and the ratio come from
    /// medians, so slow runs that drag the means change none of them.
    #[test]
    fn build_orders_and_derives_by_median() {
        let machine = Machine { cores: Some(2), ..Machine::default() };
        let timings = vec![(
            "squares".to_string(),
            None,
            vec![result(SEQ, 1.2, 1.0), result("threads", 0.5, 0.55), result("procs", 0.6, 0.52)],
        )];
        let records = [
            (1, line(SEQ, r#"{"workers":1,"checksum":"7"}"#)),
            (2, line("threads", r#"{"workers":2,"checksum":"7"}"#)),
            (3, line("procs", r#"{"workers":2,"checksum":"8"}"#)),
        ];
        let report = build(Params::default(), machine, timings, &records, Vec::new());
        let rows = &report.workloads[0].rows;
        let names: Vec<&str> = rows.iter().map(|row| row.variant.as_str()).collect();
        assert_eq!(names, ["procs", "threads", SEQ]);
        let close = |actual: Option<f64>, expected: f64| {
            actual.is_some_and(|a| (a - expected).abs() < 1e-12)
        };
        assert!(close(rows[0].speedup, 1.0 / 0.52));
        assert!(close(rows[0].ideal.map(|i| i.seconds), 0.5));
        assert!(close(rows[1].ratio_to_ideal, 1.1));
        assert!(close(rows[2].ideal.map(|i| i.seconds), 1.0), "seq's ideal is its median");
        assert_eq!((rows[0].check, rows[1].check), (Check::WrongAnswer, Check::Passed));
    }

    /// Download's ideal is one latency per wave of requests, rounded up; a
    /// reported ideal wins; a workload without a rule has none.
    #[test]
    fn ideal_rules() {
        let record = |text: &str| files::record_of(&files::record_object(text).expect("object"));
        let five = record(r#"{"concurrency":5,"requests":161}"#);
        let at = |kind, record: &Record| {
            ideal(kind, false, Some(record), Some(3.0), Some(50.0), Some(2)).map(|i| i.seconds)
        };
        assert_eq!(at(Kind::Download, &five), Some(1.65));
        assert_eq!(at(Kind::Cpu, &five), Some(1.5));
        assert_eq!(at(Kind::Convert, &five), None);
        assert_eq!(at(Kind::Convert, &record(r#"{"ideal_ms":250}"#)), Some(0.25));
        assert_eq!(ideal(Kind::Download, false, Some(&five), None, None, None), None);
    }
}
