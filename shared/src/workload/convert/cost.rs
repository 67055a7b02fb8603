//! The simulated cost of one rate lookup, the thing every cache exists to
//! avoid: `sleep` (I/O-like: waiting for a rate service, no CPU used) or
//! `spin` (CPU-like: computing the rates, a core kept busy).
//!
//! Both are honest about time, because the benchmark's ideal bounds are
//! `lookups x cost` and a stand-in that takes longer or shorter than `cost`
//! would move every ratio:
//!
//! - `sleep` waits until a deadline `cost` after the start, never less, to
//!   the microsecond ([`crate::clock::sleep_until`]). A real reply would wake
//!   the caller through a socket, with no timer rounding at all.
//! - `spin` burns `cost` of this thread's CPU time (not wall time: eight
//!   threads spinning "until a deadline" on two cores would finish together
//!   and pretend to be parallel).

use crate::clock;
use clap::ValueEnum;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// What one lookup costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CostKind {
    /// I/O-like: the caller waits without using a CPU
    Sleep,
    /// CPU-like: the caller keeps one core busy
    Spin,
}

impl CostKind {
    pub fn name(self) -> &'static str {
        match self {
            CostKind::Sleep => "sleep",
            CostKind::Spin => "spin",
        }
    }
}

/// The cost of one lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub per_lookup: Duration,
    pub kind: CostKind,
}

impl Cost {
    /// Pays one lookup's cost on the calling thread, blocking it.
    pub fn pay_blocking(&self) {
        match self.kind {
            CostKind::Sleep => clock::sleep_until(Instant::now() + self.per_lookup),
            CostKind::Spin => spin_cpu(self.per_lookup),
        }
    }
}

/// Keeps the CPU busy until this thread has used `cost` of CPU time. Falls
/// back to wall time if the kernel will not say (it always does on Linux).
pub fn spin_cpu(cost: Duration) {
    let Some(start) = thread_cpu_time() else {
        let deadline = Instant::now() + cost;
        while Instant::now() < deadline {
            burn();
        }
        return;
    };
    loop {
        burn();
        match thread_cpu_time() {
            Some(now) if now.saturating_sub(start) < cost => {}
            _ => return,
        }
    }
}

/// A couple of microseconds of work the optimizer cannot remove.
fn burn() {
    let mut x = 0u64;
    for i in 0..2_048u64 {
        x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i));
    }
    black_box(x);
}

/// CPU time the calling thread has used, from the thread's CPU clock, which
/// counts nanoseconds. (Not `getrusage(RUSAGE_THREAD)`: its times advance in
/// scheduler ticks, 4 ms here, so a "1 ms" spin measured on it ran 4 ms.)
fn thread_cpu_time() -> Option<Duration> {
    use nix::time::{ClockId, clock_gettime};
    let now = clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).ok()?;
    Some(Duration::from(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spinning uses at least the requested CPU time of this thread, and not
    /// a clock tick more (20 spins of 0.5 ms use 10 ms, not 20 ms or 80 ms).
    #[test]
    fn spin_uses_requested_cpu() {
        let before = thread_cpu_time().expect("Linux reports thread CPU time");
        spin_cpu(Duration::from_millis(3));
        let used = thread_cpu_time().expect("again") - before;
        assert!(used >= Duration::from_millis(3), "{used:?}");
        let before = thread_cpu_time().expect("again");
        for _ in 0..20 {
            spin_cpu(Duration::from_micros(500));
        }
        let used = thread_cpu_time().expect("again") - before;
        assert!(used >= Duration::from_millis(10), "{used:?}");
        assert!(used < Duration::from_millis(15), "{used:?}");
    }
}
