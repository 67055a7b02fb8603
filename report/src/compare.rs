//! The compare report's outputs, all read from one [`Report`]: `summary.csv`
//! (csv crate), `README.md` (`templates/results.md`), one chart per workload
//! ([`chart`]), the findings block of a front README (`templates/findings.md`)
//! and the terminal summary. The tables are built once here, as [`Table`]s, and
//! rendered to Markdown for the pages and to plain text for the terminal.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::chart::{self, Bar, Chart, DotRow, Kind as ChartKind, Unit};
use crate::figures::blocking::{self, Group};
use crate::figures::lessons::{self, Lesson};
use crate::figures::seeds::{self, GroupCheck, Lesson as SeedLesson, Pair};
use crate::figures::{self, Check, Family, IdealRule, Kind, Report, Row, VsBaseline, Workload};
use crate::files::{self, Machine, Markers, Params, README_FILE};
use crate::format::{
    duration, duration_pm, factor, grouped, memory_kib, p_value, power_of_ten, trimmed,
};
use crate::pages;
use crate::rounds;
use crate::stats::Difference;
use crate::table::{Align, Table};

pub const SUMMARY_FILE: &str = "summary.csv";
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
        (README_FILE.to_string(), readme(&report)?),
    ];
    for workload in &report.workloads {
        let svg = chart::svg(&chart_of(workload, &report))
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
    let link = files::relative_link(readme, dir)?;
    FINDINGS.rewrite(readme, &findings(&report, &link)?)?;
    Ok(report)
}

/// A column of a variants table: one figure of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Col {
    Median,
    MeanSd,
    P50,
    P99,
    Speedup,
    Ideal,
    Ratio,
    Rss,
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
    fn heading(self, terse: bool) -> &'static str {
        match self {
            Col::Median => "median",
            Col::MeanSd => "mean ± σ",
            Col::P50 if terse => "p50",
            Col::P50 => "p50 latency",
            Col::P99 if terse => "p99",
            Col::P99 => "p99 latency",
            Col::Speedup if terse => "vs seq",
            Col::Speedup => "speedup vs seq",
            Col::Ideal => "ideal",
            Col::Ratio if terse => "vs ideal",
            Col::Ratio => "ratio to ideal",
            Col::Rss => "peak RSS",
            Col::PeakInFlight => "peak in flight",
            Col::Errors => "errors",
            Col::Conversions => "conversions",
            Col::Duplicates => "duplicates",
            Col::Concurrency => "concurrency",
            Col::Check => "check",
            Col::Baseline => "vs baseline",
            Col::Flags => "",
        }
    }

    fn cell(self, row: &Row, terse: bool) -> Option<String> {
        let record = row.record();
        let latency = record.latency_ms;
        let count = |value: Option<u64>| value.map(|value| value.to_string());
        match self {
            Col::Median if row.unsteady.is_some() => {
                Some(format!("{} ⚠", duration(row.timing.median_s)))
            }
            Col::Median => Some(duration(row.timing.median_s)),
            Col::MeanSd => Some(duration_pm(row.timing.mean_s, row.timing.stddev_s)),
            Col::P50 => latency.map(|l| duration(l.p50.0 / 1000.0)),
            Col::P99 => latency.map(|l| duration(l.p99.0 / 1000.0)),
            Col::Speedup => row.speedup.map(factor),
            Col::Ideal => row.ideal.map(|ideal| duration(ideal.seconds)),
            Col::Ratio => row.ratio_to_ideal.map(factor),
            Col::Rss => record.peak_rss_kib.map(memory_kib),
            Col::PeakInFlight => count(
                record
                    .peak_in_flight
                    .or(record.concurrency)
                    .or(record.workers),
            ),
            Col::Errors => count(record.errors),
            Col::Conversions => count(record.conversions),
            Col::Duplicates => count(record.duplicates),
            Col::Concurrency => count(record.concurrency.or(record.workers)),
            Col::Check => row.check.mark().map(str::to_string),
            Col::Baseline => row.vs_baseline.map(|vs| baseline_cell(vs, terse)),
            Col::Flags => {
                let flags: Vec<String> = row
                    .check
                    .failure()
                    .map(str::to_string)
                    .into_iter()
                    .chain(
                        row.unsteady
                            .map(|ratio| format!("⚠ rounds disagree ({}): rerun", factor(ratio))),
                    )
                    .collect();
                Some(flags.join("; "))
            }
        }
    }

    fn align(self) -> Align {
        match self {
            Col::Check => Align::Center,
            Col::Flags | Col::Baseline => Align::Left,
            _ => Align::Right,
        }
    }
}

