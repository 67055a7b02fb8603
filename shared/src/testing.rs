//! Helpers for the model crates' integration tests, kept here so the four
//! crates test the same way with the same code.
//!
//! These panic on failure: they are only meant to be called from tests.

use crate::cli::{Context, Model, ModelOptions, parse};
use crate::record::Outcome;
use crate::workload::{Job, Verified};
use serde_json::Value;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Parses `args` as the model binary would, runs the model in this process
/// and verifies its answer. `Err` is a failed run or a wrong answer.
pub fn run_model<M: ModelOptions>(
    model: Model,
    run: fn(&Job, &M, &Context) -> anyhow::Result<Outcome>,
    args: &[&str],
) -> anyhow::Result<(Outcome, Verified)> {
    let argv = std::iter::once(model.name).chain(args.iter().copied());
    let invocation = parse::<M>(model, argv)
        .map_err(|exit| anyhow::anyhow!("{args:?} did not parse: {exit:?}"))?;
    let outcome = run(&invocation.job, &invocation.options, &invocation.context)?;
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
    ];
    for (args, needle) in cases {
        assert_usage_error(path, args, needle);
    }
}
