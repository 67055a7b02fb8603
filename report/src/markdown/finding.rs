//! The generated sentence under each workload's heading: the winner by median, and
//! whether every variant's answer and rule were checked and held.
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use crate::format::{duration, factor};
use crate::table::{Check, Row, SEQ, WorkloadReport};

/// The winner, then what failed its check (wrong answers, keys converted twice)
/// and what could not be checked.
pub fn finding(workload: &WorkloadReport) -> String {
    let mut line = winner_sentence(workload);
    let names = |check: Check| {
        workload
            .rows
            .iter()
            .filter(|row| row.check() == check)
            .map(|row| format!("**{}**", row.variant))
            .collect::<Vec<_>>()
    };
    let wrong = names(Check::WrongAnswer);
    let unchecked: Vec<String> = workload
        .rows
        .iter()
        .filter(|row| row.checksum_agrees.is_none())
        .map(|row| format!("**{}**", row.variant))
        .collect();
    if !wrong.is_empty() {
        let _ = write!(
            line,
            " ✗ Wrong answer (checksum differs from {SEQ}'s, or errors): {}.",
            wrong.join(", ")
        );
    }
    if unchecked.is_empty() {
        if wrong.is_empty() {
            let _ = write!(line, " All checksums agree with {SEQ} ✓.");
        }
    } else if unchecked.len() == workload.rows.len() {
        line.push_str(" Checksums not checked (no records to compare).");
    } else {
        let _ = write!(
            line,
            " Checksum not checked (no record) for {}.",
            unchecked.join(", ")
        );
    }
    let twice: Vec<String> = workload
        .rows
        .iter()
        .filter(|row| row.check() == Check::ConvertsTwice)
        .map(|row| {
            let duplicates = row.record.as_ref().and_then(|record| record.duplicates);
            match duplicates {
                Some(duplicates) => format!("**{}** ({duplicates})", row.variant),
                None => format!("**{}**", row.variant),
            }
        })
        .collect();
    if !twice.is_empty() {
        let _ = write!(
            line,
            " ✗ Converts keys twice, which the rule forbids, though the answer is right \
             (duplicate lookups): {}.",
            twice.join(", ")
        );
    }
    line
}

/// Who is fastest, and the fastest that passed its check when the fastest did not.
fn winner_sentence(workload: &WorkloadReport) -> String {
    let mut line = String::new();
    let Some(fastest) = workload.fastest() else {
        return line;
    };
    let median = duration(fastest.timing.median);
    match (fastest.is_seq(), workload.rows.get(1)) {
        (true, None) => {
            let _ = write!(line, "Only **{SEQ}** was measured: median {median}.");
        }
        (true, Some(next)) => {
            let _ = write!(
                line,
                "**{SEQ} is fastest** at a median of {median}: no concurrent variant beat \
                 the baseline (next: **{}**",
                next.variant
            );
            if let Some(speedup) = next.speedup_vs_seq {
                let _ = write!(line, ", {} the speed of {SEQ}", factor(speedup));
            }
            line.push_str(").");
        }
        (false, _) => {
            let _ = write!(line, "**Fastest: {}", winner(fastest));
            let failure = match fastest.check() {
                Check::WrongAnswer => Some("its answer is wrong"),
                Check::ConvertsTwice => Some("it converts keys twice"),
                Check::Passed | Check::Unchecked => None,
            };
            if let Some(failure) = failure {
                let _ = write!(line, ", but {failure} (✗)");
                let correct = workload
                    .rows
                    .iter()
                    .find(|row| row.check() == Check::Passed);
                if let Some(correct) = correct {
                    let _ = write!(line, "; fastest correct: **{}", winner(correct));
                }
            }
            line.push('.');
        }
    }
    line
}

/// `"name** at a median of 510 ms, 1.96× faster than seq, 1.02× its ideal bound"`
/// (the name is bold: the caller opens the `**`).
fn winner(row: &Row) -> String {
    let mut text = format!(
        "{}** at a median of {}",
        row.variant,
        duration(row.timing.median)
    );
    if row.is_seq() {
        return text;
    }
    match row.speedup_vs_seq {
        Some(speedup) => {
            let _ = write!(text, ", {} faster than {SEQ}", factor(speedup));
        }
        None => {
            let _ = write!(text, " (no {SEQ} baseline measured)");
        }
    }
    if let Some(ratio) = row.ratio_to_ideal {
        let _ = write!(text, ", {} its ideal bound", factor(ratio));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{HyperfineResult, Inputs, Machine, Params, Record, WorkloadTimings};
    use crate::join::build;

    /// One workload timed without records; each variant is (name, mean, median) in seconds.
    fn workload(variants: &[(&str, f64, f64)]) -> WorkloadReport {
        let results = variants
            .iter()
            .map(|&(command, mean, median)| {
                HyperfineResult::for_test(command, mean, median, Some(0.1))
            })
            .collect();
        let report = build(Inputs {
            params: Params::default(),
            machine: Machine::default(),
            timings: vec![WorkloadTimings {
                workload: "squares".to_string(),
                parameters: None,
                results,
            }],
            records: Vec::new(),
            experiments: Vec::new(),
        });
        report
            .workloads
            .into_iter()
            .next()
            .expect("build keeps the one workload")
    }

    /// The findings sentence names the winner by median and quotes medians, whatever
    /// an outlier did to the means.
    #[test]
    fn findings_quote_medians() {
        let unchecked = " Checksums not checked (no records to compare).";
        assert_eq!(
            finding(&workload(&[(SEQ, 1.3, 1.0)])),
            format!("Only **seq** was measured: median 1.00 s.{unchecked}")
        );
        // threads has the lower mean but the higher median.
        assert_eq!(
            finding(&workload(&[(SEQ, 1.3, 1.0), ("threads", 1.0, 1.1)])),
            format!(
                "**seq is fastest** at a median of 1.00 s: no concurrent variant beat the \
                 baseline (next: **threads**, 0.91× the speed of seq).{unchecked}"
            )
        );
        assert_eq!(
            finding(&workload(&[(SEQ, 1.3, 1.0), ("threads", 0.7, 0.5)])),
            format!(
                "**Fastest: threads** at a median of 500 ms, 2.00× faster than seq.{unchecked}"
            )
        );
    }

    /// A fastest variant that converts twice is not the winner to quote, and every
    /// variant that converts twice is named with its duplicates.
    #[test]
    fn converting_twice_is_named() {
        let mut convert = workload(&[(SEQ, 1.0, 1.0), ("racy", 0.1, 0.1), ("sf", 0.2, 0.2)]);
        for row in &mut convert.rows {
            row.checksum_agrees = Some(true);
            if row.variant == "racy" {
                row.rule_kept = Some(false);
                row.record = Some(Record {
                    duplicates: Some(48),
                    ..Record::default()
                });
            }
        }
        assert_eq!(
            finding(&convert),
            "**Fastest: racy** at a median of 100 ms, 10.0× faster than seq, but it converts \
             keys twice (✗); fastest correct: **sf** at a median of 200 ms, 5.00× faster than \
             seq. All checksums agree with seq ✓. ✗ Converts keys twice, which the rule \
             forbids, though the answer is right (duplicate lookups): **racy** (48)."
        );
    }
}
