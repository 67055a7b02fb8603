//! concur-cluster: the job spread over processes, on one machine or on
//! several hosts, by timely-dataflow.
//!
//! Every process runs `--threads` timely workers; workers = processes x
//! threads, numbered process by process. The distribution itself is
//! timely's (its workers, its progress tracking, its `exchange` routing a
//! record to the worker its key picks); concur starts the processes
//! ([`launch`]), connects them ([`mesh`]), watches them ([`watch`]) and
//! writes the workloads as dataflows ([`dataflow`]). For `convert`, every
//! request goes to the worker that owns its key, so a key is converted once
//! in all, on any number of hosts, with no memory shared.
//!
//! Process 0 prints the one record: its own CPU time and that of the
//! processes it started and reaped, every process's peak memory, the time to
//! connect the mesh (`connect_ms`, apart from `elapsed_ms`... which includes
//! it, as procs' includes its forks) and what crossed between processes.

pub mod dataflow;
pub mod launch;
pub mod link;
pub mod mesh;
pub mod options;
pub mod watch;

use anyhow::{Context, Result, anyhow};
use concur_shared::model::{Model, Outcome, Progress, available_cores};
use concur_shared::process::{CpuMs, own_cpu_ms, own_peak_rss_kib};
use concur_shared::record::millis;
use concur_shared::workload::convert::ConvertAnswer;
use concur_shared::workload::convert::route::owner;
use concur_shared::workload::download::fnv1a64;
use concur_shared::workload::{Answer, Job};
use dataflow::{Converted, Node};
use launch::Place;
use link::{Link, Sent};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;
use timely::communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
use timely::communication::allocator::{AllocatorBuilder, ProcessBuilder};
use timely::communication::{Config as Communication, Hooks};
use watch::{PeerReport, Watch};

pub use options::Options;

pub const MODEL: Model = Model {
    name: "cluster",
    about: "The job spread over processes by timely-dataflow: on loopback by default \
            (--processes P, each with --threads T workers), or on several hosts (--hosts FILE \
            --process I); records routed between workers by key, every result gathered at \
            worker 0 of process 0.",
    forks: false,
};

/// Process 0: starts or joins the run, runs its workers, gathers the
/// answer and every other process's report.
pub fn run(job: &Job, options: &Options, progress: &Progress) -> Result<Outcome> {
    let mut place = match (&options.hosts, options.process) {
        (Some(hosts), Some(me)) => launch::from_hosts(options, hosts, me as usize)?,
        _ => {
            let processes = options.processes.unwrap_or(2) as usize;
            launch::start_local(options, processes, progress.verbose)?
        }
    };
    let hosts = options.hosts.is_some();
    let children = std::mem::take(&mut place.children);
    let start = place.start;
    let (mut run, answers) = execute(place, job, options, progress)?;
    let reports = match run.watch.take() {
        Some(watch) => watch.reports(options.peer_timeout()),
        None => Vec::new(),
    };
    launch::reap(children, options.peer_timeout())?;
    let answer = assemble(answers)?;
    let workers = run.processes * run.threads;
    let mut outcome = Outcome::new(answer, workers, workers)
        .with_field("processes", run.processes)
        .with_field("threads", run.threads)
        .with_field("start_ms", millis(start))
        .with_field("connect_ms", millis(run.connect))
        .with_field("link_delay_ms", options.link_delay_ms)
        .with_field(
            "bytes_exchanged",
            run.sent.bytes() + reports.iter().map(|r| r.bytes_sent).sum::<u64>(),
        )
        .with_field(
            "records_exchanged",
            run.sent.records() + reports.iter().map(|r| r.records_sent).sum::<u64>(),
        );
    if hosts {
        // Processes on other hosts are not this one's children: their CPU
        // time is not in `cpu_ms`, so it is given beside it.
        let cpu = reports
            .iter()
            .fold(CpuMs::default(), |sum, r| sum.plus(r.cpu_ms));
        outcome = outcome.with_field("peers_cpu_ms", serde_json::json!(cpu));
    }
    if let Job::Convert(_) = job {
        outcome = outcome.with_field("route", "by-key");
    }
    outcome = outcome.with_ideal_ms(ideal_ms(job, workers));
    outcome.children_peak_rss_kib = reports.iter().map(|r| r.peak_rss_kib).sum();
    Ok(outcome)
}

