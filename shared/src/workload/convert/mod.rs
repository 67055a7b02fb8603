//! `convert`: the point-conversion function of seed 000 (company A points ->
//! company B points) that must never perform the same conversion twice, run
//! over a stream of requests through one of five cache designs.
//!
//! Defined here once: the request stream ([`stream`]), the conversion rules
//! and input validation ([`rules`]), the simulated lookup cost ([`cost`]), the
//! LRU bound ([`lru`]), the cache designs for blocking callers ([`cache`]),
//! and the job's options, reference and verification (this file).
//!
//! Every request gets exactly one outcome, converted or rejected with a
//! reason, and says whether its call ran the expensive lookup. From those
//! flags alone the record's counters follow, the same way in every model:
//! `conversions` (lookups run), `hits` (converted without a lookup of its
//! own), and `duplicates` (lookups of a key already looked up, or being
//! looked up, by someone else: conversions minus distinct keys).

pub mod cache;
pub mod cost;
pub mod lru;
pub mod rules;
pub mod stream;

use crate::error::UsageError;
use crate::record::{Answer, Outcome};
use anyhow::bail;
use clap::{Args, ValueEnum};
use cost::{Cost, CostKind};
use rules::Reject;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use stream::StreamSpec;

use super::Verified;

/// The most requests one job may have: every request and its outcome is kept
/// in memory.
pub const MAX_REQUESTS: u64 = 1_000_000;
/// The most distinct amounts a generated stream may draw from.
pub const MAX_DISTINCT: u64 = 1_000_000;
/// The longest a lookup may be made to cost: 10 s.
pub const MAX_COST_US: u64 = 10_000_000;
/// The largest cache bound accepted.
pub const MAX_CAPACITY: u64 = 100_000_000;

/// How `convert_points` avoids converting twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum CacheStrategy {
    /// no cache: every valid request performs the lookup
    #[value(name = "none")]
    NoCache,
    /// check, convert, insert; the lock is held only for the map operations
    /// (the seed's first version: concurrent callers of one key both convert)
    Racy,
    /// one lock held across check, conversion and insert (the seed's fix:
    /// no duplicates, every conversion serialized)
    Locked,
    /// one lookup per key while other callers of that key wait for it;
    /// different keys convert in parallel
    SingleFlight,
    /// the moka crate's get_with: one init per key, others wait
    Moka,
}

impl CacheStrategy {
    pub fn name(self) -> &'static str {
        match self {
            CacheStrategy::NoCache => "none",
            CacheStrategy::Racy => "racy",
            CacheStrategy::Locked => "locked",
            CacheStrategy::SingleFlight => "single-flight",
            CacheStrategy::Moka => "moka",
        }
    }
}

/// Options of `convert`; defaults give the benchmark's job.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Workload options")]
pub struct ConvertArgs {
    /// Requests in the generated stream
    #[arg(long, value_name = "N", default_value_t = 20_000,
          value_parser = clap::value_parser!(u64).range(1..=MAX_REQUESTS))]
    pub requests: u64,
    /// Distinct valid amounts the stream draws from, the r-th most popular
    /// with probability proportional to 1/r
    #[arg(long, value_name = "K", default_value_t = 1_000,
          value_parser = clap::value_parser!(u64).range(1..=MAX_DISTINCT))]
    pub distinct: u64,
    /// Seed of the generated stream
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Invalid requests per 1000 (negative, above the maximum, malformed)
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(0..=1000))]
    pub invalid_per_mille: u64,
    /// Replay requests from a file, one per line, instead of generating them
    #[arg(long, value_name = "PATH",
          conflicts_with_all = ["requests", "distinct", "seed", "invalid_per_mille"])]
    pub requests_file: Option<PathBuf>,
    /// Simulated cost of one rate lookup, in microseconds
    #[arg(long, value_name = "US", default_value_t = 1_000,
          value_parser = clap::value_parser!(u64).range(0..=MAX_COST_US))]
    pub cost_us: u64,
    /// What a lookup costs: waiting (I/O-like) or computing (CPU-like)
    #[arg(long, value_enum, default_value_t = CostKind::Sleep)]
    pub cost_kind: CostKind,
    /// How the conversion cache avoids converting twice
    #[arg(long, value_enum, default_value_t = CacheStrategy::SingleFlight)]
    pub cache: CacheStrategy,
    /// Most entries the cache keeps, least recently used evicted first; 0 is
    /// unbounded [default: 0]
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(0..=MAX_CAPACITY))]
    pub capacity: Option<u64>,
}

