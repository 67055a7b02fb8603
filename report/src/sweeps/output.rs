//! The sweep report's outputs, each read from the derived model: `<sweep>.csv` (the csv crate),
//! the chart spec (handed to [`crate::chart`]) and the compact Markdown table ([`Table`]).
//!
//! As in `summary.csv`, measured times keep hyperfine's precision, derived numbers are rounded to
//! what they can mean, and a figure that does not exist is an empty cell, never a 0. The base
//! columns are the same for every sweep; the sweep's own figures follow, then `ideal_s` and
//! `ratio_to_ideal`, then (`tasksize`) the fit.

use anyhow::Result;

use crate::chart::{self, Chart, Series, Unit};
use crate::format::{and_list, duration, factor, kib, rate, trimmed, value};
use crate::table::{Align, NONE, Table};

use super::derive::{Kind, Line, Point, Sweep, url_latency_ms};

const BASE: &str = "sweep,variant,parameter,value,median_s,min_s,max_s,runs,peak_rss_kib";

/// A derived column of the CSV: the sweeps that have it (none listed: every sweep), its name (with
/// its unit) and its cell.
type Column = (&'static [Kind], &'static str, fn(&Point) -> Option<String>);

const CPU: &[Kind] = &[Kind::Tasksize, Kind::Workers, Kind::Processes];
const IO: &[Kind] = &[Kind::Inflight, Kind::Latency];
const PER_UNIT: &[Kind] = &[Kind::Tasks, Kind::Inflight];

/// Every derived column, in the one order they appear in (the `pss_` ones only where some point
/// measured PSS); `tasksize`'s fit comes after the columns earlier reports wrote.
const COLUMNS: &[Column] = &[
    (&[Kind::Tasks], "wait_s", |p| number(p.figures.wait_s, 6)),
    (&[Kind::Tasks], "memory_per_task_kib", |p| number(p.figures.per_unit.map(|per| per.kib), 3)),
    (&[Kind::Tasks], "pss_kib", |p| p.pss_kib.map(|n| n.to_string())),
    (&[Kind::Tasks], "pss_per_task_kib", |p| number(p.figures.pss_per_unit.map(|per| per.kib), 3)),
    (PER_UNIT, "page_tables_kib", |p| p.record.page_tables_kib.map(|n| n.to_string())),
    (PER_UNIT, "page_tables_per_unit_kib", |p| {
        number(p.figures.page_tables_per_unit.map(|per| per.kib), 3)
    }),
    (&[Kind::Inflight, Kind::Latency], "requests", |p| p.record.requests.map(|n| n.to_string())),
    (&[Kind::Inflight], "latency_ms", |p| number(url_latency_ms(&p.command), 3)),
    (&[Kind::Inflight], "memory_per_in_flight_kib", |p| {
        number(p.figures.per_unit.map(|per| per.kib), 3)
    }),
    (&[Kind::Latency], "concurrency", |p| Some(p.record.parallelism().to_string())),
    (IO, "client_cpu_us_per_request", |p| {
        number(p.figures.cpu_per_request.map(|c| c.client_us), 3)
    }),
    (IO, "server_cpu_us_per_request", |p| number(p.figures.cpu_per_request?.server_us, 3)),
    (&[Kind::Tasksize], "tasks", |p| p.record.tasks.map(|n| n.to_string())),
    (CPU, "workers", |p| number(p.figures.workers, 0)),
    (CPU, "speedup_vs_seq", |p| number(p.figures.speedup, 4)),
    (CPU, "ideal_speedup", |p| number(p.figures.ideal_speedup, 0)),
    (&[Kind::Tasksize], "overhead_per_task_us", |p| {
        number(p.figures.overhead_per_task_s.map(|s| s * 1e6), 4)
    }),
    (&[Kind::Processes], "bytes_exchanged", |p| p.record.bytes_exchanged.map(|n| n.to_string())),
    (&[Kind::Callers], "duplicates", |p| number(p.figures.duplicates, 0)),
    (&[Kind::Callers], "conversions", |p| p.record.conversions.map(|n| n.to_string())),
    (&[Kind::Rate], "achieved_rps", |p| number(p.figures.achieved_rps, 3)),
    (&[Kind::Rate], "p99_ms", |p| number(p.figures.p99_s.map(|s| s * 1000.0), 3)),
    (&[Kind::Rate], "capacity_rps", |p| number(p.figures.capacity_rps, 3)),
    (IO, "latency_bound_s", |p| number(p.figures.latency_bound_s, 6)),
    (IO, "cpu_bound_s", |p| number(p.figures.cpu_bound_s, 6)),
    (&[], "ideal_s", |p| number(p.figures.ideal_s, 6)),
    (&[], "ratio_to_ideal", |p| number(p.figures.ratio_to_ideal, 4)),
    (&[], "cpu_ms", |p| number(p.record.cpu_ms.map(|cpu| cpu.total()), 3)),
    (&[Kind::Tasksize], "fit_per_task_us", |p| {
        number(p.figures.fit.map(|f| f.per_task_s * 1e6), 4)
    }),
    (&[Kind::Tasksize], "fit_startup_ms", |p| number(p.figures.fit.map(|f| f.startup_s * 1e3), 4)),
    (&[Kind::Tasksize, Kind::Inflight, Kind::Latency], "bound", |p| {
        p.figures.bound.map(String::from)
    }),
];