/// A process other than 0 (started by process 0, or by hand with `--hosts`):
/// runs its workers, reports to process 0, prints no record.
pub fn serve_peer(job: &Job, options: &Options, progress: &Progress) -> Result<()> {
    let place = match (&options.hosts, options.process, options.spawned) {
        (Some(hosts), Some(me), _) => launch::from_hosts(options, hosts, me as usize)?,
        (_, _, Some(me)) => launch::join_local(me as usize)?,
        _ => anyhow::bail!("serve_peer needs --hosts with --process, or --spawned"),
    };
    let cpu_before = own_cpu_ms();
    let (mut run, _) = execute(place, job, options, progress)?;
    let report = PeerReport {
        peak_rss_kib: own_peak_rss_kib(),
        cpu_ms: own_cpu_ms().since(cpu_before),
        bytes_sent: run.sent.bytes(),
        records_sent: run.sent.records(),
    };
    let (watch, mut control) = run
        .watch
        .take()
        .zip(run.control.take())
        .context("no connection to process 0")?;
    watch
        .report_to_zero(&mut control, &report)
        .context("sending this process's report to process 0")
}

/// A process of the run once its workers are done.
struct Ran {
    processes: usize,
    threads: usize,
    connect: Duration,
    sent: Arc<Sent>,
    watch: Option<Watch>,
    /// A process other than 0: its control connection, for its report.
    control: Option<TcpStream>,
}

/// What a worker hands back; only worker 0's is not empty.
enum WorkerAnswer {
    Cpu(Vec<(usize, u128)>),
    Download(Vec<(usize, concur_shared::workload::Fetched)>),
    Convert(Vec<Converted>),
    Sleep(u64),
}

/// Connects this process to the others, runs its workers to the end, and
/// returns their answers (worker 0's first).
fn execute(
    mut place: Place,
    job: &Job,
    options: &Options,
    progress: &Progress,
) -> Result<(Ran, Vec<WorkerAnswer>)> {
    let processes = place.addresses.len();
    let threads = options.threads(processes);
    let sent = Arc::new(Sent::default());
    watch::install_panic_hook(place.me);
    let mut ran = Ran {
        processes,
        threads,
        connect: Duration::ZERO,
        sent: Arc::clone(&sent),
        watch: None,
        control: None,
    };
    let (builders, guard) = if processes == 1 {
        Communication::Process(threads)
            .try_build()
            .map_err(|e| anyhow!("starting the workers: {e}"))?
    } else {
        connect(&mut place, &mut ran, job, options, progress)?
    };
    let (job, progress) = (Arc::new(job.clone()), *progress);
    let guards = timely::execute::execute_from(
        builders,
        guard,
        timely::WorkerConfig::default(),
        move |worker| {
            let mut node = Node {
                worker,
                threads,
                sent: Arc::clone(&sent),
                progress,
            };
            match &*job {
                Job::Cpu(cpu) => {
                    WorkerAnswer::Cpu(dataflow::cpu(&mut node, Arc::new(cpu.tasks.clone())))
                }
                Job::Download(download) => WorkerAnswer::Download(dataflow::download(
                    &mut node,
                    Arc::new(download.clone()),
                )),
                Job::Convert(convert) => {
                    WorkerAnswer::Convert(dataflow::convert(&mut node, Arc::new(convert.clone())))
                }
                Job::Sleep(sleep) => WorkerAnswer::Sleep(dataflow::sleep(&mut node, *sleep)),
            }
        },
    )
    .map_err(|e| anyhow!("starting the workers: {e}"))?;
    let answers = guards
        .join()
        .into_iter()
        .collect::<std::result::Result<Vec<_>, String>>()
        .map_err(|e| anyhow!("a worker failed: {e}"))?;
    Ok((ran, answers))
}

