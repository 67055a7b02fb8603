//! The sweep report: turns what `scripts/sweep.sh` measured (one parameter moved
//! over a range, every model timed at each point) into one CSV and one line
//! chart per sweep, and a "Scaling" page stating each sweep's limit or crossover
//! in numbers computed from those CSVs.
//!
//! Like the compare report, every derived number is built on the median of a
//! point's runs, and memory comes from the binaries' own records, not hyperfine.
//!
//! # Layout
//! - [`line`]: a point's line of `records.jsonl` (`concur-report sweep-record`)
//! - [`load`]: reading `records.jsonl`, the exports, `params.json`, `machine.json`
//! - [`point`]: the sweeps as data, and the derived table the outputs read
//! - [`derive`]: each sweep's per-unit figures and ideal
//! - [`sentences`]: each sweep's key sentences, and the definitions behind them;
//!   [`speedups`]: those of the CPU-bound sweeps
//! - [`csv`], [`chart`], [`page`]: `<sweep>.csv`, `<sweep>.svg`, and the page,
//!   stdout summary and guide block; [`text`]: numbers in prose
//! - this module: [`generate`], which runs the steps in order
//!
//! Every output is rendered in memory, and the guide's markers checked, before
//! the first is written (the guide's block first, then the files in OUT), so a
//! bad input leaves the previous report and the guide as they were.

pub mod chart;
pub mod csv;
pub mod derive;
pub mod line;
pub mod load;
pub mod page;
pub mod point;
pub mod sentences;
pub mod speedups;
pub mod text;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::README_FILE;
use crate::atomic::write_atomically;
use crate::readme_block::{Markers, rewrite_between};

use self::page::Section;

/// The block of a guide (`docs/choosing.md`) that holds the sweeps' key sentences.
pub const SCALING: Markers = Markers {
    start: "<!-- scaling:start -->",
    end: "<!-- scaling:end -->",
    name: "scaling",
};

/// A guide to rewrite: its path, and the sweep directory as a link from it
/// (`../results/sweeps`).
#[derive(Debug, Clone, Copy)]
pub struct Guide<'a> {
    pub path: &'a Path,
    pub link: &'a str,
}

/// What [`generate`] did.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The stdout summary: one line per sweep.
    pub summary: String,
    pub written: Vec<PathBuf>,
}

/// Reads the sweeps in `dir`, writes `<sweep>.csv`, `<sweep>.svg` and
/// `README.md` into it, and (with `guide`) rewrites the guide's scaling block.
pub fn generate(dir: &Path, guide: Option<Guide>) -> Result<Generated> {
    let inputs = load::load(dir)?;
    let sections: Vec<Section> = inputs
        .sweeps
        .iter()
        .map(|sweep| {
            let table = derive::table(sweep, &inputs.machine);
            let sentences = sentences::sentences(&table, inputs.machine.cores);
            Section { table, sentences }
        })
        .collect();
    let mut outputs = Vec::new();
    for section in &sections {
        let name = &section.table.sweep.name;
        outputs.push((format!("{name}.csv"), csv::csv(&section.table)));
        let svg = chart::chart(&section.table)
            .with_context(|| format!("cannot draw the chart of sweep {name}"))?;
        outputs.push((format!("{name}.svg"), svg));
    }
    outputs.push((
        README_FILE.to_string(),
        page::readme(&sections, &inputs.machine, &inputs.params),
    ));
    if let Some(guide) = guide {
        let block = page::guide_block(&sections, &inputs.machine, &inputs.params, guide.link);
        rewrite_between(guide.path, SCALING, &block)?;
    }
    let mut written = Vec::new();
    for (file_name, contents) in outputs {
        let path = dir.join(file_name);
        write_atomically(&path, &contents)?;
        written.push(path);
    }
    Ok(Generated {
        summary: page::summary(&sections),
        written,
    })
}
