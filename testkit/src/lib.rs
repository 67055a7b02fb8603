//! Helpers for the model crates' integration tests, kept here so the four
//! crates test the same way with the same code.
//!
//! These panic on failure: they are only meant to be called from tests.

use concur_shared::harness::parse;
use concur_shared::model::Outcome;
use concur_shared::model::{Model, ModelOptions, RunFn};
use concur_shared::record::Verified;
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub mod latency;
pub mod limits;
pub mod sleep;

/// How long a model binary may run in a test battery before it counts as hung.
const LIMIT: Duration = Duration::from_secs(60);

/// Parses `args` as the model binary would, runs the model in this process
/// and verifies its answer. `Err` is a failed run or a wrong answer.
pub fn run_model<M: ModelOptions>(
    model: Model,
    run: RunFn<M>,
    args: &[&str],
) -> anyhow::Result<(Outcome, Verified)> {
    let argv = std::iter::once(model.name).chain(args.iter().copied());
    let invocation = parse::<M>(model, argv)
        .map_err(|exit| anyhow::anyhow!("{args:?} did not parse: {exit:?}"))?;
    let outcome = run(&invocation.job, &invocation.options, &invocation.progress)?;
    let verified = invocation.job.verify(&outcome.answer)?;
    Ok((outcome, verified))
}

/// What a finished binary left behind.
#[derive(Debug)]
pub struct BinaryRun {
    /// Exit code; `None` if a signal ended it.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl BinaryRun {
    /// The partial record of a job that failed with errors, from stderr;
    /// stdout must hold no record.
    pub fn partial_record(&self) -> Value {
        assert!(
            self.stdout.trim().is_empty(),
            "a failed job printed on stdout: {}",
            self.stdout
        );
        let line = self
            .stderr
            .lines()
            .find_map(|line| line.strip_prefix(concur_shared::harness::PARTIAL_RECORD))
            .unwrap_or_else(|| panic!("no partial record on stderr: {}", self.stderr));
        serde_json::from_str(line).unwrap_or_else(|e| panic!("a bad partial record ({e}): {line}"))
    }

    /// The result record: the last stdout line, parsed.
    pub fn record(&self) -> Value {
        let last = self.stdout.lines().last().unwrap_or_default();
        serde_json::from_str(last).unwrap_or_else(|e| {
            panic!(
                "last stdout line is not a JSON record ({e}): {last:?}\nstderr: {}",
                self.stderr
            )
        })
    }
}

/// Runs a binary to completion, killing it after `limit` so that a hung
/// binary fails its test instead of hanging the suite.
pub fn run_binary(path: &str, args: &[&str], limit: Duration) -> BinaryRun {
    let mut child = Command::new(path)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {path}: {e}"));
    // Read both pipes on threads so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for child") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{path} {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    BinaryRun {
        code: status.code(),
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

/// Checks the usage-error contract: exit status 2 and exactly one stderr line
/// that mentions `needle`, nothing on stdout.
pub fn assert_usage_error(path: &str, args: &[&str], needle: &str) {
    let run = run_binary(path, args, Duration::from_secs(30));
    assert_eq!(run.code, Some(2), "{args:?}: stderr {:?}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {:?}", run.stderr);
    assert!(
        run.stderr.contains(needle),
        "{args:?}: {:?} lacks {needle:?}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked"),
        "{args:?}: {:?}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{args:?}: stdout {:?}", run.stdout);
}

/// Usage errors every model binary must give, whatever its options.
pub fn assert_common_usage_errors(path: &str) {
    let cases: &[(&[&str], &str)] = &[
        (&["squares", "--count", "0"], "--count"),
        (&["squares", "--count", "-1"], "--count"),
        (&["squares", "--start", "abc"], "--start"),
        (&["squares", "--start", "-5"], "--start"),
        (
            &["squares", "--start", "18446744073709551615", "--count", "2"],
            "--start",
        ),
        (
            &["squares", "--start", "10000000000000000", "--count", "1"],
            "overflow u128",
        ),
        (&["range-sum", "--parts", "0"], "--parts"),
        (&["range-sum", "--end", "5", "--parts", "6"], "--parts 6"),
        (&["range-sum", "--end", "0"], "--end"),
        (&["cubes"], "cubes"),
        (&["squares", "--no-such-option"], "--no-such-option"),
        (&["convert", "--requests", "0"], "--requests"),
        (&["convert", "--requests", "-5"], "--requests"),
        (&["convert", "--distinct", "0"], "--distinct"),
        (
            &["convert", "--invalid-per-mille", "1001"],
            "--invalid-per-mille",
        ),
        (&["convert", "--cost-us", "x"], "--cost-us"),
        (&["convert", "--cost-kind", "io"], "--cost-kind"),
        (&["convert", "--cache", "lru"], "--cache"),
        (&["convert", "--capacity", "-1"], "--capacity"),
        (
            &["convert", "--cache", "none", "--capacity", "5"],
            "--capacity",
        ),
        (
            &["convert", "--requests-file", "/nonexistent/requests.txt"],
            "--requests-file",
        ),
        (
            &["convert", "--requests-file", "x.txt", "--seed", "1"],
            "--requests-file",
        ),
        (&["squares", "--cache", "locked"], "--cache"),
    ];
    for (args, needle) in cases {
        assert_usage_error(path, args, needle);
    }
    let empty = TempFile::new("empty", b"");
    assert_usage_error(
        path,
        &["convert", "--requests-file", empty.path()],
        "no requests",
    );
}

