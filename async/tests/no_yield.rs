//! The one timing claim the tests make about `--blocking-ms`, alone in its
//! test binary so that no other test shares the machine with it: on a
//! current-thread runtime, a task that does not yield holds back every
//! request started with it; moved to `spawn_blocking`, it holds back none.
//!
//! The bounds are wide on purpose (a 400 ms task, 10 ms requests; "at least
//! 350 ms" and "under 300 ms"), so that a loaded two-core machine cannot flip
//! them; the numbers themselves belong to the benchmark (docs/io.md).

use concur_testkit::latency::{download_record, percentiles, server};

const BIN: &str = env!("CARGO_BIN_EXE_concur-async");

/// Current-thread: every request waits out the blocking task (p50 and p99 at
/// least 350 ms of its 400); with spawn-blocking, p99 stays under 300 ms.
#[test]
fn current_thread_requests_wait_unless_offloaded() {
    let server = server(10);
    let base = ["--runtime", "current-thread", "--blocking-ms", "400"];
    let record = download_record(BIN, &server, 10, &base);
    let [p50, _, p99, _] = percentiles(&record);
    assert!(p50 >= 350.0 && p99 >= 350.0, "no offload: {record}");
    let offloaded = [&base[..], &["--offload", "spawn-blocking"]].concat();
    let record = download_record(BIN, &server, 10, &offloaded);
    let [_, _, p99, _] = percentiles(&record);
    assert!(p99 < 300.0, "spawn-blocking: {record}");
}
