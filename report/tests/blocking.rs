//! The blocking section and the latency columns, on the fixture `latency/`: a
//! `download` workload whose records carry `latency_ms` (but `procs`'s, as from an
//! older binary), and a `blocking` workload of thirteen variants (160 requests at
//! 50 ms, one 500 ms task): eight with the task, five references without it.
//! Expected lines were worked out from the fixture's records by hand.

mod common;

use common::{
    Scratch, assert_balanced_tags, csv_rows, reported_section, section, stderr, stdout, table_row,
};

/// The blocking table lists every variant grouped by model, async first, the
/// reference last in its group, with wall time and the p50, p99 and max latency.
#[test]
fn blocking_table_groups_variants_with_their_reference() {
    let scratch = Scratch::copy_of("latency");
    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let readme = scratch.read("README.md");
    let blocking = section(&readme, "blocking");
    assert!(blocking.contains(
        "| variant | blocking task | median | p50 | p99 | max | check |\n\
         |---|---|--:|--:|--:|--:|:-:|\n\
         | async current-thread | 500 ms, on the runtime | 568 ms | 553 ms | 571 ms | 575 ms | ✓ |\n\
         | async current-thread spawn-blocking | 500 ms, spawn-blocking | 523 ms | 51.3 ms | 55.0 ms | 56.2 ms | ✓ |\n\
         | async current-thread no blocking | none | 108 ms | 52.3 ms | 58.1 ms | 59.0 ms | ✓ |\n\
         | async multi-thread | 500 ms, on the runtime | 561 ms | 51.8 ms | 513 ms | 548 ms | ✓ |\n"
    ), "{blocking}");
    assert_eq!(
        table_row(blocking, "threads --workers 5"),
        "| threads --workers 5 | 500 ms | 1.71 s | 52.0 ms | 58.3 ms | 61.0 ms | ✓ |"
    );
    let order: Vec<&str> = blocking
        .lines()
        .skip_while(|line| !line.starts_with("| variant | blocking task"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| line.split(" | ").next().unwrap_or_default())
        .collect();
    assert_eq!(
        order,
        [
            "| async current-thread",
            "| async current-thread spawn-blocking",
            "| async current-thread no blocking",
            "| async multi-thread",
            "| async multi-thread spawn-blocking",
            "| async multi-thread block-in-place",
            "| async multi-thread no blocking",
            "| threads --workers 5",
            "| threads --workers 5 no blocking",
            "| procs",
            "| procs no blocking",
            "| seq",
            "| seq no blocking",
        ]
    );
    assert!(blocking.contains(
        "![blocking: p50, p99 and max request latency per variant, coloured by model](blocking.svg)"
    ));
}

/// Under the chart, what the task did to each model, from the percentiles: p50 at
/// least the task's 500 ms in a current-thread runtime, only p99 in a multi-thread
/// one, offloading back within a quarter of the reference, and the models the task
/// hardly touched in one sentence.
#[test]
fn blocking_sentences_come_from_the_numbers() {
    let blocking = &reported_section("latency", "blocking");
    let expected = "(blocking.svg)\n\n\
        Inside a current-thread runtime, at least half of the requests waited behind the \
        500 ms task (p50 553 ms): p99 571 ms against 58.1 ms without it; on tokio's blocking \
        pool (spawn-blocking), p99 55.0 ms, as without it. \
        Inside a multi-thread runtime, the slowest requests waited behind the 500 ms task: \
        p99 513 ms against 56.4 ms without it; on tokio's blocking pool (spawn-blocking), \
        p99 54.8 ms, as without it; with block-in-place, p99 57.9 ms, as without it. \
        With `threads --workers 5` (p99 58.3 ms against 53.9 ms without it), `procs` (p99 \
        56.2 ms against 54.1 ms without it) and `seq` (p99 52.4 ms against 52.0 ms without \
        it), the 500 ms task hardly delayed the requests.\n";
    assert!(blocking.contains(expected), "{blocking}");
}

/// Without references the sentence gives the numbers it has and compares nothing.
#[test]
fn blocking_sentences_without_references() {
    let scratch = Scratch::copy_of("latency");
    scratch.keep_variants("blocking", |name| !name.ends_with(" no blocking"));
    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    let readme = scratch.read("README.md");
    let blocking = section(&readme, "blocking");
    assert!(
        blocking.contains(
            "Inside a current-thread runtime, at least half of the requests waited behind the \
         500 ms task (p50 553 ms): p99 571 ms; on tokio's blocking pool (spawn-blocking), \
         p99 55.0 ms."
        ),
        "{blocking}"
    );
    assert!(
        blocking.contains(
            "With `threads --workers 5`, the 500 ms task delayed the requests: p99 58.3 ms."
        ),
        "{blocking}"
    );
    assert!(!blocking.contains("without it"));
}

/// The chart marks p50, p99 and max of every variant on one line in the model's
/// colour, draws the task's length as a dashed line, and explains the marks.
#[test]
fn blocking_chart_marks_the_percentiles() {
    let scratch = Scratch::reported("latency");
    let svg = scratch.read("blocking.svg");
    assert_balanced_tags(&svg);
    assert!(svg.contains("blocking: request latency per variant"));
    assert!(svg.contains(
        "<title>async multi-thread: p50 51.8 ms, p90 53.9 ms, p99 513 ms, max 548 ms</title>"
    ));
    // One line per variant, each with a dot (p50), a diamond (p99) and a ring (max).
    assert_eq!(svg.matches(r#"stroke-width="3"><title>"#).count(), 13);
    assert_eq!(
        svg.matches(r#"r="4.5" fill="white""#).count(),
        13 + 1,
        "13 rings and the key's"
    );
    assert_eq!(
        svg.matches("Z\" fill=").count(),
        13 + 1,
        "13 diamonds and the key's"
    );
    assert!(svg.contains(">the task: 500 ms</text>"));
    for label in [
        ">p50</text>",
        ">p99</text>",
        ">max</text>",
        ">async</text>",
        ">seq</text>",
    ] {
        assert!(svg.contains(label), "no {label} in the legend");
    }
    assert!(
        svg.contains("request latency (ms)"),
        "a linear axis: 51 ms to 575 ms"
    );
    // References are muted.
    assert!(svg.contains(r##"text-anchor="end" fill="#666666">seq no blocking</text>"##));
}

/// The terminal shows one line per variant with the task and its reference's p99
/// beside it: nine lines for thirteen variants.
#[test]
fn blocking_terminal_lines() {
    let scratch = Scratch::copy_of("latency");
    let output = scratch.run();
    assert!(output.status.success());
    let text = stdout(&output);
    let start = text.find("blocking ").expect("a blocking table");
    let lines: Vec<&str> = text[start..].lines().collect();
    assert_eq!(
        lines,
        [
            "blocking                               median      p50      p99      max  p99 no blocking",
            "  async current-thread                 568 ms   553 ms   571 ms   575 ms          58.1 ms",
            "  async current-thread spawn-blocking  523 ms  51.3 ms  55.0 ms  56.2 ms          58.1 ms",
            "  async multi-thread                   561 ms  51.8 ms   513 ms   548 ms          56.4 ms",
            "  async multi-thread spawn-blocking    521 ms  51.2 ms  54.8 ms  56.0 ms          56.4 ms",
            "  async multi-thread block-in-place    530 ms  51.5 ms  57.9 ms  60.3 ms          56.4 ms",
            "  threads --workers 5                  1.71 s  52.0 ms  58.3 ms  61.0 ms          53.9 ms",
            "  procs                                4.08 s  51.7 ms  56.2 ms  58.8 ms          54.1 ms",
            "  seq                                  8.58 s  50.9 ms  52.4 ms  53.0 ms          52.0 ms",
        ]
    );
}

/// The download table shows p50 and p99 beside the median when the records carry
/// latency_ms (a dash for a record without), in the README, the terminal and
/// summary.csv.
#[test]
fn download_shows_p50_and_p99() {
    let scratch = Scratch::copy_of("latency");
    let output = scratch.run();
    assert!(output.status.success());
    let readme = scratch.read("README.md");
    let download = section(&readme, "download");
    assert!(download.contains(
        "| variant | median | mean ± σ | p50 latency | p99 latency | speedup vs seq | ideal \
         | ratio to ideal | peak RSS | peak in flight | errors | check |\n"
    ));
    assert_eq!(
        table_row(download, "async current-thread"),
        "| async current-thread | 63.1 ms | 63.2 ± 1.2 ms | 54.2 ms | 58.7 ms | 130× | 50.0 ms \
         | 1.26× | 4.1 MiB | 160 | 0 | ✓ |"
    );
    assert!(table_row(download, "procs").starts_with("| procs | 4.12 s | 4.13 ± 0.08 s | – | – |"));
    assert!(download.contains("*p50 latency*, *p99 latency*: the median and 99th percentile"));

    let text = stdout(&output);
    assert!(text.starts_with(
        "download                 median      p50      p99  vs seq  vs ideal  peak in flight  errors\n\
         \x20 async current-thread  63.1 ms  54.2 ms  58.7 ms    130×     1.26×             160       0\n"
    ), "{text}");
    assert!(text.contains("\n  procs                  4.12 s        –        –   1.99×"));

    let rows = csv_rows(&scratch.read("summary.csv"));
    let row = |workload: &str, variant: &str| {
        rows.iter()
            .find(|row| row["workload"] == workload && row["variant"] == variant)
            .unwrap_or_else(|| panic!("no csv row for {workload} / {variant}"))
    };
    let seq = row("download", "seq");
    assert_eq!(
        (
            &seq["latency_p50_ms"][..],
            &seq["latency_p99_ms"][..],
            &seq["latency_max_ms"][..]
        ),
        ("51", "52.9", "53.4")
    );
    assert_eq!(row("download", "procs")["latency_p99_ms"], "");
    assert_eq!(
        row("blocking", "async multi-thread")["latency_p99_ms"],
        "512.6"
    );
}

/// Records without latency_ms leave the download table as it was.
#[test]
fn download_without_latency_has_no_latency_columns() {
    let scratch = Scratch::reported("full");
    let readme = scratch.read("README.md");
    assert!(!section(&readme, "download").contains("p50"));
}
