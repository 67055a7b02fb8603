//! `<workload>.svg`: a horizontal bar chart of median wall time per variant.
//!
//! Written by hand as plain SVG text rather than with a plotting crate: one chart
//! shape, a few dozen elements, and no dependency or font machinery to build.
//! Bars are medians, sorted fastest first like the tables; whiskers show ± 1
//! standard deviation around the bar's end (the spread of the runs, drawn where
//! the eye reads the bar rather than around a mean that is not plotted); the
//! `seq` baseline has its own colour, and the axis switches to a log scale when
//! the slowest median is more than [`LOG_SCALE_ABOVE`] times the fastest (a
//! linear axis would squash the fast bars to nothing).
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use crate::format::{duration, duration_pm, factor, trimmed, unit_for};
use crate::table::{Row, SEQ, WorkloadReport};

/// The ratio of slowest to fastest median above which the axis is logarithmic.
pub const LOG_SCALE_ABOVE: f64 = 20.0;

const WIDTH: f64 = 800.0;
const TOP: f64 = 60.0;
const ROW_HEIGHT: f64 = 30.0;
const BAR_HEIGHT: f64 = 18.0;
/// Approximate width of one character at 12-13 px, for sizing the label margins.
const CHAR_WIDTH: f64 = 7.0;
const SEQ_FILL: &str = "#e4572e";
const VARIANT_FILL: &str = "#4c78a8";
const INK: &str = "#222222";
const MUTED: &str = "#666666";
const GRID: &str = "#dddddd";

/// The chart's file name for a workload.
pub fn file_name(workload: &str) -> String {
    format!("{workload}.svg")
}

/// The horizontal axis: seconds to a fraction of the plot width.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scale {
    /// From 0 to `max` seconds, ticks every `step` (about six of them).
    Linear { max: f64, step: f64 },
    /// From 10^`low` to 10^`high` seconds.
    Log { low: i32, high: i32 },
}

