//! Which connections the accept loop takes, and when: a cap on open
//! connections, room made at the cap by closing the connection idle longest,
//! a growing pause after accept errors, and at most one log line a second
//! about each.
//!
//! A semaphore bounds open connections: each connection task holds a permit
//! and gives it back when it ends, so the accept loop waits on "a connection
//! closed" without being woken by every connection that closes while there is
//! room. At the cap, the connection that has been idle longest (no request in
//! progress) is closed to make room, as its idle timeout would have closed it
//! later: clients that open connections and send nothing cannot lock real
//! clients out. Only when every open connection has a request in progress
//! does a new connection wait, unanswered, and the clients behind it in the
//! listen backlog; refusing it (accept and close) was turned down: a benchmark
//! that briefly opens more connections than the cap should be slowed, not
//! failed. The cap sits below the open-files limit so that the server reaches
//! it before accept fails for want of file descriptors.

use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

use nix::sys::resource::{Resource, getrlimit};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::open::{OpenConnections, Slot};

/// File descriptors kept for the server's own use (listener, runtime, timer
/// thread, standard streams) when the connection cap is derived from the limit.
const RESERVED_FILES: u64 = 64;

/// The smallest connection cap derived from the open-files limit.
const MIN_CONNECTIONS: usize = 16;

/// First pause after an accept error; it doubles with each further error.
const FIRST_BACKOFF: Duration = Duration::from_millis(10);

/// Longest pause after an accept error: a connection that closes frees a file
/// descriptor, and the next accept should not wait much longer than that.
const MAX_BACKOFF: Duration = Duration::from_millis(100);

/// How often a connection waiting at the cap, with every open connection
/// busy, looks again for one that has turned idle.
const LOOK_AGAIN: Duration = Duration::from_millis(20);

/// The longest a repeated condition goes unreported, and the shortest gap between its lines.
const REPORT_EVERY: Duration = Duration::from_secs(1);

