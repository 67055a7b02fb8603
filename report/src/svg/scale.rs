//! The chart's horizontal axis: seconds to a fraction of the plot's width, and
//! the ticks to label it with.
//!
//! Linear from zero while the slowest median is at most [`LOG_SCALE_ABOVE`] times
//! the fastest; logarithmic beyond, where a linear axis would squash the fast bars
//! to nothing. Either way the axis covers every bar, whisker and ideal tick.

use crate::format::{duration_short, unit_for};
use crate::table::Row;

/// The ratio of slowest to fastest median above which the axis is logarithmic.
pub const LOG_SCALE_ABOVE: f64 = 20.0;

/// The horizontal axis: seconds to a fraction of the plot width.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Scale {
    /// From 0 to `max` seconds, ticks every `step` (about six of them).
    Linear { max: f64, step: f64 },
    /// From 10^`low` to 10^`high` seconds.
    Log { low: i32, high: i32 },
}

impl Scale {
    /// Picks the scale for the rows' bars (medians), whiskers and ideal bounds.
    pub(super) fn fit(rows: &[Row]) -> Scale {
        let medians = rows.iter().map(|row| row.timing.median);
        let fastest = medians.clone().fold(f64::INFINITY, f64::min);
        let slowest = medians.fold(0.0, f64::max);
        let marks = || {
            rows.iter().flat_map(|row| {
                let (low, high) = whiskers(row);
                let ideal = row.ideal.map(|ideal| ideal.seconds);
                [Some(low), Some(high), ideal].into_iter().flatten()
            })
        };
        let highest = marks().fold(slowest, f64::max);
        let lowest = marks().filter(|low| *low > 0.0).fold(fastest, f64::min);
        Scale::spanning(fastest, slowest, lowest, highest)
    }

    /// The scale for values from `fastest` to `slowest` (what decides between linear
    /// and log) that must show every mark from `lowest` to `highest`.
    pub(super) fn spanning(fastest: f64, slowest: f64, lowest: f64, highest: f64) -> Scale {
        let highest = highest.max(slowest);
        if slowest / fastest > LOG_SCALE_ABOVE {
            let lowest = lowest.min(fastest);
            // Powers of ten of seconds: far inside i32.
            let low = lowest.log10().floor() as i32;
            let high = (highest.log10().ceil() as i32).max(low + 1);
            Scale::Log { low, high }
        } else {
            let step = nice_step(highest / 6.0);
            let max = (highest / step).ceil().max(1.0) * step;
            Scale::Linear { max, step }
        }
    }

    pub(super) fn fraction(&self, seconds: f64) -> f64 {
        let fraction = match *self {
            Scale::Linear { max, .. } => seconds / max,
            Scale::Log { low, high } => {
                (seconds.max(f64::MIN_POSITIVE).log10() - f64::from(low)) / f64::from(high - low)
            }
        };
        fraction.clamp(0.0, 1.0)
    }

    /// Tick positions (seconds) with their labels.
    pub(super) fn ticks(&self) -> Vec<(f64, String)> {
        match *self {
            Scale::Linear { max, step } => {
                let unit = unit_for(max);
                let step_in_unit = step / unit.seconds;
                let decimals = (-step_in_unit.log10().floor()).max(0.0) as usize;
                // At most a few dozen ticks: `step` is about a fifth of `max`.
                let count = (max / step).round() as usize;
                (0..=count)
                    .map(|i| {
                        let seconds = i as f64 * step;
                        let label = format!("{:.decimals$}", seconds / unit.seconds);
                        (seconds, label)
                    })
                    .collect()
            }
            Scale::Log { low, high } => {
                let multiples: &[f64] = if high - low <= 2 {
                    &[1.0, 2.0, 5.0]
                } else {
                    &[1.0]
                };
                let mut ticks = Vec::new();
                for exponent in low..=high {
                    for multiple in multiples {
                        let seconds = multiple * 10f64.powi(exponent);
                        if exponent == high && *multiple > 1.0 {
                            break;
                        }
                        ticks.push((seconds, duration_short(seconds)));
                    }
                }
                ticks
            }
        }
    }

