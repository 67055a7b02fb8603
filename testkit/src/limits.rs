//! Running a model binary with little room for threads and processes, for
//! the tests of what a binary does when the OS refuses one.
//!
//! The refusal comes from a small `RLIMIT_NPROC` set on the child only
//! (`prlimit`), so the machine's own limits are never approached. The kernel
//! does not apply that limit to root, so as root the child also runs as
//! `nobody` (`setpriv`); the limit then counts nobody's threads.

use crate::run_binary;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The uid the child runs as when the test runs as root.
const NOBODY: u32 = 65_534;

/// Threads the child may start beyond what its user already runs.
const ROOM: usize = 20;

/// Runs `bin` with each variant's arguments plus `--workers 1000`, with room
/// for a few threads only, and checks that every run exits 1 with one stderr
/// line naming the thread limits. Skips (saying why) where the machine cannot
/// limit a child's threads.
pub fn assert_refused_thread_is_one_line_error(bin: &str, variants: &[&[&str]]) {
    assert_refused_is_one_line_error(bin, variants, "thread");
}

/// Like [`assert_refused_thread_is_one_line_error`], for a model that forks a
/// worker process per worker: the same limit (`ulimit -u` counts processes
/// and threads alike) refuses a fork, and the line names the process limits.
pub fn assert_refused_process_is_one_line_error(bin: &str, variants: &[&[&str]]) {
    assert_refused_is_one_line_error(bin, variants, "process");
}

/// The check of both: `what` is "thread" or "process", as the error says.
fn assert_refused_is_one_line_error(bin: &str, variants: &[&[&str]], what: &str) {
    let prefix = match limited_prefix(bin) {
        Ok(prefix) => prefix,
        Err(reason) => {
            eprintln!("skipped: {reason}");
            return;
        }
    };
    for variant in variants {
        let mut args: Vec<&str> = prefix.iter().map(String::as_str).collect();
        args.extend(*variant);
        args.extend(["--workers", "1000"]);
        // run_binary kills the child and fails the test after 10 s.
        let run = run_binary(args[0], &args[1..], Duration::from_secs(10));
        assert_eq!(run.code, Some(1), "{variant:?}: stderr {:?}", run.stderr);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{variant:?}: {:?}", run.stderr);
        let line = lines[0];
        assert!(
            line.starts_with(&format!("error: cannot start {what} ")),
            "{variant:?}: {line}"
        );
        for needle in [
            " of 1000: ",
            "ulimit -u",
            "threads-max",
            "pid_max",
            "--workers",
        ] {
            assert!(
                line.contains(needle),
                "{variant:?}: {needle:?} missing: {line}"
            );
        }
        assert!(
            run.stdout.is_empty(),
            "{variant:?}: stdout {:?}",
            run.stdout
        );
    }
}

/// The command that runs `bin` with room for [`ROOM`] more threads, or why
/// this machine cannot run it so.
fn limited_prefix(bin: &str) -> Result<Vec<String>, String> {
    let root = own_uid()? == 0;
    let uid = if root { NOBODY } else { own_uid()? };
    let mut prefix = vec![
        tool("prlimit")?,
        format!("--nproc={}", threads_of(uid)? + ROOM),
        "--".to_owned(),
    ];
    if root {
        reachable_by_others(Path::new(bin))?;
        prefix.extend([
            tool("setpriv")?,
            format!("--reuid={NOBODY}"),
            format!("--regid={NOBODY}"),
            "--clear-groups".to_owned(),
            "--".to_owned(),
        ]);
    }
    prefix.push(bin.to_owned());
    Ok(prefix)
}

/// `name` if it runs (both tools are util-linux's).
fn tool(name: &str) -> Result<String, String> {
    let runs = Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if runs {
        Ok(name.to_owned())
    } else {
        Err(format!("`{name}` (util-linux) is not installed"))
    }
}

/// The real uid of this process.
fn own_uid() -> Result<u32, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status: {e}"))?;
    real_uid(&status).ok_or_else(|| "no Uid line in /proc/self/status".to_owned())
}

/// The real uid in a /proc/PID/status text.
fn real_uid(status: &str) -> Option<u32> {
    field(status, "Uid:")?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn field<'a>(status: &'a str, name: &str) -> Option<&'a str> {
    status.lines().find_map(|line| line.strip_prefix(name))
}

/// Threads whose real uid is `uid`: what RLIMIT_NPROC counts.
fn threads_of(uid: u32) -> Result<usize, String> {
    let entries = std::fs::read_dir("/proc").map_err(|e| format!("cannot list /proc: {e}"))?;
    let mut threads = 0;
    for entry in entries.flatten() {
        // Processes come and go while this runs; one that went is skipped.
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        if real_uid(&status) == Some(uid) {
            threads += field(&status, "Threads:")
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(1);
        }
    }
    Ok(threads)
}

/// Whether another user may execute `bin`: it and every directory above it
/// must be executable by others.
fn reachable_by_others(bin: &Path) -> Result<(), String> {
    for path in bin.ancestors().filter(|path| !path.as_os_str().is_empty()) {
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("cannot stat {}: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o001 == 0 {
            return Err(format!(
                "{} is not executable by others, so `nobody` cannot run {}",
                path.display(),
                bin.display()
            ));
        }
    }
    Ok(())
}
