//! `--readme PATH`: the findings block of a front README, regenerated from a
//! results directory between `<!-- findings:start -->` and `<!-- findings:end -->`,
//! every other byte of the file kept; a file without both markers, in order, is
//! an error that leaves it untouched.

mod common;

use std::fs;
use std::path::Path;

use common::{Scratch, stderr, stdout};

const START: &str = "<!-- findings:start -->";
const END: &str = "<!-- findings:end -->";

/// A front README next to a copy of a fixture as `results/`.
fn front(fixture_name: &str, readme: &str) -> (Scratch, Scratch) {
    let results = Scratch::copy_of(fixture_name);
    assert!(results.run().status.success(), "the report must exist first");
    let front = Scratch::empty("front");
    fs::rename(&results.dir, front.path("results")).expect("move the results under front");
    front.write("README.md", readme);
    (front, results)
}

/// Every file of a directory with its contents, by name.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .expect("list directory")
        .map(|entry| {
            let path = entry.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            (name, fs::read(&path).expect("read file"))
        })
        .collect();
    files.sort();
    files
}

fn rewrite(front: &Scratch) -> std::process::Output {
    let dir = front.path("results");
    let readme = front.path("README.md");
    common::run(&[
        "--dir",
        dir.to_str().expect("UTF-8 path"),
        "--readme",
        readme.to_str().expect("UTF-8 path"),
    ])
}

/// Only the lines between the markers change; the block is the findings table.
#[test]
fn readme_block_is_replaced_and_the_rest_kept() {
    let before = format!("# concur\r\n\nIntro with ünïcode and a | pipe.\n\n{START}\n");
    let after = format!("{END}\n\n## How to run\n\ntrailing line without newline");
    let (front, _results) =
        front("waiting", &format!("{before}old findings\nmore old lines\n{after}"));
    let results_before = contents(&front.path("results"));
    let output = rewrite(&front);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "", "--readme prints no tables");
    assert_eq!(
        contents(&front.path("results")),
        results_before,
        "--readme writes nothing in the results directory"
    );
    let text = fs::read(front.path("README.md")).expect("read README");
    assert!(text.starts_with(before.as_bytes()), "prefix changed");
    assert!(text.ends_with(after.as_bytes()), "suffix changed");
    let text = String::from_utf8(text).expect("UTF-8");
    let block = &text[before.len()..text.len() - after.len()];
    assert!(!block.contains("old findings"));
    assert!(
        block.starts_with(
            "Measured by `scripts/compare.sh` at 2026-11-29T12:00:00Z on Test CPU 9000 (2\n\
         cores, 8.0 GiB RAM, Debian GNU/Linux 12 (bookworm)) at commit `def5678`;\n\
         hyperfine 1.20.0: median of 5 runs of the whole process"
        ),
        "{block}"
    );
    assert!(block.contains(
        "\n| workload | seq | threads | async | procs | cluster | CPython | what it shows |\n\
         |---|--:|--:|--:|--:|--:|--:|---|\n"
    ));
    assert!(
        block.replace('\n', " ").contains(
            "✗ wrong answer: `download` procs; two variants of `convert` converted keys twice, \
             which `convert`'s rule forbids (✗). Each cell is the model's fastest correct \
             variant, its speed-up against `seq` in the same run, and a link to the others."
        ),
        "{block}"
    );
    // Each cell: the model's fastest variant, with a link to the section that
    // has the others; a model's only variant is shown even with a wrong answer.
    assert!(
        block.contains(
            "| `download` (10 pages, 50 ms latency) | 515 ms | `--workers 5` 107 ms (4.81×) | \
             multi-thread 57.0 ms (9.04×) · [+1](results/README.md#download) | 264 ms (1.95×, \
             ✗ wrong answer) | – | – | I/O: concurrency, not cores, sets the time; async needs no \
             thread per request |\n"
        ),
        "{block}"
    );
    // async current-thread racy (15.2 ms) is faster than async single-flight
    // (15.7 ms) but converts keys twice: the cell shows single-flight. The
    // python-threads variant is CPython's.
    assert!(
        block.contains(
            "| `convert` (200 requests, 1 ms lookups, 8 callers) | 102 ms | single-flight \
             14.2 ms (7.18×) · [+2](results/README.md#convert) | single-flight 15.7 ms (6.50×) \
             · [+1](results/README.md#convert) | – | – | threads locked 112 ms (0.91×) | the seed's \
             lock serializes every lookup (0.97×); single-flight is 7.4× faster than it, \
             converting no key twice; racy is as fast and converts keys twice |\n"
        ),
        "{block}"
    );
    assert!(block.ends_with(
        "Full tables and charts: [results/README.md](results/README.md); every number:\n\
         [results/summary.csv](results/summary.csv).\n"
    ));
    // Running it again changes nothing.
    let once = fs::read(front.path("README.md")).expect("read");
    assert!(rewrite(&front).status.success());
    assert_eq!(fs::read(front.path("README.md")).expect("read"), once);
}

