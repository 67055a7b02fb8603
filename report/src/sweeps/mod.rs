//! The sweep report: turns what `scripts/sweep.sh` measured (one parameter moved over a range,
//! every model timed at each point) into `<sweep>.csv` and `<sweep>.svg` per sweep, the "Scaling"
//! page (`README.md`), a guide's scaling block and a summary of one line per sweep.
//!
//! The compare report's three layers: this module reads the files, [`derive`] computes every figure
//! and verdict once, [`output`] and the templates render them (`sweeps.md`: the page and the
//! sentences every output shares; `scaling.md`: the guide block and the summary).
//!
//! Every output is rendered in memory, and the guide's markers checked, before the first is
//! written (the guide's block first, then the files in OUT), so a bad input leaves the previous
//! report and the guide as they were.

pub mod derive;
mod fit;
pub mod output;
mod point;

use std::path::{Component, Path};

use anyhow::{Context, Result, bail, ensure};
use indexmap::IndexMap;
use serde::Serialize;

use crate::chart;
use crate::figures::Family;
use crate::files::{self, Export, Machine, Params, README_FILE, RECORDS_FILE, SweepLine};
use crate::pages::{self, Markers};
use crate::stats::Timing;

use self::derive::{Figures, Point, Sweep};

/// The context of `sweeps.md` and `scaling.md`.
#[derive(Serialize)]
struct Page<'a> {
    machine: &'a Machine,
    params: &'a Params,
    sweeps: Vec<Section<'a>>,
    /// The sweep directory as a link from the guide (`../results/sweeps`): the guide's block;
    /// `None`: the page, and the summary.
    link: Option<String>,
}

#[derive(Serialize)]
struct Section<'a> {
    #[serde(flatten)]
    sweep: &'a Sweep,
    table: String,
    chart_title: String,
}

/// Reads the sweeps in `dir`, writes `<sweep>.csv`, `<sweep>.svg` and `README.md` into it, and
/// (with `guide`) rewrites the guide's scaling block; returns the stdout summary.
pub fn generate(dir: &Path, guide: Option<&Path>) -> Result<String> {
    let (params, machine, sweeps) = load(dir)?;
    let (mut outputs, mut sections) = (Vec::new(), Vec::new());
    for sweep in &sweeps {
        let chart = output::chart(sweep);
        let svg = chart::svg(&chart);
        let svg = svg.with_context(|| format!("cannot draw the chart of sweep {}", sweep.name))?;
        outputs.push((format!("{}.csv", sweep.name), output::csv(sweep)?));
        outputs.push((format!("{}.svg", sweep.name), svg));
        sections.push(Section { table: output::table(sweep), chart_title: chart.title, sweep });
    }
    let mut page = Page { machine: &machine, params: &params, sweeps: sections, link: None };
    outputs.push((README_FILE.to_string(), pages::render("sweeps.md", &page)?));
    let summary = pages::render("scaling.md", &page)?;
    if let Some(guide) = guide {
        page.link = Some(pages::relative_link(guide, dir)?);
        Markers { name: "scaling" }.rewrite(guide, &pages::render("scaling.md", &page)?)?;
    }
    for (file_name, contents) in outputs {
        files::write_atomically(&dir.join(file_name), &contents)?;
    }
    Ok(summary)
}

/// Reads every input in `dir` and derives each sweep, in the order of its first record.
fn load(dir: &Path) -> Result<(Params, Machine, Vec<Sweep>)> {
    let (params, machine) = files::read_run(dir, "scripts/sweep.sh")?;
    let path = dir.join(RECORDS_FILE);
    let what = "a sweep record line ({\"sweep\":...,\"value\":N,\"variant\":...,\"export\":...})";
    let mut sweeps: IndexMap<String, (String, Vec<Point>)> = IndexMap::new();
    for (line, given) in files::read_lines::<SweepLine>(&path, what)? {
        let at = || format!("{}:{line}", path.display());
        let point = point(dir, line, &given).with_context(at)?;
        if !sweeps.contains_key(&given.sweep) {
            check_name(&given.sweep).with_context(at)?;
        }
        let (_, points) = sweeps.entry(given.sweep).or_insert((given.parameter, Vec::new()));
        // Two points of a variant at one value: which one would the curve show?
        let twice = points.iter().find(|p| p.variant == point.variant && p.value == point.value);
        if let Some(earlier) = twice {
            let (variant, value) = (&point.variant, point.value);
            bail!("{}: {variant} at {value} measured twice (also line {})", at(), earlier.line);
        }
        points.push(point);
    }
    ensure!(!sweeps.is_empty(), "{}: no points", path.display());
    let derive =
        |(name, (parameter, points))| derive::sweep(name, parameter, points, machine.cores);
    let sweeps = sweeps.into_iter().map(derive).collect();
    Ok((params, machine, sweeps))
}

fn point(dir: &Path, line: usize, given: &SweepLine) -> Result<Point> {
    let value = given.value.as_f64().filter(|value| value.is_finite());
    let value = value.with_context(|| format!("value {} is not a finite number", given.value))?;
    let export = Path::new(&given.export);
    let inside = export.components().all(|part| matches!(part, Component::Normal(_)));
    ensure!(inside, "export {:?} must be a path inside the sweep directory", given.export);
    let results = Export::read(&dir.join(export))?;
    let [result] = results.as_slice() else {
        bail!("{} holds {} results; a point's holds one", given.export, results.len());
    };
    let mut record = files::record_of(&given.record);
    // A record without `wait_ms` takes it from the command (`--wait-ms 1000`).
    let mut words = given.command.split_whitespace().skip_while(|word| *word != "--wait-ms");
    record.wait_ms = record.wait_ms.or_else(|| words.nth(1)?.parse().ok());
    Ok(Point {
        line,
        variant: given.variant.clone(),
        family: Family::of(&given.variant, Some(&record)),
        value,
        command: given.command.clone(),
        timing: Timing::of(result, None),
        peak_rss_kib: record.peak_rss_kib,
        pss_kib: record.pss_kib,
        record,
        zero_latency: given.zero_latency.as_deref().map(files::record_of),
        figures: Figures::default(),
    })
}

/// A sweep's name becomes `<sweep>.csv` and `<sweep>.svg`.
fn check_name(sweep: &str) -> Result<()> {
    ensure!(files::is_file_name(sweep), "sweep name {sweep:?} cannot be used as a file name");
    let own = sweep == "README" || sweep == "records";
    ensure!(!own, "sweep name {sweep:?} would overwrite one of the sweep report's own files");
    Ok(())
}
