//! The data files `scripts/compare.sh` leaves beside the timings, written with
//! serde rather than assembled with `printf`, so that a CPU name with a quote, a
//! commit message with a backslash or a record that is not JSON cannot produce a
//! file the report then fails to read.
//!
//! # Layout
//! - [`machine`]: `machine.json`, what the run was measured on
//! - [`params`]: `params.json`, how the run was made
//! - [`record`]: one line of `records.jsonl`, a variant's result record
//! - [`exports`]: hyperfine exports of one command each, joined into one export
//!
//! Each module renders its file as a string; the caller writes it (through
//! [`write_atomically`](crate::atomic::write_atomically), for files).

pub mod exports;
pub mod machine;
pub mod params;
pub mod record;
