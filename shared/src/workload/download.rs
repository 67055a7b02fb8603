//! The I/O workload of both seeds: download many pages, read every body.
//!
//! Seed 000 fetched `["https://www.jython.org", "http://olympus.realpython.org/dice"] * 80`
//! (160 requests), seed 002 four portal sites x 10. Here the pages come from
//! the local site server (`concur-sites`), whose presets simulate those sites,
//! so timings depend on the model and the simulated latency, not the internet.
//!
//! The checksum is the wrapping u64 sum of FNV-1a-64 over each body: order
//! independent (models finish requests in any order) and identical in every
//! model for the same pages.
//!
//! Every request's outcome travels with its latency ([`Fetched`]), which the
//! model measures where it starts the request; the record's `latency_ms`
//! percentiles are computed from them here, in [`DownloadJob::verify`].
//! `--blocking-ms` adds one task that computes without yielding
//! ([`compute_blocking`]), started with the requests and not part of the
//! answer: each model runs it where it runs its tasks, and the latencies show
//! what it did to the requests.

use crate::error::UsageError;
use crate::process::open_files_limit;
use crate::record::Verified;
use crate::workload::convert::cost::spin_cpu;
use crate::workload::latency::LatencyMs;
use crate::workload::rate::Schedule;
use crate::workload::urls::{check_url, one_origin, read_urls_file};
use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The most requests one job may make (repeat included).
pub const MAX_REQUESTS: usize = 1_000_000;

/// Site lists of the seeds, served by `concur-sites` under `/site/NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// seed 000: jython (10966 bytes) and dice (276 bytes)
    Realpython,
    /// seed 002: naver, google, apple, bing
    Seminar,
}

impl Preset {
    /// The site names of the preset, in the seed's order.
    pub fn sites(self) -> &'static [&'static str] {
        match self {
            Preset::Realpython => &["jython", "dice"],
            Preset::Seminar => &["naver", "google", "apple", "bing"],
        }
    }
}

/// Options of `download`; `--preset realpython --repeat 80` is seed 000.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Workload options")]
pub struct DownloadArgs {
    /// A page to fetch (repeatable); only http:// URLs
    #[arg(long = "url", value_name = "URL")]
    pub urls: Vec<String>,
    /// A file of URLs, one per line (blank lines and lines starting with # are skipped)
    #[arg(long, value_name = "FILE")]
    pub urls_file: Option<PathBuf>,
    /// The seed's site list, served by concur-sites at --base
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
    /// Base URL of a concur-sites server, e.g. http://127.0.0.1:8080 (for --preset)
    #[arg(long, value_name = "URL")]
    pub base: Option<String>,
    /// Fetch the whole list this many times, like the seed's `urls * 80`
    #[arg(long, value_name = "N", default_value_t = 80,
          value_parser = clap::value_parser!(u32).range(1..=MAX_REQUESTS as i64))]
    pub repeat: u32,
    /// Give up on a request after this many milliseconds
    #[arg(long, value_name = "MS", default_value_t = 10_000,
          value_parser = crate::cli::whole_number(1..=3_600_000))]
    pub timeout_ms: u64,
    /// Also run one task that computes for MS milliseconds of CPU time without
    /// yielding, started together with the requests, where the model runs its
    /// tasks (not part of the answer) [default: none]
    #[arg(long, value_name = "MS",
          value_parser = crate::cli::whole_number(1..=60_000))]
    pub blocking_ms: Option<u64>,
    /// Read the site server's `GET /stats` before and after the run and add
    /// its CPU time and requests over the run to the record (`server_cpu_ms`,
    /// `server_requests`): two requests outside the timed work, off by
    /// default so that timed runs make none. Every URL must be on one server.
    #[arg(long)]
    pub server_stats: bool,
    /// Send at a steady rate instead of as fast as the model can (open
    /// loop): request i is due at start + i/R, and its latency counts from
    /// then, so a model that falls behind shows it. The requests are the
    /// list × --repeat, or with --duration-s as many as fit
    #[arg(long, value_name = "PER_S", value_parser = crate::workload::rate::parse_rate)]
    pub rate: Option<f64>,
    /// With --rate: send for this many seconds (R × D requests, cycling
    /// through the URL list) instead of the list × --repeat
    #[arg(long, value_name = "S", requires = "rate", conflicts_with = "repeat",
          value_parser = crate::cli::whole_number(1..=crate::workload::rate::MAX_DURATION_S))]
    pub duration_s: Option<u64>,
}

