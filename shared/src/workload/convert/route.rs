//! Routing requests to workers that share no cache (procs' processes,
//! cluster's workers): the worker that owns a key, and the shortest time
//! static routes allow.

use super::cache::CacheStrategy;
use super::cost::CostKind;
use super::job::ConvertJob;
use super::rules::validate;
use super::stream::mix64;
use std::collections::HashSet;

/// The worker of `workers` that owns request `index`'s key: a fixed mix of
/// the amount (not std's per-process random hasher, so the same key lands on
/// the same worker in every process and every run). A request with no valid
/// amount has no key and goes round-robin.
pub fn owner(index: usize, request: &str, workers: usize) -> usize {
    match validate(request) {
        Ok(amount) => (mix64(amount.get()) % workers as u64) as usize,
        Err(_) => index % workers,
    }
}

impl ConvertJob {
    /// With static routes every worker's lookups are known in advance: its
    /// distinct keys (every valid request, for `none`), one after another.
    /// The job takes at least as long as the busiest worker, and, for
    /// `spin`, as `cores` can chew through all of them. `None` if a worker's
    /// cache is too small to keep its keys.
    pub fn ideal_ms_routed(&self, routes: &[usize], workers: usize, cores: usize) -> Option<f64> {
        let mut keys = vec![HashSet::new(); workers];
        let mut valid = vec![0u64; workers];
        for (request, &worker) in self.requests.iter().zip(routes) {
            if let Ok(amount) = validate(request) {
                keys[worker].insert(amount);
                valid[worker] += 1;
            }
        }
        let lookups: Vec<u64> = match self.cache {
            CacheStrategy::NoCache => valid,
            _ => {
                let most = keys.iter().map(HashSet::len).max().unwrap_or(0);
                if self.capacity != 0 && self.capacity < most {
                    return None;
                }
                keys.iter().map(|k| k.len() as u64).collect()
            }
        };
        let busiest = lookups.iter().copied().max().unwrap_or(0) as f64;
        let spread = match self.cost.kind {
            CostKind::Sleep => 0.0,
            CostKind::Spin => lookups.iter().sum::<u64>() as f64 / workers.min(cores).max(1) as f64,
        };
        Some(busiest.max(spread) * self.lookup_ms())
    }
}
