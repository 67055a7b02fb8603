//! Integration tests of the report generator and the `concur-report` binary on the
//! fixture results directories in `tests/fixtures/report/`.
//!
//! `full/` is a complete run (three workloads, a duplicate record, a record for an
//! untimed workload, a variant without a record, two wrong answers, and slow outlier
//! runs in `seq` and `threads scoped` of squares and in `async multi-thread` of
//! download, so that mean and median disagree on order, speedup and ratio);
//! `no-records/` has hyperfine JSON but no records and no workload list, and an
//! outlier in `threads pool` of convert. Expected values were computed from the
//! fixture JSON with medians, independently of the code under test. Each test works on its
//! own copy in the system temporary directory, removed when the test ends.

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use common::{BINARY, Scratch, fixture, section, stderr, stdout, table_row};
use concur_report::compare;

/// summary.csv of the full fixture equals the values computed by hand, in the right order.
#[test]
fn summary_csv_matches_expected_values_and_order() {
    let scratch = Scratch::reported("full");
    let expected =
        fs::read_to_string(fixture("expected/full-summary.csv")).expect("read expected CSV");
    assert_eq!(scratch.read("summary.csv"), expected);
}

/// Workloads keep params.json's order, each with its fastest variant (lowest median) first.
#[test]
fn summary_rows_follow_params_order_fastest_first() {
    let scratch = Scratch::copy_of("full");
    compare::generate(&scratch.dir, None).expect("generate");
    let csv = scratch.read("summary.csv");
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let mut workloads: Vec<&str> = rows.iter().map(|row| row[0]).collect();
    workloads.dedup();
    assert_eq!(workloads, ["squares", "download", "range-sum"]);
    for pair in rows.windows(2).filter(|pair| pair[0][0] == pair[1][0]) {
        let median = |row: &Vec<&str>| row[4].parse::<f64>().expect("median_s is a number");
        assert!(median(&pair[0]) <= median(&pair[1]), "{pair:?} out of order");
    }
    // By mean, threads rayon (0.51 s) would lead; by median threads scoped (0.5 s) does.
    assert_eq!(rows[0][..2], ["squares", "threads scoped"]);
}

