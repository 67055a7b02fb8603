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
    pub fn of(latencies: impl IntoIterator<Item = Duration>) -> Option<LatencyMs> {
        let mut sorted: Vec<Duration> = latencies.into_iter().collect();
        sorted.sort_unstable();
        let max = *sorted.last()?;
        // In tenths of a percent, so that the 99.9th is an integer rank too.
        let rank = |per_mille: usize| {
            // ceil(per_mille * n / 1000), at least 1; integers, so 0.9 * 10 is
            // exactly rank 9 and not 9.000000000000002 rounded up to 10.
            let rank = (per_mille * sorted.len()).div_ceil(1000).max(1);
            millis(sorted[rank - 1])
        };
        Some(LatencyMs {
            p50: rank(500),
            p90: rank(900),
            p99: rank(990),
            p999: rank(999),
            max: millis(max),
        })
    }
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

    /// Milliseconds keep microsecond resolution.
    #[test]
    fn microsecond_resolution() {
        let p = LatencyMs::of([Duration::from_micros(20_123)]).expect("some");
        assert_eq!(p.max, 20.123);
    }
}
