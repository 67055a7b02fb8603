//! `README.md` of a results directory: findings first, then the machine, then how
//! to regenerate.
//!
//! Every number and every name in the page comes from the report; the only fixed
//! text is explanation, so a new run can never leave a stale claim behind.
//!
//! # Layout
//! - this module: the page and each workload's table
//! - `finding`: the generated sentence under each workload's heading
//! - `machine`: the provenance line and the machine and run section
//! - `seeds`, `blocking`: the two sections that are not a table of variants
//!   first: the seeds' experiments in pairs, the blocking task's latencies
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

mod blocking;
mod finding;
mod machine;
mod seeds;

use std::fmt::Write as _;

use crate::blocking::BLOCKING;
use crate::figures::{Figure, table_figures};
use crate::format::{duration, duration_pm, factor, memory_kib, p_value, table_cell};
use crate::ideal::IdealRule;
use crate::input::{Machine, Params};
use crate::latency::LatencyMs;
use crate::rank_test::{ALPHA, Difference};
use crate::seeds::SEEDS;
use crate::summary::SUMMARY_FILE;
use crate::svg;
use crate::table::{Report, Row, SEQ, VsBaseline, WorkloadReport};

pub use self::finding::finding;

/// File name of the findings page.
pub const README_FILE: &str = "README.md";

/// Shown in a table cell that has no value.
const NONE: &str = "–";

/// The whole page.
pub fn readme(report: &Report) -> String {
    let mut page = String::from("# concur results\n\n");
    page.push_str(&machine::provenance(&report.machine, &report.params));
    page.push_str("\n\n");
    if report.params.quick == Some(true) {
        page.push_str(
            "> **Quick run** (`scripts/compare.sh --quick`): few runs, to check the \
             pipeline. Do not draw conclusions from these numbers.\n\n",
        );
    }
    let _ = writeln!(
        page,
        "Variants are listed fastest first by median. *median* and *mean ± σ* are \
         hyperfine's wall time of the whole process; every derived number uses the median, \
         which a single slow run on a shared machine barely moves, and the mean ± σ shows how \
         noisy the runs were. *speedup vs seq* is the `{SEQ}` median over the variant's \
         median; *ideal* is the fastest the variant could possibly be (the rule is under \
         each table) and *ratio to ideal* the variant's median over it; *peak RSS*, the \
         checksum and the workload's own counts come from the binary's own result record. \
         *check*: ✓ same checksum as `{SEQ}` and no errors; ✗ a different checksum or \
         errors; ✗ converts twice: the right answer, but the record counts duplicate \
         conversions, which `convert`'s rule (never convert a key twice) forbids. \
         All numbers: [{SUMMARY_FILE}]({SUMMARY_FILE}).\n"
    );
    if let Some(baseline) = &report.baseline {
        page.push_str(&baseline_note(baseline));
    }
    for workload in &report.workloads {
        page.push_str(&section(workload, report));
    }
    page.push_str(&machine::section(&report.machine, &report.params));
    page.push_str(REGENERATE);
    page
}

/// How the *vs baseline* column is computed, and which run the baseline is.
fn baseline_note(baseline: &Machine) -> String {
    let mut which = String::from("the baseline run");
    if let Some(date) = &baseline.date {
        let _ = write!(which, " (measured {date}");
        if let Some(commit) = &baseline.commit {
            let _ = write!(which, " at commit `{commit}`");
        }
        if let Some(cpu) = &baseline.cpu {
            let _ = write!(which, " on {cpu}");
        }
        which.push(')');
    }
    format!(
        "*vs baseline*: this run's median ÷ the median of {which}; **slower** or \
         **faster** when a two-sided Mann-Whitney U test on the per-run times of the two \
         runs finds a difference at α = {ALPHA} (normal approximation with tie and \
         continuity corrections), *within noise* when it does not, *too few runs* when \
         even two sets of runs that do not overlap at all could not reach p < {ALPHA} \
         (fewer than 4 runs a side); *new*: the baseline did not time this variant.\n\n"
    )
}

