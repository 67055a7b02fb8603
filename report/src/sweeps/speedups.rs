//! The key sentences of the CPU-bound sweeps, `tasksize` and `workers`: how
//! close each model comes to its ideal speedup `min(workers, cores)`.
//!
//! The definitions, chosen once here:
//! - `tasksize`: a variant *reaches* its ideal speedup from the smallest task
//!   size at and above which every measured speedup is at least
//!   [`SHARE_OF_IDEAL`] of its ideal; the work in a task of that size is seq's
//!   time per task there;
//! - `workers`: each variant's best speedup, as a share of its ideal there.

use crate::format::{duration, factor};
use crate::model::Family;

use super::derive::{IDEAL_SPEEDUP, OVERHEAD_PER_TASK, SPEEDUP, TASKS};
use super::point::{Row, Table};
use super::text::{percent, value};

/// The share of the ideal speedup a variant must reach.
pub const SHARE_OF_IDEAL: f64 = 0.9;

/// seq's time per task at a task size: how much work one task is.
fn work_per_task(table: &Table, at: f64) -> Option<f64> {
    let seq = table
        .rows
        .iter()
        .find(|row| row.point.value == at && row.point.family() == Family::Seq)?;
    Some(seq.point.timing.median_s / table.cell(seq, TASKS)?)
}

/// One sentence per parallel variant: from which task size it reaches its ideal.
pub fn tasksize(table: &Table) -> Vec<String> {
    let parallel = table.sweep.variants().into_iter().filter(|variant| {
        table
            .rows_of(variant)
            .iter()
            .all(|row| row.point.family() != Family::Seq)
    });
    parallel
        .map(|variant| {
            let rows: Vec<(&Row, f64, f64)> = table
                .rows_of(variant)
                .into_iter()
                .filter_map(|row| {
                    Some((
                        row,
                        table.cell(row, SPEEDUP)?,
                        table.cell(row, IDEAL_SPEEDUP)?,
                    ))
                })
                .collect();
            reach_sentence(table, variant, &rows)
        })
        .collect()
}

/// When `variant` reaches [`SHARE_OF_IDEAL`] of its ideal speedup, from its rows
/// (row, speedup, ideal speedup) by ascending task size.
fn reach_sentence(table: &Table, variant: &str, rows: &[(&Row, f64, f64)]) -> String {
    let Some(&(_, _, ideal)) = rows.last() else {
        return format!("{variant}: no speedup (no seq point at its sizes, or no core count).");
    };
    let share = percent(SHARE_OF_IDEAL);
    let reached = |(_, speedup, ideal): &(&Row, f64, f64)| *speedup >= SHARE_OF_IDEAL * ideal;
    let from = rows
        .iter()
        .rposition(|row| !reached(row))
        .map_or(0, |last_miss| last_miss + 1);
    let Some(&(row, _, _)) = rows.get(from) else {
        let (best, speedup, _) = rows
            .iter()
            .copied()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or(rows[0]);
        let (largest, at_largest, _) = rows[rows.len() - 1];
        return if reached(&(best, speedup, ideal)) {
            format!(
                "{variant} reaches {share} of its ideal speedup ({}) at {} iterations ({}) but \
                 not at the largest size ({} at {} iterations).",
                factor(ideal),
                value(best.point.value),
                factor(speedup),
                factor(at_largest),
                value(largest.point.value)
            )
        } else {
            format!(
                "{variant} never reaches {share} of its ideal speedup ({}) in this range: at \
                 best {} with tasks of {} iterations.",
                factor(ideal),
                factor(speedup),
                value(best.point.value)
            )
        };
    };
    let size = value(row.point.value);
    let work = work_per_task(table, row.point.value).map_or_else(String::new, |seconds| {
        format!(" (about {} of work)", duration(seconds))
    });
    let mut text = if from == 0 {
        format!(
            "{variant} reaches {share} of its ideal speedup ({}) at every task size measured, \
             from {size} iterations{work}",
            factor(ideal)
        )
    } else {
        format!(
            "{variant} reaches {share} of its ideal speedup ({}) once a task is {size} iterations \
             or more{work}",
            factor(ideal)
        )
    };
    let (smallest, ..) = rows[0];
    if let Some(overhead) = table.cell(smallest, OVERHEAD_PER_TASK) {
        text.push_str(&format!(
            "; at {} iterations each task costs {} beyond the ideal",
            value(smallest.point.value),
            duration(overhead / 1e6)
        ));
    }
    text + "."
}

/// Each parallel variant's best speedup against its ideal, in one sentence.
pub fn workers(table: &Table, cores: Option<u64>) -> Vec<String> {
    let mut clauses = Vec::new();
    for variant in table.sweep.variants() {
        let rows: Vec<(&Row, f64)> = table
            .rows_of(variant)
            .into_iter()
            .filter(|row| row.point.family() != Family::Seq)
            .filter_map(|row| Some((row, table.cell(row, SPEEDUP)?)))
            .collect();
        let Some(&(best, speedup)) = rows.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
            continue;
        };
        let mut clause = format!(
            "{variant} peaks at {} with {} workers",
            factor(speedup),
            value(best.point.value)
        );
        if let Some(ideal) = table.cell(best, IDEAL_SPEEDUP) {
            clause.push_str(&format!(
                " ({} of its ideal {})",
                percent(speedup / ideal),
                factor(ideal)
            ));
        }
        if let Some(&(most, at_most)) = rows
            .last()
            .filter(|(row, _)| row.point.value != best.point.value)
        {
            clause.push_str(&format!(
                ", {} with {}",
                factor(at_most),
                value(most.point.value)
            ));
        }
        clauses.push(clause);
    }
    if clauses.is_empty() {
        return vec!["No speedup: the sweep has no seq point.".into()];
    }
    let on = cores.map_or_else(
        || "Best speedups".to_string(),
        |cores| format!("On {cores} cores"),
    );
    vec![format!("{on}: {}.", clauses.join("; "))]
}
