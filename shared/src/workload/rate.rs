//! `download --rate R`: an open-loop schedule. Request `i` is due at
//! `start + i / R` whether or not the earlier ones have ended, and its latency
//! counts from when it was due, not from when the model got round to sending
//! it: a model that falls behind shows it in its latencies, where a client
//! that simply sent later would hide the queue (coordinated omission, which
//! wrk2 was written to correct).
//!
//! Every model keeps the schedule its own way (seq sends one at a time and
//! falls behind; threads and procs give each due request to a free worker;
//! async starts a task when each is due) and hands back, per request, its
//! outcome, its latency from due and its lag (sent − due). The figures are
//! computed once, here, from those. The latencies are kept per request, as
//! the closed runs keep them, and ranked exactly after the run: an
//! HdrHistogram was turned down, because it exists to bound the memory of
//! unbounded runs and a run here is capped at a million requests (16 bytes
//! each), so recording a latency is one push onto a vector.

use crate::workload::latency::LatencyMs;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// The highest rate accepted, in requests per second.
pub const MAX_RATE: f64 = 1_000_000.0;

/// The longest `--duration-s`: a day.
pub const MAX_DURATION_S: u64 = 86_400;

/// A request sent later than this after it was due counts as a late start.
pub const LATE: Duration = Duration::from_millis(1);

/// An open-loop schedule of `rate_per_s` requests a second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    pub rate_per_s: f64,
}

/// One scheduled request as the figures see it: whether it was answered,
/// its latency from when it was due, and its lag (sent − due).
pub type Scheduled = (bool, Duration, Duration);

impl Schedule {
    /// When request `index` is due, request 0 being due at `start`.
    pub fn due(self, start: Instant, index: usize) -> Instant {
        start + Duration::from_secs_f64(index as f64 / self.rate_per_s)
    }

    /// The requests that fit `seconds` at this rate (at least one).
    pub fn requests_in(self, seconds: u64) -> usize {
        ((self.rate_per_s * seconds as f64).ceil() as usize).max(1)
    }

    /// The record's fields of a scheduled run, from its `requests` in
    /// schedule order: `offered_rps`; `achieved_rps`, the rate at which
    /// answers came: (answers − 1) over the time from the first answer to
    /// the last, which is the offered rate exactly when every request takes
    /// the same time, whatever that time, and less when answers fall behind
    /// (answers over the time since the first was due was turned down: it
    /// counts one latency against every run, so a short run falls short of
    /// its rate by it); `late_starts` (sent more than [`LATE`] after due) and
    /// `start_lag_p99_ms`, the model's own lag in keeping the schedule.
    pub fn fields(self, requests: &[Scheduled]) -> Map<String, Value> {
        let mut fields = Map::new();
        let answers: Vec<f64> = requests
            .iter()
            .enumerate()
            .filter(|(_, (answered, ..))| *answered)
            .map(|(index, (_, latency, _))| index as f64 / self.rate_per_s + latency.as_secs_f64())
            .collect();
        let first = answers.iter().copied().fold(f64::INFINITY, f64::min);
        let last = answers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let rounded = |value: f64| (value * 1000.0).round() / 1000.0;
        fields.insert("offered_rps".into(), rounded(self.rate_per_s).into());
        let span_s = last - first;
        let achieved = (span_s > 0.0).then(|| rounded((answers.len() - 1) as f64 / span_s));
        fields.insert("achieved_rps".into(), achieved.into());
        let late = requests.iter().filter(|(.., lag)| *lag > LATE).count();
        fields.insert("late_starts".into(), late.into());
        // Ranked as latencies are, by the same nearest-rank selection.
        let lag_p99 = LatencyMs::of(requests.iter().map(|(.., lag)| *lag)).map(|lags| lags.p99);
        fields.insert("start_lag_p99_ms".into(), lag_p99.into());
        fields
    }
}

/// Parses `--rate`: a number of requests per second above 0, at most [`MAX_RATE`].
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of requests per second"))?;
    if !(rate > 0.0 && rate <= MAX_RATE) {
        return Err(format!(
            "{text} is not in (0, {MAX_RATE}] requests per second"
        ));
    }
    Ok(rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(latency_ms: u64, lag_ms: u64) -> Scheduled {
        (
            true,
            Duration::from_millis(latency_ms),
            Duration::from_millis(lag_ms),
        )
    }

    /// Request i is due i/R after the start; a duration holds ⌈R × D⌉ requests.
    #[test]
    fn requests_are_due_at_their_rate() {
        let schedule = Schedule { rate_per_s: 4.0 };
        let start = Instant::now();
        assert_eq!(schedule.due(start, 0), start);
        assert_eq!(schedule.due(start, 6), start + Duration::from_millis(1500));
        assert_eq!(schedule.requests_in(3), 12);
        assert_eq!(Schedule { rate_per_s: 0.5 }.requests_in(3), 2);
        assert_eq!(Schedule { rate_per_s: 0.1 }.requests_in(1), 1);
    }

    /// Four requests at 10/s answered at 50, 160, 270 and 400 ms: three gaps
    /// in 350 ms is 8.571/s; one was sent 5 ms late. The same latency for
    /// every request achieves the offered rate exactly.
    #[test]
    fn fields_count_what_the_schedule_asked_and_got() {
        let schedule = Schedule { rate_per_s: 10.0 };
        let runs = [
            answered(50, 0),
            answered(60, 0),
            answered(70, 5),
            answered(100, 0),
        ];
        let fields = schedule.fields(&runs);
        assert_eq!(fields["offered_rps"], 10.0);
        assert_eq!(fields["achieved_rps"], 8.571);
        let steady = [answered(50, 0), answered(50, 0), answered(50, 0)];
        assert_eq!(schedule.fields(&steady)["achieved_rps"], 10.0);
        assert_eq!(fields["late_starts"], 1);
        assert_eq!(fields["start_lag_p99_ms"], 5.0);
    }

    /// Rates must be positive numbers no higher than the maximum.
    #[test]
    fn rates_parse_strictly() {
        assert_eq!(parse_rate("2.5"), Ok(2.5));
        for bad in ["0", "-1", "abc", "inf", "NaN", "2000000"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }
}
