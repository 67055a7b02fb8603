//! The seed's `convert_points` for async callers, in the five cache designs of
//! `--cache`: the same designs as the blocking ones in
//! [`concur_shared::workload::convert::cache`], with the lookup `.await`ed.
//!
//! That `.await` is what changes the picture. `racy` duplicates even on a
//! current-thread runtime, where only one task ever runs at a time: a task
//! that misses suspends inside the lookup, the next task runs, misses the same
//! key (nothing was inserted yet) and starts a second lookup. Races in async
//! code need no threads, only an `.await` between the check and the insert.
//! (With `--cost-kind spin` the lookup has no `.await`, so on a current-thread
//! runtime `racy` cannot duplicate.)

use concur_shared::timer::{PreciseTimer, Precision};
use concur_shared::workload::convert::cache::{Memo, moka_evictions, moka_policy};
use concur_shared::workload::convert::cost::{Cost, CostKind, spin_cpu};
use concur_shared::workload::convert::rules::{Amount, validate};
use concur_shared::workload::convert::{CacheStrategy, Served};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;
use tokio::sync::watch;

/// The point-conversion function with its cache, shared by every caller task.
pub struct AsyncConverter {
    cache: Cache,
    cost: Cost,
    timer: PreciseTimer,
    lookups: AtomicU64,
}

// The map locks are `std::sync::Mutex`es, not tokio's, wherever no `.await`
// happens while they are held (as in mini-redis's `Db`): they are held for a
// map operation only, and a std mutex is cheaper. `Locked` is the exception,
// because it must hold its lock across the lookup's `.await`.
enum Cache {
    None,
    Racy(Mutex<Memo>),
    Locked(tokio::sync::Mutex<Memo>),
    SingleFlight(Mutex<Flights>),
    Moka {
        cache: moka::future::Cache<u64, u64>,
        evictions: Arc<AtomicU64>,
    },
}

/// Finished conversions, and a watch per key in flight: the leader sends the
/// points, every waiter of that key wakes.
struct Flights {
    memo: Memo,
    flying: HashMap<u64, watch::Receiver<Option<u64>>>,
}