/// A validated download job: every request's URL, in order.
#[derive(Debug, Clone)]
pub struct DownloadJob {
    pub urls: Vec<String>,
    pub timeout: Duration,
    /// The CPU time of the blocking task (`--blocking-ms`), if there is one.
    pub blocking: Option<Duration>,
    /// `--server-stats`: the server every URL is on (`http://host:port`).
    pub stats_origin: Option<String>,
    /// `--rate`: when each request is due; `None` sends them as fast as the
    /// model can.
    pub schedule: Option<Schedule>,
}

impl DownloadArgs {
    /// Expands the URL sources and the repeat into the request list.
    pub fn job(&self) -> Result<DownloadJob, UsageError> {
        let mut list: Vec<String> = Vec::new();
        for url in &self.urls {
            list.push(check_url("--url", url)?);
        }
        if let Some(path) = &self.urls_file {
            let text = read_urls_file(path)?;
            let listed = list.len();
            for (number, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let option = format!("--urls-file {} line {}", path.display(), number + 1);
                list.push(check_url(&option, line)?);
            }
            if list.len() == listed {
                return Err(UsageError::new(format!(
                    "--urls-file {}: no URL in it (one per line; `#` starts a comment)",
                    path.display()
                )));
            }
        }
        if let Some(preset) = self.preset {
            let base = self.base.as_deref().ok_or_else(|| {
                UsageError::new("--preset needs --base URL, the address of a running concur-sites")
            })?;
            let base = check_url("--base", base)?;
            let base = base.trim_end_matches('/');
            list.extend(
                preset
                    .sites()
                    .iter()
                    .map(|site| format!("{base}/site/{site}")),
            );
        } else if self.base.is_some() {
            return Err(UsageError::new("--base only applies with --preset"));
        }
        if list.is_empty() {
            return Err(UsageError::new(
                "download needs pages: give --url, --urls-file or --preset with --base",
            ));
        }
        let requests = list.len().saturating_mul(self.repeat as usize);
        if requests > MAX_REQUESTS {
            return Err(UsageError::new(format!(
                "--repeat {}: {requests} requests is more than the {MAX_REQUESTS} allowed",
                self.repeat
            )));
        }
        let stats_origin = match self.server_stats {
            false => None,
            true => Some(one_origin(&list).map_err(UsageError::new)?),
        };
        let schedule = self.rate.map(|rate_per_s| Schedule { rate_per_s });
        if schedule.is_some() && self.blocking_ms.is_some() {
            return Err(UsageError::new(
                "--blocking-ms is for batch runs: a task that does not yield would only delay \
                 the schedule of --rate",
            ));
        }
        let count = match (schedule, self.duration_s) {
            (Some(schedule), Some(seconds)) => schedule.requests_in(seconds),
            _ => requests,
        };
        if count > MAX_REQUESTS {
            return Err(UsageError::new(format!(
                "--rate for --duration-s: {count} requests is more than the {MAX_REQUESTS} allowed"
            )));
        }
        let urls = list.iter().cycle().take(count).cloned().collect();
        Ok(DownloadJob {
            urls,
            timeout: Duration::from_millis(self.timeout_ms),
            blocking: self.blocking_ms.map(Duration::from_millis),
            stats_origin,
            schedule,
        })
    }
}

/// What became of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fetch {
    /// A 2xx answer whose whole body was read.
    Body { bytes: u64, fnv: u64 },
    /// Refused, timed out, non-2xx, reset or truncated: why, in one line.
    Failed { reason: String },
}

impl Fetch {
    pub fn is_body(&self) -> bool {
        matches!(self, Fetch::Body { .. })
    }

    /// The outcome for a fully read body.
    #[cfg(test)]
    pub fn of_body(body: &[u8]) -> Fetch {
        let mut digest = BodyDigest::default();
        digest.update(body);
        digest.finish()
    }

