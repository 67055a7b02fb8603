//! The threads model on small CPU jobs, for every engine and the GIL.

use concur_testkit::{assert_common_usage_errors, assert_usage_error, run_binary, run_model};
use concur_threads::{MODEL, Options, run};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_concur-threads");

const VARIANTS: &[&[&str]] = &[
    &["--engine", "scoped"],
    &["--engine", "rayon"],
    &["--gil"],
    &["--gil", "--switch-interval-ms", "0.5"],
];

/// Every engine, with 1, 3 and 8 workers, gives the reference answer on both
/// CPU workloads; with more workers than tasks, one worker per task is started.
#[test]
fn every_variant_matches_reference() {
    for variant in VARIANTS {
        for workers in ["1", "3", "8"] {
            for (job, tasks) in [
                (&["squares", "--start", "20000", "--count", "5"][..], 5),
                (&["range-sum", "--end", "300001", "--parts", "7"], 7),
            ] {
                let args: Vec<&str> = job
                    .iter()
                    .chain(*variant)
                    .chain(&["--workers", workers])
                    .copied()
                    .collect();
                let (outcome, verified) = run_model::<Options>(MODEL, run, &args)
                    .unwrap_or_else(|e| panic!("{args:?}: {e:#}"));
                assert_eq!(verified.errors, 0);
                assert_eq!(
                    outcome.workers,
                    workers.parse::<usize>().unwrap().min(tasks)
                );
                let gil = variant.contains(&"--gil");
                assert_eq!(outcome.fields["gil"], gil);
                if gil {
                    assert_eq!(outcome.concurrency, 1, "the GIL allows one task at a time");
                }
            }
        }
    }
}

/// The binary reports its engine and the GIL in the record.
#[test]
fn binary_prints_record() {
    let out = run_binary(
        BIN,
        &[
            "squares",
            "--start",
            "10",
            "--count",
            "3",
            "--engine",
            "rayon",
            "--workers",
            "2",
        ],
        Duration::from_secs(30),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let record = out.record();
    assert_eq!(record["model"], "threads");
    assert_eq!(record["engine"], "rayon");
    assert_eq!(record["gil"], false);
    assert_eq!(record["workers"], 2);
    assert_eq!(record["checksum"], (285 + 385 + 506).to_string());
}

/// Bad input, and option combinations that make no sense, exit 2 with one line.
#[test]
fn bad_input_is_usage_error() {
    assert_common_usage_errors(BIN);
    assert_usage_error(BIN, &["squares", "--workers", "0"], "--workers");
    assert_usage_error(BIN, &["squares", "--engine", "fibers"], "--engine");
    assert_usage_error(BIN, &["squares", "--gil", "--engine", "rayon"], "--gil");
    assert_usage_error(
        BIN,
        &["squares", "--switch-interval-ms", "1"],
        "--switch-interval-ms",
    );
    assert_usage_error(
        BIN,
        &["squares", "--gil", "--switch-interval-ms", "0"],
        "--switch-interval-ms",
    );
    assert_usage_error(
        BIN,
        &["squares", "--runtime", "current-thread"],
        "--runtime",
    );
}
