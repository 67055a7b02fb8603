//! The `sleep` checks every model must pass, run through its binary: small
//! task counts and short waits, so a whole battery takes about a second.

use crate::{LIMIT, assert_usage_error, run_binary};
use serde_json::Value;

/// Runs `sleep --tasks N --wait-ms L` plus `variant` and checks the record:
/// exit 0, checksum N (every wait completed), `tasks`, `wait_ms`, an
/// `ideal_ms` of `rounds` waits, no errors, and an elapsed time no shorter
/// than that ideal (a lower bound the waits themselves guarantee, not a
/// timing). Returns the record for the model's own checks.
pub fn every_wait_completes(
    bin: &str,
    tasks: u64,
    wait_ms: u64,
    rounds: u64,
    variant: &[&str],
) -> Value {
    let (tasks_arg, wait_arg) = (tasks.to_string(), wait_ms.to_string());
    let mut args = vec!["sleep", "--tasks", &tasks_arg, "--wait-ms", &wait_arg];
    args.extend_from_slice(variant);
    let out = run_binary(bin, &args, LIMIT);
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    let record = out.record();
    assert_eq!(record["workload"], "sleep", "{record}");
    assert_eq!(record["checksum"], tasks.to_string(), "{args:?}: {record}");
    assert_eq!(record["tasks"], tasks, "{record}");
    assert_eq!(record["wait_ms"], wait_ms, "{record}");
    assert_eq!(record["errors"], 0, "{record}");
    // Kernel memory beside peak RSS: every process has some page tables.
    let page_tables = record["page_tables_kib"].as_u64();
    assert!(page_tables.is_some_and(|kib| kib > 0), "{record}");
    let ideal = (rounds * wait_ms) as f64;
    assert_eq!(
        record["ideal_ms"].as_f64(),
        Some(ideal),
        "{args:?}: {record}"
    );
    let elapsed = record["elapsed_ms"].as_f64().expect("elapsed_ms");
    assert!(elapsed >= ideal, "{args:?}: {elapsed} ms < {ideal} ms");
    assert!(record["peak_rss_kib"].as_u64().is_some_and(|kib| kib > 0));
    assert!(out.stderr.is_empty(), "{args:?}: {}", out.stderr);
    record
}

/// `-v` prints one line per task on stderr, naming the task and the wait.
pub fn verbose_names_every_task(bin: &str, variant: &[&str]) {
    let mut args = vec!["sleep", "--tasks", "5", "--wait-ms", "1", "-v"];
    args.extend_from_slice(variant);
    let out = run_binary(bin, &args, LIMIT);
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    for task in 0..5 {
        let needle = format!("task {task} waited 1 ms");
        assert!(out.stderr.contains(&needle), "{needle}: {}", out.stderr);
    }
}

/// Out-of-range and malformed --tasks and --wait-ms are usage errors.
pub fn bad_input_is_usage_error(bin: &str) {
    let cases: &[(&[&str], &str)] = &[
        (&["sleep", "--tasks", "0"], "--tasks"),
        (&["sleep", "--tasks", "-1"], "--tasks"),
        (&["sleep", "--tasks", "1000001"], "--tasks"),
        (&["sleep", "--tasks", "many"], "--tasks"),
        (&["sleep", "--wait-ms", "60001"], "--wait-ms"),
        (&["sleep", "--wait-ms", "-1"], "--wait-ms"),
        (&["sleep", "--wait-ms", "1.5"], "--wait-ms"),
    ];
    for (args, needle) in cases {
        assert_usage_error(bin, args, needle);
    }
}
