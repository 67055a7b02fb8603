//! The mesh: one TCP connection from every process to every other for
//! timely's records, and one from every process to process 0 for the run's
//! own control (heartbeats and each process's final report).
//!
//! concur connects it, not timely: timely's own loop retries a refused
//! connection forever, a second apart, printing on stdout, and lets anyone
//! who connects join. Here process `i` connects to every `j < i` and accepts
//! from every `j > i` (timely's order), all before a deadline; every
//! connection opens with a hello that carries the run's secret, its sender's
//! index and its channel, and one without the secret is closed and logged
//! while the run goes on. The sockets are then handed to timely
//! (`initialize_networking_from_sockets`).

use anyhow::{Context, Result, bail};
use concur_shared::model::say_line;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

/// The first bytes of every connection of a run: a stray client (an HTTP
/// probe, a port scanner) fails here rather than in the secret.
const MAGIC: &[u8; 8] = b"concur-c";

/// How long an accepted connection has to say hello: a client that connects
/// and says nothing must not hold up the mesh.
const HELLO_WITHIN: Duration = Duration::from_secs(1);

/// The run's shared secret: random for a run on one machine, from a file or
/// the environment across hosts.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// 32 random bytes from the kernel, as hex (it travels in an environment
    /// variable to the processes this one starts).
    pub fn random() -> Result<Secret> {
        let mut bytes = [0u8; 32];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut bytes))
            .context("reading /dev/urandom for the run's secret")?;
        Ok(Secret(hex(&bytes).into_bytes()))
    }

    /// A secret given as text (a file's contents, an environment variable);
    /// at least 16 characters, surrounding whitespace ignored.
    pub fn from_text(text: &str, source: &str) -> Result<Secret> {
        let text = text.trim();
        if text.len() < 16 || text.len() > 1024 {
            bail!(
                "{source}: a secret is 16 to 1024 characters, this one is {}",
                text.len()
            );
        }
        Ok(Secret(text.as_bytes().to_vec()))
    }

    /// The text form, for the environment of a process this one starts.
    pub fn as_text(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Equal in time independent of where the first difference is.
    fn matches(&self, other: &[u8]) -> bool {
        self.0.len() == other.len()
            && self.0.iter().zip(other).fold(0, |d, (a, b)| d | (a ^ b)) == 0
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a connection carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Records = 0,
    Control = 1,
}

/// A process's connections, by peer index (`None` at its own index, and for
/// control at every index but 0's, or at every index for process 0's peers).
pub struct Mesh {
    pub records: Vec<Option<TcpStream>>,
    pub control: Vec<Option<TcpStream>>,
    /// How long connecting took, from the first attempt to the last hello.
    pub connect: Duration,
}

/// Who may join: the run's secret, and a fingerprint of the job every
/// process parsed (its options and `--threads`), so that a process started
/// with other options is refused rather than computing another job.
pub struct Run {
    pub secret: Secret,
    pub job: u64,
}

/// Connects process `me` to every other process in `addresses` before
/// `timeout` runs out; `listener` is bound to `addresses[me]`.
pub fn connect(
    me: usize,
    addresses: &[SocketAddr],
    listener: Option<TcpListener>,
    run: &Run,
    timeout: Duration,
) -> Result<Mesh> {
    let started = Instant::now();
    let deadline = started + timeout;
    let processes = addresses.len();
    let mut mesh = Mesh {
        records: (0..processes).map(|_| None).collect(),
        control: (0..processes).map(|_| None).collect(),
        connect: Duration::ZERO,
    };
    for (peer, address) in addresses.iter().enumerate().take(me) {
        mesh.records[peer] = Some(dial(me, peer, *address, Channel::Records, run, deadline)?);
        if peer == 0 {
            mesh.control[0] = Some(dial(me, 0, *address, Channel::Control, run, deadline)?);
        }
    }
    let mut awaited = (me + 1..processes).count() * if me == 0 { 2 } else { 1 };
    if awaited > 0 {
        let listener = listener.context("a listening socket for the processes after this one")?;
        while awaited > 0 {
            let (stream, from) = accept_before(&listener, deadline, me, &mesh, processes)?;
            let (peer, channel) = match hello_from(stream.try_clone()?, run) {
                Ok(said) => said,
                Err(why) => {
                    say_line(format_args!(
                        "warning: process {me}: closed a connection from {from}: {why:#}"
                    ));
                    continue;
                }
            };
            let slot = match channel {
                Channel::Records => &mut mesh.records[peer],
                Channel::Control => &mut mesh.control[peer],
            };
            if peer <= me
                || peer >= processes
                || (channel == Channel::Control && me != 0)
                || slot.is_some()
            {
                say_line(format_args!(
                    "warning: process {me}: closed a connection from {from}: unexpected process {peer}"
                ));
                continue;
            }
            welcome(&stream, me)?;
            *slot = Some(ready(stream)?);
            awaited -= 1;
        }
    }
    mesh.connect = started.elapsed();
    Ok(mesh)
}

/// Connects to `peer`, retrying while it is not listening yet, and says hello.
fn dial(
    me: usize,
    peer: usize,
    address: SocketAddr,
    channel: Channel,
    run: &Run,
    deadline: Instant,
) -> Result<TcpStream> {
    let late = || {
        anyhow::anyhow!(
            "process {peer} at {address} did not join the mesh in time (--peer-timeout-ms)"
        )
    };
    let mut stream = loop {
        let left = deadline
            .checked_duration_since(Instant::now())
            .ok_or_else(late)?;
        match TcpStream::connect_timeout(&address, left) {
            Ok(stream) => break stream,
            // Not listening yet: it is still starting. Every other error
            // (unreachable, timed out) is retried the same way until the deadline.
            Err(_) => std::thread::sleep(Duration::from_millis(2).min(left)),
        }
    };
    let mut hello = MAGIC.to_vec();
    hello.extend((me as u32).to_le_bytes());
    hello.push(channel as u8);
    hello.extend(run.job.to_le_bytes());
    hello.extend((run.secret.0.len() as u16).to_le_bytes());
    hello.extend(&run.secret.0);
    stream.set_nodelay(true)?;
    stream
        .write_all(&hello)
        .with_context(|| format!("saying hello to process {peer}"))?;
    let left = deadline
        .checked_duration_since(Instant::now())
        .ok_or_else(late)?;
    stream.set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
    let mut answer = [0u8; 12];
    stream.read_exact(&mut answer).map_err(|e| match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => late(),
        _ => anyhow::anyhow!("process {peer} at {address} closed the connection: is it a process of this run, with the same secret, job options and --threads?"),
    })?;
    let said = u32::from_le_bytes([answer[8], answer[9], answer[10], answer[11]]) as usize;
    if &answer[..8] != MAGIC || said != peer {
        bail!("{address} is not process {peer} of this run");
    }
    ready(stream)
}

