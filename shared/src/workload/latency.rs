//! Per-request latency, summarized for the record as `latency_ms`:
//! `{"p50":..,"p90":..,"p99":..,"p999":..,"max":..}` (p999: the 99.9th).
//!
//! Every model hands back one latency per request with its outcome; the
//! summary is computed once, here, so that the four models cannot differ in
//! how they rank or round. Percentiles and not a mean: one task that does
//! not yield delays some requests by its whole run and leaves the rest alone,
//! which a mean would spread thin and the tail shows as it is.

use crate::record::millis;
use serde::Serialize;
use std::time::Duration;

/// Latency percentiles in milliseconds, each to the microsecond like
/// `elapsed_ms`.
///
/// Nearest-rank definition: with the `n` latencies sorted in ascending order,
/// the p-th percentile is the one at rank `ceil(p / 100 * n)` (counting from
/// 1), always a latency that was measured, never an interpolation; `max` is
/// the last. So `p50 <= p90 <= p99 <= max`, and with fewer than 100 requests
/// `p99` is the `max`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencyMs {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

impl LatencyMs {
    /// The percentiles of `latencies` (in any order); `None` for none.
    ///
    /// Selection, not a sort: each rank is found with `select_nth_unstable`
    /// in the part above the rank before it, linear time in all, on
    /// nanoseconds (8 bytes, not a 16-byte `Duration`). A full sort ranked
    /// every latency to read five, and cost about half as much as recording
    /// them ([docs/io.md](../../../docs/io.md#requests-at-a-steady-rate)).
    pub fn of(latencies: impl IntoIterator<Item = Duration>) -> Option<LatencyMs> {
        let mut nanos: Vec<u64> = latencies.into_iter().map(saturating_nanos).collect();
        let n = nanos.len();
        if n == 0 {
            return None;
        }
        // Ranks in tenths of a percent, so that the 99.9th is an integer rank
        // too: ceil(per_mille * n / 1000), at least 1, as an index from 0;
        // integers, so 0.9 * 10 is exactly rank 9 and not 9.000000000000002
        // rounded up to 10. The last is the max.
        let index = |per_mille: usize| (per_mille * n).div_ceil(1000).max(1) - 1;
        let wanted = [index(500), index(900), index(990), index(999), n - 1];
        let mut ranked = [0u64; 5];
        let mut from = 0;
        for (slot, &at) in ranked.iter_mut().zip(&wanted) {
            // Ranks ascend, so the one before is already in place below `at`.
            let (_, nth, _) = nanos[from..].select_nth_unstable(at - from);
            *slot = *nth;
            from = at;
        }
        let [p50, p90, p99, p999, max] = ranked.map(|ns| millis(Duration::from_nanos(ns)));
        Some(LatencyMs {
            p50,
            p90,
            p99,
            p999,
            max,
        })
    }
}

/// A latency in nanoseconds; over 584 years is kept as the most a u64 holds.
fn saturating_nanos(latency: Duration) -> u64 {
    u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    /// Nearest rank: 1..=100 gives the percentile itself; ten values give the
    /// 5th, 9th and 10th; one value is every percentile; none is `None`; the
    /// 99.9th has a rank of its own from 1000 values.
    #[test]
    fn nearest_rank_percentiles() {
        let hundred: Vec<u64> = (1..=100).rev().collect();
        let p = LatencyMs::of(ms(&hundred)).expect("some");
        assert_eq!((p.p50, p.p90, p.p99, p.max), (50.0, 90.0, 99.0, 100.0));
        let ten: Vec<u64> = (1..=10).map(|v| v * 10).collect();
        let p = LatencyMs::of(ms(&ten)).expect("some");
        assert_eq!((p.p50, p.p90, p.p99, p.max), (50.0, 90.0, 100.0, 100.0));
        let p = LatencyMs::of(ms(&[7])).expect("some");
        assert_eq!((p.p50, p.p90, p.p99, p.max), (7.0, 7.0, 7.0, 7.0));
        assert_eq!(LatencyMs::of(Vec::new()), None);
        // The 99.9th of 2000 is rank 1998.
        let thousands: Vec<u64> = (1..=2000).collect();
        assert_eq!(LatencyMs::of(ms(&thousands)).expect("some").p999, 1998.0);
    }

    /// Selection gives the ranks a full sort gives, for every size from 1 to
    /// 2 100, latencies in a scrambled order and with repeats.
    #[test]
    fn selection_matches_a_sort() {
        for n in 1..=2_100u64 {
            let latencies: Vec<Duration> = (0..n)
                .map(|i| Duration::from_micros(i.wrapping_mul(2_654_435_761) % (n / 3 + 1)))
                .collect();
            let mut sorted = latencies.clone();
            sorted.sort();
            let rank = |per_mille: u64| {
                millis(sorted[((per_mille * n).div_ceil(1000).max(1) - 1) as usize])
            };
            let expected = LatencyMs {
                p50: rank(500),
                p90: rank(900),
                p99: rank(990),
                p999: rank(999),
                max: millis(sorted[sorted.len() - 1]),
            };
            assert_eq!(LatencyMs::of(latencies), Some(expected), "{n} latencies");
        }
    }

    /// Milliseconds keep microsecond resolution.
    #[test]
    fn microsecond_resolution() {
        let p = LatencyMs::of([Duration::from_micros(20_123)]).expect("some");
        assert_eq!(p.max, 20.123);
    }
}
