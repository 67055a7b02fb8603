//! The download checks of the record's `latency_ms` and of `--blocking-ms`
//! that every model must pass, run through its binary against a site server
//! started here on 127.0.0.1:0; [`latency_tests!`](crate::latency_tests)
//! defines them as tests (the download battery includes it).
//!
//! They check what holds whatever the machine's load: the order of the
//! percentiles, the server's latency as a floor, the checksum with the
//! blocking task. How much the blocking task delays the requests is a timing
//! claim, left to one wide-bounded test of the async model and to the
//! benchmark.

pub use crate::download::server;

use crate::download::expected;
use crate::{LIMIT, assert_usage_error, run_binary};
use concur_sites::SiteServer;
use serde_json::Value;

/// The site server's latency for these checks: long enough that every
/// request's latency is clearly above the client's own overhead.
pub const SERVER_LATENCY_MS: u64 = 20;

/// The record's `latency_ms` as `[p50, p90, p99, max]`, checked to be four
/// numbers in ascending order.
pub fn percentiles(record: &Value) -> [f64; 4] {
    let latency = &record["latency_ms"];
    let [p50, p90, p99, max] = ["p50", "p90", "p99", "max"].map(|key| {
        latency[key]
            .as_f64()
            .unwrap_or_else(|| panic!("latency_ms.{key} is not a number: {record}"))
    });
    assert!(
        p50 <= p90 && p90 <= p99 && p99 <= max,
        "percentiles out of order: {record}"
    );
    [p50, p90, p99, max]
}

/// Runs `download` of the realpython preset `repeat` times over against
/// `server` with `extra` options and returns the record, checking that it
/// exited 0 with the reference checksum.
pub fn download_record(bin: &str, server: &SiteServer, repeat: u64, extra: &[&str]) -> Value {
    let base = server.base_url();
    let repeat_text = repeat.to_string();
    let mut args = vec![
        "download",
        "--preset",
        "realpython",
        "--base",
        &base,
        "--repeat",
        &repeat_text,
    ];
    args.extend_from_slice(extra);
    let out = run_binary(bin, &args, LIMIT);
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    let record = out.record();
    let (bytes, checksum) = expected(&["jython", "dice"], repeat);
    assert_eq!(record["bytes"], bytes, "{args:?}");
    assert_eq!(record["checksum"], checksum, "{args:?}");
    assert_eq!(record["errors"], 0, "{args:?}");
    record
}

/// The four percentiles are in order, and even the median request took at
/// least the server's latency; without `--blocking-ms` the record says null.
pub fn percentiles_in_order(bin: &str, variant: &[&str]) {
    let server = server(SERVER_LATENCY_MS);
    let record = download_record(bin, &server, 3, variant);
    let [p50, ..] = percentiles(&record);
    assert!(
        p50 >= SERVER_LATENCY_MS as f64,
        "p50 {p50} ms below the server's {SERVER_LATENCY_MS} ms: {record}"
    );
    assert_eq!(record["blocking_ms"], Value::Null, "{record}");
}

/// With a blocking task the run still exits 0 with the reference checksum,
/// and the record names the blocking time.
pub fn blocking_keeps_checksum(bin: &str, variant: &[&str]) {
    let server = server(1);
    let mut args = vec!["--blocking-ms", "50"];
    args.extend_from_slice(variant);
    let record = download_record(bin, &server, 3, &args);
    assert_eq!(record["blocking_ms"], 50, "{record}");
    percentiles(&record);
}

/// `--blocking-ms` outside 1..=60000 is a usage error naming it.
pub fn blocking_ms_out_of_range(bin: &str) {
    for value in ["0", "60001", "-5", "x"] {
        assert_usage_error(
            bin,
            &[
                "download",
                "--url",
                "http://127.0.0.1:9/",
                "--blocking-ms",
                value,
            ],
            "--blocking-ms",
        );
    }
}

/// Defines the latency and blocking-task tests (see [`crate::latency`]) for
/// one model binary and its variants; [`download_tests!`](crate::download_tests)
/// expands it, so every model has them.
#[macro_export]
macro_rules! latency_tests {
    ($bin:expr, $variants:expr) => {
        /// latency_ms has p50 <= p90 <= p99 <= max, p50 at least the server's latency.
        #[test]
        fn latency_percentiles_in_order() {
            for variant in $variants {
                $crate::latency::percentiles_in_order($bin, variant);
            }
        }

        /// --blocking-ms runs, the checksum still agrees, the record names it.
        #[test]
        fn blocking_task_keeps_checksum() {
            for variant in $variants {
                $crate::latency::blocking_keeps_checksum($bin, variant);
            }
        }

        /// --blocking-ms outside 1..=60000 exits 2 with one line.
        #[test]
        fn blocking_ms_out_of_range_is_usage_error() {
            $crate::latency::blocking_ms_out_of_range($bin);
        }
    };
}
