//! The child side of the pool: what a forked worker runs until its request
//! pipe closes, and how it makes sure it never outlives its parent.

use anyhow::{Context as _, anyhow};
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use nix::unistd::{Pid, getppid};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::os::fd::OwnedFd;

/// Test-only misbehaviour, injected into worker 0 when it receives its first
/// task, so tests can show what the parent does when a worker fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Fault {
    /// the worker exits with status 3
    Exit,
    /// the worker sends itself SIGKILL
    Kill,
    /// the worker replies with a line that is not a reply
    Garbage,
}

/// What a worker sends back.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Reply<R> {
    /// The result of the task it was given.
    Result(R),
    /// Its request pipe closed: it is about to exit, with this memory.
    Done(Memory),
}

/// A worker's memory as it exits, or the sum of every worker's: the most it
/// used, its proportional share now, its page tables now (`None` where the
/// kernel does not say, for any of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Memory {
    pub(crate) peak_rss_kib: u64,
    pub(crate) pss_kib: Option<u64>,
    pub(crate) page_tables_kib: Option<u64>,
}

impl Memory {
    /// This process's, read now.
    pub(crate) fn own() -> Memory {
        use concur_shared::process::{own_page_tables_kib, own_peak_rss_kib, own_pss_kib};
        Memory {
            peak_rss_kib: own_peak_rss_kib(),
            pss_kib: own_pss_kib(),
            page_tables_kib: own_page_tables_kib(),
        }
    }

    /// The sum; a figure missing on either side is missing from it.
    pub(crate) fn plus(self, other: Memory) -> Memory {
        let sum = |a: Option<u64>, b: Option<u64>| a.zip(b).map(|(a, b)| a + b);
        Memory {
            peak_rss_kib: self.peak_rss_kib + other.peak_rss_kib,
            pss_kib: sum(self.pss_kib, other.pss_kib),
            page_tables_kib: sum(self.page_tables_kib, other.page_tables_kib),
        }
    }

    /// Nothing yet: the start of a sum.
    pub(crate) const ZERO: Memory = Memory {
        peak_rss_kib: 0,
        pss_kib: Some(0),
        page_tables_kib: Some(0),
    };
}

/// The whole life of a forked worker: tie it to the parent, build its
/// handler, serve requests until the request pipe closes, exit. Never
/// returns.
pub(crate) fn run<Req, Resp, H>(
    parent: Pid,
    requests: OwnedFd,
    replies: OwnedFd,
    fault: Option<Fault>,
    make_handler: impl FnOnce() -> H,
) -> !
where
    Req: DeserializeOwned,
    Resp: Serialize,
    H: FnMut(Req) -> Resp,
{
    let code = match die_with_parent(parent) {
        Ok(()) => serve(
            File::from(requests),
            File::from(replies),
            fault,
            make_handler(),
        ),
        Err(error) => {
            eprintln!("worker error: {error:#}");
            3
        }
    };
    // `_exit`, not `exit` or a return: the child is a copy of the parent, and
    // must not run the parent's remaining code (it would print a second
    // record) nor its exit handlers.
    #[allow(unsafe_code)]
    // SAFETY: `_exit` ends the process at once; nothing is left to unwind
    // that the parent relies on.
    unsafe {
        nix::libc::_exit(code)
    }
}

/// Ties the child's life to its parent's, first thing after `fork`: the
/// kernel sends the child SIGKILL when the parent dies, however it dies
/// (SIGTERM, SIGINT, SIGKILL, a crash). Waiting for end-of-file on the
/// request pipe was the alternative turned down: a worker busy with a long
/// CPU task reads its pipe only between tasks, and would compute on for
/// minutes under PID 1. A parent that died between `fork` and `prctl` is
/// caught by comparing the parent's pid with the one before the fork.
fn die_with_parent(parent: Pid) -> anyhow::Result<()> {
    nix::sys::prctl::set_pdeathsig(Some(Signal::SIGKILL))
        .context("cannot tie the worker to its parent (PR_SET_PDEATHSIG)")?;
    if getppid() != parent {
        return Err(anyhow!(
            "the parent (pid {parent}) died while the worker started"
        ));
    }
    Ok(())
}

/// The child's loop: read a request line, answer it, until end-of-file; then
/// report peak memory. Returns the exit status.
fn serve<Req, Resp>(
    requests: File,
    replies: File,
    mut fault: Option<Fault>,
    mut handler: impl FnMut(Req) -> Resp,
) -> i32
where
    Req: DeserializeOwned,
    Resp: Serialize,
{
    let body = move || -> anyhow::Result<()> {
        let mut replies = BufWriter::new(replies);
        for line in BufReader::new(requests).lines() {
            let request: Req = serde_json::from_str(&line?).context("unreadable request")?;
            match fault.take() {
                Some(Fault::Exit) => return Err(anyhow!("injected fault: exit")),
                Some(Fault::Kill) => {
                    nix::sys::signal::raise(Signal::SIGKILL)?;
                }
                Some(Fault::Garbage) => {
                    writeln!(replies, "this is not a reply")?;
                    replies.flush()?;
                    // Stay alive: the parent has to stop this worker itself.
                    std::thread::sleep(std::time::Duration::from_secs(60));
                }
                None => {}
            }
            let reply = Reply::Result(handler(request));
            // One write per line keeps each reply (under PIPE_BUF) atomic.
            writeln!(replies, "{}", serde_json::to_string(&reply)?)?;
            replies.flush()?;
        }
        let done: Reply<Resp> = Reply::Done(Memory::own());
        writeln!(replies, "{}", serde_json::to_string(&done)?)?;
        replies.flush()?;
        Ok(())
    };
    // A panic must not unwind out of the child into the parent's frames.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(Ok(())) => 0,
        Ok(Err(error)) => {
            eprintln!("worker error: {error:#}");
            3
        }
        Err(_) => 101,
    }
}

/// What the kernel says a process is doing, for messages: a note for a
/// stopped process, else nothing.
pub(crate) fn state_note(pid: Pid) -> &'static str {
    if is_stopped(pid) {
        " (it is stopped, as after SIGSTOP)"
    } else {
        ""
    }
}

/// Whether the kernel has the process stopped (state `T`, or `t` when traced).
pub(crate) fn is_stopped(pid: Pid) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The state follows the command name, which is in parentheses.
    let state = stat
        .rsplit_once(") ")
        .and_then(|(_, rest)| rest.chars().next());
    matches!(state, Some('T' | 't'))
}

/// How a worker ended, for messages: "exited with status 3", "killed by SIGKILL".
pub(crate) fn describe(status: WaitStatus) -> String {
    match status {
        WaitStatus::Exited(_, code) => format!("exited with status {code}"),
        WaitStatus::Signaled(_, signal, _) => format!("killed by {signal}"),
        other => format!("ended as {other:?}"),
    }
}
