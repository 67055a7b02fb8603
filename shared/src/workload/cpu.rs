//! The two CPU workloads of the seeds, as independent tasks with exact answers.
//!
//! `squares` (seed 000): for each n in `start..start+count`, the sum of i*i for
//! i < n. `range-sum` (seed 002): the sum of `0..end` in `parts` contiguous
//! chunks. Both answers are sums of the task results, in u128 because the
//! `squares` default already overflows u64.
//!
//! Why `black_box`: LLVM turns both loops into closed forms in release builds
//! (the whole `squares` job would take ~400 ns), so the loop counter goes
//! through [`std::hint::black_box`]; the loop then really runs, at ~0.5 ns per
//! iteration. The closed forms are kept, too: they are the reference answers.

use crate::error::UsageError;
use crate::record::Verified;
use anyhow::bail;
use clap::Args;
use std::hint::black_box;

/// The most tasks a job may have: every task is kept in memory, and a million
/// is already far past any useful benchmark.
pub const MAX_TASKS: u64 = 1_000_000;

/// How many loop iterations run between two checkpoints (see
/// [`CpuTask::compute_with`]): ~30-60 us of work, fine-grained enough for a
/// 5 ms GIL switch interval, coarse enough to cost nothing measurable.
pub const CHECKPOINT_EVERY: u64 = 1 << 16;

/// Options of `squares`; defaults reproduce seed 000.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Workload options")]
pub struct SquaresArgs {
    /// First n (each task sums i*i for i < n).
    #[arg(long, value_name = "N", default_value_t = 5_000_000,
          value_parser = crate::cli::whole_number(0..=u64::MAX))]
    pub start: u64,
    /// Number of tasks: n runs over start..start+count.
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = crate::cli::whole_number(1..=MAX_TASKS))]
    pub count: u64,
}

/// Options of `range-sum`; defaults reproduce seed 002.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Workload options")]
pub struct RangeSumArgs {
    /// Sum the numbers 0..end.
    #[arg(long, value_name = "N", default_value_t = 100_000_000,
          value_parser = crate::cli::whole_number(1..=u64::MAX))]
    pub end: u64,
    /// Number of contiguous chunks, one task each (at most --end).
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = crate::cli::whole_number(1..=MAX_TASKS))]
    pub parts: u64,
}

/// One CPU task: a half-open range of i, summed as i*i or as i.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CpuTask {
    /// Sum of i*i for i in 0..n.
    SumOfSquares { n: u64 },
    /// Sum of i for i in start..end.
    RangeSum { start: u64, end: u64 },
}

impl CpuTask {
    /// Runs the task's loop for real.
    pub fn compute(&self) -> u128 {
        self.compute_with(|| {})
    }

    /// Runs the task's loop, calling `checkpoint` every [`CHECKPOINT_EVERY`]
    /// iterations: the hook where an emulated GIL may take the CPU away, as
    /// CPython's eval loop does between bytecodes.
    pub fn compute_with(&self, mut checkpoint: impl FnMut()) -> u128 {
        let (start, end) = self.bounds();
        let mut total = 0u128;
        let mut lo = start;
        while lo < end {
            let hi = end.min(lo.saturating_add(CHECKPOINT_EVERY));
            total += match self {
                CpuTask::SumOfSquares { .. } => squares_loop(lo, hi),
                CpuTask::RangeSum { .. } => range_loop(lo, hi),
            };
            lo = hi;
            checkpoint();
        }
        total
    }

    /// The exact answer from the closed form, `None` if it overflows u128.
    pub fn reference(&self) -> Option<u128> {
        match *self {
            CpuTask::SumOfSquares { n } => sum_of_squares_below(n),
            CpuTask::RangeSum { start, end } => {
                Some(sum_below(u128::from(end)) - sum_below(u128::from(start)))
            }
        }
    }

    /// A line like the seeds print per task, for `-v`.
    /// Formatted only when printed, so runs without `-v` pay nothing for it.
    pub fn describe(&self, result: u128) -> impl std::fmt::Display {
        let task = *self;
        std::fmt::from_fn(move |f| match task {
            CpuTask::SumOfSquares { n } => write!(f, "sum of i*i for i < {n} = {result}"),
            CpuTask::RangeSum { start, end } => write!(f, "sum of {start}..{end} = {result}"),
        })
    }