/// A figure rounded to `decimals`; one that rounds to zero has no sign (a fit of seq's cost per
/// task can be −1e-19 s).
fn number(figure: Option<f64>, decimals: usize) -> Option<String> {
    let text = trimmed(figure?, decimals);
    Some(if text == "-0" { "0".into() } else { text })
}

/// `<sweep>.csv`: one row per point, in the order the points ran.
pub fn csv(sweep: &Sweep) -> Result<String> {
    let pss = sweep.points.iter().any(|p| p.pss_kib.is_some());
    let ours = |(kinds, name, _): &&Column| {
        (kinds.is_empty() || kinds.contains(&sweep.kind)) && (pss || !name.starts_with("pss_"))
    };
    let columns: Vec<&Column> = COLUMNS.iter().filter(ours).collect();
    let header = BASE.split(',').chain(columns.iter().map(|column| column.1)).map(String::from);
    let rows = sweep.points.iter().map(|point| {
        let timing = &point.timing;
        let base = [
            sweep.name.clone(),
            point.variant.clone(),
            sweep.parameter.clone(),
            trimmed(point.value, 6),
            timing.median_s.to_string(),
            timing.min_s.to_string(),
            timing.max_s.to_string(),
            timing.runs().to_string(),
            point.peak_rss_kib.map(|kib| kib.to_string()).unwrap_or_default(),
        ];
        let derived = columns.iter().map(|column| column.2(point).unwrap_or_default());
        base.into_iter().chain(derived).collect::<Vec<_>>()
    });
    crate::files::csv_text(std::iter::once(header.collect()).chain(rows))
}

/// What the swept parameter is, with its unit (the x axis, the table's corner); what the chart
/// plots upward, in which unit, and what its dashed ideal stands for.
fn axes(sweep: &Sweep) -> (&str, (&'static str, Unit, &'static str)) {
    let time = ("median wall time", Unit::Seconds, "ideal bound");
    let speedup = ("speedup vs seq", Unit::Factor, "ideal speedup");
    let (x, y) = match sweep.kind {
        Kind::Tasks => {
            ("tasks waiting at once", ("median time ÷ wait", Unit::Factor, "ideal: one wait"))
        }
        Kind::Inflight => {
            ("requests in flight", ("median time ÷ latency bound", Unit::Factor, "ideal"))
        }
        Kind::Latency => ("latency per request (ms)", time),
        Kind::Tasksize => ("task size (iterations)", speedup),
        Kind::Workers => ("workers", speedup),
        Kind::Processes => ("processes", speedup),
        Kind::Callers => ("callers", time),
        Kind::Rate => ("requests per second achieved", ("p99 latency", Unit::Seconds, "latency")),
        Kind::Other => (sweep.parameter.as_str(), time),
    };
    (x, if sweep.plots_time { time } else { y })
}

