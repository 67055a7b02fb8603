//! The sweep report (`concur-report sweeps`) and its record lines
//! (`concur-report sweep-record`), on the hand-made sweep directory in
//! `tests/fixtures/sweeps/full`: six sweeps whose numbers were chosen so that
//! every figure and sentence below can be checked by hand.

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use common::{Scratch, csv_rows, run, stderr, stdout};

const START: &str = "<!-- scaling:start -->";
const END: &str = "<!-- scaling:end -->";

/// Copies a directory tree.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create directory");
    for entry in fs::read_dir(from).expect("read fixture directory") {
        let path = entry.expect("fixture entry").path();
        let target = to.join(path.file_name().expect("file name"));
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            fs::copy(&path, &target).expect("copy fixture file");
        }
    }
}

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sweeps/full")
}

/// A scratch copy of the sweep fixture.
fn sweep_dir() -> Scratch {
    let scratch = Scratch::empty("sweeps");
    copy_tree(&fixture(), &scratch.dir);
    scratch
}

/// Runs `concur-report sweeps --dir <scratch>` with more arguments, expecting success.
fn report(scratch: &Scratch, args: &[&str]) -> String {
    let dir = scratch.dir.to_str().expect("UTF-8 path");
    let mut all = vec!["sweeps", "--dir", dir];
    all.extend(args);
    let output = run(&all);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

/// Runs the report on `scratch` expecting it to fail; returns its stderr.
fn refused(scratch: &Scratch) -> String {
    let output = run(&["sweeps", "--dir", scratch.dir.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(!scratch.path("tasks.csv").exists() && !scratch.path("README.md").exists());
    stderr(&output)
}

/// `records.jsonl` with `edit` applied to each line.
fn edit_records(scratch: &Scratch, edit: impl Fn(&str) -> String) {
    let records = scratch.read("records.jsonl");
    let edited: String = records.lines().map(|line| edit(line) + "\n").collect();
    scratch.write("records.jsonl", edited);
}

/// The CSV row of `variant` at `value`.
fn row<'a>(
    rows: &'a [HashMap<String, String>],
    variant: &str,
    value: &str,
) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|row| row["variant"] == variant && row["value"] == value)
        .unwrap_or_else(|| panic!("no row {variant} at {value}"))
}

/// Each sweep's CSV has the base columns, then its own figures, then the
/// ideal; tasksize's fit comes last, after the columns it always had, and
/// with the I/O sweeps' bound.
#[test]
fn csv_headers_per_sweep() {
    let scratch = sweep_dir();
    report(&scratch, &[]);
    let base = "sweep,variant,parameter,value,median_s,min_s,max_s,runs,peak_rss_kib";
    let io = "client_cpu_us_per_request,server_cpu_us_per_request,latency_bound_s,cpu_bound_s";
    let expected = [
        (
            "tasks",
            "wait_s,memory_per_task_kib,pss_kib,pss_per_task_kib,page_tables_kib,page_tables_per_unit_kib,ideal_s,ratio_to_ideal,cpu_ms",
        ),
        (
            "inflight",
            &format!(
                "page_tables_kib,page_tables_per_unit_kib,requests,latency_ms,memory_per_in_flight_kib,{io},ideal_s,ratio_to_ideal,cpu_ms,bound"
            ),
        ),
        ("latency", &format!("requests,concurrency,{io},ideal_s,ratio_to_ideal,cpu_ms,bound")),
        (
            "tasksize",
            "tasks,workers,speedup_vs_seq,ideal_speedup,overhead_per_task_us,ideal_s,\
             ratio_to_ideal,cpu_ms,fit_per_task_us,fit_startup_ms,bound",
        ),
        ("workers", "workers,speedup_vs_seq,ideal_speedup,ideal_s,ratio_to_ideal,cpu_ms"),
        ("callers", "duplicates,conversions,ideal_s,ratio_to_ideal,cpu_ms"),
    ];
    for (sweep, own) in expected {
        let csv = scratch.read(&format!("{sweep}.csv"));
        assert_eq!(csv.lines().next(), Some(format!("{base},{own}").as_str()));
        assert!(!csv.contains(",-0,") && !csv.ends_with(",-0\n"), "{sweep}: a negative zero");
    }
}