impl Scale {
    /// Picks the scale for bars of the given medians and whisker ends (all in seconds).
    fn fit(rows: &[Row]) -> Scale {
        let medians = rows.iter().map(|row| row.timing.median);
        let fastest = medians.clone().fold(f64::INFINITY, f64::min);
        let slowest = medians.fold(0.0, f64::max);
        let highest = rows
            .iter()
            .map(|row| whiskers(row).1)
            .fold(slowest, f64::max);
        if slowest / fastest > LOG_SCALE_ABOVE {
            let lowest = rows
                .iter()
                .map(|row| whiskers(row).0)
                .filter(|low| *low > 0.0)
                .fold(fastest, f64::min);
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

    fn fraction(&self, seconds: f64) -> f64 {
        let fraction = match *self {
            Scale::Linear { max, .. } => seconds / max,
            Scale::Log { low, high } => {
                (seconds.max(f64::MIN_POSITIVE).log10() - f64::from(low)) / f64::from(high - low)
            }
        };
        fraction.clamp(0.0, 1.0)
    }

    /// Tick positions (seconds) with their labels.
    fn ticks(&self) -> Vec<(f64, String)> {
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
                        ticks.push((seconds, compact(seconds)));
                    }
                }
                ticks
            }
        }
    }

    fn axis_title(&self) -> String {
        match *self {
            Scale::Linear { max, .. } => format!("median wall time ({})", unit_for(max).name),
            Scale::Log { .. } => "median wall time (log scale)".to_string(),
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

/// A log-axis tick label: `0.02` -> `"20 ms"`.
fn compact(seconds: f64) -> String {
    let unit = unit_for(seconds);
    format!("{} {}", trimmed(seconds / unit.seconds, 2), unit.name)
}

/// Both whisker ends: median ± standard deviation, never below zero.
fn whiskers(row: &Row) -> (f64, f64) {
    let median = row.timing.median;
    let stddev = row.timing.stddev.unwrap_or(0.0);
    ((median - stddev).max(0.0), median + stddev)
}

/// Escapes text for SVG content and attribute values.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The chart of one workload.
pub fn bar_chart(workload: &WorkloadReport) -> String {
    let rows = &workload.rows;
    let values: Vec<String> = rows.iter().map(value_label).collect();
    let frame = Frame::fit(rows, &values);
    let has_whiskers = rows.iter().any(|row| row.timing.stddev.is_some());
    let mut svg = heading(&escape(&workload.workload), rows, &frame, has_whiskers);
    // Grid and tick labels first, so bars are drawn over the grid lines.
    svg.push_str(&axis(&frame));
    for (index, (row, value)) in rows.iter().zip(&values).enumerate() {
        svg.push_str(&bar(&frame, index, row, value));
    }
    svg.push_str(&legend(frame.left, frame.bottom + 62.0, has_whiskers));
    svg.push_str("</svg>\n");
    svg
}

/// Where the parts of a chart go: margins sized for the labels, the plot between.
#[derive(Debug, Clone, Copy)]
struct Frame {
    scale: Scale,
    /// x of the axis origin; the variant names end left of it.
    left: f64,
    plot_width: f64,
    /// y of the axis line, under the last bar.
    bottom: f64,
    height: f64,
}

impl Frame {
    /// Fits the frame to the rows and the value labels drawn after their bars.
    fn fit(rows: &[Row], values: &[String]) -> Frame {
        let longest_label = rows
            .iter()
            .map(|row| row.variant.chars().count())
            .max()
            .unwrap_or(0);
        let left = (longest_label as f64 * CHAR_WIDTH + 24.0).clamp(90.0, 280.0);
        let longest_value = values
            .iter()
            .map(|value| value.chars().count())
            .max()
            .unwrap_or(0);
        // The slowest bar reaches the right end of the plot: its label needs this room.
        let right = (longest_value as f64 * CHAR_WIDTH + 16.0).clamp(100.0, 260.0);
        let bottom = TOP + ROW_HEIGHT * rows.len() as f64;
        Frame {
            scale: Scale::fit(rows),
            left,
            plot_width: WIDTH - left - right,
            bottom,
            height: bottom + 80.0,
        }
    }

    /// The x coordinate of a time on the axis.
    fn x(&self, seconds: f64) -> f64 {
        self.left + self.plot_width * self.scale.fraction(seconds)
    }
}

/// The opening tag, the tooltip title, the background and the two title lines.
fn heading(name: &str, rows: &[Row], frame: &Frame, has_whiskers: bool) -> String {
    let Frame { left, height, .. } = *frame;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" font-size="13" fill="{INK}">"#
    );
    let whisker_note = if has_whiskers {
        ", whiskers ± 1 standard deviation"
    } else {
        ""
    };
    let _ = writeln!(
        svg,
        "<title>{name}: bars are the median wall time per variant{whisker_note}</title>"
    );
    let _ = writeln!(
        svg,
        r#"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="white"/>"#
    );
    let _ = writeln!(
        svg,
        r#"<text x="{left}" y="24" font-size="16" font-weight="bold">{name}: median wall time per variant</text>"#
    );
    let _ = writeln!(
        svg,
        r#"<text x="{left}" y="44" font-size="12" fill="{MUTED}">{}</text>"#,
        escape(&subtitle(rows, frame.scale))
    );
    svg
}

/// The grid lines, the ticks with their labels, the axis line and its title.
fn axis(frame: &Frame) -> String {
    let Frame {
        left,
        plot_width,
        bottom,
        ..
    } = *frame;
    let mut svg = String::new();
    for (seconds, label) in frame.scale.ticks() {
        let tick_x = frame.x(seconds);
        let _ = writeln!(
            svg,
            r#"<line x1="{tick_x:.1}" y1="{TOP}" x2="{tick_x:.1}" y2="{bottom}" stroke="{GRID}"/>"#
        );
        let _ = writeln!(
            svg,
            r#"<line x1="{tick_x:.1}" y1="{bottom}" x2="{tick_x:.1}" y2="{:.1}" stroke="{INK}"/>"#,
            bottom + 5.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{tick_x:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text>"#,
            bottom + 19.0,
            escape(&label)
        );
    }
    let _ = writeln!(
        svg,
        r#"<line x1="{left}" y1="{bottom}" x2="{:.1}" y2="{bottom}" stroke="{INK}"/>"#,
        left + plot_width
    );
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text>"#,
        left + plot_width / 2.0,
        bottom + 38.0,
        escape(&frame.scale.axis_title())
    );
    svg
}

/// The `index`-th bar: the variant's name, the bar, its whiskers and its value label.
fn bar(frame: &Frame, index: usize, row: &Row, value: &str) -> String {
    let left = frame.left;
    let centre = TOP + ROW_HEIGHT * (index as f64 + 0.5);
    let bar_end = frame.x(row.timing.median);
    let (fill, weight) = if row.is_seq() {
        (SEQ_FILL, "bold")
    } else {
        (VARIANT_FILL, "normal")
    };
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end" font-weight="{weight}">{}</text>"#,
        left - 8.0,
        centre + 4.5,
        escape(&row.variant)
    );
    let _ = writeln!(
        svg,
        r#"<rect x="{left}" y="{:.1}" width="{:.1}" height="{BAR_HEIGHT}" fill="{fill}"><title>{}: median {}, mean {}</title></rect>"#,
        centre - BAR_HEIGHT / 2.0,
        (bar_end - left).max(0.5),
        escape(&row.variant),
        duration(row.timing.median),
        duration_pm(row.timing.mean, row.timing.stddev)
    );
    let mut label_x = bar_end;
    if row.timing.stddev.is_some() {
        let (low, high) = whiskers(row);
        let (low_x, high_x) = (frame.x(low), frame.x(high));
        let _ = writeln!(
            svg,
            r#"<path d="M{low_x:.1} {centre:.1}H{high_x:.1}M{low_x:.1} {:.1}V{:.1}M{high_x:.1} {:.1}V{:.1}" stroke="{INK}" stroke-width="1.5" fill="none"/>"#,
            centre - 5.0,
            centre + 5.0,
            centre - 5.0,
            centre + 5.0
        );
        label_x = label_x.max(high_x);
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-size="12">{}</text>"#,
        label_x + 6.0,
        centre + 4.5,
        escape(value)
    );
    svg
}

