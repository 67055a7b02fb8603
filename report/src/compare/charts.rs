//! Each workload's chart, as a spec for [`crate::chart`]: bars of median wall
//! time coloured by model with ± 1 σ whiskers and ideal ticks, the seeds as
//! pairs of bars, the blocking task as latency percentiles.

use crate::chart::{Bar, Chart, DotRow, Kind as ChartKind, Unit};
use crate::figures::{Family, Kind, Report, Row, Workload, blocking, seeds};

/// The chart of one workload: bars of median wall time (the seeds as pairs), or
/// the blocking task's latency percentiles.
pub(super) fn chart_of(workload: &Workload, report: &Report) -> Chart {
    let mut families: Vec<Family> = workload.rows.iter().map(|row| row.family).collect();
    families.sort();
    families.dedup();
    let legend = families.iter().map(|f| (f.name().to_string(), f.index())).collect();
    let (title, value_label, unit, kind) = match workload.kind {
        Kind::Seeds => {
            let pairs = seeds::pairs(&workload.rows, &report.experiments);
            let bars = pairs.iter().flat_map(|pair| {
                let python =
                    pair.python.as_ref().map(|row| bar(format!("{} CPython", pair.id), row));
                python
                    .into_iter()
                    .chain(pair.concur.as_ref().map(|row| bar(format!("{} concur", pair.id), row)))
            });
            let title = "seeds: CPython beside concur, median wall time".to_string();
            (title, "median wall time", Unit::Seconds, ChartKind::Bars(bars.collect()))
        }
        Kind::Blocking => {
            let title = "blocking: request latency per variant".to_string();
            (title, "request latency", Unit::Milliseconds, latencies(workload))
        }
        _ => {
            let bars = workload.rows.iter().map(|row| bar(row.variant.clone(), row)).collect();
            let title = format!("{}: median wall time per variant", workload.name);
            (title, "median wall time", Unit::Seconds, ChartKind::Bars(bars))
        }
    };
    Chart { title, value_label: value_label.into(), unit, kind, legend }
}

/// A variant's median, ± 1 σ around it, and its ideal.
fn bar(label: String, row: &Row) -> Bar {
    let median = row.timing.median_s;
    Bar {
        label,
        colour: row.family.index(),
        value: median,
        spread: row.timing.stddev_s.map(|sd| (median - sd, median + sd)),
        ideal: row.ideal.map(|ideal| ideal.seconds),
    }
}

/// p50, p99 and max of every blocking variant, in table order, and the task's length.
fn latencies(workload: &Workload) -> ChartKind {
    let groups = blocking::groups(workload);
    let rows = groups.iter().flat_map(|g| &g.variants).map(|v| DotRow {
        label: v.row.variant.clone(),
        colour: v.row.family.index(),
        values: v
            .latency
            .map_or(vec![None; 3], |l| vec![Some(l.p50.0), Some(l.p99.0), Some(l.max.0)]),
    });
    let task = workload.rows.iter().find_map(|row| row.record.as_ref()?.blocking_ms);
    ChartKind::Dots {
        rows: rows.collect(),
        marks: ["p50", "p99", "max"].map(str::to_string).to_vec(),
        reference: task.map(|ms| (format!("the task: {ms} ms"), ms as f64)),
    }
}
