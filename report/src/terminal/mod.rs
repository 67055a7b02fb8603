//! The summary `concur-report` prints on stdout after writing the report: one
//! compact plain-text table per workload, a heading line and one line per variant,
//! so that a whole `compare.sh --quick` run (6 workloads) fits on a screen; the
//! seeds take one line per experiment and the blocking workload one per variant
//! with the task, not one per variant. Full tables are in the results README; this
//! is what to glance at.
//!
//! The heading line starts with the workload's name; then median, the requests'
//! p50 and p99 latency when the records carry them, speedup against
//! `seq`, ratio to the ideal bound, the workload's key figures
//! ([`figures`](crate::figures)), the comparison with the baseline when there is
//! one, and last, without a heading, what failed the check. No path is printed:
//! the caller knows where it asked the report to be written, and compare.sh writes
//! into a temporary directory it renames afterwards.
//!
//! # Layout
//! - this module: every workload's table but two
//! - `seeds`: one line per experiment, CPython beside concur
//! - `blocking`: one line per variant with the task, its reference's p99 beside it

mod blocking;
mod seeds;

use crate::blocking::BLOCKING;
use crate::columns::{Align, aligned};
use crate::figures::terminal_figures;
use crate::format::{duration, factor};
use crate::seeds::SEEDS;
use crate::table::{Report, Row, VsBaseline, WorkloadReport};

/// Shown for a value that does not exist.
const NONE: &str = "–";

/// Every workload's table, in report order.
pub fn tables(report: &Report) -> String {
    let with_baseline = report.baseline.is_some();
    report
        .workloads
        .iter()
        .map(|workload| match workload.workload.as_str() {
            SEEDS => seeds::table(workload, &report.experiments),
            BLOCKING => blocking::table(workload),
            _ => table(workload, with_baseline),
        })
        .collect()
}

fn table(workload: &WorkloadReport, with_baseline: bool) -> String {
    let figures = terminal_figures(&workload.workload);
    let latency = workload
        .rows
        .iter()
        .any(|row| row.record.as_ref().is_some_and(|r| r.latency_ms.is_some()));
    let mut heading = vec![workload.workload.clone(), "median".to_string()];
    let mut aligns = vec![Align::Left, Align::Right];
    if latency {
        heading.extend(["p50".to_string(), "p99".to_string()]);
        aligns.extend([Align::Right, Align::Right]);
    }
    heading.extend(["vs seq".to_string(), "vs ideal".to_string()]);
    aligns.extend([Align::Right, Align::Right]);
    for figure in figures {
        heading.push(figure.heading().to_string());
        aligns.push(Align::Right);
    }
    if with_baseline {
        heading.push("vs baseline".to_string());
        aligns.push(Align::Left);
    }
    heading.push(String::new());
    aligns.push(Align::Left);

    let mut lines = vec![heading];
    for row in &workload.rows {
        let record = row.record.as_ref();
        let mut cells = vec![format!("  {}", row.variant), duration(row.timing.median)];
        if latency {
            let latency = record.and_then(|record| record.latency_ms);
            let ms = |pick: fn(&crate::latency::LatencyMs) -> f64| {
                latency.map_or_else(|| NONE.to_string(), |l| duration(pick(&l) / 1000.0))
            };
            cells.extend([ms(|l| l.p50), ms(|l| l.p99)]);
        }
        cells.extend([
            row.speedup_vs_seq.map_or_else(|| NONE.to_string(), factor),
            row.ratio_to_ideal.map_or_else(|| NONE.to_string(), factor),
        ]);
        for figure in figures {
            cells.push(
                record
                    .and_then(|record| figure.value(record))
                    .map_or_else(|| NONE.to_string(), |value| value.to_string()),
            );
        }
        if with_baseline {
            cells.push(baseline(row));
        }
        cells.push(row.check().failure().unwrap_or_default().to_string());
        lines.push(cells);
    }
    aligned(&lines, &aligns)
}

/// `1.52× slower`, `0.99× within noise`, `1.05× too few runs`, `new`.
fn baseline(row: &Row) -> String {
    match row.vs_baseline {
        Some(vs @ VsBaseline::Compared { ratio, .. }) => {
            format!("{} {}", factor(ratio), vs.verdict())
        }
        Some(VsBaseline::New) => "new".to_string(),
        None => NONE.to_string(),
    }
}