/// CPU per request on both ends: a point's CPU time over its requests (16 ms
/// and 8 ms over 160 requests: 100 µs and 50 µs); a record without CPU time
/// leaves the cells empty.
#[test]
fn cpu_per_request_is_computed_from_the_records() {
    let scratch = sweep_dir();
    report(&scratch, &[]);
    let inflight = csv_rows(&scratch.read("inflight.csv"));
    let at = |value: &str| {
        inflight
            .iter()
            .find(|row| row["variant"] == "async" && row["value"] == value)
            .expect("a row")
    };
    assert_eq!(
        (
            at("10")["client_cpu_us_per_request"].as_str(),
            at("10")["server_cpu_us_per_request"].as_str()
        ),
        ("100", "50")
    );
    assert_eq!(at("10")["cpu_ms"], "16");
    assert_eq!(at("1")["client_cpu_us_per_request"], "");
}

/// Per-unit figures: memory per task over the same variant's N = 1 point, the
/// median of the runs' times, time ÷ ideal, speedup, overhead per task and the fit.
#[test]
fn per_unit_figures_are_computed_from_the_points() {
    let scratch = sweep_dir();
    report(&scratch, &[]);
    let tasks = csv_rows(&scratch.read("tasks.csv"));
    // (4 560 − 2 000) KiB ÷ 10 000 tasks.
    let async_tasks = row(&tasks, "async tasks", "10000");
    assert_eq!(async_tasks["memory_per_task_kib"], "0.256");
    assert_eq!(async_tasks["ratio_to_ideal"], "1.01");
    // times [1.6, 1.56, 1.5]: the median, not the mean.
    let million = row(&tasks, "async tasks", "1000000");
    let timing = [&million["median_s"], &million["min_s"], &million["max_s"]];
    assert_eq!(timing, ["1.56", "1.5", "1.6"]);
    assert_eq!(million["memory_per_task_kib"], "0.262");
    // (84 120 − 2 200) ÷ 10 000; procs' PSS (46 500 − 1 500) ÷ 100.
    assert_eq!(row(&tasks, "threads", "10000")["memory_per_task_kib"], "8.192");
    let procs = row(&tasks, "procs", "100");
    assert_eq!(procs["memory_per_task_kib"], "2475");
    assert_eq!(procs["pss_per_task_kib"], "450");
    assert_eq!(row(&tasks, "async join", "1")["memory_per_task_kib"], "0");

    let inflight = csv_rows(&scratch.read("inflight.csv"));
    // 1 000 requests, 1 000 in flight, 200 ms: one round, 0.2 s.
    let async_1000 = row(&inflight, "async", "1000");
    assert_eq!(async_1000["ideal_s"], "0.2");
    assert_eq!(async_1000["ratio_to_ideal"], "1.25");
    assert_eq!(async_1000["memory_per_in_flight_kib"], "24.5");
    assert_eq!(row(&inflight, "async", "10")["ideal_s"], "3.2");

    let latency = csv_rows(&scratch.read("latency.csv"));
    // ceil(160 ÷ 5) × 1 ms; at 0 ms the ideal is 0 and there is no ratio.
    assert_eq!(row(&latency, "threads --workers 5", "1")["ideal_s"], "0.032");
    assert_eq!(row(&latency, "seq", "0")["ratio_to_ideal"], "");

    let tasksize = csv_rows(&scratch.read("tasksize.csv"));
    // (0.3 − 0.1 ÷ 2) s ÷ 2 000 000 tasks = 0.125 µs.
    let scoped = row(&tasksize, "threads scoped", "100");
    assert_eq!(scoped["speedup_vs_seq"], "0.3333");
    assert_eq!(scoped["overhead_per_task_us"], "0.125");
    assert_eq!(scoped["ideal_speedup"], "2");
    // procs takes 70 ms + 1 µs × tasks: 50 ms of work on two cores and 20 ms of
    // start-up; 2 000 000 tasks bound its smallest size, the work its others.
    let fit = |value| {
        let procs = row(&tasksize, "procs", value);
        [&procs["fit_per_task_us"], &procs["fit_startup_ms"], &procs["bound"]]
    };
    assert_eq!(fit("100"), ["1", "20", "tasks"]);
    assert_eq!(fit("1000000"), ["1", "20", "work"]);
    assert_eq!(row(&tasksize, "seq", "100")["fit_startup_ms"], "0");

    let workers = csv_rows(&scratch.read("workers.csv"));
    // seq ran once, at 1; 4 workers on 2 cores: ideal 2×.
    let procs = row(&workers, "procs", "4");
    assert_eq!(procs["speedup_vs_seq"], "1.8182");
    assert_eq!(procs["ideal_speedup"], "2");

    let callers = csv_rows(&scratch.read("callers.csv"));
    let racy = row(&callers, "threads racy", "64");
    assert_eq!(racy["duplicates"], "400");
    assert_eq!(racy["ideal_s"], "", "racy states no ideal");
}

