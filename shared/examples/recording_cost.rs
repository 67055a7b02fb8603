//! What measuring a request's latency costs the run that measures it: the
//! per-request part (two clock reads, the lag since the request was due, a
//! store) and the ranking after the run (`LatencyMs::of` of the latencies
//! and of the lags, an exact selection of five ranks each), per request, for
//! a rated run of 60 000 requests (3 s at 20 000/s).
//!
//! Exact ranks and not an HdrHistogram: every latency is kept anyway (each
//! request's result carries it), selecting five ranks costs a few
//! nanoseconds a request, and most of the cost is the two clock reads any
//! recording needs ([docs/io.md](../../docs/io.md#requests-at-a-steady-rate)).
//!
//! `cargo run --release -p concur-shared --example recording_cost`

use concur_shared::workload::latency::LatencyMs;
use std::hint::black_box;
use std::time::{Duration, Instant};

const REQUESTS: usize = 60_000;
const ROUNDS: usize = 21;

fn main() {
    let mut record_ns = Vec::with_capacity(ROUNDS);
    let mut rank_ns = Vec::with_capacity(ROUNDS);
    let mut clock_ns = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        // The floor under any recording: the two clock reads alone.
        let start = Instant::now();
        for _ in 0..REQUESTS {
            black_box(Instant::now());
            black_box(Instant::now());
        }
        clock_ns.push(start.elapsed().as_nanos() as f64 / REQUESTS as f64);
        // Per request: as a model does it, due → sent → answered, keeping
        // the latency from due and the lag (sent − due).
        let mut recorded = Vec::with_capacity(REQUESTS);
        let start = Instant::now();
        for _ in 0..REQUESTS {
            let due = black_box(start);
            let sent = Instant::now();
            let latency = black_box(sent).elapsed();
            let lag = sent.saturating_duration_since(due);
            recorded.push((latency + lag, lag));
        }
        record_ns.push(start.elapsed().as_nanos() as f64 / REQUESTS as f64);
        // Untimed: latencies as a real run's are spread, in their arrival order.
        for (index, (latency, _)) in recorded.iter_mut().enumerate() {
            *latency += spread(round, index);
        }
        // After the run: the exact percentiles of the latencies and of the lags.
        let ranked = Instant::now();
        black_box(LatencyMs::of(recorded.iter().map(|(latency, _)| *latency)));
        black_box(LatencyMs::of(recorded.iter().map(|(_, lag)| *lag)));
        rank_ns.push(ranked.elapsed().as_nanos() as f64 / REQUESTS as f64);
    }
    let median = |mut ns: Vec<f64>| {
        ns.sort_by(f64::total_cmp);
        ns[ns.len() / 2]
    };
    let (record, rank, clock) = (median(record_ns), median(rank_ns), median(clock_ns));
    println!(
        "{REQUESTS} requests, median of {ROUNDS} rounds: recording {record:.1} ns \
         (of which two clock reads {clock:.1} ns), ranking {rank:.1} ns, \
         together {:.1} ns per request",
        record + rank
    );
}

/// A latency of 50-60 ms, in a different order every round, as answers arrive.
fn spread(round: usize, index: usize) -> Duration {
    let mixed = (index as u64 ^ round as u64).wrapping_mul(6_364_136_223_846_793_005) >> 44;
    Duration::from_millis(50) + Duration::from_nanos(mixed % 10_000_000)
}