    fn bounds(&self) -> (u64, u64) {
        match *self {
            CpuTask::SumOfSquares { n } => (0, n),
            CpuTask::RangeSum { start, end } => (start, end),
        }
    }
}

// `inline(never)` on both loops: every model then runs the very same machine
// code for the work, so a timing difference between models is the model's,
// not an inlining decision that differs per call site (seen here: the same loop
// inlined into `seq` ran ~40% slower than in the other binaries).
#[inline(never)]
fn squares_loop(lo: u64, hi: u64) -> u128 {
    let mut total = 0u128;
    for i in lo..hi {
        let i = u128::from(black_box(i));
        total += i * i;
    }
    total
}

#[inline(never)]
fn range_loop(lo: u64, hi: u64) -> u128 {
    let mut total = 0u128;
    for i in lo..hi {
        total += u128::from(black_box(i));
    }
    total
}

/// Sum of i*i for i < n = (n-1) n (2n-1) / 6, `None` on u128 overflow.
pub fn sum_of_squares_below(n: u64) -> Option<u128> {
    if n == 0 {
        return Some(0);
    }
    let n = u128::from(n);
    // (n-1) n is even, so dividing it first keeps the product smaller.
    ((n - 1) * n / 2).checked_mul(2 * n - 1).map(|p| p / 3)
}

/// Sum of i for i < n = n (n-1) / 2; fits u128 for every n up to 2^64.
fn sum_below(n: u128) -> u128 {
    if n == 0 { 0 } else { n * (n - 1) / 2 }
}

/// A CPU job: its tasks and its exact answer.
#[derive(Debug, Clone)]
pub struct CpuJob {
    pub workload: &'static str,
    pub tasks: Vec<CpuTask>,
    pub reference: u128,
}

impl CpuJob {
    /// Checks every task's result against its closed form, then the total.
    pub fn verify(&self, results: &[u128]) -> anyhow::Result<Verified> {
        if results.len() != self.tasks.len() {
            bail!(
                "wrong answer: {} results for {} tasks",
                results.len(),
                self.tasks.len()
            );
        }
        for (task, &got) in self.tasks.iter().zip(results) {
            // Every task's reference exists: `job()` rejected overflowing jobs.
            let want = task.reference().unwrap_or_default();
            if got != want {
                bail!("wrong answer for task ({task:?}): got {got}, expected {want}");
            }
        }
        let total: u128 = results.iter().sum();
        if total != self.reference {
            bail!("wrong answer: total {total}, expected {}", self.reference);
        }
        Ok(Verified::new(total.to_string()))
    }

    fn new(workload: &'static str, tasks: Vec<CpuTask>) -> Option<Self> {
        let reference = tasks.iter().try_fold(0u128, |total, task| {
            task.reference().and_then(|r| total.checked_add(r))
        })?;
        Some(CpuJob {
            workload,
            tasks,
            reference,
        })
    }
}

impl SquaresArgs {
    /// The validated job: every n fits u64 and the answer fits u128.
    pub fn job(&self) -> Result<CpuJob, UsageError> {
        let last = self.start.checked_add(self.count - 1).ok_or_else(|| {
            UsageError::new("--start + --count overflows u64: the last n would not fit")
        })?;
        let tasks = (self.start..=last)
            .map(|n| CpuTask::SumOfSquares { n })
            .collect();
        CpuJob::new("squares", tasks).ok_or_else(|| {
            UsageError::new(format!(
                "--start {} --count {}: the answer would overflow u128",
                self.start, self.count
            ))
        })
    }
}

impl RangeSumArgs {
    /// The validated job: `parts` non-empty contiguous chunks covering 0..end.
    pub fn job(&self) -> Result<CpuJob, UsageError> {
        if self.parts > self.end {
            return Err(UsageError::new(format!(
                "--parts {} is larger than --end {}: every part needs at least one number",
                self.parts, self.end
            )));
        }
        let tasks = chunks(self.end, self.parts)
            .map(|(start, end)| CpuTask::RangeSum { start, end })
            .collect();
        // The sum of 0..end fits u128 for every u64 end.
        CpuJob::new("range-sum", tasks)
            .ok_or_else(|| UsageError::new("--end: the answer would overflow u128"))
    }
}