    /// The seeds' per-page line (`Read 10966 from ...`) or the failure, for `-v`.
    /// Formatted only when printed, so runs without `-v` pay nothing for it.
    pub fn describe<'a>(&'a self, url: &'a str) -> impl std::fmt::Display + 'a {
        std::fmt::from_fn(move |f| match self {
            Fetch::Body { bytes, .. } => write!(f, "Read {bytes} from {url}"),
            Fetch::Failed { reason } => write!(f, "Failed {url}: {reason}"),
        })
    }
}

/// One request's outcome and its latency: from the moment the model started
/// the request to its whole body digested, or to its failure (failed requests
/// count too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fetched {
    pub fetch: Fetch,
    pub latency: Duration,
    /// Under `--rate`, how long after it was due the request was sent (its
    /// latency counts from when it was due); zero in a batch run.
    #[serde(default)]
    pub lag: Duration,
}

impl Fetched {
    /// The outcome of a request started at `started`, ending now.
    pub fn since(started: Instant, fetch: Fetch) -> Fetched {
        Fetched {
            fetch,
            latency: started.elapsed(),
            lag: Duration::ZERO,
        }
    }

    /// The same request under a schedule: due at `due`, sent at `sent`; its
    /// latency then counts from `due` (wrk2's correction).
    pub fn since_due(self, due: Instant, sent: Instant) -> Fetched {
        let lag = sent.saturating_duration_since(due);
        Fetched {
            latency: self.latency + lag,
            lag,
            ..self
        }
    }
}

/// The blocking task of `--blocking-ms`: computes until this thread has used
/// `cpu` of CPU time, never yielding.
///
/// It is `convert`'s spinning lookup ([`spin_cpu`]): a `black_box` loop the
/// optimizer cannot fold, measured on the thread's CPU clock. Turned down: the
/// CPU workloads' loops, whose length is a count of iterations, not a time,
/// and a loop until a wall-clock deadline, which would end on time even when
/// the kernel had preempted it for most of it; the thread CPU clock makes the
/// task the same amount of work in every model, preempted (threads, procs,
/// `spawn_blocking`) or not.
pub fn compute_blocking(cpu: Duration) {
    spin_cpu(cpu);
}