fn section(workload: &WorkloadReport, report: &Report) -> String {
    let name = workload.workload.as_str();
    let mut out = format!("## {name}\n\n");
    if let Some(parameters) = &workload.parameters {
        let _ = writeln!(out, "Parameters: `{parameters}`\n");
    }
    match name {
        SEEDS => {
            out.push_str(&seeds::opening(workload, report));
            let _ = writeln!(
                out,
                "<details><summary>Every variant</summary>\n\n{}</details>\n",
                variants_table(workload, report)
            );
        }
        BLOCKING => out.push_str(&blocking::body(workload)),
        _ => {
            let _ = writeln!(out, "{}\n", finding(workload));
            out.push_str(&variants_table(workload, report));
            out.push_str(&chart_line(workload));
        }
    }
    out.push_str(&commands(&workload_rows(workload)));
    out
}

/// The rows in the order the section's table lists them.
fn workload_rows(workload: &WorkloadReport) -> Vec<&Row> {
    if workload.workload == BLOCKING {
        let groups = crate::blocking::groups(workload);
        groups
            .iter()
            .flat_map(|group| group.variants())
            .map(|variant| variant.row)
            .collect()
    } else {
        workload.rows.iter().collect()
    }
}

/// Which optional columns a workload's table has.
#[derive(Debug, Clone, Copy)]
struct Columns<'a> {
    /// The workload's own numbers from the records.
    figures: &'a [Figure],
    /// p50 and p99 request latency, when the records carry them.
    latency: bool,
    /// *vs baseline*, with `--baseline`.
    baseline: bool,
}

impl<'a> Columns<'a> {
    fn of(workload: &WorkloadReport, report: &Report) -> Columns<'a> {
        Columns {
            figures: table_figures(&workload.workload),
            latency: workload.rows.iter().any(|row| latency(row).is_some()),
            baseline: report.baseline.is_some(),
        }
    }
}

fn latency(row: &Row) -> Option<LatencyMs> {
    row.record.as_ref()?.latency_ms
}

/// The table of every variant, then what its columns and bounds mean.
fn variants_table(workload: &WorkloadReport, report: &Report) -> String {
    let columns = Columns::of(workload, report);
    let mut out = table_head(columns);
    for row in &workload.rows {
        out.push_str(&table_row(row, columns));
    }
    out.push('\n');

    for row in workload.rows.iter().filter(|row| row.failed_runs() > 0) {
        let _ = writeln!(
            out,
            "⚠ `{}`: {} of {} timed runs exited non-zero.\n",
            row.variant,
            row.failed_runs(),
            row.timing.exit_codes.len()
        );
    }
    if let Some(rules) = ideal_rules(workload, &report.machine, &report.params) {
        let _ = writeln!(out, "Ideal: {rules}.\n");
    }
    if let Some(note) = column_note(columns) {
        let _ = writeln!(out, "{note}\n");
    }
    out
}

/// The bar chart under a workload's table, described for a reader without images.
fn chart_line(workload: &WorkloadReport) -> String {
    let whiskers = if workload.rows.iter().any(|row| row.timing.stddev.is_some()) {
        ", whiskers ± 1 σ"
    } else {
        ""
    };
    let ticks = if workload.rows.iter().any(|row| row.ideal.is_some()) {
        "; dashed ticks mark the ideal bounds"
    } else {
        ""
    };
    format!(
        "![{}: bars are the median wall time per variant, coloured by model{whiskers}{ticks}]({})\n\n",
        workload.workload,
        svg::file_name(&workload.workload)
    )
}

/// The heading and alignment lines of a workload's table.
fn table_head(columns: Columns) -> String {
    let mut names = vec!["variant", "median", "mean ± σ"];
    let mut aligns = vec!["---", "--:", "--:"];
    if columns.latency {
        names.extend(["p50 latency", "p99 latency"]);
        aligns.extend(["--:", "--:"]);
    }
    names.extend(["speedup vs seq", "ideal", "ratio to ideal", "peak RSS"]);
    aligns.extend(["--:", "--:", "--:", "--:"]);
    for figure in columns.figures {
        names.push(figure.heading());
        aligns.push("--:");
    }
    names.push("check");
    aligns.push(":-:");
    if columns.baseline {
        names.push("vs baseline");
        aligns.push("--:");
    }
    format!("| {} |\n|{}|\n", names.join(" | "), aligns.join("|"))
}

