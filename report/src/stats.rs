//! The statistics every table is built on: a variant's timing (median and
//! spread of its runs, and whether its rounds agree), and whether two runs of the
//! same variant differ by more than their noise.
//!
//! Every derived number (order, speedup, ideal, ratio) uses the median, not the
//! mean: on a shared machine a single slow run drags the mean and barely moves
//! the median. The mean and σ are still shown, as a measure of the noise.
//!
//! *Rounds that disagree* ([`crate::rounds`]): when a variant's slowest round
//! median is more than [`UNSTEADY_ABOVE`] times its fastest, the machine changed
//! under it and its median mixes two regimes: its row is flagged, with advice to
//! rerun. Steady variants of a full run on the 2-core VM stay within 1.07×
//! (docs/methodology.md#rounds-that-disagree has the table).
//!
//! *Two runs compared* (`--baseline`): a two-sided Mann-Whitney U (Wilcoxon
//! rank-sum) test on the per-run times. A rank test rather than a t-test: wall
//! times on a shared machine are skewed, with a long tail of slow runs, and a
//! t-test's mean would follow that tail. The p-value comes from the normal
//! approximation with tie and continuity corrections, within a few thousandths of
//! the exact distribution from four runs a side; below that not even two sets of
//! runs that do not overlap could reach α, so the answer is "too few runs".
//! Without per-run times the [min, max] ranges are compared instead.

use serde::Serialize;

use crate::files::HyperfineResult;

pub const UNSTEADY_ABOVE: f64 = 1.15;

/// A variant's (or a sweep point's) wall time, in seconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timing {
    pub median_s: f64,
    pub mean_s: f64,
    pub stddev_s: Option<f64>,
    pub min_s: f64,
    pub max_s: f64,
    pub user_s: f64,
    pub system_s: f64,
    pub times: Vec<f64>,
    /// Timed runs that did not exit with status 0 (possible with `hyperfine -i`).
    pub failed_runs: usize,
    /// The median of each round of two runs or more, in round order.
    pub round_medians: Vec<f64>,
}

impl Timing {
    /// The timing of one hyperfine result whose runs were split into `rounds`
    /// as compare.sh splits them (round k of R gets runs/R, plus one while
    /// k <= runs mod R).
    pub fn of(result: &HyperfineResult, rounds: Option<u64>) -> Timing {
        let runs = result.times.len();
        let rounds = rounds.map_or(1, |rounds| rounds as usize).clamp(1, runs.max(1));
        let mut round_medians = Vec::new();
        let mut start = 0;
        for round in 0..rounds {
            let size = runs / rounds + usize::from(round < runs % rounds);
            // One run is not a median: a quick run (a run per round) is never flagged.
            if size > 1 {
                round_medians.extend(median(&result.times[start..start + size]));
            }
            start += size;
        }
        Timing {
            median_s: result.median,
            mean_s: result.mean,
            stddev_s: result.stddev,
            min_s: result.min,
            max_s: result.max,
            user_s: result.user,
            system_s: result.system,
            times: result.times.clone(),
            failed_runs: result.exit_codes.iter().filter(|code| **code != Some(0)).count(),
            round_medians,
        }
    }

    /// Timed runs (1 when the export lists no per-run times).
    pub fn runs(&self) -> usize {
        self.times.len().max(1)
    }

    /// Slowest round median ÷ fastest, when that is over [`UNSTEADY_ABOVE`].
    pub fn unsteady(&self) -> Option<f64> {
        let fastest = self.round_medians.iter().copied().reduce(f64::min)?;
        let slowest = self.round_medians.iter().copied().reduce(f64::max)?;
        Some(slowest / fastest).filter(|ratio| *ratio > UNSTEADY_ABOVE)
    }
}

/// The median of some times (the mean of the middle two for an even count).
pub fn median(times: &[f64]) -> Option<f64> {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[middle]),
        _ => Some((sorted[middle - 1] + sorted[middle]) / 2.0),
    }
}

/// The significance level: a difference stands out when p < α.
pub const ALPHA: f64 = 0.05;

/// What the comparison of two sets of runs found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Difference {
    /// So few runs that even fully separated times could not reach p < [`ALPHA`].
    TooFewRuns,
    /// The Mann-Whitney U test ran; its two-sided p-value.
    Tested { p_value: f64 },
    /// No per-run times: whether the [min, max] ranges of the two overlap.
    Ranges { overlap: bool },
}

impl Difference {
    /// `Some(true)` when the difference stands out of the noise, `Some(false)` when
    /// it does not, `None` when there were too few runs to tell.
    pub fn stands_out(self) -> Option<bool> {
        match self {
            Difference::TooFewRuns => None,
            Difference::Tested { p_value } => Some(p_value < ALPHA),
            Difference::Ranges { overlap } => Some(!overlap),
        }
    }
}

