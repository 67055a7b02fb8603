//! Where and how the run was measured: the provenance line at the top of the page
//! and the machine and run section at its end.
//!
//! `idle` and `python` may come from either `params.json` or `machine.json`
//! (compare.sh writes both); `params.json` wins, as the run's own record of itself.
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use crate::format::{duration, table_cell};
use crate::input::{Machine, Params};
use crate::provenance::measured_by;

/// One line: which machine, when, at which commit, how many runs.
pub(super) fn provenance(machine: &Machine, params: &Params) -> String {
    let mut line = measured_by("scripts/compare.sh", machine);
    let rounds =
        split_rounds(params).map_or_else(String::new, |rounds| format!(" in {rounds} rounds"));
    if let Some(runs) = params.runs {
        let _ = write!(line, ", {runs} timed runs per variant{rounds}");
        if let Some(warmup) = params.warmup {
            let _ = write!(line, " after {warmup} warmup");
        }
    }
    line.push('.');
    line
}

/// `## Machine`: the machine's table, the run's parameters, and a line when the
/// Python variants were skipped.
pub(super) fn section(machine: &Machine, params: &Params) -> String {
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
        let _ = writeln!(out, "| {key} | {} |", table_cell(&value));
    }
    if let Some(python) = params.python.as_ref().or(machine.python.as_ref()) {
        let _ = writeln!(out, "| CPython | {} |", table_cell(python));
    }
    if let Some(run) = run_description(params) {
        let _ = writeln!(out, "| run | {run} |");
    }
    if let Some(idle) = params.idle.as_ref().or(machine.idle.as_ref()) {
        let _ = writeln!(out, "| idle CPUs | {} |", table_cell(idle));
    }
    out.push('\n');
    if let Some(reason) = &params.python_skipped {
        let _ = writeln!(
            out,
            "The Python variants (`python-*`) were skipped: {}.\n",
            reason.trim_end_matches('.')
        );
    }
    out
}

/// Runs, rounds, warmup, latency, quick: what the run row says.
fn run_description(params: &Params) -> Option<String> {
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
    (!run.is_empty()).then(|| run.join(", "))
}

/// The number of rounds when the runs were split into more than one.
fn split_rounds(params: &Params) -> Option<u64> {
    params.rounds.filter(|&rounds| rounds > 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CPython, idle CPUs and skipped Python variants are shown when the run recorded them.
    #[test]
    fn python_and_idle_are_shown_when_present() {
        let machine = Machine {
            python: Some("Python 3.11.2".to_string()),
            idle: Some("halt".to_string()),
            ..Machine::default()
        };
        let out = section(&machine, &Params::default());
        assert!(out.contains("| CPython | Python 3.11.2 |\n"), "{out}");
        assert!(out.contains("| idle CPUs | halt |\n"), "{out}");
        assert!(!out.contains("skipped"));

        let params = Params {
            python: Some("Python 3.12.3".to_string()),
            python_skipped: Some("no python3 on PATH".to_string()),
            ..Params::default()
        };
        let out = section(&Machine::default(), &params);
        assert!(out.contains("| CPython | Python 3.12.3 |\n"), "{out}");
        assert!(
            out.contains("The Python variants (`python-*`) were skipped: no python3 on PATH.\n")
        );
        let out = section(&Machine::default(), &Params::default());
        assert!(!out.contains("CPython") && !out.contains("idle CPUs"));
    }
}
