//! `README.md` of a results directory: findings first, then the machine, then how
//! to regenerate.
//!
//! Every number and every name in the page comes from the report; the only fixed
//! text is explanation, so a new run can never leave a stale claim behind.
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use crate::format::{duration, duration_pm, factor, memory_kib};
use crate::ideal::IdealRule;
use crate::input::{Machine, Params};
use crate::summary::SUMMARY_FILE;
use crate::svg;
use crate::table::{Report, Row, SEQ, WorkloadReport};

/// File name of the findings page.
pub const README_FILE: &str = "README.md";

/// Shown in a table cell that has no value.
const NONE: &str = "–";

/// The whole page.
pub fn readme(report: &Report) -> String {
    let mut page = String::from("# concur results\n\n");
    page.push_str(&provenance(&report.machine, &report.params));
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
         each table) and *ratio to ideal* the variant's median over it; *peak RSS* and the \
         checksum come from the binary's own result record (✓: same checksum as `{SEQ}` and \
         no errors). All numbers: [{SUMMARY_FILE}]({SUMMARY_FILE}).\n"
    );
    for workload in &report.workloads {
        page.push_str(&section(workload, &report.machine, &report.params));
    }
    page.push_str(&machine_section(&report.machine, &report.params));
    page.push_str(REGENERATE);
    page
}

/// One line: which machine, when, at which commit, how many runs.
fn provenance(machine: &Machine, params: &Params) -> String {
    let mut line = String::from("Measured on ");
    match &machine.cpu {
        Some(cpu) => {
            let _ = write!(line, "**{cpu}**");
        }
        None => line.push_str("an unrecorded CPU"),
    }
    let mut details = Vec::new();
    if let Some(cores) = machine.cores {
        details.push(format!("{cores} cores"));
    }
    if let Some(memory) = machine.memory_gib {
        details.push(format!("{memory:.1} GiB RAM"));
    }
    if let Some(os) = &machine.os {
        details.push(os.clone());
    }
    if !details.is_empty() {
        let _ = write!(line, " ({})", details.join(", "));
    }
    if let Some(date) = &machine.date {
        let _ = write!(line, " on {date}");
    }
    if let Some(commit) = &machine.commit {
        let _ = write!(line, " at commit `{commit}`");
    }
    let hyperfine = machine.hyperfine.as_deref().map_or_else(
        || "hyperfine".to_string(),
        |version| format!("hyperfine {version}"),
    );
    let rounds =
        split_rounds(params).map_or_else(String::new, |rounds| format!(" in {rounds} rounds"));
    match (params.runs, params.warmup) {
        (Some(runs), Some(warmup)) => {
            let _ = write!(
                line,
                "; {hyperfine}, {runs} timed runs per variant{rounds} after {warmup} warmup"
            );
        }
        (Some(runs), None) => {
            let _ = write!(line, "; {hyperfine}, {runs} timed runs per variant{rounds}");
        }
        _ => {
            let _ = write!(line, "; timed with {hyperfine}");
        }
    }
    line.push('.');
    line
}

