//! `scripts/sweep.sh`: option parsing, which must stop it before anything is
//! built or timed.

// Test helpers panic on purpose: a failed set-up step is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/sweep.sh")
}

/// `--help` explains every option and exits 0.
#[test]
fn help_lists_options() {
    let output = Command::new("bash").arg(script()).arg("--help").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    for option in ["--quick", "--sweeps", "--runs", "--out", "--no-build", "--no-idle-poll"] {
        assert!(text.contains(option), "--help lacks {option}");
    }
}

/// A bad sweep list, run count or option exits 2 with a message naming it,
/// and creates no output directory.
#[test]
fn bad_options_exit_2() {
    let out = std::env::temp_dir().join(format!("concur-sweep-options-{}", std::process::id()));
    for (args, needle) in [
        (&["--sweeps", "tasks,nope"][..], "nope"),
        (&["--sweeps", ""], "--sweeps"),
        (&["--runs", "0"], "--runs"),
        (&["--runs", "x"], "--runs"),
        (&["--frobnicate"], "--frobnicate"),
        (&["--out"], "--out"),
    ] {
        let mut command = Command::new("bash");
        // Should parsing ever let an option through, the run stops at once:
        // no binaries where it looks for them.
        command
            .arg(script())
            .args(args)
            .args(["--quick", "--no-build"])
            .env("CONCUR_BIN_DIR", "/nonexistent");
        if !args.contains(&"--out") {
            command.arg("--out").arg(&out);
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} created {}", out.display());
    }
}
