//! A timer that wakes async tasks at a deadline to within microseconds: the
//! simulated lookup cost of `convert` in the async model, and the simulated
//! latency of the site server.
//!
//! Why not `tokio::time::sleep`: tokio's timer wheel ticks in whole
//! milliseconds and rounds every deadline up to the next tick, so a chain of
//! 1 ms lookups, as a caller's are, takes ~2 ms each. That would double every
//! async number and compare tokio's timer, not the cache designs. Spinning
//! (or `yield_now`-looping) the sub-millisecond remainder was turned down too:
//! it burns the CPU that an I/O-like cost is meant to leave free, and eight
//! callers would need four cores of it on a two-core machine.
//!
//! So one thread plays the rate service's network: tasks hand it a deadline
//! and await a oneshot; it sleeps precisely (as the blocking callers do,
//! [`crate::clock`]) until just before the earliest one ([`HOP_AHEAD`]) and
//! completes it, which wakes the task the way a reply on a socket would. One
//! thread serves every waiting task, so async still needs no thread per
//! waiter.
//!
//! How early that is adapts to the machine ([`Precision::adaptive`]): on a
//! quiet machine a parked executor thread wakes within [`HOP_AHEAD`], but when
//! the host is busy it can take several hundred microseconds, and every
//! lookup of a serialized chain (`locked`) would pay it. So the hop grows to
//! what wake-ups recently took (up to [`MAX_HOP_AHEAD`]) and shrinks back
//! slowly ([docs/convert.md](../../docs/convert.md) has the measurements).
//!
//! The site server uses the same timer with [`Precision::LIGHT`]: with 10 000
//! requests waiting on spread-out deadlines, spinning before each one would
//! keep the timer thread busy and steal the CPU the clients are measured on;
//! a wake-up there may be a few tens of microseconds late, against the
//! 1-2 ms tokio's timer adds.

use crate::clock::{WAKE_AHEAD, precise_timers};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How early the timer thread wakes a task: about what it takes a parked
/// executor thread to notice the wake-up. The task itself then yields until
/// the deadline, so it never finishes early; without this, every async
/// lookup would pay two thread wake-ups (the timer's and the executor's)
/// where the blocking models pay one.
pub const HOP_AHEAD: Duration = Duration::from_micros(50);

/// The most [`Precision::EXACT`] ever wakes a task ahead of its deadline,
/// however late wake-ups get: a yielding task keeps its executor thread busy
/// for that long, so this bounds the CPU a "sleeping" lookup can cost.
pub const MAX_HOP_AHEAD: Duration = Duration::from_micros(400);

/// How hard the timer works to be on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Precision {
    /// The last stretch before a deadline that the timer thread spins
    /// instead of sleeping.
    pub spin: Duration,
    /// How early a task is woken; it then yields until its deadline.
    pub hop_ahead: Duration,
    /// Whether `hop_ahead` is only the starting point, raised (up to
    /// [`MAX_HOP_AHEAD`]) when woken tasks resume later than that and lowered
    /// again when they are prompt.
    pub adaptive: bool,
}

impl Precision {
    /// Never late by more than a few microseconds, at the price of spinning:
    /// for a handful of waiters whose every wait is measured (`convert`).
    pub const EXACT: Precision = Precision {
        spin: WAKE_AHEAD,
        hop_ahead: HOP_AHEAD,
        adaptive: true,
    };
    /// No spinning anywhere: for thousands of waiters (the site server).
    pub const LIGHT: Precision = Precision {
        spin: Duration::ZERO,
        hop_ahead: Duration::ZERO,
        adaptive: false,
    };
}

/// The timer: a thread and the deadlines it is waiting for.
pub struct PreciseTimer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    precision: Precision,
    /// The current hop-ahead in nanoseconds (see [`Precision::adaptive`]).
    hop_ahead_ns: AtomicU64,
}

struct Shared {
    queue: Mutex<Queue>,
    changed: Condvar,
}

#[derive(Default)]
struct Queue {
    due: BinaryHeap<Reverse<Due>>,
    /// Breaks ties between equal deadlines (first registered, first woken).
    registered: u64,
    closed: bool,
}

struct Due {
    at: Instant,
    order: u64,
    wake: oneshot::Sender<()>,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.order).cmp(&(other.at, other.order))
    }
}

