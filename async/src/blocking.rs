//! The blocking task of `download --blocking-ms`: one task that computes
//! without yielding, started together with the requests, and the two ways
//! tokio offers to keep it off the executor threads (`--offload`).
//!
//! Left on the runtime (the default, and the mistake this reproduces), the
//! task never reaches an `.await`, so its executor thread polls nothing else
//! until it is done: on a current-thread runtime every request waits for it;
//! on a multi-thread runtime the other workers steal what they can (see
//! docs/io.md, "One task that does not yield"). `spawn_blocking` moves the
//! computation to a thread of tokio's blocking pool, which the kernel
//! preempts like any thread; `block_in_place` keeps it in its task but first
//! hands the executor thread's other work (its core) to a new thread, which
//! only a multi-thread runtime can do.

use crate::options::Offload;
use concur_shared::workload::download::compute_blocking;
use std::time::Duration;
use tokio::task::JoinHandle;

/// The blocking task of a job: its CPU time and where it runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Blocking {
    pub(crate) cpu: Duration,
    pub(crate) offload: Option<Offload>,
}

impl Blocking {
    /// Starts the task. Called from inside the runtime after the request
    /// tasks have been spawned, so that they are queued ahead of it and
    /// start their requests first.
    pub(crate) fn spawn(self) -> JoinHandle<()> {
        let cpu = self.cpu;
        match self.offload {
            // No `.await` inside: once polled, it holds its thread until done.
            None => tokio::spawn(async move { compute_blocking(cpu) }),
            Some(Offload::SpawnBlocking) => {
                tokio::task::spawn_blocking(move || compute_blocking(cpu))
            }
            // Validated: never on a current-thread runtime, where tokio panics.
            Some(Offload::BlockInPlace) => tokio::spawn(async move {
                tokio::task::block_in_place(|| compute_blocking(cpu));
            }),
        }
    }
}