/// The chart of a sweep: a line per variant in its model's colour, and the ideal dashed: one line
/// in ink where no two variants' ideals differ at a value (one wait, 1×, min(workers, cores)),
/// else one per group of variants that share it, in the first one's colour.
pub fn chart(sweep: &Sweep) -> Chart {
    let (x_label, (value_label, unit, ideal)) = axes(sweep);
    let series = |label, line: &Line, pick: fn(&Point) -> Option<f64>, dashed| {
        // A rate is plotted against what it achieved, not what it was offered.
        let x = |p: &Point| p.figures.achieved_rps.unwrap_or(p.value);
        let points = line.points.iter().filter_map(|p| Some((x(p), pick(p)?)));
        let points = points.filter(|(_, y)| y.is_finite()).collect();
        Series { label, colour: line.largest.family.index(), points, dashed }
    };
    // A line per variant, and each distinct ideal once, with the variants that share it.
    let (mut lines, mut ideals): (Vec<Series>, Vec<(Vec<&str>, Series)>) = (Vec::new(), Vec::new());
    for line in &sweep.lines {
        lines.push(series(line.variant.clone(), line, |p| p.figures.y, false));
        let ideal = series(String::new(), line, |p| p.figures.ideal_y, true);
        match ideals.iter_mut().find(|(_, other)| other.points == ideal.points) {
            Some((variants, _)) => variants.push(&line.variant),
            None if ideal.points.is_empty() => {}
            None => ideals.push((vec![&line.variant], ideal)),
        }
    }
    let mut all: Vec<(f64, f64)> =
        ideals.iter().flat_map(|(_, ideal)| ideal.points.clone()).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    all.dedup_by(|later, kept| {
        later.0 == kept.0 && (later.1 - kept.1).abs() <= 1e-9 * later.1.abs().max(1.0)
    });
    if !all.is_empty() && all.windows(2).all(|pair| pair[0].0 != pair[1].0) {
        let ink = chart::PALETTE.len();
        lines.push(Series { label: ideal.into(), colour: ink, points: all, dashed: true });
    } else {
        let label = |variants: &[&str]| format!("ideal: {}", names(variants));
        lines.extend(
            ideals.into_iter().map(|(variants, ideal)| Series { label: label(&variants), ..ideal }),
        );
    }
    let title = format!("{}: {value_label} against {}", sweep.name, sweep.parameter);
    let kind = chart::Kind::Lines { x_label: x_label.to_string(), series: lines };
    Chart { title, value_label: value_label.to_string(), unit, kind, legend: Vec::new() }
}

/// Variants as a legend says them, a model they share said once: "threads single-flight and moka".
fn names(variants: &[&str]) -> String {
    let model = variants[0].split_once(' ').map(|(model, _)| format!("{model} "));
    let shared = model.filter(|model| variants.iter().all(|v| v.starts_with(model.as_str())));
    let rest = variants[1..].iter().map(|v| &v[shared.as_ref().map_or(0, String::len)..]);
    and_list(&variants[..1].iter().copied().chain(rest).collect::<Vec<_>>())
}

/// One row per variant, one column per value of the parameter.
pub fn table(sweep: &Sweep) -> String {
    let heading = (format!("variant \\ {}", axes(sweep).0), Align::Left);
    let values = sweep.at.iter().map(|at| (value(at.value), Align::Right));
    let mut table = Table::new(std::iter::once(heading).chain(values));
    for line in &sweep.lines {
        let point = |value| line.points.iter().find(|p| p.value == value);
        let cells = sweep.at.iter().map(|at| point(at.value).map(|point| cell(sweep.kind, point)));
        table.row(std::iter::once(Some(line.variant.clone())).chain(cells));
    }
    table.markdown()
}

/// What a table cell shows, per sweep (the page's caption says it in words): a time or a factor,
/// then what the sweep adds.
fn cell(kind: Kind, point: &Point) -> String {
    let (f, time) = (&point.figures, duration(point.timing.median_s));
    let or_none = |figure: Option<f64>| figure.map_or_else(|| NONE.to_string(), factor);
    // The 1-unit run is every per-unit figure's base: its own is 0 by definition.
    let per_unit = f.per_unit.filter(|_| point.value != 1.0);
    let per_unit = per_unit
        .map(|per| if per.noise { " · ≈0 KiB".into() } else { format!(" · {}", kib(per.kib)) });
    let (main, after) = match kind {
        Kind::Tasks => (time, per_unit),
        Kind::Inflight => {
            let cpu = f.ideal_y.filter(|_| f.bound == Some("CPU"));
            let cpu = cpu.map(|cpu| format!(" · CPU {}", factor(cpu)));
            (or_none(f.y), Some(cpu.unwrap_or_default() + &per_unit.unwrap_or_default()))
        }
        Kind::Latency => {
            let cpu = if f.bound == Some("CPU") { ", CPU" } else { "" };
            (time, f.ratio_to_ideal.map(|ratio| format!(" ({}{cpu})", factor(ratio))))
        }
        Kind::Tasksize | Kind::Workers | Kind::Processes => {
            (or_none(f.speedup), f.bound.map(|bound| format!(" · {bound}")))
        }
        Kind::Rate => {
            let p99 = f.p99_s.map_or_else(|| NONE.to_string(), duration);
            (p99, f.achieved_rps.map(|rps| format!(" · {}", rate(rps))))
        }
        Kind::Callers | Kind::Other => {
            let duplicates = f.duplicates.filter(|count| *count > 0.0);
            (time, duplicates.map(|count| format!(" · {} dup.", value(count))))
        }
    };
    main + &after.unwrap_or_default()
}
