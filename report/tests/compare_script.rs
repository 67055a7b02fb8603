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

    /// PATH with the fake bin dir first (so a fake `hyperfine` is found).
    fn path(&self) -> String {
        format!("{}:{}", self.0.join("bin").display(), std::env::var("PATH").unwrap_or_default())
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("bash")
            .arg(script())
            .args(args)
            .arg("--out")
            .arg(self.out())
            .env("CONCUR_BIN_DIR", self.0.join("bin"))
            .env("PATH", self.path())
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
    let output = Command::new("bash").arg(script()).arg("--help").output().unwrap();
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
        (&["--runs", "3", "--rounds", "4"], "--rounds 4 is more than --runs 3"),
        (&["--warmup", "-1"], "--warmup"),
        (&["--latency-ms", "fast"], "--latency-ms"),
        (&["--workloads", "squares,cubes"], "cubes"),
        (&["--workloads", ""], "--workloads"),
        (&["--models", ""], "--models"),
        (&["--models", "fibers"], "fibers"),
        (&["--frobnicate"], "--frobnicate"),
        (&["--runs"], "--runs"),
    ] {
        let output = scratch.run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(needle), "{args:?}: {}", stderr(&output));
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
    let output = scratch.run(&["--no-build", "--workloads", "squares", "--models", "threads"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("correctness gate failed"), "{text}");
    assert!(text.contains("disagrees with 42"), "{text}");
    assert!(!text.contains("timing squares"), "nothing may be timed: {text}");
    // The output directory was created by this run and is gone with it.
    assert!(!scratch.out().exists(), "left behind: {:?}", scratch.out());
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
    assert!(text.contains("failed (exit 1): error: worker 0 died"), "{text}");
}

