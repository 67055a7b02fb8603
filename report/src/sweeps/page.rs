//! The sweeps' text outputs: the "Scaling" page (`README.md`), the short
//! summary printed on stdout, and the block of key sentences for a guide.
//!
//! Each sweep's section is its heading, its chart, a compact table (one row per
//! variant, one column per value) and its key sentences; every number comes
//! from the derived table, the same numbers as the CSV.
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use crate::format::{duration, factor, table_cell};
use crate::input::{Machine, Params};
use crate::provenance::measured_by;

use super::derive::{DUPLICATES, MEMORY_PER_IN_FLIGHT, MEMORY_PER_TASK, RATIO, SPEEDUP};
use super::point::{Kind, Row, Table};
use super::text::{kib, value};

/// The script that measures the sweeps, as the provenance names it.
const SCRIPT: &str = "scripts/sweep.sh";

/// A sweep with its derived table and key sentences: what the pages read.
pub struct Section<'a> {
    pub table: Table<'a>,
    pub sentences: Vec<String>,
}

/// Where, when and how the sweeps were measured, in one paragraph.
pub fn provenance(machine: &Machine, params: &Params) -> String {
    let mut text = String::new();
    if params.quick == Some(true) {
        text.push_str("**Quick run**: few, small points and one run each, to check the pipeline; do not draw conclusions. ");
    }
    text.push_str(&measured_by(SCRIPT, machine));
    match params.runs {
        Some(1) => text.push_str(", one timed run per point"),
        Some(runs) => {
            let _ = write!(
                text,
                ", {runs} timed runs per point (one for a point whose first run took over 5 s)"
            );
        }
        None => {}
    }
    if let Some(idle) = params.idle.as_ref().or(machine.idle.as_ref()) {
        let _ = write!(text, "; idle CPUs: {idle}");
    }
    text.push_str(". Every number on this page is computed from the CSV files beside it.");
    text
}

/// `README.md`: the provenance, then one section per sweep.
pub fn readme(sections: &[Section], machine: &Machine, params: &Params) -> String {
    let mut out = String::from("# Scaling\n\n");
    let _ = writeln!(out, "{}\n", provenance(machine, params));
    for section in sections {
        out.push_str(&sweep_section(section));
    }
    out
}

fn sweep_section(section: &Section) -> String {
    let table = &section.table;
    let sweep = table.sweep;
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", sweep.name);
    let _ = writeln!(out, "{}.\n", capital(sweep.kind.title()));
    let _ = writeln!(
        out,
        "![{}: {} against {}]({}.svg)\n",
        sweep.name,
        table.figure.label(),
        sweep.parameter,
        sweep.name
    );
    out.push_str(&compact_table(table));
    let _ = writeln!(out, "\n{}\n", cells_caption(table));
    for sentence in &section.sentences {
        let _ = writeln!(out, "{sentence}");
    }
    out.push('\n');
    if !table.notes.is_empty() {
        out.push_str("Notes:\n\n");
        for note in &table.notes {
            let _ = writeln!(out, "- {note}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "Every point: [{0}.csv]({0}.csv).\n", sweep.name);
    out
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// One row per variant, one column per value of the parameter.
fn compact_table(table: &Table) -> String {
    let values = table.sweep.values();
    let mut out = format!(
        "| variant \\ {} |",
        table_cell(&table.sweep.kind.parameter_label(&table.sweep.parameter))
    );
    for at in &values {
        let _ = write!(out, " {} |", value(*at));
    }
    let _ = writeln!(out, "\n|---|{}", "--:|".repeat(values.len()));
    for variant in table.sweep.variants() {
        let _ = write!(out, "| {} |", table_cell(variant));
        for at in &values {
            let cell = table
                .row_at(variant, *at)
                .map_or_else(|| "–".to_string(), |row| cell(table, row));
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    out
}

/// What a table cell shows, per sweep.
fn cells_caption(table: &Table) -> &'static str {
    match table.sweep.kind {
        Kind::Tasks => {
            "Cells: median wall time · memory per task over the same variant's 1-task run."
        }
        Kind::Inflight => {
            "Cells: median time ÷ ideal (ceil(requests ÷ in flight) × latency) · memory per request in flight over the same variant's 1-in-flight run."
        }
        Kind::Latency => {
            "Cells: median wall time (÷ the ideal ceil(requests ÷ concurrency) × latency)."
        }
        Kind::Tasksize | Kind::Workers => {
            "Cells: speedup against seq at the same point (the ideal is min(workers, cores))."
        }
        Kind::Callers => "Cells: median wall time · duplicate conversions where there were any.",
        Kind::Other => "Cells: median wall time.",
    }
}

fn cell(table: &Table, row: &Row) -> String {
    let time = duration(row.point.timing.median_s);
    let first_point = row.point.value == 1.0;
    let per_unit = |name: &str| {
        table
            .cell(row, name)
            .filter(|_| !first_point)
            .map_or_else(String::new, |per| format!(" · {}", kib(per)))
    };
    let or_dash = |figure: Option<f64>| figure.map_or_else(|| "–".to_string(), factor);
    match table.sweep.kind {
        Kind::Tasks => format!("{time}{}", per_unit(MEMORY_PER_TASK)),
        Kind::Inflight => format!("{}{}", or_dash(row.y), per_unit(MEMORY_PER_IN_FLIGHT)),
        Kind::Latency => match table.cell(row, RATIO) {
            Some(ratio) => format!("{time} ({})", factor(ratio)),
            None => time,
        },
        Kind::Tasksize | Kind::Workers => or_dash(table.cell(row, SPEEDUP)),
        Kind::Callers => match table.cell(row, DUPLICATES).filter(|count| *count > 0.0) {
            Some(count) => format!("{time} · {} dup.", value(count)),
            None => time,
        },
        Kind::Other => time,
    }
}

/// The lines printed on stdout: one per sweep with its key sentences.
pub fn summary(sections: &[Section]) -> String {
    let mut out = String::new();
    for section in sections {
        let _ = writeln!(
            out,
            "{}: {}",
            section.table.sweep.name,
            section.sentences.join(" ")
        );
    }
    out
}

/// The guide's block: where and when, then a bullet per sweep with its key
/// sentences and a link to its chart. `results` is the sweep directory as a
/// link from the guide (`../results/sweeps`).
pub fn guide_block(
    sections: &[Section],
    machine: &Machine,
    params: &Params,
    results: &str,
) -> String {
    let mut out = String::new();
    if params.quick == Some(true) {
        out.push_str("**Quick run**: few, small points, to check the pipeline. ");
    }
    out.push_str(&measured_by(SCRIPT, machine));
    let _ = writeln!(
        out,
        "; tables and charts: [{results}/README.md]({results}/README.md).\n"
    );
    for section in sections {
        let name = &section.table.sweep.name;
        let _ = writeln!(
            out,
            "- **{name}** ([chart]({results}/{name}.svg)): {}",
            section.sentences.join(" ")
        );
    }
    out
}