fn table_row(row: &Row, columns: Columns) -> String {
    let timing = &row.timing;
    let record = row.record.as_ref();
    let optional = |value: Option<String>| value.unwrap_or_else(|| NONE.to_string());
    let variant = if row.is_seq() {
        format!("**{}**", table_cell(&row.variant))
    } else {
        table_cell(&row.variant)
    };
    let mut cells = vec![
        variant,
        duration(timing.median),
        duration_pm(timing.mean, timing.stddev),
    ];
    if columns.latency {
        let latency = latency(row);
        cells.push(optional(
            latency.map(|latency| duration(latency.p50 / 1000.0)),
        ));
        cells.push(optional(
            latency.map(|latency| duration(latency.p99 / 1000.0)),
        ));
    }
    cells.extend([
        optional(row.speedup_vs_seq.map(factor)),
        optional(row.ideal.map(|ideal| duration(ideal.seconds))),
        optional(row.ratio_to_ideal.map(factor)),
        optional(
            record
                .and_then(|record| record.peak_rss_kib)
                .map(memory_kib),
        ),
    ]);
    for figure in columns.figures {
        cells.push(optional(
            record
                .and_then(|record| figure.value(record))
                .map(|value| value.to_string()),
        ));
    }
    cells.push(row.check().mark().unwrap_or(NONE).to_string());
    if columns.baseline {
        cells.push(
            row.vs_baseline
                .map_or_else(|| NONE.to_string(), baseline_cell),
        );
    }
    format!("| {} |\n", cells.join(" | "))
}

/// `**1.52× slower** (p < 0.001)`, `0.99× within noise (p = 0.412)`,
/// `1.05× (too few runs)`, `new`.
fn baseline_cell(vs: VsBaseline) -> String {
    let VsBaseline::Compared {
        ratio, difference, ..
    } = vs
    else {
        return vs.verdict().to_string();
    };
    let detail = match difference {
        Difference::TooFewRuns => return format!("{} (too few runs)", factor(ratio)),
        Difference::Tested { p_value: p } => p_value(p),
        Difference::Ranges { overlap: true } => "[min, max] ranges overlap".to_string(),
        Difference::Ranges { overlap: false } => "[min, max] ranges apart".to_string(),
    };
    if difference.stands_out() == Some(true) {
        format!("**{} {}** ({detail})", factor(ratio), vs.verdict())
    } else {
        format!("{} {} ({detail})", factor(ratio), vs.verdict())
    }
}

/// How this workload's ideal bounds were computed, one phrase per rule used.
fn ideal_rules(workload: &WorkloadReport, machine: &Machine, params: &Params) -> Option<String> {
    let mut rules: Vec<IdealRule> = workload
        .rows
        .iter()
        .filter_map(|row| row.ideal.map(|ideal| ideal.rule))
        .collect();
    rules.sort();
    rules.dedup();
    let phrases: Vec<String> = rules
        .into_iter()
        .map(|rule| match rule {
            IdealRule::Reported => "as reported by the binary (`ideal_ms`)".to_string(),
            IdealRule::Latency => match params.latency_ms {
                Some(latency) => format!(
                    "⌈requests ÷ concurrency⌉ × {} simulated latency per request",
                    duration(latency / 1000.0)
                ),
                None => "⌈requests ÷ concurrency⌉ × latency".to_string(),
            },
            IdealRule::CpuBound => match machine.cores {
                Some(cores) => {
                    format!(
                        "{SEQ} median ÷ min(concurrency, {cores} cores); {SEQ}'s own is its median"
                    )
                }
                None => format!("{SEQ}'s median (core count unknown, other bounds left out)"),
            },
        })
        .collect();
    (!phrases.is_empty()).then(|| phrases.join("; "))
}

