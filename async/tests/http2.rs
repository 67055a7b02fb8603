//! HTTP/2 with prior knowledge (`--http-version 2`): the same answers as
//! HTTP/1.1, with every request a stream of one connection, against a site
//! server started by the test on 127.0.0.1:0.

use concur_testkit::download::{presets_match_reference, server};
use concur_testkit::{assert_usage_error, run_binary};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_concur-async");

/// Both presets give the reference bytes and checksum over HTTP/2, all in
/// flight at once or three at a time.
#[test]
fn presets_match_reference_over_http2() {
    presets_match_reference(BIN, &["--http-version", "2"]);
    presets_match_reference(BIN, &["--http-version", "2", "--max-in-flight", "3"]);
}

/// 200 requests all in flight: one connection over HTTP/2 (two at most: under
/// load hyper's pool can race a second connect before the first is ready, as
/// istio/ztunnel#931 describes), one per request over HTTP/1.1, as the server
/// counts the connections it accepted.
#[test]
fn http2_multiplexes_every_request_on_one_connection() {
    let server = server(20);
    let url = server.url("/page?size=100");
    for version in ["2", "1.1"] {
        let before = server.load().connections;
        let args = [
            "download",
            "--url",
            &url,
            "--repeat",
            "200",
            "--http-version",
            version,
        ];
        let out = run_binary(BIN, &args, Duration::from_secs(60));
        assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
        let record = out.record();
        assert_eq!(record["http_version"], version, "{record}");
        assert_eq!(record["errors"], 0, "{record}");
        let opened = server.load().connections - before;
        match version {
            "2" => assert!(opened <= 2, "HTTP/2 opened {opened} connections"),
            _ => assert!(
                opened >= 100,
                "HTTP/1.1 opened only {opened} connections for 200 requests"
            ),
        }
    }
}

/// `--connections 3` spreads 200 streams over three connections (one client
/// each, so six at most if each client races a second), and the answer stays
/// the reference's.
#[test]
fn connections_spread_the_streams() {
    presets_match_reference(BIN, &["--http-version", "2", "--connections", "3"]);
    let server = server(20);
    let url = server.url("/page?size=100");
    let before = server.load().connections;
    let args = "download --repeat 200 --http-version 2 --connections 3 --url";
    let mut args: Vec<&str> = args.split_whitespace().collect();
    args.push(&url);
    let out = run_binary(BIN, &args, Duration::from_secs(60));
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    assert_eq!(out.record()["connections"], 3, "{}", out.record());
    let opened = server.load().connections - before;
    assert!(
        (3..=6).contains(&opened),
        "--connections 3 opened {opened} connections"
    );
}

/// `--http-version` applies to reqwest's download only.
#[test]
fn http_version_is_checked() {
    let url = "download --url http://127.0.0.1:9/";
    for (args, needle) in [
        ("squares --http-version 2".to_string(), "--http-version"),
        (
            format!("{url} --http-version 2 --http-client bare"),
            "--http-client bare speaks HTTP/1.1 only",
        ),
        (format!("{url} --http-version 3"), "possible values"),
        (
            format!("{url} --connections 2"),
            "--max-in-flight N instead",
        ),
        (
            format!("{url} --http-version 2 --connections 0"),
            "--connections",
        ),
        (
            "squares --connections 2".to_string(),
            "--connections only applies",
        ),
    ] {
        assert_usage_error(BIN, &args.split_whitespace().collect::<Vec<_>>(), needle);
    }
}
