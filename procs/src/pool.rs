//! A process pool like Python's `multiprocessing.Pool`, built on `fork` and
//! pipes.
//!
//! Each worker is a forked child with two pipes: requests in, replies out, one
//! JSON line per message. The parent hands out one task at a time per worker
//! and sends the next when a reply comes back (dynamic, like `Pool.imap` with
//! chunksize 1), waiting on all reply pipes at once with `poll`. A job may
//! instead route each task to a fixed worker ([`Pool::run_routed`]), when the
//! worker's own state (a per-process cache) decides what a task costs; a
//! routed task can go nowhere else, so there is nothing to balance and the
//! parent keeps up to [`ROUTED_DEPTH`] of them in each worker's pipe. Closing a
//! worker's request pipe tells it to finish: it replies with its peak RSS and
//! exits. Every child is reaped with `waitpid`, on success and on every error
//! path ([`Pool`]'s `Drop`), so none is left behind as a zombie.
//!
//! A worker that dies, sends something unreadable, or is stopped (SIGSTOP)
//! with a task in hand fails the whole job with a message naming the worker,
//! its pid and how it ended; the other workers are killed and reaped, so the
//! parent neither hangs nor leaks processes.

mod watch;

use crate::slot::{Queue, Worker};
use crate::worker::{self, Fault, Memory, Reply};
use anyhow::{Context as _, anyhow, bail};
use concur_shared::model::Outcome;
use concur_shared::process::{open_files_limit, process_refused, raise_open_files_limit};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork, getpid, pipe};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

/// How long a worker whose pipe closed may take to finish exiting before it
/// is killed: exiting takes microseconds, a second means it is stuck.
const EXIT_GRACE: Duration = Duration::from_secs(1);
/// How often a wait for answers looks at the busy workers' states (a stopped
/// worker fails the job within this of being stopped).
const WATCH: Duration = Duration::from_millis(250);

/// Routed tasks sent ahead to a worker, so it never waits a pipe round trip
/// (tens of microseconds here, more than a cache hit) for its next task.
/// Small enough that a worker's replies to all of them (a hundred bytes
/// each) always fit its reply pipe: a worker is never blocked writing while
/// the parent is blocked sending it a request.
pub const ROUTED_DEPTH: usize = 16;

/// A pool of forked worker processes.
pub struct Pool {
    workers: Vec<Worker>,
    children: Memory,
    /// The longest a worker may take to answer a task (see [`Pool::task_limit`]).
    task_limit: Option<Duration>,
    /// When the busy workers' states were last looked at (see `WATCH`).
    watched: Instant,
}

impl Pool {
    /// Forks `count` workers. Each child builds its handler with
    /// `make_handler(worker_index)` (so per-process state such as an HTTP agent
    /// or a cache is created in the child) and serves requests until its
    /// request pipe closes.
    ///
    /// Call this early, while the process is small and has one thread: `fork`
    /// copies only the calling thread, so a lock held by any other thread at
    /// that moment (an allocator's, a runtime's) would stay locked forever in
    /// the child, and a big parent makes every fork slower (page tables are
    /// copied).
    pub fn spawn<Req, Resp, H>(
        count: usize,
        fault: Option<Fault>,
        make_handler: impl Fn(usize) -> H,
    ) -> anyhow::Result<Pool>
    where
        Req: DeserializeOwned,
        Resp: Serialize,
        H: FnMut(Req) -> Resp,
    {
        let mut pool = Pool {
            workers: Vec::with_capacity(count),
            children: Memory::ZERO,
            task_limit: None,
            watched: Instant::now(),
        };
        raise_open_files_for(count);
        let parent = getpid();
        for index in 0..count {
            // A refused pipe or fork is the one-line error naming the limit
            // (open files, processes, memory); `Drop` reaps the workers
            // already started.
            let refused = |errno: Errno| process_refused(index + 1, count, &errno.into());
            let (request_read, request_write) = pipe().map_err(refused)?;
            let (reply_read, reply_write) = pipe().map_err(refused)?;
            // SAFETY: the parent is single-threaded here (see above), so the
            // child starts with every lock free; the child never returns into
            // the parent's code (it leaves through `_exit`).
            #[allow(unsafe_code)]
            match unsafe { fork() }.map_err(refused)? {
                ForkResult::Child => {
                    // Close every pipe end the child inherited that is not its
                    // own: a child holding a sibling's request pipe open would
                    // keep that sibling from ever seeing end-of-file.
                    std::mem::take(&mut pool.workers)
                        .into_iter()
                        .for_each(Worker::close_in_child);
                    drop(request_write);
                    drop(reply_read);
                    let handler = || make_handler(index);
                    let fault = fault.filter(|_| index == 0);
                    worker::run(parent, request_read, reply_write, fault, handler)
                }
                ForkResult::Parent { child } => {
                    // The parent's copies of the child's ends must go, or the
                    // parent would never see end-of-file when the child dies.
                    drop(request_read);
                    drop(reply_write);
                    pool.workers.push(Worker {
                        index,
                        pid: child,
                        requests: Some(BufWriter::new(File::from(request_write))),
                        replies: BufReader::new(File::from(reply_read)),
                        busy: VecDeque::new(),
                        finished: false,
                    });
                }
            }
        }
        Ok(pool)
    }