/// The connection cap when none is configured: this process's soft limit on
/// open files minus a margin for the server's own, and at least a few.
pub fn default_max_connections() -> usize {
    let soft = getrlimit(Resource::RLIMIT_NOFILE).map_or(1024, |(soft, _hard)| soft);
    let cap = usize::try_from(soft.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
    cap.max(MIN_CONNECTIONS)
}

/// The accept loop's gatekeeper: hands out connections with their slot.
pub(crate) struct Admission {
    slots: Arc<Semaphore>,
    open: Arc<OpenConnections>,
    max_connections: usize,
    backoff: Option<Duration>,
    held: Throttle,
    evicted: Throttle,
    failed: Throttle,
}

impl Admission {
    /// Admits at most `max_connections` (at least 1) open at once.
    pub(crate) fn new(max_connections: usize) -> Self {
        let max_connections = max_connections.clamp(1, Semaphore::MAX_PERMITS);
        Admission {
            slots: Arc::new(Semaphore::new(max_connections)),
            open: Arc::default(),
            max_connections,
            backoff: None,
            held: Throttle::default(),
            evicted: Throttle::default(),
            failed: Throttle::default(),
        }
    }

    /// The next connection and its slot: at the cap, closes the connection
    /// idle longest, or waits for one to close or turn idle; pauses after each
    /// accept error. Cancel-safe: dropping it mid-way drops at most the
    /// connection it holds.
    pub(crate) async fn admit(&mut self, listener: &TcpListener) -> (TcpStream, Slot) {
        let stream = loop {
            match listener.accept().await {
                Ok((stream, _peer)) => {
                    self.backoff = None;
                    break stream;
                }
                Err(error) => self.pause_after(&error).await,
            }
        };
        let mut waited = false;
        loop {
            if let Ok(permit) = Arc::clone(&self.slots).try_acquire_owned() {
                let fd = stream.as_raw_fd();
                return (stream, self.open.enter(permit, fd));
            }
            if let Some(idle) = self.open.close_longest_idle() {
                self.report_eviction(idle);
            } else if !waited {
                waited = true;
                self.report_held();
            }
            let slots = Arc::clone(&self.slots);
            if let Ok(permit) = tokio::time::timeout(LOOK_AGAIN, slots.acquire_owned()).await {
                // Cannot fail: nothing closes the semaphore.
                let permit = permit.expect("the connection semaphore is never closed");
                let fd = stream.as_raw_fd();
                return (stream, self.open.enter(permit, fd));
            }
        }
    }

    fn report_eviction(&mut self, idle: Duration) {
        if let Some(times) = self.evicted.note(Instant::now()) {
            eprintln!(
                "concur-sites: at the --max-connections limit ({} open): closed the connection \
                 idle longest (idle {} ms) to admit a new one ({times} such closing{} since the \
                 last line)",
                self.max_connections,
                idle.as_millis(),
                if times == 1 { "" } else { "s" },
            );
        }
    }

    fn report_held(&mut self) {
        if let Some(times) = self.held.note(Instant::now()) {
            eprintln!(
                "concur-sites: at the --max-connections limit ({} open), each with a request in \
                 progress: new connections wait unanswered in the listen backlog until one ends \
                 (reached {times} time{} since the last such line)",
                self.max_connections,
                if times == 1 { "" } else { "s" },
            );
        }
    }

    /// Pauses after a failed accept, typically EMFILE (no file descriptor
    /// left): the listener stays readable, so retrying at once would spin.
    async fn pause_after(&mut self, error: &std::io::Error) {
        let pause = self.next_pause();
        if let Some(failures) = self.failed.note(Instant::now()) {
            let times = match failures {
                1 => "once".to_string(),
                n => format!("{n} times"),
            };
            eprintln!(
                "concur-sites: accept failed {times}: {error}; pausing up to \
                 {} ms between tries (raise the open-files limit or lower --max-connections)",
                MAX_BACKOFF.as_millis()
            );
        }
        tokio::time::sleep(pause).await;
    }

    /// The pause after one more accept error in a row.
    fn next_pause(&mut self) -> Duration {
        let pause = self
            .backoff
            .map_or(FIRST_BACKOFF, |last| (last * 2).min(MAX_BACKOFF));
        self.backoff = Some(pause);
        pause
    }
}

/// Counts a repeated event and says when to report it: at its first
/// occurrence, then at most once per [`REPORT_EVERY`], with the count since
/// the last report. An event after a quiet spell is reported at once.
#[derive(Debug, Default)]
struct Throttle {
    last_report: Option<Instant>,
    unreported: u64,
}

impl Throttle {
    /// Notes one event at `now`; `Some(n)` if a line is due, for `n` events.
    fn note(&mut self, now: Instant) -> Option<u64> {
        self.unreported += 1;
        if self
            .last_report
            .is_some_and(|last| now.duration_since(last) < REPORT_EVERY)
        {
            return None;
        }
        self.last_report = Some(now);
        Some(std::mem::take(&mut self.unreported))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first event is reported at once; the rest of its second are counted
    /// into the next report, which comes no sooner than a second later.
    #[test]
    fn throttle_reports_at_most_once_a_second() {
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let mut throttle = Throttle::default();
        assert_eq!(throttle.note(at(0)), Some(1));
        for ms in (10..1000).step_by(10) {
            assert_eq!(throttle.note(at(ms)), None, "{ms} ms");
        }
        assert_eq!(throttle.note(at(1000)), Some(100));
        assert_eq!(throttle.note(at(1500)), None);
        assert_eq!(throttle.note(at(5000)), Some(2));
    }

    /// The derived cap leaves room below the open-files limit and has a floor.
    #[test]
    fn default_cap_stays_below_the_open_files_limit() -> nix::Result<()> {
        let (soft, _) = getrlimit(Resource::RLIMIT_NOFILE)?;
        let cap = default_max_connections();
        assert!(cap >= MIN_CONNECTIONS);
        if soft >= RESERVED_FILES + MIN_CONNECTIONS as u64 {
            assert_eq!(cap as u64, soft - RESERVED_FILES);
        }
        Ok(())
    }

    /// The pause after accept errors in a row doubles up to its maximum, and
    /// starts over once an accept succeeds.
    #[test]
    fn accept_errors_pause_longer_each_time() {
        let mut admission = Admission::new(4);
        let pauses: Vec<u128> = (0..6).map(|_| admission.next_pause().as_millis()).collect();
        assert_eq!(pauses, [10, 20, 40, 80, 100, 100]);
        admission.backoff = None;
        assert_eq!(admission.next_pause(), FIRST_BACKOFF);
    }
}
