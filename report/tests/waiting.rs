//! The waiting workloads' own columns, on the fixture `waiting/`: `download`
//! (peak in flight from the async record's `peak_in_flight`, else the variant's
//! concurrency; a variant with an error) and `convert` (conversions and
//! duplicates; two racy variants whose answer agrees but which convert keys twice;
//! a `python-threads` variant). 5 runs per variant.

mod common;

use common::{Scratch, csv_rows, findings_block, section, stderr, stdout, table_row};

/// A right answer with duplicate conversions fails its check as "✗ converts twice".
#[test]
fn convert_marks_variants_that_convert_twice() {
    // The table shows conversions and duplicates.
    let scratch = Scratch::copy_of("waiting");
    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    let readme = scratch.read("README.md");
    let convert = section(&readme, "convert");
    assert!(convert.contains(
        "| variant | median | mean ± σ | speedup vs seq | ideal | ratio to ideal | peak RSS \
         | conversions | duplicates | check |\n"
    ));
    assert_eq!(
        table_row(convert, "threads racy"),
        "| threads racy | 14.7 ms | 14.7 ± 0.2 ms | 6.94× | – | – | 4.0 MiB | 148 | 48 | ✗ converts twice |"
    );
    assert!(
        table_row(convert, "async current-thread racy")
            .ends_with("| 151 | 51 | ✗ converts twice |")
    );
    assert!(table_row(convert, "threads single-flight").ends_with("| 100 | 0 | ✓ |"));
    assert!(convert.contains(
        "✗ Converts keys twice, which the rule forbids, though the answer is right \
         (duplicate lookups): **threads racy** (48), **async current-thread racy** (51)."
    ));
    assert!(convert.contains("All checksums agree with seq ✓."));
    assert!(convert.contains(
        "\nColumns: *conversions*: expensive lookups that ran; *duplicates*: lookups of a key \
         that had already been, or was being, converted.\n"
    ));

    // summary.csv: the checksum still agrees; the rule does not hold.
    let rows = csv_rows(&scratch.read("summary.csv"));
    let row = |variant: &str| {
        rows.iter()
            .find(|row| row["workload"] == "convert" && row["variant"] == variant)
            .unwrap_or_else(|| panic!("no csv row for {variant}"))
    };
    for (variant, duplicates, rule_ok) in [
        ("threads racy", "48", "false"),
        ("async current-thread racy", "51", "false"),
        ("threads single-flight", "0", "true"),
    ] {
        assert_eq!(row(variant)["checksum_agrees"], "true", "{variant}");
        assert_eq!(row(variant)["duplicates"], duplicates, "{variant}");
        assert_eq!(row(variant)["rule_ok"], rule_ok, "{variant}");
    }
    let download = rows.iter().find(|row| row["workload"] == "download").expect("a download row");
    assert_eq!((&download["duplicates"][..], &download["rule_ok"][..]), ("", ""));

    // The terminal says it too.
    let terminal = stdout(&output);
    assert!(
        terminal.contains("\n  threads racy               14.7 ms   6.94×         –          48  ✗ converts twice\n"),
        "{terminal}"
    );
}

/// download shows peak in flight and errors; a variant with an error is a wrong answer.
#[test]
fn download_shows_peak_in_flight_and_errors() {
    // Peak in flight: the async record's own count, else the concurrency.
    let scratch = Scratch::copy_of("waiting");
    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    let readme = scratch.read("README.md");
    let download = section(&readme, "download");
    assert!(download.contains("| peak RSS | peak in flight | errors | check |\n"));
    // peak_in_flight 8 although the record's concurrency is 10.
    assert_eq!(
        table_row(download, "async multi-thread"),
        "| async multi-thread | 57.0 ms | 57.0 ± 1.6 ms | 9.04× | 50.0 ms | 1.14× | 4.9 MiB | 8 | 0 | ✓ |"
    );
    assert!(table_row(download, "threads --workers 5").ends_with("| 5 | 0 | ✓ |"));
    assert!(table_row(download, "procs").ends_with("| 2 | 1 | ✗ |"));
    assert!(table_row(download, "seq").ends_with("| 1 | 0 | ✓ |"));
    assert!(download.contains("*peak in flight*: the most requests under way at once"));

    let terminal = stdout(&output);
    assert!(
        terminal.starts_with(
            "download                    median  vs seq  vs ideal  peak in flight  errors\n  \
             async multi-thread       57.0 ms   9.04×     1.14×               8       0\n"
        ),
        "{terminal}"
    );
    assert!(terminal.contains(
        "\n  procs                     264 ms   1.95×     1.06×               2       1  ✗ wrong answer\n"
    ));
}

/// python-* variants are their own model: the findings block's CPython column.
#[test]
fn python_variants_are_their_own_model() {
    // Shown without their `python-` prefix; the machine section names the CPython that ran them.
    let scratch = Scratch::reported("waiting");
    let block = findings_block(&scratch);
    assert!(
        block.contains(
            "| workload | seq | threads | async | procs | cluster | CPython | what it shows |\n"
        ),
        "{block}"
    );
    let convert =
        block.lines().find(|line| line.starts_with("| `convert`")).expect("a convert row");
    let cells: Vec<&str> = convert.split(" | ").collect();
    assert_eq!(cells[6], "threads locked 112 ms (0.91×)", "{convert}");
    // download has no python-* variant.
    assert!(block.contains("(1.95×, ✗ wrong answer) | – | – | I/O:"), "{block}");
    assert!(scratch.read("README.md").contains("| CPython | Python 3.11.2 |\n"));
}
