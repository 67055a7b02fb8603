//! The compare report's outputs, all read from one [`Report`](crate::figures::Report):
//! `summary.csv` (csv crate), `README.md` (`templates/results.md`), one chart per
//! workload, the findings block of a front README (`templates/findings.md`) and
//! the terminal summary. Every output is rendered before the first is written.
//!
//! # Layout
//! - this module: [`generate`], [`rewrite_findings`], `summary.csv` and the terminal
//! - `tables`: the tables, built once as [`Table`]s for Markdown and the terminal
//! - `page`: the results page's context; `findings`: the findings block's
//! - `charts`: each workload's chart spec for [`crate::chart`]

mod charts;
mod findings;
mod page;
mod tables;

use std::path::Path;

use anyhow::{Context, Result};

use crate::figures::{self, Kind, Report, Row, VsBaseline, blocking, seeds};
use crate::files::{self, README_FILE};
use crate::format::{duration, factor, trimmed};
use crate::pages::{self, Markers};
use crate::rounds;
use crate::table::Table;

pub use self::findings::findings;
use self::tables::{blocking_compact, columns, variants_table};

pub const SUMMARY_FILE: &str = "summary.csv";
const SUMMARY_HEADER: &str = "workload,variant,mean_s,stddev_s,median_s,min_s,max_s,user_s,system_s,\
    speedup_vs_seq,ideal_s,ratio_to_ideal,peak_rss_kib,checksum,checksum_agrees,runs,duplicates,rule_ok,\
    baseline_median_s,vs_baseline,baseline_differs,latency_p50_ms,latency_p99_ms,latency_max_ms";
pub const FINDINGS: Markers = Markers { name: "findings" };

/// Merges the rounds, builds the report from `dir` (against `baseline`, if
/// given), writes every output into `dir` and returns the report and its
/// terminal summary. Every output is rendered before the first is written.
pub fn generate(dir: &Path, baseline: Option<&Path>) -> Result<(Report, String)> {
    rounds::merge_rounds(dir)?;
    let mut report = figures::load(dir)?;
    if let Some(baseline) = baseline {
        figures::compare_with(&mut report, baseline)?;
    }
    let mut outputs = vec![
        (SUMMARY_FILE.to_string(), summary_csv(&report)?),
        (README_FILE.to_string(), page::readme(&report)?),
    ];
    for workload in &report.workloads {
        let svg = crate::chart::svg(&charts::chart_of(workload, &report))
            .with_context(|| format!("cannot draw the chart of {}", workload.name))?;
        outputs.push((format!("{}.svg", workload.name), svg));
    }
    for (name, contents) in outputs {
        files::write_atomically(&dir.join(name), &contents)?;
    }
    let terminal = terminal(&report)?;
    Ok((report, terminal))
}

/// Rewrites the findings block of the Markdown file `readme` from the report
/// already in `dir`, which is read and not written.
pub fn rewrite_findings(dir: &Path, readme: &Path) -> Result<Report> {
    let report = figures::load(dir)?;
    let link = pages::relative_link(readme, dir)?;
    FINDINGS.rewrite(readme, &findings(&report, &link)?)?;
    Ok(report)
}

/// A column of a variants table: one figure of a row.
/// `summary.csv`: every workload × variant. Measured times keep hyperfine's
/// precision; derived numbers are rounded (ideal to the microsecond, ratios to
/// four decimals); a value that does not exist is an empty cell, never a 0.
/// New columns only ever go at the end, for the scripts that read by position.
fn summary_csv(report: &Report) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(SUMMARY_HEADER.split(','))?;
    let text = |value: Option<String>| value.unwrap_or_default();
    for workload in &report.workloads {
        for row in &workload.rows {
            let (t, record) = (&row.timing, row.record());
            let (baseline, ratio, differs) = match row.vs_baseline {
                Some(VsBaseline::Compared { baseline_median_s, ratio, difference }) => (
                    Some(baseline_median_s.to_string()),
                    Some(trimmed(ratio, 4)),
                    difference.stands_out().map(|b| b.to_string()),
                ),
                _ => (None, None, None),
            };
            let latency = |pick: fn(&files::LatencyMs) -> f64| {
                record.latency_ms.map(|l| trimmed(pick(&l), 3))
            };
            writer.write_record([
                workload.name.clone(),
                row.variant.clone(),
                t.mean_s.to_string(),
                text(t.stddev_s.map(|s| s.to_string())),
                t.median_s.to_string(),
                t.min_s.to_string(),
                t.max_s.to_string(),
                t.user_s.to_string(),
                t.system_s.to_string(),
                text(row.speedup.map(|s| trimmed(s, 4))),
                text(row.ideal.map(|ideal| trimmed(ideal.seconds, 6))),
                text(row.ratio_to_ideal.map(|r| trimmed(r, 4))),
                text(record.peak_rss_kib.map(|kib| kib.to_string())),
                text(record.checksum.clone()),
                text(row.checksum_agrees.map(|b| b.to_string())),
                t.times.len().to_string(),
                text(record.duplicates.map(|d| d.to_string())),
                text(row.rule_kept.map(|b| b.to_string())),
                text(baseline),
                text(ratio),
                text(differs),
                text(latency(|l| l.p50.0)),
                text(latency(|l| l.p99.0)),
                text(latency(|l| l.max.0)),
            ])?;
        }
    }
    String::from_utf8(writer.into_inner()?).context("summary.csv is not UTF-8")
}

/// The terminal summary: one short table per workload, the seeds one line per
/// experiment and the blocking task one line per variant with it.
pub fn terminal(report: &Report) -> Result<String> {
    let baseline = report.baseline.is_some();
    let mut out = String::new();
    for workload in &report.workloads {
        let table = match workload.kind {
            Kind::Seeds => {
                let mut table = Table::with(&format!(
                    "{}, CPython>, concur>, CPython ÷ concur>, ",
                    workload.name
                ));
                for pair in seeds::pairs(&workload.rows, &report.experiments) {
                    let median =
                        |row: &Option<Row>| row.as_ref().map(|row| duration(row.timing.median_s));
                    let wrong = pair
                        .python
                        .iter()
                        .chain(&pair.concur)
                        .any(|row| row.checksum_agrees == Some(false));
                    table.row([
                        Some(pair.id.clone()),
                        median(&pair.python),
                        median(&pair.concur),
                        pair.ratio.map(factor),
                        Some(if wrong { "✗ wrong answer" } else { "" }.into()),
                    ]);
                }
                table.without_empty_columns()
            }
            Kind::Blocking => blocking_compact(&blocking::groups(workload), &workload.name)?,
            _ => {
                let rows: Vec<&Row> = workload.rows.iter().collect();
                variants_table(&workload.name, &rows, &columns(workload, baseline, true), true)
            }
        };
        out.push_str(&table.terminal());
    }
    let unsteady =
        report.workloads.iter().flat_map(|w| &w.rows).filter(|row| row.unsteady.is_some()).count();
    if unsteady > 0 {
        out.push_str(&format!(
            "⚠ the rounds of {} disagreed (the machine changed under them): rerun\n",
            crate::format::counted(unsteady as u64, "variant", "variants")
        ));
    }
    Ok(out)
}
