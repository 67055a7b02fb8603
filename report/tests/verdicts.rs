//! The verdicts the figures compute and the pages state: rounds that disagree,
//! and lessons that this run's numbers contradict. On the fixture `verdicts/`, a
//! real full `compare.sh` run on 2 cores (10 runs per variant in 5 rounds, 3 per
//! seed) of `squares`, `download` and the seeds, whose four variants with a slow
//! first round were evened out: as it is, the run is steady and every lesson
//! holds. Each test edits the per-run times of a few variants (hyperfine's
//! statistics recomputed from them) and checks the results README, the terminal
//! and the findings block of a front README. Expected values were worked out from
//! the edited times by hand.

mod common;

use common::{Scratch, findings_block, section, stderr, stdout, table_row};

/// Ten runs around `median`, the same median in each of five rounds.
fn steady(median: f64) -> Vec<f64> {
    let mut times = vec![median; 10];
    times[0] = median - 0.001;
    times[1] = median + 0.001;
    times
}

/// Runs the report on `scratch`; its terminal summary.
fn report(scratch: &Scratch) -> String {
    let output = scratch.run();
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

/// The row of the findings table whose workload cell starts with `` `name` ``.
fn findings_row<'a>(block: &'a str, workload: &str) -> &'a str {
    block
        .lines()
        .find(|line| line.starts_with(&format!("| `{workload}`")))
        .unwrap_or_else(|| panic!("no {workload} row in:\n{block}"))
}

/// The "what it shows" cell: a findings row's last.
fn shows(row: &str) -> &str {
    let row = row.strip_suffix(" |").expect("a table row");
    &row[row.rfind(" | ").expect("cells") + 3..]
}

/// A steady run flags nothing anywhere and states every lesson as the seeds state it.
#[test]
fn a_steady_run_has_no_warning_and_every_lesson_holds() {
    let scratch = Scratch::copy_of("verdicts");
    let terminal = report(&scratch);
    let readme = scratch.read("README.md");
    let block = findings_block(&scratch);
    for (what, text) in [("README", &readme), ("terminal", &terminal), ("findings", &block)] {
        assert!(!text.contains('⚠'), "{what}:\n{text}");
    }
    assert!(!readme.contains("Rounds that disagree"));
    assert!(!terminal.contains("disagree"), "{terminal}");
    let parallel = "no GIL: every parallel model uses both cores; the emulated GIL and a \
                    current-thread runtime stay at seq's speed, as CPython's threads and \
                    asyncio did";
    let io = "I/O: concurrency, not cores, sets the time; async needs no thread per request";
    assert!(section(&readme, "squares").contains(&format!("What it shows: {parallel}.\n")));
    assert!(section(&readme, "download").contains(&format!("What it shows: {io}.\n")));
    assert_eq!(shows(findings_row(&block, "squares")), parallel);
    assert_eq!(shows(findings_row(&block, "download")), io);
    let cpu = "**Threads do not help CPU work under the GIL, processes do** (s002-cpu-*, \
               CPython): two threads took 2.35 s against 2.39 s for one (1.01× the speed); \
               two processes 1.24 s (1.93×).";
    assert!(section(&readme, "seeds").contains(&format!("\n- {cpu}\n")));
    assert!(block.replace('\n', " ").contains(cpu), "{block}");
}

/// Rounds that disagree are flagged in the table, the page, the terminal and the findings.
#[test]
fn rounds_that_disagree_are_flagged_everywhere() {
    // One variant whose five rounds (two runs each) took 0.225 s twice and 0.45 s three times:
    // the page gives the slowest round ÷ the fastest (2.00×), the terminal says to rerun and
    // counts it on its last line.
    let scratch = Scratch::copy_of("verdicts");
    let times = [0.225, 0.225, 0.225, 0.225, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45];
    scratch.set_times("squares", "procs", &times);
    let terminal = report(&scratch);
    let readme = scratch.read("README.md");
    assert!(
        readme.contains(
            "\n⚠ **Rounds that disagree**: `squares` procs (2.00×). Each round's median of these \
             variants lies more than 15% from another round's: the machine changed under them"
        ),
        "{readme}"
    );
    assert!(readme.contains("Rerun before drawing a conclusion from their rows (marked ⚠).\n"));
    let squares = section(&readme, "squares");
    assert!(table_row(squares, "procs").starts_with("| procs | 450 ms ⚠ | "), "{squares}");
    // Only the flagged row: the steady ones keep a bare median.
    assert_eq!(squares.lines().filter(|line| line.contains(" ⚠ |")).count(), 1);
    // 407 ms ÷ 450 ms = 0.90× of two lanes, marked as unsteady.
    assert!(squares.contains(
        "What it shows: this run does not show every model at its lanes: procs 0.90× of its \
         2.00× ⚠ (⚠ rounds disagree: rerun).\n"
    ));

    let procs = terminal.lines().find(|line| line.starts_with("  procs ")).expect("a procs line");
    assert!(procs.contains(" 450 ms "), "{procs}");
    assert!(procs.ends_with("  ⚠ rounds 2.00×"), "{procs}");
    assert_eq!(terminal.matches("⚠ rounds ").count(), 1, "{terminal}");
    assert_eq!(
        terminal.lines().last(),
        Some("⚠ the rounds of one variant disagreed (the machine changed under them): rerun"),
        "{terminal}"
    );

    let block = findings_block(&scratch);
    let row = findings_row(&block, "squares");
    assert!(row.contains(" | 450 ms (0.90×) ⚠ | "), "{row}");
    assert!(
        block.replace('\n', " ").contains(
            "; ⚠ marks a variant whose rounds disagreed: rerun before drawing a conclusion \
             from it."
        ),
        "{block}"
    );
}

