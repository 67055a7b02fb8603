//! `<workload>.svg`: a horizontal bar chart of median wall time per variant.
//!
//! Written by hand as plain SVG text rather than with a plotting crate: one chart
//! shape, a few dozen elements, and no dependency or font machinery to build.
//! Bars are medians, sorted fastest first like the tables, and coloured by
//! concurrency model (every `python-*` model shares one colour), with a legend of
//! the models present. Whiskers show ± 1 standard deviation around the bar's end
//! (the spread of the runs, drawn where the eye reads the bar rather than around a
//! mean that is not plotted); a dashed tick across a bar marks the variant's ideal
//! bound, so the gap between tick and bar end is what the model lost. The axis
//! (`scale`) switches to a log scale when the medians are far apart.
//!
//! Two workloads are drawn their own way ([`chart`] picks): the seeds as pairs of
//! bars, CPython above concur, and the blocking workload as latency percentiles.
//!
//! # Layout
//! - this module: [`chart`] and the bar chart of every other workload
//! - `seeds`, `blocking`: the two charts of their own
//! - `parts`: the palette ([`fill`]), escaping, the opening and the axis every chart
//!   shares; `legend`: the key, and the percentile marks it explains
//! - `scale`: the axis, linear or log
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

mod blocking;
mod legend;
mod parts;
mod scale;
mod seeds;

use std::fmt::Write as _;

use crate::blocking::BLOCKING;
use crate::format::{duration, duration_pm, factor};
use crate::seeds::SEEDS;
use crate::table::{Report, Row, SEQ, WorkloadReport};

use self::legend::{Entry, LEGEND_LINE, legend, models};
pub use self::parts::fill;
use self::parts::{CHAR_WIDTH, INK, Plot, TOP, WIDTH, escape, ideal_tick, opening};
pub use self::scale::LOG_SCALE_ABOVE;
use self::scale::{Scale, whiskers};

const ROW_HEIGHT: f64 = 30.0;
const BAR_HEIGHT: f64 = 18.0;

/// The chart of one workload: the pairs of the seeds, the latencies of the
/// blocking task, and a bar chart of median wall time for every other workload.
pub fn chart(workload: &WorkloadReport, report: &Report) -> String {
    match workload.workload.as_str() {
        SEEDS => seeds::chart(workload, &report.experiments),
        BLOCKING => blocking::chart(workload),
        _ => bar_chart(workload),
    }
}

/// The chart's file name for a workload.
pub fn file_name(workload: &str) -> String {
    format!("{workload}.svg")
}

/// The bar chart of one workload.
pub fn bar_chart(workload: &WorkloadReport) -> String {
    let rows = &workload.rows;
    let values: Vec<String> = rows.iter().map(value_label).collect();
    let mut frame = Frame::fit(rows, &values);
    let has_whiskers = rows.iter().any(|row| row.timing.stddev.is_some());
    let (key, key_lines) = legend(
        &entries(rows, has_whiskers),
        frame.plot.left,
        frame.plot.bottom + 62.0,
    );
    frame.height += LEGEND_LINE * (key_lines - 1) as f64;
    let name = escape(&workload.workload);
    let whisker_note = if has_whiskers {
        ", whiskers ± 1 standard deviation"
    } else {
        ""
    };
    let mut svg = opening(
        frame.height,
        frame.plot.left,
        &format!("{name}: bars are the median wall time per variant{whisker_note}"),
        &format!("{name}: median wall time per variant"),
        &escape(&subtitle(rows, frame.plot.scale)),
    );
    // Grid and tick labels first, so bars are drawn over the grid lines.
    svg.push_str(&frame.plot.axis("median wall time"));
    for (index, (row, value)) in rows.iter().zip(&values).enumerate() {
        svg.push_str(&bar(&frame.plot, index, row, value));
    }
    svg.push_str(&key);
    svg.push_str("</svg>\n");
    svg
}

/// Where the parts of a chart go: margins sized for the labels, the plot between.
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// The axis origin is at `plot.left`; the variant names end left of it.
    plot: Plot,
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
            plot: Plot {
                scale: Scale::fit(rows),
                left,
                width: WIDTH - left - right,
                bottom,
            },
            height: bottom + 80.0,
        }
    }
}