/// README.md opens with findings and shows each workload's table with formatted values.
#[test]
fn readme_has_tables_with_the_right_values() {
    let scratch = Scratch::copy_of("full");
    compare::generate(&scratch.dir, None).expect("generate");
    let readme = scratch.read("README.md");

    assert!(readme.starts_with("# concur results\n\nMeasured by `scripts/compare.sh` at 2026-11-22T10:00:00Z on Test CPU 9000 (2 cores, 23.4 GiB RAM, Debian GNU/Linux 12 (bookworm)) at commit `abc1234`; hyperfine 1.20.0, 3 timed runs per variant after 1 warmup.\n"));
    // One line on how to read the tables; each table explains its own special
    // columns, so there is no glossary of every column.
    assert!(readme.contains(
        "Variants are listed fastest first by median wall time of the whole process \
         (hyperfine); every derived number uses the median, and the columns are explained \
         under each table. All numbers: [summary.csv](summary.csv).\n"
    ));
    assert!(!readme.contains("*speedup vs seq*"), "no glossary paragraph");
    let positions: Vec<usize> =
        ["## squares", "## download", "## range-sum", "## Machine", "## How to regenerate"]
            .iter()
            .map(|heading| readme.find(heading).expect(heading))
            .collect();
    assert!(positions.is_sorted(), "sections out of order: {positions:?}");

    let squares = section(&readme, "squares");
    assert!(squares.contains("Parameters: `--start 5000000 --count 20`"));
    // The fixture's `--gil` record claims two lanes (concurrency 2), so the lesson
    // says what was measured instead of "every parallel model uses both cores".
    assert!(squares.contains(
        "**Fastest: threads scoped** at a median of 500 ms, 2.00× faster than seq, 1.00× its \
         ideal bound. All checksums agree with seq ✓. What it shows: this run does not show \
         every model at its lanes: threads scoped --gil 0.95× of its 2.00×.\n"
    ));
    assert!(squares.contains(
        "| variant | median | mean ± σ | speedup vs seq | ideal | ratio to ideal | peak RSS | check |\n"
    ));
    assert!(squares.contains(
        "| threads scoped | 500 ms | 530 ± 61 ms | 2.00× | 500 ms | 1.00× | 2.1 MiB | ✓ |"
    ));
    assert!(squares.contains(
        "| threads rayon | 510 ms | 510 ± 5 ms | 1.96× | 500 ms | 1.02× | 2.2 MiB | ✓ |"
    ));
    assert!(
        squares.contains(
            "| **seq** | 1.00 s | 1.10 ± 0.18 s | 1.00× | 1.00 s | 1.00× | 1.8 MiB | ✓ |"
        )
    );
    assert!(squares.contains(
        "| threads scoped --gil | 1.05 s | 1.05 ± 0.02 s | 0.95× | 500 ms | 2.10× | 2.1 MiB | ✓ |"
    ));
    assert!(
        squares.contains("Ideal: seq median ÷ min(concurrency, 2 cores); seq's own is its median.")
    );
    // No column of squares needs a note.
    assert!(!squares.contains("Columns:"), "{squares}");
    assert!(squares.contains(
        "![squares: bars are the median wall time per variant, coloured by model, whiskers \
         ± 1 σ; dashed ticks mark the ideal bounds](squares.svg)"
    ));
    assert!(squares.contains("| procs | `target/release/concur-procs squares` |"));
    // Fastest first by median: by mean, rayon would lead and seq would follow --gil.
    let order: Vec<usize> = [
        "| threads scoped |",
        "| threads rayon |",
        "| procs |",
        "| **seq** |",
        "| threads scoped --gil |",
    ]
    .iter()
    .map(|row| squares.find(row).expect(row))
    .collect();
    assert!(order.is_sorted(), "rows out of median order: {order:?}");

    let download = section(&readme, "download");
    assert!(download.contains(
        "**Fastest: async multi-thread** at a median of 60.0 ms, 137× faster than seq, 1.20× \
         its ideal bound. All checksums agree with seq ✓. What it shows: I/O: concurrency, \
         not cores, sets the time; async needs no thread per request.\n"
    ));
    assert!(download.contains(
        "| async multi-thread | 60.0 ms | 80.0 ± 36.4 ms | 137× | 50.0 ms | 1.20× | 4.9 MiB | – | – | – | 160 | 0 | ✓ |"
    ));
    // seq's record has its CPU time (16 ms) and the server's (8 ms), for 160 requests.
    assert!(download.contains(
        "| **seq** | 8.20 s | 8.20 ± 0.05 s | 1.00× | 8.00 s | 1.02× | 2.9 MiB | 16.0 ms | 100 µs | 50.0 µs | – | 0 | ✓ |"
    ));
    assert!(download.contains("⌈requests ÷ concurrency⌉ × 50.0 ms simulated latency"));
    // The note under the table names only download's own columns.
    assert!(download.contains(
        "\nColumns: *CPU time*: user + system CPU of the model's work in the checked run, every \
         thread and worker process; *CPU / request*: that CPU time over the requests; *server CPU \
         / request*: the site server's CPU over the same run (its `GET /stats`), over the \
         requests; *peak in flight*: the most requests under way at once, as the async record \
         counts them, else the variant's concurrency; *errors*: requests that failed.\n"
    ));

    let range_sum = section(&readme, "range-sum");
    // A single run has no σ (and no whiskers); the variant without a record has empty
    // record columns.
    assert!(
        range_sum.contains("| **seq** | 200 ms | 200 ms | 1.00× | 200 ms | 1.00× | 1.5 MiB | ✓ |")
    );
    assert!(range_sum.contains("| threads rayon | 108 ms | 108 ms | 1.85× | – | – | – | – |"));
    assert!(range_sum.contains(
        "| async multi-thread | 120 ms | 120 ms | 1.67× | 80.0 ms | 1.50× | 2.4 MiB | ✓ |"
    ));
    assert!(range_sum.contains("as reported by the binary (`ideal_ms`)"));
    assert!(range_sum.contains(
        "![range-sum: bars are the median wall time per variant, coloured by \
                       model; dashed ticks mark the ideal bounds](range-sum.svg)"
    ));

    let machine = section(&readme, "Machine");
    for value in [
        "Test CPU 9000",
        "| cores | 2 |",
        "23.4 GiB",
        "6.1.0-test",
        "rustc 1.95.0",
        "| hyperfine | 1.20.0 |",
        "abc1234",
        "| idle CPUs | poll while the workloads that wait are timed (PM QoS /dev/cpu_dma_latency = 0) |",
    ] {
        assert!(machine.contains(value), "Machine section lacks {value:?}");
    }
    let regenerate = &readme[readme.find("## How to regenerate").expect("section")..];
    assert!(regenerate.contains("scripts/compare.sh --quick"));
}

