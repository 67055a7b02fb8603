//! `sleep` on the process pool, through the binary (tests never fork from
//! the multi-threaded test harness itself).

use concur_testkit::limits::assert_refused_process_is_one_line_error;
use concur_testkit::run_binary;
use concur_testkit::sleep::{
    bad_input_is_usage_error, every_wait_completes, verbose_names_every_task,
};
use serde_json::Value;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_concur-procs");

/// `pss_kib` is present and positive where this kernel has smaps_rollup,
/// and absent where it has not.
fn assert_pss(record: &Value) {
    if std::path::Path::new("/proc/self/smaps_rollup").exists() {
        assert!(
            record["pss_kib"].as_u64().is_some_and(|kib| kib > 0),
            "{record}"
        );
    } else {
        assert!(record.get("pss_kib").is_none(), "{record}");
    }
}

/// Eight workers for forty tasks take five rounds; every wait completes.
#[test]
fn workers_take_tasks_in_turn() {
    let record = every_wait_completes(BIN, 40, 20, 5, &["--workers", "8"]);
    assert_eq!(record["concurrency"], 8, "{record}");
    assert_pss(&record);
}

/// A thousand worker processes, one per task, start and finish, and their
/// PSS counts the pages they share with the parent once, where their summed
/// peak RSS counts them once per worker.
#[test]
fn process_per_task_for_a_thousand() {
    let record = every_wait_completes(BIN, 1000, 50, 1, &["--workers", "1000"]);
    assert_eq!(record["workers"], 1000, "{record}");
    assert_pss(&record);
    if let Some(pss) = record["pss_kib"].as_u64() {
        let peak = record["peak_rss_kib"].as_u64().expect("peak_rss_kib");
        assert!(pss < peak, "{record}");
    }
}

/// `-v` names every task.
#[test]
fn verbose_names_tasks() {
    verbose_names_every_task(BIN, &["--workers", "2"]);
}

/// Bad --tasks and --wait-ms exit 2 with one line.
#[test]
fn bad_input_is_usage_error_() {
    bad_input_is_usage_error(BIN);
}

/// A process per task past the room the OS gives exits 1 with one line
/// naming the process limits.
#[test]
fn refused_fork_is_one_line_error() {
    assert_refused_process_is_one_line_error(
        BIN,
        &[&["sleep", "--tasks", "1000", "--wait-ms", "1000"]],
    );
}

/// With a hard limit of 100 open files, which the pool cannot raise, the
/// pipe that does not fit ends the run with one line naming `ulimit -n`.
#[test]
fn refused_pipe_is_one_line_error() {
    let prlimit = std::process::Command::new("prlimit")
        .arg("--version")
        .output();
    if !prlimit.is_ok_and(|out| out.status.success()) {
        eprintln!("skipped: `prlimit` (util-linux) is not installed");
        return;
    }
    let args = [
        "--nofile=100:100",
        "--",
        BIN,
        "sleep",
        "--tasks",
        "1000",
        "--wait-ms",
        "1000",
        "--workers",
        "1000",
    ];
    let run = run_binary("prlimit", &args, Duration::from_secs(10));
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with("error: cannot start process "),
        "{}",
        lines[0]
    );
    for needle in [" of 1000: ", "ulimit -n", "--workers"] {
        assert!(lines[0].contains(needle), "{needle}: {}", lines[0]);
    }
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}
