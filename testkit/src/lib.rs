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

pub mod download;
pub mod latency;
pub mod limits;
pub mod rate;
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
            self.stdout.is_empty(),
            "a failed job printed: {}",
            self.stdout
        );
        let prefix = concur_shared::harness::PARTIAL_RECORD;
        let line = self
            .stderr
            .lines()
            .find_map(|line| line.strip_prefix(prefix));
        self.parse(line.unwrap_or_default(), "the partial record on stderr")
    }

    /// The result record: the last stdout line, parsed; it must carry the
    /// CPU time of the work.
    pub fn record(&self) -> Value {
        let record = self.parse(
            self.stdout.lines().last().unwrap_or_default(),
            "the last stdout line",
        );
        let cpu = |side: &str| record["cpu_ms"][side].as_f64().is_some_and(|ms| ms >= 0.0);
        assert!(cpu("user") && cpu("sys"), "no cpu_ms: {record}");
        record
    }

    fn parse(&self, line: &str, what: &str) -> Value {
        serde_json::from_str(line).unwrap_or_else(|e| {
            panic!(
                "{what} is not a JSON record ({e}): {line:?}\nstderr: {}",
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
