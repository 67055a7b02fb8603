//! The blocking section and the latency columns, on the fixture `latency/`: a
//! `download` workload whose records carry `latency_ms` (but `procs`'s, as from an
//! older binary), and a `blocking` workload of thirteen variants (160 requests at
//! 50 ms, one 500 ms task): eight with the task, five references without it.
//! Expected lines were worked out from the fixture's records by hand.

mod common;

use common::{
    Scratch, csv_rows, findings_block, reported_section, section, stderr, stdout, table_row,
};

/// The blocking table groups variants by model, async first, each reference last.
#[test]
fn blocking_table_groups_variants_with_their_reference() {
    // Each row: wall time, p50, p99 and max latency, and what the task did.
    let scratch = Scratch::copy_of("latency");
    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let readme = scratch.read("README.md");
    let blocking = section(&readme, "blocking");
    assert!(blocking.contains(
        "| variant | blocking task | median | p50 | p99 | max | what the task did | check |\n\
         |---|---|--:|--:|--:|--:|---|:-:|\n\
         | async current-thread | 500 ms, on the runtime | 568 ms | 553 ms | 571 ms | 575 ms | half the requests waited | ✓ |\n\
         | async current-thread spawn-blocking | 500 ms, spawn-blocking | 523 ms | 51.3 ms | 55.0 ms | 56.2 ms | hardly any delay | ✓ |\n\
         | async current-thread no blocking | none | 108 ms | 52.3 ms | 58.1 ms | 59.0 ms | – | ✓ |\n\
         | async multi-thread | 500 ms, on the runtime | 561 ms | 51.8 ms | 513 ms | 548 ms | the slowest requests waited | ✓ |\n"
    ), "{blocking}");
    assert_eq!(
        table_row(blocking, "threads --workers 5"),
        "| threads --workers 5 | 500 ms | 1.71 s | 52.0 ms | 58.3 ms | 61.0 ms | hardly any delay | ✓ |"
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

/// What the task did comes from the percentiles by the one rule the page states.
#[test]
fn what_the_task_did_comes_from_the_numbers() {
    // p50 at least the task's 500 ms in a current-thread runtime (half of the requests waited),
    // only p99 in a multi-thread one (the slowest did), and every variant that moved the task, or
    // runs it beside threads or processes, within 1.25× of its reference's p99 (hardly delayed).
    // The references have no effect.
    let blocking = &reported_section("latency", "blocking");
    assert!(blocking.contains(
        "*what the task did*: half the requests waited when p50 reached the task's length, \
         the slowest when p99 did, hardly any delay when p99 stayed within 1.25× of the same \
         model without the task (no verdict below the task's length without that model).\n"
    ));
    let effect = |variant: &str| {
        let row = table_row(blocking, variant);
        let cells: Vec<&str> = row.split(" | ").collect();
        cells[cells.len() - 2].to_string()
    };
    for (variant, expected) in [
        ("async current-thread", "half the requests waited"),
        ("async multi-thread", "the slowest requests waited"),
        // p99 55.0 ms against 58.1 ms without the task.
        ("async current-thread spawn-blocking", "hardly any delay"),
        // 54.8 ms and 57.9 ms against 56.4 ms.
        ("async multi-thread spawn-blocking", "hardly any delay"),
        ("async multi-thread block-in-place", "hardly any delay"),
        // 58.3 ms against 53.9 ms: 1.08×.
        ("threads --workers 5", "hardly any delay"),
        ("procs", "hardly any delay"),
        ("seq", "hardly any delay"),
        ("seq no blocking", "–"),
        ("async multi-thread no blocking", "–"),
    ] {
        assert_eq!(effect(variant), expected, "{variant}");
    }
    // The sentences the column replaced are gone.
    assert!(!blocking.contains("Inside a current-thread runtime"), "{blocking}");
}

/// Without references only the task's length decides what the task did.
#[test]
fn what_the_task_did_without_references() {
    // Half or the slowest of the requests waiting for the task; below the task's length no
    // verdict, since there is no reference to say "delayed" against.
    let scratch = Scratch::copy_of("latency");
    scratch.keep_variants("blocking", |name| !name.ends_with(" no blocking"));
    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    let readme = scratch.read("README.md");
    let blocking = section(&readme, "blocking");
    assert!(
        table_row(blocking, "async current-thread").ends_with("| half the requests waited | ✓ |")
    );
    assert!(
        table_row(blocking, "async multi-thread").ends_with("| the slowest requests waited | ✓ |")
    );
    assert_eq!(
        table_row(blocking, "threads --workers 5"),
        "| threads --workers 5 | 500 ms | 1.71 s | 52.0 ms | 58.3 ms | 61.0 ms | – | ✓ |"
    );
    assert!(!blocking.contains("hardly delayed"), "{blocking}");
    assert!(!blocking.contains("| none |"), "{blocking}");
}

/// Without references the compact blocking tables drop the empty reference p99 column.
#[test]
fn compact_blocking_table_drops_an_empty_reference_column() {
    let scratch = Scratch::copy_of("latency");
    scratch.keep_variants("blocking", |name| !name.ends_with(" no blocking"));
    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let table = &text[text.find("blocking ").expect("a blocking table")..];
    assert!(!table.contains("p99 without it"), "{table}");
    let block = findings_block(&scratch);
    assert!(block.contains("| where the task ran | p50 | p99 | what the task did |"), "{block}");
}

/// The blocking chart is linked under the table, captioned as p50, p99 and max per variant.
#[test]
fn blocking_chart_is_linked() {
    // What a chart holds is the chart module's to test.
    let scratch = Scratch::reported("latency");
    assert!(scratch.read("blocking.svg").starts_with("<svg"));
    let readme = scratch.read("README.md");
    assert!(section(&readme, "blocking").contains(
        "\n![blocking: p50, p99 and max request latency per variant, coloured by \
         model](blocking.svg)\n"
    ));
}

/// The terminal shows each variant with the task, its reference's p99 and the task's effect.
#[test]
fn blocking_terminal_lines() {
    // Nine lines for thirteen variants.
    let scratch = Scratch::copy_of("latency");
    let output = scratch.run();
    assert!(output.status.success());
    let text = stdout(&output);
    let start = text.find("blocking ").expect("a blocking table");
    let lines: Vec<&str> = text[start..].lines().collect();
    assert_eq!(
        lines,
        [
            "blocking                                   p50      p99  p99 without it  what the task did",
            "  async current-thread                  553 ms   571 ms         58.1 ms  half the requests waited",
            "  async current-thread spawn-blocking  51.3 ms  55.0 ms         58.1 ms  hardly any delay",
            "  async multi-thread                   51.8 ms   513 ms         56.4 ms  the slowest requests waited",
            "  async multi-thread spawn-blocking    51.2 ms  54.8 ms         56.4 ms  hardly any delay",
            "  async multi-thread block-in-place    51.5 ms  57.9 ms         56.4 ms  hardly any delay",
            "  threads --workers 5                  52.0 ms  58.3 ms         53.9 ms  hardly any delay",
            "  procs                                51.7 ms  56.2 ms         54.1 ms  hardly any delay",
            "  seq                                  50.9 ms  52.4 ms         52.0 ms  hardly any delay",
        ]
    );
}

/// download shows p50 and p99 from the records in the README, terminal and summary.csv.
#[test]
fn download_shows_p50_and_p99() {
    // A dash for a record without latency_ms.
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
    assert!(download.contains(
        "\nColumns: *p50 latency*, *p99 latency*: the requests' median and 99th percentile \
         latency in the checked run, from starting a request to its whole body read; *peak in \
         flight*:"
    ));

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
        (&seq["latency_p50_ms"][..], &seq["latency_p99_ms"][..], &seq["latency_max_ms"][..]),
        ("51", "52.9", "53.4")
    );
    assert_eq!(row("download", "procs")["latency_p99_ms"], "");
    assert_eq!(row("blocking", "async multi-thread")["latency_p99_ms"], "512.6");
}

/// Records without latency_ms leave the download table as it was.
#[test]
fn download_without_latency_has_no_latency_columns() {
    let scratch = Scratch::reported("full");
    let readme = scratch.read("README.md");
    assert!(!section(&readme, "download").contains("p50"));
}
