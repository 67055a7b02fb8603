//! Builds the tokio runtime so that a worker thread the OS refuses is an
//! error naming the thread limits, not a panic followed by a hang.
//!
//! tokio 1.54 starts a multi-thread runtime's workers inside
//! `Builder::build` (`Launch::launch`, `runtime/scheduler/multi_thread/worker.rs`),
//! each as a task of its blocking pool; when the OS refuses a thread,
//! `Spawner::spawn_blocking` (`runtime/blocking/pool.rs`) panics with "OS
//! can't spawn worker thread". The unwinding drops the half-built blocking
//! pool, whose `Drop` waits without a timeout for its threads to exit, while
//! the workers already started run the scheduler loop, which only a built
//! `Runtime` can stop: the process hangs.
//!
//! So no thread may take up its worker before `build` has returned: each
//! waits at a [`Gate`] in `on_thread_start`. `build` returning opens it. A
//! panic inside `build` shuts it from the panic hook, which runs before the
//! unwinding reaches the pool's `Drop`; every waiting thread then unwinds out
//! of `on_thread_start` without running its worker, the pool's `Drop` joins
//! them, and `catch_unwind` turns the panic into the error.
//!
//! Turned down: a panic hook that exits the process (it leaves the started
//! threads running and bypasses the harness, which prints errors and picks
//! the exit status), and counting the room for threads before `build` (the
//! limit counts every thread of the user, so another process can take the
//! room between the count and the spawn).

use std::cell::RefCell;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once, PoisonError};
use tokio::runtime::{Builder, Runtime};

/// What tokio's panic message says before the `io::Error` when the OS
/// refuses a worker thread (`runtime/blocking/pool.rs`).
const TOKIO_REFUSED: &str = "OS can't spawn worker thread: ";

thread_local! {
    /// The gate of the runtime this thread is building, for the panic hook.
    static BUILDING: RefCell<Option<Arc<Gate>>> = const { RefCell::new(None) };
}

/// Builds the runtime; `threads` is the worker count it was given, for the
/// error message.
pub fn build(builder: &mut Builder, threads: usize) -> anyhow::Result<Runtime> {
    install_panic_hook();
    let gate = Arc::new(Gate::default());
    let at_start = Arc::clone(&gate);
    builder.on_thread_start(move || at_start.pass());
    BUILDING.with(|building| *building.borrow_mut() = Some(Arc::clone(&gate)));
    let built = panic::catch_unwind(AssertUnwindSafe(|| builder.build()));
    BUILDING.with(|building| *building.borrow_mut() = None);
    match built {
        Ok(Ok(runtime)) => {
            gate.set(Passage::Open);
            Ok(runtime)
        }
        Ok(Err(error)) => {
            gate.set(Passage::Shut(error.to_string()));
            Err(anyhow::anyhow!("cannot start the tokio runtime: {error}"))
        }
        // The pool's `Drop` has joined every thread by now, so each one
        // started has passed the gate and been counted.
        Err(_) => Err(refused(&gate.failure(), gate.passed(), threads)),
    }
}

/// The error for the panic `message` after `started` threads had started.
fn refused(message: &str, started: usize, threads: usize) -> anyhow::Error {
    match message.strip_prefix(TOKIO_REFUSED).and_then(os_error) {
        Some(error) => concur_shared::process::thread_refused(started + 1, threads, &error),
        None => anyhow::anyhow!("cannot start the tokio runtime: it panicked: {message}"),
    }
}

/// The `io::Error` whose text ends in "(os error N)", rebuilt from N.
fn os_error(text: &str) -> Option<io::Error> {
    let (_, code) = text.strip_suffix(')')?.rsplit_once("(os error ")?;
    Some(io::Error::from_raw_os_error(code.parse().ok()?))
}

/// Installs, once per process, a panic hook that shuts the gate of a runtime
/// being built on the panicking thread and stays silent for it (the error is
/// printed once, by the harness); every other panic goes to the hook that was
/// there before.
///
/// Installed once and keyed by a thread-local, not set and restored around
/// each `build`: runtimes built on two threads at once (as the tests do)
/// would restore each other's hooks.
fn install_panic_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let gate = BUILDING
                .try_with(|building| building.borrow().clone())
                .ok()
                .flatten();
            match gate {
                Some(gate) => {
                    let message = info.payload_as_str().unwrap_or("no message");
                    gate.set(Passage::Shut(message.to_owned()));
                }
                None => previous(info),
            }
        }));
    });
}

/// Where the runtime's new threads wait until `build` has returned.
#[derive(Debug, Default)]
struct Gate {
    passage: Mutex<Passage>,
    changed: Condvar,
    /// Threads that reached the gate.
    passed: AtomicUsize,
}

#[derive(Debug, Default)]
enum Passage {
    /// `build` is still running.
    #[default]
    Waiting,
    /// `build` returned the runtime.
    Open,
    /// `build` failed, with this message.
    Shut(String),
}

impl Gate {
    /// Called by each new thread of the runtime before it does any work.
    /// Waits until `build` is over; if it failed, unwinds the thread out of
    /// tokio's `on_thread_start` call, the one way a hook can end its thread.
    /// `resume_unwind` does not run the panic hook, so nothing is printed.
    fn pass(&self) {
        self.passed.fetch_add(1, Ordering::Relaxed);
        let mut passage = self.lock();
        while matches!(*passage, Passage::Waiting) {
            passage = self
                .changed
                .wait(passage)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if matches!(*passage, Passage::Shut(_)) {
            drop(passage);
            panic::resume_unwind(Box::new("the tokio runtime failed to start"));
        }
    }

    fn set(&self, passage: Passage) {
        *self.lock() = passage;
        self.changed.notify_all();
    }

    /// Threads that reached the gate so far.
    fn passed(&self) -> usize {
        self.passed.load(Ordering::Relaxed)
    }

    /// The message `build` failed with.
    fn failure(&self) -> String {
        match &*self.lock() {
            Passage::Shut(message) => message.clone(),
            _ => "a panic the hook did not see".to_owned(),
        }
    }

    // The passage is one enum value, never left half-written, so a poisoned
    // lock still holds a consistent state.
    fn lock(&self) -> MutexGuard<'_, Passage> {
        self.passage.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tokio's refusal message becomes the thread-limits error, counting the
    /// refused thread after the ones started.
    #[test]
    fn tokio_refusal_names_the_thread() {
        let message = format!("{TOKIO_REFUSED}{}", io::Error::from_raw_os_error(11));
        let error = refused(&message, 255, 100_000).to_string();
        assert!(
            error.starts_with("cannot start thread 256 of 100000: Resource temporarily unavailable (os error 11); "),
            "{error}"
        );
    }

    /// Any other panic in `build` is reported with its message.
    #[test]
    fn other_panic_is_reported_as_is() {
        let error = refused("boom", 0, 4).to_string();
        assert_eq!(error, "cannot start the tokio runtime: it panicked: boom");
    }

    /// A runtime that starts is unaffected by the gate and runs tasks.
    #[test]
    fn multi_thread_runtime_starts_and_runs() {
        let mut builder = Builder::new_multi_thread();
        builder.worker_threads(3);
        let runtime = build(&mut builder, 3).expect("a runtime of 3 threads");
        assert_eq!(
            runtime.block_on(async { tokio::spawn(async { 7 }).await.ok() }),
            Some(7)
        );
    }
}
