//! concur-shared, the workload crate: what every model runs, how a run is
//! checked and how it is reported.
//!
//! The model crates (`seq`, `threads`, `async`, `procs`) hold only the way they
//! schedule work; what the work is, how it is checked and how it is reported is
//! defined once, here, so the four binaries cannot drift apart. The site
//! server (`concur-sites`) and the report (`concur-report`) are crates of their
//! own: nothing here serves HTTP or reads benchmark results.
//!
//! # Layout
//!
//! Imports point one way, down this list's dependencies; none run in a circle.
//!
//! - [`workload`]: the jobs (`squares`, `range-sum`, `download`, `convert`,
//!   `sleep`),
//!   their options, their tasks, their reference answers and the [`Answer`]
//!   a model hands back; for `download` also the per-request latency
//!   percentiles of the record; for `convert` also the cache designs that
//!   blocking callers share.
//! - [`model`]: the contract a model implements: [`Model`], [`ModelOptions`],
//!   the [`Progress`] printer of `-v`, and the [`Outcome`] its `run` returns.
//! - [`harness`]: the command line every model binary shares, and [`drive`],
//!   which parses it, times the model, verifies the answer and prints the
//!   record (exit status 0, 1 or 2).
//! - [`record`]: the result record printed as the last stdout line, and the
//!   [`Verified`] answer a workload contributes to it.
//! - [`error`]: the usage error that maps to exit status 2.
//! - [`cli`]: the whole-number parser of every option and clap's error as one line.
//! - [`http`]: the blocking HTTP client (ureq) of the seq, threads and procs
//!   models.
//! - [`process`]: facts about this process: peak memory, CPU time, proportional
//!   memory (PSS), open-files limit, and what limits the threads and processes
//!   it may start.
//! - [`clock`]: blocking waits to the microsecond; [`timer`]: the same for
//!   async tasks, on one timer thread (tokio's ticks are 1 ms).
//!
//! [`Answer`]: workload::Answer
//! [`Model`]: model::Model
//! [`ModelOptions`]: model::ModelOptions
//! [`Progress`]: model::Progress
//! [`Outcome`]: model::Outcome
//! [`drive`]: harness::drive
//! [`Verified`]: record::Verified

pub mod cli;
pub mod clock;
pub mod error;
pub mod harness;
pub mod http;
pub mod model;
pub mod process;
pub mod record;
pub mod timer;
pub mod workload;

/// Every concur binary allocates with mimalloc, set once here so that the four
/// models and the site server share one allocator and differ only in how they
/// schedule work. glibc's malloc was the alternative turned down: with fresh
/// connections per request, growing and locking its per-thread arenas took
/// about 15% of the async client's CPU ([docs/io.md](../../docs/io.md)).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
