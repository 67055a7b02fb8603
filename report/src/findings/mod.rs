//! The findings block of the repository's front README: a line naming the machine
//! and the run, then one row per workload with each model's medians and speedups
//! and what the workload shows.
//!
//! The prose of the "what it shows" column is fixed per workload name, because
//! it is an interpretation a person wrote; every number in the block, including
//! the ones inside that prose, is generated from the results directory, so a new
//! run cannot leave a stale number behind. A clause whose numbers the run does
//! not have is left out rather than guessed.
//!
//! # Layout
//! - this module: the block, its opening line and the cells of each model
//! - `shows`: the "what it shows" column
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

mod shows;

use std::fmt::Write as _;

use crate::figures::CONVERT;
use crate::format::{duration, duration_short, factor, grouped, power_of_ten, table_cell};
use crate::ideal::{DOWNLOAD, IdealRule};
use crate::input::Params;
use crate::model::Family;
use crate::provenance::measured_by;
use crate::table::{Check, Report, Row, SEQ, WorkloadReport};

use self::shows::what_it_shows;

/// Prose lines of the block are wrapped at this many characters.
const LINE_WIDTH: usize = 80;

/// The block between the markers, ending in a line break. `results` is the
/// results directory as a link from the README (`results`).
pub fn block(report: &Report, results: &str) -> String {
    let mut out = wrap(&intro(report));
    out.push('\n');
    // The seeds and the blocking task are pairs and contrasts, not one
    // median per model: they get their sentences under the table instead.
    let (tabled, told): (Vec<&WorkloadReport>, Vec<&WorkloadReport>) = report
        .workloads
        .iter()
        .partition(|workload| !matches!(workload.workload.as_str(), "seeds" | "blocking"));
    // The four Rust models always have a column (a model that was not run reads
    // `–`); CPython and unknown models only when the run has them.
    let families: Vec<Family> = Family::ALL
        .into_iter()
        .filter(|family| {
            matches!(
                family,
                Family::Seq | Family::Threads | Family::Async | Family::Procs
            ) || tabled
                .iter()
                .any(|workload| workload.rows.iter().any(|row| row.family() == *family))
        })
        .collect();
    let headings: Vec<&str> = families.iter().map(|family| heading(*family)).collect();
    let _ = writeln!(
        out,
        "| workload | {} | what it shows |\n|---|{}---|",
        headings.join(" | "),
        "--:|".repeat(families.len())
    );
    for workload in tabled {
        let cells: Vec<String> = families
            .iter()
            .map(|family| model_cell(workload, *family))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            workload_cell(workload, report),
            cells.join(" | "),
            table_cell(&what_it_shows(workload, &report.machine))
        );
    }
    out.push('\n');
    for workload in told {
        for line in told_lines(workload, report, results) {
            out.push_str(&wrap(&line));
            out.push('\n');
        }
    }
    out.push_str(&wrap(&format!(
        "Full tables and charts: [{results}/README.md]({results}/README.md); every \
         number: [{results}/summary.csv]({results}/summary.csv)."
    )));
    out
}

/// The sentences a workload that is told rather than tabled contributes: the
/// seeds' two lessons in this run's CPython numbers, or what the blocking task
/// did to the requests' latency. Each starts with a link to its section.
fn told_lines(workload: &WorkloadReport, report: &Report, results: &str) -> Vec<String> {
    let (title, lines) = match workload.workload.as_str() {
        "seeds" => (
            "The blog posts' own programs in CPython here",
            crate::seeds::lessons(&crate::seeds::pairs(workload, &report.experiments)),
        ),
        _ => (
            "One task that does not yield",
            crate::blocking::sentences(&crate::blocking::groups(workload)),
        ),
    };
    if lines.is_empty() {
        return Vec::new();
    }
    let link = format!("[{title}]({results}/README.md#{})", workload.workload);
    vec![format!("{link}: {}", lines.join(" "))]
}

fn heading(family: Family) -> &'static str {
    match family {
        Family::Python => "CPython",
        other => other.name(),
    }
}

/// Where, when and how the run was measured, and whether every answer was right.
fn intro(report: &Report) -> String {
    let (machine, params) = (&report.machine, &report.params);
    let mut text = String::new();
    if params.quick == Some(true) {
        text.push_str("**Quick run**: few runs, to check the pipeline; do not draw conclusions. ");
    }
    text.push_str(&measured_by("scripts/compare.sh", machine));
    text.push_str(&run_phrase(params));
    if let Some(idle) = params.idle.as_ref().or(machine.idle.as_ref()) {
        let _ = write!(text, "; idle CPUs: {idle}");
    }
    text.push_str(". ");
    text.push_str(&checks_sentence(report));
    let _ = write!(text, " Speed-ups are against `{SEQ}` in the same run.");
    text
}

/// `: median of 10 runs of the whole process, in 5 rounds after 1 warmup`.
fn run_phrase(params: &Params) -> String {
    let Some(runs) = params.runs else {
        return ": median wall time of the whole process".to_string();
    };
    let mut text = format!(": median of {runs} runs of the whole process");
    if let Some(rounds) = params.rounds.filter(|&rounds| rounds > 1) {
        let _ = write!(text, ", in {rounds} rounds");
    }
    if let Some(warmup) = params.warmup {
        let _ = write!(text, " after {warmup} warmup");
    }
    text
}