/// Connects the mesh, starts watching the peers, and hands timely the
/// record connections, each wrapped in a [`Link`].
fn connect(
    place: &mut Place,
    ran: &mut Ran,
    job: &Job,
    options: &Options,
    progress: &Progress,
) -> Result<(Vec<AllocatorBuilder>, Box<dyn std::any::Any + Send>)> {
    let (me, threads) = (place.me, ran.threads);
    // Every process must compute the same job with the same worker layout:
    // the job as parsed and the threads, hashed, must match in every hello.
    let run = mesh::Run {
        secret: place.secret.clone(),
        job: fnv1a64(format!("{job:?} threads {threads}").as_bytes()),
    };
    let mesh = mesh::connect(
        me,
        &place.addresses,
        place.listener.take(),
        &run,
        options.peer_timeout(),
    )?;
    progress.say(format_args!(
        "process {me}: mesh of {} connected in {:?}",
        ran.processes, mesh.connect
    ));
    ran.connect = mesh.connect;
    if me != 0 {
        ran.control = mesh.control[0]
            .as_ref()
            .map(TcpStream::try_clone)
            .transpose()?;
    }
    ran.watch = Some(watch::start(mesh.control, options.peer_timeout())?);
    let sockets = mesh
        .records
        .into_iter()
        .map(|s| s.map(|s| Link::new(s, options.link_delay(), Arc::clone(&ran.sent))))
        .collect();
    let hooks = Hooks::default();
    let local =
        ProcessBuilder::new_typed_vector(threads, hooks.refill.clone(), hooks.spill.clone());
    let (builders, guard) = initialize_networking_from_sockets(local, sockets, me, threads, hooks)
        .context("starting timely's network threads")?;
    Ok((
        builders.into_iter().map(AllocatorBuilder::Tcp).collect(),
        Box::new(guard),
    ))
}

/// The answer in task order, from worker 0's gathered records.
fn assemble(answers: Vec<WorkerAnswer>) -> Result<Answer> {
    let first = answers.into_iter().next().context("no worker ran")?;
    Ok(match first {
        WorkerAnswer::Cpu(results) => Answer::Cpu(in_order(results)),
        WorkerAnswer::Download(fetched) => Answer::Download(in_order(fetched)),
        WorkerAnswer::Sleep(reached) => Answer::Sleep(reached),
        WorkerAnswer::Convert(records) => {
            let mut answer = ConvertAnswer {
                served: Vec::new(),
                lookups_run: 0,
                evictions: 0,
            };
            let mut served = Vec::new();
            for record in records {
                match record {
                    Converted::Served(index, outcome) => served.push((index, outcome)),
                    Converted::Counts {
                        lookups_run,
                        evictions,
                    } => {
                        answer.lookups_run += lookups_run;
                        answer.evictions += evictions;
                    }
                }
            }
            answer.served = in_order(served);
            Answer::Convert(answer)
        }
    })
}

fn in_order<T>(mut indexed: Vec<(usize, T)>) -> Vec<T> {
    indexed.sort_by_key(|(index, _)| *index);
    indexed.into_iter().map(|(_, item)| item).collect()
}

/// The shortest time the job could take: every wait at once for `sleep`;
/// for `convert`, the busiest owner's lookups (static routes, by key).
fn ideal_ms(job: &Job, workers: usize) -> Option<f64> {
    match job {
        Job::Sleep(sleep) => Some(sleep.ideal_ms(sleep.tasks)),
        Job::Convert(convert) => {
            let routes: Vec<usize> = (convert.requests.iter().enumerate())
                .map(|(index, request)| owner(index, request, workers))
                .collect();
            convert.ideal_ms_routed(&routes, workers, available_cores())
        }
        _ => None,
    }
}
