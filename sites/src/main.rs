//! `concur-sites`: the local site server the I/O benchmarks download from.
//!
//! Thin on purpose: parse the options, bind, print the address (and warn if it
//! is reachable from other machines), serve until SIGINT or SIGTERM.
//! Everything else is in the library, `concur_sites`.

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::{CommandFactory as _, FromArgMatches as _, Parser};
use concur_shared::cli::{usage_line, whole_number};
use concur_sites::{
    self as sites, DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, MAX_BODY_BYTES,
    MAX_LATENCY_MS,
};
use tokio::signal::unix::{SignalKind, signal};

/// Simulated web sites on loopback for hermetic I/O benchmarks.
///
/// Prints `listening on http://ADDR` as its first line, then serves until SIGINT
/// or SIGTERM and exits 0. On the way out it prints to stderr how many requests
/// it served and the most that were open at once (read, not yet answered): the
/// server's side of "N requests in flight".
#[derive(Debug, Parser)]
// Negative numbers are values, so `--latency-ms -1` is told it is out of range
// (as the models say it) rather than "unexpected argument '-1'".
#[command(name = "concur-sites", version, allow_negative_numbers = true)]
struct Cli {
    /// Address to listen on; port 0 picks a free port. Any address but
    /// loopback makes the fault routes reachable from other machines (a warning
    /// on stderr says so).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,

    /// Latency of every request without a `latency_ms=` query parameter.
    #[arg(long, default_value_t = 50, value_name = "MS",
          value_parser = whole_number(0..=MAX_LATENCY_MS))]
    latency_ms: u64,

    /// Body length of `/page` without a `size=` query parameter.
    #[arg(long, default_value_t = 1024, value_name = "BYTES",
          value_parser = whole_number(0..=MAX_BODY_BYTES as u64))]
    body_bytes: u64,

    /// Runtime worker threads [default: available cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    workers: Option<u16>,

    /// Close a connection whose request head has not fully arrived this long
    /// after its first byte (a slowloris client).
    #[arg(long, default_value_t = DEFAULT_HEADER_TIMEOUT_MS, value_name = "MS",
          value_parser = whole_number(1..=u64::MAX))]
    header_timeout_ms: u64,

    /// Close a kept-alive connection with no request in progress for this
    /// long. A request waiting its latency is in progress, not idle.
    #[arg(long, default_value_t = DEFAULT_IDLE_TIMEOUT_MS, value_name = "MS",
          value_parser = whole_number(1..=u64::MAX))]
    idle_timeout_ms: u64,

    /// The most connections open at once. At the cap, the connection idle
    /// longest is closed to admit a new one; while every open one has a request
    /// in progress, new connections wait unanswered until one ends (at most one
    /// line on stderr a second says which) [default: the open-files limit minus
    /// 64, at least 16].
    #[arg(long, value_name = "N", value_parser = whole_number(1..=u64::MAX))]
    max_connections: Option<u64>,
}

fn main() -> ExitCode {
    let matches = match Cli::command()
        .after_help(sites::routes_help())
        .try_get_matches()
    {
        Ok(matches) => matches,
        Err(error) => return usage_error(&error),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("concur-sites: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// `--help` and `--version` go to stdout with status 0; a bad option is one line
/// on stderr with status 2.
fn usage_error(error: &clap::Error) -> ExitCode {
    if !error.use_stderr() {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    eprintln!("concur-sites: {} (see --help)", usage_line(error));
    ExitCode::from(2)
}

fn run(cli: Cli) -> Result<()> {
    if let Err(error) = concur_shared::process::raise_open_files_limit() {
        eprintln!("concur-sites: warning: {error:#}");
    }
    let config = sites::Config {
        addr: cli.addr,
        latency_ms: cli.latency_ms,
        // Bounded by MAX_BODY_BYTES, a usize, by the parser above.
        body_bytes: usize::try_from(cli.body_bytes).context("--body-bytes too large")?,
        workers: cli.workers.map(usize::from),
        header_read_timeout: Duration::from_millis(cli.header_timeout_ms),
        idle_timeout: Duration::from_millis(cli.idle_timeout_ms),
        // Past usize::MAX there is no cap to set anyway.
        max_connections: cli
            .max_connections
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        ..sites::Config::default()
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = config.workers {
        runtime.worker_threads(workers);
    }
    let runtime = runtime
        .enable_all()
        .build()
        .context("cannot start the Tokio runtime")?;
    runtime.block_on(async {
        // Handlers first: a SIGTERM right after the address line must mean exit 0.
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
        let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
        let listener = sites::bind(config.addr).await?;
        let addr = listener
            .local_addr()
            .context("cannot read the bound address")?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on http://{addr}").context("cannot write to stdout")?;
        stdout.flush().context("cannot flush stdout")?;
        drop(stdout);
        if sites::reachable_from_network(addr) {
            eprintln!(
                "concur-sites: warning: {addr} is reachable from other machines, and so \
                 are /fault/hang and the other fault routes; use --addr 127.0.0.1:0 to stay local"
            );
        }
        let load = Arc::new(sites::Load::default());
        sites::serve(listener, config, Arc::clone(&load), async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
        .await;
        eprintln!("concur-sites: served {}", load.summary());
        Ok(())
    })
}