/// Rounds are split as compare.sh splits them, and a round of one run is no median.
#[test]
fn rounds_are_split_as_compare_sh_splits_them() {
    // Of 7 runs in 5 rounds the first two rounds get two runs each, the last three one (left
    // out: one run is no median). Paired as (0.2, 0.3) twice, both medians are 0.25 s; as
    // (0.2, 0.2) and (0.3, 0.3), they are 0.2 and 0.3 s (1.50×). One run a round never flags.
    let flag = |times: &[f64]| {
        let scratch = Scratch::copy_of("verdicts");
        scratch.set_times("squares", "procs", times);
        let terminal = report(&scratch);
        let procs = terminal
            .lines()
            .find(|line| line.starts_with("  procs "))
            .expect("a procs line")
            .to_string();
        procs.find("⚠ rounds ").map(|at| procs[at..].to_string())
    };
    assert_eq!(flag(&[0.2, 0.3, 0.2, 0.3, 0.1, 0.5, 0.9]), None);
    assert_eq!(flag(&[0.2, 0.2, 0.3, 0.3, 0.25, 0.25, 0.25]).as_deref(), Some("⚠ rounds 1.50×"));
    assert_eq!(flag(&[0.2, 0.4, 0.9, 0.3, 0.6]), None);
}

/// Parallel variants at seq's speed are named instead of "every parallel model uses both cores".
#[test]
fn parallel_variants_at_seq_speed_contradict_the_cpu_lesson() {
    // On the page and in the findings block, each with its speedup against its two lanes.
    let scratch = Scratch::copy_of("verdicts");
    for (variant, median) in [
        ("threads rayon", 0.400),
        ("async multi-thread", 0.404),
        ("threads scoped", 0.410),
        ("procs", 0.420),
    ] {
        scratch.set_times("squares", variant, &steady(median));
    }
    report(&scratch);
    // seq's median is 407.0 ms: 1.02×, 1.01×, 0.99× and 0.97×, in table order; the
    // one-lane variants (current-thread 1.00×, --gil 0.98×) keep their part.
    let shown = "this run does not show every model at its lanes: threads rayon 1.02× of its \
                 2.00×, async multi-thread 1.01× of its 2.00×, threads scoped 0.99× of its \
                 2.00×, procs 0.97× of its 2.00×";
    let readme = scratch.read("README.md");
    let squares = section(&readme, "squares");
    assert!(squares.contains(&format!("What it shows: {shown}.\n")), "{squares}");
    assert!(!readme.contains("uses both cores"), "{readme}");
    let block = findings_block(&scratch);
    assert_eq!(shows(findings_row(&block, "squares")), shown);
    assert!(!block.contains("uses both cores"), "{block}");
}

/// CPython processes at 1.22× the one loop help, but the lesson does not say "processes do".
#[test]
fn processes_short_of_their_lanes_contradict_the_seeds_lesson() {
    // 2.00 s against 2.44 s: short of three quarters of their two lanes.
    let scratch = Scratch::copy_of("verdicts");
    scratch.set_times("seeds", "s002-cpu-basic python-seq", &[2.45, 2.44, 2.43]);
    scratch.set_times("seeds", "s002-cpu-process python-procs", &[2.01, 2.0, 1.99]);
    report(&scratch);
    // Two threads: 2.44 s ÷ 2.35 s = 1.04×.
    let lesson = "**Threads do not help CPU work under the GIL; processes help, but less than \
                  their lanes allow** (s002-cpu-*, CPython): two threads took 2.35 s against \
                  2.44 s for one (1.04× the speed); two processes 2.00 s (1.22×).";
    let readme = scratch.read("README.md");
    let seeds = section(&readme, "seeds");
    assert!(seeds.contains(&format!("\n- {lesson}\n")), "{seeds}");
    assert!(!readme.contains("processes do"), "{readme}");
    let block = findings_block(&scratch);
    assert!(block.replace('\n', " ").contains(lesson), "{block}");
    assert!(!block.replace('\n', " ").contains("processes do"), "{block}");
}

/// A download at twice its bound is named instead of "concurrency, not cores, sets the time".
#[test]
fn a_download_far_from_its_ideal_contradicts_the_io_lesson() {
    // 100 ms against 50 ms, on the page and in the findings block, with its ratio.
    let scratch = Scratch::copy_of("verdicts");
    scratch.set_times("download", "async multi-thread", &steady(0.1));
    report(&scratch);
    let shown = "the time did not follow concurrency for async multi-thread 2.00× its ideal: \
                 more than the connections' and the client's CPU cost usually adds";
    let readme = scratch.read("README.md");
    let download = section(&readme, "download");
    assert!(
        table_row(download, "async multi-thread").contains(" | 50.0 ms | 2.00× | "),
        "{download}"
    );
    assert!(download.contains(&format!("What it shows: {shown}.\n")), "{download}");
    assert!(!readme.contains("sets the time"), "{readme}");
    let block = findings_block(&scratch);
    assert_eq!(shows(findings_row(&block, "download")), shown);
    assert!(!block.contains("sets the time"), "{block}");
}

/// With only `seq` left, neither the CPU nor the I/O lesson is stated.
#[test]
fn a_lesson_needs_a_variant_to_show_it() {
    // A lesson about the concurrent variants needs one to show it.
    let scratch = Scratch::copy_of("verdicts");
    scratch.keep_variants("squares", |name| name == "seq");
    scratch.keep_variants("download", |name| name == "seq");
    report(&scratch);
    let readme = scratch.read("README.md");
    assert!(!readme.contains("uses both cores"), "{readme}");
    assert!(!readme.contains("sets the time"), "{readme}");
}