/// The text after a bar: its median, its speedup, and a warning for a wrong answer.
fn value_label(row: &Row) -> String {
    let mut value = duration(row.timing.median);
    if let Some(speedup) = row.speedup_vs_seq.filter(|_| !row.is_seq()) {
        let _ = write!(value, " · {}", factor(speedup));
    }
    if row.checksum_agrees == Some(false) {
        value.push_str(" · ✗ wrong answer");
    }
    value
}

/// What the bars and labels mean, and the scale when it is not linear.
fn subtitle(rows: &[Row], scale: Scale) -> String {
    let runs: Vec<usize> = rows.iter().map(Row::runs).collect();
    let mut text = match runs.first() {
        Some(1) if runs.iter().all(|runs| *runs == 1) => "one run each".to_string(),
        Some(first) if runs.iter().all(|runs| runs == first) => {
            format!("median of {first} runs")
        }
        _ => "median of each variant's runs".to_string(),
    };
    let _ = write!(text, ", fastest first · labels: median · speedup vs {SEQ}");
    if let Scale::Log { .. } = scale {
        text.push_str(" · log scale");
    }
    text
}

/// The key under the plot: the two fills, and the whisker when bars have one.
fn legend(left: f64, y: f64, has_whiskers: bool) -> String {
    let mut out = String::new();
    let mut x = left;
    for (fill, label) in [
        (SEQ_FILL, format!("{SEQ} (baseline)")),
        (VARIANT_FILL, "concurrent variant".to_string()),
    ] {
        let _ = writeln!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{fill}"/><text x="{:.1}" y="{y:.1}" font-size="12">{label}</text>"#,
            y - 10.0,
            x + 17.0
        );
        x += 17.0 + label.chars().count() as f64 * CHAR_WIDTH + 20.0;
    }
    if !has_whiskers {
        return out;
    }
    let _ = writeln!(
        out,
        r#"<path d="M{x:.1} {:.1}H{:.1}M{x:.1} {:.1}V{:.1}M{:.1} {:.1}V{:.1}" stroke="{INK}" stroke-width="1.5" fill="none"/><text x="{:.1}" y="{y:.1}" font-size="12">± 1 standard deviation</text>"#,
        y - 4.0,
        x + 20.0,
        y - 9.0,
        y + 1.0,
        x + 20.0,
        y - 9.0,
        y + 1.0,
        x + 26.0
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::HyperfineResult;

    /// A row whose runs all took `median` seconds (so its mean is the same).
    fn row(variant: &str, median: f64, stddev: Option<f64>) -> Row {
        Row {
            variant: variant.to_string(),
            timing: HyperfineResult::for_test(variant, median, median, stddev),
            record: None,
            command: None,
            speedup_vs_seq: None,
            ideal: None,
            ratio_to_ideal: None,
            checksum_agrees: None,
        }
    }

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
        assert_eq!(scale.axis_title(), "median wall time (s)");
        // Below a second the axis counts milliseconds.
        let rows = [row(SEQ, 0.057, Some(0.002)), row("threads", 0.03, None)];
        let scale = Scale::fit(&rows);
        let labels: Vec<String> = scale.ticks().into_iter().map(|(_, label)| label).collect();
        assert_eq!(labels, ["0", "10", "20", "30", "40", "50", "60"]);
        assert_eq!(scale.axis_title(), "median wall time (ms)");
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
        assert_eq!(scale.axis_title(), "median wall time (log scale)");
        // Exactly 20x apart stays linear.
        let rows = [row(SEQ, 2.0, None), row("async", 0.1, None)];
        assert!(matches!(Scale::fit(&rows), Scale::Linear { .. }));
    }

    /// Text from the data is escaped so a variant name cannot break the XML.
    #[test]
    fn names_are_escaped() {
        let workload = WorkloadReport {
            workload: "a<b".to_string(),
            parameters: None,
            rows: vec![row("x & \"y\"", 1.0, None)],
        };
        let svg = bar_chart(&workload);
        assert!(svg.contains("a&lt;b: median wall time"));
        assert!(svg.contains("x &amp; &quot;y&quot;"));
        assert!(!svg.contains("a<b"));
    }

    /// Bars, labels, whiskers and the choice of axis follow the median; an outlier
    /// that drags the mean does not move them.
    #[test]
    fn bars_follow_the_median_not_the_mean() {
        let mut outlier = row("async", 0.04, None);
        outlier.timing.mean = 0.06;
        // Medians 25x apart (log axis); the means are only 16.7x apart.
        let rows = vec![row(SEQ, 1.0, None), outlier];
        assert_eq!(Scale::fit(&rows), Scale::Log { low: -2, high: 0 });
        let svg = bar_chart(&WorkloadReport {
            workload: "w".to_string(),
            parameters: None,
            rows,
        });
        assert!(svg.contains(">40.0 ms</text>"), "{svg}");
        assert!(svg.contains("<title>async: median 40.0 ms, mean 60.0 ms</title>"));
        assert!(!svg.contains(">60.0 ms</text>"));

        let mut spread = row("threads", 0.5, Some(0.1));
        spread.timing.mean = 0.6;
        assert_eq!(whiskers(&spread), (0.4, 0.6), "centred on the median");
    }
}
