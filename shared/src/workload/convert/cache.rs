//! The seed's `convert_points` for callers that block, in the five cache
//! designs of `--cache`. One [`Converter`] is the whole function: validate,
//! then answer from the cache or run the expensive lookup.
//!
//! It lives in `shared`, not in a model crate, because three models call the
//! very same code: `seq` from one thread, `threads` from many threads sharing
//! one `Converter`, and `procs` with one `Converter` per worker process. What
//! differs between models is who calls it, which is the model; the async
//! versions (which must `.await` the lookup) are in `concur-async`.
//!
//! The locks are `std::sync::Mutex`es around a plain [`Lru`]: a reader-writer
//! lock would not help, because even a cache hit writes (it moves the key to
//! the front of the LRU order).

use super::answer::Served;
use super::cost::Cost;
use super::lru::Lru;
use super::rules::{Amount, validate};
use clap::ValueEnum;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

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

/// moka's eviction policy for both converters (blocking here, async in the
/// async model): LRU, like the hand-written caches (moka's default, TinyLFU,
/// may refuse to admit a new key instead).
pub fn moka_policy() -> moka::policy::EvictionPolicy {
    moka::policy::EvictionPolicy::lru()
}

/// An eviction counter and the listener that feeds it, for either moka
/// builder: only evictions count (not replacements or removals), so moka's
/// `evictions` means what the hand-written LRU's does.
pub fn moka_evictions() -> (
    Arc<AtomicU64>,
    impl Fn(Arc<u64>, u64, moka::notification::RemovalCause) + Send + Sync + 'static,
) {
    let evictions = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&evictions);
    let listener = move |_key: Arc<u64>, _points: u64, cause: moka::notification::RemovalCause| {
        if cause.was_evicted() {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    };
    (evictions, listener)
}

/// The point-conversion function with its cache, shareable between threads.
pub struct Converter {
    cache: Cache,
    cost: Cost,
    /// Lookups really run, counted where they run: `verify` checks it against
    /// the per-request `looked_up` flags.
    lookups: AtomicU64,
}

enum Cache {
    None,
    Racy(Mutex<Memo>),
    Locked(Mutex<Memo>),
    SingleFlight(Mutex<Flights>),
    Moka {
        cache: moka::sync::Cache<u64, u64>,
        evictions: Arc<AtomicU64>,
    },
}

/// An LRU of finished conversions and how many it evicted.
pub struct Memo {
    lru: Lru<u64, u64>,
    evictions: u64,
}

impl Memo {
    pub fn new(capacity: usize) -> Self {
        Memo {
            lru: Lru::new(capacity),
            evictions: 0,
        }
    }

    pub fn get(&mut self, key: u64) -> Option<u64> {
        self.lru.get(&key)
    }

    pub fn insert(&mut self, key: u64, points: u64) {
        if self.lru.insert(key, points).is_some() {
            self.evictions += 1;
        }
    }

    pub fn evictions(&self) -> u64 {
        self.evictions
    }
}

/// Single-flight state: finished conversions, and the lookups in flight.
/// Flights are not in the LRU (an entry being computed cannot be evicted);
/// there is at most one per caller, so they need no bound of their own.
struct Flights {
    memo: Memo,
    flying: HashMap<u64, Arc<Flight>>,
}

/// One lookup in flight, which callers of the same key wait for.
#[derive(Default)]
struct Flight {
    points: Mutex<Option<u64>>,
    landed: Condvar,
}

impl Flight {
    fn land(&self, points: u64) {
        *lock(&self.points) = Some(points);
        self.landed.notify_all();
    }

