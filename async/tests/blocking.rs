//! `download --blocking-ms` on the async model: every `--offload` keeps the
//! answer right and is named in the record, and `--offload` where it cannot
//! apply is a usage error (the checks every model shares run in
//! `download.rs`, through `concur_testkit::latency`).

use concur_testkit::assert_usage_error;
use concur_testkit::latency::{blocking_keeps_checksum, download_record, server};

const BIN: &str = env!("CARGO_BIN_EXE_concur-async");

/// Both fixes, on each runtime they apply to and with both HTTP clients,
/// keep the checksum; the record names the offload, "none" by default.
#[test]
fn offloads_keep_checksum_and_are_recorded() {
    for variant in [
        &["--runtime", "current-thread", "--offload", "spawn-blocking"][..],
        &["--runtime", "multi-thread", "--offload", "spawn-blocking"],
        &["--runtime", "multi-thread", "--offload", "block-in-place"],
        &["--http-client", "bare", "--offload", "block-in-place"],
        &[
            "--http-client",
            "bare",
            "--runtime",
            "current-thread",
            "--offload",
            "spawn-blocking",
        ],
    ] {
        blocking_keeps_checksum(BIN, variant);
    }
    let server = server(1);
    for (extra, offload) in [
        (&["--blocking-ms", "20"][..], "none"),
        (&[], "none"),
        (
            &["--blocking-ms", "20", "--offload", "spawn-blocking"],
            "spawn-blocking",
        ),
        (
            &["--blocking-ms", "20", "--offload", "block-in-place"],
            "block-in-place",
        ),
    ] {
        let record = download_record(BIN, &server, 1, extra);
        assert_eq!(record["offload"], offload, "{extra:?}: {record}");
    }
}

/// `--offload` without `--blocking-ms`, on another workload, or
/// block-in-place on a current-thread runtime exits 2 with one line.
#[test]
fn offload_misuse_is_usage_error() {
    let url = "http://127.0.0.1:9/";
    assert_usage_error(
        BIN,
        &["download", "--url", url, "--offload", "spawn-blocking"],
        "--offload needs --blocking-ms",
    );
    assert_usage_error(
        BIN,
        &["squares", "--offload", "spawn-blocking"],
        "--offload only applies to download",
    );
    assert_usage_error(
        BIN,
        &["convert", "--offload", "block-in-place"],
        "--offload only applies to download",
    );
    assert_usage_error(
        BIN,
        &[
            "download",
            "--url",
            url,
            "--blocking-ms",
            "10",
            "--runtime",
            "current-thread",
            "--offload",
            "block-in-place",
        ],
        "--offload block-in-place needs --runtime multi-thread",
    );
    assert_usage_error(
        BIN,
        &[
            "download",
            "--url",
            url,
            "--blocking-ms",
            "10",
            "--offload",
            "yield",
        ],
        "--offload",
    );
}