/// Waits for the next connection until `deadline`, naming the processes
/// still missing when it passes.
fn accept_before(
    listener: &TcpListener,
    deadline: Instant,
    me: usize,
    mesh: &Mesh,
    processes: usize,
) -> Result<(TcpStream, SocketAddr)> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let missing: Vec<usize> = (me + 1..processes)
            .filter(|&p| mesh.records[p].is_none())
            .collect();
        if left.is_zero() {
            bail!(
                "process {me}: processes {missing:?} did not join the mesh in time (--peer-timeout-ms)"
            );
        }
        let mut fds = [PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
        let wait = PollTimeout::try_from(left.as_millis().clamp(1, 60_000) as i32)
            .unwrap_or(PollTimeout::MAX);
        match poll(&mut fds, wait) {
            Ok(0) | Err(nix::errno::Errno::EINTR) => continue,
            Ok(_) => {
                return listener
                    .accept()
                    .context("accepting a connection of the mesh");
            }
            Err(e) => return Err(e).context("waiting for the mesh's connections"),
        }
    }
}

/// Reads a hello: the peer's index and channel, if it gave the run's secret
/// and runs the same job.
fn hello_from(mut stream: TcpStream, run: &Run) -> Result<(usize, Channel)> {
    stream.set_read_timeout(Some(HELLO_WITHIN))?;
    let mut head = [0u8; 23];
    stream
        .read_exact(&mut head)
        .context("it said no hello within a second")?;
    if &head[..8] != MAGIC {
        bail!("it is not a process of a concur cluster");
    }
    let peer = u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as usize;
    let channel = match head[12] {
        0 => Channel::Records,
        1 => Channel::Control,
        other => bail!("unknown channel {other}"),
    };
    let job = u64::from_le_bytes(head[13..21].try_into()?);
    let length = u16::from_le_bytes([head[21], head[22]]) as usize;
    let mut given = vec![0u8; length];
    stream
        .read_exact(&mut given)
        .context("its secret was cut short")?;
    if !run.secret.matches(&given) {
        bail!("it did not give this run's secret");
    }
    if job != run.job {
        bail!(
            "process {peer} runs another job: every process needs the same workload options and --threads"
        );
    }
    Ok((peer, channel))
}

