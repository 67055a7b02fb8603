//! The seeds section, on the fixtures `seeds/` (a full-size run of the fourteen
//! experiments, CPython and concur, numbers chosen near the seeds' own) and
//! `quick/` (a real `compare.sh --quick` run of every workload, with a blocking
//! workload and download latencies added as the binaries now write them).
//! Expected lines were worked out from the fixture JSON by hand.

mod common;

use common::{Scratch, csv_rows, reported_section, section, stderr, stdout, table_row};
use serde_json::Value;

/// The seeds table has one row per experiment, program and process times side by side.
#[test]
fn seeds_table_has_one_row_per_experiment() {
    // In seeds.tsv's order: the seed's printed time, then for CPython and for concur the program's
    // own clock (its record's `elapsed_ms`) and hyperfine's process median, and the ratio of the
    // process medians.
    let seeds = &reported_section("seeds", "seeds");
    // Free text, not options: not shown as code.
    assert!(
        seeds.starts_with("\nParameters: the seeds' own sizes (scripts/python/experiments.tsv)\n")
    );
    assert!(seeds.contains(
        "*program*: the program's own clock in the checked run, as the posts printed it; \
         *process*: hyperfine's median wall time of the whole process here, interpreter start \
         and imports included; *CPython ÷ concur*: the ratio of the process medians.\n"
    ));
    // s000-download-seq: records 13 837.6 ms and 8 065.4 ms, medians 14.1 s and 8.23 s.
    assert!(seeds.contains(
        "| experiment | what it runs | seed's time | CPython program | CPython process | \
         concur program | concur process | CPython ÷ concur |\n\
         |---|---|--:|--:|--:|--:|--:|--:|\n\
         | s000-download-seq | 160 pages in order, one requests.Session | 14.3 s | 13.8 s | \
         14.1 s | 8.07 s | 8.23 s | 1.72× |\n"
    ));
    assert_eq!(
        table_row(seeds, "s002-cpu-thread"),
        "| s002-cpu-thread | the same sum in two halves, two threading.Threads (one at a time \
         under the GIL) | 8.92 s | 8.77 s | 8.95 s | 31.2 ms | 31.8 ms | 281× |"
    );
    // No time printed by the post: a dash, not a zero.
    assert!(
        table_row(seeds, "s000-convert-racy")
            .contains("duplicate conversions | – | 698 ms | 712 ms | 26.0 ms | 26.5 ms | 26.9× |")
    );
    let table = &seeds[..seeds.find("<details>").expect("the folded tables")];
    let experiments: Vec<&str> = table
        .lines()
        .filter(|line| line.starts_with("| s0"))
        .map(|line| line.split(" | ").next().unwrap_or_default())
        .collect();
    assert_eq!(experiments.len(), 14, "{seeds}");
    assert_eq!(experiments[0], "| s000-download-seq");
    assert_eq!(experiments[13], "| s002-io-asyncio");
    assert!(seeds.contains(
        "**Answers** per experiment group (the same job at the same size: one checksum, no \
         errors): ✓ `download-realpython-80` (8 variants), ✓ `squares-5000000x20` (4 variants), \
         ✓ `convert-20000` (4 variants), ✓ `range-sum-100000000` (6 variants), \
         ✓ `download-seminar-10` (6 variants).\n"
    ));
    assert!(seeds.contains(
        "Keys converted twice (duplicate lookups, which `convert`'s rule forbids): \
         `s000-convert-racy` (CPython 31, concur 28).\n"
    ));
    assert!(seeds.contains("![seeds: for each experiment, the median wall time of the CPython program beside its concur variant's, coloured by model](seeds.svg)"));
    // Every variant is still listed, folded away, and no quick-run note on a full run.
    assert!(seeds.contains("<details><summary>Every variant</summary>"));
    assert!(!seeds.contains("Quick run"));
}