/// The key sentences, from the fixture's known numbers, in the README and on
/// stdout (one line per sweep, no paths).
#[test]
fn sentences_from_known_numbers() {
    let scratch = sweep_dir();
    let summary = report(&scratch, &[]);
    let readme = scratch.read("README.md");
    for sentence in [
        "At 10 000 tasks: async tasks peaked at 4.5 MiB (0.26 KiB per task); async join peaked \
         at 5.2 MiB (0.34 KiB per task); threads peaked at 82.1 MiB (8.19 KiB per task).",
        "async tasks: 1 000 000 tasks took 1.56 s for a 1.00 s wait (1.56×)",
        "PSS, which splits a shared page between its sharers, was 45.4 MiB at 100 tasks (450 KiB \
         per task).",
        "At 1 000 requests in flight: async peaked at 26.9 MiB (24.5 KiB per request in flight) \
         and took 1.25× its ideal; threads peaked at 41.5 MiB (40.0 KiB per request in flight) \
         and took 1.50× its ideal.",
        "threads scoped reaches 90% of its ideal speedup (2.00×) once a task is 10 000 iterations \
         or more (about 5.00 µs of work); at 100 iterations each task costs 125 ns beyond the ideal.",
        "threads rayon reaches 90% of its ideal speedup (2.00×) at every task size measured, from \
         100 iterations (about 50.0 ns of work)",
        "async multi-thread reaches 90% of its ideal speedup (2.00×) at 10 000 iterations (1.89×) \
         but not at the largest size (1.67× at 1 000 000 iterations).",
        "On 2 cores: threads scoped peaks at 1.92× with 2 workers (96% of its ideal 2.00×), 1.89× \
         with 4; procs peaks at 1.82× with 4 workers (91% of its ideal 2.00×).",
        "At 64 callers, fastest first: threads moka 50.0 ms, threads racy 60.0 ms, threads locked \
         2.05 s",
        "threads racy 400 with 64 callers (0 with 1).",
    ] {
        assert!(readme.contains(sentence), "README lacks {sentence:?}:\n{readme}");
        assert!(summary.contains(sentence), "summary lacks {sentence:?}");
    }
    let names: Vec<&str> =
        summary.lines().map(|line| line.split(':').next().unwrap_or("")).collect();
    assert_eq!(names, ["tasks", "inflight", "latency", "tasksize", "workers", "callers"]);
    assert!(!summary.contains(scratch.dir.to_str().expect("UTF-8 path")));
    assert!(readme.starts_with(
        "# Scaling\n\nMeasured by `scripts/sweep.sh` at 2026-11-30T10:00:00Z on Test CPU @ 2.0GHz \
         (2 cores, 7.8 GiB RAM, Debian GNU/Linux 12 (bookworm)) at commit `abc1234`; hyperfine \
         1.20.0, 3 timed runs per point"
    ));
    assert!(readme.contains("![tasks: median time ÷ wait against tasks](tasks.svg)"));
    assert!(readme.contains("Every point: [callers.csv](callers.csv)."));
}