/// Compares two sets of runs: the rank test on their times when both have them,
/// else their [min, max] ranges (`(min, max)` of each).
pub fn compare(a: &[f64], b: &[f64], a_range: (f64, f64), b_range: (f64, f64)) -> Difference {
    if a.is_empty() || b.is_empty() {
        return Difference::Ranges { overlap: a_range.0 <= b_range.1 && b_range.0 <= a_range.1 };
    }
    match mann_whitney_p(a, b) {
        Some(p_value) => Difference::Tested { p_value },
        None => Difference::TooFewRuns,
    }
}

/// The two-sided p-value of the Mann-Whitney U test of `a` against `b`, or `None`
/// when the samples are too small for any arrangement to give p < [`ALPHA`].
pub fn mann_whitney_p(a: &[f64], b: &[f64]) -> Option<f64> {
    let (n1, n2) = (a.len(), b.len());
    // The most extreme arrangement (all of one below all of the other) has the
    // exact two-sided probability 2 / C(n1 + n2, n1).
    if n1 == 0 || n2 == 0 || 2.0 / binomial(n1 + n2, n1) >= ALPHA {
        return None;
    }
    let (rank_sum_a, tie_term) = rank_sum(a, b);
    let (n1, n2) = (n1 as f64, n2 as f64);
    let n = n1 + n2;
    let u = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let mean = n1 * n2 / 2.0;
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    if variance <= 0.0 {
        // Every time equal: nothing tells the two apart.
        return Some(1.0);
    }
    let z = ((u - mean).abs() - 0.5).max(0.0) / variance.sqrt();
    Some(erfc(z / std::f64::consts::SQRT_2).min(1.0))
}

/// The sum of `a`'s ranks among all the times (ties get their average rank), and
/// Σ (t³ − t) over the groups of t tied times, for the variance's tie correction.
fn rank_sum(a: &[f64], b: &[f64]) -> (f64, f64) {
    let mut all: Vec<(f64, bool)> =
        a.iter().map(|&time| (time, true)).chain(b.iter().map(|&time| (time, false))).collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let (mut rank_sum_a, mut tie_term) = (0.0, 0.0);
    let mut start = 0;
    while start < all.len() {
        let end = start + all[start..].iter().take_while(|x| x.0 == all[start].0).count();
        // Ranks start + 1 ..= end, averaged.
        let average_rank = (start + 1 + end) as f64 / 2.0;
        let from_a = all[start..end].iter().filter(|x| x.1).count();
        rank_sum_a += average_rank * from_a as f64;
        let tied = (end - start) as f64;
        tie_term += tied.powi(3) - tied;
        start = end;
    }
    (rank_sum_a, tie_term)
}

/// C(n, k) as a float (exact far beyond the run counts seen here).
fn binomial(n: usize, k: usize) -> f64 {
    let k = k.min(n - k);
    (0..k).fold(1.0, |product, i| product * (n - i) as f64 / (i + 1) as f64)
}