/// Without both markers in order the file is left as it was and the message names the marker.
#[test]
fn readme_without_markers_fails_cleanly() {
    for (text, message) in [
        ("# README\n\nno markers\n".to_string(), format!("no `{START}` line")),
        (format!("# README\n{START}\n"), format!("no `{END}` line")),
        (format!("{END}\nblock\n{START}\n"), format!("`{END}` comes before `{START}`")),
    ] {
        let (front, _results) = front("waiting", &text);
        let output = rewrite(&front);
        assert_eq!(output.status.code(), Some(1), "{text:?}");
        let error = stderr(&output);
        let readme = front.path("README.md");
        assert!(
            error.starts_with(&format!("concur-report: error: {}: ", readme.display())),
            "{error}"
        );
        assert!(error.contains(&message), "{error}");
        assert_eq!(front.read("README.md"), text, "file changed");
        let leftovers: Vec<_> = fs::read_dir(&front.dir)
            .expect("list")
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}

/// The `full/` block names the wrong answers and links relative to the README, wherever it is.
#[test]
fn findings_name_wrong_answers_and_link_relatively() {
    let (front, _results) = front("full", &format!("{START}\n{END}\n"));
    let nested = front.path("docs");
    fs::create_dir(&nested).expect("mkdir docs");
    fs::write(nested.join("page.md"), format!("x\n{START}\n{END}\n")).expect("write page");
    let dir = front.path("results");
    let output = common::run(&[
        "--dir",
        dir.to_str().expect("UTF-8 path"),
        "--readme",
        nested.join("page.md").to_str().expect("UTF-8 path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = fs::read_to_string(nested.join("page.md")).expect("read page");
    assert!(page.contains("[../results/README.md](../results/README.md)"), "{page}");
    assert!(
        page.replace('\n', " ").contains(
            "✗ wrong answer: `range-sum` procs, `range-sum` threads scoped; not checked (no \
         record): `range-sum` threads rayon."
        ),
        "{page}"
    );
    // The fixture's `--gil` record claims two lanes, which it does not reach: the
    // cell says so rather than "every parallel model uses both cores".
    assert!(
        page.contains(
            "| `squares` (20 tasks, n from 5·10⁶) | 1.00 s | scoped 500 ms (2.00×) · \
             [+2](../results/README.md#squares) | – | 550 ms (1.82×) | – | this run does not show \
             every model at its lanes: threads scoped --gil 0.95× of its 2.00× |\n"
        ),
        "{page}"
    );
    // No threads variant of range-sum is known correct (one wrong, one without a
    // record): the fastest is shown, linking to the other.
    assert!(
        page.contains(
            "| `range-sum` (0..10⁸, 2 parts) | 200 ms | rayon 108 ms (1.85×) · \
             [+1](../results/README.md#range-sum) | multi-thread 120 ms (1.67×) | 105 ms \
             (1.90×, ✗ wrong answer) | – |"
        ),
        "{page}"
    );
}

/// Seeds and blocking are no workload rows: blocking has a compact table, the seeds a sentence.
#[test]
fn seeds_and_blocking_are_not_workload_rows() {
    // The compact table: each variant with the task, its reference's p99 and what the task did.
    let (front, _results) = front("quick", &format!("# t\n{START}\nold\n{END}\n"));
    let output = rewrite(&front);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = fs::read_to_string(front.path("README.md")).expect("read README");
    let block = &text[text.find(START).expect("start")..text.find(END).expect("end")];
    assert!(!block.contains("| `seeds`"), "{block}");
    assert!(!block.contains("| `blocking`"), "{block}");
    assert!(!block.contains("s000-download-seq"), "{block}");
    assert!(block.contains("| `squares`"), "{block}");
    assert!(
        block.contains(
            "[One task that does not yield](results/README.md#blocking): what a task\n\
             computing for 100 ms without yielding did to the requests of each model, against\n\
             the same model without it.\n\n\
             | where the task ran | p50 | p99 | p99 without it | what the task did |\n\
             |---|--:|--:|--:|---|\n\
             | async current-thread | 111 ms | 114 ms | 11.6 ms | half the requests waited |\n\
             | async current-thread spawn-blocking | 10.3 ms | 11.0 ms | 11.6 ms | hardly any delay |\n\
             | async multi-thread | 10.4 ms | 103 ms | 11.3 ms | the slowest requests waited |\n"
        ),
        "{block}"
    );
    // Eight variants with the task; the references are only the p99 beside them.
    let rows = block
        .lines()
        .skip_while(|line| !line.starts_with("| where the task ran"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .count();
    assert_eq!(rows, 8, "{block}");
    assert!(!block.contains("no blocking"), "{block}");
    assert!(
        block.contains("[The blog posts' own programs in CPython here](results/README.md#seeds):"),
        "{block}"
    );
    // CPython appears only in the seeds, which are told, not tabled.
    assert!(!block.contains("| CPython |"), "{block}");
}

/// A seeds-only run tells the seeds' lessons and shows no workload table without rows.
#[test]
fn seeds_only_run_has_no_empty_table() {
    let (front, _results) = front("seeds", &format!("{START}\n{END}\n"));
    let output = rewrite(&front);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = front.read("README.md");
    assert!(text.contains("**Threads do not help CPU work under the GIL, processes do**"));
    assert!(!text.contains("| workload |"), "{text}");
}
