//! The harness around every model: the command line the four binaries share,
//! and [`drive`], which parses it, times the model's run, verifies the answer
//! and prints the record.
//!
//! `concur-<model> <WORKLOAD> [workload options] [model options]`: workloads
//! and their options are defined once (in [`crate::workload`]), each model adds
//! only its own options struct, and [`drive`] does the rest the same way for
//! all four binaries: parse, validate, run, verify, print the record, exit.
//!
//! Exit status: 0 success, 1 the job failed, 2 usage error; every usage error is
//! one line naming the option. The command is assembled with clap's builder so
//! one generic options type can be attached to every workload subcommand.

use crate::error::UsageError;
use crate::http::{SiteStats, site_stats};
use crate::model::{Model, ModelOptions, Progress, RunFn};
use crate::process::{
    CpuMs, PageTablesPeak, children_cpu_ms, own_cpu_ms, own_peak_rss_kib, raise_open_files_limit,
};
use crate::record::{Record, millis};
use crate::workload::{self, Job};
use clap::error::ErrorKind;
use clap::{Arg, ArgAction, Command};
use std::fmt::Display;
use std::process::ExitCode;
use std::time::Instant;

/// A parsed and validated command line.
#[derive(Debug)]
pub struct Invocation<M> {
    pub job: Job,
    pub options: M,
    pub progress: Progress,
}

/// The clap command of a model binary: one subcommand per workload, each with
/// the workload's options and the model's options.
pub fn command<M: ModelOptions>(model: Model) -> Command {
    let mut command = Command::new(format!("concur-{}", model.name))
        .about(model.about)
        // Every binary of the workspace carries the workspace's one version.
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_value_name("WORKLOAD")
        .subcommand_help_heading("Workloads")
        // `--help` and `<WORKLOAD> --help` cover it; a `help` pseudo-workload
        // would sit in the list of workloads as if it were one.
        .disable_help_subcommand(true)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help(format!(
            "Options of the workload and of the model go after the workload, in any order: \
             concur-{name} squares --count 4 --workers 2. `concur-{name} WORKLOAD --help` \
             lists them.\n\n\
             The last line of stdout is the result record (one JSON object) when the job \
             succeeds; exit status 0 success, 1 the job failed (no record), 2 usage error.",
            name = model.name
        ))
        .arg(
            Arg::new("verbose")
                .short('v')
                .long("verbose")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Print one line per task on stderr"),
        );
    for (name, about) in workload::WORKLOADS {
        // `about` goes last: derived `Args` would replace it with the options
        // structs' doc comments.
        let sub = M::augment_args(workload::augment(name, Command::new(*name)));
        // Negative numbers parse as values, so `--count -1` is reported as a
        // bad --count rather than as an unknown option `-1`.
        command = command.subcommand(sub.about(*about).allow_negative_numbers(true));
    }
    command
}

/// Parses and validates the process's arguments.
pub fn parse<M: ModelOptions>(
    model: Model,
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
) -> Result<Invocation<M>, Exit> {
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let matches = command::<M>(model)
        .try_get_matches_from(&args)
        .map_err(|e| match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                let _ = e.print();
                Exit::Success
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                let _ = e.print();
                Exit::Usage
            }
            _ => usage_error(one_line(&e, model, &args)),
        })?;
    let (name, sub) = matches
        .subcommand()
        .ok_or_else(|| usage_error("error: a workload is required"))?;
    let job = workload::from_matches(name, sub).map_err(report_usage)?;
    let options = M::from_arg_matches(sub).map_err(|e| usage_error(first_line(&e.to_string())))?;
    options.validate(&job).map_err(report_usage)?;
    let progress = Progress {
        verbose: sub.get_flag("verbose"),
    };
    Ok(Invocation {
        job,
        options,
        progress,
    })
}

/// How a binary ends, mapped to the contract's exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success,
    Failed,
    Usage,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        match exit {
            Exit::Success => ExitCode::SUCCESS,
            Exit::Failed => ExitCode::from(1),
            Exit::Usage => ExitCode::from(2),
        }
    }
}