    /// Fails the job when a worker has not answered a task within `limit` of
    /// being sent it: a worker that was stopped (SIGSTOP) or is stuck would
    /// otherwise keep the parent waiting forever, since a timeout inside the
    /// worker cannot act while the worker is not running. The stuck worker is
    /// killed and named in the error.
    pub fn task_limit(mut self, limit: Duration) -> Pool {
        self.task_limit = Some(limit);
        self
    }

    /// The workers' process ids, in worker order.
    pub fn pids(&self) -> Vec<i32> {
        self.workers.iter().map(|w| w.pid.as_raw()).collect()
    }

    /// Sum of the peak RSS the workers reported when they finished.
    pub fn children_peak_rss_kib(&self) -> u64 {
        self.children.peak_rss_kib
    }

    /// `outcome` with the workers' memory: their peak RSS added to the parent's,
    /// and the job's page tables (`page_tables_kib`: the parent's now, plus each
    /// worker's as it finished, when the most processes were alive); with `pss`,
    /// also `pss_kib`. A figure that cannot be read is left out.
    ///
    /// For procs, `peak_rss_kib` double-counts: it adds every worker's peak RSS to
    /// the parent's, and a page a worker still shares with the parent since the
    /// fork (code, libraries, the parent's heap as it was) counts once per
    /// worker. PSS counts a page shared by k processes as 1/k in each, so the sum
    /// counts every page once. It is a current figure, not a peak: each process's
    /// share at the moment it was read, which for a waiting worker is close to
    /// its peak, but is not one.
    pub(crate) fn with_memory(&self, mut outcome: Outcome, pss: bool) -> Outcome {
        let children = self.children;
        outcome.children_peak_rss_kib = children.peak_rss_kib;
        let parent = Memory::own();
        let both = parent.plus(children);
        if let Some(kib) = both.pss_kib.filter(|_| pss) {
            outcome = outcome.with_field("pss_kib", kib);
        }
        if let Some(kib) = both.page_tables_kib {
            outcome = outcome.with_field("page_tables_kib", kib);
        }
        outcome
    }

    /// Runs every task on the pool, handing the next task to whichever worker
    /// replies first, and returns the results in task order. `on_result` sees
    /// each result as it arrives (worker index, task index, result). Consumes
    /// the pool: every worker has finished and been reaped when this returns.
    pub fn run<Req, Resp>(
        &mut self,
        tasks: &[Req],
        on_result: impl FnMut(usize, usize, &Resp),
    ) -> anyhow::Result<Vec<Resp>>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
    {
        self.run_with(tasks, Queue::Shared(0..tasks.len()), 1, on_result)
    }

    /// Like [`Pool::run`], but task `i` goes to worker `route[i]` and to no
    /// other: each worker works through its own queue, one task at a time.
    pub fn run_routed<Req, Resp>(
        &mut self,
        tasks: &[Req],
        route: &[usize],
        on_result: impl FnMut(usize, usize, &Resp),
    ) -> anyhow::Result<Vec<Resp>>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
    {
        if route.len() != tasks.len() {
            bail!("{} routes for {} tasks", route.len(), tasks.len());
        }
        let mut queues = vec![VecDeque::new(); self.workers.len()];
        for (task, &worker) in route.iter().enumerate() {
            queues
                .get_mut(worker)
                .ok_or_else(|| {
                    anyhow!("task {task} routed to worker {worker}, which does not exist")
                })?
                .push_back(task);
        }
        self.run_with(tasks, Queue::Routed(queues), ROUTED_DEPTH, on_result)
    }

