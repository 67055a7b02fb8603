//! The findings block of a front README (`templates/findings.md`): one row per
//! workload with each model's fastest correct variant and what the workload
//! shows, the blocking task's table and the seeds' lessons.

use anyhow::Result;
use serde::Serialize;

use super::tables::blocking_compact;
use crate::figures::blocking::Blocking;
use crate::figures::seeds::Seeds;
use crate::figures::{Check, Family, Kind, Report, Row, Workload, collate};
use crate::files::Params;
use crate::format::{duration, duration_short, factor, grouped, power_of_ten};
use crate::pages;
use crate::table::{Align, Table};

/// The name of a variant without its model, which the column already says,
/// with its options as code: `threads scoped --gil` -> ``scoped `--gil` ``.
fn label(row: &Row, siblings: bool) -> String {
    let variant = row.variant.as_str();
    let first = variant.split(' ').next().unwrap_or(variant);
    let model = row.record.as_ref().and_then(|r| r.model.as_deref()).unwrap_or(first);
    let rest = match row.family {
        Family::Python => variant.strip_prefix("python-"),
        _ => variant.strip_prefix(model).filter(|rest| rest.is_empty() || rest.starts_with(' ')),
    };
    let rest = rest.unwrap_or(variant).trim();
    match rest.find("--") {
        _ if rest.is_empty() && siblings => {
            row.record().workers.map_or(String::new(), |w| format!("{w} workers"))
        }
        Some(0) => format!("`{rest}`"),
        Some(at) => format!("{} `{}`", rest[..at].trim_end(), &rest[at..]),
        None => rest.to_string(),
    }
}

/// The findings cell of one model: its fastest correct variant (else its
/// fastest), with a link to the others.
fn model_cell(workload: &Workload, family: Family, link: &str) -> Option<String> {
    let rows: Vec<&Row> = workload.rows.iter().filter(|row| row.family == family).collect();
    let best = rows.iter().find(|row| row.check == Check::Passed).or(rows.first())?;
    let mut notes = Vec::new();
    notes.extend(best.speedup.filter(|_| !best.is_seq()).map(factor));
    notes.extend(best.check.failure().map(str::to_string));
    let mut cell =
        [label(best, rows.len() > 1), duration(best.timing.median_s)].join(" ").trim().to_string();
    if !notes.is_empty() {
        cell = format!("{cell} ({})", notes.join(", "));
    }
    if best.unsteady.is_some() {
        cell.push_str(" ⚠");
    }
    if rows.len() > 1 {
        cell.push_str(&format!(" · [+{}]({link}/README.md#{})", rows.len() - 1, workload.name));
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
    let seq = workload.rows.iter().find(|row| row.is_seq()).map(Row::record).unwrap_or_default();
    let short = |ms: f64| duration_short(ms / 1000.0);
    let callers =
        workload.rows.iter().filter(|row| !row.is_seq()).find_map(|row| row.record().workers);
    let size = match workload.name.as_str() {
        "squares" => vec![
            seq.tasks.map(|t| format!("{t} tasks")),
            option("--start").map(|n| format!("n from {}", power_of_ten(n))),
        ],
        "range-sum" => vec![
            option("--end").map(|e| format!("0..{}", power_of_ten(e))),
            option("--parts").or(seq.tasks).map(|p| format!("{p} parts")),
        ],
        "download" => vec![
            seq.requests.map(|n| format!("{} pages", grouped(n))),
            params.latency_ms.map(|ms| format!("{} latency", short(ms as f64))),
        ],
        "convert" => vec![
            seq.requests.map(|n| format!("{} requests", grouped(n))),
            seq.cost_us
                .or(option("--cost-us"))
                .map(|us| format!("{} lookups", short(us as f64 / 1000.0))),
            callers.map(|n| format!("{n} callers")),
        ],
        _ => vec![],
    };
    let size: Vec<String> = size.into_iter().flatten().collect();
    let size = if size.is_empty() { String::new() } else { format!(" ({})", size.join(", ")) };
    format!("`{}`{size}", workload.name)
}

#[derive(Serialize)]
struct Findings<'a> {
    #[serde(flatten)]
    report: &'a Report,
    wrong: Vec<String>,
    unchecked: Vec<String>,
    /// Each workload with variants that converted keys twice, and those variants.
    twice: Vec<(&'a String, Vec<&'a String>)>,
    unsteady: bool,
    table: String,
    blocking: Option<&'a Blocking>,
    blocking_table: Option<String>,
    seeds: Option<&'a Seeds>,
    link: &'a str,
}

/// The findings block of a front README; `link` is the results directory as a
/// link from it.
pub fn findings(report: &Report, link: &str) -> Result<String> {
    let blocking = report.workloads.iter().find_map(|w| w.blocking.as_ref());
    let compact = blocking.map(|b| blocking_compact(&b.variants, "where the task ran"));
    let seeds = report.workloads.iter().find_map(|w| w.seeds.as_ref());
    let own_table = |w: &&Workload| matches!(w.kind, Kind::Seeds | Kind::Blocking);
    let tabled: Vec<&Workload> = report.workloads.iter().filter(|w| !own_table(w)).collect();
    let named = |wanted: fn(&Row) -> bool| -> Vec<String> {
        let rows = report.rows().filter(|(_, row)| wanted(row));
        rows.map(|(w, row)| format!("`{}` {}", w.name, row.variant)).collect()
    };
    let twice = report.rows().filter(|(_, row)| row.check == Check::ConvertsTwice);
    pages::render(
        "findings.md",
        Findings {
            report,
            wrong: named(|row| row.check == Check::WrongAnswer),
            unchecked: named(|row| row.checksum_agrees.is_none()),
            twice: collate(twice.map(|(w, row)| (&w.name, &row.variant))),
            unsteady: tabled.iter().any(|w| w.rows.iter().any(|row| row.unsteady.is_some())),
            table: table(report, &tabled, link)?,
            blocking,
            blocking_table: compact.transpose()?.map(|table| table.markdown()),
            seeds: seeds.filter(|seeds| seeds.cpu.is_some() || seeds.io.is_some()),
            link,
        },
    )
}

/// One row per workload: its size, each model's cell, what it shows.
fn table(report: &Report, tabled: &[&Workload], link: &str) -> Result<String> {
    let present = |f: &Family| tabled.iter().any(|w| w.rows.iter().any(|row| row.family == *f));
    // The five Rust models always have a column; CPython and others when present.
    let families: Vec<Family> = Family::ALL
        .into_iter()
        .filter(|f| f.index() <= Family::Cluster.index() || present(f))
        .collect();
    let mut headings = vec![("workload", Align::Left)];
    headings.extend(families.iter().map(|f| (f.name(), Align::Right)));
    headings.push(("what it shows", Align::Left));
    let mut table = Table::new(headings);
    for workload in tabled {
        let shows = pages::render("shows.md", workload)?;
        let mut cells = vec![Some(workload_cell(workload, &report.params))];
        cells.extend(families.iter().map(|f| model_cell(workload, *f, link)));
        cells.push(Some(shows.trim().to_string()).filter(|text| !text.is_empty()));
        table.row(cells);
    }
    Ok(if table.is_empty() { String::new() } else { table.markdown() })
}