/// A file under the system temp directory, removed when dropped.
pub struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// Writes `contents` to a file whose name is unique to this process.
    pub fn new(name: &str, contents: &[u8]) -> TempFile {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let unique = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "concur-test-{}-{unique}-{name}",
            std::process::id()
        ));
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("cannot write {path:?}: {e}"));
        TempFile { path }
    }

    pub fn path(&self) -> &str {
        self.path.to_str().expect("temp paths are UTF-8 here")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Runs `convert` on a requests file full of garbage lines (empty, words,
/// decimals, a negative, a huge number, invalid UTF-8, spaces, a CRLF line
/// end): the binary exits 0 and every garbage line is a rejected outcome with
/// its reason, the good lines convert. `extra` are model options.
pub fn assert_garbage_file_rejected(path: &str, extra: &[&str]) {
    let file = TempFile::new(
        "garbage.txt",
        b"100\n\nabc\n12.5\n-5\n99999999999999999999999\n\xff\xfe\n10000\r\n100\n   7\n",
    );
    let mut args = vec!["convert", "--requests-file", file.path(), "--cost-us", "0"];
    args.extend_from_slice(extra);
    let run = run_binary(path, &args, Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{args:?}: {}", run.stderr);
    let record = run.record();
    assert_eq!(record["requests"], 10, "{record}");
    assert_eq!(record["converted"], 3, "{record}");
    assert_eq!(record["rejected"], 7, "{record}");
    assert_eq!(record["rejects"]["format"], 5, "{record}");
    assert_eq!(record["rejects"]["non-negative"], 1, "{record}");
    assert_eq!(record["rejects"]["range"], 1, "{record}");
    assert_eq!(record["keys"], 2, "{record}");
    assert_eq!(record["errors"], 0, "{record}");
}

/// Every `--cache` name, in declaration order (`none` first).
pub fn cache_strategies() -> Vec<&'static str> {
    use clap::ValueEnum;
    concur_shared::workload::convert::CacheStrategy::value_variants()
        .iter()
        .map(|strategy| strategy.name())
        .collect()
}

/// Runs `convert` with space-separated `args` in this process through
/// [`run_model`], panicking on a failed run or a wrong answer: the record's
/// fields plus `checksum` and `workers`.
pub fn convert_fields<M: ModelOptions>(
    model: Model,
    run: RunFn<M>,
    args: &str,
) -> serde_json::Map<String, Value> {
    let args: Vec<&str> = ["convert"]
        .into_iter()
        .chain(args.split_whitespace())
        .collect();
    let (outcome, verified) =
        run_model::<M>(model, run, &args).unwrap_or_else(|e| panic!("{args:?}: {e:#}"));
    // Merged as the harness merges them into the record.
    let mut fields = verified.fields;
    fields.extend(outcome.fields);
    fields.insert("checksum".into(), verified.checksum.into());
    fields.insert("workers".into(), outcome.workers.into());
    fields
}

/// A small LRU evicts under every caching strategy with 8 callers, and every
/// output stays right (`convert` verifies each one), for a model's
/// [`convert_fields`] wrapper.
pub fn assert_small_capacity_evicts(convert: impl Fn(&str) -> serde_json::Map<String, Value>) {
    for cache in &cache_strategies()[1..] {
        let f = convert(&format!(
            "--requests 3000 --distinct 300 --cost-us 0 --cache {cache} --capacity 16 --workers 8"
        ));
        assert!(
            f["evictions"].as_u64().is_some_and(|n| n > 0),
            "{cache}: {f:?}"
        );
    }
}

/// The download checks every model must pass, run through its binary with
/// `variant` options against a site server started here on 127.0.0.1:0.
pub mod download {
    use super::{LIMIT, assert_usage_error, run_binary};
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
}

/// Defines the download test battery (see [`download`]) for one model
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

        /// Bad URLs and options exit 2 with one line.
        #[test]
        fn bad_input_is_usage_error() {
            $crate::download::bad_input_is_usage_error($bin);
        }

        $crate::latency_tests!($bin, VARIANTS);
    };
}