    /// `median wall time (ms)`, `request latency (log scale)`.
    pub(super) fn axis_title(&self, quantity: &str) -> String {
        match *self {
            Scale::Linear { max, .. } => format!("{quantity} ({})", unit_for(max).name),
            Scale::Log { .. } => format!("{quantity} (log scale)"),
        }
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|multiple| multiple * magnitude)
        .find(|step| *step >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// Both whisker ends: median ± standard deviation, never below zero.
pub(super) fn whiskers(row: &Row) -> (f64, f64) {
    let median = row.timing.median;
    let stddev = row.timing.stddev.unwrap_or(0.0);
    ((median - stddev).max(0.0), median + stddev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ideal::{Ideal, IdealRule};
    use crate::svg::tests::row;
    use crate::table::SEQ;

    /// Nice steps are 1, 2 or 5 times a power of ten and never below the raw step.
    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(0.17), 0.2);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(0.06), 0.1);
        assert_eq!(nice_step(0.0), 1.0);
    }

    /// Close medians get a linear axis from zero that covers the longest whisker.
    #[test]
    fn close_medians_get_a_linear_axis() {
        let rows = [row(SEQ, 1.0, Some(0.1)), row("threads", 0.52, Some(0.01))];
        let scale = Scale::fit(&rows);
        let Scale::Linear { max, step } = scale else {
            panic!("expected a linear scale, got {scale:?}");
        };
        assert!(
            (max - 1.2).abs() < 1e-9 && (step - 0.2).abs() < 1e-9,
            "{scale:?}"
        );
        let labels: Vec<String> = scale.ticks().into_iter().map(|(_, label)| label).collect();
        assert_eq!(labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "1.2"]);
        assert_eq!(scale.axis_title("median wall time"), "median wall time (s)");
        // Below a second the axis counts milliseconds.
        let rows = [row(SEQ, 0.057, Some(0.002)), row("threads", 0.03, None)];
        let scale = Scale::fit(&rows);
        let labels: Vec<String> = scale.ticks().into_iter().map(|(_, label)| label).collect();
        assert_eq!(labels, ["0", "10", "20", "30", "40", "50", "60"]);
        assert_eq!(
            scale.axis_title("median wall time"),
            "median wall time (ms)"
        );
    }

    /// Medians more than 20x apart get a log axis labelled with units at each decade.
    #[test]
    fn spread_medians_get_a_log_axis() {
        let rows = [row(SEQ, 8.64, Some(0.05)), row("async", 0.157, Some(0.002))];
        let scale = Scale::fit(&rows);
        assert_eq!(scale, Scale::Log { low: -1, high: 1 });
        let labels: Vec<String> = scale.ticks().into_iter().map(|(_, label)| label).collect();
        assert_eq!(
            labels,
            ["100 ms", "200 ms", "500 ms", "1 s", "2 s", "5 s", "10 s"]
        );
        assert_eq!(
            scale.axis_title("median wall time"),
            "median wall time (log scale)"
        );
        // Exactly 20x apart stays linear.
        let rows = [row(SEQ, 2.0, None), row("async", 0.1, None)];
        assert!(matches!(Scale::fit(&rows), Scale::Linear { .. }));
    }

    /// An ideal bound outside the bars widens the axis to show its tick.
    #[test]
    fn ideal_bounds_widen_the_axis() {
        let mut fast = row("async", 0.06, None);
        fast.ideal = Some(Ideal {
            seconds: 0.009,
            rule: IdealRule::Latency,
        });
        let rows = [row(SEQ, 8.2, None), fast];
        assert_eq!(Scale::fit(&rows), Scale::Log { low: -3, high: 1 });
        let mut slow = row(SEQ, 1.0, None);
        slow.ideal = Some(Ideal {
            seconds: 1.5,
            rule: IdealRule::Reported,
        });
        let Scale::Linear { max, .. } = Scale::fit(&[slow]) else {
            panic!("one bar is linear");
        };
        assert!(max >= 1.5, "{max}");
    }
}
