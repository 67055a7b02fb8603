//! `scripts/lib/idle_poll.sh`, which compare.sh and targets.sh source to keep
//! idle CPUs polling while the waiting workloads are timed. Where this
//! process may write `/dev/cpu_dma_latency` (root), the tests really hold the
//! request, for well under a second; elsewhere they check that nothing is
//! held and that the state says why.

// Test helpers panic on purpose: a failed set-up step is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn lib() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/lib/idle_poll.sh")
}

/// Runs `body` in bash after sourcing the library; returns stdout's lines.
fn bash(body: &str) -> Vec<String> {
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!(". '{}'\n{body}", lib().display()))
        .output()
        .unwrap();
    assert!(output.status.success(), "bash failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect()
}

/// `--no-idle-poll` (idle_poll_wanted=false) holds nothing and says so.
#[test]
fn not_wanted_holds_nothing() {
    let lines = bash(
        "idle_poll_wanted=false; idle_poll_check; idle_poll_hold
         echo \"$idle_poll_state\"; echo \"pid=$idle_poll_pid\"",
    );
    assert_eq!(lines, ["off (--no-idle-poll): idle CPUs halt", "pid="]);
}

/// Held, the kernel's target is 0 and a holder runs; released, the holder
/// is gone. Without write access, nothing is held and the state says why.
#[test]
fn hold_and_release() {
    let lines = bash(
        "idle_poll_check; idle_poll_hold
         echo \"$idle_poll_state\"; echo \"pid=$idle_poll_pid\"; echo \"held=$(idle_poll_target)\"
         holder=$idle_poll_pid; idle_poll_release
         echo \"pid=$idle_poll_pid\"
         if [ -n \"$holder\" ] && kill -0 \"$holder\" 2>/dev/null; then echo alive; else echo gone; fi",
    );
    let [state, pid, held, after, holder] = lines.as_slice() else {
        panic!("unexpected output: {lines:?}");
    };
    if state.starts_with("poll") {
        assert_ne!(pid, "pid=", "a holder was started");
        assert_eq!(held, "held=0", "the request is in force while held");
    } else {
        assert!(state.starts_with("off (") && state.ends_with("idle CPUs halt"), "{state}");
        assert_eq!(pid, "pid=");
    }
    assert_eq!(after, "pid=");
    assert_eq!(holder, "gone");
}

/// A script killed outright (no trap runs) leaves no holder behind for long:
/// it notices its parent is gone within about a second.
#[test]
fn holder_outlives_a_killed_script_by_a_second_at_most() {
    let lines = bash("idle_poll_check; echo \"$idle_poll_state\"");
    if !lines[0].starts_with("poll") {
        // Nothing can be held here, so there is nothing to leave behind.
        return;
    }
    let script = format!(
        ". '{}'; idle_poll_check; idle_poll_hold; echo \"$idle_poll_pid\"; exec sleep 30",
        lib().display()
    );
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(script)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut pid = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut pid,
    )
    .unwrap();
    let pid = pid.trim().to_owned();
    assert!(!pid.is_empty(), "a holder was started");
    child.kill().unwrap();
    child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        // Gone, or exited and waiting to be reaped by whoever adopted it (a
        // zombie, which `kill -0` would still find): it holds nothing.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
        if !matches!(state, Some(Some(state)) if state != 'Z') {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the holder {pid} outlived its killed script by 3 s");
}
