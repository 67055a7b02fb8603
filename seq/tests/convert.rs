//! The baseline on `convert`: one caller, so no cache strategy can duplicate.

use concur_seq::{MODEL, Options, run};
use concur_testkit::{assert_garbage_file_rejected, cache_strategies, convert_fields, run_binary};
use serde_json::{Map, Value};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_concur-seq");

/// Runs `convert` with space-separated `args` in this process, verified.
fn convert(args: &str) -> Map<String, Value> {
    convert_fields::<Options>(MODEL, run, args)
}

/// Every strategy gives the reference outputs (checked per request by
/// `verify`) and the same checksum, and every caching strategy looks each key
/// up exactly once.
#[test]
fn every_strategy_matches_reference() {
    let mut checksums = Vec::new();
    for cache in cache_strategies() {
        let f = convert(&format!(
            "--requests 3000 --distinct 40 --cost-us 0 --cache {cache}"
        ));
        assert_eq!(f["requests"], 3000);
        assert_eq!(f["rejected"], 15, "5 per mille");
        if cache == "none" {
            assert_eq!(
                f["conversions"], f["converted"],
                "none looks every request up"
            );
        } else {
            assert_eq!(f["conversions"], f["keys"], "{cache}");
            assert_eq!(f["duplicates"], 0, "{cache}");
        }
        checksums.push(f["checksum"].clone());
    }
    assert!(checksums.windows(2).all(|w| w[0] == w[1]), "{checksums:?}");
}

/// A small LRU evicts, converts evicted keys again, and still answers right.
#[test]
fn small_capacity_evicts() {
    for cache in &cache_strategies()[1..] {
        let f = convert(&format!(
            "--requests 2000 --distinct 200 --cost-us 0 --cache {cache} --capacity 20"
        ));
        assert!(f["evictions"].as_u64().unwrap() > 0, "{cache}");
        assert!(f["duplicates"].as_u64().unwrap() > 0, "{cache}: re-lookups");
        assert!(!f.contains_key("ideal_ms"), "no bound: the keys do not fit");
    }
}

/// The binary prints the convert record, with the ideal bound.
#[test]
fn binary_prints_record() {
    let args = "convert --requests 500 --distinct 10 --cost-us 100 --cache locked";
    let out = run_binary(
        BIN,
        &args.split_whitespace().collect::<Vec<_>>(),
        Duration::from_secs(30),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let record = out.record();
    assert_eq!(record["workload"], "convert");
    assert_eq!(record["tasks"], 500);
    assert_eq!(record["cache"], "locked");
    assert_eq!(record["cost_kind"], "sleep");
    let keys = record["keys"].as_f64().unwrap();
    assert_eq!(record["ideal_ms"].as_f64().unwrap(), keys * 0.1);
    let [converted, rejected] = ["converted", "rejected"].map(|k| record[k].as_u64().unwrap());
    assert_eq!(converted + rejected, 500);
}

/// A requests file of garbage lines gives rejected outcomes and exit 0.
#[test]
fn garbage_file_is_rejected_not_fatal() {
    assert_garbage_file_rejected(BIN, &[]);
    assert_garbage_file_rejected(BIN, &["--cache", "none"]);
}
