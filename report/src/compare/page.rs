//! The results page (`templates/results.md`): one section per workload, its
//! table, checks, lesson, ideal rules and notes, from the figures.

use anyhow::Result;
use serde::Serialize;

use super::tables::{blocking_table, columns, commands, seeds_table, variants_table};
use crate::figures::blocking;
use crate::figures::lessons::{self, Lesson};
use crate::figures::seeds::{self, GroupCheck, Lesson as SeedLesson, Pair};
use crate::figures::{Check, IdealRule, Kind, Report, Row, Workload};
use crate::files::{Machine, Params};
use crate::pages;

/// A variant whose rounds disagree, for the page's warning.
#[derive(Serialize)]
struct Unsteady<'a> {
    workload: &'a str,
    variant: &'a str,
    ratio: f64,
}

/// The answers of one workload: wrong ones, and keys converted twice.
#[derive(Serialize)]
struct Checks<'a> {
    /// The fastest variant with a checked right answer, else the fastest.
    fastest: Option<&'a Row>,
    wrong: Vec<String>,
    unchecked: Vec<String>,
    twice: Vec<(String, u64)>,
    agreed: bool,
}

#[derive(Serialize)]
pub(super) struct SeedsContext {
    python: bool,
    groups: Vec<GroupCheck>,
    twice: Vec<Twice>,
    pub(super) cpu: Option<SeedLesson>,
    pub(super) io: Option<SeedLesson>,
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
    checks: Checks<'a>,
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
}

fn checks(workload: &Workload) -> Checks<'_> {
    let named = |check: Check| workload.rows.iter().filter(move |row| row.check == check);
    let names = |check: Check| named(check).map(|row| row.variant.clone()).collect();
    Checks {
        fastest: named(Check::Passed).next().or(workload.rows.first()),
        wrong: names(Check::WrongAnswer),
        unchecked: names(Check::Unchecked),
        twice: named(Check::ConvertsTwice)
            .filter_map(|row| Some((row.variant.clone(), row.record.as_ref()?.duplicates?)))
            .collect(),
        agreed: workload.rows.iter().all(|row| row.checksum_agrees == Some(true)),
    }
}

pub(super) fn seeds_context(pairs: &[Pair], cores: Option<u64>) -> SeedsContext {
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

pub(super) fn rounds_of(params: &Params) -> Option<u64> {
    params.rounds.filter(|rounds| *rounds > 1)
}

fn section<'a>(workload: &'a Workload, report: &'a Report) -> Result<Section<'a>> {
    let baseline = report.baseline.is_some();
    let rows: Vec<&Row> = workload.rows.iter().collect();
    let cols = columns(workload, baseline, false);
    let mut rules: Vec<IdealRule> =
        workload.rows.iter().filter_map(|row| row.ideal.map(|i| i.rule)).collect();
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
        failed: rows.iter().copied().filter(|row| row.timing.failed_runs > 0).collect(),
        whiskers: workload.rows.iter().any(|row| row.timing.stddev_s.is_some()),
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
            section.task_ms = workload.rows.iter().find_map(|row| row.record.as_ref()?.blocking_ms);
            let ordered: Vec<&Row> =
                groups.iter().flat_map(|g| &g.variants).map(|v| &v.row).collect();
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

pub(super) fn readme(report: &Report) -> Result<String> {
    let unsteady = report
        .workloads
        .iter()
        .flat_map(|w| {
            w.rows.iter().filter_map(move |row| {
                Some(Unsteady { workload: &w.name, variant: &row.variant, ratio: row.unsteady? })
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
        },
    )
}