/// The whole life of a model binary: parse, run (timed), verify, print.
///
/// `run` is the model; everything around it is the same for every model, so
/// the timing in `elapsed_ms` covers exactly the model's work (including its
/// own set-up: spawning threads, building a runtime, forking workers).
pub fn drive<M: ModelOptions>(model: Model, run: RunFn<M>) -> ExitCode {
    match parse::<M>(model, std::env::args_os()) {
        Ok(invocation) => drive_parsed(model, invocation, run),
        Err(exit) => exit.into(),
    }
}

/// [`drive`] for a command line already parsed: a binary that looks at its
/// options before choosing what to run (a cluster process other than 0 runs
/// no record) parses once.
pub fn drive_parsed<M: ModelOptions>(
    model: Model,
    invocation: Invocation<M>,
    run: RunFn<M>,
) -> ExitCode {
    let Invocation {
        job,
        options,
        progress,
    } = invocation;
    if matches!(job, Job::Download(_)) {
        // Every request in flight is an open socket; the default soft limit of
        // 1024 would cap the 10 000-request benchmark. Best effort: a refusal
        // shows up as failed requests, which are reported one by one.
        if let Err(error) = raise_open_files_limit() {
            progress.say(format_args!("warning: {error:#}"));
        }
    }
    let stats_origin = match &job {
        Job::Download(download) => download.stats_origin.as_deref(),
        _ => None,
    };
    let server_before = match stats_origin.map(site_stats).transpose() {
        Ok(stats) => stats,
        Err(err) => return fail(err.context("--server-stats")),
    };
    let (outcome, around) = measured(&job, model, || run(&job, &options, &progress));
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(err) => return fail(err),
    };
    let verified = match job.verify(&outcome.answer) {
        Ok(verified) => verified,
        Err(err) => return fail(err),
    };
    for problem in &verified.problems {
        eprintln!("error: {problem}");
    }
    let mut fields = verified.fields;
    fields.extend(outcome.fields);
    if let Some(kib) = around.page_tables_kib {
        fields.insert("page_tables_kib".into(), kib.into());
    }
    if let (Some(origin), Some(before)) = (stats_origin, server_before) {
        match site_stats(origin) {
            Ok(after) => fields.extend(server_fields(before, after)),
            Err(err) => return fail(err.context("--server-stats, after the run")),
        }
    }
    let record = Record {
        model: model.name,
        workload: job.workload(),
        workers: outcome.workers,
        concurrency: outcome.concurrency,
        tasks: job.tasks(),
        checksum: verified.checksum,
        elapsed_ms: millis(around.elapsed),
        cpu_ms: around.cpu,
        peak_rss_kib: own_peak_rss_kib() + outcome.children_peak_rss_kib,
        errors: verified.errors,
        fields,
    };
    // A failed job prints no record on stdout, where a script reading the
    // last line would take it for a result; its partial record goes to stderr.
    if verified.errors > 0 {
        eprintln!("{PARTIAL_RECORD}{}", record.to_json_line());
        return Exit::Failed.into();
    }
    println!("{}", record.to_json_line());
    Exit::Success.into()
}

/// What the harness measures around a model's run: its wall time, its CPU
/// time (every thread, and children reaped meanwhile: procs' workers), and
/// for the jobs that keep many tasks alive at once its page tables at their
/// largest (a model that forks counts those itself: the sampler is a thread).
struct Around {
    elapsed: std::time::Duration,
    cpu: CpuMs,
    page_tables_kib: Option<u64>,
}