/// `**1.52× slower** (p < 0.001)`, `0.99× within noise (p = 0.412)`, `new`;
/// tersely `1.52× slower`.
fn baseline_cell(vs: VsBaseline, terse: bool) -> String {
    let VsBaseline::Compared {
        ratio, difference, ..
    } = vs
    else {
        return vs.verdict().to_string();
    };
    let detail = match difference {
        Difference::TooFewRuns => return format!("{} (too few runs)", factor(ratio)),
        _ if terse => return format!("{} {}", factor(ratio), vs.verdict()),
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

/// The columns of a workload's table, on the page or (`terse`) in the terminal.
fn columns(workload: &Workload, baseline: bool, terse: bool) -> Vec<Col> {
    let mut cols = if terse {
        vec![Col::Median, Col::P50, Col::P99, Col::Speedup, Col::Ratio]
    } else {
        vec![
            Col::Median,
            Col::MeanSd,
            Col::P50,
            Col::P99,
            Col::Speedup,
            Col::Ideal,
            Col::Ratio,
            Col::Rss,
        ]
    };
    cols.extend(match (workload.kind, terse) {
        (Kind::Download, _) => vec![Col::PeakInFlight, Col::Errors],
        (Kind::Convert, false) => vec![Col::Conversions, Col::Duplicates],
        (Kind::Convert, true) => vec![Col::Duplicates],
        (Kind::Cpu, true) => vec![Col::Concurrency],
        _ => vec![],
    });
    if !terse {
        cols.push(Col::Check);
    }
    if baseline {
        cols.push(Col::Baseline);
    }
    if terse {
        cols.push(Col::Flags);
    }
    cols
}

/// One row per variant; `first` heads the variant column.
fn variants_table(first: &str, rows: &[&Row], cols: &[Col], terse: bool) -> Table {
    let mut headings = vec![(first, Align::Left)];
    headings.extend(cols.iter().map(|col| (col.heading(terse), col.align())));
    let mut table = Table::new(headings);
    for row in rows {
        let name = if row.is_seq() && !terse {
            format!("**{}**", row.variant)
        } else {
            row.variant.clone()
        };
        table.row(std::iter::once(Some(name)).chain(cols.iter().map(|col| col.cell(row, terse))));
    }
    table.without_empty_columns()
}

/// The exact command line of each variant's record run.
fn commands(rows: &[&Row]) -> String {
    let mut table = Table::new([("variant", Align::Left), ("command", Align::Left)]);
    for row in rows.iter().filter(|row| row.command.is_some()) {
        table.row([
            Some(row.variant.clone()),
            row.command.as_ref().map(|c| format!("`{c}`")),
        ]);
    }
    if table.is_empty() {
        String::new()
    } else {
        table.markdown()
    }
}

/// `summary.csv`: every workload × variant. Measured times keep hyperfine's
/// precision; derived numbers are rounded (ideal to the microsecond, ratios to
/// four decimals); a value that does not exist is an empty cell, never a 0.
/// New columns only ever go at the end, for the scripts that read by position.
fn summary_csv(report: &Report) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "workload",
        "variant",
        "mean_s",
        "stddev_s",
        "median_s",
        "min_s",
        "max_s",
        "user_s",
        "system_s",
        "speedup_vs_seq",
        "ideal_s",
        "ratio_to_ideal",
        "peak_rss_kib",
        "checksum",
        "checksum_agrees",
        "runs",
        "duplicates",
        "rule_ok",
        "baseline_median_s",
        "vs_baseline",
        "baseline_differs",
        "latency_p50_ms",
        "latency_p99_ms",
        "latency_max_ms",
    ])?;
    let text = |value: Option<String>| value.unwrap_or_default();
    for workload in &report.workloads {
        for row in &workload.rows {
            let (t, record) = (&row.timing, row.record());
            let (baseline, ratio, differs) = match row.vs_baseline {
                Some(VsBaseline::Compared {
                    baseline_median_s,
                    ratio,
                    difference,
                }) => (
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

/// A variant whose rounds disagree, for the page's warning.
#[derive(Serialize)]
struct Unsteady<'a> {
    workload: &'a str,
    variant: &'a str,
    ratio: f64,
}

/// The answers of one workload: wrong ones, and keys converted twice.
#[derive(Serialize)]
struct Checks {
    wrong: Vec<String>,
    twice: Vec<(String, u64)>,
    agreed: bool,
}

#[derive(Serialize)]
struct SeedsContext {
    python: bool,
    groups: Vec<GroupCheck>,
    twice: Vec<Twice>,
    cpu: Option<SeedLesson>,
    io: Option<SeedLesson>,
}

#[derive(Serialize)]
struct Twice {
    id: String,
    python: Option<u64>,
    concur: Option<u64>,
}

#[derive(Serialize)]
struct Section<'a> {
    name: &'a str,
    kind: Kind,
    parameters: Option<&'a str>,
    rows: &'a [Row],
    checks: Checks,
    lesson: Lesson,
    table: String,
    columns: Vec<String>,
    rules: Vec<IdealRule>,
    failed: Vec<&'a Row>,
    whiskers: bool,
    chart: String,
    commands: String,
    task_ms: Option<u64>,
    seeds: Option<SeedsContext>,
    variants: String,
}

#[derive(Serialize)]
struct Page<'a> {
    params: &'a Params,
    machine: &'a Machine,
    baseline: Option<&'a Machine>,
    rounds: Option<u64>,
    unsteady: Vec<Unsteady<'a>>,
    sections: Vec<Section<'a>>,
    machine_table: String,
}

fn checks(workload: &Workload) -> Checks {
    let named = |check: Check| workload.rows.iter().filter(move |row| row.check == check);
    Checks {
        wrong: named(Check::WrongAnswer)
            .map(|row| row.variant.clone())
            .collect(),
        twice: named(Check::ConvertsTwice)
            .filter_map(|row| Some((row.variant.clone(), row.record.as_ref()?.duplicates?)))
            .collect(),
        agreed: workload
            .rows
            .iter()
            .all(|row| row.checksum_agrees == Some(true)),
    }
}

fn seeds_context(pairs: &[Pair], cores: Option<u64>) -> SeedsContext {
    let (cpu, io) = seeds::lessons(pairs, cores);
    let duplicates = |row: &Option<Row>| {
        row.as_ref()
            .filter(|r| r.rule_kept == Some(false))
            .and_then(|r| r.record.as_ref()?.duplicates)
    };
    SeedsContext {
        python: pairs.iter().any(|pair| pair.python.is_some()),
        groups: seeds::group_checks(pairs),
        twice: pairs
            .iter()
            .map(|pair| Twice {
                id: pair.id.clone(),
                python: duplicates(&pair.python),
                concur: duplicates(&pair.concur),
            })
            .filter(|twice| twice.python.is_some() || twice.concur.is_some())
            .collect(),
        cpu,
        io,
    }
}

/// One row per experiment: the seed's time, CPython's and concur's program and
/// process times here, and the ratio of the process medians.
fn seeds_table(pairs: &[Pair]) -> Table {
    let mut table = Table::new([
        ("experiment", Align::Left),
        ("what it runs", Align::Left),
        ("seed's time", Align::Right),
        ("CPython program", Align::Right),
        ("CPython process", Align::Right),
        ("concur program", Align::Right),
        ("concur process", Align::Right),
        ("CPython ÷ concur", Align::Right),
    ]);
    let program = |row: &Option<Row>| {
        row.as_ref()?
            .record
            .as_ref()?
            .elapsed_ms
            .map(|ms| duration(ms / 1000.0))
    };
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

/// Every blocking variant, grouped by model with its reference last, and what
/// the task did to its requests.
fn blocking_table(groups: &[Group]) -> Result<Table> {
    let mut table = Table::new([
        ("variant", Align::Left),
        ("blocking task", Align::Left),
        ("median", Align::Right),
        ("p50", Align::Right),
        ("p99", Align::Right),
        ("max", Align::Right),
        ("what the task did", Align::Left),
        ("check", Align::Center),
    ]);
    let ms = |value: Option<f64>| value.map(|ms| duration(ms / 1000.0));
    for v in groups.iter().flat_map(|group| &group.variants) {
        let task = match (v.is_reference, v.task_ms, &v.offload) {
            (true, ..) => "none".to_string(),
            (false, task, offload) => {
                let task = task.map_or_else(|| "yes".to_string(), |ms| format!("{ms} ms"));
                match offload {
                    Some(offload) => format!("{task}, {offload}"),
                    None if v.on_runtime => format!("{task}, on the runtime"),
                    None => task,
                }
            }
        };
        table.row([
            Some(v.row.variant.clone()),
            Some(task),
            Some(duration(v.row.timing.median_s)),
            ms(v.latency.map(|l| l.p50.0)),
            ms(v.latency.map(|l| l.p99.0)),
            ms(v.latency.map(|l| l.max.0)),
            effect_words(v.effect)?,
            v.row.check.mark().map(str::to_string),
        ]);
    }
    Ok(table)
}

/// The blocking variants with the task, one line each, with the reference's p99
/// beside it: the findings block's and the terminal's table.
fn blocking_compact(groups: &[Group], first: &str) -> Result<Table> {
    let mut table = Table::new([
        (first, Align::Left),
        ("p50", Align::Right),
        ("p99", Align::Right),
        ("p99 without it", Align::Right),
        ("what the task did", Align::Left),
    ]);
    let ms = |value: Option<f64>| value.map(|ms| duration(ms / 1000.0));
    for v in groups
        .iter()
        .flat_map(|group| &group.variants)
        .filter(|v| !v.is_reference)
    {
        table.row([
            Some(v.row.variant.clone()),
            ms(v.latency.map(|l| l.p50.0)),
            ms(v.latency.map(|l| l.p99.0)),
            ms(v.reference_p99),
            effect_words(v.effect)?,
        ]);
    }
    Ok(table)
}

/// The effect's words, from the template that holds them.
fn effect_words(effect: Option<blocking::Effect>) -> Result<Option<String>> {
    #[derive(Serialize)]
    struct Context {
        effect: blocking::Effect,
    }
    effect
        .map(|effect| pages::render("effect.md", Context { effect }))
        .transpose()
}

fn machine_table(machine: &Machine, params: &Params) -> Table {
    let mut table = Table::new([("", Align::Left), ("", Align::Left)]);
    let text = |value: &Option<String>| Some(value.clone().unwrap_or_else(|| "unknown".into()));
    let mut run = Vec::new();
    run.extend(
        params
            .runs
            .map(|runs| format!("{runs} timed runs per variant")),
    );
    run.extend(
        params
            .rounds
            .filter(|r| *r > 1)
            .map(|r| format!("in {r} rounds (every workload timed once per round)")),
    );
    run.extend(params.warmup.map(|w| format!("{w} warmup")));
    run.extend(
        params
            .latency_ms
            .map(|ms| format!("site server latency {} per request", duration(ms / 1000.0))),
    );
    if params.is_quick() {
        run.push("quick run".into());
    }
    let rows = [
        ("CPU", text(&machine.cpu)),
        (
            "cores",
            Some(machine.cores.map_or("unknown".into(), |c| c.to_string())),
        ),
        (
            "memory",
            Some(
                machine
                    .memory_gib
                    .map_or("unknown".into(), |g| format!("{g:.1} GiB")),
            ),
        ),
        ("kernel", text(&machine.kernel)),
        ("OS", text(&machine.os)),
        ("rustc", text(&machine.rustc)),
        ("hyperfine", text(&machine.hyperfine)),
        ("date", text(&machine.date)),
        ("git commit", text(&machine.commit)),
        ("CPython", params.python.clone().or(machine.python.clone())),
        ("run", (!run.is_empty()).then(|| run.join(", "))),
        ("idle CPUs", params.idle.clone().or(machine.idle.clone())),
    ];
    for (key, value) in rows.into_iter().filter(|(_, value)| value.is_some()) {
        table.row([Some(key.to_string()), value]);
    }
    table
}

fn rounds_of(params: &Params) -> Option<u64> {
    params.rounds.filter(|rounds| *rounds > 1)
}

fn section<'a>(workload: &'a Workload, report: &'a Report) -> Result<Section<'a>> {
    let baseline = report.baseline.is_some();
    let rows: Vec<&Row> = workload.rows.iter().collect();
    let cols = columns(workload, baseline, false);
    let mut rules: Vec<IdealRule> = workload
        .rows
        .iter()
        .filter_map(|row| row.ideal.map(|i| i.rule))
        .collect();
    rules.sort();
    rules.dedup();
    let mut section = Section {
        name: &workload.name,
        kind: workload.kind,
        parameters: workload.parameters.as_deref(),
        rows: &workload.rows,
        checks: checks(workload),
        lesson: lessons::lesson(workload, report.machine.cores),
        table: String::new(),
        columns: Vec::new(),
        rules,
        failed: rows
            .iter()
            .copied()
            .filter(|row| row.timing.failed_runs > 0)
            .collect(),
        whiskers: workload
            .rows
            .iter()
            .any(|row| row.timing.stddev_s.is_some()),
        chart: format!("{}.svg", workload.name),
        commands: commands(&rows),
        task_ms: None,
        seeds: None,
        variants: String::new(),
    };
    match workload.kind {
        Kind::Seeds => {
            let pairs = seeds::pairs(&workload.rows, &report.experiments);
            section.table = seeds_table(&pairs).markdown();
            section.seeds = Some(seeds_context(&pairs, report.machine.cores));
            section.variants = variants_table("variant", &rows, &cols, false).markdown();
        }
        Kind::Blocking => {
            let groups = blocking::groups(workload);
            section.table = blocking_table(&groups)?.markdown();
            section.task_ms = workload
                .rows
                .iter()
                .find_map(|row| row.record.as_ref()?.blocking_ms);
            let ordered: Vec<&Row> = groups
                .iter()
                .flat_map(|g| &g.variants)
                .map(|v| &v.row)
                .collect();
            section.commands = commands(&ordered);
        }
        _ => {
            let table = variants_table("variant", &rows, &cols, false);
            section.columns = table.headings();
            section.table = table.markdown();
        }
    }
    Ok(section)
}

fn readme(report: &Report) -> Result<String> {
    let unsteady = report
        .workloads
        .iter()
        .flat_map(|w| {
            w.rows.iter().filter_map(move |row| {
                Some(Unsteady {
                    workload: &w.name,
                    variant: &row.variant,
                    ratio: row.unsteady?,
                })
            })
        })
        .collect();
    pages::render(
        "results.md",
        Page {
            params: &report.params,
            machine: &report.machine,
            baseline: report.baseline.as_ref(),
            rounds: rounds_of(&report.params),
            unsteady,
            sections: report
                .workloads
                .iter()
                .map(|workload| section(workload, report))
                .collect::<Result<_>>()?,
            machine_table: machine_table(&report.machine, &report.params).markdown(),
        },
    )
}

/// The name of a variant without its model, which the column already says,
/// with its options as code: `threads scoped --gil` -> ``scoped `--gil` ``.
fn label(row: &Row, siblings: bool) -> String {
    let variant = row.variant.as_str();
    let model = row
        .record
        .as_ref()
        .and_then(|r| r.model.as_deref())
        .unwrap_or_else(|| variant.split(' ').next().unwrap_or(variant));
    let rest = if row.family == Family::Python {
        variant.strip_prefix("python-").unwrap_or(variant)
    } else {
        variant
            .strip_prefix(model)
            .filter(|rest| rest.is_empty() || rest.starts_with(' '))
            .unwrap_or(variant)
    }
    .trim();
    match rest.find("--") {
        _ if rest.is_empty() && siblings => row
            .record
            .as_ref()
            .and_then(|r| r.workers)
            .map_or(String::new(), |w| format!("{w} workers")),
        Some(0) => format!("`{rest}`"),
        Some(at) => format!("{} `{}`", rest[..at].trim_end(), &rest[at..]),
        None => rest.to_string(),
    }
}

/// The findings cell of one model: its fastest correct variant (else its
/// fastest), with a link to the others.
fn model_cell(workload: &Workload, family: Family, link: &str) -> Option<String> {
    let rows: Vec<&Row> = workload
        .rows
        .iter()
        .filter(|row| row.family == family)
        .collect();
    let best = rows
        .iter()
        .find(|row| row.check == Check::Passed)
        .or(rows.first())?;
    let mut notes = Vec::new();
    notes.extend(best.speedup.filter(|_| !best.is_seq()).map(factor));
    notes.extend(best.check.failure().map(str::to_string));
    let mut cell = [label(best, rows.len() > 1), duration(best.timing.median_s)]
        .join(" ")
        .trim()
        .to_string();
    if !notes.is_empty() {
        cell = format!("{cell} ({})", notes.join(", "));
    }
    if best.unsteady.is_some() {
        cell.push_str(" ⚠");
    }
    if rows.len() > 1 {
        cell.push_str(&format!(
            " · [+{}]({link}/README.md#{})",
            rows.len() - 1,
            workload.name
        ));
    }
    Some(cell)
}

/// The workload's name and its size in words.
fn workload_cell(workload: &Workload, params: &Params) -> String {
    let parameters = workload.parameters.as_deref().unwrap_or("");
    let option = |name: &str| -> Option<u64> {
        let mut words = parameters.split_whitespace();
        words.find(|word| *word == name)?;
        words.next()?.parse().ok()
    };
    let seq = workload.seq().map(Row::record).unwrap_or_default();
    let short = |ms: f64| crate::format::duration_short(ms / 1000.0);
    let size: Vec<String> = match workload.name.as_str() {
        "squares" => [
            seq.tasks.map(|t| format!("{t} tasks")),
            option("--start").map(|n| format!("n from {}", power_of_ten(n))),
        ]
        .into(),
        "range-sum" => [
            option("--end").map(|e| format!("0..{}", power_of_ten(e))),
            option("--parts")
                .or(seq.tasks)
                .map(|p| format!("{p} parts")),
        ]
        .into(),
        "download" => [
            seq.requests.map(|n| format!("{} pages", grouped(n))),
            params.latency_ms.map(|ms| format!("{} latency", short(ms))),
        ]
        .into(),
        "convert" => {
            let callers = workload
                .rows
                .iter()
                .filter(|row| !row.is_seq())
                .find_map(|row| row.record.as_ref()?.workers);
            [
                seq.requests.map(|n| format!("{} requests", grouped(n))),
                seq.cost_us
                    .or(option("--cost-us"))
                    .map(|us| format!("{} lookups", short(us as f64 / 1000.0))),
                callers.map(|n| format!("{n} callers")),
            ]
            .into()
        }
        _ => Vec::<Option<String>>::new(),
    }
    .into_iter()
    .flatten()
    .collect();
    if size.is_empty() {
        format!("`{}`", workload.name)
    } else {
        format!("`{}` ({})", workload.name, size.join(", "))
    }
}

#[derive(Serialize)]
struct BlockingFinding {
    task_ms: Option<u64>,
    table: String,
}

#[derive(Serialize)]
struct FindingsCheck {
    wrong: Vec<String>,
    unchecked: Vec<String>,
    twice: Vec<(String, u64)>,
}

#[derive(Serialize)]
struct Findings<'a> {
    params: &'a Params,
    machine: &'a Machine,
    rounds: Option<u64>,
    idle: Option<&'a String>,
    checks: FindingsCheck,
    unsteady: bool,
    table: String,
    blocking: Option<BlockingFinding>,
    seeds: Option<SeedsContext>,
    link: &'a str,
}

/// The findings block of a front README; `link` is the results directory as a
/// link from it.
pub fn findings(report: &Report, link: &str) -> Result<String> {
    let tabled: Vec<&Workload> = report
        .workloads
        .iter()
        .filter(|w| !matches!(w.kind, Kind::Seeds | Kind::Blocking))
        .collect();
    let families: Vec<Family> = Family::ALL
        .into_iter()
        .filter(|f| {
            f.index() < 4
                || tabled
                    .iter()
                    .any(|w| w.rows.iter().any(|row| row.family == *f))
        })
        .collect();
    let mut headings = vec![("workload", Align::Left)];
    headings.extend(families.iter().map(|f| (f.name(), Align::Right)));
    headings.push(("what it shows", Align::Left));
    let mut table = Table::new(headings);
    for workload in &tabled {
        let shows = pages::render(
            "shows.md",
            ShowsContext {
                name: &workload.name,
                lesson: lessons::lesson(workload, report.machine.cores),
            },
        )?;
        let mut cells = vec![Some(workload_cell(workload, &report.params))];
        cells.extend(families.iter().map(|f| model_cell(workload, *f, link)));
        cells.push(Some(shows.trim().to_string()).filter(|text| !text.is_empty()));
        table.row(cells);
    }
    let named = |check: Check| -> Vec<(String, &Row)> {
        report
            .workloads
            .iter()
            .flat_map(|w| {
                w.rows
                    .iter()
                    .filter(move |r| r.check == check)
                    .map(move |r| (w.name.clone(), r))
            })
            .collect()
    };
    let mut twice: Vec<(String, u64)> = Vec::new();
    for (workload, _) in named(Check::ConvertsTwice) {
        match twice.iter_mut().find(|(name, _)| *name == workload) {
            Some((_, count)) => *count += 1,
            None => twice.push((workload, 1)),
        }
    }
    let blocking = match report.workloads.iter().find(|w| w.kind == Kind::Blocking) {
        Some(w) => Some(BlockingFinding {
            task_ms: w
                .rows
                .iter()
                .find_map(|row| row.record.as_ref()?.blocking_ms),
            table: blocking_compact(&blocking::groups(w), "where the task ran")?.markdown(),
        }),
        None => None,
    };
    let seeds = report
        .workloads
        .iter()
        .find(|w| w.kind == Kind::Seeds)
        .map(|w| {
            seeds_context(
                &seeds::pairs(&w.rows, &report.experiments),
                report.machine.cores,
            )
        })
        .filter(|seeds| seeds.cpu.is_some() || seeds.io.is_some());
    pages::render(
        "findings.md",
        Findings {
            params: &report.params,
            machine: &report.machine,
            rounds: rounds_of(&report.params),
            idle: report.params.idle.as_ref().or(report.machine.idle.as_ref()),
            checks: FindingsCheck {
                wrong: named(Check::WrongAnswer)
                    .into_iter()
                    .map(|(w, r)| format!("`{w}` {}", r.variant))
                    .collect(),
                unchecked: report
                    .workloads
                    .iter()
                    .flat_map(|w| {
                        w.rows
                            .iter()
                            .filter(|r| r.checksum_agrees.is_none())
                            .map(move |r| format!("`{}` {}", w.name, r.variant))
                    })
                    .collect(),
                twice,
            },
            unsteady: tabled
                .iter()
                .any(|w| w.rows.iter().any(|row| row.unsteady.is_some())),
            table: table.markdown(),
            blocking,
            seeds,
            link,
        },
    )
}

#[derive(Serialize)]
struct ShowsContext<'a> {
    name: &'a str,
    lesson: Lesson,
}