    fn wait(&self) -> u64 {
        let mut points = lock(&self.points);
        loop {
            if let Some(points) = *points {
                return points;
            }
            points = self
                .landed
                .wait(points)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Locks a mutex, ignoring poisoning: the sections below only touch a map
/// and cannot panic on any input, and a worker that did panic already fails
/// the job when it is joined.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Converter {
    /// A converter with an empty cache of `capacity` entries (0: unbounded).
    pub fn new(strategy: CacheStrategy, capacity: usize, cost: Cost) -> Self {
        let cache = match strategy {
            CacheStrategy::NoCache => Cache::None,
            CacheStrategy::Racy => Cache::Racy(Mutex::new(Memo::new(capacity))),
            CacheStrategy::Locked => Cache::Locked(Mutex::new(Memo::new(capacity))),
            CacheStrategy::SingleFlight => Cache::SingleFlight(Mutex::new(Flights {
                memo: Memo::new(capacity),
                flying: HashMap::new(),
            })),
            CacheStrategy::Moka => {
                let (evictions, listener) = moka_evictions();
                let mut builder = moka::sync::Cache::builder()
                    .eviction_policy(moka_policy())
                    .eviction_listener(listener);
                if capacity > 0 {
                    builder = builder.max_capacity(capacity as u64);
                }
                Cache::Moka {
                    cache: builder.build(),
                    evictions,
                }
            }
        };
        Converter {
            cache,
            cost,
            lookups: AtomicU64::new(0),
        }
    }

    /// Answers one request: rejected with a reason, or converted (from the
    /// cache, or by a lookup this call ran itself).
    pub fn serve(&self, request: &str) -> Served {
        match validate(request) {
            Err(reason) => Served::rejected(reason),
            Ok(amount) => {
                let (points, looked_up) = self.get_or_convert(amount);
                Served::converted(points, looked_up)
            }
        }
    }

    /// Lookups run so far.
    pub fn lookups_run(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    /// Entries evicted so far to respect the capacity.
    pub fn evictions(&self) -> u64 {
        match &self.cache {
            Cache::None => 0,
            Cache::Racy(memo) | Cache::Locked(memo) => lock(memo).evictions(),
            Cache::SingleFlight(flights) => lock(flights).memo.evictions(),
            Cache::Moka { cache, evictions } => {
                // moka evicts in batches on later calls; settle them first.
                cache.run_pending_tasks();
                evictions.load(Ordering::Relaxed)
            }
        }
    }

    /// The expensive part: fetch the rates (simulated cost), apply the rules.
    fn lookup(&self, amount: Amount) -> u64 {
        self.cost.pay_blocking();
        self.lookups.fetch_add(1, Ordering::Relaxed);
        amount.convert()
    }

    /// The cache itself: the points, and whether this call ran the lookup.
    fn get_or_convert(&self, amount: Amount) -> (u64, bool) {
        let key = amount.get();
        match &self.cache {
            Cache::None => (self.lookup(amount), true),
            Cache::Racy(memo) => {
                // The seed's first version: check, convert, insert, with the
                // lock held only for the map operations. Memory-safe, but two
                // callers of one key can both miss and both convert.
                if let Some(points) = lock(memo).get(key) {
                    return (points, false);
                }
                let points = self.lookup(amount);
                lock(memo).insert(key, points);
                (points, true)
            }
            Cache::Locked(memo) => {
                // The seed's fix: one lock across check, convert and insert.
                // No duplicates, but every lookup of every key is serialized.
                let mut memo = lock(memo);
                if let Some(points) = memo.get(key) {
                    return (points, false);
                }
                let points = self.lookup(amount);
                memo.insert(key, points);
                (points, true)
            }
            Cache::SingleFlight(flights) => self.single_flight(flights, amount),
            Cache::Moka { cache, .. } => {
                // moka runs one `init` per key at a time; concurrent callers
                // of that key wait for it, other keys proceed.
                let mut looked_up = false;
                let points = cache.get_with(key, || {
                    looked_up = true;
                    self.lookup(amount)
                });
                (points, looked_up)
            }
        }
    }

    /// One lookup per key while later callers of that key wait for it; the
    /// map lock is held only to look at or change the maps, never during a
    /// lookup, so different keys convert in parallel. (A lock per key was
    /// turned down: the per-key locks would themselves need a map, a bound
    /// and a lock, which is this with more steps.)
    fn single_flight(&self, flights: &Mutex<Flights>, amount: Amount) -> (u64, bool) {
        let key = amount.get();
        let flight = {
            let mut state = lock(flights);
            if let Some(points) = state.memo.get(key) {
                return (points, false);
            }
            if let Some(flight) = state.flying.get(&key) {
                Err(Arc::clone(flight))
            } else {
                let flight = Arc::new(Flight::default());
                state.flying.insert(key, Arc::clone(&flight));
                Ok(flight)
            }
        };
        match flight {
            // Someone else is converting this key: wait for their answer.
            Err(theirs) => (theirs.wait(), false),
            // Ours to convert. The lookup cannot fail or panic (the rules
            // are total over valid amounts), so the flight always lands.
            Ok(ours) => {
                let points = self.lookup(amount);
                {
                    let mut state = lock(flights);
                    state.flying.remove(&key);
                    state.memo.insert(key, points);
                }
                ours.land(points);
                (points, true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::cost::CostKind;
    use super::super::rules::{Reject, reference};
    use super::*;
    use std::time::Duration;

    const STRATEGIES: [CacheStrategy; 5] = [
        CacheStrategy::NoCache,
        CacheStrategy::Racy,
        CacheStrategy::Locked,
        CacheStrategy::SingleFlight,
        CacheStrategy::Moka,
    ];

    fn free() -> Cost {
        Cost {
            per_lookup: Duration::ZERO,
            kind: CostKind::Sleep,
        }
    }

    /// From one caller, every strategy answers like the reference and looks
    /// each key up once (except `none`, which looks up every request).
    #[test]
    fn one_caller_looks_up_each_key_once() {
        let requests = ["5", "7", "5", "x", "-3", "5", "7", "1000000001", "10020"];
        for strategy in STRATEGIES {
            let converter = Converter::new(strategy, 0, free());
            for request in requests {
                assert_eq!(
                    converter.serve(request).outcome,
                    reference(request),
                    "{strategy:?} {request}"
                );
            }
            let want = if strategy == CacheStrategy::NoCache {
                6
            } else {
                3
            };
            assert_eq!(converter.lookups_run(), want, "{strategy:?}");
            assert_eq!(converter.evictions(), 0);
        }
    }

    /// A rejected request never reaches the cache or the lookup.
    #[test]
    fn rejections_skip_the_lookup() {
        let converter = Converter::new(CacheStrategy::Locked, 0, free());
        let served = converter.serve("-1");
        assert_eq!(served.outcome, Err(Reject::NonNegative));
        assert!(!served.looked_up);
        assert_eq!(converter.lookups_run(), 0);
    }

    /// With capacity 10 and 50 keys in rotation, every strategy evicts,
    /// converts again, and still answers correctly. The hand-written LRUs
    /// evict on every insert past the bound; moka enforces it in batches, so
    /// it may hold a few more entries for a while and convert less often.
    #[test]
    fn small_capacity_evicts() {
        for strategy in &STRATEGIES[1..] {
            let converter = Converter::new(*strategy, 10, free());
            for _ in 0..4 {
                for key in 0..50 {
                    let request = key.to_string();
                    assert_eq!(converter.serve(&request).outcome, reference(&request));
                }
            }
            let (lookups, evictions) = (converter.lookups_run(), converter.evictions());
            if *strategy == CacheStrategy::Moka {
                assert!(lookups > 50 && lookups <= 200, "{lookups}");
                assert!(evictions > 0 && evictions <= lookups - 10, "{evictions}");
            } else {
                assert_eq!((lookups, evictions), (200, 190), "{strategy:?}");
            }
        }
    }
}
