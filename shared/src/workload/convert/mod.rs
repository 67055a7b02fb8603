//! `convert`: the point-conversion function of seed 000 (company A points ->
//! company B points) that must never perform the same conversion twice, run
//! over a stream of requests through one of five cache designs.
//!
//! Defined here once: the request stream ([`stream`]), the conversion rules
//! and input validation ([`rules`]), the simulated lookup cost ([`cost`]), the
//! LRU bound ([`lru`]), the cache designs for blocking callers ([`cache`]),
//! the options ([`args`]), routing to workers that share no cache ([`route`]), the job with its reference, verification and ideal
//! bound ([`job`]), and what a model hands back ([`answer`]).
//!
//! Every request gets exactly one outcome, converted or rejected with a
//! reason, and says whether its call ran the expensive lookup. From those
//! flags alone the record's counters follow, the same way in every model:
//! `conversions` (lookups run), `hits` (converted without a lookup of its
//! own), and `duplicates` (lookups of a key already looked up, or being
//! looked up, by someone else: conversions minus distinct keys).

pub mod answer;
pub mod args;
pub mod cache;
pub mod cost;
pub mod job;
pub mod lru;
pub mod route;
pub mod rules;
pub mod stream;

pub use answer::{ConvertAnswer, Served, checksum};
pub use args::ConvertArgs;
pub use cache::CacheStrategy;
pub use job::{ConvertJob, Tally};
