//! The download checks every model must pass, run through its binary with
//! `variant` options against a site server started here on 127.0.0.1:0.

use crate::{LIMIT, assert_usage_error, run_binary};
use concur_shared::workload::download::fnv1a64;
use concur_sites::{Config, SiteServer, page_body, site};
use std::time::{Duration, Instant};

/// A site server answering after `latency_ms`.
pub fn server(latency_ms: u64) -> SiteServer {
    SiteServer::spawn(Config {
        latency_ms,
        ..Config::default()
    })
    .expect("start the site server")
}

/// Bytes and checksum of `repeat` rounds over the named sites.
pub fn expected(sites: &[&str], repeat: u64) -> (u64, String) {
    let (mut bytes, mut checksum) = (0u64, 0u64);
    for name in sites {
        let size = site(name).expect("a preset site").bytes;
        bytes += size as u64;
        checksum = checksum.wrapping_add(fnv1a64(&page_body(size)));
    }
    (bytes * repeat, checksum.wrapping_mul(repeat).to_string())
}

/// Both presets give the reference bytes and checksum, with no errors.
pub fn presets_match_reference(bin: &str, variant: &[&str]) {
    let server = server(1);
    let base = server.base_url();
    for (preset, sites) in [
        ("realpython", &["jython", "dice"][..]),
        ("seminar", &["naver", "google", "apple", "bing"]),
    ] {
        let mut args = vec![
            "download", "--preset", preset, "--base", &base, "--repeat", "3",
        ];
        args.extend_from_slice(variant);
        let out = run_binary(bin, &args, LIMIT);
        assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
        let record = out.record();
        let (bytes, checksum) = expected(sites, 3);
        assert_eq!(record["requests"], 3 * sites.len() as u64, "{args:?}");
        assert_eq!(record["bytes"], bytes, "{args:?}");
        assert_eq!(record["checksum"], checksum, "{args:?}");
        assert_eq!(record["errors"], 0, "{args:?}");
    }
}

/// Every fault route is one counted, reported error; the other requests
/// still finish, and the run exits 1 within the timeout.
pub fn faults_are_counted_and_reported(bin: &str, variant: &[&str]) {
    let server = server(1);
    let url = |path: &str| server.url(path);
    let (good, status, hang, reset, truncate) = (
        url("/page?size=100"),
        url("/fault/status/503"),
        url("/fault/hang"),
        url("/fault/reset?size=50000"),
        url("/fault/truncate?size=50000"),
    );
    let mut args = vec!["download", "--timeout-ms", "500", "--repeat", "1"];
    for u in [&good, &status, &hang, &reset, &truncate] {
        args.extend(["--url", u.as_str()]);
    }
    args.extend_from_slice(variant);
    let started = Instant::now();
    let out = run_binary(bin, &args, LIMIT);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.code, Some(1), "{args:?}: {}", out.stderr);
    let record = out.partial_record();
    assert_eq!(record["requests"], 5);
    assert_eq!(record["errors"], 4, "{}", out.stderr);
    assert_eq!(record["bytes"], 100);
    assert_eq!(record["checksum"], fnv1a64(&page_body(100)).to_string());
    for failed in [&status, &hang, &reset, &truncate] {
        let line = out
            .stderr
            .lines()
            .find(|line| line.contains(&format!("GET {failed}:")))
            .unwrap_or_else(|| panic!("no error line for {failed}: {}", out.stderr));
        assert!(line.starts_with("error: request failed"), "{line}");
    }
    assert!(out.stderr.contains("503"), "{}", out.stderr);
    assert!(
        out.stderr.to_lowercase().contains("time"),
        "timeout named: {}",
        out.stderr
    );
    assert!(
        !out.stderr.contains(&format!("GET {good}:")),
        "{}",
        out.stderr
    );
}

