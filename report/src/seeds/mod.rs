//! The seeds section: every experiment of the blog posts the project started from,
//! the seed's own CPython program beside its concur variant, measured on this
//! machine, with the checksums of each experiment group compared and the seeds'
//! two lessons stated from the numbers.
//!
//! The seeds' variants are timed like any workload's (`seeds.json`, one row per
//! variant in `summary.csv`), but read as pairs: there is no `seq` to measure them
//! against, the CPython program is the reference of its concur twin, and the
//! answers agree within an experiment group rather than with one variant.
//!
//! # Layout
//! - [`experiments`]: `seeds.tsv`, the experiments as compare.sh copied them
//! - `pairs`: the variants paired by experiment, and the answers per group
//! - `lessons`: the two lessons, from the CPython medians

pub mod experiments;
mod lessons;
mod pairs;

pub use self::experiments::{Experiment, SEEDS, SEEDS_FILE};
pub use self::lessons::{HELPS, lessons};
pub use self::pairs::{GroupCheck, Pair, agree_within_groups, group_checks, pairs};
