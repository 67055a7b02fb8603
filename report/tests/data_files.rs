//! The subcommands that write compare.sh's data files: `machine`, `params`,
//! `record` and `join-exports`. Hostile text (quotes, backslashes, tabs, line
//! breaks, bytes that are not UTF-8) must come out as valid JSON that reads back
//! as the text that went in.

mod common;

use std::fs;
use std::process::{Command, Output};

use common::{BINARY, Scratch, fixture, run, stderr, stdout};
use concur_report::files::Export;
use serde_json::{Map, Value};

/// Runs `concur-report machine --out <scratch>/machine.json` with this idle text
/// and commit, then `extra`; the CPU, memory, OS and kernel release are read from
/// the scratch's `cpuinfo`, `meminfo`, `os-release` and `kernel-release`, which a
/// test may leave absent.
fn run_machine(scratch: &Scratch, idle: &str, commit: &str, extra: &[&str]) -> Output {
    let mut command = Command::new(BINARY);
    command.args(["machine", "--hyperfine", "1.20.0", "--idle", idle]);
    command.args(["--rustc", "rustc 1.95.0 (59807616e 2026-04-14)"]);
    command.args(["--date", "2026-11-22T09:41:19Z", "--commit", commit]);
    command.arg("--out").arg(scratch.path("machine.json"));
    for (option, file) in [
        ("--cpuinfo", "cpuinfo"),
        ("--meminfo", "meminfo"),
        ("--os-release", "os-release"),
        ("--kernel-release", "kernel-release"),
    ] {
        command.arg(option).arg(scratch.path(file));
    }
    command.args(extra).output().expect("run concur-report machine")
}

fn json_object(text: &str) -> Map<String, Value> {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not a JSON object ({error}): {text}"))
}

/// Hostile CPU, commit and idle text give a machine.json that parses and round-trips.
#[test]
fn machine_json_survives_hostile_text() {
    // Quotes, backslashes, a tab and invalid UTF-8 in the CPU name; line breaks in the commit and
    // the idle text.
    let scratch = Scratch::empty("machine");
    scratch.write(
        "cpuinfo",
        b"processor\t: 0\nvendor_id\t: Fake\nmodel name\t: Fake \"Quoted\" C:\\cpu\\ x\ty \xff\xfe end\nflags\t\t: fpu\n\nprocessor\t: 1\nmodel name\t: second\n",
    );
    scratch.write("meminfo", "MemTotal:       24641536 kB\nMemFree:  1000 kB\n");
    scratch.write(
        "os-release",
        "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian \\\"quoted\\\" \\\\ 12\"\n",
    );
    scratch.write("kernel-release", "6.1.0-test\n");
    let commit = "abc1234 (with uncommitted changes)\nsecond line \"quoted\" \\";
    let idle = "poll\twhile\nwaiting \u{2014} \"PM QoS\"";
    let output = run_machine(&scratch, idle, commit, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "", "nothing on stdout");
    let text = scratch.read("machine.json");
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    let machine = json_object(&text);
    let keys: Vec<&str> = machine.keys().map(String::as_str).collect();
    let mut expected = [
        "cpu",
        "cores",
        "memory_gib",
        "kernel",
        "os",
        "rustc",
        "hyperfine",
        "idle",
        "date",
        "commit",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected, "no python key without --python");
    assert_eq!(
        machine["cpu"], "Fake \"Quoted\" C:\\cpu\\ x\ty \u{fffd}\u{fffd} end",
        "lossy for the non-UTF-8 bytes, exact for the rest"
    );
    assert_eq!(machine["memory_gib"], 23.5);
    assert!(machine["cores"].as_u64().is_some_and(|cores| cores >= 1));
    assert_eq!(machine["kernel"], "6.1.0-test");
    assert_eq!(machine["os"], "Debian \"quoted\" \\ 12");
    assert_eq!(machine["commit"], commit);
    assert_eq!(machine["idle"], idle);
    // Keys in the documented order, as today's file has them.
    let positions: Vec<usize> = ["\"cpu\"", "\"cores\"", "\"memory_gib\"", "\"kernel\"", "\"os\""]
        .iter()
        .map(|key| text.find(key).expect(key))
        .collect();
    assert!(positions.is_sorted(), "{text}");
}

