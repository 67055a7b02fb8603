//! The process pool on small CPU jobs, end to end through the binary (tests
//! never fork from the multi-threaded test harness itself).

use concur_testkit::{assert_common_usage_errors, assert_usage_error, run_binary};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_concur-procs");
const LIMIT: Duration = Duration::from_secs(60);

/// 1, 3 and 8 workers give the reference answer on both CPU workloads, no more
/// workers are forked than there are tasks, and the record counts the workers'
/// memory on top of the parent's.
#[test]
fn pool_matches_reference() {
    for workers in ["1", "3", "8"] {
        for (job, checksum, tasks) in [
            (&["squares", "--start", "10", "--count", "3"][..], "1176", 3),
            (&["range-sum", "--end", "1000", "--parts", "9"], "499500", 9),
        ] {
            let args: Vec<&str> = job.iter().chain(&["--workers", workers]).copied().collect();
            let out = run_binary(BIN, &args, LIMIT);
            assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
            let record = out.record();
            assert_eq!(record["checksum"], checksum, "{args:?}");
            let started = workers.parse::<u64>().unwrap().min(tasks);
            assert_eq!(record["workers"], started, "{args:?}");
            assert_eq!(record["concurrency"], started, "{args:?}");
            // Each worker is a process of its own, so the job's peak is above
            // any single process's (a few MiB each).
            assert!(record["peak_rss_kib"].as_u64().unwrap() > 1024 * (1 + started));
        }
    }
}

/// The record's CPU time counts the workers' CPU (they do all the work), not
/// only the parent's: 4 tasks of 40 million iterations are about 80 ms of
/// CPU at 0.5 ns an iteration, of which the parent spends next to none.
#[test]
fn cpu_time_counts_the_workers() {
    let args = [
        "squares",
        "--start",
        "40000000",
        "--count",
        "4",
        "--workers",
        "2",
    ];
    let out = run_binary(BIN, &args, LIMIT);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let record = out.record();
    let user_ms = record["cpu_ms"]["user"].as_f64().unwrap();
    assert!(user_ms > 20.0, "{record}");
}

/// -v names each worker's tasks on stderr.
#[test]
fn verbose_lines_name_workers() {
    let out = run_binary(
        BIN,
        &[
            "squares",
            "--count",
            "4",
            "--start",
            "100",
            "--workers",
            "2",
            "-v",
        ],
        LIMIT,
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(
        out.stderr
            .lines()
            .filter(|l| l.starts_with("worker "))
            .count(),
        4,
        "{}",
        out.stderr
    );
}

/// A worker that exits, is killed or sends garbage makes the parent exit 1
/// with a message naming the worker and how it ended.
#[test]
fn failing_worker_fails_the_job() {
    for (fault, how) in [
        ("exit", "exited with status 3"),
        ("kill", "killed by SIGKILL"),
        ("garbage", "unreadable reply"),
    ] {
        let out = run_binary(
            BIN,
            &[
                "squares", "--count", "6", "--start", "1000", "--fault", fault,
            ],
            LIMIT,
        );
        assert_eq!(out.code, Some(1), "{fault}: {}", out.stderr);
        assert!(
            out.stderr.contains("worker 0 (pid "),
            "{fault}: {}",
            out.stderr
        );
        assert!(out.stderr.contains(how), "{fault}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "no record for a failed job");
    }
}

/// Bad input exits 2 with one line, before any worker is forked.
#[test]
fn bad_input_is_usage_error() {
    assert_common_usage_errors(BIN);
    assert_usage_error(BIN, &["squares", "--workers", "0"], "--workers");
    assert_usage_error(BIN, &["squares", "--engine", "rayon"], "--engine");
    assert_usage_error(BIN, &["squares", "--fault", "melt"], "--fault");
}