fn measured<T>(job: &Job, model: Model, work: impl FnOnce() -> T) -> (T, Around) {
    let many_alive = matches!(job, Job::Sleep(_) | Job::Download(_));
    let page_tables = (many_alive && !model.forks)
        .then(PageTablesPeak::start)
        .flatten();
    let (cpu_before, children_before) = (own_cpu_ms(), children_cpu_ms());
    let started = Instant::now();
    let result = work();
    let elapsed = started.elapsed();
    let page_tables_kib = page_tables.and_then(PageTablesPeak::finish);
    let cpu = own_cpu_ms()
        .since(cpu_before)
        .plus(children_cpu_ms().since(children_before));
    let around = Around {
        elapsed,
        cpu,
        page_tables_kib,
    };
    (result, around)
}

/// `server_cpu_ms` and `server_requests`: the site server's side of the run.
fn server_fields(
    before: SiteStats,
    after: SiteStats,
) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    let server_cpu = after.cpu_ms.since(before.cpu_ms);
    fields.insert("server_cpu_ms".into(), serde_json::json!(server_cpu));
    let requests = after.requests.saturating_sub(before.requests);
    fields.insert("server_requests".into(), requests.into());
    fields
}

/// How the last stderr line of a job that failed with errors begins; the
/// rest of the line is its partial record, not a result.
pub const PARTIAL_RECORD: &str = "error: the job failed; its partial record, not a result: ";

fn fail(err: anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    Exit::Failed.into()
}

fn report_usage(err: UsageError) -> Exit {
    usage_error(format!("error: {err}"))
}

fn usage_error(line: impl Display) -> Exit {
    eprintln!("{line}");
    Exit::Usage
}

/// [`crate::cli::usage_line`], and where an option came before the workload, where it
/// goes instead (in place of clap's tip, "'squares --workers' exists").
fn one_line(error: &clap::Error, model: Model, args: &[std::ffi::OsString]) -> String {
    if error.kind() == ErrorKind::UnknownArgument && before_the_workload(error, args) {
        return format!(
            "{} (options go after the workload: concur-{} squares --workers 2)",
            first_line(&error.render().to_string()),
            model.name
        );
    }
    crate::cli::usage_line(error)
}

