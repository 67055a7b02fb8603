//! A validated `convert` job: its requests, cache and cost, the reference it
//! is checked against and the bound it is measured against.

use super::answer::{ConvertAnswer, Served, checksum};
use super::cache::{self, CacheStrategy};
use super::cost::Cost;
use super::rules::{self, Reject};
use crate::record::Verified;
use anyhow::bail;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::sync::Arc;

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
        let mut verified = Verified::new(checksum(&answer.served).to_string());
        verified.fields = self.record_fields(&tally, answer.evictions);
        Ok(verified)
    }

    /// The record's `convert` fields: the counters, derived from the
    /// outcomes, and the cache and cost the job ran with. (`ideal_ms` depends
    /// on how many lookups the model could run at once, so the model adds it.)
    fn record_fields(&self, tally: &Tally, evictions: u64) -> Map<String, Value> {
        let rejects: Map<String, Value> = Reject::ALL
            .iter()
            .map(|&reason| {
                (
                    reason.name().to_owned(),
                    Value::from(tally.rejected_by[reason as usize]),
                )
            })
            .collect();
        let fields: [(&str, Value); 13] = [
            ("requests", tally.requests.into()),
            ("converted", tally.converted.into()),
            ("rejected", tally.rejected.into()),
            ("rejects", rejects.into()),
            ("keys", (self.keys as u64).into()),
            ("conversions", tally.conversions.into()),
            ("hits", tally.hits.into()),
            ("duplicates", tally.duplicates.into()),
            ("evictions", evictions.into()),
            ("cache", self.cache.name().into()),
            ("capacity", (self.capacity as u64).into()),
            ("cost_us", (self.cost.per_lookup.as_micros() as u64).into()),
            ("cost_kind", self.cost.kind.name().into()),
        ];
        fields
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect()
    }
}

fn show(outcome: Result<u64, Reject>) -> String {
    match outcome {
        Ok(points) => format!("{points} B points"),
        Err(reason) => format!("rejected ({reason})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::convert::cost::CostKind;
    use std::time::Duration;

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