/// The seeds' two lessons are stated from the CPython process medians.
#[test]
fn lessons_are_computed_from_the_medians() {
    // 8.70 s for one loop, 8.95 s for two threads (0.97×), 4.43 s for two processes (1.96×);
    // 14.1 s for the sequential download against 3.81 s, 2.64 s and 5.61 s.
    let seeds = &reported_section("seeds", "seeds");
    assert!(
        seeds.contains(
            "The seeds' two lessons, in this run's CPython process medians:\n\n\
         - **Threads do not help CPU work under the GIL, processes do** (s002-cpu-*, CPython): \
         two threads took 8.95 s against 8.70 s for one (0.97× the speed); two processes \
         4.43 s (1.96×).\n\
         - **For I/O every concurrent model helps** (s000-download-*, CPython): against \
         14.1 s one request at a time, threads 3.81 s (3.71×), asyncio 2.64 s (5.35×), \
         processes 5.61 s (2.52×).\n"
        ),
        "{seeds}"
    );
}

/// A quick run's lessons say what its sizes showed, and its seed times are flagged.
#[test]
fn quick_run_lessons_follow_its_numbers() {
    // Not what the seeds claimed; the seed times are not comparable with these sizes.
    let seeds = &reported_section("quick", "seeds");
    assert!(seeds.contains(
        "Quick run: the seed's times are for the seeds' own sizes; this run's are for \
         smaller ones and are not comparable with them.\n"
    ));
    // 280 ms for one loop, 270 ms for two threads, 288 ms for two processes.
    assert!(
        seeds.contains(
            "- **Threads do not help CPU work under the GIL, and here processes did not either** \
         (s002-cpu-*, CPython): two threads took 270 ms against 280 ms for one (1.04× the \
         speed); two processes 288 ms (0.97×).\n"
        ),
        "{seeds}"
    );
    // 214 ms in order; threads 143 ms (1.49×), asyncio 191 ms and processes 198 ms under 1.2×.
    assert!(
        seeds.contains(
            "- **For I/O threads helped, asyncio and processes did not here** (s000-download-*, \
         CPython): against 214 ms one request at a time, threads 143 ms (1.49×), asyncio \
         191 ms (1.12×), processes 198 ms (1.08×).\n"
        ),
        "{seeds}"
    );
}

/// Without CPython the seeds show concur's columns alone, say why, and draw no lesson.
#[test]
fn skipped_python_shows_concur_only() {
    // The terminal shows concur alone too.
    let scratch = Scratch::copy_of("seeds");
    scratch.keep_variants("seeds", |name| name.ends_with(" concur"));
    let mut params: Value = serde_json::from_str(&scratch.read("params.json")).expect("JSON");
    params["python"] = Value::Null;
    params["python_skipped"] = "CPython variants skipped (--no-python)".into();
    scratch.write("params.json", params.to_string());

    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "", "no warning about the missing CPython or seq");
    let readme = scratch.read("README.md");
    let seeds = section(&readme, "seeds");
    assert!(
        seeds.contains(
            "CPython was not run here (CPython variants skipped (--no-python)): only the concur \
         columns are shown.\n\n\
         | experiment | what it runs | seed's time | concur program | concur process |\n\
         |---|---|--:|--:|--:|\n\
         | s000-download-seq | 160 pages in order, one requests.Session | 14.3 s | 8.07 s | \
         8.23 s |\n"
        ),
        "{seeds}"
    );
    assert!(!seeds.contains("lessons"), "{seeds}");
    assert!(seeds.contains("✓ `download-realpython-80` (4 variants)"));
    let text = stdout(&output);
    assert!(
        text.starts_with("seeds                     concur\n  s000-download-seq       8.23 s\n"),
        "{text}"
    );
}

