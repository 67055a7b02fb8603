//! concur-report: turns the raw results of `scripts/compare.sh` into `summary.csv`,
//! `README.md` and one SVG chart per workload.
//!
//! A thin shell over `concur_report`: parse the arguments, generate, print
//! warnings and errors. Exit status 0 on success, 1 when an input is missing or
//! garbled, 2 on bad usage (clap's own convention).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use concur_report as report;

const IO_HELP: &str = "\
Inputs (all in OUT, as written by scripts/compare.sh):
  rounds/<workload>.<k>.json
                   hyperfine 1.x --export-json of round k (1, 2, ...) when the runs were
                   split into rounds; merged first into <workload>.json, .csv and .md
                   (hyperfine's layouts, every statistic recomputed over all runs)
  <workload>.json  hyperfine 1.x --export-json, one result per variant; `command` is the
                   variant name given with -n (seq, threads scoped, async multi-thread, ...)
  records.jsonl    one line per variant from the correctness-gate run:
                   {\"workload\":W,\"variant\":V,\"command\":\"...\",\"record\":{...}}
                   where record is the binary's result record (checksum, errors,
                   peak_rss_kib, concurrency/workers, requests, ideal_ms, ...)
  params.json      run parameters; every key optional: latency_ms, quick, runs, rounds, warmup,
                   workloads (object: workload -> its parameters, in report order; without
                   it every other *.json in OUT is taken as a workload, by file name)
  machine.json     cpu, cores, memory_gib, kernel, os, rustc, hyperfine, date, commit
                   (every key optional; cores is needed for the CPU-bound ideal bounds)

Outputs (written to OUT, each through a temporary file and a rename):
  summary.csv      one row per workload x variant, fastest (lowest median) first within a
                   workload; speedup_vs_seq, ideal_s and ratio_to_ideal come from medians
  README.md        findings: one table and chart per workload, then machine and how to rerun
  <workload>.svg   bar chart of median wall time per variant, whiskers ± 1 standard deviation

Exit status: 0 success (warnings on stderr), 1 missing or garbled input, 2 bad usage.";

/// Build the concur results report from a directory of hyperfine exports and records.
#[derive(Debug, Parser)]
#[command(name = "concur-report", version, after_help = IO_HELP)]
struct Cli {
    /// Results directory to read the inputs from and write the outputs to.
    #[arg(long, value_name = "OUT", default_value = "results")]
    dir: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match report::generate(&cli.dir) {
        Ok(generated) => {
            for warning in &generated.report.warnings {
                eprintln!("concur-report: warning: {warning}");
            }
            println!(
                "concur-report: wrote {} files in {}",
                generated.written.len(),
                cli.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("concur-report: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
