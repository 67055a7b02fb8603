//! Where the processes of a run come from and how they find each other.
//!
//! On one machine, process 0 starts processes 1..P itself: the same binary,
//! the same command line plus `--spawned I`, the secret in the environment
//! (never on the command line, where `ps` shows it). Each binds a port of
//! its own on 127.0.0.1, says it on its stdout, and reads every process's
//! address from its stdin: the ports are the kernel's choice, so two runs
//! never collide, and nothing listens anywhere but loopback. A process
//! started this way also dies with process 0 (`PR_SET_PDEATHSIG`).
//!
//! Across hosts, every process is started by hand with `--hosts FILE
//! --process I`, binds its line of the file, and reads the secret from
//! `--secret-file` or `$CONCUR_CLUSTER_SECRET`.

use crate::mesh::Secret;
use crate::options::Options;
use crate::watch;
use anyhow::{Context, Result, bail};
use concur_shared::model::say_line;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The environment variable that carries the run's secret.
pub const SECRET_VAR: &str = "CONCUR_CLUSTER_SECRET";

/// Who this process is in its run, and how to reach the others.
pub struct Place {
    pub me: usize,
    pub addresses: Vec<SocketAddr>,
    pub listener: Option<TcpListener>,
    pub secret: Secret,
    /// The processes this one started (process 0 on one machine).
    pub children: Vec<Child>,
    /// How long starting them took, until each had said its address.
    pub start: Duration,
}

/// Process 0 on one machine: binds its port, starts the others, tells
/// everyone every address.
pub fn start_local(options: &Options, processes: usize, verbose: bool) -> Result<Place> {
    let started = Instant::now();
    let secret = Secret::random()?;
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a port on 127.0.0.1")?;
    let mut addresses = vec![listener.local_addr()?];
    let exe =
        std::env::current_exe().context("finding this binary to start the other processes")?;
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let mut children = Vec::new();
    let mut stdins: Vec<ChildStdin> = Vec::new();
    let mut stdouts = Vec::new();
    let deadline = Instant::now() + options.peer_timeout();
    for index in 1..processes {
        let mut child = Command::new(&exe)
            .args(&args)
            .args(["--spawned", &index.to_string()])
            .env(SECRET_VAR, secret.as_text())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting process {index} ({})", exe.display()))?;
        watch::started_child(child.id());
        if verbose {
            say_line(format_args!("process {index}: pid {}", child.id()));
        }
        stdouts.push(child.stdout.take().context("the child's stdout")?);
        stdins.push(child.stdin.take().context("the child's stdin")?);
        children.push(child);
    }
    // Every process is started before any is waited for, so that they start
    // side by side.
    for (index, stdout) in stdouts.into_iter().enumerate() {
        addresses.push(read_address(stdout, index + 1, deadline)?);
    }
    let line = address_line(&addresses);
    for (index, mut stdin) in stdins.into_iter().enumerate() {
        stdin
            .write_all(line.as_bytes())
            .with_context(|| format!("telling process {} the addresses", index + 1))?;
    }
    Ok(Place {
        me: 0,
        addresses,
        listener: Some(listener),
        secret,
        children,
        start: started.elapsed(),
    })
}

/// The first line a started process prints: the address it listens on.
fn read_address(
    stdout: std::process::ChildStdout,
    index: usize,
    deadline: Instant,
) -> Result<SocketAddr> {
    let (tell, told) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tell.send(line);
    });
    let left = deadline.saturating_duration_since(Instant::now());
    let line = told.recv_timeout(left).map_err(|_| {
        anyhow::anyhow!("process {index} did not start in time (--peer-timeout-ms)")
    })?;
    line.trim().parse().with_context(|| {
        format!(
            "process {index} did not start: it printed {:?}",
            line.trim()
        )
    })
}

