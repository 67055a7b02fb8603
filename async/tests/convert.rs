//! The async model on `convert`: caller tasks sharing one cache, on both
//! runtimes.

use concur_async::{MODEL, Options, run};
use concur_testkit::{
    assert_garbage_file_rejected, assert_small_capacity_evicts, assert_usage_error,
    cache_strategies, convert_fields,
};
use serde_json::{Map, Value};

const BIN: &str = env!("CARGO_BIN_EXE_concur-async");
const RUNTIMES: [&str; 2] = ["current-thread", "multi-thread"];

/// Runs `convert` with space-separated `args` in this process, verified.
fn convert(args: &str) -> Map<String, Value> {
    convert_fields::<Options>(MODEL, run, args)
}

/// Every strategy on both runtimes, with 1 and 8 callers, gives the
/// reference outputs and one checksum; --workers counts callers.
#[test]
fn every_strategy_matches_reference() {
    let mut checksums = Vec::new();
    for cache in cache_strategies() {
        for runtime in RUNTIMES {
            for workers in [1, 8] {
                let f = convert(&format!(
                    "--requests 2000 --distinct 30 --cost-us 20 --cache {cache} \
                     --runtime {runtime} --workers {workers}"
                ));
                assert_eq!(f["workers"], workers);
                assert_eq!(f["runtime"], runtime);
                checksums.push(f["checksum"].clone());
            }
        }
    }
    assert!(checksums.windows(2).all(|w| w[0] == w[1]), "{checksums:?}");
}

/// With 8 callers on few, hot keys, `locked`, `single-flight` and `moka` with
/// an unbounded cache look every key up exactly once, on both runtimes.
#[test]
fn no_duplicates_under_contention() {
    for cache in ["locked", "single-flight", "moka"] {
        for runtime in RUNTIMES {
            let f = convert(&format!(
                "--requests 800 --distinct 16 --cost-us 2000 --cache {cache} \
                 --runtime {runtime} --workers 8 --capacity 0"
            ));
            assert_eq!(f["conversions"], f["keys"], "{cache} {runtime}");
            assert_eq!(f["duplicates"], 0, "{cache} {runtime}");
        }
    }
}

/// `racy` duplicates even on a current-thread runtime: the callers interleave
/// at the `.await` inside the lookup, no second thread needed. With a `spin`
/// lookup there is no `.await`, and one thread cannot race.
#[test]
fn racy_duplicates_on_one_thread() {
    let racy = |kind| {
        convert(&format!(
            "--requests 16 --distinct 1 --invalid-per-mille 0 --cost-us 20000 --cost-kind {kind} \
             --cache racy --runtime current-thread --workers 8"
        ))
    };
    let sleep = racy("sleep");
    assert_eq!(
        sleep["duplicates"], 7,
        "all 8 callers miss before the first insert"
    );
    assert_eq!(racy("spin")["duplicates"], 0);
}

/// A small LRU evicts, and every output stays right.
#[test]
fn small_capacity_evicts() {
    assert_small_capacity_evicts(convert);
}

/// Garbage lines are rejected outcomes; --workers is fine on one thread for
/// convert (it counts callers); --route belongs to procs.
#[test]
fn garbage_file_and_usage_errors() {
    assert_garbage_file_rejected(BIN, &["--runtime", "current-thread", "--workers", "8"]);
    assert_usage_error(BIN, &["convert", "--route", "by-key"], "--route");
    assert_usage_error(BIN, &["convert", "--gil"], "--gil");
}
