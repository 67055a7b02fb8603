//! The "what it shows" column of the findings table: a person's interpretation
//! of each workload, fixed per workload name, with every number in it taken from
//! the run, and a clause left out when the run lacks its numbers.
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use crate::figures::CONVERT;
use crate::format::{and_list, duration, grouped};
use crate::ideal::{CPU_BOUND, DOWNLOAD};
use crate::input::Machine;
use crate::table::{Check, Row, SEQ, WorkloadReport};

/// How far the racy variants may trail the correct fast designs and still be
/// called "as fast" (10%).
const AS_FAST: f64 = 1.1;

/// The fixed interpretation of a workload, with its numbers from the run, and a
/// note when `seq`'s own runs spread widely.
pub(super) fn what_it_shows(workload: &WorkloadReport, machine: &Machine) -> String {
    let mut text = match workload.workload.as_str() {
        "squares" => format!(
            "no GIL: every parallel model uses {}; the emulated GIL and a current-thread \
             runtime stay at seq's speed, as CPython's threads and asyncio did",
            match machine.cores {
                Some(2) => "both cores".to_string(),
                Some(cores) => format!("all {cores} cores"),
                None => "every core".to_string(),
            }
        ),
        "range-sum" => "the seed's \"2 threads are no faster than 1\" is the GIL's doing, \
                        not the threads'"
            .to_string(),
        DOWNLOAD => "I/O: concurrency, not cores, sets the time; async needs no thread per request"
            .to_string(),
        CONVERT => convert_shows(workload),
        _ => String::new(),
    };
    if let Some(seq) = workload.seq()
        && seq.timing.max - seq.timing.min > 0.25 * seq.timing.median
    {
        let noun = if CPU_BOUND.contains(&workload.workload.as_str()) {
            "this loop's"
        } else {
            "this workload's"
        };
        if !text.is_empty() {
            text.push_str("; ");
        }
        let _ = write!(
            text,
            "{noun} runs spread widely on this machine ({SEQ} {})",
            span(seq.timing.min, seq.timing.max)
        );
    }
    if text.is_empty() {
        "–".to_string()
    } else {
        text
    }
}

/// `524-800 ms`, or `524 ms-1.20 s` across units.
fn span(low: f64, high: f64) -> String {
    let (low, high) = (duration(low), duration(high));
    match (low.split_once(' '), high.split_once(' ')) {
        (Some((number, unit)), Some((_, high_unit))) if unit == high_unit => {
            format!("{number}-{high}")
        }
        _ => format!("{low}-{high}"),
    }
}

/// `convert`: what the lock costs, what single-flight and moka gain over it, and
/// which variants converted keys twice.
fn convert_shows(workload: &WorkloadReport) -> String {
    let rows = &workload.rows;
    // The correct fast designs: one lookup per key, other keys in parallel.
    let fast: Vec<&Row> = rows
        .iter()
        .filter(|row| {
            matches!(cache(row), Some("single-flight" | "moka")) && row.rule_kept == Some(true)
        })
        .collect();
    let mut clauses = vec!["the seed's lock serializes every lookup".to_string()];
    clauses.extend(gain_over_lock(rows, &fast));
    clauses.extend(racy_clause(rows, &fast));
    for row in rows
        .iter()
        .filter(|row| row.check() == Check::ConvertsTwice && cache(row) != Some("racy"))
    {
        if let Some(duplicates) = row.record.as_ref().and_then(|record| record.duplicates) {
            clauses.push(format!(
                "{} converts keys twice too ({} duplicate lookups)",
                row.variant,
                grouped(duplicates)
            ));
        }
    }
    clauses.join("; ")
}

/// The record's cache design.
fn cache(row: &Row) -> Option<&str> {
    row.record.as_ref()?.cache.as_deref()
}

/// `single-flight and moka are 7.0-7.3× faster than it with zero duplicates`:
/// each fast design against the lock in the same model.
fn gain_over_lock(rows: &[Row], fast: &[&Row]) -> Option<String> {
    let model = |row: &Row| row.record.as_ref().and_then(|record| record.model.clone());
    let gains: Vec<f64> = fast
        .iter()
        .filter_map(|row| {
            let locked = rows
                .iter()
                .find(|other| cache(other) == Some("locked") && model(other) == model(row))?;
            Some(locked.timing.median / row.timing.median)
        })
        .collect();
    let low = format!("{:.1}", gains.iter().copied().reduce(f64::min)?);
    let high = format!("{:.1}", gains.iter().copied().reduce(f64::max)?);
    let range = if low == high {
        low
    } else {
        format!("{low}-{high}")
    };
    let designs: Vec<String> = ["single-flight", "moka"]
        .into_iter()
        .filter(|design| fast.iter().any(|row| cache(row) == Some(*design)))
        .map(str::to_string)
        .collect();
    let verb = if designs.len() == 1 { "is" } else { "are" };
    Some(format!(
        "{} {verb} {range}× faster than it with zero duplicates",
        and_list(&designs)
    ))
}

/// `racy is as fast and converts keys twice (48 and 51 duplicate lookups)`.
fn racy_clause(rows: &[Row], fast: &[&Row]) -> Option<String> {
    let mut racy: Vec<&Row> = rows
        .iter()
        .filter(|row| cache(row) == Some("racy"))
        .collect();
    if racy.is_empty() {
        return None;
    }
    // In the order of the table's columns.
    racy.sort_by_key(|row| row.family());
    let duplicates = duplicate_counts(&racy);
    if duplicates.is_empty() {
        return Some("racy happened to convert no key twice in this run".to_string());
    }
    let slowest_correct = fast.iter().map(|row| row.timing.median).reduce(f64::max);
    let as_fast = slowest_correct.is_some_and(|correct| {
        racy.iter()
            .all(|row| row.timing.median <= AS_FAST * correct)
    });
    Some(format!(
        "racy is {}converts keys twice ({} duplicate lookups)",
        if as_fast { "as fast and " } else { "fast but " },
        and_list(&duplicates)
    ))
}

/// The duplicate counts of the rows that converted a key twice, in row order.
fn duplicate_counts(rows: &[&Row]) -> Vec<String> {
    rows.iter()
        .filter_map(|row| row.record.as_ref()?.duplicates)
        .filter(|duplicates| *duplicates > 0)
        .map(grouped)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spans share their unit; lists read as English.
    #[test]
    fn spans_and_lists() {
        assert_eq!(span(0.524, 0.8), "524-800 ms");
        assert_eq!(span(0.524, 1.2), "524 ms-1.20 s");
        let items = ["48".to_string(), "51".to_string(), "3".to_string()];
        assert_eq!(and_list(&items[..1]), "48");
        assert_eq!(and_list(&items[..2]), "48 and 51");
        assert_eq!(and_list(&items), "48, 51 and 3");
        assert_eq!(and_list::<String>(&[]), "");
    }
}