/// A checksum different from seq's, or a record with errors, shows ✗ and is named.
#[test]
fn checksum_disagreement_shows_a_cross() {
    let scratch = Scratch::copy_of("full");
    compare::generate(&scratch.dir, None).expect("generate");
    let readme = scratch.read("README.md");
    let range_sum = section(&readme, "range-sum");
    assert!(
        range_sum.contains("| procs | 105 ms | 105 ms | 1.90× | 100 ms | 1.05× | 3.0 MiB | ✗ |")
    );
    assert!(
        range_sum.contains(
            "| threads scoped | 110 ms | 110 ms | 1.82× | 100 ms | 1.10× | 1.6 MiB | ✗ |"
        )
    );
    assert!(range_sum.contains(" ✗ Wrong answer: **procs**, **threads scoped**. "));
    assert!(table_row(range_sum, "async multi-thread").ends_with("| ✓ |"));
    // No record, so no check: a dash, neither ✓ nor ✗.
    assert!(table_row(range_sum, "threads rayon").ends_with("| – |"));

    // Break one squares answer: the same row flips from ✓ to ✗.
    let records = scratch.read("records.jsonl").replacen(
        r#""variant": "threads rayon", "command": "target/release/concur-threads squares", "record": {"model": "threads", "workload": "squares", "tasks": 20, "checksum": "833337833344750010830""#,
        r#""variant": "threads rayon", "command": "target/release/concur-threads squares", "record": {"model": "threads", "workload": "squares", "tasks": 20, "checksum": "833337833344750010831""#,
        1,
    );
    assert_ne!(records, scratch.read("records.jsonl"), "fixture line not found");
    scratch.write("records.jsonl", &records);
    compare::generate(&scratch.dir, None).expect("generate");
    let readme = scratch.read("README.md");
    assert!(section(&readme, "squares").contains("| 2.2 MiB | ✗ |"));
    assert!(scratch.read("summary.csv").contains("squares,threads rayon,0.51,0.005,0.51,0.505,0.515,0.459,0.0255,1.9608,0.5,1.02,2300,833337833344750010831,false,3,,,,,,,,,,,\n"));
}

/// A wrong-answer fastest variant is flagged, beside the fastest correct one and the unchecked.
#[test]
fn a_wrong_fastest_variant_is_not_the_headline() {
    // When the fastest variant's answer is wrong, the sentence that names it says so and names
    // the fastest correct one; a variant without a record is named as not checked.
    let readme = Scratch::reported("full").read("README.md");
    let range_sum = section(&readme, "range-sum");
    let headline =
        range_sum.lines().find(|line| line.starts_with("**Fastest")).expect("a Fastest sentence");
    assert!(
        headline.starts_with("**Fastest with a right answer: async multi-thread**"),
        "{headline}"
    );
    assert!(headline.contains("✗ Wrong answer: **procs**, **threads scoped**."), "{headline}");
    assert!(
        headline
            .contains("Not checked (no record, or no seq to check against): **threads rayon**."),
        "{headline}"
    );
}

