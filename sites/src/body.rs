//! Response bodies: the deterministic page pattern, short text answers, and the
//! deliberately broken bodies of `/fault/reset` and `/fault/truncate`.
//!
//! Every pattern body is sliced out of one shared buffer instead of being built
//! per request: a slice of a `Bytes` is a reference-count increment, so ten
//! thousand concurrent pages cost no allocation and no copying. A per-size cache
//! was turned down because it would grow with every distinct `size=` a client asks for.

use std::io;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

/// The alphabet page bodies cycle through: byte `i` of every body is
/// `BODY_ALPHABET[i % 36]`.
pub const BODY_ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Length of the shared pattern buffer: a multiple of the alphabet's length (so
/// consecutive slices of it continue the pattern) just under 1 MiB.
const PATTERN_CHUNK_BYTES: usize = BODY_ALPHABET.len() * 29_127;

/// How long a broken body waits after its partial data before failing, so the
/// partial data is flushed to the socket (hyper drops buffered output when a body
/// fails) and the client sees headers and data before the connection dies.
const BREAK_PAUSE: Duration = Duration::from_millis(20);

/// The shared pattern buffer, built on first use.
fn pattern_chunk() -> &'static Bytes {
    static CHUNK: OnceLock<Bytes> = OnceLock::new();
    CHUNK.get_or_init(|| {
        (0..PATTERN_CHUNK_BYTES)
            .map(|i| BODY_ALPHABET[i % BODY_ALPHABET.len()])
            .collect::<Vec<u8>>()
            .into()
    })
}

/// The body the server sends for a page of `size` bytes: byte `i` is
/// `BODY_ALPHABET[i % 36]`, so it depends on `size` alone.
///
/// ```
/// use concur_sites::page_body;
/// assert_eq!(&page_body(40)[..], b"abcdefghijklmnopqrstuvwxyz0123456789abcd");
/// ```
pub fn page_body(size: usize) -> Bytes {
    let chunk = pattern_chunk();
    if size <= chunk.len() {
        return chunk.slice(..size);
    }
    let mut body = Vec::with_capacity(size);
    while body.len() < size {
        let take = (size - body.len()).min(chunk.len());
        body.extend_from_slice(&chunk[..take]);
    }
    body.into()
}

/// How a broken body ends after its partial data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Break {
    /// The body just ends: hyper notices it is shorter than its Content-Length
    /// and closes the connection normally (FIN).
    Truncate,
    /// The body fails: hyper aborts the connection; the server's connection
    /// wrapper then closes it with `SO_LINGER` 0, i.e. a TCP reset.
    Reset,
}

/// The body of every response the site server sends.
pub(crate) struct SiteBody {
    kind: Kind,
}

enum Kind {
    /// `remaining` more bytes of the page pattern; the pattern restarts at each
    /// chunk, which is seamless because the chunk is a multiple of 36 bytes long.
    Pattern { remaining: usize },
    /// A short text answer (errors), sent in one frame.
    Text(Option<Bytes>),
    /// A body announcing `declared` bytes that sends `partial`, pauses, then breaks.
    Broken {
        declared: u64,
        partial: Option<Bytes>,
        pause: Pin<Box<Sleep>>,
        ending: Option<Break>,
    },
}

impl SiteBody {
    /// A page of `size` pattern bytes.
    pub(crate) fn pattern(size: usize) -> Self {
        SiteBody {
            kind: Kind::Pattern { remaining: size },
        }
    }

    /// A plain text answer.
    pub(crate) fn text(text: String) -> Self {
        SiteBody {
            kind: Kind::Text(Some(Bytes::from(text))),
        }
    }

    /// A body that announces `declared` pattern bytes, sends the first half of
    /// them, then breaks the way `ending` says.
    pub(crate) fn broken(declared: usize, ending: Break) -> Self {
        SiteBody {
            kind: Kind::Broken {
                declared: declared as u64,
                partial: Some(page_body(declared / 2)).filter(|part| !part.is_empty()),
                pause: Box::pin(tokio::time::sleep(BREAK_PAUSE)),
                ending: Some(ending),
            },
        }
    }
}

impl Body for SiteBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match &mut self.kind {
            Kind::Pattern { remaining } => {
                if *remaining == 0 {
                    return Poll::Ready(None);
                }
                let chunk = pattern_chunk();
                let take = (*remaining).min(chunk.len());
                *remaining -= take;
                Poll::Ready(Some(Ok(Frame::data(chunk.slice(..take)))))
            }
            Kind::Text(text) => Poll::Ready(text.take().map(|text| Ok(Frame::data(text)))),
            Kind::Broken {
                partial,
                pause,
                ending,
                ..
            } => {
                if let Some(partial) = partial.take() {
                    return Poll::Ready(Some(Ok(Frame::data(partial))));
                }
                std::task::ready!(pause.as_mut().poll(cx));
                match ending.take() {
                    Some(Break::Reset) => Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::ConnectionReset,
                        "simulated connection reset (/fault/reset)",
                    )))),
                    Some(Break::Truncate) | None => Poll::Ready(None),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Pattern { remaining } => *remaining == 0,
            Kind::Text(text) => text.is_none(),
            Kind::Broken { ending, .. } => ending.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        // hyper turns an exact hint into the Content-Length header.
        match &self.kind {
            Kind::Pattern { remaining } => SizeHint::with_exact(*remaining as u64),
            Kind::Text(text) => SizeHint::with_exact(text.as_ref().map_or(0, |t| t.len() as u64)),
            Kind::Broken { declared, .. } => SizeHint::with_exact(*declared),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte `i` of every page is the alphabet at `i % 36`, across chunk boundaries too.
    #[test]
    fn page_body_follows_the_formula() {
        for size in [0, 1, 35, 36, 37, 10_966, PATTERN_CHUNK_BYTES + 1000] {
            let body = page_body(size);
            assert_eq!(body.len(), size);
            assert!(
                body.iter()
                    .enumerate()
                    .all(|(i, &b)| b == BODY_ALPHABET[i % 36])
            );
        }
    }

    /// A shorter page is a prefix of a longer one.
    #[test]
    fn page_bodies_are_prefixes_of_each_other() {
        let long = page_body(PATTERN_CHUNK_BYTES * 2 + 7);
        assert_eq!(page_body(5000), long.slice(..5000));
    }
}
