//! Waiting to the microsecond on a blocking thread: the simulated lookup cost
//! of `convert` and the timer thread of [`crate::timer`] both sleep this way.
//!
//! A plain `thread::sleep(1 ms)` overshoots by the kernel's default timer
//! slack (50 us) plus the time it takes to wake a thread, which would move
//! every ratio of the serialized `locked` cache to its ideal bound (how late
//! wake-ups are here: [docs/convert.md](../../docs/convert.md#the-machines-timer)). So the thread's timer slack is set to 1 ns, the kernel is
//! asked to wake it [`WAKE_AHEAD`] early, and the last microseconds are spun.
//! Spinning the whole wait was turned down: it would burn the CPU that an
//! I/O-like wait is meant to leave free.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// How early a sleeping thread asks to be woken, at timer slack 1 ns; the
/// rest of the wait is spun. Set to cover a typical wake-up on a quiet
/// machine, short enough that the spin stays a small part of a 1 ms wait.
pub const WAKE_AHEAD: Duration = Duration::from_micros(60);

thread_local! {
    static PRECISE: Cell<bool> = const { Cell::new(false) };
}

/// Sets the calling thread's timer slack to 1 ns, once per thread (the
/// kernel's default lets a timer fire up to 50 us late, to batch wake-ups).
pub fn precise_timers() {
    if !PRECISE.get() {
        // Best effort: without it, sleeps are just ~50 us longer.
        let _ = nix::sys::prctl::set_timerslack(1);
        PRECISE.set(true);
    }
}

/// Blocks until `deadline`, never returning before it (see the module
/// comment for why this is not a plain `thread::sleep`).
pub fn sleep_until(deadline: Instant) {
    precise_timers();
    loop {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        let left = deadline - now;
        if left > WAKE_AHEAD {
            std::thread::sleep(left - WAKE_AHEAD);
        } else {
            std::hint::spin_loop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sleep never ends before its deadline.
    #[test]
    fn sleep_never_short() {
        for us in [0, 10, 100, 700] {
            let started = Instant::now();
            sleep_until(started + Duration::from_micros(us));
            assert!(started.elapsed() >= Duration::from_micros(us));
        }
    }
}