impl ConvertArgs {
    /// The validated job: the stream generated or read, its distinct keys
    /// counted.
    pub fn job(&self) -> Result<ConvertJob, UsageError> {
        if self.capacity.is_some() && self.cache == CacheStrategy::NoCache {
            return Err(UsageError::new(
                "--capacity needs a cache: --cache none keeps nothing to bound",
            ));
        }
        let requests = match &self.requests_file {
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|e| {
                    UsageError::new(format!("--requests-file {}: {e}", path.display()))
                })?;
                let requests = stream::parse_lines(&bytes);
                if requests.is_empty() {
                    return Err(UsageError::new(format!(
                        "--requests-file {}: the file holds no requests",
                        path.display()
                    )));
                }
                if requests.len() as u64 > MAX_REQUESTS {
                    return Err(UsageError::new(format!(
                        "--requests-file {}: {} requests, more than the {MAX_REQUESTS} allowed",
                        path.display(),
                        requests.len()
                    )));
                }
                requests
            }
            None => stream::generate(StreamSpec {
                requests: self.requests,
                distinct: self.distinct,
                seed: self.seed,
                invalid_per_mille: self.invalid_per_mille,
            }),
        };
        Ok(ConvertJob::new(
            requests,
            self.cache,
            self.capacity.unwrap_or(0) as usize,
            Cost {
                per_lookup: Duration::from_micros(self.cost_us),
                kind: self.cost_kind,
            },
        ))
    }
}

/// One request's outcome, as a model reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Served {
    /// B points, or why the request was rejected.
    pub outcome: Result<u64, Reject>,
    /// Whether this call ran the expensive lookup itself (a miss), rather
    /// than getting the points from the cache or from another caller's lookup.
    pub looked_up: bool,
}

impl Served {
    pub fn converted(points: u64, looked_up: bool) -> Self {
        Served {
            outcome: Ok(points),
            looked_up,
        }
    }

    pub fn rejected(reason: Reject) -> Self {
        Served {
            outcome: Err(reason),
            looked_up: false,
        }
    }

    /// A line for `-v`: `request 17 "1234": 925 B points (lookup)`. Lazy:
    /// formatted only if printed, since it is built for every request.
    pub fn describe<'a>(&self, index: usize, request: &'a str) -> impl fmt::Display + 'a {
        let served = *self;
        fmt::from_fn(move |f| match served.outcome {
            Ok(points) if served.looked_up => {
                write!(f, "request {index} {request:?}: {points} B points (lookup)")
            }
            Ok(points) => write!(f, "request {index} {request:?}: {points} B points (cached)"),
            Err(reason) => write!(f, "request {index} {request:?}: rejected ({reason})"),
        })
    }
}

/// What a model hands back for `convert`: every outcome in request order,
/// and what the lookup side and the cache counted themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertAnswer {
    pub served: Vec<Served>,
    /// Lookups counted where they ran (summed over processes for `procs`).
    pub lookups_run: u64,
    /// Entries the cache(s) evicted to stay within the capacity.
    pub evictions: u64,
}

/// A validated `convert` job.
#[derive(Debug, Clone)]
pub struct ConvertJob {
    /// The requests, shared (async tasks and threads need them `'static`).
    pub requests: Arc<[String]>,
    pub cache: CacheStrategy,
    /// Cache bound in entries, 0 unbounded.
    pub capacity: usize,
    pub cost: Cost,
    /// Distinct valid amounts in the stream: the fewest lookups possible.
    pub keys: usize,
    /// Valid requests in the stream.
    pub valid: usize,
}

