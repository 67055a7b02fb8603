//! Each sweep's key sentences: its limit or crossover stated in words, every
//! number in them taken from the derived table (the same numbers as the CSV),
//! never typed by hand. A clause whose numbers the run does not have says so
//! instead of being guessed.
//!
//! The definitions, chosen once here:
//! - `tasks`, `inflight`: memory is compared at the largest value that at least
//!   two models reached, and each variant's largest run is named;
//! - `latency`: the model *matters* at a latency where the slowest variant's
//!   median is over [`MATTERS_ABOVE`] times the fastest's;
//! - `tasksize`, `workers`: see [`speedups`](super::speedups).

use crate::format::{and_list, duration, duration_short, factor, memory_kib};
use crate::model::Family;

use super::derive::{DUPLICATES, MEMORY_PER_IN_FLIGHT, MEMORY_PER_TASK, PSS_PER_TASK, RATIO};
use super::point::{Kind, Row, Table};
use super::speedups;
use super::text::{kib, value};

/// The spread (slowest ÷ fastest median) above which the model matters.
pub const MATTERS_ABOVE: f64 = 2.0;

/// The key sentences of a sweep; `cores` from `machine.json`.
pub fn sentences(table: &Table, cores: Option<u64>) -> Vec<String> {
    match table.sweep.kind {
        Kind::Tasks => tasks(table),
        Kind::Inflight => inflight(table),
        Kind::Latency => latency(table),
        Kind::Tasksize => speedups::tasksize(table),
        Kind::Workers => speedups::workers(table, cores),
        Kind::Callers => callers(table),
        Kind::Other => vec!["No derived figures for this sweep: its times are in its CSV.".into()],
    }
}

/// The largest value that at least two models reached (else the largest value):
/// where the models' memory can be compared.
fn shared_value(table: &Table) -> Option<f64> {
    let values = table.sweep.values();
    let models = |value: f64| {
        let mut families: Vec<Family> = rows_at(table, value)
            .iter()
            .map(|row| row.point.family())
            .collect();
        families.sort();
        families.dedup();
        families.len()
    };
    values
        .iter()
        .rev()
        .find(|value| models(**value) >= 2)
        .or(values.last())
        .copied()
}

/// Each variant's row at its largest value.
fn largest_rows<'t>(table: &'t Table) -> Vec<&'t Row<'t>> {
    table
        .sweep
        .variants()
        .into_iter()
        .filter_map(|variant| table.rows_of(variant).last().copied())
        .collect()
}

/// The rows at `value`, in variant order.
fn rows_at<'t>(table: &'t Table, value: f64) -> Vec<&'t Row<'t>> {
    table
        .rows
        .iter()
        .filter(|row| row.point.value == value)
        .collect()
}

/// "`variant` peaked at 8.0 MiB (8.04 KiB per task)", or why there is no per-unit figure.
fn memory_clause(table: &Table, row: &Row, per_unit: &str, unit: &str) -> String {
    let variant = &row.point.variant;
    let Some(rss) = row.point.record.peak_rss_kib else {
        return format!("{variant} recorded no peak memory");
    };
    match table.cell(row, per_unit) {
        // Peak RSS varies by a few hundred KiB from run to run: a small count of
        // units can land below the 1-unit run.
        Some(per) if per <= 0.0 => format!(
            "{variant} peaked at {} (no more than its run with 1 {unit})",
            memory_kib(rss)
        ),
        Some(per) => format!(
            "{variant} peaked at {} ({} per {unit})",
            memory_kib(rss),
            kib(per)
        ),
        None => format!(
            "{variant} peaked at {} (it has no point at 1 {unit}, so no figure per {unit})",
            memory_kib(rss)
        ),
    }
}

