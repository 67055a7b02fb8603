//! Joining hyperfine exports: compare.sh runs hyperfine once per variant (so a
//! slow variant cannot delay the others' rounds and each command gets its own
//! progress line) and joins a round's exports into the one export per workload
//! and round that [`rounds`](crate::rounds) merges.
//!
//! Each result is copied as hyperfine wrote it, fields the report does not read
//! included; it is only parsed to check it is a result the report can read.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::input::{HYPERFINE_EXPORT, HyperfineResult, check_results, read_text};

#[derive(Deserialize)]
struct Export<'a> {
    #[serde(borrow)]
    results: Vec<&'a RawValue>,
}

#[derive(Serialize)]
struct Joined<'a> {
    results: Vec<&'a RawValue>,
}

/// The export holding every result of `inputs`, in argument order. Every input
/// must be a hyperfine 1.x export, and no command may appear twice.
pub fn join(inputs: &[PathBuf]) -> Result<String> {
    let texts = inputs
        .iter()
        .map(|path| read_text(path))
        .collect::<Result<Vec<_>>>()?;
    let mut results = Vec::new();
    let mut commands = HashSet::new();
    for (path, text) in inputs.iter().zip(&texts) {
        for (raw, command) in results_of(path, text)? {
            if !commands.insert(command.clone()) {
                bail!(
                    "{}: command {command:?} is also in an earlier export; each variant \
                     must be timed once per round",
                    path.display()
                );
            }
            results.push(raw);
        }
    }
    let mut joined =
        serde_json::to_string_pretty(&Joined { results }).context("cannot serialize the export")?;
    joined.push('\n');
    Ok(joined)
}

/// The results of one export, each with its command name, checked as the report
/// will read them.
fn results_of<'a>(path: &Path, text: &'a str) -> Result<Vec<(&'a RawValue, String)>> {
    let export: Export<'a> = serde_json::from_str(text)
        .with_context(|| format!("{} is not {HYPERFINE_EXPORT}", path.display()))?;
    let parsed = export
        .results
        .iter()
        .map(|raw| serde_json::from_str::<HyperfineResult>(raw.get()))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{} is not {HYPERFINE_EXPORT}", path.display()))?;
    check_results(path, &parsed)?;
    Ok(export
        .results
        .into_iter()
        .zip(parsed)
        .map(|(raw, result)| (raw, result.command))
        .collect())
}