/// At 0 ms the variants are 2.40× apart from their own CPU costs; the page
/// says so, and that the model starts to matter as latency grows, at 1 ms.
#[test]
fn latency_says_where_the_model_starts_to_matter() {
    let scratch = sweep_dir();
    report(&scratch, &[]);
    let readme = scratch.read("README.md");
    for sentence in [
        "Latency: where the model starts to matter as latency grows.",
        "At 0 ms nothing waits and every variant is bound by the client's own CPU: async 25.0 ms \
         to procs 60.0 ms, a spread of 2.40× that comes from the models' own costs, not from \
         overlapping waits.",
        "As latency grows, waiting dominates and the model starts to matter at 1 ms: the slowest \
         variant takes 7.31× the fastest (seq 190 ms against async 26.0 ms; this page counts a \
         spread over 2.00× as mattering).",
        "At 50 ms: seq 8.10 s (1.01× its ideal), threads --workers 5 1.63 s (1.02× its ideal), \
         async 57.0 ms (1.14× its ideal) and procs 4.06 s (1.01× its ideal).",
        "| async | 25.0 ms | 26.0 ms (26.0×) | 57.0 ms (1.14×) |",
    ] {
        assert!(readme.contains(sentence), "README lacks {sentence:?}:\n{readme}");
    }
    assert!(!readme.contains("matter at 0 ms"));
}

/// The task-size fit separates procs' start-up from its cost per task, so the
/// page says what keeps it from its ideal; each cell names what bounds it.
#[test]
fn tasksize_separates_startup_from_cost_per_task() {
    let scratch = sweep_dir();
    report(&scratch, &[]);
    let readme = scratch.read("README.md");
    for sentence in [
        "procs never reaches 90% of its ideal speedup (2.00×) in this range: at best 1.42× with \
         tasks of 1 000 000 iterations. Fitted as start-up + tasks × cost per task: 1.00 µs per \
         task and 20.0 ms of start-up beyond the ideal; without the start-up its largest point \
         runs at 1.99× (ideal 2.00×): its start-up, not its cost per task, keeps it under 90% \
         there.",
        "| procs | 0.048× · tasks | 1.11× · work | 1.42× · work |",
    ] {
        assert!(readme.contains(sentence), "README lacks {sentence:?}:\n{readme}");
    }
}

/// Every chart is an SVG document with a `<text>` legend entry per variant,
/// axis titles with units, and the ideal in the legend.
#[test]
fn charts_are_svg_with_a_legend_entry_per_variant() {
    let scratch = sweep_dir();
    report(&scratch, &[]);
    let variants = [
        (
            "tasks",
            &["async tasks", "async join", "threads", "procs"][..],
            "tasks waiting at once (log scale)",
        ),
        ("inflight", &["async", "threads", "procs"], "requests in flight (log scale)"),
        ("latency", &["seq", "threads --workers 5", "async", "procs"], "latency per request (ms)"),
        (
            "tasksize",
            &["seq", "threads scoped", "threads rayon", "async multi-thread", "procs"],
            "task size (iterations) (log scale)",
        ),
        ("workers", &["seq", "threads scoped", "procs"], "workers"),
        ("callers", &["threads locked", "threads moka", "threads racy"], "callers (log scale)"),
    ];
    for (sweep, names, x_title) in variants {
        let svg = scratch.read(&format!("{sweep}.svg"));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{sweep}");
        common::assert_balanced_tags(&svg);
        let texts: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .filter_map(|rest| {
                let body = &rest[rest.find('>')? + 1..];
                Some(body[..body.find("</text>")?].trim())
            })
            .collect();
        for name in names {
            assert!(texts.contains(name), "{sweep}: no legend entry {name:?} in {texts:?}");
        }
        assert!(texts.contains(&x_title), "{sweep}: no x title {x_title:?} in {texts:?}");
        let ideal = texts.iter().any(|text| text.starts_with("ideal"));
        assert!(ideal, "{sweep}: no ideal in the legend");
    }
}