/// Gaps in the data are reported: duplicate records, untimed records, variants without one.
#[test]
fn warnings_name_the_gaps() {
    let scratch = Scratch::copy_of("full");
    let (report, _) = compare::generate(&scratch.dir, None).expect("generate");
    assert_eq!(
        report.warnings,
        [
            "records.jsonl:2: another record for squares / seq (also on line 1); using the later one",
            "records.jsonl:15: record for convert / seq matches no timed variant; ignored",
            "range-sum / threads rayon: no record in records.jsonl; its record columns are empty",
        ]
    );
}

/// Every workload gets `<workload>.svg`, linked from its section, and nothing else is drawn.
#[test]
fn every_workload_gets_its_chart() {
    // What a chart holds is the chart module's to test.
    let scratch = Scratch::copy_of("full");
    compare::generate(&scratch.dir, None).expect("generate");
    let readme = scratch.read("README.md");
    for workload in ["squares", "download", "range-sum"] {
        let svg = scratch.read(&format!("{workload}.svg"));
        assert!(svg.starts_with("<svg"), "{workload}.svg: {svg}");
        assert!(
            section(&readme, workload).contains(&format!("]({workload}.svg)\n")),
            "{workload} links its chart"
        );
    }
    let mut charts: Vec<String> = fs::read_dir(&scratch.dir)
        .expect("list scratch")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".svg"))
        .collect();
    charts.sort();
    assert_eq!(charts, ["download.svg", "range-sum.svg", "squares.svg"]);
    // A single run has no σ, so range-sum's caption promises no whiskers.
    assert!(section(&readme, "range-sum").contains(
        "![range-sum: bars are the median wall time per variant, coloured by model; dashed \
         ticks mark the ideal bounds](range-sum.svg)"
    ));
}

/// Hyperfine JSON without any records still gives tables, with warnings on stderr.
#[test]
fn workloads_without_records_still_get_tables() {
    let scratch = Scratch::copy_of("no-records");
    let output = scratch.run();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let warnings = stderr(&output);
    assert!(warnings.contains("concur-report: warning: convert: no records in records.jsonl"));
    assert!(warnings.contains("squares: no `seq` variant in squares.json"));
    assert!(warnings.contains("convert / threads pool: 1 of 3 timed runs exited non-zero"));

    let readme = scratch.read("README.md");
    // No workload list in params.json: workloads come in file-name order.
    assert!(
        readme.find("## convert").expect("convert") < readme.find("## squares").expect("squares")
    );
    // Without records every record column is empty, and empty columns are dropped.
    assert!(section(&readme, "convert").contains(
        "| variant | median | mean ± σ | speedup vs seq |\n|---|--:|--:|--:|\n\
         | threads pool | 200 ms | 220 ± 44 ms | 1.50× |\n"
    ));
    assert!(!section(&readme, "convert").contains("Columns:"));
    assert!(section(&readme, "convert").contains(
        "**Fastest: threads pool** at a median of 200 ms, 1.50× faster than seq. No answer \
         was checked (no record, or no seq to check against).\n"
    ));
    assert!(
        section(&readme, "convert")
            .contains("⚠ `threads pool`: 1 of 3 timed runs exited non-zero.")
    );
    assert!(section(&readme, "squares").contains(
        "| variant | median | mean ± σ |\n|---|--:|--:|\n| threads scoped | 520 ms | 520 ± 4 ms |\n"
    ));
    // Without seq nothing is claimed about the lanes.
    assert!(section(&readme, "squares").contains(
        "**Fastest: threads scoped** at a median of 520 ms. No answer was checked (no record, \
         or no seq to check against). What it shows: no parallel variant with a right \
         answer to measure against seq.\n"
    ));
    let csv = scratch.read("summary.csv");
    assert!(csv.contains(
        "\nsquares,threads scoped,0.52,0.004,0.52,0.516,0.524,0.468,0.026,,,,,,,3,,,,,,,,,,,\n"
    ));
    assert!(scratch.path("convert.svg").exists() && scratch.path("squares.svg").exists());
}

