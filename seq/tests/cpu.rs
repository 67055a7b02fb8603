//! The baseline on small CPU jobs, in process and as a binary.

use concur_seq::{MODEL, Options, run};
use concur_testkit::{assert_common_usage_errors, assert_usage_error, run_binary, run_model};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_concur-seq");

/// Both CPU workloads give the reference answer.
#[test]
fn cpu_workloads_match_reference() {
    for args in [
        &["squares", "--start", "1000", "--count", "7"][..],
        &["range-sum", "--end", "100001", "--parts", "7"],
    ] {
        let (outcome, verified) = run_model::<Options>(MODEL, run, args).unwrap();
        assert_eq!((outcome.workers, outcome.concurrency), (1, 1));
        assert_eq!(verified.errors, 0);
    }
}

/// The binary prints the contract's record as its last stdout line.
#[test]
fn binary_prints_record() {
    let out = run_binary(
        BIN,
        &["range-sum", "--end", "1000", "--parts", "3", "-v"],
        Duration::from_secs(30),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let record = out.record();
    assert_eq!(record["model"], "seq");
    assert_eq!(record["workload"], "range-sum");
    assert_eq!(record["checksum"], "499500");
    assert_eq!(record["tasks"], 3);
    assert!(record["peak_rss_kib"].as_u64().unwrap() > 0);
    assert_eq!(out.stderr.lines().count(), 3, "-v prints one line per task");
}

/// Bad input is a one-line usage error with exit status 2, including options
/// only other models have.
#[test]
fn bad_input_is_usage_error() {
    assert_common_usage_errors(BIN);
    assert_usage_error(BIN, &["squares", "--workers", "2"], "--workers");
}