/// FNV-1a, 64-bit: a tiny, well-known, dependency-free content hash.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_continue(FNV_OFFSET_BASIS, bytes)
}

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a64_continue(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A body's length and FNV-1a-64, fed chunk by chunk as it arrives, so the
/// clients never hold a whole body: with 10 000 requests in flight, memory
/// per request is the client's own, not the page's.
#[derive(Debug, Clone, Copy)]
pub struct BodyDigest {
    bytes: u64,
    fnv: u64,
}

impl Default for BodyDigest {
    fn default() -> Self {
        BodyDigest {
            bytes: 0,
            fnv: FNV_OFFSET_BASIS,
        }
    }
}

impl BodyDigest {
    /// Adds the next chunk of the body.
    pub fn update(&mut self, chunk: &[u8]) {
        self.bytes += chunk.len() as u64;
        self.fnv = fnv1a64_continue(self.fnv, chunk);
    }

    /// The outcome for a body that ended after the chunks fed so far.
    pub fn finish(self) -> Fetch {
        Fetch::Body {
            bytes: self.bytes,
            fnv: self.fnv,
        }
    }
}

impl Fetch {
    /// Whether the request failed because the process had no file
    /// descriptor left for its socket (EMFILE).
    fn out_of_files(&self) -> bool {
        matches!(self, Fetch::Failed { reason } if reason.contains("Too many open files"))
    }
}

/// One line per error chain link, joined: "error sending request: connection refused".
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Failed requests listed on stderr, at most this many (then a count).
const MAX_REPORTED_FAILURES: usize = 20;

impl DownloadJob {
    /// Checks that every request has exactly one outcome and sums them up,
    /// with the percentiles of their latencies (`latency_ms`). Failed
    /// requests are not a wrong answer: they are counted in `errors` (the
    /// binary then exits 1) and listed on stderr with URL and reason.
    pub fn verify(&self, fetched: &[Fetched]) -> anyhow::Result<Verified> {
        if fetched.len() != self.urls.len() {
            anyhow::bail!(
                "wrong answer: {} outcomes for {} requests",
                fetched.len(),
                self.urls.len()
            );
        }
        let (mut bytes, mut checksum, mut problems) = (0u64, 0u64, Vec::new());
        let mut errors = 0u64;
        for (url, Fetched { fetch, .. }) in self.urls.iter().zip(fetched) {
            match fetch {
                Fetch::Body { bytes: n, fnv } => {
                    bytes += n;
                    checksum = checksum.wrapping_add(*fnv);
                }
                Fetch::Failed { reason } => {
                    errors += 1;
                    if problems.len() < MAX_REPORTED_FAILURES {
                        problems.push(format!("request failed: GET {url}: {reason}"));
                    }
                }
            }
        }
        if errors as usize > problems.len() {
            problems.push(format!(
                "... and {} more failed requests",
                errors as usize - problems.len()
            ));
        }
        if fetched.iter().any(|f| f.fetch.out_of_files()) {
            problems.push(format!(
                "hint: this process ran out of file descriptors (ulimit -n is {}): \
                 lower --max-in-flight (async) or --workers, or raise `ulimit -n`",
                open_files_limit().map_or_else(|| "unknown".to_owned(), |n| n.to_string())
            ));
        }
        let mut verified = Verified::new(checksum.to_string());
        verified.errors = errors;
        verified.problems = problems;
        verified
            .fields
            .insert("requests".into(), self.urls.len().into());
        verified.fields.insert("bytes".into(), bytes.into());
        let latency_ms = LatencyMs::of(fetched.iter().map(|f| f.latency));
        verified
            .fields
            .insert("latency_ms".into(), serde_json::to_value(latency_ms)?);
        verified.fields.insert(
            "blocking_ms".into(),
            self.blocking.map(|cpu| cpu.as_millis() as u64).into(),
        );
        if let Some(schedule) = self.schedule {
            let requests: Vec<_> = fetched
                .iter()
                .map(|f| (f.fetch.is_body(), f.latency, f.lag))
                .collect();
            verified.fields.extend(schedule.fields(&requests));
        }
        Ok(verified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A URL file without URLs, or one without end, is refused with its own message.
    #[test]
    fn urls_file_empty_or_endless_is_refused() {
        let dir = std::env::temp_dir().join(format!("concur-urls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.txt");
        std::fs::write(&empty, "# only a comment\n\n").unwrap();
        let mut a = args(&[]);
        a.urls_file = Some(empty);
        let message = a.job().unwrap_err().to_string();
        assert!(message.contains("empty.txt: no URL in it"), "{message}");
        a.urls_file = Some("/dev/zero".into());
        let message = a.job().unwrap_err().to_string();
        assert!(
            message.contains("/dev/zero: larger than 64 MiB"),
            "{message}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn args(urls: &[&str]) -> DownloadArgs {
        DownloadArgs {
            urls: urls.iter().map(|u| u.to_string()).collect(),
            urls_file: None,
            preset: None,
            base: None,
            repeat: 1,
            timeout_ms: 1000,
            blocking_ms: None,
            server_stats: false,
            rate: None,
            duration_s: None,
        }
    }

    /// `fetch`, as if it had taken `ms` milliseconds.
    fn took(ms: u64, fetch: Fetch) -> Fetched {
        Fetched {
            fetch,
            latency: Duration::from_millis(ms),
            lag: Duration::ZERO,
        }
    }

    /// FNV-1a-64 matches its published test vectors.
    #[test]
    fn fnv_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
        let mut digest = BodyDigest::default();
        for chunk in [&b"foo"[..], b"", b"bar"] {
            digest.update(chunk);
        }
        assert_eq!(digest.finish(), Fetch::of_body(b"foobar"));
    }

    /// A preset expands to the seed's list, repeated as a whole.
    #[test]
    fn preset_expands_and_repeats() {
        let mut a = args(&[]);
        a.preset = Some(Preset::Realpython);
        a.base = Some("http://127.0.0.1:9/".into());
        a.repeat = 3;
        let job = a.job().unwrap();
        assert_eq!(job.urls.len(), 6);
        assert_eq!(job.urls[0], "http://127.0.0.1:9/site/jython");
        assert_eq!(job.urls[1], "http://127.0.0.1:9/site/dice");
        assert_eq!(job.urls[2], job.urls[0]);
    }

    /// Bad URLs and missing sources are usage errors naming the option.
    #[test]
    fn bad_urls_are_usage_errors() {
        for (url, needle) in [
            ("https://example.com/", "https"),
            ("ftp://x/", "http://"),
            ("not a url", "not a URL"),
            ("/relative", "http://"),
            ("http://127.0.0.1:99999/page", "port '99999' is not 1-65535"),
            ("http://127.0.0.1:65536/", "not 1-65535"),
            ("http://127.0.0.1:0/", "port '0'"),
            ("http://[::1]:x/", "not"),
        ] {
            let error = args(&[url]).job().unwrap_err();
            assert!(error.0.contains(needle), "{url}: {error}");
            assert!(error.0.contains("--url"), "{url}: {error}");
        }
        assert!(args(&[]).job().unwrap_err().0.contains("needs pages"));
        let mut base_only = args(&["http://a/"]);
        base_only.base = Some("http://b/".into());
        assert!(base_only.job().unwrap_err().0.contains("--base"));
    }

    /// Ports in range and IPv6 literals are accepted; a long URL is shortened
    /// in the message, which still says how long it was.
    #[test]
    fn ports_and_long_urls() {
        for url in [
            "http://127.0.0.1:65535/",
            "http://[::1]:8080/p",
            "http://[::1]/",
            "http://h/",
        ] {
            assert!(args(&[url]).job().is_ok(), "{url}");
        }
        let long = format!("http://h:1{}/", "0".repeat(10_000));
        let error = args(&[&long]).job().unwrap_err().0;
        assert!(
            error.len() < 400 && error.contains("10011 bytes"),
            "{error}"
        );
    }

    /// Running out of file descriptors adds a hint naming the options that help.
    #[test]
    fn out_of_files_hints_at_limits() {
        let job = args(&["http://a/"]).job().unwrap();
        let failed = Fetch::Failed {
            reason: "connect: Too many open files (os error 24)".into(),
        };
        let verified = job.verify(&[took(1, failed)]).unwrap();
        assert!(
            verified
                .problems
                .iter()
                .any(|p| p.contains("--max-in-flight")),
            "{verified:?}"
        );
    }

    /// Every outcome is counted once; failures become errors with their URL;
    /// every latency, a failure's too, is in the percentiles.
    #[test]
    fn verify_sums_bodies_and_counts_failures() {
        let job = args(&["http://a/", "http://b/", "http://c/"])
            .job()
            .unwrap();
        let fetches = vec![
            took(30, Fetch::of_body(b"a")),
            took(
                2,
                Fetch::Failed {
                    reason: "HTTP status 503".into(),
                },
            ),
            took(10, Fetch::of_body(b"foobar")),
        ];
        let verified = job.verify(&fetches).unwrap();
        assert_eq!(verified.errors, 1);
        assert_eq!(
            verified.checksum,
            0xaf63dc4c8601ec8cu64
                .wrapping_add(0x85944171f73967e8)
                .to_string()
        );
        assert_eq!(verified.fields["bytes"], 7);
        assert_eq!(
            verified.problems,
            ["request failed: GET http://b/: HTTP status 503"]
        );
        assert_eq!(
            verified.fields["latency_ms"],
            serde_json::json!({"p50": 10.0, "p90": 30.0, "p99": 30.0, "p999": 30.0, "max": 30.0})
        );
        assert_eq!(verified.fields["blocking_ms"], serde_json::Value::Null);
        assert!(job.verify(&fetches[..2]).is_err());
    }

    /// `--blocking-ms` reaches the job and the record.
    #[test]
    fn blocking_ms_is_recorded() {
        let mut a = args(&["http://a/"]);
        a.blocking_ms = Some(400);
        let job = a.job().unwrap();
        assert_eq!(job.blocking, Some(Duration::from_millis(400)));
        let verified = job.verify(&[took(1, Fetch::of_body(b"a"))]).unwrap();
        assert_eq!(verified.fields["blocking_ms"], 400);
    }
}