    fn run_with<Req, Resp>(
        &mut self,
        tasks: &[Req],
        mut queue: Queue,
        depth: usize,
        mut on_result: impl FnMut(usize, usize, &Resp),
    ) -> anyhow::Result<Vec<Resp>>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
    {
        let mut results: Vec<Option<Resp>> = (0..tasks.len()).map(|_| None).collect();
        for slot in 0..self.workers.len() {
            self.hand_out(slot, tasks, &mut queue, depth)?;
        }
        while self.workers.iter().any(|w| !w.finished) {
            for slot in self.ready()? {
                // Drain every complete line already buffered: `poll` only
                // reports data still in the pipe, not what BufReader holds.
                loop {
                    match self.receive::<Resp>(slot)? {
                        Reply::Result(result) => {
                            let worker = &mut self.workers[slot];
                            let (task, _) = worker.busy.pop_front().ok_or_else(|| {
                                anyhow!(
                                    "worker {} (pid {}) sent a result without having a task",
                                    worker.index,
                                    worker.pid
                                )
                            })?;
                            on_result(worker.index, task, &result);
                            results[task] = Some(result);
                            self.hand_out(slot, tasks, &mut queue, depth)?;
                        }
                        Reply::Done(memory) => self.finish(slot, memory)?,
                    }
                    let worker = &self.workers[slot];
                    if worker.finished || worker.replies.buffer().is_empty() {
                        break;
                    }
                }
            }
        }
        results
            .into_iter()
            .enumerate()
            .map(|(task, result)| result.ok_or_else(|| anyhow!("task {task} got no result")))
            .collect()
    }

    /// Tops the worker in `slot` up to `depth` tasks sent and unanswered, or
    /// closes its request pipe when none is left for it (it still answers
    /// the ones it has, then finishes).
    fn hand_out<Req: Serialize>(
        &mut self,
        slot: usize,
        tasks: &[Req],
        queue: &mut Queue,
        depth: usize,
    ) -> anyhow::Result<()> {
        let worker = &mut self.workers[slot];
        let mut sent = Ok(());
        let mut none_left = false;
        if let Some(requests) = worker.requests.as_mut() {
            while worker.busy.len() < depth {
                let Some((index, task)) =
                    queue.next_for(slot).and_then(|i| Some((i, tasks.get(i)?)))
                else {
                    none_left = true;
                    break;
                };
                let line = serde_json::to_string(task).context("cannot encode a task")?;
                sent = writeln!(requests, "{line}");
                if sent.is_err() {
                    break;
                }
                worker.busy.push_back((index, Instant::now()));
            }
            sent = sent.and_then(|()| requests.flush());
        }
        if none_left && sent.is_ok() {
            worker.requests = None;
        }
        if let Err(error) = sent {
            // The worker's end is gone: it died. Say how.
            let (index, pid) = (worker.index, worker.pid);
            let how = self.reap(slot, EXIT_GRACE);
            bail!("worker {index} (pid {pid}) {how} (a task could not be sent: {error})");
        }
        Ok(())
    }

    /// Waits until at least one unfinished worker has something to read (or
    /// hung up) and returns their slots; fails when a worker is past the
    /// [`Pool::task_limit`] first.
    fn ready(&mut self) -> anyhow::Result<Vec<usize>> {
        let slots: Vec<usize> = (0..self.workers.len())
            .filter(|&slot| !self.workers[slot].finished)
            .collect();
        let ready: Vec<bool> = loop {
            // Busy workers answering all the time never let `poll` time out: the
            // states are looked at every WATCH whatever `poll` returned.
            if self.watched.elapsed() >= WATCH {
                self.watched = Instant::now();
                self.fail_stopped()?;
            }
            let wait = self.time_to_next_deadline();
            let mut fds: Vec<PollFd> = slots
                .iter()
                .map(|&slot| {
                    PollFd::new(
                        self.workers[slot].replies.get_ref().as_fd(),
                        PollFlags::POLLIN,
                    )
                })
                .collect();
            // Woken at least every WATCH to look at the busy workers' states: a CPU
            // task may rightly run for minutes, so a stopped worker is told by
            // the kernel's word for it, not by a clock.
            let wait = wait.map_or(WATCH, |wait| wait.min(WATCH));
            // Rounded up, so that the deadline has passed when poll returns.
            let ms = wait.as_millis().saturating_add(1);
            let timeout = PollTimeout::try_from(ms as i32).unwrap_or(PollTimeout::MAX);
            match poll(&mut fds, timeout) {
                Ok(0) => {}
                Ok(_) => {
                    break fds
                        .iter()
                        .map(|fd| fd.revents().is_some_and(|r| !r.is_empty()))
                        .collect();
                }
                Err(nix::errno::Errno::EINTR) => continue,
                Err(error) => return Err(error).context("cannot wait for the workers"),
            }
            drop(fds);
            self.fail_overdue()?;
        };
        Ok(slots
            .into_iter()
            .zip(ready)
            .filter(|&(_, ready)| ready)
            .map(|(slot, _)| slot)
            .collect())
    }