/// The counters of the record, all derived from the outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub requests: u64,
    pub converted: u64,
    pub rejected: u64,
    /// Rejections per reason, in [`Reject::ALL`] order.
    pub rejected_by: [u64; 3],
    pub conversions: u64,
    pub hits: u64,
    pub duplicates: u64,
    /// Distinct keys that were looked up at least once.
    pub keys_looked_up: u64,
}

impl Tally {
    pub fn of(served: &[Served], requests: &[String]) -> Tally {
        let mut tally = Tally {
            requests: served.len() as u64,
            ..Tally::default()
        };
        let mut looked_up = HashSet::new();
        for (served, request) in served.iter().zip(requests) {
            match served.outcome {
                Ok(_) => tally.converted += 1,
                Err(reason) => {
                    tally.rejected += 1;
                    tally.rejected_by[reason as usize] += 1;
                }
            }
            if served.looked_up {
                tally.conversions += 1;
                looked_up.insert(rules::validate(request).map(rules::Amount::get));
            }
        }
        tally.keys_looked_up = looked_up.len() as u64;
        tally.hits = tally.converted.saturating_sub(tally.conversions);
        tally.duplicates = tally.conversions.saturating_sub(tally.keys_looked_up);
        tally
    }
}

impl ConvertJob {
    pub fn new(requests: Vec<String>, cache: CacheStrategy, capacity: usize, cost: Cost) -> Self {
        let mut keys = HashSet::new();
        let mut valid = 0;
        for request in &requests {
            if let Ok(amount) = rules::validate(request) {
                keys.insert(amount);
                valid += 1;
            }
        }
        ConvertJob {
            requests: requests.into(),
            cache,
            capacity,
            cost,
            keys: keys.len(),
            valid,
        }
    }

    /// The blocking converter this job asks for (seq, threads, each procs
    /// worker).
    pub fn converter(&self) -> cache::Converter {
        cache::Converter::new(self.cache, self.capacity, self.cost)
    }

    /// One lookup's cost in milliseconds.
    pub fn lookup_ms(&self) -> f64 {
        self.cost.per_lookup.as_secs_f64() * 1e3
    }

    /// Whether the cache can hold every key at once, so that no key ever
    /// has to be looked up twice.
    pub fn holds_every_key(&self) -> bool {
        self.capacity == 0 || self.capacity >= self.keys
    }

    /// The shortest time the lookups can take with `parallel` lookups able to
    /// run at once, in one shared cache: `none` needs every valid request
    /// looked up, `locked` every key one after another, `single-flight` and
    /// `moka` every key spread over the callers. `None` where no such bound
    /// holds: `racy` (its duplicates depend on timing) and a cache too small
    /// to hold every key.
    pub fn ideal_ms(&self, parallel: usize) -> Option<f64> {
        let parallel = parallel.max(1) as f64;
        let lookups = match self.cache {
            CacheStrategy::NoCache => return Some(self.valid as f64 * self.lookup_ms() / parallel),
            CacheStrategy::Racy => return None,
            _ if !self.holds_every_key() => return None,
            CacheStrategy::Locked => self.keys as f64,
            CacheStrategy::SingleFlight | CacheStrategy::Moka => self.keys as f64 / parallel,
        };
        Some(lookups * self.lookup_ms())
    }