/// The terminal summary: one short table per workload, the seeds one line per
/// experiment and the blocking task one line per variant with it.
pub fn terminal(report: &Report) -> Result<String> {
    let baseline = report.baseline.is_some();
    let mut out = String::new();
    for workload in &report.workloads {
        let table = match workload.kind {
            Kind::Seeds => {
                let mut table = Table::new([
                    (workload.name.as_str(), Align::Left),
                    ("CPython", Align::Right),
                    ("concur", Align::Right),
                    ("CPython ÷ concur", Align::Right),
                    ("", Align::Left),
                ]);
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
                variants_table(
                    &workload.name,
                    &rows,
                    &columns(workload, baseline, true),
                    true,
                )
            }
        };
        out.push_str(&table.terminal());
    }
    let unsteady = report
        .workloads
        .iter()
        .flat_map(|w| &w.rows)
        .filter(|row| row.unsteady.is_some())
        .count();
    if unsteady > 0 {
        out.push_str(&format!("⚠ the rounds of {} disagreed: the machine changed under them; rerun before drawing conclusions from them\n", crate::format::counted(unsteady as u64, "variant", "variants")));
    }
    Ok(out)
}

/// The chart of one workload: bars of median wall time (the seeds as pairs), or
/// the blocking task's latency percentiles.
fn chart_of(workload: &Workload, report: &Report) -> Chart {
    let mut families: Vec<Family> = workload.rows.iter().map(|row| row.family).collect();
    families.sort();
    families.dedup();
    let legend = families
        .iter()
        .map(|f| (f.name().to_string(), f.index()))
        .collect();
    let bar = |label: String, row: &Row| Bar {
        label,
        colour: row.family.index(),
        value: row.timing.median_s,
        spread: row
            .timing
            .stddev_s
            .map(|sd| (row.timing.median_s - sd, row.timing.median_s + sd)),
        ideal: row.ideal.map(|ideal| ideal.seconds),
    };
    let (title, value_label, unit, kind) = match workload.kind {
        Kind::Seeds => {
            let bars = seeds::pairs(&workload.rows, &report.experiments)
                .iter()
                .flat_map(|pair| {
                    let python = pair
                        .python
                        .as_ref()
                        .map(|row| bar(format!("{} CPython", pair.id), row));
                    python.into_iter().chain(
                        pair.concur
                            .as_ref()
                            .map(|row| bar(format!("{} concur", pair.id), row)),
                    )
                })
                .collect();
            (
                "seeds: CPython beside concur, median wall time",
                "median wall time",
                Unit::Seconds,
                ChartKind::Bars(bars),
            )
        }
        Kind::Blocking => {
            let groups = blocking::groups(workload);
            let variants = groups.iter().flat_map(|g| &g.variants);
            let rows = variants
                .map(|v| DotRow {
                    label: v.row.variant.clone(),
                    colour: v.row.family.index(),
                    values: v.latency.map_or(vec![None; 3], |l| {
                        vec![Some(l.p50.0), Some(l.p99.0), Some(l.max.0)]
                    }),
                })
                .collect();
            let task = workload
                .rows
                .iter()
                .find_map(|row| row.record.as_ref()?.blocking_ms);
            let reference = task.map(|ms| (format!("the task: {ms} ms"), ms as f64));
            let marks = ["p50", "p99", "max"].map(str::to_string).to_vec();
            (
                "blocking: request latency per variant",
                "request latency",
                Unit::Milliseconds,
                ChartKind::Dots {
                    rows,
                    marks,
                    reference,
                },
            )
        }
        _ => {
            let bars = workload
                .rows
                .iter()
                .map(|row| bar(row.variant.clone(), row))
                .collect();
            let title = format!("{}: median wall time per variant", workload.name);
            return Chart {
                title,
                value_label: "median wall time".into(),
                unit: Unit::Seconds,
                kind: ChartKind::Bars(bars),
                legend,
            };
        }
    };
    Chart {
        title: title.into(),
        value_label: value_label.into(),
        unit,
        kind,
        legend,
    }
}
