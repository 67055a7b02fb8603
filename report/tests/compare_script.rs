//! `scripts/compare.sh`: option parsing and the failure paths that must stop
//! it before anything is timed. Model binaries are replaced by small fake
//! scripts (through `CONCUR_BIN_DIR`), so these tests build and time nothing.

// Test helpers panic on purpose: a failed set-up step is a failed test.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/compare.sh")
}

/// A scratch directory unique to this test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("concur-compare-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("bin")).unwrap();
        Scratch(dir)
    }

    /// Puts an executable shell script named `name` in the fake bin dir.
    fn fake(&self, name: &str, body: &str) {
        let path = self.0.join("bin").join(name);
        fs::write(&path, format!("#!/usr/bin/env bash\n{body}\n")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A fake model binary that prints a record with this checksum.
    fn fake_model(&self, model: &str, checksum: &str) {
        self.fake(
            &format!("concur-{model}"),
            &format!(r#"echo '{{"model":"{model}","workload":"squares","checksum":"{checksum}","errors":0}}'"#),
        );
    }

    fn out(&self) -> PathBuf {
        self.0.join("out")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("bash")
            .arg(script())
            .args(args)
            .arg("--out")
            .arg(self.out())
            .env("CONCUR_BIN_DIR", self.0.join("bin"))
            .output()
            .unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `--help` explains every option and exits 0.
#[test]
fn help_lists_options() {
    let output = Command::new("bash")
        .arg(script())
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    for option in [
        "--quick",
        "--workloads",
        "--models",
        "--runs",
        "--rounds",
        "--out",
        "--latency-ms",
        "--no-idle-poll",
    ] {
        assert!(text.contains(option), "--help lacks {option}");
    }
}

/// Malformed options exit 2 with a message naming the option, before any build.
#[test]
fn bad_options_exit_2() {
    let scratch = Scratch::new("options");
    for (args, needle) in [
        (&["--runs", "0"][..], "--runs"),
        (&["--runs", "x"], "--runs"),
        (&["--rounds", "0"], "--rounds"),
        (&["--rounds", "many"], "--rounds"),
        (
            &["--runs", "3", "--rounds", "4"],
            "--rounds 4 is more than --runs 3",
        ),
        (&["--warmup", "-1"], "--warmup"),
        (&["--latency-ms", "fast"], "--latency-ms"),
        (&["--workloads", "squares,cubes"], "cubes"),
        (&["--models", "fibers"], "fibers"),
        (&["--frobnicate"], "--frobnicate"),
        (&["--runs"], "--runs"),
    ] {
        let output = scratch.run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(needle),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

/// A model whose checksum disagrees stops the run before timing, with a table
/// naming it, and leaves no result file (and no temporary directory) behind.
#[test]
fn disagreeing_checksum_stops_before_timing() {
    let scratch = Scratch::new("gate");
    scratch.fake_model("seq", "42");
    scratch.fake_model("threads", "43");
    scratch.fake("concur-report", "exit 1");
    let output = scratch.run(&[
        "--no-build",
        "--workloads",
        "squares",
        "--models",
        "threads",
    ]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("correctness gate failed"), "{text}");
    assert!(text.contains("disagrees with 42"), "{text}");
    assert!(
        !text.contains("timing squares"),
        "nothing may be timed: {text}"
    );
    let left: Vec<_> = fs::read_dir(scratch.out()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A model that fails (exit 1) in the gate is named with its error.
#[test]
fn failing_model_stops_before_timing() {
    let scratch = Scratch::new("failing");
    scratch.fake_model("seq", "42");
    scratch.fake("concur-procs", "echo 'error: worker 0 died' >&2; exit 1");
    let output = scratch.run(&["--no-build", "--workloads", "squares", "--models", "procs"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("failed (exit 1): error: worker 0 died"),
        "{text}"
    );
}

/// A site server that cannot start fails the run with its own message.
#[test]
fn missing_server_fails_clearly() {
    let scratch = Scratch::new("server");
    scratch.fake_model("seq", "42");
    scratch.fake(
        "concur-sites",
        "echo 'cannot bind 127.0.0.1:0: boom' >&2; exit 1",
    );
    let output = scratch.run(&["--no-build", "--workloads", "download", "--models", "seq"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("the site server did not start"), "{text}");
    assert!(text.contains("boom"), "{text}");

    // No binary at all is named as missing, too.
    fs::remove_file(scratch.0.join("bin/concur-sites")).unwrap();
    let output = scratch.run(&["--no-build", "--workloads", "download", "--models", "seq"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("concur-sites is missing"),
        "{}",
        stderr(&output)
    );
}

/// A server that says it listens but does not answer is caught by the probe.
#[test]
fn silent_server_fails_clearly() {
    let scratch = Scratch::new("silent");
    scratch.fake(
        "concur-seq",
        "echo 'error: request failed: connection refused' >&2; exit 1",
    );
    scratch.fake(
        "concur-sites",
        "echo 'listening on http://127.0.0.1:9'; exec sleep 30",
    );
    let output = scratch.run(&["--no-build", "--workloads", "download", "--models", "seq"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("does not answer"), "{text}");
}
