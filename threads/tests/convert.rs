//! The threads model on `convert`: many threads sharing one cache, where the
//! cache strategies differ.

use concur_testkit::{
    assert_garbage_file_rejected, assert_small_capacity_evicts, assert_usage_error,
    cache_strategies, convert_fields,
};
use concur_threads::{MODEL, Options, run};
use serde_json::{Map, Value};

const BIN: &str = env!("CARGO_BIN_EXE_concur-threads");

/// Runs `convert` with space-separated `args` in this process, verified.
fn convert(args: &str) -> Map<String, Value> {
    convert_fields::<Options>(MODEL, run, args)
}

/// Every strategy on both engines, with 1 and 8 workers, gives the reference
/// outputs and one checksum.
#[test]
fn every_strategy_matches_reference() {
    let mut checksums = Vec::new();
    for cache in cache_strategies() {
        for engine in ["scoped", "rayon"] {
            for workers in [1, 8] {
                let f = convert(&format!(
                    "--requests 2000 --distinct 30 --cost-us 20 --cache {cache} \
                     --engine {engine} --workers {workers}"
                ));
                assert_eq!(f["requests"], 2000);
                checksums.push(f["checksum"].clone());
            }
        }
    }
    assert!(checksums.windows(2).all(|w| w[0] == w[1]), "{checksums:?}");
}

/// With 8 threads on a stream of few, hot keys and a lookup long enough for
/// callers to pile up on it, `locked`, `single-flight` and `moka` with an
/// unbounded cache look every key up exactly once (sleep and spin costs).
#[test]
fn no_duplicates_under_contention() {
    for cache in ["locked", "single-flight", "moka"] {
        for (kind, cost) in [("sleep", 2000), ("spin", 300)] {
            let f = convert(&format!(
                "--requests 800 --distinct 16 --cost-us {cost} --cost-kind {kind} \
                 --cache {cache} --workers 8 --capacity 0"
            ));
            assert_eq!(f["conversions"], f["keys"], "{cache} {kind}");
            assert_eq!(f["duplicates"], 0, "{cache} {kind}");
        }
    }
}

/// `racy` really races: 8 threads asking for one key while its 50 ms lookup
/// runs all miss and all convert it.
#[test]
fn racy_duplicates_under_contention() {
    let f = convert(
        "--requests 16 --distinct 1 --invalid-per-mille 0 --cost-us 50000 --cache racy --workers 8",
    );
    assert!(f["duplicates"].as_u64().unwrap() > 0, "{f:?}");
}

/// A small LRU evicts under concurrency too, and every output stays right.
#[test]
fn small_capacity_evicts() {
    assert_small_capacity_evicts(convert);
}

/// Garbage lines are rejected outcomes; --gil makes no sense for convert,
/// --route belongs to procs.
#[test]
fn garbage_file_and_usage_errors() {
    assert_garbage_file_rejected(BIN, &["--workers", "8"]);
    assert_usage_error(BIN, &["convert", "--gil"], "--gil");
    assert_usage_error(BIN, &["convert", "--route", "by-key"], "--route");
}