    /// Checks every outcome against the rules, then that the counts agree:
    /// the lookups counted where they ran equal the requests that say they
    /// ran one, every key was looked up (no answer came from nowhere), and no
    /// more entries were evicted than were ever inserted.
    pub fn verify(&self, answer: &ConvertAnswer) -> anyhow::Result<Verified> {
        if answer.served.len() != self.requests.len() {
            bail!(
                "wrong answer: {} outcomes for {} requests",
                answer.served.len(),
                self.requests.len()
            );
        }
        for (index, (served, request)) in answer.served.iter().zip(self.requests.iter()).enumerate()
        {
            let want = rules::reference(request);
            if served.outcome != want {
                bail!(
                    "wrong answer for request {index} ({request:?}): got {}, expected {}",
                    show(served.outcome),
                    show(want)
                );
            }
            if served.looked_up && want.is_err() {
                bail!("request {index} ({request:?}) was rejected but claims a lookup");
            }
        }
        let tally = Tally::of(&answer.served, &self.requests);
        if answer.lookups_run != tally.conversions {
            bail!(
                "miscounted lookups: {} ran, but {} requests say they ran one",
                answer.lookups_run,
                tally.conversions
            );
        }
        if tally.keys_looked_up != self.keys as u64 {
            bail!(
                "{} of {} keys were answered without ever being looked up",
                self.keys as u64 - tally.keys_looked_up.min(self.keys as u64),
                self.keys
            );
        }
        if answer.evictions > tally.conversions {
            bail!(
                "miscounted evictions: {} evicted, only {} inserted",
                answer.evictions,
                tally.conversions
            );
        }
        Ok(Verified::new(checksum(&answer.served).to_string()))
    }

    /// The outcome a model reports: the answer plus the record's `convert`
    /// fields (counters, cache, cost, and `ideal_ms` where a bound exists).
    pub fn outcome(
        &self,
        answer: ConvertAnswer,
        workers: usize,
        concurrency: usize,
        ideal_ms: Option<f64>,
    ) -> Outcome {
        let tally = Tally::of(&answer.served, &self.requests);
        let rejects: Map<String, Value> = Reject::ALL
            .iter()
            .map(|&reason| {
                (
                    reason.name().to_owned(),
                    Value::from(tally.rejected_by[reason as usize]),
                )
            })
            .collect();
        let evictions = answer.evictions;
        let mut outcome = Outcome::new(Answer::Convert(answer), workers, concurrency)
            .with_field("requests", tally.requests)
            .with_field("converted", tally.converted)
            .with_field("rejected", tally.rejected)
            .with_field("rejects", rejects)
            .with_field("keys", self.keys as u64)
            .with_field("conversions", tally.conversions)
            .with_field("hits", tally.hits)
            .with_field("duplicates", tally.duplicates)
            .with_field("evictions", evictions)
            .with_field("cache", self.cache.name())
            .with_field("capacity", self.capacity as u64)
            .with_field("cost_us", self.cost.per_lookup.as_micros() as u64)
            .with_field("cost_kind", self.cost.kind.name());
        if let Some(ideal) = ideal_ms {
            outcome = outcome.with_field("ideal_ms", (ideal * 1e3).round() / 1e3);
        }
        outcome
    }
}

fn show(outcome: Result<u64, Reject>) -> String {
    match outcome {
        Ok(points) => format!("{points} B points"),
        Err(reason) => format!("rejected ({reason})"),
    }
}