/// Whether the argument clap refused comes before any workload name.
fn before_the_workload(error: &clap::Error, args: &[std::ffi::OsString]) -> bool {
    let Some(clap::error::ContextValue::String(refused)) =
        error.get(clap::error::ContextKind::InvalidArg)
    else {
        return false;
    };
    let position = |wanted: &dyn Fn(&str) -> bool| {
        args.iter()
            .skip(1)
            .position(|arg| arg.to_str().is_some_and(wanted))
    };
    let workload = position(&|arg| workload::WORKLOADS.iter().any(|(name, _)| *name == arg));
    let option = position(&|arg| arg == refused || arg.starts_with(&format!("{refused}=")));
    match (option, workload) {
        (Some(option), Some(workload)) => option < workload,
        (Some(_), None) => true,
        _ => false,
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text).trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{WorkersArg, available_cores};
    use clap::Args;

    #[derive(Debug, Args)]
    struct TestOptions {
        #[command(flatten)]
        workers: WorkersArg,
        /// Refuse range-sum, to exercise `validate`.
        #[arg(long)]
        no_range_sum: bool,
    }

    impl ModelOptions for TestOptions {
        fn validate(&self, job: &Job) -> Result<(), UsageError> {
            if self.no_range_sum && job.workload() == "range-sum" {
                return Err(UsageError::new("--no-range-sum refuses range-sum"));
            }
            Ok(())
        }
    }

    const MODEL: Model = Model {
        name: "test",
        about: "test model",
        forks: false,
    };

    fn parse_args(args: &[&str]) -> Result<Invocation<TestOptions>, Exit> {
        parse::<TestOptions>(
            MODEL,
            std::iter::once("concur-test").chain(args.iter().copied()),
        )
    }

    /// The clap command is internally consistent (clap's own debug checks).
    #[test]
    fn command_is_consistent() {
        command::<TestOptions>(MODEL).debug_assert();
    }

    /// Workload and model options mix in any order after the workload, and -v
    /// works before or after it.
    #[test]
    fn options_parse_in_any_order() {
        let inv = parse_args(&["squares", "--workers", "3", "--count", "4", "-v"]).expect("parses");
        assert_eq!(inv.options.workers.count(), 3);
        assert_eq!(inv.job.tasks(), 4);
        assert!(inv.progress.verbose);
        let inv = parse_args(&["-v", "range-sum", "--parts", "5"]).expect("parses");
        assert_eq!(inv.job.tasks(), 5);
        assert!(inv.progress.verbose);
    }

    /// Every nonsensical value is a usage error, never a panic.
    #[test]
    fn bad_values_are_usage_errors() {
        for args in [
            &["squares", "--workers", "0"][..],
            &["squares", "--count", "0"],
            &["squares", "--count", "-3"],
            &["squares", "--start", "x"],
            &["squares", "--start", "18446744073709551615", "--count", "2"],
            &["range-sum", "--parts", "0"],
            &["range-sum", "--end", "10", "--parts", "11"],
            &["range-sum", "--end", "0"],
            &["range-sum", "--no-range-sum"],
            &["cubes"],
            &["squares", "--engine", "x"],
            &["convert", "--requests", "0"],
            &["convert", "--cache", "lru"],
            &["convert", "--cache", "none", "--capacity", "1"],
            &["convert", "--requests-file", "f", "--distinct", "3"],
            &[],
        ] {
            assert_eq!(parse_args(args).unwrap_err(), Exit::Usage, "{args:?}");
        }
    }

    /// The one line of a usage error keeps clap's hints: the possible values,
    /// a similar name, and where an option given before the workload goes.
    #[test]
    fn usage_errors_keep_their_hints() {
        let line = |args: &[&str]| {
            let args: Vec<std::ffi::OsString> = std::iter::once("concur-test")
                .chain(args.iter().copied())
                .map(Into::into)
                .collect();
            let error = command::<TestOptions>(MODEL)
                .try_get_matches_from(&args)
                .expect_err("a usage error");
            one_line(&error, MODEL, &args)
        };
        for (args, hint) in [
            (
                &["squares", "--wrokers", "2"][..],
                "similar argument exists: '--workers'",
            ),
            (&["sqaures"], "similar subcommand exists: 'squares'"),
            (&["convert", "--cache", "lur"], "[possible values: "),
            (
                &["--workers", "2", "squares"],
                "go after the workload: concur-test squares",
            ),
            (&["squares", "--count", "-1"], "-1 is not in 1..=1000000"),
            (&["squares", "--start", "-3"], "-3 is not 0 or more"),
            (&["squares", "--count", "2x"], "'2x' is not a whole number"),
        ] {
            let line = line(args);
            assert!(line.contains(hint), "{args:?}: {line}");
            assert!(
                !line.contains('\n') && !line.contains("Usage"),
                "{args:?}: {line}"
            );
        }
    }

    /// `--version` exits 0; help lists "Workloads" with no `help` pseudo-workload.
    #[test]
    fn version_and_workloads_heading() {
        assert_eq!(parse_args(&["--version"]).unwrap_err(), Exit::Success);
        let help = command::<TestOptions>(MODEL).render_help().to_string();
        assert!(help.contains("Workloads:"), "{help}");
        assert!(help.contains("<WORKLOAD>"), "{help}");
        assert!(!help.contains("Commands:"), "{help}");
        assert!(
            !help.lines().any(|l| l.trim_start().starts_with("help ")),
            "{help}"
        );
        assert_eq!(parse_args(&["help"]).unwrap_err(), Exit::Usage);
    }

    /// `convert` takes its defaults: the benchmark's 20 000 requests.
    #[test]
    fn convert_defaults() {
        let inv = parse_args(&["convert"]).expect("parses");
        assert_eq!(inv.job.workload(), "convert");
        assert_eq!(inv.job.tasks(), 20_000);
    }

    /// Workers default to the available cores.
    #[test]
    fn workers_default_to_cores() {
        let inv = parse_args(&["squares"]).expect("parses");
        assert_eq!(inv.options.workers.count(), available_cores());
    }
}
