//! Joining timings with records into the report's tables: speedup, ideal bound,
//! ratio to it, checksum agreement and the workload's rule for every variant,
//! fastest first.
//!
//! Nothing here fails: an input that is missing leaves its columns empty and adds a
//! warning that says which file lacked what, because a report with a gap the
//! reader is told about is more use than no report.

use std::collections::{HashMap, HashSet};

use crate::ideal::{CPU_BOUND, DOWNLOAD, ideal};
use crate::input::{
    self, HyperfineResult, Inputs, Machine, Params, Record, RecordLine, WorkloadTimings,
};
use crate::seeds::{SEEDS, agree_within_groups};
use crate::table::{Report, Row, SEQ, WorkloadReport};

/// The record of each (workload, variant), by name.
type RecordsByKey<'a> = HashMap<(&'a str, &'a str), &'a RecordLine>;

/// How many times faster than `seq` a variant ran, from the two medians.
pub fn speedup(seq_median_s: f64, median_s: f64) -> f64 {
    seq_median_s / median_s
}

/// Whether a variant's answer agrees with `seq`'s: the same checksum and no errors.
/// `None` when there is nothing to compare (no record, or no `seq` checksum);
/// a record without a checksum disagrees.
pub fn checksum_agrees(record: Option<&Record>, seq: Option<&Record>) -> Option<bool> {
    let record = record?;
    let reference = seq?.checksum.as_ref()?;
    Some(record.checksum.as_ref() == Some(reference) && record.errors.unwrap_or(0) == 0)
}

/// Whether a variant kept its workload's rule beyond the answer itself. `convert`'s
/// is "never convert the same key twice": a record that counts `duplicates` keeps it
/// only with none, whatever its checksum says (a racy cache converts a key twice and
/// still returns the right points). `None` for a record that counts nothing of the kind.
pub fn rule_kept(record: Option<&Record>) -> Option<bool> {
    record?.duplicates.map(|duplicates| duplicates == 0)
}

/// Joins timings with records and computes every derived column.
pub fn build(inputs: Inputs) -> Report {
    let Inputs {
        params,
        machine,
        timings,
        records,
        experiments,
    } = inputs;
    let mut warnings = Vec::new();
    let by_key = records_by_key(&records, &mut warnings);
    let mut workloads: Vec<WorkloadReport> = timings
        .iter()
        .map(|timings| build_workload(timings, &by_key, &params, &machine, &mut warnings))
        .collect();
    // The seeds have no `seq`: their answers agree within each experiment group.
    for seeds in workloads.iter_mut().filter(|w| w.workload == SEEDS) {
        agree_within_groups(&mut seeds.rows, &experiments);
    }
    warnings.extend(untimed_records(&timings, &records));
    Report {
        params,
        machine,
        workloads,
        warnings,
        baseline: None,
        experiments,
    }
}