/// Each missing input gives exit 1 and a message naming the file, and writes nothing.
#[test]
fn missing_input_files_are_named() {
    for missing in ["params.json", "machine.json", "records.jsonl", "download.json"] {
        let scratch = Scratch::copy_of("full");
        scratch.remove(missing);
        let output = scratch.run();
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "without {missing}: {message}");
        assert!(message.starts_with("concur-report: error: cannot read "), "{message}");
        assert!(message.contains(missing), "{message}");
        assert!(!message.contains("panicked"), "{message}");
        assert!(!scratch.path("summary.csv").exists(), "wrote output without {missing}");
    }
}

/// A results directory that does not exist is named as such.
#[test]
fn missing_directory_is_named() {
    let scratch = Scratch::copy_of("full");
    let absent = scratch.path("absent");
    let output =
        Command::new(BINARY).arg("--dir").arg(&absent).output().expect("run concur-report");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains(&format!("{} is not a directory", absent.display())));
}

/// A garbled hyperfine file is an error naming the file and what it should have been.
#[test]
fn garbled_hyperfine_json_is_named() {
    let scratch = Scratch::copy_of("full");
    let squares = scratch.read("squares.json");
    scratch.write("squares.json", &squares[..squares.len() / 2]);
    let output = scratch.run();
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message
            .contains("squares.json is not a hyperfine 1.x --export-json file: EOF while parsing"),
        "{message}"
    );

    scratch.write("squares.json", squares.replace("\"mean\"", "\"average\""));
    let message = stderr(&scratch.run());
    assert!(
        message.contains(
            "squares.json is not a hyperfine 1.x --export-json file: missing field `mean`"
        ),
        "{message}"
    );
}

/// A median that is not a positive number is rejected: every derived number divides by it.
#[test]
fn non_positive_median_is_named() {
    let scratch = Scratch::copy_of("full");
    let squares = scratch.read("squares.json");
    let zero = squares.replacen("\"median\": 0.51,", "\"median\": 0.0,", 1);
    assert_ne!(zero, squares, "fixture value not found");
    scratch.write("squares.json", &zero);
    let output = scratch.run();
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains(
            "squares.json: command \"threads rayon\" has a median time of 0 s; expected a positive number"
        ),
        "{message}"
    );
    assert!(!scratch.path("summary.csv").exists());
}

/// A records line that does not parse is an error naming its line number.
#[test]
fn bad_records_line_names_its_number() {
    let scratch = Scratch::copy_of("full");
    let mut lines: Vec<String> =
        scratch.read("records.jsonl").lines().map(str::to_string).collect();
    lines[2] = r#"{"workload": "squares", "record": {}"#.to_string();
    scratch.write("records.jsonl", &(lines.join("\n") + "\n"));
    let output = scratch.run();
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains("records.jsonl:3: not a record line"), "{message}");
}

/// A failed run leaves the previous outputs untouched and no temporary files behind.
#[test]
fn failure_keeps_previous_outputs() {
    let scratch = Scratch::reported("full");
    let summary = scratch.read("summary.csv");
    let readme = scratch.read("README.md");

    scratch.write("machine.json", "{\"cpu\": ");
    let output = scratch.run();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("machine.json is not a machine description"));
    assert_eq!(scratch.read("summary.csv"), summary);
    assert_eq!(scratch.read("README.md"), readme);
    let leftovers: Vec<PathBuf> = fs::read_dir(&scratch.dir)
        .expect("list scratch")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The same inputs give byte-identical outputs: summary.csv, README.md and one chart each.