/// An order-sensitive hash of every outcome (the points, or the reason):
/// equal in every model and strategy exactly when every outcome is.
pub fn checksum(served: &[Served]) -> u64 {
    served.iter().fold(served.len() as u64, |hash, served| {
        let code = match served.outcome {
            Ok(points) => points,
            // Points never exceed 8e8, so these codes cannot collide with them.
            Err(reason) => u64::MAX - reason as u64,
        };
        stream::mix64(hash ^ code).wrapping_add(0x9E37_79B9_7F4A_7C15)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(requests: &[&str], cache: CacheStrategy, capacity: usize) -> ConvertJob {
        ConvertJob::new(
            requests.iter().map(|r| (*r).to_owned()).collect(),
            cache,
            capacity,
            Cost {
                per_lookup: Duration::from_millis(1),
                kind: CostKind::Sleep,
            },
        )
    }

    fn right_answer(job: &ConvertJob) -> ConvertAnswer {
        let converter = job.converter();
        let served: Vec<Served> = job.requests.iter().map(|r| converter.serve(r)).collect();
        ConvertAnswer {
            served,
            lookups_run: converter.lookups_run(),
            evictions: converter.evictions(),
        }
    }

    /// A right answer verifies, and its counters add up: converted + rejected
    /// = requests, hits + conversions = converted.
    #[test]
    fn right_answer_verifies_and_counts() {
        let job = job(
            &["1", "2", "1", "x", "-1", "2", "1"],
            CacheStrategy::Locked,
            0,
        );
        let answer = right_answer(&job);
        assert!(job.verify(&answer).is_ok());
        let tally = Tally::of(&answer.served, &job.requests);
        assert_eq!((tally.converted, tally.rejected), (5, 2));
        assert_eq!((tally.conversions, tally.hits, tally.duplicates), (2, 3, 0));
        assert_eq!(tally.rejected_by, [1, 1, 0]);
        assert_eq!((job.keys, job.valid), (2, 5));
    }

    /// A wrong point value, a missing outcome, a miscounted lookup, a key
    /// that was never looked up and a rejected request claiming a lookup all
    /// fail verification.
    #[test]
    fn verify_rejects_wrong_answers() {
        let job = job(&["1000", "1000", "abc"], CacheStrategy::Locked, 0);
        let good = right_answer(&job);
        let mut wrong = good.clone();
        wrong.served[1].outcome = Ok(751);
        assert!(job.verify(&wrong).is_err());
        let mut short = good.clone();
        short.served.pop();
        assert!(job.verify(&short).is_err());
        let mut miscounted = good.clone();
        miscounted.lookups_run += 1;
        assert!(job.verify(&miscounted).is_err());
        let mut from_nowhere = good.clone();
        from_nowhere.served[0].looked_up = false;
        from_nowhere.lookups_run = 0;
        assert!(job.verify(&from_nowhere).is_err());
        let mut claims = good.clone();
        claims.served[2].looked_up = true;
        claims.lookups_run += 1;
        assert!(job.verify(&claims).is_err());
    }

    /// A duplicate lookup is counted as such, and the checksum does not
    /// depend on who looked up what.
    #[test]
    fn duplicates_counted_checksum_unchanged() {
        let job = job(&["7", "7", "7"], CacheStrategy::Racy, 0);
        let good = right_answer(&job);
        let mut racy = good.clone();
        racy.served[1].looked_up = true;
        racy.lookups_run = 2;
        let verified = job.verify(&racy).expect("duplicates are not wrong answers");
        assert_eq!(Tally::of(&racy.served, &job.requests).duplicates, 1);
        assert_eq!(verified.checksum, job.verify(&good).expect("good").checksum);
    }

    /// The checksum changes with any outcome, its position, or a reason.
    #[test]
    fn checksum_covers_every_outcome() {
        let a = [Served::converted(0, true), Served::converted(5, false)];
        let b = [Served::converted(5, true), Served::converted(0, false)];
        let c = [
            Served::rejected(Reject::Format),
            Served::converted(5, false),
        ];
        let d = [Served::rejected(Reject::Range), Served::converted(5, false)];
        let sums: HashSet<u64> = [&a[..], &b, &c, &d, &a[..1]]
            .iter()
            .map(|s| checksum(s))
            .collect();
        assert_eq!(sums.len(), 5);
    }

    /// Ideal bounds: `none` all valid requests, `locked` all keys in series,
    /// single-flight keys over callers; none for racy or a too-small cache.
    #[test]
    fn ideal_bounds() {
        let requests = ["1", "2", "3", "4", "1", "2", "bad"];
        assert_eq!(
            job(&requests, CacheStrategy::NoCache, 0).ideal_ms(2),
            Some(3.0)
        );
        assert_eq!(
            job(&requests, CacheStrategy::Locked, 0).ideal_ms(4),
            Some(4.0)
        );
        assert_eq!(
            job(&requests, CacheStrategy::Moka, 4).ideal_ms(4),
            Some(1.0)
        );
        assert_eq!(
            job(&requests, CacheStrategy::SingleFlight, 0).ideal_ms(8),
            Some(0.5)
        );
        assert_eq!(job(&requests, CacheStrategy::Racy, 0).ideal_ms(2), None);
        assert_eq!(job(&requests, CacheStrategy::Locked, 3).ideal_ms(1), None);
    }
}