/// `--guide` rewrites only the scaling block, with links relative to the guide;
/// a guide without the markers is an error that writes nothing.
#[test]
fn guide_block_is_replaced_and_nothing_else() {
    let root = Scratch::empty("guide");
    let results = root.path("results/sweeps");
    copy_tree(&fixture(), &results);
    fs::create_dir_all(root.path("docs")).expect("create docs");
    let before = "# Choosing a model\n\nHand-written intro.\n\n";
    let after = "\nHand-written rest, kept byte for byte.\r\n";
    root.write("docs/choosing.md", format!("{before}{START}\nold block\n{END}\n{after}"));
    let guide = root.path("docs/choosing.md");
    let output = run(&[
        "sweeps",
        "--dir",
        results.to_str().expect("UTF-8 path"),
        "--guide",
        guide.to_str().expect("UTF-8 path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let guide = root.read("docs/choosing.md");
    assert!(
        guide.starts_with(&format!("{before}{START}\nMeasured by `scripts/sweep.sh`")),
        "{guide}"
    );
    assert!(guide.ends_with(&format!(".\n{END}\n{after}")), "{guide}");
    assert!(!guide.contains("old block"));
    assert!(guide.contains("- **tasks** ([chart](../results/sweeps/tasks.svg)): At 10 000 tasks:"));
    assert!(guide.contains(
        "; tables and charts: [../results/sweeps/README.md](../results/sweeps/README.md)."
    ));
    let readme = fs::read_to_string(results.join("README.md")).expect("README written");
    let tasksize = "threads rayon reaches 90% of its ideal speedup (2.00×) at every task size";
    assert!(guide.contains(tasksize) && readme.contains(tasksize));
    assert_eq!(guide.lines().filter(|line| line.starts_with("- **")).count(), 6);

    let bare = Scratch::empty("bare-guide");
    copy_tree(&fixture(), &bare.path("sweeps"));
    bare.write("guide.md", "# No markers here\n");
    let output = run(&[
        "sweeps",
        "--dir",
        bare.path("sweeps").to_str().expect("UTF-8 path"),
        "--guide",
        bare.path("guide.md").to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains(&format!("no `{START}` line")), "{}", stderr(&output));
    assert_eq!(bare.read("guide.md"), "# No markers here\n");
    assert!(!bare.path("sweeps/tasks.csv").exists(), "nothing written");
}

/// A per-task memory figure at or below the 1-task run is within its noise:
/// the CSV keeps the measured value, the cell and the sentence say ≈0 KiB.
#[test]
fn memory_below_the_first_run_reads_as_noise() {
    let scratch = sweep_dir();
    // async join at 10 000 tasks: 20 KiB below its 1-task run.
    edit_records(&scratch, |line| {
        let target =
            line.contains(r#""variant":"async join""#) && line.contains(r#""value":10000,"#);
        if target {
            line.replace(r#""peak_rss_kib":5300"#, r#""peak_rss_kib":1880"#)
        } else {
            line.to_string()
        }
    });
    report(&scratch, &[]);
    let tasks = csv_rows(&scratch.read("tasks.csv"));
    assert_eq!(row(&tasks, "async join", "10000")["memory_per_task_kib"], "-0.002");
    let readme = scratch.read("README.md");
    assert!(
        readme.contains("| async join | 1.00 s | – | – | 1.01 s · ≈0 KiB | 1.57 s · 0.34 KiB |"),
        "{readme}"
    );
    let sentence = "async join peaked at 1.8 MiB (≈0 KiB per task: no more than its run with 1 task, \
                    within the noise)";
    assert!(readme.contains(sentence), "{readme}");
    assert!(!readme.contains("-0.00") && !readme.contains("-0 "), "no negative zero");
}

/// A sweep without a variant's N = 1 point says so instead of inventing a
/// per-task figure.
#[test]
fn missing_first_point_is_stated_not_invented() {
    let scratch = sweep_dir();
    let records = scratch.read("records.jsonl");
    let kept: String = records
        .lines()
        .filter(|line| {
            !(line.contains(r#""sweep":"tasks""#)
                && line.contains(r#""variant":"procs""#)
                && line.contains(r#""value":1,"#))
        })
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(kept.lines().count() + 1, records.lines().count());
    scratch.write("records.jsonl", kept);
    report(&scratch, &[]);
    let tasks = csv_rows(&scratch.read("tasks.csv"));
    let procs = row(&tasks, "procs", "100");
    assert_eq!(procs["memory_per_task_kib"], "");
    assert_eq!(procs["pss_per_task_kib"], "");
    assert_eq!(procs["pss_kib"], "46500");
    let readme = scratch.read("README.md");
    assert!(
        readme.contains("- procs has no point at 1 task, so no memory per task is given for it")
    );
    assert!(readme.contains("was 45.4 MiB at 100 tasks."), "no per-task PSS either");
    assert!(readme.contains("| procs | – | 1.01 s | 1.05 s | – | – |"), "{readme}");
}

/// `sweep-record` prints one line the report reads, and refuses a record that
/// is not a JSON object or a value that is not a number.
#[test]
fn sweep_record_lines_and_bad_input() {
    let args = |value: &str, line: &str| {
        run(&[
            "sweep-record",
            "--sweep",
            "tasks",
            "--parameter",
            "tasks",
            "--value",
            value,
            "--variant",
            "async join",
            "--command",
            "bin/concur-async sleep --tasks 10 --spawn join",
            "--export",
            "tasks/002.json",
            "--line",
            line,
        ])
    };
    let good = args("10", r#"{"model":"async","peak_rss_kib":2100,"wait_ms":1000}"#);
    assert!(good.status.success(), "{}", stderr(&good));
    assert_eq!(
        stdout(&good),
        "{\"sweep\":\"tasks\",\"parameter\":\"tasks\",\"value\":10,\"variant\":\"async join\",\
         \"command\":\"bin/concur-async sleep --tasks 10 --spawn join\",\"export\":\"tasks/002.json\",\
         \"record\":{\"model\":\"async\",\"peak_rss_kib\":2100,\"wait_ms\":1000}}\n"
    );
    let bad_line = args("10", "thread 'main' panicked");
    assert_eq!(bad_line.status.code(), Some(1));
    assert!(stderr(&bad_line).contains("the record is not JSON"), "{}", stderr(&bad_line));
    assert!(stdout(&bad_line).is_empty());
    let not_object = args("10", "[1,2]");
    assert_eq!(not_object.status.code(), Some(1));
    assert!(stderr(&not_object).contains("not a JSON object"));
    let bad_value = args("ten", "{}");
    assert_eq!(bad_value.status.code(), Some(1));
    assert!(stderr(&bad_value).contains("the value \"ten\" is not a number"));
}

/// A garbled line of records.jsonl is an error naming the file and line, and
/// nothing is written.
#[test]
fn garbled_records_are_named() {
    let scratch = sweep_dir();
    let mut records = scratch.read("records.jsonl");
    records.push_str("{\"sweep\":\"tasks\"}\n");
    let line = records.lines().count();
    scratch.write("records.jsonl", records);
    let error = refused(&scratch);
    assert!(error.contains(&format!("records.jsonl:{line}: not a sweep record line")), "{error}");
}

/// A variant measured twice at one value, or a sweep whose name would
/// overwrite the report's own files or leave the directory, is refused with
/// the line that says so, and nothing is written.
#[test]
fn duplicate_points_and_bad_names_are_refused() {
    let scratch = sweep_dir();
    let records = scratch.read("records.jsonl");
    let first = records.lines().next().expect("a first line").to_string();
    scratch.write("records.jsonl", format!("{records}{first}\n"));
    let line = records.lines().count() + 1;
    let error = refused(&scratch);
    assert!(
        error.contains(&format!(
            "records.jsonl:{line}: async tasks at 1 measured twice (also line 1)"
        )),
        "{error}"
    );

    for (name, why) in
        [("README", "would overwrite"), ("../tasks", "cannot be used as a file name")]
    {
        let scratch = sweep_dir();
        edit_records(&scratch, |line| {
            line.replace(r#""sweep":"callers""#, &format!(r#""sweep":"{name}""#))
        });
        let error = refused(&scratch);
        assert!(error.contains(&format!("sweep name {name:?} {why}")), "{error}");
    }
}

/// A task-size sweep without seq, on a machine without a core count, has no
/// speedup: its chart shows the times, and its page says why.
#[test]
fn no_seq_and_no_cores_still_give_a_report() {
    let scratch = sweep_dir();
    let records = scratch.read("records.jsonl");
    let seq =
        |line: &&str| line.contains(r#""sweep":"tasksize""#) && line.contains(r#""variant":"seq""#);
    let kept: String =
        records.lines().filter(|line| !seq(line)).map(|line| format!("{line}\n")).collect();
    scratch.write("records.jsonl", kept);
    scratch.write("machine.json", r#"{"cpu":"Test CPU"}"#);
    let summary = report(&scratch, &[]);
    let expected =
        "tasksize: No speedup against an ideal: the sweep lacks a seq point or the core count.";
    assert!(summary.contains(expected), "{summary}");
    assert!(scratch.read("tasksize.svg").contains("median wall time"));
    let readme = scratch.read("README.md");
    assert!(readme.contains("- machine.json has no core count, so there is no ideal speedup"));
    assert!(readme.contains("- no seq point, so there is no speedup"));
    assert!(readme.contains("Measured by `scripts/sweep.sh` on Test CPU; hyperfine, 3 timed runs"));
}

/// A point faster than its ideal (a lower bound) did not run as the sweep
/// assumes, and the page says so.
#[test]
fn points_faster_than_their_ideal_are_flagged() {
    let scratch = sweep_dir();
    // seq at 50 ms: 160 requests one at a time cannot take less than 8 s.
    let export = scratch.read("latency/003.json").replace("8.1", "0.5");
    scratch.write("latency/003.json", export);
    report(&scratch, &[]);
    let readme = scratch.read("README.md");
    assert!(
        readme.contains(
            "- faster than the ideal, which is a lower bound, so these points did not run as the \
             sweep assumes (check their commands and records): seq at 50 (0.062×)"
        ),
        "{readme}"
    );
}

/// A `rate` sweep: each variant's knee is its highest offered rate achieved
/// to 99% with p99 within 1.5× the latency (threads: 100/s, not 600/s where
/// it fell behind; async: both), with a worker-bound variant's capacity
/// (16 workers ÷ 50 ms = 320/s); the chart plots p99 against the rate achieved.
#[test]
fn rate_knees_are_generated() {
    let scratch = Scratch::empty("rate");
    std::fs::create_dir_all(scratch.path("rate")).expect("rate/");
    scratch.write("params.json", r#"{"runs":1,"workloads":{"rate":"offered_rps"}}"#);
    scratch.write("machine.json", r#"{"cores":2}"#);
    let points = [
        ("threads --workers 16", "threads", 100, 100.05, 51.0, 16),
        ("threads --workers 16", "threads", 600, 320.5, 923.0, 16),
        ("async", "async", 1000, 1000.3, 53.0, 1000),
        ("async", "async", 5000, 4990.0, 63.5, 5000),
    ];
    let mut records = String::new();
    for (index, (variant, model, offered, achieved, p99, workers)) in points.iter().enumerate() {
        let export = format!("rate/{:03}.json", index + 1);
        scratch.write(
            &export,
            format!(
                r#"{{"results":[{{"command":"{variant}","mean":3.0,"stddev":null,"median":3.0,"user":0.1,"system":0.1,"min":3.0,"max":3.0,"times":[3.0],"exit_codes":[0]}}]}}"#
            ),
        );
        records.push_str(&format!(
            r#"{{"sweep":"rate","parameter":"offered_rps","value":{offered},"variant":"{variant}","command":"target/release/concur-{model} download --url http://127.0.0.1:1/page?latency_ms=50 --rate {offered}","export":"{export}","record":{{"model":"{model}","checksum":"1","errors":0,"workers":{workers},"concurrency":{workers},"offered_rps":{offered},"achieved_rps":{achieved},"latency_ms":{{"p50":50,"p90":50,"p99":{p99},"max":{p99}}}}}}}"#
        ));
        records.push('\n');
    }
    scratch.write("records.jsonl", records);
    let summary = report(&scratch, &[]);
    assert!(
        summary.contains("threads --workers 16 100/s (its workers ÷ the latency: 320/s)"),
        "{summary}"
    );
    assert!(summary.contains("async 5 000/s."), "{summary}");
    let rows = csv_rows(&scratch.read("rate.csv"));
    assert_eq!(rows[1]["achieved_rps"], "320.5");
    assert_eq!(rows[1]["p99_ms"], "923");
    let svg = scratch.read("rate.svg");
    assert!(svg.contains("requests per second achieved"), "the x axis");
}
