//! A run whose peers fail, stop, or are not who they say: it ends with exit
//! 1 and one line naming the process, leaving no process behind, and an
//! uninvited connection is closed while the run goes on. All on loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_concur-cluster");

/// A cluster process started by the test, its stderr read line by line.
struct Running {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

fn start(args: &[&str], secret: Option<&str>) -> Running {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(secret) = secret {
        command.env("CONCUR_CLUSTER_SECRET", secret);
    }
    let mut child = command.spawn().expect("start concur-cluster");
    let stderr = child.stderr.take().expect("stderr");
    let (tell, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tell.send(line);
        }
    });
    Running {
        child,
        lines,
        seen: Vec::new(),
    }
}

impl Running {
    /// Waits for a stderr line containing `needle` and returns it.
    fn line_with(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!("no line with {needle:?}; saw {:?}", self.seen),
            }
        }
    }

    /// The exit code and the time it took to come, killing it past `limit`.
    fn exit_within(&mut self, limit: Duration) -> (Option<i32>, Duration) {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return (status.code(), started.elapsed());
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("still running after {limit:?}; saw {:?}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Every stderr line, once the process has closed its stderr.
    fn stderr_rest(&mut self) -> String {
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.seen.push(line);
        }
        self.seen.join("\n")
    }
}

fn pid_of(line: &str) -> i32 {
    line.rsplit(' ')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a pid at the end")
}

/// Whether a process with this pid still exists (a zombie counts).
fn exists(pid: i32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

fn signal(pid: i32, signal: nix::sys::signal::Signal) {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal).expect("signal");
}

