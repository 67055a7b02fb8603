//! concur-report: the reports of `scripts/compare.sh` and `scripts/sweep.sh`, and the data
//! files they leave beside the timings (`--help` says which command writes what).
//!
//! A thin shell over `concur_report`: parse the arguments, run, print warnings and
//! errors. Without a subcommand it builds the report (`--dir OUT`), so the command
//! line of earlier scripts keeps working; the exit status is clap's convention (`IO_HELP`).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use concur_report::files::{
    self, Export, Machine, Params, RecordLine, SweepLine, write_atomically,
};
use concur_report::format::public;
use concur_report::{compare, machine, sweeps};

const IO_HELP: &str = "\
Inputs, in OUT as scripts/compare.sh writes them:
  rounds/<workload>.<k>.json  hyperfine 1.x exports of each round, merged first into
                              <workload>.json, .csv and .md (hyperfine's layouts)
  <workload>.json             hyperfine 1.x export, one result per variant (-n names it)
  records.jsonl               each variant's result record from the checked run
  seeds.tsv                   the seeds' experiments, for the seeds workload
  params.json, machine.json   how and where the run was made (every key optional)

Outputs, each through a temporary file and a rename:
  summary.csv       one row per workload x variant, fastest first; every derived
                    number from the medians
  README.md         a section per workload (table, what it shows, chart), the rounds
                    that disagree, the machine
  <workload>.svg    median wall time per variant (seeds: CPython beside concur;
                    blocking: request latency percentiles)
  stdout            one short table per workload

--baseline DIR compares every variant with an earlier results directory (median ratio,
two-sided Mann-Whitney U test at alpha = 0.05). --readme PATH instead rewrites the lines
between `<!-- findings:start -->` and `<!-- findings:end -->` of PATH from the report
already in OUT, and writes nothing else.

Exit status: 0 success (warnings on stderr), 1 missing or garbled input, 2 bad usage.";

/// Build the concur results report from a directory of hyperfine exports and records,
/// or write one of the data files compare.sh leaves beside them.
#[derive(Debug, Parser)]
#[command(
    name = "concur-report",
    version,
    after_help = IO_HELP,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(flatten)]
    report: ReportArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// Results directory to read the inputs from and write the outputs to.
    #[arg(long, value_name = "OUT", default_value = "results")]
    dir: PathBuf,
    /// An earlier results directory to compare every variant with ("vs baseline").
    #[arg(long, value_name = "DIR")]
    baseline: Option<PathBuf>,
    /// Only rewrite the findings block of this Markdown file from the report in OUT.
    #[arg(long, value_name = "PATH", conflicts_with = "baseline")]
    readme: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    Machine(MachineArgs),
    Params(ParamsArgs),
    Record(RecordArgs),
    JoinExports(JoinArgs),
    SweepRecord(SweepRecordArgs),
    Sweeps(SweepsArgs),
}

/// Write machine.json: the CPU, cores, memory, kernel and OS read from the system,
/// and the given tool versions, idle-CPU policy, date and commit.
#[derive(Debug, Args)]
struct MachineArgs {
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    given: Machine,
    #[command(flatten)]
    sources: machine::Sources,
}

/// Write params.json: how the run was made.
#[derive(Debug, Args)]
struct ParamsArgs {
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    params: Params,
    /// A workload and its parameters (`squares=--start 50000000 --count 20`); repeat
    /// for each workload, in the order they ran.
    #[arg(long = "workload", value_name = "NAME=ARGS", value_parser = workload_arg)]
    workloads: Vec<(String, String)>,
}

/// A `NAME=ARGS` workload argument; the name must be usable as a file name.
fn workload_arg(argument: &str) -> Result<(String, String), String> {
    match argument.split_once('=') {
        Some((name, _)) if !files::is_file_name(name) => {
            Err(format!("workload name {name:?} cannot be used as a file name"))
        }
        Some((name, parameters)) => Ok((name.to_string(), parameters.to_string())),
        None => {
            Err(format!("expected NAME=ARGS (e.g. squares=--start 5 --count 20), got {argument:?}"))
        }
    }
}

/// Print one records.jsonl line for a variant's result record (exit 1 when the
/// record is not a JSON object).
#[derive(Debug, Args)]
struct RecordArgs {
    #[command(flatten)]
    fields: RecordLine,
    /// The record: the binary's last line of output, a JSON object.
    #[arg(long, value_name = "LINE", allow_hyphen_values = true)]
    line: String,
}

/// Join hyperfine 1.x exports into one, their results in argument order.
#[derive(Debug, Args)]
struct JoinArgs {
    /// The export to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The exports to join.
    #[arg(value_name = "IN", required = true)]
    inputs: Vec<PathBuf>,
}

