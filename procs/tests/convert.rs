//! The process pool on `convert`, end to end through the binary: one cache
//! per process, duplicates decided by the route.

use concur_testkit::{
    assert_garbage_file_rejected, assert_usage_error, cache_strategies, run_binary,
};
use serde_json::Value;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_concur-procs");
const LIMIT: Duration = Duration::from_secs(60);

/// Runs `concur-procs convert` with space-separated `args`; its record.
fn convert(args: &str) -> Value {
    let args: Vec<&str> = ["convert"]
        .into_iter()
        .chain(args.split_whitespace())
        .collect();
    let out = run_binary(BIN, &args, LIMIT);
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    out.record()
}

/// Every strategy on both routes gives the reference outputs (the binary
/// verifies each one) and one checksum, and counts the workers' memory.
#[test]
fn every_strategy_matches_reference() {
    let mut checksums = Vec::new();
    for cache in cache_strategies() {
        for route in ["round-robin", "by-key"] {
            let record = convert(&format!(
                "--requests 1000 --distinct 30 --cost-us 20 --cache {cache} --route {route} \
                 --workers 3"
            ));
            assert_eq!(record["route"], route);
            assert!(record["peak_rss_kib"].as_u64().unwrap() > 1024 * 4);
            checksums.push(record["checksum"].clone());
        }
    }
    assert!(checksums.windows(2).all(|w| w[0] == w[1]), "{checksums:?}");
}

/// With 8 workers on few, hot keys: `by-key` looks every key up exactly once
/// (each key has one owner), whatever the in-process cache; `round-robin`
/// looks a key up once in every process that sees it.
#[test]
fn by_key_has_no_duplicates() {
    for cache in ["racy", "locked", "single-flight", "moka"] {
        let args = |route| {
            format!(
                "--requests 800 --distinct 16 --cost-us 200 --cache {cache} --workers 8 \
                 --capacity 0 --route {route}"
            )
        };
        let by_key = convert(&args("by-key"));
        assert_eq!(by_key["conversions"], by_key["keys"], "{cache}");
        assert_eq!(by_key["duplicates"], 0, "{cache}");
        let round_robin = convert(&args("round-robin"));
        assert!(round_robin["duplicates"].as_u64().unwrap() > 0, "{cache}");
    }
}

/// A small per-process LRU evicts, and every output stays right.
#[test]
fn small_capacity_evicts() {
    for cache in &cache_strategies()[1..] {
        let record = convert(&format!(
            "--requests 2000 --distinct 300 --cost-us 0 --cache {cache} --capacity 8 --workers 2"
        ));
        assert!(record["evictions"].as_u64().unwrap() > 0, "{cache}");
    }
}

/// A failing worker still fails a convert job, naming the worker.
#[test]
fn failing_worker_fails_convert() {
    let args = "convert --requests 50 --cost-us 0 --fault kill --workers 2";
    let out = run_binary(BIN, &args.split_whitespace().collect::<Vec<_>>(), LIMIT);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("worker 0 (pid "), "{}", out.stderr);
}

/// Garbage lines are rejected outcomes; --route is for convert only.
#[test]
fn garbage_file_and_usage_errors() {
    assert_garbage_file_rejected(BIN, &["--route", "by-key", "--workers", "3"]);
    assert_garbage_file_rejected(BIN, &["--route", "round-robin", "--workers", "3"]);
    assert_usage_error(BIN, &["squares", "--route", "by-key"], "--route");
    assert_usage_error(BIN, &["convert", "--route", "sideways"], "--route");
}
