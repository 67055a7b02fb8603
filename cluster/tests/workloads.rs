//! Every CPU, convert and sleep job on two loopback processes, through the
//! binary, against the checksum seq computes in this process.

use concur_testkit::sleep::{
    bad_input_is_usage_error, every_wait_completes, verbose_names_every_task,
};
use concur_testkit::{assert_common_usage_errors, assert_usage_error, run_binary, run_model};
use serde_json::Value;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_concur-cluster");

/// seq's checksum for `args`.
fn seq_checksum(args: &[&str]) -> String {
    let (_, verified) = run_model::<concur_seq::Options>(concur_seq::MODEL, concur_seq::run, args)
        .expect("seq runs");
    verified.checksum
}

/// Runs the cluster binary on `args` plus `variant` and returns its record.
fn cluster(args: &[&str], variant: &[&str]) -> Value {
    let all: Vec<&str> = args.iter().chain(variant).copied().collect();
    let out = run_binary(BIN, &all, Duration::from_secs(60));
    assert_eq!(out.code, Some(0), "{all:?}: {}", out.stderr);
    out.record()
}

/// squares, range-sum and convert give seq's checksum on 2 processes of 1
/// and of 2 threads, and on 1 process.
#[test]
fn every_job_matches_seq() {
    for job in [
        "squares --start 1000 --count 7",
        "range-sum --end 100001 --parts 7",
        "convert --requests 3000 --distinct 40 --cost-us 0",
    ] {
        let args: Vec<&str> = job.split_whitespace().collect();
        let expected = seq_checksum(&args);
        for (p, t) in [(2, 1), (2, 2), (1, 2)] {
            let variant = format!("--processes {p} --threads {t}");
            let record = cluster(&args, &variant.split_whitespace().collect::<Vec<_>>());
            assert_eq!(
                record["checksum"],
                expected.as_str(),
                "{job} {variant}: {record}"
            );
            assert_eq!(record["model"], "cluster");
            assert_eq!(record["processes"], p, "{record}");
            assert_eq!(record["workers"], p * t, "{record}");
        }
    }
}

/// convert by key converts every key once in all, across processes: no
/// duplicates, as many conversions as keys, and records crossed between them.
#[test]
fn convert_by_key_has_no_duplicates() {
    let args: Vec<&str> = "convert --requests 3000 --distinct 40 --cost-us 50"
        .split_whitespace()
        .collect();
    let record = cluster(&args, &["--processes", "2", "--threads", "2"]);
    assert_eq!(record["duplicates"], 0, "{record}");
    assert_eq!(record["conversions"], record["keys"], "{record}");
    assert_eq!(record["route"], "by-key", "{record}");
    assert!(
        record["records_exchanged"].as_u64().is_some_and(|n| n > 0),
        "{record}"
    );
    assert!(
        record["bytes_exchanged"].as_u64().is_some_and(|n| n > 0),
        "{record}"
    );
    assert!(record["ideal_ms"].as_f64().is_some(), "{record}");
}

/// The record adds the mesh's connect time, and memory of both processes.
#[test]
fn the_record_counts_both_processes() {
    let one = cluster(
        &["squares", "--count", "2"],
        &["--processes", "1", "--threads", "1"],
    );
    let two = cluster(
        &["squares", "--count", "2"],
        &["--processes", "2", "--threads", "1"],
    );
    assert!(
        two["connect_ms"].as_f64().is_some_and(|ms| ms > 0.0),
        "{two}"
    );
    assert_eq!(one["connect_ms"], 0.0, "{one}");
    let rss = |r: &Value| r["peak_rss_kib"].as_u64().expect("peak_rss_kib");
    assert!(
        rss(&two) > rss(&one),
        "two processes, two peaks: {one} {two}"
    );
    assert_eq!(one["bytes_exchanged"], 0, "{one}");
}

/// Two processes of two threads wait 40 tasks at once: one round.
#[test]
fn every_wait_completes_in_one_round() {
    every_wait_completes(BIN, 40, 20, 1, &["--processes", "2", "--threads", "2"]);
    verbose_names_every_task(BIN, &["--processes", "2"]);
    bad_input_is_usage_error(BIN);
}

/// Bad input is a one-line usage error, exit 2.
#[test]
fn bad_input_is_a_usage_error() {
    assert_common_usage_errors(BIN);
    for (args, needle) in [
        (&["squares", "--processes", "0"][..], "--processes"),
        (&["squares", "--processes", "65"], "--processes"),
        (&["squares", "--threads", "0"], "--threads"),
        (&["squares", "--process", "1"], "--hosts"),
        (&["squares", "--hosts", "h"], "--process"),
        (
            &[
                "squares",
                "--hosts",
                "h",
                "--process",
                "0",
                "--processes",
                "2",
            ],
            "--processes",
        ),
        (&["squares", "--peer-timeout-ms", "0"], "--peer-timeout-ms"),
    ] {
        assert_usage_error(BIN, args, needle);
    }
}
