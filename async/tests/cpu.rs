//! The async model on small CPU jobs, on both runtimes.

use concur_async::{MODEL, Options, run};
use concur_testkit::{assert_common_usage_errors, assert_usage_error, run_binary, run_model};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_concur-async");

/// Both runtimes give the reference answer on both CPU workloads.
#[test]
fn both_runtimes_match_reference() {
    for runtime in [
        &["--runtime", "current-thread"][..],
        &["--runtime", "multi-thread", "--workers", "3"],
    ] {
        for job in [
            &["squares", "--start", "20000", "--count", "5"][..],
            &["range-sum", "--end", "300001", "--parts", "7"],
        ] {
            let args: Vec<&str> = job.iter().chain(runtime).copied().collect();
            let (outcome, verified) = run_model::<Options>(MODEL, run, &args)
                .unwrap_or_else(|e| panic!("{args:?}: {e:#}"));
            assert_eq!(verified.errors, 0);
            let expected_threads = if runtime[1] == "current-thread" { 1 } else { 3 };
            assert_eq!(outcome.workers, expected_threads);
            assert_eq!(outcome.fields["runtime"], runtime[1]);
        }
    }
}

/// No more executor threads are started than there are tasks: 1000 workers on
/// 4 tasks start 4, and the record says so.
#[test]
fn no_more_threads_than_tasks() {
    let args = [
        "squares",
        "--start",
        "20000",
        "--count",
        "4",
        "--workers",
        "1000",
    ];
    let (outcome, _) = run_model::<Options>(MODEL, run, &args).expect("a run");
    assert_eq!((outcome.workers, outcome.concurrency), (4, 4));
}

/// The binary reports its runtime in the record.
#[test]
fn binary_prints_record() {
    let out = run_binary(
        BIN,
        &[
            "range-sum",
            "--end",
            "1000",
            "--parts",
            "4",
            "--runtime",
            "current-thread",
        ],
        Duration::from_secs(30),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let record = out.record();
    assert_eq!(record["model"], "async");
    assert_eq!(record["runtime"], "current-thread");
    assert_eq!(record["workers"], 1);
    assert_eq!(record["checksum"], "499500");
}

/// Bad input exits 2 with one line; --workers makes no sense on one thread.
#[test]
fn bad_input_is_usage_error() {
    assert_common_usage_errors(BIN);
    assert_usage_error(BIN, &["squares", "--runtime", "green"], "--runtime");
    assert_usage_error(
        BIN,
        &["squares", "--runtime", "current-thread", "--workers", "2"],
        "--workers",
    );
    assert_usage_error(BIN, &["squares", "--workers", "0"], "--workers");
    assert_usage_error(BIN, &["squares", "--gil"], "--gil");
    assert_usage_error(BIN, &["squares", "--max-in-flight", "2"], "--max-in-flight");
    assert_usage_error(BIN, &["squares", "--http-client", "bare"], "--http-client");
    assert_usage_error(
        BIN,
        &["download", "--url", "http://a/", "--http-client", "curl"],
        "--http-client",
    );
}
