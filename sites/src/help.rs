//! The routes, presets and body format as plain text, for `--help`.
//!
//! Built from [`SITES`] and the limits in `config`, so the text cannot drift
//! from what the server does; the crate documentation says the same for readers
//! of the code.

use crate::config::{MAX_BODY_BYTES, MAX_LATENCY_MS};
use crate::presets::SITES;

/// The routes, presets and body format as plain text, for `--help`; built from
/// [`SITES`] so it cannot drift from what the server does.
pub fn routes_help() -> String {
    let presets: Vec<String> = SITES
        .iter()
        .map(|site| {
            format!(
                "  /site/{:<8} {:>6} bytes  (stands in for {})",
                site.name, site.bytes, site.origin
            )
        })
        .collect();
    format!(
        "Routes (GET or HEAD):\n\
         {presets}\n  \
         /page                 --body-bytes bytes\n  \
         /fault/status/CODE    answers status CODE (200..=599) with 16 bytes\n  \
         /fault/hang           never answers; holds the connection until the client gives up\n  \
         /fault/reset          Content-Length N, sends N/2 bytes, then resets the connection (RST)\n  \
         /fault/truncate       Content-Length N, sends N/2 bytes, then closes the connection (FIN)\n  \
         /fault/stall          blocks the runtime thread serving it for latency_ms, then answers like /page:\n                        \
         with --workers 1 the whole server stalls (a pause the client must see)\n  \
         /stats                JSON, at once and not counted: latency_ms and body_bytes (the defaults),\n                        \
         requests read, peak_open and connections accepted so far, cpu_ms {{user, sys}}\n                        \
         of the server process\n\
         \n\
         Query parameters (every route but /stats):\n  \
         latency_ms=N   wait N ms before answering (0..={MAX_LATENCY_MS}; default --latency-ms)\n  \
         size=N         body length in bytes (0..={MAX_BODY_BYTES}); on /fault/reset and /fault/truncate\n                 \
         the announced length N (default --body-bytes, at least 1)\n\
         Malformed, repeated or unknown parameters get a 400; unknown routes and sites a 404.\n\
         \n\
         Bodies: byte i of a body of N bytes is \"abcdefghijklmnopqrstuvwxyz0123456789\"[i % 36],\n\
         so every body depends on its length alone. Every answer has a Content-Length.\n\
         \n\
         Connections: HTTP/1.1 keep-alive. A connection the client has closed is released\n\
         with RST instead of FIN, so clients opening thousands of connections are not\n\
         left with a TIME_WAIT socket for each. A connection is closed when a request head\n\
         takes longer than --header-timeout-ms from its first byte, or when no request is\n\
         in progress for --idle-timeout-ms. At --max-connections open at once, the\n\
         connection idle longest is closed to admit a new one; while every open one has\n\
         a request in progress, new connections wait unanswered until one ends.",
        presets = presets.join("\n"),
    )
}