fn gone_within(pid: i32, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if !exists(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

const LONG_SLEEP: &[&str] = &[
    "sleep",
    "--tasks",
    "4",
    "--wait-ms",
    "20000",
    "--processes",
    "2",
    "-v",
];

/// Process 1 killed mid-run: process 0 exits 1 at once, naming it.
#[test]
fn a_killed_process_ends_the_run_naming_it() {
    let mut run = start(LONG_SLEEP, None);
    let pid = pid_of(&run.line_with("process 1: pid"));
    run.line_with("process 1: mesh of 2 connected");
    signal(pid, nix::sys::signal::Signal::SIGKILL);
    let (code, took) = run.exit_within(Duration::from_secs(10));
    let stderr = run.stderr_rest();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: process 0:") && last.contains("process 1"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!exists(pid), "process 1 left behind");
}

/// Process 1 stopped (SIGSTOP) mid-run: process 0 gives up on it within
/// --peer-timeout-ms plus a margin, kills it and exits 1.
#[test]
fn a_stopped_process_ends_the_run_after_the_timeout() {
    let mut args = LONG_SLEEP.to_vec();
    args.extend(["--peer-timeout-ms", "500"]);
    let mut run = start(&args, None);
    let pid = pid_of(&run.line_with("process 1: pid"));
    run.line_with("process 1: mesh of 2 connected");
    signal(pid, nix::sys::signal::Signal::SIGSTOP);
    let (code, took) = run.exit_within(Duration::from_secs(10));
    let stderr = run.stderr_rest();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(took < Duration::from_millis(2500), "{took:?}");
    assert!(stderr.contains("process 1 stopped answering"), "{stderr}");
    assert!(!exists(pid), "process 1 left behind");
}

/// Process 0 killed: the process it started goes with it.
#[test]
fn the_processes_started_die_with_process_zero() {
    let mut run = start(LONG_SLEEP, None);
    let pid = pid_of(&run.line_with("process 1: pid"));
    run.line_with("process 1: mesh of 2 connected");
    run.child.kill().expect("kill process 0");
    let _ = run.child.wait();
    assert!(
        gone_within(pid, Duration::from_secs(2)),
        "process 1 outlived process 0"
    );
}

/// Two free loopback addresses, in a hosts file.
fn hosts_file(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let ports: Vec<TcpListener> = (0..2)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind"))
        .collect();
    let lines: Vec<String> = ports
        .iter()
        .map(|l| l.local_addr().expect("address").to_string())
        .collect();
    let path = dir.join("hosts");
    std::fs::write(&path, format!("# two processes\n{}\n", lines.join("\n"))).expect("write hosts");
    (path, lines[0].clone())
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("concur-cluster-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A connection with the wrong secret is closed and logged; the run, on
/// two processes started by hand from a hosts file, completes.
#[test]
fn a_wrong_secret_is_refused_while_the_run_completes() {
    let dir = temp_dir("secret");
    let (hosts, zero) = hosts_file(&dir);
    let secret = "a secret of this test run only";
    let secret_file = dir.join("secret");
    std::fs::write(&secret_file, secret).expect("write secret");
    let (hosts, secret_file) = (
        hosts.to_str().expect("path"),
        secret_file.to_str().expect("path"),
    );
    let job = ["sleep", "--tasks", "4", "--wait-ms", "50", "--hosts", hosts];
    let mut first: Vec<&str> = job.to_vec();
    first.extend(["--process", "0", "--secret-file", secret_file]);
    let mut zero_run = start(&first, None);
    let mut intruder = loop {
        match TcpStream::connect(&zero) {
            Ok(stream) => break stream,
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let wrong = b"not the secret of this run";
    let mut hello = b"concur-c".to_vec();
    hello.extend(1u32.to_le_bytes());
    hello.push(0);
    hello.extend(0u64.to_le_bytes());
    hello.extend((wrong.len() as u16).to_le_bytes());
    hello.extend(wrong);
    intruder.write_all(&hello).expect("send hello");
    intruder
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut answer = [0u8; 12];
    assert!(
        intruder.read_exact(&mut answer).is_err(),
        "the intruder was answered"
    );
    zero_run.line_with("did not give this run's secret");
    let mut second: Vec<&str> = job.to_vec();
    second.extend(["--process", "1"]);
    let mut one_run = start(&second, Some(secret));
    let (code, _) = one_run.exit_within(Duration::from_secs(20));
    assert_eq!(code, Some(0), "process 1: {}", one_run.stderr_rest());
    let (code, _) = zero_run.exit_within(Duration::from_secs(20));
    assert_eq!(code, Some(0), "process 0: {}", zero_run.stderr_rest());
    let mut stdout = String::new();
    zero_run
        .child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout)
        .expect("read");
    let record: serde_json::Value =
        serde_json::from_str(stdout.lines().last().expect("a record")).expect("json");
    assert_eq!(record["checksum"], "4", "{record}");
    assert_eq!(record["processes"], 2, "{record}");
    assert!(
        record["peers_cpu_ms"]["user"].as_f64().is_some(),
        "{record}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A process named in the hosts file that never starts: exit 1 after
/// --peer-timeout-ms, naming it.
#[test]
fn a_process_that_never_comes_is_named() {
    let dir = temp_dir("missing");
    let (hosts, _) = hosts_file(&dir);
    let hosts = hosts.to_str().expect("path");
    let args = [
        "squares",
        "--count",
        "2",
        "--hosts",
        hosts,
        "--process",
        "0",
        "--peer-timeout-ms",
        "300",
    ];
    let mut run = start(&args, Some("a secret of this test run only"));
    let (code, took) = run.exit_within(Duration::from_secs(10));
    let stderr = run.stderr_rest();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(took < Duration::from_millis(2300), "{took:?}");
    assert!(
        stderr.contains("processes [1] did not join the mesh"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Across hosts the secret is required: none given is an error saying how to give it.
#[test]
fn hosts_without_a_secret_say_how_to_give_one() {
    let dir = temp_dir("nosecret");
    let (hosts, _) = hosts_file(&dir);
    let hosts = hosts.to_str().expect("path");
    let mut run = start(&["squares", "--hosts", hosts, "--process", "1"], None);
    let (code, _) = run.exit_within(Duration::from_secs(10));
    let stderr = run.stderr_rest();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("--secret-file FILE or $CONCUR_CLUSTER_SECRET"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