/// --python adds the python key; a missing source leaves its key null with a warning.
#[test]
fn machine_json_python_and_missing_sources() {
    // The scratch directory has none of the four sources.
    let scratch = Scratch::empty("machine-missing");
    let output = run_machine(&scratch, "halt", "c", &["--python", "Python 3.11.2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let warnings = stderr(&output);
    assert!(
        warnings.contains("concur-report: warning: cannot read ")
            && warnings.contains("; cpu left empty"),
        "{warnings}"
    );
    let machine = json_object(&scratch.read("machine.json"));
    assert_eq!(machine["python"], "Python 3.11.2");
    for key in ["cpu", "memory_gib", "kernel", "os"] {
        assert_eq!(machine[key], Value::Null, "{key}");
    }
}

/// params.json keeps today's layout and order and reads back through the report.
#[test]
fn params_json_round_trips_through_the_report() {
    // The README's skipped-CPython line and the parameters as code.
    let scratch = Scratch::copy_of("full");
    let out = scratch.path("params.json");
    let odd = "--label \"a, b\" --path C:\\x";
    let workload_args = [
        "squares=--start 5000000 --count 20".to_string(),
        "download=--repeat 80".to_string(),
        format!("range-sum={odd}"),
    ];
    let mut args = vec![
        "params",
        "--out",
        out.to_str().expect("UTF-8 path"),
        "--latency-ms",
        "50",
        "--quick",
        "false",
        "--runs",
        "3",
        "--rounds",
        "1",
        "--warmup",
        "1",
        "--idle",
        "poll \"PM QoS\"\nnext line",
        "--python-skipped",
        "python3 is missing",
    ];
    for workload in &workload_args {
        args.push("--workload");
        args.push(workload);
    }
    let output = run(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = scratch.read("params.json");
    // The latency's spelling (`50` or `50.0`) is checked on its own below.
    let (latency, rest) = text
        .strip_prefix("{\"latency_ms\":")
        .and_then(|rest| rest.split_once(','))
        .unwrap_or_else(|| panic!("latency_ms first: {text}"));
    assert_eq!(latency.parse::<f64>().ok(), Some(50.0), "{text}");
    assert!(
        rest.starts_with(
            "\"quick\":false,\"runs\":3,\"rounds\":1,\"warmup\":1,\
             \"idle\":\"poll \\\"PM QoS\\\"\\nnext line\",\"python_skipped\":\"python3 is missing\",\
             \"workloads\":{\"squares\":\"--start 5000000 --count 20\",\"download\":\"--repeat 80\",\
             \"range-sum\":"
        ),
        "{text}"
    );
    assert!(text.ends_with("}}\n"), "{text}");
    let params = json_object(&text);
    assert_eq!(params["workloads"]["range-sum"], odd);
    assert_eq!(params["idle"], "poll \"PM QoS\"\nnext line");

    let report = scratch.run();
    assert!(report.status.success(), "{}", stderr(&report));
    let readme = scratch.read("README.md");
    assert!(
        readme.contains("The Python variants (`python-*`) were skipped: python3 is missing.\n")
    );
    assert!(readme.contains(&format!("Parameters: `{odd}`")));
}

/// params.json writes `--latency-ms` as the whole number compare.sh always wrote.
#[test]
fn params_json_writes_whole_milliseconds() {
    // `"latency_ms":50`, so a rerun does not change the committed results/params.json.
    let scratch = Scratch::empty("params-latency");
    let out = scratch.path("params.json");
    let output = run(&[
        "params",
        "--out",
        out.to_str().expect("UTF-8 path"),
        "--latency-ms",
        "50",
        "--quick",
        "false",
        "--runs",
        "10",
        "--rounds",
        "5",
        "--warmup",
        "1",
        "--idle",
        "halt",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = scratch.read("params.json");
    assert!(text.starts_with("{\"latency_ms\":50,\"quick\":false,"), "{text}");
}

/// params refuses malformed, unusable or repeated workloads and conflicting options.
#[test]
fn params_refuses_bad_arguments() {
    // A workload without `=`, a name that cannot be a file name, a repeated workload, --python
    // with --python-skipped, and a --quick that is not a bool.
    let scratch = Scratch::empty("params-bad");
    let out = scratch.path("params.json");
    let out = out.to_str().expect("UTF-8 path");
    let base = [
        "params",
        "--out",
        out,
        "--latency-ms",
        "50",
        "--runs",
        "3",
        "--rounds",
        "1",
        "--warmup",
        "0",
        "--idle",
        "halt",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        run(&args)
    };
    assert_eq!(with(&["--quick", "maybe"]).status.code(), Some(2));
    assert_eq!(with(&["--quick", "true", "--workload", "squares"]).status.code(), Some(2));
    assert_eq!(with(&["--quick", "true", "--workload", "../x=1"]).status.code(), Some(2));
    assert_eq!(
        with(&["--quick", "true", "--python", "3", "--python-skipped", "no"]).status.code(),
        Some(2)
    );
    let twice = with(&["--quick", "true", "--workload", "a=1", "--workload", "a=2"]);
    assert_eq!(twice.status.code(), Some(1));
    assert!(stderr(&twice).contains("workload \"a\" is given twice"));
    assert!(!scratch.path("params.json").exists());
    assert!(with(&["--quick", "true"]).status.success());
}

/// record prints one JSON line with the record kept as the binary wrote it.
#[test]
fn record_wraps_a_record_line() {
    let record = r#"{"model":"threads","workload":"squares","checksum":"42","elapsed_ms":1.50,"peak_rss_kib":2100}"#;
    let output = run(&[
        "record",
        "--workload",
        "squares",
        "--variant",
        "threads \"scoped\"",
        "--command",
        "target/release/concur-threads squares --label 'a\\b'",
        "--line",
        record,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let line = stdout(&output);
    assert_eq!(line.lines().count(), 1);
    assert!(line.ends_with(&format!(",\"record\":{record}}}\n")), "{line}");
    let object = json_object(&line);
    assert_eq!(object["variant"], "threads \"scoped\"");
    assert_eq!(object["command"], "target/release/concur-threads squares --label 'a\\b'");
    assert_eq!(object["record"]["checksum"], "42");
}

/// A record that is not a JSON object exits 1 naming the variant, and prints nothing.
#[test]
fn record_with_a_bad_line_exits_1() {
    for bad in ["", "thread 'main' panicked", "[1, 2]", "-1", "{\"checksum\": "] {
        let output = run(&[
            "record",
            "--workload",
            "squares",
            "--variant",
            "procs",
            "--command",
            "c",
            "--line",
            bad,
        ]);
        assert_eq!(output.status.code(), Some(1), "{bad:?}");
        assert_eq!(stdout(&output), "", "{bad:?}");
        let message = stderr(&output);
        assert!(
            message.starts_with("concur-report: error: squares / procs: the record is not"),
            "{message}"
        );
    }
}

/// join-exports joins one-command exports in argument order and refuses a command twice.
#[test]
fn join_exports_concatenates_results() {
    // Every field is kept as hyperfine wrote it.
    let scratch = Scratch::empty("join");
    let source: Value = serde_json::from_str(
        &fs::read_to_string(fixture("full/squares.json")).expect("read fixture"),
    )
    .expect("fixture is JSON");
    let results = source["results"].as_array().expect("results");
    let mut inputs = Vec::new();
    // Written in reverse, so the argument order is not the fixture's order.
    for (index, result) in results.iter().rev().enumerate() {
        let mut result = result.clone();
        result["memory_usage_byte"] = serde_json::json!([1, 2, 3]);
        let name = format!("part.{index}.json");
        scratch.write(&name, serde_json::json!({ "results": [result] }).to_string());
        inputs.push(scratch.path(&name).to_string_lossy().into_owned());
    }
    let out = scratch.path("squares.1.json");
    let mut args = vec!["join-exports", "--out", out.to_str().expect("UTF-8 path")];
    args.extend(inputs.iter().map(String::as_str));
    let output = run(&args);
    assert!(output.status.success(), "{}", stderr(&output));

    let joined = Export::read(&out).expect("the report reads the joined export");
    let commands: Vec<&str> = joined.iter().map(|r| r.command.as_str()).collect();
    let mut expected: Vec<&str> =
        results.iter().map(|r| r["command"].as_str().expect("command")).collect();
    expected.reverse();
    assert_eq!(commands, expected);
    let raw: Value = serde_json::from_str(&scratch.read("squares.1.json")).expect("JSON");
    assert_eq!(raw["results"][0]["memory_usage_byte"], serde_json::json!([1, 2, 3]));

    let mut twice = vec!["join-exports", "--out", out.to_str().expect("UTF-8 path")];
    twice.extend([inputs[0].as_str(), inputs[1].as_str(), inputs[0].as_str()]);
    let output = run(&twice);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("is also in an earlier export"), "{}", stderr(&output));

    scratch.write("garbled.json", "{\"results\": [{\"command\": \"seq\"}]}");
    let garbled = scratch.path("garbled.json");
    let output = run(&[
        "join-exports",
        "--out",
        out.to_str().expect("UTF-8 path"),
        garbled.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("is not a hyperfine 1.x --export-json file"));
    assert_eq!(run(&["join-exports", "--out", "x.json"]).status.code(), Some(2));
}
