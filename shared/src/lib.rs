//! concur-shared: everything in concur that is not a concurrency model.
//!
//! The model crates (`seq`, `threads`, `async`, `procs`) hold only the way they
//! schedule work; what the work is, how it is checked and how it is reported is
//! defined once, here, so the four binaries cannot drift apart.
//!
//! # Layout
//!
//! - [`cli`]: the command line every model binary shares, and its `main` driver
//!   (parse, run, verify, print, exit status).
//! - [`workload`]: the jobs (`squares`, `range-sum`, `convert`, ...), their
//!   options, their tasks and their reference answers; for `convert` also the
//!   cache designs that blocking callers share.
//! - [`record`]: the result record printed as the last stdout line, and peak
//!   memory accounting.
//! - [`error`]: the usage error that maps to exit status 2.
//! - [`http`]: the blocking HTTP client (ureq) of the seq, threads and procs
//!   models.
//! - [`testing`]: helpers the model crates' integration tests share.
//! - [`timer`]: a timer thread waking async tasks to within microseconds
//!   (tokio's ticks are 1 ms), for `convert`'s lookups and the site server.
//! - [`sites`]: `concur-sites`, the local HTTP server that simulates the seeds'
//!   sites (latency, sizes, fault routes) so I/O benchmarks never touch the internet.
//! - [`report`]: `concur-report`, which turns a results directory (hyperfine
//!   JSON plus the binaries' records) into summary.csv, README.md and charts.

pub mod cli;
pub mod error;
pub mod http;
pub mod record;
pub mod report;
pub mod sites;
pub mod testing;
pub mod timer;
pub mod workload;

/// Every concur binary allocates with mimalloc, set once here so that the four
/// models (and the site server) share one allocator and differ only in how they
/// schedule work. glibc's malloc was the measured alternative: with 160 fresh
/// connections per run, growing and locking its per-thread arenas (`mprotect`,
/// `madvise`, arena-lock futexes) took about 15% of the async client's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