/// The last record for a (workload, variant) wins; earlier ones are reported.
fn records_by_key<'a>(records: &'a [RecordLine], warnings: &mut Vec<String>) -> RecordsByKey<'a> {
    let mut by_key = HashMap::new();
    for line in records {
        if let Some(earlier) = by_key.insert((line.workload.as_str(), line.variant.as_str()), line)
        {
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
    by_key
}

/// A warning for each record whose (workload, variant) hyperfine did not time.
fn untimed_records(timings: &[WorkloadTimings], records: &[RecordLine]) -> Vec<String> {
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
    records
        .iter()
        .filter(|line| !timed.contains(&(line.workload.as_str(), line.variant.as_str())))
        .map(|line| {
            format!(
                "{}:{}: record for {} / {} matches no timed variant; ignored",
                input::RECORDS_FILE,
                line.line,
                line.workload,
                line.variant
            )
        })
        .collect()
}

/// One workload's table: a row per timed variant, fastest (lowest median) first;
/// whatever its rows lack is said in `warnings`.
fn build_workload(
    timings: &WorkloadTimings,
    records: &RecordsByKey<'_>,
    params: &Params,
    machine: &Machine,
    warnings: &mut Vec<String>,
) -> WorkloadReport {
    let workload = timings.workload.as_str();
    let record_of = |variant: &str| records.get(&(workload, variant)).copied();
    let baseline = Baseline {
        workload,
        seq_median_s: timings
            .results
            .iter()
            .find(|result| result.command == SEQ)
            .map(|result| result.median),
        seq_record: record_of(SEQ).map(|line| &line.record),
        latency_ms: params.latency_ms,
        cores: machine.cores,
    };
    let any_record = timings
        .results
        .iter()
        .any(|result| record_of(&result.command).is_some());
    warnings.extend(baseline.missing_inputs(any_record));

    let mut rows: Vec<Row> = timings
        .results
        .iter()
        .map(|timing| {
            let line = record_of(&timing.command);
            let row = baseline.row(timing, line);
            // With no record at all, `missing_inputs` said so once for the workload.
            if line.is_none() && any_record {
                warnings.push(format!(
                    "{workload} / {}: no record in {}; its record columns are empty",
                    row.variant,
                    input::RECORDS_FILE
                ));
            }
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

/// What every variant of one workload is measured against: the `seq` baseline and
/// the run's parameters the ideal rules need.
struct Baseline<'a> {
    workload: &'a str,
    seq_median_s: Option<f64>,
    seq_record: Option<&'a Record>,
    latency_ms: Option<f64>,
    cores: Option<u64>,
}

impl Baseline<'_> {
    /// A warning for each input this workload's derived columns need but lack.
    fn missing_inputs(&self, any_record: bool) -> Vec<String> {
        let workload = self.workload;
        let mut warnings = Vec::new();
        // The seeds are pairs, each CPython program against its concur twin.
        if self.seq_median_s.is_none() && workload != SEEDS {
            warnings.push(format!(
                "{workload}: no `{SEQ}` variant in {workload}.json; speedup and checksum agreement left empty"
            ));
        }
        if !any_record {
            warnings.push(format!(
                "{workload}: no records in {}; peak RSS, checksum and most ideal bounds left empty",
                input::RECORDS_FILE
            ));
        }
        if workload == DOWNLOAD && self.latency_ms.is_none() {
            warnings.push(format!(
                "{workload}: no latency_ms in {}; ideal bound left empty",
                input::PARAMS_FILE
            ));
        }
        if CPU_BOUND.contains(&workload) && self.cores.is_none() {
            warnings.push(format!(
                "{workload}: no cores in {}; ideal bound left empty except for {SEQ}",
                input::MACHINE_FILE
            ));
        }
        warnings
    }

    /// One variant's row: its timing, its record if any, and every derived column.
    fn row(&self, timing: &HyperfineResult, line: Option<&RecordLine>) -> Row {
        let record = line.map(|line| &line.record);
        let ideal = ideal(
            self.workload,
            timing.command == SEQ,
            record,
            self.seq_median_s,
            self.latency_ms,
            self.cores,
        );
        Row {
            variant: timing.command.clone(),
            speedup_vs_seq: self.seq_median_s.map(|seq| speedup(seq, timing.median)),
            ratio_to_ideal: ideal.map(|ideal| timing.median / ideal.seconds),
            ideal,
            checksum_agrees: checksum_agrees(record, self.seq_record),
            rule_kept: rule_kept(record),
            vs_baseline: None,
            record: record.cloned(),
            command: line.and_then(|line| line.command.clone()),
            timing: timing.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Speedup is the seq median over the variant's median.
    #[test]
    fn speedup_divides_seq_by_variant() {
        assert_eq!(speedup(8.0, 2.0), 4.0);
        assert_eq!(speedup(1.0, 2.0), 0.5);
        assert_eq!(speedup(3.0, 3.0), 1.0);
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
            record: Record {
                workers: Some(workers),
                ..Record::default()
            },
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
            experiments: Vec::new(),
        });
        let rows = &report.workloads[0].rows;
        let names: Vec<&str> = rows.iter().map(|row| row.variant.as_str()).collect();
        assert_eq!(names, ["procs", "threads", SEQ]);
        let close = |actual: Option<f64>, expected: f64| {
            actual.is_some_and(|actual| (actual - expected).abs() < 1e-12)
        };
        let ideal_s = |row: &Row| row.ideal.map(|ideal| ideal.seconds);
        // procs: 1.0 / 0.52; ideal 1.0 / 2 lanes; 0.52 / 0.5.
        assert!(close(rows[0].speedup_vs_seq, 1.923_076_923_076_923));
        assert!(close(ideal_s(&rows[0]), 0.5));
        assert!(close(rows[0].ratio_to_ideal, 1.04));
        assert!(close(rows[1].speedup_vs_seq, 1.818_181_818_181_818));
        assert!(close(rows[1].ratio_to_ideal, 1.1));
        // seq against itself, and its own ideal is its median.
        assert!(close(rows[2].speedup_vs_seq, 1.0));
        assert!(close(ideal_s(&rows[2]), 1.0));
        assert!(close(rows[2].ratio_to_ideal, 1.0));
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

    /// The rule holds with zero duplicates, fails with any, and is moot without the count.
    #[test]
    fn rule_needs_zero_duplicates() {
        let with = |duplicates: Option<u64>| Record {
            duplicates,
            ..Record::default()
        };
        assert_eq!(rule_kept(Some(&with(Some(0)))), Some(true));
        assert_eq!(rule_kept(Some(&with(Some(48)))), Some(false));
        assert_eq!(rule_kept(Some(&with(None))), None);
        assert_eq!(rule_kept(None), None);
    }
}