/// The sections under these locks only touch a map and cannot panic on any
/// input; a poisoned lock still holds a consistent map.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AsyncConverter {
    /// A converter with an empty cache of `capacity` entries (0: unbounded).
    pub fn new(strategy: CacheStrategy, capacity: usize, cost: Cost) -> anyhow::Result<Self> {
        let cache = match strategy {
            CacheStrategy::NoCache => Cache::None,
            CacheStrategy::Racy => Cache::Racy(Mutex::new(Memo::new(capacity))),
            CacheStrategy::Locked => Cache::Locked(tokio::sync::Mutex::new(Memo::new(capacity))),
            CacheStrategy::SingleFlight => Cache::SingleFlight(Mutex::new(Flights {
                memo: Memo::new(capacity),
                flying: HashMap::new(),
            })),
            CacheStrategy::Moka => {
                let (evictions, listener) = moka_evictions();
                let mut builder = moka::future::Cache::builder()
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
        Ok(AsyncConverter {
            cache,
            cost,
            timer: PreciseTimer::start(Precision::EXACT)?,
            lookups: AtomicU64::new(0),
        })
    }

    /// Answers one request: rejected with a reason, or converted.
    pub async fn serve(&self, request: &str) -> Served {
        match validate(request) {
            Err(reason) => Served::rejected(reason),
            Ok(amount) => {
                let (points, looked_up) = self.get_or_convert(amount).await;
                Served::converted(points, looked_up)
            }
        }
    }

    pub fn lookups_run(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    pub async fn evictions(&self) -> u64 {
        match &self.cache {
            Cache::None => 0,
            Cache::Racy(memo) => lock(memo).evictions(),
            Cache::Locked(memo) => memo.lock().await.evictions(),
            Cache::SingleFlight(flights) => lock(flights).memo.evictions(),
            Cache::Moka { cache, evictions } => {
                cache.run_pending_tasks().await;
                evictions.load(Ordering::Relaxed)
            }
        }
    }

    /// The expensive part. `sleep` waits on the precise timer, yielding the
    /// executor thread to other tasks; `spin` computes without an `.await`, so
    /// it keeps its executor thread, as CPU work in async code does.
    async fn lookup(&self, amount: Amount) -> u64 {
        match self.cost.kind {
            CostKind::Sleep => {
                self.timer
                    .sleep_until(Instant::now() + self.cost.per_lookup)
                    .await;
            }
            CostKind::Spin => spin_cpu(self.cost.per_lookup),
        }
        self.lookups.fetch_add(1, Ordering::Relaxed);
        amount.convert()
    }

    async fn get_or_convert(&self, amount: Amount) -> (u64, bool) {
        let key = amount.get();
        match &self.cache {
            Cache::None => (self.lookup(amount).await, true),
            Cache::Racy(memo) => {
                // Check, convert, insert, the lock held for the map only: the
                // `.await` in between lets another task miss the same key (see
                // the module comment), even on one thread.
                if let Some(points) = lock(memo).get(key) {
                    return (points, false);
                }
                let points = self.lookup(amount).await;
                lock(memo).insert(key, points);
                (points, true)
            }
            Cache::Locked(memo) => {
                // One lock across check, convert and insert, so it is held
                // across the lookup's `.await`: tokio's Mutex, whose waiters
                // suspend. A std mutex here would block the waiting task's
                // executor thread (on a current-thread runtime: deadlock) and
                // its guard cannot cross an `.await` in a spawned task.
                let mut memo = memo.lock().await;
                if let Some(points) = memo.get(key) {
                    return (points, false);
                }
                let points = self.lookup(amount).await;
                memo.insert(key, points);
                (points, true)
            }
            Cache::SingleFlight(flights) => self.single_flight(flights, amount).await,
            Cache::Moka { cache, .. } => {
                let looked_up = AtomicBool::new(false);
                let points = cache
                    .get_with(key, async {
                        looked_up.store(true, Ordering::Relaxed);
                        self.lookup(amount).await
                    })
                    .await;
                (points, looked_up.load(Ordering::Relaxed))
            }
        }
    }

    /// One lookup per key while later callers of that key await a watch; the
    /// map lock is never held across an `.await`. A watch rather than a
    /// `Notify`: a waiter that subscribes after the value was sent still sees
    /// it, and one whose leader was dropped mid-lookup (a cancelled task)
    /// sees the channel close and takes the lookup over instead of waiting
    /// forever.
    async fn single_flight(&self, flights: &Mutex<Flights>, amount: Amount) -> (u64, bool) {
        let key = amount.get();
        loop {
            let role = {
                let mut state = lock(flights);
                if let Some(points) = state.memo.get(key) {
                    return (points, false);
                }
                match state.flying.get(&key) {
                    Some(theirs) => Err(theirs.clone()),
                    None => {
                        let (ours, receiver) = watch::channel(None);
                        state.flying.insert(key, receiver);
                        Ok(ours)
                    }
                }
            };
            match role {
                Err(mut theirs) => {
                    let landed = theirs.wait_for(Option::is_some).await.map(|points| *points);
                    if let Ok(Some(points)) = landed {
                        return (points, false);
                    }
                    // The leader is gone: forget its flight and try again.
                    let mut state = lock(flights);
                    if state
                        .flying
                        .get(&key)
                        .is_some_and(|flight| flight.same_channel(&theirs))
                    {
                        state.flying.remove(&key);
                    }
                }
                Ok(ours) => {
                    let points = self.lookup(amount).await;
                    {
                        let mut state = lock(flights);
                        state.flying.remove(&key);
                        state.memo.insert(key, points);
                    }
                    // `Err` only when no one was waiting.
                    let _ = ours.send(Some(points));
                    return (points, true);
                }
            }
        }
    }
}
