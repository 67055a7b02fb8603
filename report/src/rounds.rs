//! Merging rounds: `scripts/compare.sh` times every workload once per round
//! (`--rounds`, each round a share of the runs) so that a noisy minute on a
//! shared machine lands on every variant instead of on the one that happened
//! to be running. hyperfine runs one command's runs back to back and cannot
//! interleave commands itself, so each round is its own hyperfine export,
//! `rounds/<workload>.<round>.json`, and this module joins them.
//!
//! A variant's merged result has all its runs' times, in round order, and the
//! statistics hyperfine would have computed over them: mean, sample standard
//! deviation, median, min, max, and user and system time averaged over the runs.
//! The merged `<workload>.json`, `.csv` and `.md` keep hyperfine's layouts
//! (without the `memory_usage_byte` and parameter columns, which concur does not
//! use), so every later step reads them as if one hyperfine run had written them.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};

use crate::files::{Export, HyperfineResult, csv_text, pretty, write_atomically};
use crate::stats::median;
use crate::table::Table;

pub const ROUNDS_DIR: &str = "rounds";

/// Merges every workload's rounds in `dir/rounds` into its exports in `dir`;
/// returns the files written (none without a rounds directory).
pub fn merge_rounds(dir: &Path) -> Result<Vec<PathBuf>> {
    let rounds_dir = dir.join(ROUNDS_DIR);
    if !rounds_dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut written = Vec::new();
    for (workload, files) in round_files(&rounds_dir)? {
        let rounds = files.iter().map(|file| Export::read(file)).collect::<Result<Vec<_>>>()?;
        let results = merge(&rounds).with_context(|| {
            format!("cannot merge the rounds of {workload} in {}", rounds_dir.display())
        })?;
        let json = pretty(&Export { results: results.clone() })?;
        for (extension, contents) in
            [("json", json), ("csv", csv(&results)?), ("md", markdown(&results))]
        {
            let path = dir.join(format!("{workload}.{extension}"));
            write_atomically(&path, &contents)?;
            written.push(path);
        }
    }
    Ok(written)
}

/// `rounds/<workload>.<k>.json` by workload, in round order; a missing round is
/// an error.
fn round_files(rounds_dir: &Path) -> Result<BTreeMap<String, Vec<PathBuf>>> {
    let mut found: BTreeMap<String, BTreeMap<u32, PathBuf>> = BTreeMap::new();
    let listing = || format!("cannot list {}", rounds_dir.display());
    for entry in fs::read_dir(rounds_dir).with_context(listing)? {
        let path = entry.with_context(listing)?.path();
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        let parts = name.strip_suffix(".json").and_then(|stem| stem.rsplit_once('.'));
        if let Some((workload, Ok(round))) = parts.map(|(w, round)| (w, round.parse::<u32>())) {
            found.entry(workload.to_string()).or_default().insert(round, path);
        }
    }
    found
        .into_iter()
        .map(|(workload, rounds)| {
            if let Some((expected, _)) =
                (1..).zip(rounds.keys()).find(|(expected, round)| *round != expected)
            {
                bail!("round {expected} of {workload} is missing in {}", rounds_dir.display());
            }
            Ok((workload, rounds.into_values().collect()))
        })
        .collect()
}

/// Every variant's results across the rounds, which must time the same
/// variants in the same order.
pub fn merge(rounds: &[Vec<HyperfineResult>]) -> Result<Vec<HyperfineResult>> {
    let Some(first) = rounds.first() else {
        bail!("no rounds to merge");
    };
    let commands =
        |round: &[HyperfineResult]| round.iter().map(|r| r.command.clone()).collect::<Vec<_>>();
    for (index, round) in rounds.iter().enumerate() {
        let (timed, expected) = (commands(round), commands(first));
        ensure!(
            timed == expected,
            "round {} timed {timed:?}, round 1 timed {expected:?}",
            index + 1
        );
    }
    (0..first.len())
        .map(|variant| {
            merge_variant(&rounds.iter().map(|round| &round[variant]).collect::<Vec<_>>())
        })
        .collect()
}

