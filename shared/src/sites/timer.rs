//! The simulated latency, accurate to a fraction of a millisecond.
//!
//! `tokio::time::sleep` rounds every deadline up to its 1 ms timer tick and
//! wakes on the next tick after that: measured here, a 50 ms sleep answered in
//! 52.2 ms and a 1 ms sleep in 2.5 ms. That overshoot lands in every client's
//! timing and pushes a model that is exactly at its ideal bound 4% above it. So
//! waiting requests are handed to one timer thread that keeps their deadlines
//! in a heap and sleeps on a channel with a microsecond timeout (a futex with
//! the kernel's hrtimer slack), then wakes each request's task through a
//! oneshot. Waiting stays a parked task, not a thread per request.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::OnceLock;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

struct Wait {
    deadline: Instant,
    /// Ties between equal deadlines are broken by arrival order.
    seq: u64,
    wake: oneshot::Sender<()>,
}

impl PartialEq for Wait {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline, self.seq) == (other.deadline, other.seq)
    }
}
impl Eq for Wait {}
impl PartialOrd for Wait {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Wait {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.deadline, self.seq).cmp(&(other.deadline, other.seq))
    }
}

/// A request to be woken at a deadline.
type Request = (Instant, oneshot::Sender<()>);

/// The process-wide timer thread, started on first use.
fn timer() -> Option<&'static Sender<Request>> {
    static TIMER: OnceLock<Option<Sender<Request>>> = OnceLock::new();
    TIMER
        .get_or_init(|| {
            let (sender, receiver) = mpsc::channel();
            std::thread::Builder::new()
                .name("concur-sites-timer".into())
                .spawn(move || run(receiver))
                .ok()
                .map(|_| sender)
        })
        .as_ref()
}

fn run(requests: mpsc::Receiver<Request>) {
    let mut waiting: BinaryHeap<Reverse<Wait>> = BinaryHeap::new();
    let mut seq = 0u64;
    loop {
        let now = Instant::now();
        while waiting.peek().is_some_and(|Reverse(w)| w.deadline <= now) {
            if let Some(Reverse(wait)) = waiting.pop() {
                // The request may have been dropped (client gone): fine.
                let _ = wait.wake.send(());
            }
        }
        let next = match waiting.peek() {
            Some(Reverse(wait)) => {
                requests.recv_timeout(wait.deadline.saturating_duration_since(now))
            }
            None => requests.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match next {
            Ok((deadline, wake)) => {
                seq += 1;
                waiting.push(Reverse(Wait {
                    deadline,
                    seq,
                    wake,
                }));
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Waits `duration` from now, to within the kernel's timer slack.
pub(crate) async fn delay(duration: Duration) {
    let deadline = Instant::now() + duration;
    let (wake, woken) = oneshot::channel();
    match timer() {
        Some(timer) if timer.send((deadline, wake)).is_ok() => {
            let _ = woken.await;
        }
        // No timer thread could be started: tokio's coarser timer still waits.
        _ => tokio::time::sleep_until(deadline.into()).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Delays end after their duration, in deadline order, not arrival order.
    #[test]
    fn delays_end_in_deadline_order() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            let started = Instant::now();
            let (done, mut order) = tokio::sync::mpsc::unbounded_channel();
            for ms in [30u64, 10, 20] {
                let done = done.clone();
                tokio::spawn(async move {
                    delay(Duration::from_millis(ms)).await;
                    let _ = done.send((ms, started.elapsed()));
                });
            }
            drop(done);
            let mut seen = Vec::new();
            while let Some((ms, elapsed)) = order.recv().await {
                assert!(
                    elapsed >= Duration::from_millis(ms),
                    "{ms} ms ended at {elapsed:?}"
                );
                seen.push(ms);
            }
            assert_eq!(seen, [10, 20, 30]);
        });
    }
}
