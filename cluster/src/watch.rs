//! Watching the peers: heartbeats over the control connections, each
//! process's final report, and the one way a run ends when a peer is lost.
//!
//! Process 0 and every other process exchange a heartbeat byte every
//! [`BEAT`]; a peer silent for `--peer-timeout-ms` (stopped, or its host
//! gone) or whose connection closes before its report (it died) ends the run:
//! one line on stderr naming it, every process this one started killed and
//! reaped, exit status 1. timely itself would wait forever on a silent peer,
//! and panics on its network threads when a connection breaks; the panic
//! hook turns that panic into the same ending. Only process 0 and each other
//! process are connected for control (a star): when process 2 dies, process
//! 0 ends the run, and the others see process 0 go.

use concur_shared::model::say_line;
use concur_shared::process::CpuMs;
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::waitpid;
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often a process tells its peers it is alive: well under any timeout
/// a user would set, and cheap (one byte).
const BEAT: Duration = Duration::from_millis(100);

const HEARTBEAT: u8 = b'h';
const REPORT: u8 = b'r';

/// What a process other than 0 tells process 0 when its workers are done.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerReport {
    pub peak_rss_kib: u64,
    pub cpu_ms: CpuMs,
    pub bytes_sent: u64,
    pub records_sent: u64,
}

/// The processes this one started, killed if the run fails.
static CHILDREN: Mutex<Vec<Pid>> = Mutex::new(Vec::new());

/// Set once this process has all it needs: a connection closing after that
/// is the normal end of a run, not a lost peer.
static FINISHING: AtomicBool = AtomicBool::new(false);

/// This process's index, for the messages of [`fail`].
static ME: Mutex<Option<usize>> = Mutex::new(None);

pub fn started_child(pid: u32) {
    lock_children().push(Pid::from_raw(pid as i32));
}

fn lock_children() -> std::sync::MutexGuard<'static, Vec<Pid>> {
    // A poisoned list is still the list: nothing panics while holding it.
    CHILDREN.lock().unwrap_or_else(|p| p.into_inner())
}

/// Set by the first [`fail`]: a lost peer is seen by several threads at once
/// (its watcher, timely's send and receive threads), and the first one alone
/// speaks and cleans up.
static FAILING: AtomicBool = AtomicBool::new(false);

/// Ends the run: the message, the children killed and reaped, exit 1.
pub fn fail(message: &str) -> ! {
    if FAILING.swap(true, Ordering::SeqCst) {
        // Another thread is ending the process; this one waits for it.
        loop {
            std::thread::park();
        }
    }
    let me = ME.lock().map(|m| *m).unwrap_or(None);
    match me {
        Some(me) => say_line(format_args!("error: process {me}: {message}")),
        None => say_line(format_args!("error: {message}")),
    }
    kill_children();
    std::process::exit(1)
}

pub fn kill_children() {
    let children = std::mem::take(&mut *lock_children());
    for &pid in &children {
        // Already gone is fine: it was reaped or is a zombie waitpid takes.
        let _ = kill(pid, Signal::SIGKILL);
    }
    for pid in children {
        let _ = waitpid(pid, None);
    }
}

/// Turns any panic in this process into [`fail`]: timely's network threads
/// panic when a connection breaks, and their names say which peer it was.
pub fn install_panic_hook(me: usize) {
    *ME.lock().unwrap_or_else(|p| p.into_inner()) = Some(me);
    std::panic::set_hook(Box::new(|info| {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("a thread");
        let payload = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("a panic");
        let peer = name
            .strip_prefix("timely:send-")
            .or_else(|| name.strip_prefix("timely:recv-"));
        if FINISHING.load(Ordering::SeqCst) && peer.is_some() {
            return;
        }
        match peer {
            Some(peer) => fail(&format!(
                "lost the connection to process {peer} ({payload})"
            )),
            None => fail(&format!("{name} panicked: {payload} ({})", location(info))),
        }
    }));
}

fn location(info: &std::panic::PanicHookInfo<'_>) -> String {
    info.location()
        .map_or_else(String::new, |l| format!("{}:{}", l.file(), l.line()))
}

