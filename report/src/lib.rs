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
//! - [`join`]: joining timings and records into the tables; speedup, checksum agreement
//! - [`ideal`](mod@ideal): the ideal bound of a variant and the rule behind it
//! - [`table`]: the report as data (workloads, rows), which the renderers read
//! - [`summary`], [`markdown`], [`svg`]: the three kinds of output, rendered as strings
//! - [`format`](mod@format): durations, memory and factors for humans
//! - `atomic`: writing each file through a temporary file and a rename
//! - this module: [`generate`], which runs the steps in that order
//!
//! Every output of the report is rendered in memory before the first is written,
//! so a bad input leaves the previous report as it was, and each file is written
//! to a temporary file and renamed into place, so none is ever seen half-written.

mod atomic;
pub mod format;
pub mod ideal;
pub mod input;
pub mod join;
pub mod markdown;
pub mod rounds;
pub mod summary;
pub mod svg;
pub mod table;

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::atomic::write_atomically;
pub use crate::ideal::{Ideal, IdealRule, ideal};
pub use crate::input::{
    HyperfineResult, Inputs, Machine, Params, Record, RecordLine, WorkloadTimings,
};
pub use crate::join::{build, checksum_agrees, speedup};
pub use crate::markdown::README_FILE;
pub use crate::summary::SUMMARY_FILE;
pub use crate::table::{Report, Row, SEQ, WorkloadReport};

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
        contents: svg::bar_chart(workload),
    }));
    outputs
}

/// What [`generate`] did.
#[derive(Debug, Clone)]
pub struct Generated {
    pub report: Report,
    pub written: Vec<PathBuf>,
}

/// Reads the inputs in `dir` and writes every output into it.
pub fn generate(dir: &Path) -> Result<Generated> {
    let mut written = rounds::merge_rounds(dir)?;
    let report = build(input::load(dir)?);
    for output in render(&report) {
        let path = dir.join(&output.file_name);
        write_atomically(&path, &output.contents)?;
        written.push(path);
    }
    Ok(Generated { report, written })
}
