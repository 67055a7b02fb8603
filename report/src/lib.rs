//! The report generator: turns what `scripts/compare.sh` measured into `summary.csv`,
//! `README.md` and one SVG bar chart per workload, all in the results directory.
//!
//! Timings come from hyperfine's JSON, everything else a row shows (peak memory,
//! checksum, the parallelism an ideal bound needs) from the records the binaries
//! printed in the correctness-gate run; the two are joined on (workload, variant).
//! Peak memory comes from the binaries' own records, not from hyperfine: in
//! hyperfine 1.20 the JSON's `memory_usage_byte` is a running maximum over every
//! child the process ever waited for, and no hyperfine version sums a process tree.
//!
//! Every derived number (order, speedup, ideal bound, ratio to ideal) comes from
//! hyperfine's median wall time, not its mean: on a shared machine a single slow
//! run drags the mean and barely moves the median. The mean and σ are
//! still shown, as a measure of the noise.
//!
//! # Layout
//! - [`rounds`]: joining the rounds' hyperfine exports (`rounds/<workload>.<k>.json`)
//!   into one `<workload>.json`, `.csv` and `.md` per workload, before anything else
//! - [`input`]: reading the inputs, strict for measurements, lenient for descriptions
//! - [`join`]: joining timings and records into the tables; speedup, checksum
//!   agreement, the workload's rule (`convert`: never convert a key twice)
//! - [`ideal`](mod@ideal): the ideal bound of a variant and the rule behind it
//! - [`baseline`]: `--baseline`, every variant against an earlier run, judged by
//!   [`rank_test`] (a Mann-Whitney U test on the per-run times)
//! - [`table`]: the report as data (workloads, rows), which the renderers read;
//!   [`model`] and [`figures`] say which model a variant is and which record
//!   numbers each workload is about
//! - [`seeds`], [`blocking`]: the two workloads read their own way, the seeds'
//!   CPython programs paired with their concur variants, and the latency one task
//!   that does not yield costs; [`latency`]: the records' latency percentiles
//! - [`summary`], [`markdown`], [`svg`]: the three kinds of output file, rendered as
//!   strings; [`terminal`]: the short tables printed after writing them
//! - [`findings`], [`readme_block`]: the findings table of the front README, and
//!   replacing it between its markers (`--readme`)
//! - [`data_files`]: `machine.json`, `params.json`, record lines and joined
//!   exports, written for compare.sh with serde
//! - [`format`](mod@format): durations, memory, factors and counts for humans;
//!   [`provenance`]: the "Measured by ..." opening every page shares
//! - `atomic`: writing each file through a temporary file and a rename;
//!   `columns`: the padded plain-text columns of the terminal summary
//! - [`sweeps`]: the sweep report of `scripts/sweep.sh` (one CSV and line chart per
//!   sweep, and its "Scaling" page), built on the readers and formats above
//! - this module: [`generate`] and [`rewrite_findings`], which run the steps in order
//!
//! Every output of the report is rendered in memory before the first is written,
//! so a bad input leaves the previous report as it was, and each file is written
//! to a temporary file and renamed into place, so none is ever seen half-written.

mod atomic;
pub mod baseline;
pub mod blocking;
pub mod chart;
mod columns;
pub mod data_files;
pub mod figures;
pub mod findings;
pub mod format;
pub mod ideal;
pub mod input;
pub mod join;
pub mod latency;
pub mod markdown;
pub mod model;
pub mod provenance;
pub mod rank_test;
pub mod readme_block;
pub mod rounds;
pub mod seeds;
pub mod summary;
pub mod svg;
pub mod sweeps;
pub mod table;
pub mod terminal;

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};

pub use crate::atomic::write_atomically;
pub use crate::ideal::{Ideal, IdealRule, ideal};
pub use crate::input::{
    HyperfineResult, Inputs, Machine, Params, Record, RecordLine, WorkloadTimings,
};
pub use crate::join::{build, checksum_agrees, rule_kept, speedup};
pub use crate::markdown::README_FILE;
pub use crate::summary::SUMMARY_FILE;
pub use crate::table::{Check, Report, Row, SEQ, VsBaseline, WorkloadReport};

/// One rendered output file.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub file_name: String,
    pub contents: String,
}

/// Renders every output file of a report.
pub fn render(report: &Report) -> Vec<Output> {
    let mut outputs = vec![
        Output {
            file_name: SUMMARY_FILE.to_string(),
            contents: summary::csv(report),
        },
        Output {
            file_name: README_FILE.to_string(),
            contents: markdown::readme(report),
        },
    ];
    outputs.extend(report.workloads.iter().map(|workload| Output {
        file_name: svg::file_name(&workload.workload),
        contents: svg::chart(workload, report),
    }));
    outputs
}

/// What [`generate`] did.
#[derive(Debug, Clone)]
pub struct Generated {
    pub report: Report,
    pub written: Vec<PathBuf>,
}

/// Reads the inputs in `dir` (and the baseline run in `baseline`, if given) and
/// writes every output into `dir`. Nothing is written into the baseline.
pub fn generate(dir: &Path, baseline: Option<&Path>) -> Result<Generated> {
    let mut written = rounds::merge_rounds(dir)?;
    let mut report = build(input::load(dir)?);
    if let Some(baseline) = baseline {
        baseline::compare_with(&mut report, baseline)?;
    }
    for output in render(&report) {
        let path = dir.join(&output.file_name);
        write_atomically(&path, &output.contents)?;
        written.push(path);
    }
    Ok(Generated { report, written })
}

/// Rewrites the findings block of the Markdown file `readme` from the report
/// already in `dir` (its `<workload>.json`, records, params and machine), which is
/// read and not written. Returns the report, for its warnings.
pub fn rewrite_findings(dir: &Path, readme: &Path) -> Result<Report> {
    let report = build(input::load(dir)?);
    let link = relative_link(readme, dir)?;
    readme_block::rewrite_between(
        readme,
        readme_block::FINDINGS,
        &findings::block(&report, &link),
    )?;
    Ok(report)
}

/// `dir` as a link from the Markdown file `readme`: a relative path with `/`
/// (`results`, `../results`), or the absolute path when there is none.
pub fn relative_link(readme: &Path, dir: &Path) -> Result<String> {
    let canonical = |path: &Path| {
        path.canonicalize()
            .with_context(|| format!("cannot resolve {}", path.display()))
    };
    let from = canonical(readme)?;
    let from = from.parent().unwrap_or(Path::new("/"));
    let to = canonical(dir)?;
    let (from, to): (Vec<Component>, Vec<Component>) =
        (from.components().collect(), to.components().collect());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return Ok(to.iter().collect::<PathBuf>().display().to_string());
    }
    let parts: Vec<String> = std::iter::repeat_n("..".to_string(), from.len() - common)
        .chain(
            to[common..]
                .iter()
                .map(|part| part.as_os_str().to_string_lossy().into_owned()),
        )
        .collect();
    Ok(if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    })
}