/// The `index`-th bar: the variant's name, the bar, its whiskers, its ideal tick
/// and its value label.
fn bar(plot: &Plot, index: usize, row: &Row, value: &str) -> String {
    let left = plot.left;
    let centre = TOP + ROW_HEIGHT * (index as f64 + 0.5);
    let bar_end = plot.x(row.timing.median);
    let fill = fill(row.family());
    let weight = if row.is_seq() { "bold" } else { "normal" };
    let ideal = row.ideal.map_or_else(String::new, |ideal| {
        format!(", ideal {}", duration(ideal.seconds))
    });
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
        r#"<rect x="{left}" y="{:.1}" width="{:.1}" height="{BAR_HEIGHT}" fill="{fill}"><title>{}: median {}, mean {}{ideal}</title></rect>"#,
        centre - BAR_HEIGHT / 2.0,
        (bar_end - left).max(0.5),
        escape(&row.variant),
        duration(row.timing.median),
        duration_pm(row.timing.mean, row.timing.stddev)
    );
    let mut label_x = bar_end;
    if row.timing.stddev.is_some() {
        let (low, high) = whiskers(row);
        let (low_x, high_x) = (plot.x(low), plot.x(high));
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
    if let Some(ideal) = row.ideal {
        let ideal_x = plot.x(ideal.seconds);
        svg.push_str(&ideal_tick(ideal_x, centre, BAR_HEIGHT));
        label_x = label_x.max(ideal_x);
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

/// The text after a bar: its median, its speedup, and a warning when the variant
/// failed its check (a wrong answer, or a key converted twice).
fn value_label(row: &Row) -> String {
    let mut value = duration(row.timing.median);
    if let Some(speedup) = row.speedup_vs_seq.filter(|_| !row.is_seq()) {
        let _ = write!(value, " · {}", factor(speedup));
    }
    if let Some(failure) = row.check().failure() {
        let _ = write!(value, " · {failure}");
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

/// The bar chart's key: the colour of every model present, then the whisker and
/// the ideal tick when bars have them.
fn entries(rows: &[Row], has_whiskers: bool) -> Vec<Entry> {
    let mut entries = models(rows.iter().map(Row::family));
    if has_whiskers {
        entries.push(Entry::Whisker);
    }
    if rows.iter().any(|row| row.ideal.is_some()) {
        entries.push(Entry::Ideal);
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ideal::{Ideal, IdealRule};
    use crate::input::{HyperfineResult, Record};

    /// A row whose runs all took `median` seconds (so its mean is the same).
    pub(super) fn row(variant: &str, median: f64, stddev: Option<f64>) -> Row {
        Row::for_test(
            HyperfineResult::for_test(variant, median, median, stddev),
            None,
        )
    }

    fn chart(rows: Vec<Row>) -> String {
        bar_chart(&WorkloadReport {
            workload: "w".to_string(),
            parameters: None,
            rows,
        })
    }

    /// Bars take their model's colour, from the record or else the name, and the
    /// legend lists exactly the models present, python-* as one.
    #[test]
    fn bars_are_coloured_by_model_with_a_legend() {
        let mut racy = row("racy", 0.3, None);
        racy.record = Some(Record {
            model: Some("async".to_string()),
            ..Record::default()
        });
        let svg = chart(vec![
            row(SEQ, 1.0, None),
            row("threads scoped", 0.5, None),
            racy,
            row("python-threads", 0.9, None),
            row("python-asyncio", 0.8, None),
        ]);
        let bar_fill = |name: &str| {
            let at = svg.find(&format!("<title>{name}: median")).expect(name);
            let rect = svg[..at].rfind("<rect").expect("the bar's rect");
            svg[rect..at].split("fill=\"").nth(1).expect("fill")[..7].to_string()
        };
        assert_eq!(bar_fill(SEQ), "#e4572e");
        assert_eq!(bar_fill("threads scoped"), "#4c78a8");
        assert_eq!(bar_fill("racy"), "#54a24b", "the record's model wins");
        assert_eq!(bar_fill("python-threads"), "#eeca3b");
        assert_eq!(bar_fill("python-asyncio"), "#eeca3b");
        for label in [
            ">seq</text>",
            ">threads</text>",
            ">async</text>",
            ">python-*</text>",
        ] {
            assert!(svg.contains(label), "legend lacks {label}");
        }
        assert!(
            !svg.contains(">procs</text>"),
            "no procs bar, no procs entry"
        );
        assert!(!svg.contains("ideal bound"), "no ideal, no ideal entry");
    }

    /// A variant with an ideal bound gets a dashed tick at it, the legend explains
    /// it, and the value label starts past it.
    #[test]
    fn ideal_bounds_are_ticked() {
        let mut threads = row("threads", 0.6, None);
        threads.ideal = Some(Ideal {
            seconds: 0.5,
            rule: IdealRule::CpuBound,
        });
        let svg = chart(vec![row(SEQ, 1.0, None), threads]);
        let ticks = svg.matches(r#"stroke-dasharray="3 2""#).count();
        assert_eq!(ticks, 2, "one on the bar, one in the legend:\n{svg}");
        assert!(svg.contains(">ideal bound</text>"));
        assert!(svg.contains("<title>threads: median 600 ms, mean 600 ms, ideal 500 ms</title>"));
    }

    /// A variant that converts keys twice says so after its bar, like a wrong answer.
    #[test]
    fn failed_checks_are_labelled() {
        let mut racy = row("racy", 0.1, None);
        racy.checksum_agrees = Some(true);
        racy.rule_kept = Some(false);
        let mut wrong = row("wrong", 0.2, None);
        wrong.checksum_agrees = Some(false);
        let svg = chart(vec![racy, wrong]);
        assert!(svg.contains(">100 ms · ✗ converts twice</text>"), "{svg}");
        assert!(svg.contains(">200 ms · ✗ wrong answer</text>"));
    }

    /// A legend wider than the chart wraps onto a second line and the chart grows.
    #[test]
    fn a_long_legend_wraps() {
        let names = [SEQ, "threads", "async", "procs", "python-threads", "other"];
        let rows: Vec<Row> = names
            .iter()
            .map(|name| {
                let mut row = row(name, 1.0, Some(0.1));
                row.ideal = Some(Ideal {
                    seconds: 0.5,
                    rule: IdealRule::CpuBound,
                });
                row
            })
            .collect();
        let (_, lines) = legend(&entries(&rows, true), 280.0, 300.0);
        assert_eq!(lines, 2);
        let svg = chart(rows);
        assert!(svg.contains(r#"height="340""#), "{}", &svg[..200]);
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
