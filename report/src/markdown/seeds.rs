//! The opening of the `seeds` section: the seeds' table on this machine (one row
//! per experiment, the seed's printed time, CPython's and concur's medians here),
//! whether the answers agree within each experiment group, the seeds' two lessons
//! as this run's numbers state them, and the chart of the pairs.
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use crate::format::{duration, factor, table_cell};
use crate::seeds::{self, GroupCheck, Pair};
use crate::svg;
use crate::table::{Report, Row, WorkloadReport};

/// Shown in a table cell that has no value.
const NONE: &str = "–";

/// Everything of the section before the table of every variant.
pub(super) fn opening(workload: &WorkloadReport, report: &Report) -> String {
    let pairs = seeds::pairs(workload, &report.experiments);
    let python = pairs.iter().any(|pair| pair.python.is_some());
    let mut out = String::from(
        "The seeds' table on this machine: every experiment of the blog posts the project \
         started from, the seed's own CPython program beside the concur variant that does the \
         same job. *seed's time*: what the post printed, on its author's machine; *CPython \
         here*, *concur here*: hyperfine's median wall time of the whole process on this \
         machine; *CPython ÷ concur*: how many times as long CPython took.\n\n",
    );
    if !python {
        let reason = report
            .params
            .python_skipped
            .as_deref()
            .unwrap_or("no CPython variant was timed");
        let _ = writeln!(
            out,
            "CPython was not run here ({reason}): only the concur column is shown.\n"
        );
    }
    if report.params.quick == Some(true) {
        out.push_str(
            "Quick run: the seed's times are for the seeds' own sizes; this run's are for \
             smaller ones and are not comparable with them.\n\n",
        );
    }
    out.push_str(&table(&pairs, python));
    out.push('\n');
    let _ = writeln!(out, "{}\n", answers(&seeds::group_checks(&pairs)));
    if let Some(twice) = converted_twice(&pairs) {
        let _ = writeln!(out, "{twice}\n");
    }
    let lessons = if python {
        seeds::lessons(&pairs)
    } else {
        Vec::new()
    };
    if !lessons.is_empty() {
        out.push_str("The seeds' two lessons, in this run's CPython numbers:\n\n");
        for lesson in &lessons {
            let _ = writeln!(out, "- {lesson}");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "![seeds: for each experiment, the median wall time of the CPython program beside \
         its concur variant's, coloured by model]({})\n",
        svg::file_name(&workload.workload)
    );
    out
}

/// One row per experiment; without CPython, the concur column alone.
fn table(pairs: &[Pair], python: bool) -> String {
    let mut out = if python {
        String::from(
            "| experiment | what it runs | seed's time | CPython here | concur here | CPython ÷ concur |\n\
             |---|---|--:|--:|--:|--:|\n",
        )
    } else {
        String::from(
            "| experiment | what it runs | seed's time | concur here |\n|---|---|--:|--:|\n",
        )
    };
    for pair in pairs {
        let experiment = &pair.experiment;
        let median = |row: &Option<Row>| {
            row.as_ref()
                .map_or_else(|| NONE.to_string(), |row| duration(row.timing.median))
        };
        let mut cells = vec![
            table_cell(&experiment.id),
            experiment
                .description
                .as_deref()
                .map_or_else(|| NONE.to_string(), table_cell),
            experiment
                .seed_seconds
                .map_or_else(|| NONE.to_string(), duration),
        ];
        if python {
            cells.push(median(&pair.python));
        }
        cells.push(median(&pair.concur));
        if python {
            cells.push(pair.ratio().map_or_else(|| NONE.to_string(), factor));
        }
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

/// `**Answers** ...: ✓ `download-realpython-80` (8 variants), ✗ `g` (differs: x).`
fn answers(checks: &[GroupCheck]) -> String {
    let groups: Vec<String> = checks
        .iter()
        .map(|check| {
            let group = format!("`{}`", check.group);
            if !check.disagree.is_empty() {
                format!("✗ {group} (differs: {})", check.disagree.join(", "))
            } else if check.unchecked == check.variants {
                format!("{NONE} {group} (no records)")
            } else if check.unchecked > 0 {
                format!(
                    "✓ {group} ({} variants, {} without a record)",
                    check.variants, check.unchecked
                )
            } else {
                format!("✓ {group} ({} variants)", check.variants)
            }
        })
        .collect();
    format!(
        "**Answers** per experiment group (the same job at the same size: one checksum, no \
         errors): {}.",
        groups.join(", ")
    )
}

/// The experiments whose variants converted a key twice, with their duplicate lookups.
fn converted_twice(pairs: &[Pair]) -> Option<String> {
    let experiments: Vec<String> = pairs
        .iter()
        .filter_map(|pair| {
            let counts: Vec<String> = [("CPython", &pair.python), ("concur", &pair.concur)]
                .into_iter()
                .filter_map(|(side, row)| {
                    let row = row.as_ref().filter(|row| row.rule_kept == Some(false))?;
                    let duplicates = row.record.as_ref()?.duplicates?;
                    Some(format!("{side} {duplicates}"))
                })
                .collect();
            (!counts.is_empty())
                .then(|| format!("`{}` ({})", pair.experiment.id, counts.join(", ")))
        })
        .collect();
    (!experiments.is_empty()).then(|| {
        format!(
            "Keys converted twice (duplicate lookups, which `convert`'s rule forbids): {}.",
            experiments.join(", ")
        )
    })
}
