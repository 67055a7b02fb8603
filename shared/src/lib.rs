//! concur-shared: everything in concur that is not a concurrency model.

/// The report generator behind `concur-report`: summary.csv, README.md and charts from a results directory.
pub mod report;
