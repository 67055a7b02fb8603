//! The results page (`templates/results.md`): one section per workload, its
//! table, checks, lesson, ideal rules and notes, from the figures.

use std::collections::BTreeSet;

use anyhow::Result;
use serde::Serialize;

use super::tables::{blocking_table, columns, commands, seeds_table, variants_table};
use crate::figures::{Check, IdealRule, Report, Row, Workload};
use crate::pages;

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

/// One workload's section: its figures and the tables built from them.
#[derive(Serialize)]
struct Section<'a> {
    #[serde(flatten)]
    workload: &'a Workload,
    checks: Checks<'a>,
    /// The workload's own table; `variants`, every variant's (which the seeds
    /// show apart from their own).
    table: String,
    variants: String,
    columns: Vec<String>,
    rules: BTreeSet<IdealRule>,
    failed: Vec<&'a Row>,
    whiskers: bool,
    commands: String,
}

#[derive(Serialize)]
struct Page<'a> {
    #[serde(flatten)]
    report: &'a Report,
    /// The variants whose rounds disagree, with their workload's name.
    unsteady: Vec<(&'a str, &'a Row)>,
    sections: Vec<Section<'a>>,
}

fn section<'a>(workload: &'a Workload, report: &Report) -> Result<Section<'a>> {
    let cols = columns(workload, report.baseline.is_some(), false);
    let variants = variants_table("variant", &workload.rows, &cols, false);
    let rules = workload.rows.iter().filter_map(|row| Some(row.ideal?.rule)).collect();
    let (table, commands) = match (&workload.seeds, &workload.blocking) {
        (Some(seeds), _) => (seeds_table(&seeds.pairs), commands(&workload.rows)),
        (_, Some(blocking)) => {
            let rows = blocking.variants.iter().map(|v| &v.row);
            (blocking_table(&blocking.variants)?, commands(rows))
        }
        _ => (variants.clone(), commands(&workload.rows)),
    };
    let named = |check: Check| workload.rows.iter().filter(move |row| row.check == check);
    let names = |check: Check| named(check).map(|row| row.variant.clone()).collect();
    let checks = Checks {
        fastest: named(Check::Passed).next().or(workload.rows.first()),
        wrong: names(Check::WrongAnswer),
        unchecked: names(Check::Unchecked),
        twice: named(Check::ConvertsTwice)
            .filter_map(|row| Some((row.variant.clone(), row.record.as_ref()?.duplicates?)))
            .collect(),
        agreed: workload.rows.iter().all(|row| row.checksum_agrees == Some(true)),
    };
    Ok(Section {
        workload,
        checks,
        columns: table.headings(),
        table: table.markdown(),
        variants: variants.markdown(),
        rules,
        failed: workload.rows.iter().filter(|row| row.timing.failed_runs > 0).collect(),
        whiskers: workload.rows.iter().any(|row| row.timing.stddev_s.is_some()),
        commands,
    })
}

pub(super) fn readme(report: &Report) -> Result<String> {
    let unsteady = report.rows().filter(|(_, row)| row.unsteady.is_some());
    let unsteady = unsteady.map(|(w, row)| (w.name.as_str(), row));
    let sections = report.workloads.iter().map(|workload| section(workload, report));
    pages::render(
        "results.md",
        Page { report, unsteady: unsteady.collect(), sections: sections.collect::<Result<_>>()? },
    )
}
