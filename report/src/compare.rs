//! The compare report's outputs (being written).
use std::path::Path;

use anyhow::{Result, bail};

use crate::figures::Report;

pub fn generate(_dir: &Path, _baseline: Option<&Path>) -> Result<(Report, String)> {
    bail!("not yet")
}

pub fn rewrite_findings(_dir: &Path, _readme: &Path) -> Result<Report> {
    bail!("not yet")
}