/// What the latency columns and the workload's own columns count.
fn column_note(columns: Columns) -> Option<String> {
    let latency = columns.latency.then_some(
        "*p50 latency*, *p99 latency*: the median and 99th percentile of the requests' \
         latencies, from starting a request to its whole body read, in the checked run \
         (from its record)",
    );
    let phrases: Vec<&str> = latency
        .into_iter()
        .chain(columns.figures.iter().filter_map(|figure| match figure {
            Figure::PeakInFlight => Some(
                "*peak in flight*: the most requests under way at once, as the async \
                 record counts them, else the variant's concurrency (one request per worker)",
            ),
            Figure::Errors => Some("*errors*: requests that failed"),
            Figure::Conversions => Some("*conversions*: expensive lookups that ran"),
            Figure::Duplicates => Some(
                "*duplicates*: lookups of a key that had already been, or was being, converted",
            ),
            Figure::Concurrency => None,
        }))
        .collect();
    (!phrases.is_empty()).then(|| format!("Columns: {}.", phrases.join("; ")))
}

/// The exact command line of each variant's record run, folded away.
fn commands(rows: &[&Row]) -> String {
    let lines: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let command = row.command.as_ref()?;
            Some(format!(
                "| {} | `{}` |\n",
                table_cell(&row.variant),
                table_cell(command)
            ))
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "<details><summary>Commands</summary>\n\n| variant | command |\n|---|---|\n{}\n</details>\n\n",
        lines.concat()
    )
}

const REGENERATE: &str = "## How to regenerate

```sh
scripts/compare.sh           # full run: measures every workload and rewrites results/
scripts/compare.sh --quick   # scratch run: few runs, to check the pipeline only
```

To redraw only the tables and charts from the data files already here (no new
measurements): `cargo run -p concur-report -- --dir results`.
Data files: `rounds/<workload>.<round>.json` (hyperfine's export of each
round), `<workload>.json` (the rounds joined, with every run's time),
`records.jsonl` (each variant's result record from the checked run),
`params.json` (run parameters) and `machine.json`.
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::HyperfineResult;

    fn compared(ratio: f64, difference: Difference) -> VsBaseline {
        VsBaseline::Compared {
            baseline_median_s: 1.0,
            ratio,
            difference,
        }
    }

    /// The baseline cell gives the ratio, the verdict in words and the evidence.
    #[test]
    fn baseline_cells() {
        assert_eq!(
            baseline_cell(compared(1.52, Difference::Tested { p_value: 0.0001 })),
            "**1.52× slower** (p < 0.001)"
        );
        assert_eq!(
            baseline_cell(compared(0.5, Difference::Tested { p_value: 0.01 })),
            "**0.50× faster** (p = 0.010)"
        );
        assert_eq!(
            baseline_cell(compared(0.99, Difference::Tested { p_value: 0.4123 })),
            "0.99× within noise (p = 0.412)"
        );
        assert_eq!(
            baseline_cell(compared(1.05, Difference::TooFewRuns)),
            "1.05× (too few runs)"
        );
        assert_eq!(
            baseline_cell(compared(1.2, Difference::Ranges { overlap: false })),
            "**1.20× slower** ([min, max] ranges apart)"
        );
        assert_eq!(baseline_cell(VsBaseline::New), "new");
    }

    /// The workload's own columns sit between peak RSS and the check.
    #[test]
    fn figure_columns_come_before_the_check() {
        let columns = Columns {
            figures: table_figures("convert"),
            latency: false,
            baseline: true,
        };
        let head = table_head(columns);
        assert!(head.starts_with(
            "| variant | median | mean ± σ | speedup vs seq | ideal | ratio to ideal | peak RSS \
             | conversions | duplicates | check | vs baseline |\n"
        ));
        let record = crate::input::Record {
            conversions: Some(1035),
            duplicates: Some(48),
            ..crate::input::Record::default()
        };
        let row = Row {
            checksum_agrees: Some(true),
            rule_kept: Some(false),
            vs_baseline: Some(VsBaseline::New),
            ..Row::for_test(
                HyperfineResult::for_test("threads racy", 0.144, 0.144, None),
                Some(record),
            )
        };
        assert_eq!(
            table_row(&row, columns),
            "| threads racy | 144 ms | 144 ms | – | – | – | – | 1035 | 48 | ✗ converts twice | new |\n"
        );
    }
}
