//! The compare report's tables, built once from the figures as [`Table`]s: the
//! variants of a workload (on the page, or tersely in the terminal), the seeds'
//! experiments, the blocking task's variants, the commands.

use anyhow::Result;

use crate::figures::blocking::{Effect, Variant};
use crate::figures::seeds::Pair;
use crate::figures::{Kind, Row, VsBaseline, Workload};
use crate::format::{duration, duration_pm, factor, memory_kib, ms, p_value, public};
use crate::pages;
use crate::stats::Difference;
use crate::table::{Align, Table};

/// A column of a variants table: one figure of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Col {
    Median,
    MeanSd,
    P50,
    P99,
    Speedup,
    Ideal,
    Ratio,
    Rss,
    Cpu,
    ClientCpu,
    ServerCpu,
    PeakInFlight,
    Errors,
    Conversions,
    Duplicates,
    Concurrency,
    Check,
    Baseline,
    /// The terminal's last, unnamed column: what failed, and rounds that disagree.
    Flags,
}

impl Col {
    /// Its heading on the page, its heading in the terminal, and its alignment.
    fn spec(self) -> (&'static str, &'static str, Align) {
        use Align::*;
        match self {
            Col::Median => ("median", "median", Right),
            Col::MeanSd => ("mean ± σ", "mean ± σ", Right),
            Col::P50 => ("p50 latency", "p50", Right),
            Col::P99 => ("p99 latency", "p99", Right),
            Col::Speedup => ("speedup vs seq", "vs seq", Right),
            Col::Ideal => ("ideal", "ideal", Right),
            Col::Ratio => ("ratio to ideal", "vs ideal", Right),
            Col::Rss => ("peak RSS", "peak RSS", Right),
            Col::Cpu => ("CPU time", "CPU", Right),
            Col::ClientCpu => ("CPU / request", "CPU/req", Right),
            Col::ServerCpu => ("server CPU / request", "server/req", Right),
            Col::PeakInFlight => ("peak in flight", "peak in flight", Right),
            Col::Errors => ("errors", "errors", Right),
            Col::Conversions => ("conversions", "conversions", Right),
            Col::Duplicates => ("duplicates", "duplicates", Right),
            Col::Concurrency => ("concurrency", "concurrency", Right),
            Col::Check => ("check", "check", Center),
            Col::Baseline => ("vs baseline", "vs baseline", Left),
            Col::Flags => ("", "", Left),
        }
    }

    fn cell(self, row: &Row, terse: bool) -> Option<String> {
        let record = row.record();
        let latency = record.latency_ms;
        let count = |value: Option<u64>| value.map(|value| value.to_string());
        match self {
            Col::Median if row.unsteady.is_some() && !terse => {
                Some(format!("{} ⚠", duration(row.timing.median_s)))
            }
            Col::Median => Some(duration(row.timing.median_s)),
            Col::MeanSd => Some(duration_pm(row.timing.mean_s, row.timing.stddev_s)),
            Col::P50 => latency.map(|l| ms(l.p50.0)),
            Col::P99 => latency.map(|l| ms(l.p99.0)),
            Col::Speedup => row.speedup.map(factor),
            Col::Ideal => row.ideal.map(|ideal| duration(ideal.seconds)),
            Col::Ratio => row.ratio_to_ideal.map(factor),
            Col::Rss => record.peak_rss_kib.map(memory_kib),
            Col::Cpu => record.cpu_ms.map(|cpu| duration(cpu.total() / 1000.0)),
            Col::ClientCpu => row.cpu_per_request.map(|cpu| duration(cpu.client_us / 1e6)),
            Col::ServerCpu => row.cpu_per_request?.server_us.map(|us| duration(us / 1e6)),
            Col::PeakInFlight => {
                count(record.peak_in_flight.or(record.concurrency).or(record.workers))
            }
            Col::Errors => count(record.errors),
            Col::Conversions => count(record.conversions),
            Col::Duplicates => count(record.duplicates),
            Col::Concurrency => count(record.concurrency.or(record.workers)),
            Col::Check => row.check.mark().map(str::to_string),
            Col::Baseline => row.vs_baseline.map(|vs| baseline_cell(vs, terse)),
            Col::Flags => {
                let unsteady = row.unsteady.map(|ratio| format!("⚠ rounds {}", factor(ratio)));
                let failure = row.check.failure().map(str::to_string);
                Some(failure.into_iter().chain(unsteady).collect::<Vec<_>>().join("; "))
            }
        }
    }
}

/// `**1.52× slower** (p < 0.001)`, `0.99× within noise (p = 0.412)`, `new`;
/// tersely `1.52× slower`.
fn baseline_cell(vs: VsBaseline, terse: bool) -> String {
    let VsBaseline::Compared { ratio, difference, .. } = vs else {
        return vs.verdict().to_string();
    };
    let verdict = format!("{} {}", factor(ratio), vs.verdict());
    let detail = match difference {
        Difference::TooFewRuns => return format!("{} (too few runs)", factor(ratio)),
        _ if terse => return verdict,
        Difference::Tested { p_value: p } => p_value(p),
        Difference::Ranges { overlap: true } => "[min, max] ranges overlap".to_string(),
        Difference::Ranges { overlap: false } => "[min, max] ranges apart".to_string(),
    };
    match difference.stands_out() {
        Some(true) => format!("**{verdict}** ({detail})"),
        _ => format!("{verdict} ({detail})"),
    }
}

