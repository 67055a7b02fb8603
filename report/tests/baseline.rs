//! `--baseline DIR`: the "vs baseline" column, on the fixture `waiting/` (5 runs a
//! variant) against two baselines: `waiting/` itself (the same times: nothing
//! stands out) and `baseline-faster/`, where `threads single-flight` ran 10.0-10.4
//! ms (this run, 14.0-14.4 ms, is clearly slower: no run overlaps), `threads
//! locked` ran 120-124 ms (this run, 103-107 ms, is faster), `threads racy`
//! overlaps, `async current-thread racy` was not timed (new) and there is no
//! `download.json` at all. The expected p-value for five runs a side that do not
//! overlap is 0.012 (normal approximation with continuity correction; exact: 2 /
//! C(10, 5) = 0.008).

mod common;

use common::{Scratch, csv_rows, fixture, section, stderr, stdout, table_row};

fn run_against(baseline: &str) -> (Scratch, std::process::Output) {
    let scratch = Scratch::copy_of("waiting");
    let baseline = fixture(baseline);
    let output = scratch.run_with(&["--baseline", baseline.to_str().expect("UTF-8 path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    (scratch, output)
}

/// Runs apart differ (slower, faster), overlapping ones are noise, unknown ones are new.
#[test]
fn clearly_different_runs_stand_out() {
    let (scratch, output) = run_against("baseline-faster");
    let readme = scratch.read("README.md");
    assert!(readme.contains(
        "*vs baseline*: this run's median ÷ the median of the baseline run (measured \
         2026-11-01T08:00:00Z at commit `0ld0ne` on Baseline CPU 1); **slower** or \
         **faster** when a two-sided Mann-Whitney U test on the per-run times"
    ));
    let convert = section(&readme, "convert");
    assert!(convert.contains("| check | vs baseline |\n"));
    // The note under the table points to the explanation at the top.
    assert!(convert.contains("; *vs baseline*: see the top of the page.\n"));
    assert!(
        table_row(convert, "threads single-flight")
            .ends_with("| ✓ | **1.39× slower** (p = 0.012) |")
    );
    assert!(table_row(convert, "threads locked").ends_with("| ✓ | **0.86× faster** (p = 0.012) |"));
    assert!(
        table_row(convert, "threads racy").ends_with("| 0.99× within noise (p = 0.398) |"),
        "{}",
        table_row(convert, "threads racy")
    );
    assert!(table_row(convert, "async current-thread racy").ends_with("| new |"));
    let download = section(&readme, "download");
    assert!(table_row(download, "seq").ends_with("| ✓ | new |"));
    assert!(
        stderr(&output).contains("no download.json; every download variant is new"),
        "{}",
        stderr(&output)
    );

    let rows = csv_rows(&scratch.read("summary.csv"));
    let row = |variant: &str| {
        rows.iter()
            .find(|row| row["workload"] == "convert" && row["variant"] == variant)
            .unwrap_or_else(|| panic!("no csv row for {variant}"))
    };
    let baseline = |variant: &str| {
        let row = row(variant);
        (
            row["baseline_median_s"].clone(),
            row["vs_baseline"].clone(),
            row["baseline_differs"].clone(),
        )
    };
    assert_eq!(
        baseline("threads single-flight"),
        ("0.0102".into(), "1.3922".into(), "true".into())
    );
    assert_eq!(baseline("threads locked"), ("0.122".into(), "0.8607".into(), "true".into()));
    assert_eq!(baseline("threads racy").2, "false");
    assert_eq!(
        baseline("async current-thread racy"),
        (String::new(), String::new(), String::new())
    );

    let terminal = stdout(&output);
    assert!(terminal.contains("  vs baseline\n"), "{terminal}");
    assert!(terminal.contains(" 1.39× slower\n"), "{terminal}");
    assert!(terminal.contains(" 0.86× faster\n"));
    assert!(terminal.contains(" 0.99× within noise  ✗ converts twice\n"));
    assert!(terminal.contains(" new                 ✗ converts twice\n"));
}

/// The same runs against themselves: ratio 1 and nothing stands out.
#[test]
fn the_same_runs_do_not_differ() {
    let (scratch, output) = run_against("waiting");
    let readme = scratch.read("README.md");
    for workload in ["download", "convert"] {
        let rows: Vec<&str> = section(&readme, workload)
            .lines()
            .filter(|line| line.starts_with("| ") && line.contains(" ms |"))
            .collect();
        assert!(!rows.is_empty());
        for row in rows {
            assert!(row.ends_with("| 1.00× within noise (p = 1.000) |"), "{workload}: {row}");
        }
    }
    let rows = csv_rows(&scratch.read("summary.csv"));
    assert!(rows.iter().all(|row| row["vs_baseline"] == "1" && row["baseline_differs"] == "false"));
    assert_eq!(stderr(&output), "");
}

/// A workload the baseline ran at other sizes is not compared, and a line says so.
#[test]
fn other_sizes_are_not_compared() {
    let scratch = Scratch::copy_of("waiting");
    let baseline = Scratch::copy_of("baseline-faster");
    let params = baseline.read("params.json").replace("--requests 200", "--requests 2000");
    baseline.write("params.json", &params);
    let output = scratch.run_with(&["--baseline", baseline.dir.to_str().expect("UTF-8 path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("convert ran with other sizes or latency; not compared"));
    let rows = csv_rows(&scratch.read("summary.csv"));
    assert!(rows.iter().all(|row| row["vs_baseline"].is_empty()), "{rows:?}");
}

/// Three runs a side cannot reach p < 0.05, so the page says so instead of testing.
#[test]
fn three_runs_are_too_few() {
    let scratch = Scratch::copy_of("full");
    let baseline = fixture("full");
    let output = scratch.run_with(&["--baseline", baseline.to_str().expect("UTF-8 path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let readme = scratch.read("README.md");
    assert!(table_row(section(&readme, "squares"), "procs").ends_with("| 1.00× (too few runs) |"));
    let rows = csv_rows(&scratch.read("summary.csv"));
    let procs = rows
        .iter()
        .find(|row| row["workload"] == "squares" && row["variant"] == "procs")
        .expect("procs row");
    assert_eq!(procs["vs_baseline"], "1");
    assert_eq!(procs["baseline_differs"], "", "no verdict with too few runs");
    assert!(stdout(&output).contains(" 1.00× (too few runs)\n"));
}

/// A baseline that is no directory, or holds a garbled export, is an error; nothing is written.
#[test]
fn a_bad_baseline_is_an_error() {
    let scratch = Scratch::copy_of("waiting");
    let output = scratch.run_with(&["--baseline", "/nonexistent/concur-baseline"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("/nonexistent/concur-baseline is not a directory"));
    let garbled = Scratch::copy_of("baseline-faster");
    garbled.write("convert.json", "{\"results\": ");
    let output = scratch.run_with(&["--baseline", garbled.dir.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("convert.json is not a hyperfine 1.x --export-json file"));
    assert!(!scratch.path("summary.csv").exists());
}
