//! A connection's socket, which closes with a TCP reset instead of a FIN when
//! the connection asks for one or the client has already hung up, and which
//! tells the connection's [`Activity`] when request bytes arrive.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::activity::Activity;

/// A connection's socket, closed with RST instead of FIN (`SO_LINGER` 0) in two
/// cases: the connection was marked for a reset (`/fault/reset`), or the client
/// had already closed its end when hyper shuts the connection down.
///
/// The second case is what every benchmark connection ends in: the client reads
/// its page and closes, hyper reads EOF and shuts down. A FIN there was turned
/// down: it costs a round of ACKs, and it leaves the client a TIME_WAIT socket
/// (60 s in the kernel's tables) per connection, for a peer that has hung up;
/// RST releases both sockets at once, for less server CPU per request
/// (docs/io.md). Nothing is lost: the client has closed, and hyper (without
/// `half_close`) already drops a connection whose client half-closes, so no
/// client here is still reading when the RST arrives.
pub(crate) struct SiteSocket {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
    activity: Arc<Activity>,
    /// A read returned EOF: the client closed (or half-closed) its end.
    peer_closed: bool,
}

impl SiteSocket {
    /// Wraps `stream`; setting `reset` makes the close a TCP reset, and every
    /// read that returns bytes is reported to `activity`.
    pub(crate) fn new(stream: TcpStream, reset: Arc<AtomicBool>, activity: Arc<Activity>) -> Self {
        SiteSocket {
            stream,
            reset,
            activity,
            peer_closed: false,
        }
    }
}

impl Drop for SiteSocket {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed) {
            // Failing leaves a normal close: a cut body is still cut, and an
            // ended connection still ends.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for SiteSocket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) {
            if buf.filled().len() > before {
                self.activity.bytes_read();
            } else if buf.remaining() > 0 {
                self.peer_closed = true;
            }
        }
        polled
    }
}

impl AsyncWrite for SiteSocket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.peer_closed {
            self.reset.store(true, Ordering::Relaxed);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }
}