    /// Reads one reply line from the worker in `slot`. End-of-file or an
    /// unreadable line is that worker's failure.
    fn receive<Resp: DeserializeOwned>(&mut self, slot: usize) -> anyhow::Result<Reply<Resp>> {
        let worker = &mut self.workers[slot];
        let (index, pid) = (worker.index, worker.pid);
        let busy = worker.busy.front().map(|&(task, _)| task);
        let mut line = String::new();
        let read = worker.replies.read_line(&mut line);
        let doing = busy.map_or_else(
            || "while finishing".to_owned(),
            |t| format!("while working on task {t}"),
        );
        match read {
            Ok(0) => {
                let how = self.reap(slot, EXIT_GRACE);
                bail!("worker {index} (pid {pid}) died {doing}: {how}")
            }
            Ok(_) => serde_json::from_str(&line).map_err(|error| {
                let how = self.reap(slot, Duration::ZERO);
                anyhow!(
                    "worker {index} (pid {pid}) sent an unreadable reply {doing} ({error}): {:?}; it was stopped and {how}",
                    line.trim_end().chars().take(80).collect::<String>()
                )
            }),
            Err(error) => {
                let how = self.reap(slot, Duration::ZERO);
                bail!("cannot read from worker {index} (pid {pid}) {doing} ({error}); it {how}")
            }
        }
    }

    /// A worker said `Done`: reap it and check it exited cleanly.
    fn finish(&mut self, slot: usize, memory: Memory) -> anyhow::Result<()> {
        let worker = &mut self.workers[slot];
        let (index, pid) = (worker.index, worker.pid);
        if !worker.busy.is_empty() {
            let how = self.reap(slot, Duration::ZERO);
            bail!("worker {index} (pid {pid}) finished while it still had a task; it {how}");
        }
        self.children = self.children.plus(memory);
        worker.finished = true;
        match waitpid(pid, None) {
            Ok(WaitStatus::Exited(_, 0)) => Ok(()),
            Ok(status) => bail!("worker {index} (pid {pid}) {}", worker::describe(status)),
            Err(error) => bail!("cannot reap worker {index} (pid {pid}): {error}"),
        }
    }

    /// Reaps the worker in `slot` and says how it ended. A worker that closed
    /// its pipe is normally on its way out, so it gets [`EXIT_GRACE`] to finish
    /// exiting; one that is still alive after that (or that sent garbage and
    /// gets no grace) is stopped with SIGKILL.
    fn reap(&mut self, slot: usize, grace: Duration) -> String {
        let worker = &mut self.workers[slot];
        worker.finished = true;
        worker.requests = None;
        let deadline = Instant::now() + grace;
        let status = loop {
            match waitpid(worker.pid, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Ok(WaitStatus::StillAlive) => {
                    let _ = kill(worker.pid, Signal::SIGKILL);
                    break waitpid(worker.pid, None);
                }
                other => break other,
            }
        };
        match status {
            Ok(status) => worker::describe(status),
            Err(error) => format!("could not be reaped ({error})"),
        }
    }
}

/// Raises the open files limit if `workers` workers would not fit under it:
/// the parent holds two pipe ends per worker, and the usual soft limit of
/// 1024 would stop the pool at about 500. Best effort: if the limit cannot
/// be raised, the pipe that does not fit is the error naming it.
fn raise_open_files_for(workers: usize) {
    // Room for stdin/stdout/stderr and whatever else the process has open.
    const SPARE: u64 = 64;
    let needed = 2 * workers as u64 + SPARE;
    if open_files_limit().is_some_and(|limit| limit < needed) {
        let _ = raise_open_files_limit();
    }
}

impl Drop for Pool {
    /// On any early return, no worker outlives the pool: kill and reap every
    /// one not yet reaped.
    fn drop(&mut self) {
        for worker in &mut self.workers {
            if !worker.finished {
                worker.requests = None;
                let _ = kill(worker.pid, Signal::SIGKILL);
                let _ = waitpid(worker.pid, None);
                worker.finished = true;
            }
        }
    }
}
