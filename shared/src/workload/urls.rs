//! The pages of `download`: every URL checked once, here, so that every model
//! accepts exactly the same ones; the `--urls-file` reader; the one server of
//! `--server-stats`.

use crate::error::UsageError;

/// The one server (`http://host:port`) every URL of `list` is on, for `--server-stats`.
pub(crate) fn one_origin(list: &[String]) -> Result<String, String> {
    let origin = |url: &str| {
        let rest = url.strip_prefix("http://").unwrap_or(url);
        format!("http://{}", rest.split('/').next().unwrap_or(rest))
    };
    // The caller has refused an empty list.
    let first = origin(&list[0]);
    match list.iter().find(|url| origin(url) != first) {
        None => Ok(first),
        Some(other) => Err(format!(
            "--server-stats needs every URL on one server: {first} and {}",
            origin(other)
        )),
    }
}

/// Accepts absolute `http://host[:port]/...` URLs only: there is no TLS in
/// concur, every page it benchmarks is served on loopback. Checked here, once,
/// so that every model accepts exactly the same URLs: the HTTP clients differ
/// in what they tolerate (one of them read port 99999 as "no port" and
/// connected to port 80).
pub(crate) fn check_url(option: &str, url: &str) -> Result<String, UsageError> {
    let bad = |why: &str| UsageError::new(format!("{option} '{}': {why}", shorten(url)));
    let uri: ureq::http::Uri = url.parse().map_err(|e| bad(&format!("not a URL ({e})")))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(bad(
                "https is not supported, only plain http:// (pages come from a local concur-sites)",
            ));
        }
        _ => return Err(bad("needs to start with http://")),
    }
    let Some(authority) = uri.authority().filter(|a| !a.host().is_empty()) else {
        return Err(bad("has no host"));
    };
    // The text after the host's last ':' (outside an IPv6 literal's brackets).
    let port_text = authority
        .as_str()
        .rsplit_once(':')
        .map(|(_, port)| port)
        .filter(|port| !port.contains(']'));
    if let Some(port) = port_text {
        match port.parse::<u16>() {
            Ok(1..) => {}
            _ => return Err(bad(&format!("port '{}' is not 1-65535", shorten(port)))),
        }
    }
    Ok(url.to_owned())
}

/// A URL or other user text cut to a length that fits one error line.
fn shorten(text: &str) -> String {
    const KEEP: usize = 100;
    match text.char_indices().nth(KEEP) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}... ({} bytes)", &text[..end], text.len()),
    }
}

/// Largest URL list read: a million requests' worth of short URLs. Read through
/// `take`, so that `--urls-file /dev/zero` (or a huge file) is refused instead of
/// filling memory.
const MAX_URLS_FILE_BYTES: u64 = 64 << 20;

pub(crate) fn read_urls_file(path: &std::path::Path) -> Result<String, UsageError> {
    use std::io::Read as _;
    let cannot = |e: std::io::Error| {
        UsageError::new(format!(
            "--urls-file {}: cannot read it: {e}",
            path.display()
        ))
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(MAX_URLS_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(cannot)?;
    if text.len() as u64 > MAX_URLS_FILE_BYTES {
        return Err(UsageError::new(format!(
            "--urls-file {}: larger than {} MiB; give a list of URLs, one per line",
            path.display(),
            MAX_URLS_FILE_BYTES >> 20
        )));
    }
    Ok(text)
}