fn merge_variant(parts: &[&HyperfineResult]) -> Result<HyperfineResult> {
    let command = parts[0].command.clone();
    let (mut times, mut exit_codes, mut user, mut system) = (Vec::new(), Vec::new(), 0.0, 0.0);
    for part in parts {
        ensure!(!part.times.is_empty(), "{command}: a round's export has no `times`");
        let runs = part.times.len() as f64;
        user += part.user * runs;
        system += part.system * runs;
        times.extend_from_slice(&part.times);
        exit_codes.extend_from_slice(&part.exit_codes);
    }
    let n = times.len() as f64;
    let mean = times.iter().sum::<f64>() / n;
    // Sample standard deviation, as hyperfine reports it; none for one run.
    let stddev = (times.len() > 1)
        .then(|| (times.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    Ok(HyperfineResult {
        command,
        mean,
        stddev,
        median: median(&times).unwrap_or(mean),
        user: user / n,
        system: system / n,
        min: times.iter().copied().fold(f64::INFINITY, f64::min),
        max: times.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        times,
        exit_codes,
    })
}

/// hyperfine's CSV layout, without the columns concur does not use.
fn csv(results: &[HyperfineResult]) -> Result<String> {
    let header = "command,mean,stddev,median,user,system,min,max".split(',').map(String::from);
    let rows = results.iter().map(|r| {
        let stddev = r.stddev.map(|s| s.to_string()).unwrap_or_default();
        let [mean, median, user, system, min, max] =
            [r.mean, r.median, r.user, r.system, r.min, r.max].map(|n| n.to_string());
        vec![r.command.clone(), mean, stddev, median, user, system, min, max]
    });
    csv_text(std::iter::once(header.collect()).chain(rows))
}

/// hyperfine's Markdown layout: mean ± σ, min, max in one unit, and each
/// command's mean relative to the fastest, with its propagated spread.
fn markdown(results: &[HyperfineResult]) -> String {
    let (unit, scale, decimals) = match results.first() {
        Some(first) if first.mean >= 1.0 => ("s", 1.0, 3),
        _ => ("ms", 1e3, 1),
    };
    let mut table =
        Table::with(&format!("Command, Mean [{unit}]>, Min [{unit}]>, Max [{unit}]>, Relative>"));
    let fastest = results.iter().min_by(|a, b| a.mean.total_cmp(&b.mean));
    for r in results {
        let value = |seconds: f64| format!("{:.decimals$}", seconds * scale);
        let mean = match r.stddev {
            Some(stddev) => format!("{} ± {}", value(r.mean), value(stddev)),
            None => value(r.mean),
        };
        let relative = fastest.map(|fast| {
            if r.mean == fast.mean {
                return "1.00".to_string();
            }
            let ratio = r.mean / fast.mean;
            let relative_sd = |r: &HyperfineResult| r.stddev.unwrap_or(0.0) / r.mean;
            let spread = ratio * (relative_sd(r).powi(2) + relative_sd(fast).powi(2)).sqrt();
            format!("{ratio:.2} ± {spread:.2}")
        });
        table.row([
            Some(format!("`{}`", r.command)),
            Some(mean),
            Some(value(r.min)),
            Some(value(r.max)),
            relative,
        ]);
    }
    table.markdown()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(command: &str, times: &[f64], user: f64) -> HyperfineResult {
        HyperfineResult {
            times: times.to_vec(),
            exit_codes: vec![Some(0); times.len()],
            user,
            system: user / 2.0,
            command: command.to_string(),
            mean: 0.0,
            stddev: None,
            median: 0.0,
            min: 0.0,
            max: 0.0,
        }
    }

    /// Times are joined in round order and every statistic is recomputed over
    /// all of them; user and system time are averaged per run, not per round.
    #[test]
    fn merge_joins_times_and_recomputes_statistics() -> Result<()> {
        let rounds = vec![
            vec![result("seq", &[1.0, 3.0], 0.5), result("procs", &[0.5], 0.2)],
            vec![result("seq", &[2.0, 10.0], 1.5), result("procs", &[0.7], 0.4)],
        ];
        let merged = merge(&rounds)?;
        let seq = &merged[0];
        assert_eq!(seq.command, "seq");
        assert_eq!(seq.times, [1.0, 3.0, 2.0, 10.0]);
        assert_eq!(seq.exit_codes.len(), 4);
        assert_eq!((seq.mean, seq.median, seq.min, seq.max), (4.0, 2.5, 1.0, 10.0));
        // Deviations -3, -1, -2, 6: squares sum to 50, over n - 1 = 3.
        assert!((seq.stddev.unwrap_or(0.0) - (50.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!((seq.user - 1.0).abs() < 1e-12 && (seq.system - 0.5).abs() < 1e-12);
        let procs = &merged[1];
        assert_eq!((procs.median, procs.min, procs.max), (0.6, 0.5, 0.7));
        assert!((procs.user - 0.3).abs() < 1e-12);
        Ok(())
    }

    /// One run in all has no deviation, as in hyperfine's own export.
    #[test]
    fn a_single_run_has_no_stddev() -> Result<()> {
        let merged = merge(&[vec![result("seq", &[2.0], 0.1)]])?;
        assert_eq!((merged[0].median, merged[0].stddev), (2.0, None));
        Ok(())
    }

    /// Rounds that timed different variants are an error naming both lists.
    #[test]
    fn rounds_must_time_the_same_variants() {
        let error = merge(&[
            vec![result("seq", &[1.0], 0.1), result("procs", &[1.0], 0.1)],
            vec![result("procs", &[1.0], 0.1), result("seq", &[1.0], 0.1)],
        ])
        .expect_err("different order");
        assert!(error.to_string().contains("round 2 timed"), "{error}");
        assert!(merge(&[]).is_err());
    }

    /// The CSV and Markdown keep hyperfine's columns; relative speed is against
    /// the fastest mean with both deviations propagated.
    #[test]
    fn csv_and_markdown_follow_hyperfine() -> Result<()> {
        let merged = merge(&[vec![
            result("seq", &[0.1, 0.3], 0.1),
            result("async, two", &[0.05, 0.05], 0.1),
        ]])?;
        let csv = csv(&merged)?;
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "command,mean,stddev,median,user,system,min,max");
        assert!(lines[1].starts_with("seq,0.2,0.1414213562373095"), "{}", lines[1]);
        assert!(lines[2].starts_with("\"async, two\",0.05,0,0.05,"), "{}", lines[2]);
        let markdown = markdown(&merged);
        let rows: Vec<&str> = markdown.lines().collect();
        assert_eq!(rows[0], "| Command | Mean [ms] | Min [ms] | Max [ms] | Relative |");
        assert_eq!(rows[2], "| `seq` | 200.0 ± 141.4 | 100.0 | 300.0 | 4.00 ± 2.83 |");
        assert_eq!(rows[3], "| `async, two` | 50.0 ± 0.0 | 50.0 | 50.0 | 1.00 |");
        Ok(())
    }

    /// Rounds on disk: numbered files are grouped by workload and merged into
    /// the three exports; a gap in the numbering is an error.
    #[test]
    fn merge_rounds_writes_the_exports_and_refuses_gaps() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("concur-rounds-{}", std::process::id()));
        let rounds = dir.join(ROUNDS_DIR);
        fs::create_dir_all(&rounds)?;
        // A round's export as hyperfine would write it: statistics filled in.
        let export =
            |time: f64| pretty(&Export { results: merge(&[vec![result("seq", &[time], 0.1)]])? });
        for (round, time) in [(1, 1.0), (2, 3.0)] {
            let export = export(time)?;
            fs::write(rounds.join(format!("range-sum.{round}.json")), export)?;
        }
        let written = merge_rounds(&dir)?;
        assert_eq!(written.len(), 3);
        let merged = Export::read(&dir.join("range-sum.json"))?;
        assert_eq!((merged[0].times.clone(), merged[0].median), (vec![1.0, 3.0], 2.0));
        assert!(dir.join("range-sum.csv").exists() && dir.join("range-sum.md").exists());

        fs::write(rounds.join("squares.1.json"), export(1.0)?)?;
        fs::write(rounds.join("squares.3.json"), export(1.0)?)?;
        let error = merge_rounds(&dir).expect_err("round 2 is missing");
        assert!(error.to_string().contains("round 2 of squares is missing"), "{error}");
        fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