/// Print one records.jsonl line of scripts/sweep.sh for a point's result record
/// (exit 1 when the value is not a number or the record not a JSON object).
#[derive(Debug, Args)]
struct SweepRecordArgs {
    #[command(flatten)]
    fields: SweepLine,
    /// The parameter's value at this point, a number.
    #[arg(long, value_name = "V", allow_hyphen_values = true)]
    value: String,
    /// The record: the binary's last line of output, a JSON object.
    #[arg(long, value_name = "LINE", allow_hyphen_values = true)]
    line: String,
    /// The record of the same command at 0 ms latency (a download point): its CPU per request
    /// makes the point's CPU bound.
    #[arg(long, value_name = "LINE", allow_hyphen_values = true)]
    zero_latency_line: Option<String>,
}

/// Build the sweep report of scripts/sweep.sh: <sweep>.csv and <sweep>.svg per
/// sweep and README.md (the "Scaling" page) in OUT, from its records.jsonl, the
/// points' hyperfine exports, params.json and machine.json; print one line per
/// sweep with its key sentences.
#[derive(Debug, Args)]
struct SweepsArgs {
    /// The sweep directory to read the inputs from and write the outputs to.
    #[arg(long, value_name = "OUT")]
    dir: PathBuf,
    /// Also rewrite the lines between `<!-- scaling:start -->` and
    /// `<!-- scaling:end -->` of this Markdown file with every sweep's key
    /// sentences, linking the charts in OUT.
    #[arg(long, value_name = "PATH")]
    guide: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => run_report(&cli.report),
        Some(Command::Machine(args)) => {
            let (file, warnings) = machine::describe(args.given, &args.sources);
            warn(&warnings);
            files::one_line(&file).and_then(|line| write_atomically(&args.out, &line))
        }
        Some(Command::Params(args)) => run_params(args),
        Some(Command::Record(args)) => run_record(args),
        Some(Command::JoinExports(args)) => {
            Export::join(&args.inputs).and_then(|text| write_atomically(&args.out, &text))
        }
        Some(Command::SweepRecord(args)) => run_sweep_record(args),
        Some(Command::Sweeps(args)) => {
            sweeps::generate(&args.dir, args.guide.as_deref()).and_then(|summary| print(&summary))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("concur-report: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn warn(warnings: &[String]) {
    for warning in warnings {
        eprintln!("concur-report: warning: {warning}");
    }
}

/// The report, or only the findings block with `--readme`.
fn run_report(args: &ReportArgs) -> Result<()> {
    if let Some(readme) = &args.readme {
        let report = compare::rewrite_findings(&args.dir, readme)?;
        warn(&report.warnings);
        return Ok(());
    }
    let (report, terminal) = compare::generate(&args.dir, args.baseline.as_deref())?;
    warn(&report.warnings);
    print(&terminal)
}

fn run_params(mut args: ParamsArgs) -> Result<()> {
    for (name, parameters) in args.workloads {
        // An object keeps one value per key: a workload named twice would be lost.
        let given_twice = args.params.workloads.insert(name.clone(), Some(parameters)).is_some();
        anyhow::ensure!(!given_twice, "workload {name:?} is given twice");
    }
    // The files are committed: no path of this machine in them (the venv's).
    let params = &mut args.params;
    (params.python, params.python_skipped) =
        (params.python.as_deref().map(public), params.python_skipped.as_deref().map(public));
    write_atomically(&args.out, &files::one_line(&args.params)?)
}

fn run_record(mut args: RecordArgs) -> Result<()> {
    let line = &mut args.fields;
    let named = format!("{} / {}", line.workload, line.variant);
    line.record = files::record_object(&args.line).context(named)?;
    // No path of this machine or port of a server it started in the file.
    line.command = line.command.as_deref().map(public);
    print(&files::one_line(line)?)
}

fn run_sweep_record(mut args: SweepRecordArgs) -> Result<()> {
    let point = &mut args.fields;
    let named = format!("{} / {} at {}", point.sweep, point.variant, args.value);
    let value = serde_json::from_str(args.value.trim()).ok();
    point.value = value
        .filter(|number: &serde_json::Number| number.as_f64().is_some_and(f64::is_finite))
        .with_context(|| format!("the value {:?} is not a number", args.value))
        .context(named.clone())?;
    point.record = files::record_object(&args.line).context(named.clone())?;
    let zero = args.zero_latency_line.as_deref().map(files::record_object).transpose();
    point.zero_latency = zero.context("the 0 ms record").context(named)?;
    point.command = public(&point.command);
    print(&files::one_line(point)?)
}

/// Writes to stdout; a closed pipe is an error like any other, not a panic.
fn print(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")
}
