//! The blocking section: the `download` workload with one task that computes for
//! `--blocking-ms` without yielding, in every model, beside the same model without
//! it; what the task did to the requests' latency (the record's `latency_ms`
//! percentiles), and what moving it off the async runtime changed.
//!
//! Wall time says how long the whole job took; it is the latency that shows one
//! request stuck behind a task that never yields, so the section leads with the
//! percentiles.
//!
//! # Layout
//! - `variants`: the variants grouped by model, each with its reference
//! - `sentence`: what the numbers say, one sentence per model

mod sentence;
mod variants;

pub use self::sentence::{CLOSE, sentences};
pub use self::variants::{BLOCKING, Group, NO_BLOCKING, Variant, groups};