fn section(workload: &WorkloadReport, machine: &Machine, params: &Params) -> String {
    let name = &workload.workload;
    let mut out = format!("## {name}\n\n");
    if let Some(parameters) = &workload.parameters {
        let _ = writeln!(out, "Parameters: `{parameters}`\n");
    }
    let _ = writeln!(out, "{}\n", finding(workload));

    out.push_str(
        "| variant | median | mean ± σ | speedup vs seq | ideal | ratio to ideal | peak RSS | checksum agrees |\n\
         |---|--:|--:|--:|--:|--:|--:|:-:|\n",
    );
    for row in &workload.rows {
        out.push_str(&table_row(row));
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
    if let Some(rules) = ideal_rules(workload, machine, params) {
        let _ = writeln!(out, "Ideal: {rules}.\n");
    }
    let whiskers = if workload.rows.iter().any(|row| row.timing.stddev.is_some()) {
        ", whiskers ± 1 σ"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "![{name}: bars are the median wall time per variant{whiskers}]({})\n",
        svg::file_name(name)
    );
    out.push_str(&commands(workload));
    out
}

fn table_row(row: &Row) -> String {
    let timing = &row.timing;
    let record = row.record.as_ref();
    let optional = |value: Option<String>| value.unwrap_or_else(|| NONE.to_string());
    let variant = if row.is_seq() {
        format!("**{}**", cell(&row.variant))
    } else {
        cell(&row.variant)
    };
    let cells = [
        variant,
        duration(timing.median),
        duration_pm(timing.mean, timing.stddev),
        optional(row.speedup_vs_seq.map(factor)),
        optional(row.ideal.map(|ideal| duration(ideal.seconds))),
        optional(row.ratio_to_ideal.map(factor)),
        optional(
            record
                .and_then(|record| record.peak_rss_kib)
                .map(memory_kib),
        ),
        match row.checksum_agrees {
            Some(true) => "✓".to_string(),
            Some(false) => "✗".to_string(),
            None => NONE.to_string(),
        },
    ];
    format!("| {} |\n", cells.join(" | "))
}

/// The generated sentence under each heading: the winner, and whether answers agree.
pub fn finding(workload: &WorkloadReport) -> String {
    let mut line = String::new();
    if let Some(fastest) = workload.fastest() {
        let median = duration(fastest.timing.median);
        let runner_up = workload.rows.get(1);
        match (fastest.is_seq(), runner_up) {
            (true, None) => {
                let _ = write!(line, "Only **{SEQ}** was measured: median {median}.");
            }
            (true, Some(next)) => {
                let _ = write!(
                    line,
                    "**{SEQ} is fastest** at a median of {median}: no concurrent variant beat \
                     the baseline (next: **{}**",
                    next.variant
                );
                if let Some(speedup) = next.speedup_vs_seq {
                    let _ = write!(line, ", {} the speed of {SEQ}", factor(speedup));
                }
                line.push_str(").");
            }
            (false, _) => {
                let _ = write!(line, "**Fastest: {}", winner(fastest));
                if fastest.checksum_agrees == Some(false) {
                    line.push_str(", but its answer is wrong (✗)");
                    let correct = workload
                        .rows
                        .iter()
                        .find(|row| row.checksum_agrees == Some(true));
                    if let Some(correct) = correct {
                        let _ = write!(line, "; fastest correct: **{}", winner(correct));
                    }
                }
                line.push('.');
            }
        }
    }

    let names = |agrees: Option<bool>| {
        workload
            .rows
            .iter()
            .filter(|row| row.checksum_agrees == agrees)
            .map(|row| format!("**{}**", row.variant))
            .collect::<Vec<_>>()
    };
    let (disagree, unchecked) = (names(Some(false)), names(None));
    if !disagree.is_empty() {
        let _ = write!(
            line,
            " ✗ Wrong answer (checksum differs from {SEQ}'s, or errors): {}.",
            disagree.join(", ")
        );
    }
    if unchecked.is_empty() {
        if disagree.is_empty() {
            let _ = write!(line, " All checksums agree with {SEQ} ✓.");
        }
    } else if unchecked.len() == workload.rows.len() {
        line.push_str(" Checksums not checked (no records to compare).");
    } else {
        let _ = write!(
            line,
            " Checksum not checked (no record) for {}.",
            unchecked.join(", ")
        );
    }
    line
}

/// `"name** at a median of 510 ms, 1.96× faster than seq, 1.02× its ideal bound"`
/// (the name is bold: the caller opens the `**`).
fn winner(row: &Row) -> String {
    let mut text = format!(
        "{}** at a median of {}",
        row.variant,
        duration(row.timing.median)
    );
    if row.is_seq() {
        return text;
    }
    match row.speedup_vs_seq {
        Some(speedup) => {
            let _ = write!(text, ", {} faster than {SEQ}", factor(speedup));
        }
        None => {
            let _ = write!(text, " (no {SEQ} baseline measured)");
        }
    }
    if let Some(ratio) = row.ratio_to_ideal {
        let _ = write!(text, ", {} its ideal bound", factor(ratio));
    }
    text
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

/// The exact command line of each variant's record run, folded away.
fn commands(workload: &WorkloadReport) -> String {
    let lines: Vec<String> = workload
        .rows
        .iter()
        .filter_map(|row| {
            let command = row.command.as_ref()?;
            Some(format!(
                "| {} | `{}` |\n",
                cell(&row.variant),
                cell(command)
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

fn machine_section(machine: &Machine, params: &Params) -> String {
    let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "unknown".to_string());
    let rows = [
        ("CPU", text(&machine.cpu)),
        (
            "cores",
            machine
                .cores
                .map_or_else(|| "unknown".to_string(), |cores| cores.to_string()),
        ),
        (
            "memory",
            machine
                .memory_gib
                .map_or_else(|| "unknown".to_string(), |gib| format!("{gib:.1} GiB")),
        ),
        ("kernel", text(&machine.kernel)),
        ("OS", text(&machine.os)),
        ("rustc", text(&machine.rustc)),
        ("hyperfine", text(&machine.hyperfine)),
        ("date", text(&machine.date)),
        ("git commit", text(&machine.commit)),
    ];
    let mut out = String::from("## Machine\n\n| | |\n|---|---|\n");
    for (key, value) in rows {
        let _ = writeln!(out, "| {key} | {} |", cell(&value));
    }
    let mut run = Vec::new();
    if let Some(runs) = params.runs {
        run.push(format!("{runs} timed runs per variant"));
    }
    if let Some(rounds) = split_rounds(params) {
        run.push(format!(
            "in {rounds} rounds (every workload timed once per round)"
        ));
    }
    if let Some(warmup) = params.warmup {
        run.push(format!("{warmup} warmup"));
    }
    if let Some(latency) = params.latency_ms {
        run.push(format!(
            "site server latency {} per request",
            duration(latency / 1000.0)
        ));
    }
    if params.quick == Some(true) {
        run.push("quick run".to_string());
    }
    if !run.is_empty() {
        let _ = writeln!(out, "| run | {} |", run.join(", "));
    }
    if let Some(idle) = &params.idle {
        let _ = writeln!(out, "| idle CPUs | {} |", cell(idle));
    }
    out.push('\n');
    out
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

/// A table cell: `|` would end the cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The number of rounds when the runs were split into more than one.
fn split_rounds(params: &Params) -> Option<u64> {
    params.rounds.filter(|&rounds| rounds > 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{HyperfineResult, Inputs, WorkloadTimings};
    use crate::join::build;

    /// One workload timed without records; each variant is (name, mean, median) in seconds.
    fn workload(variants: &[(&str, f64, f64)]) -> WorkloadReport {
        let results = variants
            .iter()
            .map(|&(command, mean, median)| {
                HyperfineResult::for_test(command, mean, median, Some(0.1))
            })
            .collect();
        let report = build(Inputs {
            params: Params::default(),
            machine: Machine::default(),
            timings: vec![WorkloadTimings {
                workload: "squares".to_string(),
                parameters: None,
                results,
            }],
            records: Vec::new(),
        });
        report
            .workloads
            .into_iter()
            .next()
            .expect("build keeps the one workload")
    }

    /// The findings sentence names the winner by median and quotes medians, whatever
    /// an outlier did to the means.
    #[test]
    fn findings_quote_medians() {
        let unchecked = " Checksums not checked (no records to compare).";
        assert_eq!(
            finding(&workload(&[(SEQ, 1.3, 1.0)])),
            format!("Only **seq** was measured: median 1.00 s.{unchecked}")
        );
        // threads has the lower mean but the higher median.
        assert_eq!(
            finding(&workload(&[(SEQ, 1.3, 1.0), ("threads", 1.0, 1.1)])),
            format!(
                "**seq is fastest** at a median of 1.00 s: no concurrent variant beat the \
                 baseline (next: **threads**, 0.91× the speed of seq).{unchecked}"
            )
        );
        assert_eq!(
            finding(&workload(&[(SEQ, 1.3, 1.0), ("threads", 0.7, 0.5)])),
            format!(
                "**Fastest: threads** at a median of 500 ms, 2.00× faster than seq.{unchecked}"
            )
        );
    }
}
