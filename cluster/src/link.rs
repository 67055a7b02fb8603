//! The socket timely writes its records through: a TCP stream that counts
//! the bytes it sends and, under `--link-delay-ms`, waits before each write.
//!
//! The delay lives here, in user space, because this kernel has no `netem`
//! (`tc qdisc ... netem` is not built in). It is charged per write on the
//! sending thread, so batches queue behind each other as on a link that
//! carries one at a time: a delay, not a wider pipe.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use timely::communication::allocator::zero_copy::stream::Stream;

/// What a process sent to the others, summed over its links.
#[derive(Debug, Default)]
pub struct Sent {
    pub bytes: AtomicU64,
    /// Records routed to a worker of another process.
    pub records: AtomicU64,
}

impl Sent {
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    pub fn records(&self) -> u64 {
        self.records.load(Ordering::Relaxed)
    }
}

pub struct Link {
    stream: TcpStream,
    delay: Duration,
    sent: Arc<Sent>,
}

impl Link {
    pub fn new(stream: TcpStream, delay: Duration, sent: Arc<Sent>) -> Link {
        Link {
            stream,
            delay,
            sent,
        }
    }
}

impl Read for Link {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.read(buf)
    }
}

impl Write for Link {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.delay.is_zero() {
            std::thread::sleep(self.delay);
        }
        let written = self.stream.write(buf)?;
        self.sent.bytes.fetch_add(written as u64, Ordering::Relaxed);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

impl Stream for Link {
    fn try_clone(&self) -> io::Result<Self> {
        Ok(Link {
            stream: self.stream.try_clone()?,
            delay: self.delay,
            sent: Arc::clone(&self.sent),
        })
    }

    fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.stream.set_nonblocking(nonblocking)
    }

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.stream.shutdown(how)
    }
}