/// Whether every answer was checked and right, naming the variants that were not.
fn checks_sentence(report: &Report) -> String {
    let named = |wanted: &dyn Fn(&Row) -> bool| -> Vec<String> {
        report
            .workloads
            .iter()
            .flat_map(|workload| {
                workload
                    .rows
                    .iter()
                    .filter(|row| wanted(row))
                    .map(|row| format!("`{}` {}", workload.workload, row.variant))
            })
            .collect()
    };
    let wrong = named(&|row| row.check() == Check::WrongAnswer);
    let unchecked = named(&|row| row.checksum_agrees.is_none());
    let twice = named(&|row| row.check() == Check::ConvertsTwice);
    let mut text = if wrong.is_empty() && unchecked.is_empty() {
        format!("Every answer was checked and every checksum agreed with `{SEQ}`'s")
    } else {
        let mut parts = Vec::new();
        if !wrong.is_empty() {
            parts.push(format!("✗ wrong answer: {}", wrong.join(", ")));
        }
        if !unchecked.is_empty() {
            parts.push(format!("not checked (no record): {}", unchecked.join(", ")));
        }
        parts.join("; ")
    };
    match twice.len() {
        0 => {}
        1 => {
            text.push_str("; one variant converted keys twice, which `convert`'s rule forbids (✗)")
        }
        count => {
            let _ = write!(
                text,
                "; {count} variants converted keys twice, which `convert`'s rule forbids (✗)"
            );
        }
    }
    text.push('.');
    text
}

/// The workload's name and, where the run says, its size in words.
fn workload_cell(workload: &WorkloadReport, report: &Report) -> String {
    let name = workload.workload.as_str();
    let parameters = workload.parameters.as_deref().unwrap_or("");
    let seq = workload.seq().and_then(|row| row.record.as_ref());
    let worker = workload
        .rows
        .iter()
        .filter(|row| !row.is_seq())
        .find_map(|row| row.record.as_ref());
    let mut size = Vec::new();
    match name {
        "squares" => {
            size.extend(
                seq.and_then(|seq| seq.tasks)
                    .map(|tasks| format!("{tasks} tasks")),
            );
            size.extend(
                option(parameters, "--start").map(|n| format!("n from {}", power_of_ten(n))),
            );
        }
        "range-sum" => {
            size.extend(option(parameters, "--end").map(|end| format!("0..{}", power_of_ten(end))));
            let parts = option(parameters, "--parts").or(seq.and_then(|seq| seq.tasks));
            size.extend(parts.map(|parts| format!("{parts} parts")));
        }
        DOWNLOAD => {
            size.extend(
                seq.and_then(|seq| seq.requests)
                    .map(|n| format!("{} pages", grouped(n))),
            );
            size.extend(
                report
                    .params
                    .latency_ms
                    .map(|ms| format!("{} latency", duration_short_ms(ms))),
            );
        }
        CONVERT => {
            size.extend(
                seq.and_then(|seq| seq.requests)
                    .map(|n| format!("{} requests", grouped(n))),
            );
            let cost = seq
                .and_then(|seq| seq.cost_us)
                .or(option(parameters, "--cost-us"));
            size.extend(
                cost.map(|us| format!("{} lookups", duration_short_ms(us as f64 / 1000.0))),
            );
            size.extend(
                worker
                    .and_then(|record| record.workers)
                    .map(|n| format!("{n} callers")),
            );
        }
        _ => {}
    }
    if size.is_empty() {
        format!("`{name}`")
    } else {
        format!("`{name}` ({})", size.join(", "))
    }
}

/// Milliseconds as a short duration: `50.0` -> `"50 ms"`, `1.0` -> `"1 ms"`.
fn duration_short_ms(ms: f64) -> String {
    duration_short(ms / 1000.0)
}

/// The whole-number value of `--name VALUE` in a workload's parameters.
fn option(parameters: &str, name: &str) -> Option<u64> {
    let mut words = parameters.split_whitespace();
    words.find(|word| *word == name)?;
    words.next()?.parse().ok()
}

/// One model's variants of one workload, fastest first:
/// `scoped 382 ms (2.05×), rayon 395 ms (1.98×)`; `–` when it has none.
fn model_cell(workload: &WorkloadReport, family: Family) -> String {
    let rows: Vec<&Row> = workload
        .rows
        .iter()
        .filter(|row| row.family() == family)
        .collect();
    let entries: Vec<String> = rows.iter().map(|row| entry(row, rows.len() > 1)).collect();
    if entries.is_empty() {
        "–".to_string()
    } else {
        table_cell(&entries.join(", "))
    }
}

