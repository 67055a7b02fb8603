//! The sweep report's outputs, each read from the derived model: `<sweep>.csv`
//! (the csv crate), the chart spec (handed to [`crate::chart`]), the compact
//! Markdown table ([`Table`]) and the context of the templates.
//!
//! As in `summary.csv`, measured times keep hyperfine's precision, derived
//! numbers are rounded to what they can mean, and a figure that does not exist
//! is an empty cell, never a 0. The base columns are the same for every sweep;
//! the sweep's own figures follow, then `ideal_s` and `ratio_to_ideal`, then
//! (`tasksize`) the fit.

use anyhow::{Context, Result};
use serde::Serialize;

use crate::chart::{self, Chart, Series, Unit};
use crate::files::{Machine, Params};
use crate::format::{and_list, duration, factor, kib, trimmed, value};
use crate::table::{Align, NONE, Table};

use super::Inputs;
use super::derive::{Kind, PerUnit, Point, Sweep, url_latency_ms};

/// The columns every sweep's CSV starts with.
const BASE: &str = "sweep,variant,parameter,value,median_s,min_s,max_s,runs,peak_rss_kib";

/// A derived column of a sweep's CSV: its name (with its unit) and its cell.
type Column = (&'static str, fn(&Point) -> Option<String>);

/// A figure rounded to `decimals`; one that rounds to zero has no sign (a fit
/// of seq's cost per task can be −1e-19 s).
fn number(figure: Option<f64>, decimals: usize) -> Option<String> {
    let text = trimmed(figure?, decimals);
    Some(if text == "-0" { "0".into() } else { text })
}

fn per_unit(per_unit: Option<PerUnit>) -> Option<String> {
    number(per_unit.map(|per_unit| per_unit.kib), 3)
}

fn count(count: Option<u64>) -> Option<String> {
    count.map(|count| count.to_string())
}

const TASKS: &[Column] = &[
    ("wait_s", |p| number(p.figures.wait_s, 6)),
    ("memory_per_task_kib", |p| per_unit(p.figures.per_unit)),
];
const PSS: &[Column] = &[
    ("pss_kib", |p| count(p.pss_kib)),
    ("pss_per_task_kib", |p| per_unit(p.figures.pss_per_unit)),
];
const INFLIGHT: &[Column] = &[
    ("requests", |p| count(p.record.requests)),
    ("latency_ms", |p| number(url_latency_ms(&p.command), 3)),
    ("memory_per_in_flight_kib", |p| per_unit(p.figures.per_unit)),
];
const LATENCY: &[Column] = &[
    ("requests", |p| count(p.record.requests)),
    ("concurrency", |p| count(Some(p.record.parallelism()))),
];
const TASK_COUNT: &[Column] = &[("tasks", |p| count(p.record.tasks))];
const SPEEDUP: &[Column] = &[
    ("workers", |p| number(p.figures.workers, 0)),
    ("speedup_vs_seq", |p| number(p.figures.speedup, 4)),
    ("ideal_speedup", |p| number(p.figures.ideal_speedup, 0)),
];
const OVERHEAD: &[Column] =
    &[("overhead_per_task_us", |p| number(p.figures.overhead_per_task_s.map(|s| s * 1e6), 4))];
const CALLERS: &[Column] = &[
    ("duplicates", |p| number(p.figures.duplicates, 0)),
    ("conversions", |p| count(p.record.conversions)),
];
const IDEAL: &[Column] = &[
    ("ideal_s", |p| number(p.figures.ideal_s, 6)),
    ("ratio_to_ideal", |p| number(p.figures.ratio_to_ideal, 4)),
];
/// `tasksize`'s fit, after the columns earlier reports wrote, which keep their place.
const FIT: &[Column] = &[
    ("fit_per_task_us", |p| number(p.figures.fit.map(|f| f.per_task_s * 1e6), 4)),
    ("fit_startup_ms", |p| number(p.figures.fit.map(|f| f.startup_s * 1e3), 4)),
    ("bound", |p| p.figures.bound.map(|bound| bound.word().into())),
];

fn columns(sweep: &Sweep) -> Vec<Column> {
    let has_pss = sweep.points.iter().any(|p| p.pss_kib.is_some());
    let own: &[&[Column]] = match sweep.kind {
        Kind::Tasks if has_pss => &[TASKS, PSS, IDEAL],
        Kind::Tasks => &[TASKS, IDEAL],
        Kind::Inflight => &[INFLIGHT, IDEAL],
        Kind::Latency => &[LATENCY, IDEAL],
        Kind::Tasksize => &[TASK_COUNT, SPEEDUP, OVERHEAD, IDEAL, FIT],
        Kind::Workers => &[SPEEDUP, IDEAL],
        Kind::Callers => &[CALLERS, IDEAL],
        Kind::Other => &[IDEAL],
    };
    own.concat()
}

/// `<sweep>.csv`: one row per point, in the order the points ran.
pub fn csv(sweep: &Sweep) -> Result<String> {
    let columns = columns(sweep);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let names = columns.iter().map(|(name, _)| *name);
    writer.write_record(BASE.split(',').chain(names))?;
    for point in &sweep.points {
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
        let derived = columns.iter().map(|(_, cell)| cell(point).unwrap_or_default());
        writer.write_record(base.into_iter().chain(derived))?;
    }
    let bytes = writer.into_inner().context("cannot write the CSV")?;
    String::from_utf8(bytes).context("the CSV is not UTF-8")
}

/// What the swept parameter is, with its unit, for the x axis and the tables.
fn x_label(sweep: &Sweep) -> &str {
    match sweep.kind {
        Kind::Tasks => "tasks waiting at once",
        Kind::Inflight => "requests in flight",
        Kind::Latency => "latency per request (ms)",
        Kind::Tasksize => "task size (iterations)",
        Kind::Workers => "workers",
        Kind::Callers => "callers",
        Kind::Other => &sweep.parameter,
    }
}

/// What the chart plots upward, its unit, and what its dashed ideal stands for.
fn y_axis(sweep: &Sweep) -> (&'static str, Unit, &'static str) {
    match sweep.kind {
        _ if sweep.plots_time => ("median wall time", Unit::Seconds, "ideal bound"),
        Kind::Tasks => ("median time ÷ wait", Unit::Factor, "ideal: one wait"),
        Kind::Inflight => ("median time ÷ ideal", Unit::Factor, "ideal"),
        Kind::Tasksize | Kind::Workers => ("speedup vs seq", Unit::Factor, "ideal speedup"),
        _ => ("median wall time", Unit::Seconds, "ideal bound"),
    }
}

fn chart_title(sweep: &Sweep) -> String {
    let (name, y) = (&sweep.name, y_axis(sweep).0);
    format!("{name}: {y} against {}", sweep.parameter)
}

/// The chart of a sweep: a line per variant in its model's colour, and the
/// ideal dashed: one line in ink where every variant shares it (one wait, 1×,
/// min(workers, cores)), else one per variant in its colour.
pub fn chart(sweep: &Sweep) -> Chart {
    let (value_label, unit, ideal) = y_axis(sweep);
    let series = |label, colour, points, dashed| Series { label, colour, points, dashed };
    let mut lines = Vec::new();
    // Each distinct ideal once, with the variants that share it.
    let mut ideals: Vec<(Vec<&str>, Series)> = Vec::new();
    for line in &sweep.lines {
        let colour = line.largest.family.index();
        let pairs = |pick: fn(&Point) -> Option<f64>| -> Vec<(f64, f64)> {
            let pairs = line.points.iter().filter_map(|p| Some((p.value, pick(p)?)));
            pairs.filter(|(_, y)| y.is_finite()).collect()
        };
        let points = pairs(|p| p.figures.y);
        lines.push(series(line.variant.clone(), colour, points, false));
        let points = pairs(|p| p.figures.ideal_y);
        match ideals.iter_mut().find(|(_, ideal)| ideal.points == points) {
            Some((variants, _)) => variants.push(&line.variant),
            None if points.is_empty() => {}
            None => ideals.push((vec![&line.variant], series(String::new(), colour, points, true))),
        }
    }
    // Every ideal point, once per value; `None` when two variants disagree there.
    let mut shared: Option<Vec<(f64, f64)>> = Some(Vec::new());
    for &(x, y) in ideals.iter().flat_map(|(_, ideal)| &ideal.points) {
        let Some(points) = shared.as_mut() else { break };
        match points.iter().find(|(at, _)| *at == x) {
            Some((_, there)) if (there - y).abs() > 1e-9 * y.abs().max(1.0) => shared = None,
            Some(_) => {}
            None => points.push((x, y)),
        }
    }
    match shared.filter(|points| !points.is_empty()) {
        Some(mut points) => {
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let ink = chart::PALETTE.len();
            lines.push(series(ideal.to_string(), ink, points, true));
        }
        None => lines.extend(ideals.into_iter().map(|(variants, ideal)| Series {
            label: format!("ideal: {}", names(&variants)),
            ..ideal
        })),
    }
    let kind = chart::Kind::Lines { x_label: x_label(sweep).to_string(), series: lines };
    let title = chart_title(sweep);
    Chart { title, value_label: value_label.to_string(), unit, kind, legend: Vec::new() }
}

/// Variants as a legend says them, their shared model said once: `threads
/// single-flight` and `threads moka` are "threads single-flight and moka".
fn names(variants: &[&str]) -> String {
    let model = |variant: &str| variant.split_once(' ').map(|(model, _)| model.to_string());
    let first = variants.first().and_then(|first| model(first));
    let shared = first.filter(|first| variants.iter().all(|v| model(v).as_ref() == Some(first)));
    let rest = variants.iter().skip(1).map(|v| match shared {
        Some(_) => v.split_once(' ').map_or(*v, |(_, rest)| rest),
        None => v,
    });
    let names: Vec<&str> = variants.iter().take(1).copied().chain(rest).collect();
    and_list(&names)
}

/// One row per variant, one column per value of the parameter.
fn table(sweep: &Sweep) -> String {
    let heading = (format!("variant \\ {}", x_label(sweep)), Align::Left);
    let values = sweep.at.iter().map(|at| (value(at.value), Align::Right));
    let mut table = Table::new(std::iter::once(heading).chain(values));
    for line in &sweep.lines {
        let cells = sweep.at.iter().map(|at| {
            let point = line.points.iter().find(|p| p.value == at.value);
            point.map(|point| cell(sweep.kind, point))
        });
        table.row(std::iter::once(Some(line.variant.clone())).chain(cells));
    }
    table.markdown()
}

/// What a table cell shows, per sweep (the page's caption says it in words).
fn cell(kind: Kind, point: &Point) -> String {
    let figures = &point.figures;
    let time = duration(point.timing.median_s);
    let or_none = |figure: Option<f64>| figure.map_or_else(|| NONE.to_string(), factor);
    // The 1-unit run is every per-unit figure's base: its own is 0 by definition.
    let per_unit = match figures.per_unit.filter(|_| point.value != 1.0) {
        Some(per) if per.noise => " · ≈0 KiB".to_string(),
        Some(per) => format!(" · {}", kib(per.kib)),
        None => String::new(),
    };
    match kind {
        Kind::Tasks => time + &per_unit,
        Kind::Inflight => or_none(figures.y) + &per_unit,
        Kind::Latency => match figures.ratio_to_ideal {
            Some(ratio) => format!("{time} ({})", factor(ratio)),
            None => time,
        },
        Kind::Tasksize => match figures.bound {
            Some(bound) => format!("{} · {}", or_none(figures.speedup), bound.word()),
            None => or_none(figures.speedup),
        },
        Kind::Workers => or_none(figures.speedup),
        Kind::Callers => match figures.duplicates.filter(|count| *count > 0.0) {
            Some(count) => format!("{time} · {} dup.", value(count)),
            None => time,
        },
        Kind::Other => time,
    }
}

/// The context of `sweeps.md` and `scaling.md`.
#[derive(Serialize)]
pub struct Page<'a> {
    pub machine: &'a Machine,
    pub params: &'a Params,
    pub sweeps: Vec<Section<'a>>,
    /// The sweep directory as a link from the guide (`../results/sweeps`): the
    /// guide's block; `None`: the page, and the summary.
    pub link: Option<String>,
}

/// A sweep with its rendered table and chart title.
#[derive(Serialize)]
pub struct Section<'a> {
    #[serde(flatten)]
    pub sweep: &'a Sweep,
    pub table: String,
    pub chart_title: String,
}

pub fn page(inputs: &Inputs, link: Option<String>) -> Page<'_> {
    let section = |sweep| Section { table: table(sweep), chart_title: chart_title(sweep), sweep };
    let sweeps = inputs.sweeps.iter().map(section).collect();
    Page { machine: &inputs.machine, params: &inputs.params, sweeps, link }
}