/// `--server-stats` adds the server's side of the run: exactly the run's
/// requests, and its CPU time; URLs on two servers are refused.
pub fn server_stats_count_the_run(bin: &str, variant: &[&str]) {
    let server = server(0);
    let url = server.url("/page?size=100");
    let mut args = vec![
        "download",
        "--url",
        &url,
        "--repeat",
        "30",
        "--server-stats",
    ];
    args.extend_from_slice(variant);
    let out = run_binary(bin, &args, LIMIT);
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    let record = out.record();
    assert_eq!(record["server_requests"], 30, "{record}");
    let page_tables = record["page_tables_kib"].as_u64();
    assert!(page_tables.is_some_and(|kib| kib > 0), "{record}");
    for side in ["user", "sys"] {
        let spent = record["server_cpu_ms"][side].as_f64();
        assert!(spent.is_some_and(|ms| ms >= 0.0), "{record}");
    }
    let other = server_on_another_port();
    args.extend(["--url", other.as_str()]);
    assert_usage_error(bin, &args, "--server-stats needs every URL on one server");
}

/// A URL on a port other than any server of this test's.
fn server_on_another_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    format!("http://{}/page", listener.local_addr().expect("address"))
}

/// A port nobody listens on fails fast, saying the connection was refused.
pub fn unreachable_port_fails_fast(bin: &str, variant: &[&str]) {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let url = format!("http://127.0.0.1:{port}/page");
    let mut args = vec!["download", "--url", &url, "--repeat", "2"];
    args.extend_from_slice(variant);
    let started = Instant::now();
    let out = run_binary(bin, &args, LIMIT);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(out.partial_record()["errors"], 2);
    assert!(
        out.stderr.to_lowercase().contains("refused"),
        "{}",
        out.stderr
    );
}

/// Malformed URLs and options are usage errors.
pub fn bad_input_is_usage_error(bin: &str) {
    let cases: &[(&[&str], &str)] = &[
        (&["download", "--url", "https://example.com/"], "https"),
        (&["download", "--url", "not a url"], "--url"),
        (&["download", "--url", "ftp://x/"], "http://"),
        (&["download"], "needs pages"),
        (&["download", "--preset", "realpython"], "--base"),
        (
            &["download", "--preset", "mars", "--base", "http://a/"],
            "--preset",
        ),
        (
            &["download", "--url", "http://a/", "--repeat", "0"],
            "--repeat",
        ),
        (
            &["download", "--url", "http://a/", "--timeout-ms", "0"],
            "--timeout-ms",
        ),
        (&["download", "--urls-file", "/no/such/file"], "--urls-file"),
        // Every model must refuse it, none may connect to port 80 instead.
        (
            &["download", "--url", "http://127.0.0.1:99999/page"],
            "not 1-65535",
        ),
    ];
    for (args, needle) in cases {
        assert_usage_error(bin, args, needle);
    }
    // A huge URL is named in a line of bounded length, not echoed whole.
    let long = format!("ftp://127.0.0.1/{}", "x".repeat(100_000));
    assert_usage_error(bin, &["download", "--url", &long], "100016 bytes");
    let run = run_binary(bin, &["download", "--url", &long], Duration::from_secs(30));
    assert!(
        run.stderr.len() < 400,
        "{} bytes of stderr",
        run.stderr.len()
    );
}

/// Defines the download test battery (see [`crate::download`]) for one model
/// binary: `download_tests!(env!("CARGO_BIN_EXE_concur-seq"), &[&[]]);` with
/// one slice of model options per variant to test.
#[macro_export]
macro_rules! download_tests {
    ($bin:expr, $variants:expr) => {
        const VARIANTS: &[&[&str]] = $variants;

        /// Both seed presets give the reference bytes and checksum.
        #[test]
        fn presets_match_reference() {
            for variant in VARIANTS {
                $crate::download::presets_match_reference($bin, variant);
            }
        }

        /// Status, hang, reset and truncate faults are counted and reported; exit 1.
        #[test]
        fn faults_are_counted_and_reported() {
            for variant in VARIANTS {
                $crate::download::faults_are_counted_and_reported($bin, variant);
            }
        }

        /// An unreachable port fails fast with "refused".
        #[test]
        fn unreachable_port_fails_fast() {
            for variant in VARIANTS {
                $crate::download::unreachable_port_fails_fast($bin, variant);
            }
        }

        /// `--server-stats` counts the run's requests and CPU on the server.
        #[test]
        fn server_stats_count_the_run() {
            for variant in VARIANTS {
                $crate::download::server_stats_count_the_run($bin, variant);
            }
        }

        /// Bad URLs and options exit 2 with one line.
        #[test]
        fn bad_input_is_usage_error() {
            $crate::download::bad_input_is_usage_error($bin);
        }

        $crate::latency_tests!($bin, VARIANTS);
    };
}
