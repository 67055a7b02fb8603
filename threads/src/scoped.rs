//! The `scoped` engine: hand-written workers pulling items from one atomic
//! index.

use crate::gil::Gil;
use anyhow::anyhow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::ScopedJoinHandle;

/// Running workers at which `scoped` first joins the finished ones.
const REAP_FIRST_AT: usize = 64;

/// Runs `work` on every item with `workers` scoped threads that take the next
/// item index from one shared atomic counter, and returns the results in item
/// order.
///
/// Items are handed out dynamically, not split into `workers` static slices:
/// the 20 `squares` tasks grow in size and requests finish at different
/// times, so a static split would leave one worker finishing alone. With a GIL,
/// each worker holds it for as long as it runs (releasing it only when another
/// thread asks), as a CPython thread does while it executes bytecode.
///
/// Threads are started with `Builder::spawn_scoped`, not `Scope::spawn`,
/// which panics (and the process aborts) when the OS refuses a thread. A
/// refusal raises `stop`, which the started workers check before each item, so
/// they finish the item in hand and return; the scope joins them and the
/// refusal becomes the error.
///
/// Finished workers are joined while the rest are still being started, not
/// all at the end: an exited thread keeps its stack mapped until it is joined,
/// so with far more workers than items the idle ones would pile up mappings
/// past `vm.max_map_count`, and std aborts the process when a new thread
/// cannot map its signal stack.
pub(crate) fn scoped<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    gil: Option<&Gil>,
    work: impl Fn(usize, &T, &dyn Fn()) -> R + Sync,
) -> anyhow::Result<Vec<R>> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut results: Vec<Option<R>> = items.iter().map(|_| None).collect();
    let mut panicked = false;
    std::thread::scope(|scope| {
        let mut finish = |handle: ScopedJoinHandle<'_, Vec<(usize, R)>>| match handle.join() {
            Ok(done) => {
                for (index, result) in done {
                    results[index] = Some(result);
                }
            }
            Err(_) => panicked = true,
        };
        let mut running = Vec::new();
        // Reaping at each doubling of the running threads keeps the scans
        // linear in `workers` overall.
        let mut reap_at = REAP_FIRST_AT;
        let mut refused = None;
        for worker in 0..workers {
            if running.len() >= reap_at {
                let (finished, still): (Vec<_>, Vec<_>) =
                    running.into_iter().partition(ScopedJoinHandle::is_finished);
                finished.into_iter().for_each(&mut finish);
                running = still;
                reap_at = (2 * running.len()).max(REAP_FIRST_AT);
            }
            let (next, stop, work) = (&next, &stop, &work);
            let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                let guard = gil.map(Gil::acquire);
                let checkpoint = || {
                    if let Some(guard) = &guard {
                        guard.checkpoint();
                    }
                };
                let mut done = Vec::new();
                // Relaxed is enough: `stop` only has to be seen eventually,
                // the counter only has to hand out each index once, and
                // results travel back through `join`.
                while !stop.load(Ordering::Relaxed) {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    done.push((index, work(worker, item, &checkpoint)));
                }
                done
            });
            match spawned {
                Ok(handle) => running.push(handle),
                Err(error) => {
                    stop.store(true, Ordering::Relaxed);
                    refused = Some(concur_shared::process::thread_refused(
                        worker + 1,
                        workers,
                        &error,
                    ));
                    break;
                }
            }
        }
        running.into_iter().for_each(finish);
        refused.map_or(Ok(()), Err)
    })?;
    if panicked {
        return Err(anyhow!("a worker thread panicked"));
    }
    results
        .into_iter()
        .enumerate()
        .map(|(index, result)| result.ok_or_else(|| anyhow!("item {index} got no result")))
        .collect()
}