/// A checksum off its group's majority is named, marked in the terminal and summary.csv.
#[test]
fn a_wrong_answer_is_named_in_its_group() {
    // The rest of its group still agrees.
    let scratch = Scratch::copy_of("seeds");
    let wrong: Vec<String> = scratch
        .read("records.jsonl")
        .lines()
        .map(|line| {
            if line.contains(r#""variant":"s002-cpu-thread concur""#) {
                line.replace("4999999950000000", "4999999950000001")
            } else {
                line.to_string()
            }
        })
        .collect();
    scratch.write("records.jsonl", wrong.join("\n") + "\n");
    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    let readme = scratch.read("README.md");
    assert!(
        section(&readme, "seeds")
            .contains("✗ `range-sum-100000000` (differs: s002-cpu-thread concur)")
    );
    let text = stdout(&output);
    assert!(
        text.contains(
            "\n  s002-cpu-thread         8.95 s  31.8 ms              281×  ✗ wrong answer\n"
        ),
        "{text}"
    );
    let rows = csv_rows(&scratch.read("summary.csv"));
    let agrees = |variant: &str| {
        rows.iter()
            .find(|row| row["variant"] == variant)
            .map(|row| row["checksum_agrees"].clone())
            .unwrap_or_else(|| panic!("no csv row for {variant}"))
    };
    assert_eq!(agrees("s002-cpu-thread concur"), "false");
    assert_eq!(agrees("s002-cpu-thread python-threads"), "true");
    assert_eq!(agrees("s002-cpu-basic concur"), "true");
}

/// summary.csv keeps every seeds variant, no speedup, answers checked within the group.
#[test]
fn summary_keeps_every_seeds_variant() {
    // And no warning about a missing `seq`.
    let scratch = Scratch::copy_of("seeds");
    let output = scratch.run();
    assert!(output.status.success());
    assert_eq!(stderr(&output), "", "no warning about the missing seq");
    let rows = csv_rows(&scratch.read("summary.csv"));
    assert_eq!(rows.len(), 28);
    for row in &rows {
        assert_eq!(row["workload"], "seeds");
        assert_eq!(row["speedup_vs_seq"], "", "{}", row["variant"]);
        assert_eq!(row["checksum_agrees"], "true", "{}", row["variant"]);
    }
}

/// The terminal shows a line per experiment and a quick run stays within compare.sh's budget.
#[test]
fn terminal_shows_one_line_per_experiment_within_budget() {
    // Six workloads: with its ~17 progress lines on stderr, about 80 lines in all.
    let scratch = Scratch::copy_of("quick");
    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "", "no warning on a complete quick run");
    let text = stdout(&output);
    let start = text.find("\nseeds ").expect("a seeds table") + 1;
    let mut lines = text[start..].lines();
    let seeds: Vec<&str> = lines
        .by_ref()
        .take_while(|line| line.starts_with("seeds ") || line.starts_with("  "))
        .collect();
    assert_eq!(seeds.len(), 1 + 14, "{text}");
    // The seeds are the last table: a quick run (one run a round) flags no rounds.
    assert_eq!(lines.next(), None, "{text}");
    assert!(!text.contains("⚠"), "{text}");
    assert_eq!(seeds[0], "seeds                    CPython   concur  CPython ÷ concur");
    assert_eq!(seeds[1], "  s000-download-seq       214 ms   103 ms             2.07×");
    assert_eq!(seeds[11], "  s002-cpu-process        288 ms  6.00 ms             48.0×");
    assert!(text.lines().count() <= 62, "{} lines:\n{text}", text.lines().count());
}

/// Every line of a quick run's terminal summary fits a 100-column terminal.
#[test]
fn terminal_lines_fit_100_columns() {
    let scratch = Scratch::copy_of("quick");
    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let wide: Vec<&str> = text.lines().filter(|line| line.chars().count() > 100).collect();
    assert!(wide.is_empty(), "{wide:#?}");
}

/// The seeds chart is linked under their table, captioned as CPython beside concur.
#[test]
fn seeds_chart_is_linked() {
    // What a chart holds is the chart module's to test.
    let scratch = Scratch::reported("seeds");
    assert!(scratch.read("seeds.svg").starts_with("<svg"));
    let readme = scratch.read("README.md");
    assert!(section(&readme, "seeds").contains(
        "\n![seeds: for each experiment, the median wall time of the CPython program beside its \
         concur variant's, coloured by model](seeds.svg)\n"
    ));
}