/// The queue is only pushed to and popped from; a panic cannot leave it
/// half-changed, so a poisoned lock is still a consistent queue.
fn lock(mutex: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl PreciseTimer {
    /// Starts the timer thread.
    pub fn start(precision: Precision) -> anyhow::Result<Self> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            changed: Condvar::new(),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("precise-timer".into())
            .spawn(move || run(&worker, precision.spin))
            .map_err(|e| anyhow::anyhow!("cannot start the timer thread: {e}"))?;
        Ok(PreciseTimer {
            shared,
            thread: Some(thread),
            precision,
            hop_ahead_ns: AtomicU64::new(nanos(precision.hop_ahead)),
        })
    }

    /// Completes at `deadline`, never before it.
    pub async fn sleep_until(&self, deadline: Instant) {
        if Instant::now() >= deadline {
            return;
        }
        let hop_ahead = Duration::from_nanos(self.hop_ahead_ns.load(AtomicOrdering::Relaxed));
        let (wake, woken) = oneshot::channel();
        let at = deadline.checked_sub(hop_ahead).unwrap_or(deadline);
        {
            let mut queue = lock(&self.shared.queue);
            let order = queue.registered;
            queue.registered += 1;
            let earliest = queue.due.peek().is_none_or(|Reverse(d)| at < d.at);
            queue.due.push(Reverse(Due { at, order, wake }));
            if earliest {
                self.shared.changed.notify_one();
            }
        }
        // `Err` only if the timer thread is gone (it panicked); fall back to
        // tokio's coarser timer rather than returning early.
        if woken.await.is_err() {
            tokio::time::sleep_until(deadline.into()).await;
        }
        if self.precision.adaptive {
            self.adapt(hop_ahead, Instant::now().saturating_duration_since(at));
        }
        while Instant::now() < deadline {
            tokio::task::yield_now().await;
        }
    }

    /// Sizes the next hop-ahead from how long this wake-up took to reach the
    /// task (`late`: from the moment the timer meant to wake it until it
    /// ran): a quarter more than that, at once when it is more than the
    /// current hop (the task was late for its deadline), and only a
    /// sixteenth of the way down when it is less, so one prompt wake-up
    /// does not undo what a run of slow ones taught. On a quiet machine it
    /// stays at [`HOP_AHEAD`]; when the host is busy and parked threads wake
    /// slowly, tasks are woken earlier and yield the difference.
    fn adapt(&self, hop_ahead: Duration, late: Duration) {
        let wanted = (late + late / 4).clamp(self.precision.hop_ahead, MAX_HOP_AHEAD);
        let next = if wanted > hop_ahead {
            wanted
        } else {
            hop_ahead - (hop_ahead - wanted) / 16
        };
        self.hop_ahead_ns
            .store(nanos(next), AtomicOrdering::Relaxed);
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

impl Drop for PreciseTimer {
    fn drop(&mut self) {
        lock(&self.shared.queue).closed = true;
        self.shared.changed.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The timer thread: wake every task whose deadline has passed, then sleep
/// until the next deadline (or until an earlier one is registered).
fn run(shared: &Shared, spin: Duration) {
    precise_timers();
    let mut queue = lock(&shared.queue);
    loop {
        let now = Instant::now();
        while queue.due.peek().is_some_and(|Reverse(d)| d.at <= now) {
            if let Some(Reverse(due)) = queue.due.pop() {
                // `Err`: the waiting task is gone; nothing to wake.
                let _ = due.wake.send(());
            }
        }
        let next = queue.due.peek().map(|Reverse(d)| d.at);
        queue = match next {
            None if queue.closed => return,
            None => shared
                .changed
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner),
            Some(at) if at - now > spin => {
                shared
                    .changed
                    .wait_timeout(queue, at - now - spin)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
            Some(at) => {
                // The last few microseconds: spin without the lock, so tasks
                // can keep registering.
                drop(queue);
                while Instant::now() < at {
                    std::hint::spin_loop();
                }
                lock(&shared.queue)
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Every sleep ends at or after its deadline, with many tasks waiting at
    /// once and deadlines registered out of order.
    #[test]
    fn wakes_at_deadlines() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let timer = Arc::new(PreciseTimer::start(Precision::EXACT).expect("timer"));
        runtime.block_on(async {
            let start = Instant::now();
            let tasks: Vec<_> = [900u64, 300, 600, 0, 300]
                .into_iter()
                .map(|us| {
                    let timer = Arc::clone(&timer);
                    tokio::spawn(async move {
                        let deadline = start + Duration::from_micros(us);
                        timer.sleep_until(deadline).await;
                        assert!(Instant::now() >= deadline);
                        us
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("task");
            }
        });
    }

    /// The hop-ahead rises at once to a quarter more than a late wake-up,
    /// never past [`MAX_HOP_AHEAD`], comes back down a sixteenth of the way
    /// per prompt wake-up, and never drops below the starting hop.
    #[test]
    fn hop_ahead_adapts_to_wake_up_lateness() {
        let timer = PreciseTimer::start(Precision::EXACT).expect("timer");
        let hop = || Duration::from_nanos(timer.hop_ahead_ns.load(AtomicOrdering::Relaxed));
        assert_eq!(hop(), HOP_AHEAD);
        timer.adapt(hop(), Duration::from_micros(200));
        assert_eq!(hop(), Duration::from_micros(250));
        timer.adapt(hop(), Duration::from_micros(10));
        assert_eq!(
            hop(),
            Duration::from_micros(250) - Duration::from_micros(200) / 16
        );
        timer.adapt(hop(), Duration::from_millis(5));
        assert_eq!(hop(), MAX_HOP_AHEAD);
        for _ in 0..500 {
            timer.adapt(hop(), Duration::ZERO);
        }
        assert!(
            hop() >= HOP_AHEAD && hop() < HOP_AHEAD + Duration::from_micros(1),
            "{:?}",
            hop()
        );
    }
}
