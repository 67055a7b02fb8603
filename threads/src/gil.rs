//! An emulation of CPython's global interpreter lock, to show why the seeds'
//! "2 threads are no faster than 1" is a property of CPython, not of threads.
//!
//! It follows CPython's `Python/ceval_gil.h`: a thread must hold the one lock
//! to compute; a thread that waits for it longer than the switch interval
//! (`sys.getswitchinterval()`, 5 ms) sets a drop request; the holder notices it
//! at its next checkpoint (CPython: the eval breaker between bytecodes; here:
//! every [`concur_shared::workload::cpu::CHECKPOINT_EVERY`] loop iterations),
//! releases the lock and then waits until another thread has taken it
//! (FORCE_SWITCHING), so it cannot grab it straight back.
//!
//! This is a `Mutex` + `Condvar` state machine and not a plain `Mutex` held per
//! task: a plain mutex would let one thread keep the CPU for a whole task and
//! would not hand over at an interval, which is the behaviour being emulated.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The global lock. Share it by reference between the worker threads.
#[derive(Debug)]
pub struct Gil {
    state: Mutex<State>,
    changed: Condvar,
    /// Read at every checkpoint without taking the mutex, like CPython's
    /// `gil_drop_request` eval-breaker bit.
    drop_request: AtomicBool,
    switch_interval: Duration,
}

#[derive(Debug, Default)]
struct State {
    held: bool,
    /// Counts hand-overs, so waiters can tell "still the same holder".
    switches: u64,
}

/// Proof that the current thread holds the GIL; released on drop.
#[derive(Debug)]
pub struct GilGuard<'a> {
    gil: &'a Gil,
}

impl Gil {
    pub fn new(switch_interval: Duration) -> Self {
        Gil {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            drop_request: AtomicBool::new(false),
            switch_interval,
        }
    }

    /// Takes the GIL, asking the holder to drop it after each switch interval
    /// that passes without a hand-over.
    pub fn acquire(&self) -> GilGuard<'_> {
        self.take();
        GilGuard { gil: self }
    }

    /// How many times the GIL changed hands so far.
    pub fn switches(&self) -> u64 {
        self.lock().switches
    }

    fn take(&self) {
        let mut state = self.lock();
        while state.held {
            let seen = state.switches;
            let (next, wait) = self
                .changed
                .wait_timeout(state, self.switch_interval)
                .unwrap_or_else(PoisonError::into_inner);
            state = next;
            if wait.timed_out() && state.held && state.switches == seen {
                self.drop_request.store(true, Ordering::Release);
            }
        }
        state.held = true;
        state.switches += 1;
        self.drop_request.store(false, Ordering::Release);
        self.changed.notify_all();
    }

    fn release(&self) {
        self.lock().held = false;
        self.changed.notify_all();
    }

    // The state is two plain fields that are never left half-updated, so a
    // poisoned lock (a panicking holder) still holds a consistent state.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl GilGuard<'_> {
    /// Called between chunks of work: if another thread asked for the GIL,
    /// hand it over and queue up to get it back.
    pub fn checkpoint(&self) {
        if !self.gil.drop_request.load(Ordering::Acquire) {
            return;
        }
        let gil = self.gil;
        let mut state = gil.lock();
        state.held = false;
        let seen = state.switches;
        gil.changed.notify_all();
        // FORCE_SWITCHING: do not compete until someone else has taken it.
        while state.switches == seen {
            state = gil
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(state);
        gil.take();
    }
}

impl Drop for GilGuard<'_> {
    fn drop(&mut self) {
        self.gil.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Instant;

    /// At most one thread is ever inside the GIL, and two computing threads
    /// really hand it over to each other.
    #[test]
    fn one_holder_at_a_time_and_handovers_happen() {
        let gil = Gil::new(Duration::from_millis(1));
        let inside = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..3 {
                scope.spawn(|| {
                    let guard = gil.acquire();
                    let until = Instant::now() + Duration::from_millis(60);
                    while Instant::now() < until {
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                        std::hint::spin_loop();
                        inside.fetch_sub(1, Ordering::SeqCst);
                        guard.checkpoint();
                    }
                });
            }
        });
        // Three holders would mean three switches without any hand-over.
        assert!(gil.switches() > 3, "switches: {}", gil.switches());
    }
}