/// `scoped 382 ms (2.05×)`, `` `--workers 5` 1.63 s (4.96×, ideal 1.60 s) ``,
/// `racy 144 ms (7.03×, ✗ converts twice)`; `seq` itself shows only its median
/// (and its ideal, for a waiting workload). Among `siblings`, a variant named
/// only by its model is told apart by its workers (`2 workers 4.07 s`).
fn entry(row: &Row, siblings: bool) -> String {
    let mut notes = Vec::new();
    if !row.is_seq()
        && let Some(speedup) = row.speedup_vs_seq
    {
        notes.push(factor(speedup));
    }
    // A waiting workload is about how close concurrency gets to its bound.
    if let Some(ideal) = row.ideal.filter(|ideal| ideal.rule == IdealRule::Latency) {
        notes.push(format!("ideal {}", duration(ideal.seconds)));
    }
    notes.extend(row.check().failure().map(str::to_string));
    let mut label = label(row);
    if label.is_empty()
        && siblings
        && let Some(workers) = row.record.as_ref().and_then(|record| record.workers)
    {
        label = format!("{workers} workers");
    }
    let mut text = if label.is_empty() {
        duration(row.timing.median)
    } else {
        format!("{label} {}", duration(row.timing.median))
    };
    if !notes.is_empty() {
        let _ = write!(text, " ({})", notes.join(", "));
    }
    text
}

/// The variant's name without its model, which the column already says, and with
/// its options as code: `threads scoped --gil` -> ``scoped `--gil` ``, `procs` -> ``.
fn label(row: &Row) -> String {
    let variant = row.variant.as_str();
    let model = row
        .record
        .as_ref()
        .and_then(|record| record.model.as_deref())
        .unwrap_or_else(|| variant.split_whitespace().next().unwrap_or(variant));
    let rest = if row.family() == Family::Python {
        // Several CPython models share the column: keep the part that tells them apart.
        variant.strip_prefix("python-").unwrap_or(variant)
    } else {
        variant
            .strip_prefix(model)
            .filter(|rest| rest.is_empty() || rest.starts_with(' '))
            .unwrap_or(variant)
    };
    let rest = rest.trim();
    match rest.find("--") {
        Some(0) => format!("`{rest}`"),
        Some(at) => format!("{} `{}`", rest[..at].trim_end(), &rest[at..]),
        None => rest.to_string(),
    }
}

/// Prose wrapped at [`LINE_WIDTH`] on spaces (a word longer than a line stays whole).
fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|word| !word.is_empty()) {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > LINE_WIDTH {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{HyperfineResult, Record};

    fn row(variant: &str, model: &str) -> Row {
        let record = Record {
            model: Some(model.to_string()),
            ..Record::default()
        };
        Row {
            speedup_vs_seq: Some(2.0),
            checksum_agrees: Some(true),
            ..Row::for_test(
                HyperfineResult::for_test(variant, 0.5, 0.5, None),
                Some(record),
            )
        }
    }

    /// Labels drop the model the column names and set options as code.
    #[test]
    fn labels_drop_the_model_and_quote_options() {
        assert_eq!(
            label(&row("threads scoped --gil", "threads")),
            "scoped `--gil`"
        );
        assert_eq!(
            label(&row("threads --workers 5", "threads")),
            "`--workers 5`"
        );
        assert_eq!(label(&row("procs", "procs")), "");
        assert_eq!(
            label(&row("async current-thread racy", "async")),
            "current-thread racy"
        );
        assert_eq!(label(&row("python-threads", "python-threads")), "threads");
        assert_eq!(label(&row("threadsafe", "threads")), "threadsafe");
    }

    /// An entry is the label, the median and its speedup, plus what failed.
    #[test]
    fn entries_carry_speedup_and_failures() {
        assert_eq!(
            entry(&row("threads rayon", "threads"), true),
            "rayon 500 ms (2.00×)"
        );
        let mut racy = row("threads racy", "threads");
        racy.rule_kept = Some(false);
        assert_eq!(entry(&racy, true), "racy 500 ms (2.00×, ✗ converts twice)");
        let mut seq = row(SEQ, SEQ);
        seq.speedup_vs_seq = Some(1.0);
        assert_eq!(entry(&seq, false), "500 ms");
        let mut procs = row("procs", "procs");
        procs.record = Some(Record {
            workers: Some(2),
            ..Record::default()
        });
        assert_eq!(entry(&procs, false), "500 ms (2.00×)");
        assert_eq!(entry(&procs, true), "2 workers 500 ms (2.00×)");
    }

    /// Parameters are read as whole numbers after their option.
    #[test]
    fn options_are_read_from_parameters() {
        let parameters = "--start 50000000 --count 20";
        assert_eq!(option(parameters, "--start"), Some(50_000_000));
        assert_eq!(option(parameters, "--count"), Some(20));
        assert_eq!(option(parameters, "--end"), None);
        assert_eq!(option("--preset realpython", "--preset"), None);
    }

    /// Prose wraps at 80 characters on spaces, keeping every word.
    #[test]
    fn prose_wraps() {
        let long = "word ".repeat(30);
        let wrapped = wrap(&long);
        assert!(wrapped.lines().all(|line| line.len() <= LINE_WIDTH));
        assert_eq!(wrapped.split_whitespace().count(), 30);
        assert_eq!(wrap("a b"), "a b\n");
    }
}
