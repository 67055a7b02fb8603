//! The `download --rate` checks every model must pass, run through its binary
//! against a site server started here on 127.0.0.1:0;
//! [`rate_tests!`](crate::rate_tests) defines them as tests.
//!
//! What they check holds whatever the machine's load: a schedule is never run
//! ahead of, latency counts from when a request was due (a model that cannot
//! keep up shows it), and a server that stalls moves the tail of a rated run
//! but not of a closed one. How fast each model keeps up is the benchmark's
//! question (the `rate` sweep), not a test's.

use crate::{LIMIT, assert_usage_error, run_binary};
use concur_sites::{Config, SiteServer};
use serde_json::Value;
use std::time::Duration;

/// `args` run through `bin` against a server; the record, checked to succeed.
fn record(bin: &str, args: &[&str]) -> Value {
    let out = run_binary(bin, args, LIMIT);
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    out.record()
}

fn ms(record: &Value, key: &str) -> f64 {
    record["latency_ms"][key]
        .as_f64()
        .unwrap_or_else(|| panic!("no latency_ms.{key}: {record}"))
}

/// One request at a time (`one`: the model's options for that), 20 ms each,
/// due every 5 ms: the model falls behind, and its latencies say so: the
/// last request, due at 95 ms, cannot start before 380 ms, so its latency
/// from due is over 200 ms although no request took more than a few tens.
/// The run is never ahead of its schedule: 20 requests at 200/s take 95 ms
/// at least.
pub fn latency_counts_from_due(bin: &str, one: &[&str]) {
    let server = SiteServer::spawn(Config {
        latency_ms: 20,
        ..Config::default()
    })
    .expect("a site server");
    let url = server.url("/page?size=100");
    let mut args = vec!["download", "--url", &url, "--repeat", "20", "--rate", "200"];
    args.extend_from_slice(one);
    let record = record(bin, &args);
    assert_eq!(record["offered_rps"], 200.0, "{record}");
    assert!(ms(&record, "max") > 200.0, "{record}");
    assert!(
        record["late_starts"].as_u64().is_some_and(|n| n >= 10),
        "{record}"
    );
    assert!(
        record["achieved_rps"].as_f64().is_some_and(|r| r < 60.0),
        "{record}"
    );
    assert!(
        record["elapsed_ms"].as_f64().is_some_and(|e| e >= 95.0),
        "{record}"
    );
}

/// A server with one thread, stalled for a second (`/fault/stall`) 0.3 s
/// into the run, as a collector pause would stall it.
fn stalled_server() -> SiteServer {
    SiteServer::spawn(Config {
        latency_ms: 1,
        workers: Some(1),
        ..Config::default()
    })
    .expect("a site server")
}

/// Sends the stall request after `after`, on a thread of its own.
fn stall(server: &SiteServer, after: Duration) -> std::thread::JoinHandle<()> {
    let url = server.url("/fault/stall?latency_ms=1000");
    std::thread::spawn(move || {
        std::thread::sleep(after);
        let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).build().into();
        agent
            .get(&url)
            .call()
            .expect("the stall request is answered");
    })
}

/// A rated run (200/s for 2 s) through a one-second stall: every request due
/// during its first half waits past 500 ms, so p99 is past 500 ms. The same
/// stall in a closed run one request at a time (`one`) delays only the
/// request under way: it is the maximum, and p99 stays far below.
pub fn a_stall_moves_p99_of_a_rated_run_only(bin: &str, variant: &[&str], one: &[&str]) {
    let server = stalled_server();
    let url = server.url("/page?size=100");
    let mut args = vec![
        "download",
        "--url",
        &url,
        "--rate",
        "200",
        "--duration-s",
        "2",
    ];
    args.extend_from_slice(variant);
    let stalled = stall(&server, Duration::from_millis(300));
    let rated = record(bin, &args);
    stalled.join().expect("the stall thread");
    assert!(ms(&rated, "p99") > 500.0, "rated: {rated}");

    let server = stalled_server();
    let url = server.url("/page?size=100");
    let mut args = vec!["download", "--url", &url, "--repeat", "2000"];
    args.extend_from_slice(one);
    let stalled = stall(&server, Duration::from_millis(300));
    let closed = record(bin, &args);
    stalled.join().expect("the stall thread");
    assert!(
        ms(&closed, "max") > 900.0,
        "the stall missed the closed run: {closed}"
    );
    assert!(ms(&closed, "p99") < 500.0, "closed: {closed}");
}

/// Rates that are not a positive number, a duration over a day or without a
/// rate, and --rate with the batch-only --blocking-ms are usage errors.
pub fn bad_rates_are_usage_errors(bin: &str) {
    let url = "http://127.0.0.1:9/page";
    for (args, needle) in [
        (&["--rate", "0"][..], "--rate"),
        (&["--rate", "-5"], "--rate"),
        (&["--rate", "fast"], "--rate"),
        (&["--rate", "10", "--duration-s", "86401"], "--duration-s"),
        (&["--duration-s", "5"], "--rate"),
        (&["--rate", "10", "--blocking-ms", "5"], "--blocking-ms"),
    ] {
        let mut full = vec!["download", "--url", url];
        full.extend_from_slice(args);
        assert_usage_error(bin, &full, needle);
    }
}

/// Defines the `--rate` tests for one model binary: `variant`, its options
/// for a rated run, and `one`, its options for one request at a time.
#[macro_export]
macro_rules! rate_tests {
    ($bin:expr, $variant:expr, $one:expr) => {
        /// Latency counts from when a request was due; the schedule never runs ahead.
        #[test]
        fn rate_latency_counts_from_due() {
            $crate::rate::latency_counts_from_due($bin, $one);
        }

        /// A stalled server moves p99 of a rated run past the stall, not of a closed one.
        #[test]
        fn rate_a_stall_moves_p99_of_a_rated_run_only() {
            $crate::rate::a_stall_moves_p99_of_a_rated_run_only($bin, $variant, $one);
        }

        /// Bad rates and durations exit 2 with one line.
        #[test]
        fn rate_bad_input_is_usage_error() {
            $crate::rate::bad_rates_are_usage_errors($bin);
        }
    };
}