/// The complementary error function, with a fractional error below 1.2e-7
/// (Numerical Recipes' `erfcc`, a Chebyshev fit).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = [
        -1.265_512_23,
        1.000_023_68,
        0.374_091_96,
        0.096_784_18,
        -0.186_288_06,
        0.278_868_07,
        -1.135_203_98,
        1.488_515_87,
        -0.822_152_23,
        0.170_872_77,
    ]
    .iter()
    .rev()
    .fold(0.0, |acc, coefficient| coefficient + t * acc);
    let result = t * (-z * z + poly).exp();
    if x >= 0.0 { result } else { 2.0 - result }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rounds are split as compare.sh splits them, and a round twice as slow
    /// as another flags the variant.
    #[test]
    fn rounds_that_disagree_are_flagged() {
        let result = |times: &[f64]| HyperfineResult {
            command: "x".into(),
            mean: 1.0,
            stddev: None,
            median: 1.0,
            user: 0.0,
            system: 0.0,
            min: 1.0,
            max: 1.0,
            times: times.to_vec(),
            exit_codes: vec![Some(0), None],
        };
        let steady = Timing::of(&result(&[1.0, 1.02, 1.01, 0.99, 1.0]), Some(2));
        assert_eq!(steady.round_medians, [1.01, 0.995]);
        assert_eq!((steady.unsteady(), steady.failed_runs), (None, 1));
        let bimodal = Timing::of(&result(&[0.23, 0.23, 0.46, 0.46, 0.46]), Some(2));
        assert_eq!(bimodal.unsteady().map(|r| (r * 100.0).round()), Some(200.0));
        assert_eq!(Timing::of(&result(&[0.2, 0.5]), None).unsteady(), None);
        assert_eq!(median(&[3.0, 1.0, 2.0, 4.0]), Some(2.5));
    }

    fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
        (actual - expected).abs() <= tolerance
    }

    /// The error function matches known values.
    #[test]
    fn erfc_matches_known_values() {
        assert!(close(erfc(0.0), 1.0, 1e-7));
        assert!(close(erfc(1.0), 0.157_299_207, 1e-7));
        assert!(close(erfc(2.0), 0.004_677_735, 1e-8));
        assert!(close(erfc(-1.0), 1.842_700_793, 1e-7));
    }

    /// Fully separated runs: the approximation lands within a few thousandths of
    /// the exact p-value, 2 / C(n1 + n2, n1).
    #[test]
    fn separated_runs_match_the_exact_p_value() {
        let low = [1.0, 1.1, 1.2, 1.3];
        let high = [2.0, 2.1, 2.2, 2.3];
        let p = mann_whitney_p(&high, &low).expect("4 a side is enough");
        assert!(close(p, 2.0 / 70.0, 0.002), "{p}");
        let ten_low: Vec<f64> = (0..10).map(|i| 1.0 + f64::from(i) / 100.0).collect();
        let ten_high: Vec<f64> = ten_low.iter().map(|t| t + 1.0).collect();
        let p = mann_whitney_p(&ten_low, &ten_high).expect("enough runs");
        assert!(p < 0.001, "{p}");
    }

    /// Interleaved runs do not stand out; identical runs give p = 1.
    #[test]
    fn interleaved_and_identical_runs_do_not_differ() {
        let a = [1.0, 1.2, 1.4, 1.6, 1.8];
        let b = [1.1, 1.3, 1.5, 1.7, 1.9];
        let p = mann_whitney_p(&a, &b).expect("enough runs");
        assert!(p > 0.5, "{p}");
        assert_eq!(mann_whitney_p(&a, &a).map(|p| p > 0.9), Some(true));
        assert_eq!(mann_whitney_p(&[2.0; 5], &[2.0; 5]), Some(1.0));
    }

    /// The p-values agree with an independent computation of the same statistic
    /// (Python's `math.erfc`), with and without ties.
    #[test]
    fn p_values_match_an_independent_computation() {
        let a = [0.38, 0.39, 0.40, 0.41, 0.42, 0.37, 0.36, 0.43, 0.44, 0.45];
        let b = [0.40, 0.41, 0.42, 0.43, 0.44, 0.45, 0.46, 0.47, 0.48, 0.49];
        let p = mann_whitney_p(&a, &b).expect("enough runs");
        assert!(close(p, 0.017_006_577_8, 1e-6), "{p}");
        let tied = mann_whitney_p(&[1.0, 1.0, 2.0, 2.0, 3.0, 3.0], &[2.0, 2.0, 3.0, 3.0, 4.0, 4.0]);
        assert!(close(tied.expect("enough runs"), 0.113_345_509_2, 1e-6));
    }

    /// Three runs a side can never reach α, so no p-value is claimed.
    #[test]
    fn three_runs_are_too_few() {
        assert_eq!(mann_whitney_p(&[1.0, 1.1, 1.2], &[5.0, 5.1, 5.2]), None);
        assert_eq!(mann_whitney_p(&[], &[1.0]), None);
        assert_eq!(compare(&[1.0; 3], &[2.0; 3], (1.0, 1.0), (2.0, 2.0)), Difference::TooFewRuns);
        // 3 against 5 can: 2 / C(8, 3) = 0.036.
        assert!(mann_whitney_p(&[1.0, 1.1, 1.2], &[5.0, 5.1, 5.2, 5.3, 5.4]).is_some());
    }

    /// Ties get their average rank and shrink the variance.
    #[test]
    fn ties_share_their_rank() {
        let (sum, ties) = rank_sum(&[1.0, 2.0], &[2.0, 3.0]);
        // Ranks: 1.0 -> 1, the two 2.0s -> 2.5 each, 3.0 -> 4.
        assert_eq!(sum, 3.5);
        assert_eq!(ties, 6.0);
    }

    /// Without per-run times, apart ranges differ and overlapping ones do not.
    #[test]
    fn ranges_are_the_fallback() {
        let apart = compare(&[], &[], (1.0, 1.2), (1.5, 1.7));
        assert_eq!(apart, Difference::Ranges { overlap: false });
        assert_eq!(apart.stands_out(), Some(true));
        let overlapping = compare(&[], &[1.0], (1.0, 1.6), (1.5, 1.7));
        assert_eq!(overlapping.stands_out(), Some(false));
    }
}