#[test]
fn output_is_deterministic() {
    let outputs = |scratch: &Scratch| -> (Vec<(String, Vec<u8>)>, String) {
        let (_, terminal) = compare::generate(&scratch.dir, None).expect("generate");
        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&scratch.dir)
            .expect("list scratch")
            .map(|entry| {
                let path = entry.expect("entry").path();
                let name = path.file_name().expect("name").to_string_lossy().into_owned();
                (name, fs::read(&path).expect("read output"))
            })
            .filter(|(name, _)| !fixture("full").join(name).exists())
            .collect();
        files.sort();
        (files, terminal)
    };
    let first = outputs(&Scratch::copy_of("full"));
    let second = outputs(&Scratch::copy_of("full"));
    assert!(first == second, "two runs on the same inputs differ");
    let names: Vec<&str> = first.0.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["README.md", "download.svg", "range-sum.svg", "squares.svg", "summary.csv"]);
}

/// Bad usage exits 2; --help exits 0 and explains the inputs, outputs and subcommands.
#[test]
fn usage_errors_exit_2_and_help_explains_files() {
    assert_eq!(common::run(&["--bogus"]).status.code(), Some(2));
    assert_eq!(common::run(&["--dir"]).status.code(), Some(2));
    // The report's options and a subcommand do not mix; --readme only rewrites a block.
    assert_eq!(common::run(&["--dir", "x", "record", "--workload", "w"]).status.code(), Some(2));
    assert_eq!(
        common::run(&["--dir", "x", "--readme", "R.md", "--baseline", "y"]).status.code(),
        Some(2)
    );
    let help = common::run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = stdout(&help);
    for name in [
        "--dir <OUT>",
        "--baseline <DIR>",
        "--readme <PATH>",
        "machine",
        "params",
        "record",
        "join-exports",
        "<workload>.json",
        "records.jsonl",
        "params.json",
        "machine.json",
        "summary.csv",
        "README.md",
        "<workload>.svg",
        "Mann-Whitney U",
    ] {
        assert!(text.contains(name), "--help does not mention {name}:\n{text}");
    }
}

/// stdout holds one short table per workload and never the path of the directory written.
#[test]
fn terminal_summary_is_short_and_names_no_path() {
    // A heading line, then a line per variant.
    let scratch = Scratch::copy_of("full");
    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(!text.contains(&*scratch.dir.to_string_lossy()), "{text}");
    assert!(!text.contains("wrote"), "{text}");
    // 3 workloads, 5 + 4 + 5 variants.
    assert_eq!(text.lines().count(), 3 + 14, "{text}");
    let squares: Vec<&str> = text.lines().take(6).collect();
    assert_eq!(
        squares,
        [
            "squares                 median  vs seq  vs ideal  concurrency",
            "  threads scoped        500 ms   2.00×     1.00×            2",
            "  threads rayon         510 ms   1.96×     1.02×            4",
            "  procs                 550 ms   1.82×     1.10×            2",
            "  seq                   1.00 s   1.00×     1.00×            –",
            "  threads scoped --gil  1.05 s   0.95×     2.10×            2",
        ]
    );
    assert!(text.contains(
        "\ndownload               median  vs seq  vs ideal  peak in flight  errors\n  \
         async multi-thread  60.0 ms    137×     1.20×             160       0\n"
    ));
    assert!(
        text.contains(
            "\n  procs                4.10 s   2.00×     1.02×               2       0\n"
        )
    );
    assert!(
        text.contains(
            "\n  procs               105 ms   1.90×     1.05×            2  ✗ wrong answer\n"
        ),
        "{text}"
    );
    assert!(text.contains("\n  threads rayon       108 ms   1.85×         –            –\n"));
}

/// A quick run says so on the terminal, above its tables, not only in its README.
#[test]
fn quick_run_says_so_on_the_terminal() {
    let quick = Scratch::copy_of("quick");
    let text = stdout(&quick.run());
    assert!(text.starts_with("Quick run: few runs of small jobs"), "{text}");
    let full = Scratch::copy_of("full");
    assert!(!stdout(&full.run()).contains("Quick run"));
}