fn tasks(table: &Table) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(at) = shared_value(table) {
        let clauses: Vec<String> = rows_at(table, at)
            .into_iter()
            .map(|row| memory_clause(table, row, MEMORY_PER_TASK, "task"))
            .collect();
        out.push(format!("At {} tasks: {}.", value(at), clauses.join("; ")));
    }
    let largest: Vec<String> = largest_rows(table)
        .into_iter()
        .map(|row| {
            let point = row.point;
            let mut clause = format!(
                "{}: {} tasks took {}",
                point.variant,
                value(point.value),
                duration(point.timing.median_s)
            );
            if let (Some(wait_ms), Some(ratio)) = (point.wait_ms, row.y) {
                clause.push_str(&format!(
                    " for a {} wait ({})",
                    duration_short(wait_ms / 1000.0),
                    factor(ratio)
                ));
            }
            clause
        })
        .collect();
    out.push(format!("The largest runs: {}.", largest.join("; ")));
    if table
        .rows
        .iter()
        .any(|row| row.point.family() == Family::Procs)
    {
        out.push(procs_memory(table));
    }
    out
}

/// Why procs' peak RSS overstates its memory, and its PSS where recorded.
fn procs_memory(table: &Table) -> String {
    let mut text = "Peak RSS double-counts the pages procs' processes share (each process counts \
                    them in full)"
        .to_string();
    let with_pss = table
        .rows
        .iter()
        .filter(|row| row.point.family() == Family::Procs && row.point.pss_kib.is_some())
        .max_by(|a, b| a.point.value.total_cmp(&b.point.value));
    match with_pss {
        Some(row) => {
            let pss = row.point.pss_kib.unwrap_or_default();
            text.push_str(&format!(
                "; PSS, which splits a shared page between its sharers, was {} at {} tasks",
                memory_kib(pss),
                value(row.point.value)
            ));
            if let Some(per) = table.cell(row, PSS_PER_TASK) {
                text.push_str(&format!(" ({} per task)", kib(per)));
            }
        }
        None => text.push_str("; the records carry no PSS to correct it"),
    }
    text.push('.');
    text
}

fn inflight(table: &Table) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(at) = shared_value(table) {
        let clauses: Vec<String> = rows_at(table, at)
            .into_iter()
            .map(|row| {
                let mut clause =
                    memory_clause(table, row, MEMORY_PER_IN_FLIGHT, "request in flight");
                if let Some(ratio) = row.y {
                    clause.push_str(&format!(" and took {} its ideal", factor(ratio)));
                }
                clause
            })
            .collect();
        out.push(format!(
            "At {} requests in flight: {}.",
            value(at),
            clauses.join("; ")
        ));
    }
    let largest: Vec<String> = largest_rows(table)
        .into_iter()
        .map(|row| {
            let point = row.point;
            let ratio = row.y.map_or_else(String::new, |ratio| {
                format!(" ({} its ideal)", factor(ratio))
            });
            format!(
                "{} with {} in flight took {}{ratio}",
                point.variant,
                value(point.value),
                duration(point.timing.median_s)
            )
        })
        .collect();
    out.push(format!("The largest runs: {}.", largest.join("; ")));
    out
}

/// The fastest and slowest rows at a value, and the spread between them.
fn spread<'t>(table: &'t Table, at: f64) -> Option<(&'t Row<'t>, &'t Row<'t>, f64)> {
    let rows = rows_at(table, at);
    let median = |row: &&Row| row.point.timing.median_s;
    let fastest = *rows.iter().min_by(|a, b| median(a).total_cmp(&median(b)))?;
    let slowest = *rows.iter().max_by(|a, b| median(a).total_cmp(&median(b)))?;
    (rows.len() >= 2).then(|| (fastest, slowest, median(&slowest) / median(&fastest)))
}

fn timed(row: &Row) -> String {
    format!(
        "{} {}",
        row.point.variant,
        duration(row.point.timing.median_s)
    )
}

