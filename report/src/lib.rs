//! The report generator: turns what `scripts/compare.sh` and `scripts/sweep.sh`
//! measured into pages, CSV files, charts and the terminal summary, in three
//! layers, each done once:
//!
//! 1. **files**: one serde type per file, read and written by the same type;
//! 2. **figures**: every number a page shows (medians, speedups, ideals, checks,
//!    rounds that disagree, lessons and their verdicts) computed once into a
//!    `Serialize` model;
//! 3. **presentation**: templates for the words, one table type for Markdown and
//!    the terminal, the csv crate for CSVs, one plotters module for every chart.
//!
//! A new section is a function that derives its figures, a template and a chart
//! spec. Every output is rendered in memory before the first is written, and
//! each file is written through a temporary file and a rename, so a bad input
//! leaves the previous report as it was and no file is ever seen half-written.
//!
//! The layers' modules: [`files`], [`machine`] and [`rounds`]; [`stats`], [`figures`] and
//! [`sweeps`]; [`compare`], [`pages`], [`table`], [`chart`] and [`format`].

pub mod chart;
pub mod compare;
pub mod figures;
pub mod files;
pub mod format;
pub mod machine;
pub mod pages;
pub mod rounds;
pub mod stats;
pub mod sweeps;
pub mod table;