fn welcome(mut stream: &TcpStream, me: usize) -> Result<()> {
    let mut answer = MAGIC.to_vec();
    answer.extend((me as u32).to_le_bytes());
    stream.write_all(&answer).context("answering a hello")
}

/// Blocking, no timeouts, no Nagle delay: what timely's loops expect.
fn ready(stream: TcpStream) -> Result<TcpStream> {
    stream.set_read_timeout(None)?;
    stream.set_nodelay(true)?;
    stream.set_nonblocking(false)?;
    Ok(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listeners(n: usize) -> (Vec<TcpListener>, Vec<SocketAddr>) {
        let listeners: Vec<TcpListener> = (0..n)
            .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind"))
            .collect();
        let addresses = listeners
            .iter()
            .map(|l| l.local_addr().expect("address"))
            .collect();
        (listeners, addresses)
    }

    /// Three processes connect fully: records between every pair, control to 0.
    #[test]
    fn three_processes_connect() {
        let (listeners, addresses) = listeners(3);
        let run = run(7);
        let meshes: Vec<Mesh> = std::thread::scope(|s| {
            let handles: Vec<_> = listeners
                .into_iter()
                .enumerate()
                .map(|(me, l)| {
                    let (a, run) = (&addresses, &run);
                    s.spawn(move || connect(me, a, Some(l), run, Duration::from_secs(5)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread").expect("mesh"))
                .collect()
        });
        for (me, mesh) in meshes.iter().enumerate() {
            let peers: Vec<bool> = mesh.records.iter().map(Option::is_some).collect();
            assert_eq!(peers, (0..3).map(|p| p != me).collect::<Vec<_>>());
            let control = mesh.control.iter().filter(|c| c.is_some()).count();
            assert_eq!(control, if me == 0 { 2 } else { 1 });
        }
    }

    fn run(job: u64) -> Run {
        Run {
            secret: Secret::random().expect("secret"),
            job,
        }
    }

    /// Connections with the wrong secret, or from a process of another job,
    /// are closed; the mesh still forms.
    #[test]
    fn a_wrong_secret_or_job_is_refused_and_the_mesh_still_forms() {
        let (mut listeners, addresses) = listeners(2);
        let run = run(7);
        let intruder = Run {
            secret: Secret::from_text("not the secret of this run", "test").expect("secret"),
            job: 7,
        };
        let other_job = Run {
            secret: run.secret.clone(),
            job: 8,
        };
        let second = listeners.pop();
        let first = listeners.pop();
        std::thread::scope(|s| {
            let a = &addresses;
            let zero = s.spawn(|| connect(0, a, first, &run, Duration::from_secs(5)));
            for stranger in [&intruder, &other_job] {
                let deadline = Instant::now() + Duration::from_secs(2);
                let refused = dial(1, 0, a[0], Channel::Records, stranger, deadline);
                assert!(refused.is_err(), "a stranger was let in");
            }
            connect(1, a, second, &run, Duration::from_secs(5)).expect("process 1");
            zero.join().expect("thread").expect("process 0");
        });
    }

    /// A process that never comes is named when the deadline passes.
    #[test]
    fn a_missing_process_is_named() {
        let (listeners, addresses) = listeners(2);
        let first = listeners.into_iter().next();
        let error = connect(0, &addresses, first, &run(7), Duration::from_millis(200))
            .err()
            .expect("no mesh without process 1");
        assert!(
            format!("{error:#}").contains("processes [1] did not join"),
            "{error:#}"
        );
    }
}
