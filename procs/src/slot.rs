//! The parent's side of one pool worker (its pid, its pipe ends, the tasks
//! it holds) and the queue the pool hands tasks out from; the pool itself
//! is in [`crate::pool`].

use nix::unistd::Pid;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::os::fd::AsRawFd;
use std::time::Instant;

/// One worker as the parent sees it.
pub(crate) struct Worker {
    pub(crate) index: usize,
    pub(crate) pid: Pid,
    /// `None` once closed, which tells the worker to finish.
    pub(crate) requests: Option<BufWriter<File>>,
    pub(crate) replies: BufReader<File>,
    /// The tasks it was sent and has not answered yet, with when each was
    /// sent, oldest first (it answers in order).
    pub(crate) busy: VecDeque<(usize, Instant)>,
    /// Set once it said `Done` and was reaped.
    pub(crate) finished: bool,
}

impl Worker {
    /// Closes a sibling's pipe ends in a freshly forked child, leaking their
    /// buffers instead of freeing them: a free writes the allocator's list
    /// link into the buffer, which copies the page the child still shares
    /// with the parent. With 1000 workers the last child would copy 8 MiB of
    /// its siblings' buffers, and the pool 4 GiB in all.
    pub(crate) fn close_in_child(self) {
        if let Some(requests) = self.requests {
            let (file, buffer) = requests.into_parts();
            drop(file);
            std::mem::forget(buffer);
        }
        // `BufReader` cannot give its buffer up: close its file under it and
        // forget it whole, so the descriptor is never closed twice.
        let _ = nix::unistd::close(self.replies.get_ref().as_raw_fd());
        std::mem::forget(self.replies);
    }
}

/// Which task each worker gets next.
pub(crate) enum Queue {
    /// Any worker takes the next task in order.
    Shared(std::ops::Range<usize>),
    /// Each worker has its own tasks, in order.
    Routed(Vec<VecDeque<usize>>),
}

impl Queue {
    pub(crate) fn next_for(&mut self, slot: usize) -> Option<usize> {
        match self {
            Queue::Shared(tasks) => tasks.next(),
            Queue::Routed(queues) => queues.get_mut(slot)?.pop_front(),
        }
    }
}