fn address_line(addresses: &[SocketAddr]) -> String {
    let mut line: Vec<String> = addresses.iter().map(ToString::to_string).collect();
    line.push("\n".into());
    line.join(" ")
}

/// A process started by process 0: dies with it, binds a port, says it,
/// and reads every address.
pub fn join_local(me: usize) -> Result<Place> {
    // If process 0 is killed (SIGKILL gives it no chance to clean up), this
    // one goes too. The parent may already be gone: then stdin is closed and
    // reading the addresses below fails.
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
        .context("asking to end with process 0")?;
    let secret = Secret::from_text(
        &std::env::var(SECRET_VAR).with_context(|| format!("${SECRET_VAR} is not set"))?,
        SECRET_VAR,
    )?;
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a port on 127.0.0.1")?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", listener.local_addr()?)?;
    stdout.flush()?;
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the addresses from process 0")?;
    let addresses = line
        .split_whitespace()
        .map(|a| {
            a.parse()
                .with_context(|| format!("process 0 sent {a:?} as an address"))
        })
        .collect::<Result<Vec<SocketAddr>>>()?;
    if me >= addresses.len() {
        bail!(
            "process 0 sent {} addresses for process {me}",
            addresses.len()
        );
    }
    Ok(Place {
        me,
        addresses,
        listener: Some(listener),
        secret,
        children: Vec::new(),
        start: Duration::ZERO,
    })
}

/// A process of a run across hosts: its line of the hosts file.
pub fn from_hosts(options: &Options, hosts: &std::path::Path, me: usize) -> Result<Place> {
    let addresses = read_hosts(hosts)?;
    if me >= addresses.len() {
        bail!(
            "--process {me}: {} has {} lines (processes 0..{})",
            hosts.display(),
            addresses.len(),
            addresses.len()
        );
    }
    let secret = match &options.secret_file {
        Some(path) => Secret::from_text(
            &std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
            &path.display().to_string(),
        )?,
        None => Secret::from_text(
            &std::env::var(SECRET_VAR).with_context(|| {
                format!("--hosts needs the run's secret: --secret-file FILE or ${SECRET_VAR}")
            })?,
            SECRET_VAR,
        )?,
    };
    let own = addresses[me];
    if !own.ip().is_loopback() {
        say_line(format_args!(
            "warning: process {me} listens on {own}, not loopback: anyone who can reach it can try to join (the secret keeps them out)"
        ));
    }
    let listener = (me + 1 < addresses.len())
        .then(|| {
            TcpListener::bind(own)
                .with_context(|| format!("binding {own}, line {me} of the hosts file"))
        })
        .transpose()?;
    Ok(Place {
        me,
        addresses,
        listener,
        secret,
        children: Vec::new(),
        start: Duration::ZERO,
    })
}

/// One `host:port` a line; blank lines and `#` comments are skipped.
fn read_hosts(path: &std::path::Path) -> Result<Vec<SocketAddr>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let addresses = text
        .lines()
        .enumerate()
        .map(|(n, line)| (n, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .map(|(n, line)| {
            line.to_socket_addrs()
                .ok()
                .and_then(|mut all| all.next())
                .with_context(|| {
                    format!(
                        "{} line {}: {line:?} is not host:port",
                        path.display(),
                        n + 1
                    )
                })
        })
        .collect::<Result<Vec<_>>>()?;
    if addresses.is_empty() {
        bail!("{} names no host", path.display());
    }
    Ok(addresses)
}

/// Waits for every started process to end (so its CPU time is counted in
/// this one's children), killing any still running after `timeout`.
pub fn reap(children: Vec<Child>, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    for (index, mut child) in children.into_iter().enumerate() {
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if Instant::now() >= deadline {
                watch::fail(&format!(
                    "process {} did not end after its report",
                    index + 1
                ));
            }
            std::thread::sleep(Duration::from_micros(100));
        };
        if !status.success() {
            bail!("process {} ended with {status}", index + 1);
        }
    }
    Ok(())
}
