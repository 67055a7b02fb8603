//! Workers never outlive the parent, and a stopped worker cannot hang a job.
//!
//! Each test starts the binary with `-v`, reads the workers' pids from its
//! "workers started" line, acts on the parent or a worker, and checks within a
//! bounded time what became of every process. Whatever is still alive at the
//! end is killed by pid, so a failing test leaves nothing behind.

// Test helpers panic on purpose: a failed set-up step is a failed test.
#![allow(clippy::unwrap_used)]

use concur_sites::{Config, SiteServer};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_concur-procs");

/// Starts the binary with `args` and `-v`, and returns it with its workers'
/// pids (from its first stderr line) and the rest of its stderr.
fn start(args: &[&str]) -> (Child, Vec<Pid>, BufReader<ChildStderr>) {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let list = line
        .strip_prefix("workers started: pids [")
        .and_then(|rest| rest.trim_end().strip_suffix(']'))
        .unwrap_or_else(|| panic!("no pid line: {line:?}"));
    let pids = list
        .split(", ")
        .map(|pid| Pid::from_raw(pid.parse().unwrap()))
        .collect();
    (child, pids, stderr)
}

/// Whether `pid` is still a live process (not gone, not a zombie).
fn alive(pid: Pid) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    match stat
        .rsplit_once(") ")
        .and_then(|(_, rest)| rest.chars().next())
    {
        None | Some('Z' | 'X') => false,
        Some(_) => true,
    }
}

/// Waits up to `limit` for every pid to end; kills the survivors and returns them.
fn survivors(pids: &[Pid], limit: Duration) -> Vec<Pid> {
    let deadline = Instant::now() + limit;
    while pids.iter().any(|&pid| alive(pid)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left: Vec<Pid> = pids.iter().copied().filter(|&pid| alive(pid)).collect();
    for &pid in &left {
        let _ = kill(pid, Signal::SIGKILL);
    }
    left
}

/// Whatever signal ends the parent (SIGTERM, SIGINT, SIGHUP, SIGKILL) in the
/// middle of a long CPU task, its workers end within a second.
#[test]
fn workers_end_with_their_parent() {
    for signal in [
        Signal::SIGTERM,
        Signal::SIGINT,
        Signal::SIGHUP,
        Signal::SIGKILL,
    ] {
        // Two tasks of ~10 s each: the workers are computing when the parent dies.
        let (mut child, pids, _stderr) = start(&[
            "squares",
            "--start",
            "20000000000",
            "--count",
            "2",
            "--workers",
            "2",
        ]);
        assert_eq!(pids.len(), 2);
        kill(Pid::from_raw(child.id() as i32), signal).unwrap();
        child.wait().unwrap();
        let left = survivors(&pids, Duration::from_secs(1));
        assert!(
            left.is_empty(),
            "{signal}: workers {left:?} outlived the parent"
        );
    }
}

/// A worker stopped with SIGSTOP during `download` fails the job (exit 1)
/// with a message naming the worker, before `--timeout-ms`; the stopped
/// worker is killed, not left behind.
#[test]
fn stopped_worker_fails_the_job() {
    let server = SiteServer::spawn(Config {
        latency_ms: 200,
        ..Config::default()
    })
    .unwrap();
    let url = server.url("/page");
    // The job should end about 2 s in (1 s timeout + 1 s slack).
    let (status, rest, pids, left) = with_first_worker_stopped(&[
        "download",
        "--url",
        &url,
        "--repeat",
        "20",
        "--workers",
        "2",
        "--timeout-ms",
        "1000",
    ]);
    let status = status.unwrap_or_else(|| panic!("the job hung on a stopped worker: {rest}"));
    assert_eq!(status.code(), Some(1), "{rest}");
    assert!(
        rest.contains(&format!("worker 0 (pid {})", pids[0])) && rest.contains("is stopped"),
        "{rest}"
    );
    assert!(left.is_empty(), "workers {left:?} were left behind");
}

/// A worker stopped with SIGSTOP fails every CPU-bound workload too (exit 1,
/// naming it), though no task there has a time limit: the pool looks at the
/// workers' states, not at a clock; nothing is left behind.
#[test]
fn stopped_worker_fails_every_workload() {
    for job in [
        &["squares", "--start", "200000000", "--count", "80"][..],
        &["range-sum", "--end", "100000000000", "--parts", "80"],
        &[
            "convert",
            "--requests",
            "200000",
            "--cost-us",
            "5000",
            "--cost-kind",
            "spin",
        ],
    ] {
        let args: Vec<&str> = job.iter().chain(&["--workers", "2"]).copied().collect();
        // Found within a quarter second.
        let (status, rest, pids, left) = with_first_worker_stopped(&args);
        let status = status.unwrap_or_else(|| panic!("{job:?} hung on a stopped worker: {rest}"));
        assert_eq!(status.code(), Some(1), "{job:?}: {rest}");
        let named = format!("worker 0 (pid {}) is stopped", pids[0]);
        assert!(rest.contains(&named), "{job:?}: {rest}");
        assert!(
            left.is_empty(),
            "{job:?}: workers {left:?} were left behind"
        );
    }
}

/// Runs `args` with worker 0 stopped (SIGSTOP) as soon as the pool is up:
/// the exit status (`None` if it had not ended after 15 s, which means a
/// hang), the rest of stderr, the workers' pids and those left alive.
fn with_first_worker_stopped(
    args: &[&str],
) -> (Option<std::process::ExitStatus>, String, Vec<Pid>, Vec<Pid>) {
    let (mut child, pids, mut stderr) = start(args);
    kill(pids[0], Signal::SIGSTOP).unwrap();
    let status = exit_within(&mut child, Instant::now() + Duration::from_secs(15));
    let left = survivors(&pids, Duration::from_secs(1));
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    (status, rest, pids, left)
}

/// The child's exit status if it exits by `deadline`; else it is killed and `None`.
fn exit_within(child: &mut Child, deadline: Instant) -> Option<std::process::ExitStatus> {
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
