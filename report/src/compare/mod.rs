//! The compare report's outputs, all read from one [`Report`](crate::figures::Report):
//! `summary.csv` (csv crate), `README.md` (`templates/results.md`), one chart per
//! workload, the findings block of a front README (`templates/findings.md`) and
//! the terminal summary. Every output is rendered before the first is written.

mod findings;
mod page;
mod tables;

use std::path::Path;

use anyhow::{Context, Result};

use crate::chart::{Bar, Chart, DotRow, Kind as ChartKind, Unit};
use crate::figures::{self, Family, Report, Row, VsBaseline, Workload};
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
    baseline_median_s,vs_baseline,baseline_differs,latency_p50_ms,latency_p99_ms,latency_max_ms,\
    cpu_ms,client_cpu_us_per_request,server_cpu_us_per_request";
pub const FINDINGS: Markers = Markers { name: "findings" };

/// Merges the rounds, builds the report from `dir` (against `baseline`, if
/// given), writes every output into `dir` and returns the report and its
/// terminal summary.
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
        let svg = crate::chart::svg(&chart_of(workload))
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

/// `summary.csv`: every workload × variant. Measured times keep hyperfine's
/// precision; derived numbers are rounded (ideal to the microsecond, ratios to
/// four decimals); a value that does not exist is an empty cell, never a 0.
/// New columns only ever go at the end, for the scripts that read by position.
fn summary_csv(report: &Report) -> Result<String> {
    let header = SUMMARY_HEADER.split(',').map(String::from).collect();
    let rows = report.rows().map(|(workload, row)| {
        let (t, record) = (&row.timing, row.record());
        let compared = match row.vs_baseline {
            Some(VsBaseline::Compared { baseline_median_s, ratio, difference }) => {
                Some((baseline_median_s, ratio, difference.stands_out()))
            }
            _ => None,
        };
        let latency =
            |pick: fn(&files::LatencyMs) -> f64| record.latency_ms.map(|l| trimmed(pick(&l), 3));
        let cells = [
            Some(workload.name.clone()),
            Some(row.variant.clone()),
            Some(t.mean_s.to_string()),
            t.stddev_s.map(|s| s.to_string()),
            Some(t.median_s.to_string()),
            Some(t.min_s.to_string()),
            Some(t.max_s.to_string()),
            Some(t.user_s.to_string()),
            Some(t.system_s.to_string()),
            row.speedup.map(|s| trimmed(s, 4)),
            row.ideal.map(|ideal| trimmed(ideal.seconds, 6)),
            row.ratio_to_ideal.map(|r| trimmed(r, 4)),
            record.peak_rss_kib.map(|kib| kib.to_string()),
            record.checksum.clone(),
            row.checksum_agrees.map(|b| b.to_string()),
            Some(t.times.len().to_string()),
            record.duplicates.map(|d| d.to_string()),
            row.rule_kept.map(|b| b.to_string()),
            compared.map(|(median, _, _)| median.to_string()),
            compared.map(|(_, ratio, _)| trimmed(ratio, 4)),
            compared.and_then(|(_, _, differs)| differs).map(|b| b.to_string()),
            latency(|l| l.p50.0),
            latency(|l| l.p99.0),
            latency(|l| l.max.0),
            record.cpu_ms.map(|cpu| trimmed(cpu.total(), 3)),
            row.cpu_per_request.map(|cpu| trimmed(cpu.client_us, 3)),
            row.cpu_per_request.and_then(|cpu| cpu.server_us).map(|us| trimmed(us, 3)),
        ];
        cells.map(Option::unwrap_or_default).to_vec()
    });
    files::csv_text(std::iter::once(header).chain(rows))
}

/// The terminal summary: one short table per workload, the seeds one line per
/// experiment and the blocking task one line per variant with it.
pub fn terminal(report: &Report) -> Result<String> {
    let mut out = String::new();
    if report.params.quick == Some(true) {
        out.push_str("Quick run: few runs of small jobs, to check the pipeline; not results.\n");
    }
    for workload in &report.workloads {
        let name = &workload.name;
        let table = match (&workload.seeds, &workload.blocking) {
            (Some(seeds), _) => {
                let mut table =
                    Table::with(&format!("{name}, CPython>, concur>, CPython ÷ concur>, "));
                let median =
                    |row: &Option<Row>| row.as_ref().map(|row| duration(row.timing.median_s));
                for pair in &seeds.pairs {
                    let mut rows = pair.python.iter().chain(&pair.concur);
                    let wrong = rows.any(|row| row.checksum_agrees == Some(false));
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
            (_, Some(blocking)) => blocking_compact(&blocking.variants, name)?,
            _ => {
                let cols = columns(workload, report.baseline.is_some(), true);
                variants_table(name, &workload.rows, &cols, true)
            }
        };
        out.push_str(&table.terminal());
    }
    let unsteady = report.rows().filter(|(_, row)| row.unsteady.is_some()).count();
    if unsteady > 0 {
        out.push_str(&format!(
            "⚠ the rounds of {} disagreed (the machine changed under them): rerun\n",
            crate::format::counted(unsteady as u64, "variant", "variants")
        ));
    }
    Ok(out)
}

/// The chart of one workload: bars of median wall time coloured by model with
/// ± 1 σ whiskers and ideal ticks, the seeds as pairs of bars, or the blocking
/// task's latency percentiles.
fn chart_of(workload: &Workload) -> Chart {
    let (title, kind) = match (&workload.seeds, &workload.blocking) {
        (Some(seeds), _) => {
            let bars = seeds.pairs.iter().flat_map(|pair| {
                let sides = [(&pair.python, "CPython"), (&pair.concur, "concur")];
                sides.map(|(row, side)| Some(bar(format!("{} {side}", pair.id), row.as_ref()?)))
            });
            let title = "seeds: CPython beside concur, median wall time".to_string();
            (title, ChartKind::Bars(bars.flatten().collect()))
        }
        (_, Some(blocking)) => {
            let rows = blocking.variants.iter().map(|v| DotRow {
                label: v.row.variant.clone(),
                colour: v.row.family.index(),
                values: v
                    .latency
                    .map_or(vec![None; 3], |l| vec![Some(l.p50.0), Some(l.p99.0), Some(l.max.0)]),
            });
            let dots = ChartKind::Dots {
                rows: rows.collect(),
                marks: ["p50", "p99", "max"].map(str::to_string).to_vec(),
                reference: blocking.task_ms.map(|ms| (format!("the task: {ms} ms"), ms as f64)),
            };
            ("blocking: request latency per variant".into(), dots)
        }
        _ => {
            let bars = workload.rows.iter().map(|row| bar(row.variant.clone(), row)).collect();
            (format!("{}: median wall time per variant", workload.name), ChartKind::Bars(bars))
        }
    };
    let (value_label, unit) = match kind {
        ChartKind::Dots { .. } => ("request latency", Unit::Milliseconds),
        _ => ("median wall time", Unit::Seconds),
    };
    let families = Family::ALL.into_iter().filter(|f| workload.rows.iter().any(|r| r.family == *f));
    let legend = families.map(|f| (f.name().to_string(), f.index())).collect();
    Chart { title, value_label: value_label.into(), unit, kind, legend }
}

/// A variant's median, ± 1 σ around it, and its ideal.
fn bar(label: String, row: &Row) -> Bar {
    let median = row.timing.median_s;
    Bar {
        label,
        colour: row.family.index(),
        value: median,
        spread: row.timing.stddev_s.map(|sd| (median - sd, median + sd)),
        ideal: row.ideal.map(|ideal| ideal.seconds),
    }
}