/// The columns of a workload's table, on the page or (`terse`) in the terminal.
pub(super) fn columns(workload: &Workload, baseline: bool, terse: bool) -> Vec<Col> {
    use Col::*;
    let mut cols = match terse {
        true => vec![Median, P50, P99, Speedup, Ratio],
        false => vec![Median, MeanSd, P50, P99, Speedup, Ideal, Ratio, Rss, Cpu],
    };
    cols.extend(match (workload.kind, terse) {
        (Kind::Download, false) => vec![ClientCpu, ServerCpu, PeakInFlight, Errors],
        (Kind::Download, true) => vec![PeakInFlight, Errors],
        (Kind::Convert, false) => vec![Conversions, Duplicates],
        (Kind::Convert, true) => vec![Duplicates],
        (Kind::Cpu, true) => vec![Concurrency],
        _ => vec![],
    });
    cols.extend((!terse).then_some(Check));
    cols.extend(baseline.then_some(Baseline));
    cols.extend(terse.then_some(Flags));
    cols
}

/// One row per variant; `first` heads the variant column.
pub(super) fn variants_table(first: &str, rows: &[Row], cols: &[Col], terse: bool) -> Table {
    let mut headings = vec![(first, Align::Left)];
    headings.extend(cols.iter().map(|col| {
        let (heading, short, align) = col.spec();
        (if terse { short } else { heading }, align)
    }));
    let mut table = Table::new(headings);
    for row in rows {
        let bold = row.is_seq() && !terse;
        let name = if bold { format!("**{}**", row.variant) } else { row.variant.clone() };
        table.row(std::iter::once(Some(name)).chain(cols.iter().map(|col| col.cell(row, terse))));
    }
    table.without_empty_columns()
}

/// The exact command line of each variant's record run.
pub(super) fn commands<'a>(rows: impl IntoIterator<Item = &'a Row>) -> String {
    let mut table = Table::with("variant, command");
    for row in rows {
        if let Some(command) = &row.command {
            table.row([Some(row.variant.clone()), Some(format!("`{}`", public(command)))]);
        }
    }
    if table.is_empty() { String::new() } else { table.markdown() }
}

/// One row per experiment: the seed's time, CPython's and concur's program and
/// process times here, and the ratio of the process medians.
pub(super) fn seeds_table(pairs: &[Pair]) -> Table {
    let mut table = Table::with(
        "experiment, what it runs, seed's time>, CPython program>, CPython process>, \
         concur program>, concur process>, CPython ÷ concur>",
    );
    let program = |row: &Option<Row>| row.as_ref()?.record.as_ref()?.elapsed_ms.map(ms);
    let process = |row: &Option<Row>| row.as_ref().map(|row| duration(row.timing.median_s));
    for pair in pairs {
        table.row([
            Some(pair.id.clone()),
            pair.description.clone(),
            pair.seed_seconds.map(duration),
            program(&pair.python),
            process(&pair.python),
            program(&pair.concur),
            process(&pair.concur),
            pair.ratio.map(factor),
        ]);
    }
    table.without_empty_columns()
}

/// Every blocking variant, each model's together with its reference last, and
/// what the task did to its requests.
pub(super) fn blocking_table(variants: &[Variant]) -> Result<Table> {
    let mut table =
        Table::with("variant, blocking task, median>, p50>, p99>, max>, what the task did, check^");
    for v in variants {
        let task = v.task_ms.map_or_else(|| "yes".to_string(), |ms| format!("{ms} ms"));
        let task = match &v.offload {
            _ if v.is_reference => "none".to_string(),
            Some(offload) => format!("{task}, {offload}"),
            None if v.on_runtime => format!("{task}, on the runtime"),
            None => task,
        };
        table.row([
            Some(v.row.variant.clone()),
            Some(task),
            Some(duration(v.row.timing.median_s)),
            v.latency.map(|l| ms(l.p50.0)),
            v.latency.map(|l| ms(l.p99.0)),
            v.latency.map(|l| ms(l.max.0)),
            effect_words(v.effect)?,
            v.row.check.mark().map(str::to_string),
        ]);
    }
    Ok(table)
}

/// The blocking variants with the task, one line each, with the reference's p99
/// beside it: the findings block's and the terminal's table.
pub(super) fn blocking_compact(variants: &[Variant], first: &str) -> Result<Table> {
    let mut table =
        Table::with(&format!("{first}, p50>, p99>, p99 without it>, what the task did"));
    for v in variants.iter().filter(|v| !v.is_reference) {
        table.row([
            Some(v.row.variant.clone()),
            v.latency.map(|l| ms(l.p50.0)),
            v.latency.map(|l| ms(l.p99.0)),
            v.reference_p99.map(ms),
            effect_words(v.effect)?,
        ]);
    }
    Ok(table.without_empty_columns())
}

/// The effect's words, from the template that holds them.
fn effect_words(effect: Option<Effect>) -> Result<Option<String>> {
    effect
        .map(|effect| pages::render("effect.md", serde_json::json!({ "effect": effect })))
        .transpose()
}
