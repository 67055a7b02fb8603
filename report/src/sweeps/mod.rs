//! The sweep report: turns what `scripts/sweep.sh` measured (one parameter moved
//! over a range, every model timed at each point) into `<sweep>.csv` and
//! `<sweep>.svg` per sweep, the "Scaling" page (`README.md`), a guide's scaling
//! block and a summary of one line per sweep.
//!
//! The compare report's three layers: this module reads the files ([`load`]),
//! [`derive`] computes every figure and verdict once into a `Serialize` model,
//! and [`output`] hands that model to the csv crate, the chart module, the
//! table type and the templates (`sweeps.md`: the page and the sentences every
//! output shares; `scaling.md`: the guide block and the summary).
//!
//! Reading is strict: a garbled line or export is an error naming the file and
//! line, since a curve drawn from half the points would look plausible and be
//! wrong. Every output is rendered in memory, and the guide's markers checked,
//! before the first is written (the guide's block first, then the files in
//! OUT), so a bad input leaves the previous report and the guide as they were.

pub mod derive;
pub mod output;

use std::path::{Component, Path};

use anyhow::{Context, Result, bail};

use crate::chart;
use crate::figures::Family;
use crate::files::{
    self, Export, MACHINE_FILE, Machine, PARAMS_FILE, Params, README_FILE, RECORDS_FILE, SweepLine,
};
use crate::pages::{self, Markers};
use crate::stats::Timing;

use self::derive::{Figures, Point, Sweep};

/// Everything the sweep report is built from; the sweeps in the order of their
/// first record.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub params: Params,
    pub machine: Machine,
    pub sweeps: Vec<Sweep>,
}

/// Reads the sweeps in `dir`, writes `<sweep>.csv`, `<sweep>.svg` and
/// `README.md` into it, and (with `guide`) rewrites the guide's scaling block;
/// returns the stdout summary.
pub fn generate(dir: &Path, guide: Option<&Path>) -> Result<String> {
    let inputs = load(dir)?;
    let mut outputs = Vec::new();
    for sweep in &inputs.sweeps {
        outputs.push((format!("{}.csv", sweep.name), output::csv(sweep)?));
        let svg = chart::svg(&output::chart(sweep))
            .with_context(|| format!("cannot draw the chart of sweep {}", sweep.name))?;
        outputs.push((format!("{}.svg", sweep.name), svg));
    }
    let readme = pages::render("sweeps.md", output::page(&inputs, None))?;
    outputs.push((README_FILE.to_string(), readme));
    let summary = pages::render("scaling.md", output::page(&inputs, None))?;
    if let Some(guide) = guide {
        let link = pages::relative_link(guide, dir)?;
        let block = pages::render("scaling.md", output::page(&inputs, Some(link)))?;
        Markers { name: "scaling" }.rewrite(guide, &block)?;
    }
    for (file_name, contents) in outputs {
        files::write_atomically(&dir.join(file_name), &contents)?;
    }
    Ok(summary)
}

/// Reads every input in `dir` and derives each sweep. Nothing is written.
pub fn load(dir: &Path) -> Result<Inputs> {
    if !dir.is_dir() {
        bail!("{} is not a directory (expected sweep.sh's output directory)", dir.display());
    }
    let params: Params = files::read_json(&dir.join(PARAMS_FILE), "a run-parameters file")?;
    let machine: Machine = files::read_json(&dir.join(MACHINE_FILE), "a machine description")?;
    let path = dir.join(RECORDS_FILE);
    let what = "a sweep record line ({\"sweep\":...,\"value\":N,\"variant\":...,\"export\":...})";
    let mut sweeps: Vec<(String, String, Vec<Point>)> = Vec::new();
    for (line, given) in files::read_lines::<SweepLine>(&path, what)? {
        let at = || format!("{}:{line}", path.display());
        let point = point(dir, line, &given).with_context(at)?;
        let index = match sweeps.iter().position(|(name, ..)| *name == given.sweep) {
            Some(index) => index,
            None => {
                check_name(&given.sweep).with_context(at)?;
                sweeps.push((given.sweep.clone(), given.parameter.clone(), Vec::new()));
                sweeps.len() - 1
            }
        };
        let points = &mut sweeps[index].2;
        // Two points of a variant at one value: which one would the curve show?
        let twice = points.iter().find(|p| p.variant == point.variant && p.value == point.value);
        if let Some(earlier) = twice {
            let (variant, value) = (&point.variant, point.value);
            bail!("{}: {variant} at {value} measured twice (also line {})", at(), earlier.line);
        }
        points.push(point);
    }
    if sweeps.is_empty() {
        bail!("{}: no points", path.display());
    }
    let derive = |(name, parameter, points)| derive::sweep(name, parameter, points, machine.cores);
    let sweeps = sweeps.into_iter().map(derive).collect();
    Ok(Inputs { params, machine, sweeps })
}

/// A point from its line and its export.
fn point(dir: &Path, line: usize, given: &SweepLine) -> Result<Point> {
    let value = given.value.as_f64().filter(|value| value.is_finite());
    let value = value.with_context(|| format!("value {} is not a finite number", given.value))?;
    let export = Path::new(&given.export);
    if !export.components().all(|part| matches!(part, Component::Normal(_))) {
        bail!("export {:?} must be a path inside the sweep directory", given.export);
    }
    let results = Export::read(&dir.join(export))?;
    let [result] = results.as_slice() else {
        bail!("{} holds {} results; a point's holds one", given.export, results.len());
    };
    let record = files::record_of(&given.record);
    let wait_ms = record.wait_ms.or_else(|| option(&given.command, "--wait-ms"));
    Ok(Point {
        line,
        variant: given.variant.clone(),
        family: Family::of(&given.variant, Some(&record)),
        value,
        command: given.command.clone(),
        timing: Timing::of(result, None),
        peak_rss_kib: record.peak_rss_kib,
        pss_kib: record.pss_kib,
        wait_ms,
        record,
        figures: Figures::default(),
    })
}

/// The number after `name` in a command line (`--wait-ms 1000`).
pub fn option(command: &str, name: &str) -> Option<f64> {
    let mut words = command.split_whitespace();
    words.find(|word| *word == name)?;
    words.next()?.parse().ok()
}

/// A sweep's name becomes `<sweep>.csv` and `<sweep>.svg`.
fn check_name(sweep: &str) -> Result<()> {
    if !files::is_file_name(sweep) {
        bail!("sweep name {sweep:?} cannot be used as a file name");
    }
    if sweep == "README" || sweep == "records" {
        bail!("sweep name {sweep:?} would overwrite one of the sweep report's own files");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Options are read from the command line; a missing or bad one is absent.
    #[test]
    fn options_from_the_command() {
        let command = "bin/concur-async sleep --tasks 10 --wait-ms 1000";
        assert_eq!(option(command, "--wait-ms"), Some(1000.0));
        assert_eq!(option(command, "--tasks"), Some(10.0));
        assert_eq!(option(command, "--workers"), None);
        assert_eq!(option("x --wait-ms", "--wait-ms"), None);
    }
}