/// The running watch: heartbeats out, and the reports that come in.
pub struct Watch {
    reports: Receiver<PeerReport>,
    expected: usize,
    stop_beating: Arc<AtomicBool>,
}

/// Starts heartbeats to, and watchers of, every control connection.
pub fn start(control: Vec<Option<TcpStream>>, timeout: Duration) -> std::io::Result<Watch> {
    let peers: Vec<(usize, TcpStream)> = control
        .into_iter()
        .enumerate()
        .filter_map(|(peer, stream)| stream.map(|s| (peer, s)))
        .collect();
    let (tell, reports) = channel();
    let stop_beating = Arc::new(AtomicBool::new(false));
    let mut outgoing = Vec::new();
    for (peer, stream) in &peers {
        outgoing.push(stream.try_clone()?);
        let (stream, tell) = (stream.try_clone()?, tell.clone());
        let peer = *peer;
        std::thread::Builder::new()
            .name(format!("concur:watch-{peer}"))
            .spawn(move || watch_peer(peer, stream, timeout, tell))?;
    }
    let stop = Arc::clone(&stop_beating);
    std::thread::Builder::new()
        .name("concur:heartbeat".into())
        .spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                for stream in &mut outgoing {
                    // A peer that is gone is the watcher's to judge.
                    let _ = stream.write_all(&[HEARTBEAT]);
                }
                std::thread::sleep(BEAT);
            }
        })?;
    Ok(Watch {
        reports,
        expected: peers.len(),
        stop_beating,
    })
}

fn watch_peer(peer: usize, stream: TcpStream, timeout: Duration, tell: Sender<PeerReport>) {
    let lost = |why: String| {
        if !FINISHING.load(Ordering::SeqCst) {
            fail(&why);
        }
    };
    if let Err(e) = stream.set_read_timeout(Some(timeout)) {
        return lost(format!("watching process {peer}: {e}"));
    }
    let mut reader = BufReader::new(stream);
    let mut byte = [0u8; 1];
    loop {
        match std::io::Read::read(&mut reader, &mut byte) {
            Ok(1) if byte[0] == HEARTBEAT => continue,
            Ok(1) if byte[0] == REPORT => {
                let mut line = String::new();
                let report = reader
                    .read_line(&mut line)
                    .ok()
                    .and_then(|_| serde_json::from_str::<PeerReport>(&line).ok());
                match report {
                    Some(report) => {
                        let _ = tell.send(report);
                    }
                    None => lost(format!("process {peer} sent a report that does not parse")),
                }
                return;
            }
            Ok(1) => {
                return lost(format!(
                    "process {peer} sent byte {} on its control connection",
                    byte[0]
                ));
            }
            Ok(_) => {
                return lost(format!(
                    "process {peer} closed its connection: it died or was killed"
                ));
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return lost(format!(
                    "process {peer} stopped answering: nothing for {} ms (--peer-timeout-ms)",
                    timeout.as_millis()
                ));
            }
            Err(e) => return lost(format!("the connection to process {peer} failed: {e}")),
        }
    }
}

impl Watch {
    /// Every peer's report (process 0), or the run fails when one is late.
    pub fn reports(self, timeout: Duration) -> Vec<PeerReport> {
        let mut reports = Vec::with_capacity(self.expected);
        while reports.len() < self.expected {
            match self.reports.recv_timeout(timeout) {
                Ok(report) => reports.push(report),
                Err(_) => fail("a process did not send its report in time (--peer-timeout-ms)"),
            }
        }
        self.finish();
        reports
    }

    /// Sends this process's report to process 0 (a process other than 0).
    pub fn report_to_zero(
        self,
        control: &mut TcpStream,
        report: &PeerReport,
    ) -> std::io::Result<()> {
        self.finish();
        let mut line = vec![REPORT];
        line.extend(serde_json::to_vec(report)?);
        line.push(b'\n');
        control.write_all(&line)
    }

    fn finish(&self) {
        FINISHING.store(true, Ordering::SeqCst);
        self.stop_beating.store(true, Ordering::SeqCst);
    }
}