/// A site server that cannot start fails the run with its own message.
#[test]
fn missing_server_fails_clearly() {
    let scratch = Scratch::new("server");
    scratch.fake_model("seq", "42");
    scratch.fake("concur-sites", "echo 'cannot bind 127.0.0.1:0: boom' >&2; exit 1");
    let output = scratch.run(&["--no-build", "--workloads", "download", "--models", "seq"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("the site server did not start"), "{text}");
    assert!(text.contains("boom"), "{text}");

    // No binary at all is named as missing, too.
    fs::remove_file(scratch.0.join("bin/concur-sites")).unwrap();
    let output = scratch.run(&["--no-build", "--workloads", "download", "--models", "seq"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("concur-sites is missing"), "{}", stderr(&output));
}

/// A server that says it listens but does not answer is caught by the probe.
#[test]
fn silent_server_fails_clearly() {
    let scratch = Scratch::new("silent");
    scratch.fake("concur-seq", "echo 'error: request failed: connection refused' >&2; exit 1");
    scratch.fake("concur-sites", "echo 'listening on http://127.0.0.1:9'; exec sleep 30");
    let output = scratch.run(&["--no-build", "--workloads", "download", "--models", "seq"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("does not answer"), "{text}");
}

/// Puts a fake `hyperfine` 1.20.0 in the fake bin dir: it writes an empty
/// export where `--export-json` says, after `body` (shell code) has run.
fn fake_hyperfine(scratch: &Scratch, body: &str) {
    scratch.fake(
        "hyperfine",
        &format!(
            r#"[ "${{1:-}}" = --version ] && {{ echo 'hyperfine 1.20.0'; exit 0; }}
{body}
while [ $# -gt 0 ]; do [ "$1" = --export-json ] && out=$2; shift; done
echo '{{"results":[]}}' >"$out""#
        ),
    );
}

/// The fake `concur-report`'s subcommands (each writes `{}`), then, for the
/// report itself, `dir` set to its --dir and `report`, shell code run there.
fn fake_report_body(report: &str) -> String {
    let steps = r#"case "$1" in
  record) echo '{}'; exit 0 ;;
  params|machine|join-exports) while [ "$1" != --out ]; do shift; done; echo '{}' >"$2"; exit 0 ;;
esac
while [ $# -gt 0 ]; do [ "$1" = --dir ] && dir=$2; shift; done"#;
    format!("{steps}\n{report}")
}

/// The fake report that writes a README.md saying `report`.
const REPORT_README: &str = r#"echo report >"$dir/README.md""#;

/// Puts the fake `concur-report` in the fake bin dir.
fn fake_report(scratch: &Scratch) {
    scratch.fake("concur-report", &fake_report_body(REPORT_README));
}

/// The fake `concur-report`, which also writes the arguments of each call
/// whose first argument is `first` (`params`, `--dir`) to `to`.
fn fake_report_noting(scratch: &Scratch, first: &str, to: &Path) {
    let note = format!("[ \"$1\" = {first} ] && echo \"$@\" >'{}'\n", to.display());
    scratch.fake("concur-report", &(note + &fake_report_body(REPORT_README)));
}

/// Runs the script in the background with the fake bin dir first on PATH.
fn spawn(scratch: &Scratch, args: &[&str]) -> std::process::Child {
    let path = scratch.path();
    Command::new("bash")
        .arg(script())
        .args(args)
        .arg("--out")
        .arg(scratch.out())
        .env("CONCUR_BIN_DIR", scratch.0.join("bin"))
        .env("PATH", path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits (at most 20 s) for `path` to exist and returns the pid written in it.
fn wait_for_pid(path: &Path) -> i32 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(pid) = fs::read_to_string(path).ok().and_then(|t| t.trim().parse().ok()) {
            return pid;
        }
        assert!(std::time::Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Sends SIGINT to the script and returns how long it took to exit, and its
/// status; a script still running after 10 s is killed and the test fails.
fn interrupt(child: &mut std::process::Child) -> (std::time::Duration, Option<i32>) {
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let sent = std::time::Instant::now();
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (sent.elapsed(), status.code());
        }
        if sent.elapsed() > std::time::Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("compare.sh was still running 10 s after SIGINT");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Runs the script on `squares` with `seq` alone, waits for the process that
/// writes its pid to `marker` (`what`, in messages) to start, interrupts the
/// script, and asserts that it exits 130 within 3 s and takes that process with it.
fn interrupt_stops(scratch: &Scratch, marker: &Path, what: &str) {
    let mut child = spawn(scratch, &["--no-build", "--workloads", "squares", "--models", "seq"]);
    let pid = wait_for_pid(marker);
    let (took, code) = interrupt(&mut child);
    assert!(took < std::time::Duration::from_secs(3), "exit took {took:?}");
    assert_eq!(code, Some(130));
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(!alive(pid), "{what} (pid {pid}) outlived the script");
}

/// Whether `pid` is a live process (not gone, not a zombie).
fn alive(pid: i32) -> bool {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    !matches!(
        stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next()),
        None | Some('Z' | 'X')
    )
}

/// SIGINT while the gate runs a model stops the script at once, ends the
/// model, and leaves no output directory where there was none.
#[test]
fn interrupt_in_the_gate_leaves_nothing() {
    let scratch = Scratch::new("interrupt-gate");
    let marker = scratch.0.join("model.pid");
    scratch.fake("concur-seq", &format!("echo $$ >'{}'; exec sleep 30", marker.display()));
    interrupt_stops(&scratch, &marker, "the model");
    assert!(!scratch.out().exists(), "an empty output directory stayed behind");
}

/// SIGINT while hyperfine is timing stops the script at once and ends
/// hyperfine with it.
#[test]
fn interrupt_while_timing_stops_hyperfine() {
    let scratch = Scratch::new("interrupt-timing");
    scratch.fake_model("seq", "42");
    fake_report(&scratch);
    let marker = scratch.0.join("hyperfine.pid");
    fake_hyperfine(&scratch, &format!("echo $$ >'{}'; sleep 30", marker.display()));
    interrupt_stops(&scratch, &marker, "hyperfine");
}

/// A reused output directory loses the files an earlier run generated for
/// other workloads, keeps its other subdirectories; a directory of unrelated
/// files is refused and left as it was.
#[test]
fn reused_output_is_replaced_as_a_whole() {
    let scratch = Scratch::new("reuse");
    scratch.fake_model("seq", "42");
    fake_hyperfine(&scratch, "");
    fake_report(&scratch);
    let out = scratch.out();
    fs::create_dir_all(out.join("sweeps")).unwrap();
    for stale in ["params.json", "download.json", "download.svg", "convert.csv"] {
        fs::write(out.join(stale), "old").unwrap();
    }
    fs::write(out.join("sweeps/keep.csv"), "mine").unwrap();
    let output = scratch.run(&["--no-build", "--workloads", "squares", "--models", "seq"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for stale in ["download.json", "download.svg", "convert.csv"] {
        assert!(!out.join(stale).exists(), "{stale} stayed behind");
    }
    assert!(out.join("rounds/squares.1.json").exists());
    assert_eq!(fs::read_to_string(out.join("README.md")).unwrap(), "report\n");
    assert_ne!(fs::read_to_string(out.join("params.json")).unwrap(), "old");
    assert_eq!(fs::read_to_string(out.join("sweeps/keep.csv")).unwrap(), "mine");

    let other = scratch.0.join("other");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("notes.md"), "mine").unwrap();
    let output = Command::new("bash")
        .arg(script())
        .args(["--no-build", "--workloads", "squares", "--models", "seq", "--out"])
        .arg(&other)
        .env("CONCUR_BIN_DIR", scratch.0.join("bin"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("not an earlier output"), "{}", stderr(&output));
    assert_eq!(fs::read_to_string(other.join("notes.md")).unwrap(), "mine");
    assert_eq!(fs::read_dir(&other).unwrap().count(), 1);
}

/// The generated files at the top of `out` and in its `rounds/`, with their contents.
fn generated(out: &Path) -> std::collections::BTreeMap<String, String> {
    let mut files = std::collections::BTreeMap::new();
    for dir in [out.to_path_buf(), out.join("rounds")] {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_file() {
                let name = path.strip_prefix(out).unwrap().display().to_string();
                files.insert(name, fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    files
}

/// SIGINT, to the script or to its whole process group, at several delays
/// into writing the report, over a complete earlier output: the output is the
/// earlier one byte for byte, or the complete new one, never a mix; nothing
/// temporary stays behind, and the next run is not refused.
#[test]
fn interrupt_while_writing_the_report_keeps_a_whole_output() {
    use std::os::unix::process::CommandExt as _;
    let scratch = Scratch::new("interrupt-report");
    scratch.fake_model("seq", "42");
    fake_hyperfine(&scratch, "");
    // A report of 300 charts, each saying which run wrote it, so that a mix shows.
    let marker = scratch.0.join("report.done");
    scratch.fake(
        "concur-report",
        &fake_report_body(&format!(
            r#"for i in $(seq 1 300); do echo "$RUN_MARK" >"$dir/chart$i.svg"; done
echo "$RUN_MARK" >"$dir/README.md"; echo done >'{}'"#,
            marker.display()
        )),
    );
    let run = |mark: &str| {
        let mut command = Command::new("bash");
        command
            .arg(script())
            .args(["--no-build", "--workloads", "squares", "--models", "seq", "--out"])
            .arg(scratch.out())
            .env("CONCUR_BIN_DIR", scratch.0.join("bin"))
            .env("PATH", scratch.path())
            .env("RUN_MARK", mark)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0);
        command
    };
    assert!(run("old").status().unwrap().success());
    let earlier = generated(&scratch.out());
    assert!(earlier.len() > 300, "{} files", earlier.len());
    for (delay_ms, group) in [(0, false), (1, true), (3, false), (6, true), (12, false), (25, true)]
    {
        let _ = fs::remove_file(&marker);
        let mut child = run("new").spawn().unwrap();
        wait_for_marker(&marker);
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let pid = child.id() as i32;
        let target = nix::unistd::Pid::from_raw(if group { -pid } else { pid });
        let _ = nix::sys::signal::kill(target, nix::sys::signal::Signal::SIGINT);
        let _ = child.wait().unwrap();
        let now = generated(&scratch.out());
        let names = |files: &std::collections::BTreeMap<String, String>| {
            files.keys().cloned().collect::<Vec<_>>()
        };
        assert_eq!(names(&now), names(&earlier), "after {delay_ms} ms: the set of files changed");
        let marks: std::collections::BTreeSet<&str> = now
            .iter()
            .filter(|(name, _)| name.ends_with(".svg") || name.as_str() == "README.md")
            .map(|(_, text)| text.trim())
            .collect();
        assert_eq!(marks.len(), 1, "after {delay_ms} ms: a mix of runs {marks:?}");
        if marks.contains("old") {
            assert_eq!(now, earlier, "after {delay_ms} ms: the earlier output changed");
        }
        let hidden: Vec<String> = fs::read_dir(scratch.out())
            .unwrap()
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with('.'))
            .collect();
        assert!(hidden.is_empty(), "after {delay_ms} ms: left behind {hidden:?}");
    }
    assert!(run("last").status().unwrap().success(), "the next run was refused");
}

/// Waits (at most 20 s) for `path` to exist.
fn wait_for_marker(path: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !path.exists() {
        assert!(std::time::Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// A stand-in for a site server on 127.0.0.1 that answers every request with
/// `body` (HTTP/1.0, then closes) on a thread of its own; returns its base URL.
fn answering_server(body: &'static str) -> String {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten().take(20) {
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
            // The whole head is read first: closing with unread bytes would
            // reset the connection and could lose the answer.
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let _ =
                write!(stream, "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        }
    });
    base
}

/// With `--sites URL`, the latency of the ideal bounds is the one the server
/// says it answers with (GET /stats), not the script's own setting; a server
/// that cannot say gets no latency at all, and a line says so.
#[test]
fn sites_url_takes_the_latency_from_the_server() {
    for (body, expected, told) in [
        (
            r#"{"server":"concur-sites","latency_ms":700,"body_bytes":1024}"#,
            Some("--latency-ms 700"),
            "ignored",
        ),
        ("not found", None, "does not say its latency"),
    ] {
        let scratch = Scratch::new("sites-latency");
        scratch.fake_model("seq", "42");
        fake_hyperfine(&scratch, "");
        let args_file = scratch.0.join("params.args");
        fake_report_noting(&scratch, "params", &args_file);
        let base = answering_server(body);
        let output = scratch.run(&[
            "--no-build",
            "--workloads",
            "download",
            "--models",
            "seq",
            "--sites",
            &base,
            "--latency-ms",
            "5",
        ]);
        let log = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{log}");
        let args = fs::read_to_string(&args_file).unwrap();
        match expected {
            Some(latency) => assert!(args.contains(latency), "{args}\n{log}"),
            None => assert!(!args.contains("--latency-ms"), "{args}"),
        }
        assert!(log.contains(told), "{log}");
    }
}

/// The progress lines of a run off a terminal, in order.
fn progress_lines(output: &Output) -> Vec<String> {
    stderr(output).lines().filter(|line| line.starts_with('[')).map(str::to_string).collect()
}

/// Off a terminal, a progress line begins each workload's turn in each round,
/// labelled with that workload; with the interval at 0 s, every command has one.
#[test]
fn progress_off_a_terminal_names_each_workload_and_round() {
    let scratch = Scratch::new("progress");
    scratch.fake_model("seq", "42");
    scratch.fake_model("threads", "42");
    fake_hyperfine(&scratch, "");
    fake_report(&scratch);
    let args = [
        "--no-build",
        "--workloads",
        "squares,range-sum",
        "--models",
        "threads",
        "--runs",
        "2",
        "--rounds",
        "2",
    ];
    let output = scratch.run(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines = progress_lines(&output);
    let expected = [
        "squares seq, round 1/2",
        "range-sum seq, round 1/2",
        "squares seq, round 2/2",
        "range-sum seq, round 2/2",
    ];
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    for (line, label) in lines.iter().zip(expected) {
        assert!(line.contains(label), "{line} is not {label}");
    }

    let output = Command::new("bash")
        .arg(script())
        .args(args)
        .arg("--out")
        .arg(scratch.out())
        .env("CONCUR_BIN_DIR", scratch.0.join("bin"))
        .env("CONCUR_PROGRESS_EVERY_S", "0")
        .env("PATH", scratch.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines = progress_lines(&output);
    // Every command has its line: [1/N], [2/N], ... [N/N].
    let total = lines.len();
    assert!(total > expected.len(), "{lines:#?}");
    for (k, line) in lines.iter().enumerate() {
        let counter = format!("[{}/{total}]", k + 1);
        assert!(line.starts_with(&counter), "{line} is not {counter}");
    }
}

/// A newcomer's run, in a fresh clone and with no --out, leaves `git status`
/// as it was: the output goes under target/ (which git ignores), and it is
/// compared with the committed results/ (the baseline handed to the report).
#[test]
fn a_run_without_out_leaves_the_checkout_clean() {
    let scratch = Scratch::new("clean-checkout");
    scratch.fake_model("seq", "42");
    fake_hyperfine(&scratch, "");
    let report_args = scratch.0.join("report.args");
    fake_report_noting(&scratch, "--dir", &report_args);
    let clone = scratch.0.join("clone");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let git = |args: &[&str]| Command::new("git").args(args).output();
    match git(&["clone", "-q", root.to_str().unwrap(), clone.to_str().unwrap()]) {
        Ok(output) if output.status.success() => {}
        _ => return eprintln!("skipped: git cannot clone here"),
    }
    // The scripts as they are in this working tree, uncommitted changes included.
    let copied = Command::new("cp").arg("-r").arg(root.join("scripts")).arg(&clone).status();
    assert!(copied.unwrap().success());
    let status = || git(&["-C", clone.to_str().unwrap(), "status", "--porcelain"]).unwrap().stdout;
    let before = status();
    let output = Command::new("bash")
        .arg(clone.join("scripts/compare.sh"))
        .args(["--no-build", "--workloads", "squares", "--models", "seq", "--runs", "1"])
        .env("CONCUR_BIN_DIR", scratch.0.join("bin"))
        .env("PATH", scratch.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(clone.join("target/compare/params.json").exists(), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&status()), String::from_utf8_lossy(&before));
    let args = fs::read_to_string(&report_args).unwrap();
    assert!(args.contains(&format!("--baseline {}", clone.join("results").display())), "{args}");
}