/// Splits 0..end into `parts` contiguous chunks whose sizes differ by at most
/// one (computed in u128 so `end * i` cannot overflow).
pub fn chunks(end: u64, parts: u64) -> impl Iterator<Item = (u64, u64)> {
    let bound = move |i: u64| (u128::from(end) * u128::from(i) / u128::from(parts.max(1))) as u64;
    (0..parts).map(move |i| (bound(i), bound(i + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed defaults give the documented reference answers.
    #[test]
    fn seed_defaults_give_documented_answers() {
        let squares = SquaresArgs {
            start: 5_000_000,
            count: 20,
        };
        assert_eq!(
            squares.job().expect("valid").reference,
            833_337_833_344_750_010_830
        );
        let range = RangeSumArgs {
            end: 100_000_000,
            parts: 2,
        };
        assert_eq!(range.job().expect("valid").reference, 4_999_999_950_000_000);
    }

    /// The real loops agree with the closed forms on many sizes, including
    /// sizes around the checkpoint granularity.
    #[test]
    fn loops_match_closed_forms() {
        let edge = CHECKPOINT_EVERY;
        for n in (0..200).chain([edge - 1, edge, edge + 1, 3 * edge + 7, 1_000_003]) {
            let brute: u128 = (0..u128::from(n)).map(|i| i * i).sum();
            let task = CpuTask::SumOfSquares { n };
            assert_eq!(task.reference(), Some(brute), "closed form, n={n}");
            assert_eq!(task.compute(), brute, "loop, n={n}");
        }
        for (start, end) in [(0, 0), (0, 1), (5, 6), (7, 1000), (0, 2 * edge + 3)] {
            let brute: u128 = (u128::from(start)..u128::from(end)).sum();
            let task = CpuTask::RangeSum { start, end };
            assert_eq!(task.reference(), Some(brute));
            assert_eq!(task.compute(), brute);
        }
    }

    /// The checkpoint hook runs once per chunk of iterations.
    #[test]
    fn checkpoint_runs_per_chunk() {
        let mut calls = 0;
        CpuTask::RangeSum {
            start: 0,
            end: 3 * CHECKPOINT_EVERY + 1,
        }
        .compute_with(|| calls += 1);
        assert_eq!(calls, 4);
    }

    /// Chunking covers 0..end exactly once, in order, with no empty part.
    #[test]
    fn chunks_cover_range_exactly_once() {
        for end in [1u64, 2, 3, 7, 10, 99, 100, 1000, 12_345] {
            for parts in 1..=end.min(64) {
                let mut next = 0;
                for (start, stop) in chunks(end, parts) {
                    assert_eq!(start, next, "end={end} parts={parts}");
                    assert!(stop > start, "empty chunk: end={end} parts={parts}");
                    next = stop;
                }
                assert_eq!(next, end);
                assert_eq!(chunks(end, parts).count() as u64, parts);
            }
        }
        // Near the top of u64 the bounds must not overflow.
        let last = chunks(u64::MAX, 3).last().expect("3 parts");
        assert_eq!(last.1, u64::MAX);
    }

    /// Jobs whose answer cannot fit u128 or whose parts cannot be filled are
    /// usage errors, not panics.
    #[test]
    fn impossible_jobs_are_usage_errors() {
        let huge = SquaresArgs {
            start: u64::MAX - 5,
            count: 3,
        };
        assert!(huge.job().unwrap_err().0.contains("overflow u128"));
        let past_end = SquaresArgs {
            start: u64::MAX,
            count: 2,
        };
        assert!(past_end.job().unwrap_err().0.contains("overflows u64"));
        let too_many = RangeSumArgs { end: 3, parts: 4 };
        assert!(too_many.job().unwrap_err().0.contains("--parts 4"));
        let max_end = RangeSumArgs {
            end: u64::MAX,
            parts: 1,
        };
        assert!(max_end.job().is_ok());
    }

    /// A wrong result for any single task fails verification.
    #[test]
    fn verify_rejects_wrong_answers() {
        let job = SquaresArgs {
            start: 10,
            count: 3,
        }
        .job()
        .expect("valid");
        let mut results: Vec<u128> = job.tasks.iter().map(CpuTask::compute).collect();
        assert_eq!(
            job.verify(&results).expect("right").checksum,
            (285u128 + 385 + 506).to_string()
        );
        results[1] += 1;
        assert!(job.verify(&results).is_err());
        assert!(job.verify(&results[..2]).is_err());
    }
}
