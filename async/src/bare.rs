//! `--http-client bare`: an HTTP/1.1 GET written by hand on tokio's
//! `TcpStream`, the floor under the async model's download. Same runtime,
//! same tasks, same checks; only reqwest and hyper are gone, so the
//! difference between the two is what the HTTP library costs per request.
//!
//! One connection per request, `Connection: close`, and only what
//! concur-sites sends is understood: a status line, headers, then a body of
//! `Content-Length` bytes (or, without one, until the connection ends).
//! Chunked bodies, redirects, proxies and TLS are not; it is a measuring
//! stick, not a client for real sites.

use concur_shared::workload::Fetch;
use concur_shared::workload::download::BodyDigest;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The most header bytes a response may have before its body.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The read buffer: hyper's initial read buffer is the same size.
const READ_BUFFER_BYTES: usize = 8 * 1024;

/// GETs `url` and digests the body; the whole exchange is bounded by
/// `timeout`, like reqwest's per-request timeout.
pub async fn get(url: &str, timeout: Duration) -> Fetch {
    match tokio::time::timeout(timeout, exchange(url)).await {
        Ok(Ok(fetch)) => fetch,
        Ok(Err(reason)) => Fetch::Failed { reason },
        Err(_) => Fetch::Failed {
            reason: format!("timed out after {} ms", timeout.as_millis()),
        },
    }
}

async fn exchange(url: &str) -> Result<Fetch, String> {
    let url = reqwest::Url::parse(url).map_err(|e| format!("bad URL: {e}"))?;
    let host = url.host_str().ok_or("the URL has no host")?;
    let port = url.port_or_known_default().ok_or("the URL has no port")?;
    // `host_str` keeps an IPv6 address's brackets, which a lookup does not take.
    let address = host.trim_start_matches('[').trim_end_matches(']');
    let mut stream = TcpStream::connect((address, port))
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    // One small write that must leave at once, as reqwest's sockets do.
    stream
        .set_nodelay(true)
        .map_err(|e| format!("connecting: {e}"))?;
    let query = url
        .query()
        .map_or(String::new(), |query| format!("?{query}"));
    let request = format!(
        "GET {}{query} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n",
        url.path()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("sending the request: {e}"))?;

    let mut buffer = Vec::with_capacity(READ_BUFFER_BYTES);
    let head_end = loop {
        if let Some(end) = find_head_end(&buffer) {
            break end;
        }
        if buffer.len() > MAX_HEAD_BYTES {
            return Err(format!(
                "response headers longer than {MAX_HEAD_BYTES} bytes"
            ));
        }
        buffer.reserve(READ_BUFFER_BYTES);
        let read = stream
            .read_buf(&mut buffer)
            .await
            .map_err(|e| format!("reading the response: {e}"))?;
        if read == 0 {
            return Err("the connection closed before the response headers ended".into());
        }
    };
    let head = Head::parse(&buffer[..head_end])?;
    if !(200..300).contains(&head.status) {
        return Err(format!("HTTP status {}", head.status_line));
    }
    let mut digest = BodyDigest::default();
    let mut received = buffer.len() - head_end;
    digest.update(&buffer[head_end..]);
    // The rest of the body goes through the same buffer, one read at a time:
    // `read_buf` fills its spare capacity, so nothing is zeroed or allocated.
    while head.length.is_none_or(|length| received < length) {
        buffer.clear();
        let read = stream
            .read_buf(&mut buffer)
            .await
            .map_err(|e| format!("reading the body: {e}"))?;
        if read == 0 {
            return match head.length {
                Some(length) => Err(format!(
                    "reading the body: the connection closed after {received} of {length} bytes"
                )),
                None => Ok(digest.finish()),
            };
        }
        received += read;
        digest.update(&buffer);
    }
    match head.length {
        Some(length) if received > length => Err(format!(
            "reading the body: {received} bytes where Content-Length said {length}"
        )),
        _ => Ok(digest.finish()),
    }
}

/// Where the header section ends (just past its blank line), if it has.
fn find_head_end(buffer: &[u8]) -> Option<usize> {
    buffer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map(|at| at + 4)
}

/// The parts of a response head this client needs.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    status: u16,
    /// "503 Service Unavailable", for error messages.
    status_line: String,
    /// `Content-Length`, when the response has one.
    length: Option<usize>,
}

impl Head {
    fn parse(head: &[u8]) -> Result<Head, String> {
        let head = std::str::from_utf8(head).map_err(|_| "response headers are not UTF-8")?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let malformed = || format!("malformed status line {status_line:?}");
        let rest = status_line
            .strip_prefix("HTTP/1.1 ")
            .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
            .ok_or_else(malformed)?;
        let status = rest
            .get(..3)
            .and_then(|code| code.parse().ok())
            .ok_or_else(malformed)?;
        let mut length = None;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if name.eq_ignore_ascii_case("transfer-encoding") {
                return Err(format!(
                    "Transfer-Encoding {} is not supported by --http-client bare",
                    value.trim()
                ));
            }
            if name.eq_ignore_ascii_case("content-length") {
                let value = value.trim();
                length = Some(
                    value
                        .parse()
                        .map_err(|_| format!("bad Content-Length {value:?}"))?,
                );
            }
        }
        Ok(Head {
            status,
            status_line: rest.to_owned(),
            length,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_is_parsed() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 276\r\ndate: x\r\n\r\n";
        let end = find_head_end(raw).expect("a complete head");
        assert_eq!(end, raw.len());
        assert_eq!(
            Head::parse(&raw[..end]),
            Ok(Head {
                status: 200,
                status_line: "200 OK".into(),
                length: Some(276),
            })
        );
    }

    #[test]
    fn bad_heads_are_errors() {
        assert!(find_head_end(b"HTTP/1.1 200 OK\r\n").is_none());
        for (raw, needle) in [
            (&b"HTTP/2 200\r\n\r\n"[..], "status line"),
            (b"HTTP/1.1 2x0 OK\r\n\r\n", "status line"),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
                "Content-Length",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                "chunked",
            ),
        ] {
            let error = Head::parse(raw).expect_err("an error");
            assert!(error.contains(needle), "{error}");
        }
    }
}