fn latency(table: &Table) -> Vec<String> {
    let values = table.sweep.values();
    let spreads: Vec<(f64, (&Row, &Row, f64))> = values
        .iter()
        .filter_map(|at| spread(table, *at).map(|spread| (*at, spread)))
        .collect();
    let mut out = Vec::new();
    let first = spreads
        .iter()
        .position(|(_, (_, _, spread))| *spread > MATTERS_ABOVE);
    match first {
        Some(index) => {
            let (at, (fastest, slowest, spread)) = spreads[index];
            let mut text = format!(
                "The model starts to matter at {} ms, where the slowest variant takes {} the \
                 fastest ({} against {}; this page counts over {} as mattering)",
                value(at),
                factor(spread),
                timed(slowest),
                timed(fastest),
                factor(MATTERS_ABOVE)
            );
            if let Some((below, (_, _, spread))) = index.checked_sub(1).map(|i| spreads[i]) {
                text.push_str(&format!(
                    "; at {} ms they were within {} of each other",
                    value(below),
                    factor(spread)
                ));
            }
            out.push(text + ".");
        }
        None => {
            if let Some((at, (_, _, spread))) = spreads.last() {
                out.push(format!(
                    "Up to {} ms the slowest variant stays within {} of the fastest ({} there): \
                     the model does not matter in this range.",
                    value(*at),
                    factor(MATTERS_ABOVE),
                    factor(*spread)
                ));
            }
        }
    }
    if let Some((fastest, slowest, _)) = spread(table, 0.0) {
        out.push(format!(
            "At 0 ms there is no wait to overlap and every variant takes about the client's own \
             CPU time: {} to {}.",
            timed(fastest),
            timed(slowest)
        ));
    }
    if let Some(last) = values.last().filter(|last| **last > 0.0) {
        let clauses: Vec<String> = rows_at(table, *last)
            .into_iter()
            .map(|row| match table.cell(row, RATIO) {
                Some(ratio) => format!("{} ({} its ideal)", timed(row), factor(ratio)),
                None => timed(row),
            })
            .collect();
        out.push(format!("At {} ms: {}.", value(*last), and_list(&clauses)));
    }
    out
}

fn callers(table: &Table) -> Vec<String> {
    let values = table.sweep.values();
    let mut out = Vec::new();
    let ordered = |at: f64| {
        let mut rows = rows_at(table, at);
        rows.sort_by(|a, b| a.point.timing.median_s.total_cmp(&b.point.timing.median_s));
        rows.into_iter().map(timed).collect::<Vec<_>>()
    };
    if let (Some(first), Some(last)) = (values.first(), values.last()) {
        let mut text = format!(
            "At {} callers, fastest first: {}",
            value(*last),
            ordered(*last).join(", ")
        );
        if first != last {
            text.push_str(&format!(
                "; at {}: {}",
                value(*first),
                ordered(*first).join(", ")
            ));
        }
        out.push(text + ".");
    }
    let duplicated: Vec<String> = table
        .sweep
        .variants()
        .into_iter()
        .filter_map(|variant| {
            let rows = table.rows_of(variant);
            let counts: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|row| Some((row.point.value, table.cell(row, DUPLICATES)?)))
                .collect();
            let &(most_callers, at_most) = counts.last()?;
            counts.iter().any(|(_, count)| *count > 0.0).then(|| {
                let (fewest_callers, at_fewest) = counts[0];
                format!(
                    "{variant} {} with {} callers ({} with {})",
                    value(at_most),
                    value(most_callers),
                    value(at_fewest),
                    value(fewest_callers)
                )
            })
        })
        .collect();
    let has_duplicates = table
        .rows
        .iter()
        .any(|row| table.cell(row, DUPLICATES).is_some());
    if !duplicated.is_empty() {
        out.push(format!(
            "Duplicate conversions (a key converted again while or after it was converted): {}.",
            and_list(&duplicated)
        ));
    } else if has_duplicates {
        out.push("No variant converted a key more than once.".into());
    }
    out
}
