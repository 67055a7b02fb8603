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
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

mod scale;

use std::fmt::Write as _;

use crate::format::{duration, duration_pm, factor};
use crate::model::Family;
use crate::table::{Row, SEQ, WorkloadReport};

pub use self::scale::LOG_SCALE_ABOVE;
use self::scale::{Scale, whiskers};

const WIDTH: f64 = 800.0;
const TOP: f64 = 60.0;
const ROW_HEIGHT: f64 = 30.0;
const BAR_HEIGHT: f64 = 18.0;
/// Approximate width of one character at 12-13 px, for sizing the label margins.
const CHAR_WIDTH: f64 = 7.0;
/// Approximate width of one character of the legend's 12 px labels.
const LEGEND_CHAR_WIDTH: f64 = 6.3;
/// Height of one line of the legend, which wraps when its entries do not fit.
const LEGEND_LINE: f64 = 20.0;
const INK: &str = "#222222";
/// The ideal-bound tick: darker than any bar, dashed to tell it from a whisker.
const IDEAL_INK: &str = "#000000";
const MUTED: &str = "#666666";
const GRID: &str = "#dddddd";

/// The bar colour of a model: a colour-blind-safe palette (Tableau 10's), with
/// `seq`, the reference every speedup is against, in the warmest.
fn fill(family: Family) -> &'static str {
    match family {
        Family::Seq => "#e4572e",
        Family::Threads => "#4c78a8",
        Family::Async => "#54a24b",
        Family::Procs => "#b279a2",
        Family::Python => "#eeca3b",
        Family::Other => "#9d9d9d",
    }
}

/// The chart's file name for a workload.
pub fn file_name(workload: &str) -> String {
    format!("{workload}.svg")
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
    let mut frame = Frame::fit(rows, &values);
    let has_whiskers = rows.iter().any(|row| row.timing.stddev.is_some());
    let (key, key_lines) = legend(rows, frame.left, frame.bottom + 62.0, has_whiskers);
    frame.height += LEGEND_LINE * (key_lines - 1) as f64;
    let mut svg = heading(&escape(&workload.workload), rows, &frame, has_whiskers);
    // Grid and tick labels first, so bars are drawn over the grid lines.
    svg.push_str(&axis(&frame));
    for (index, (row, value)) in rows.iter().zip(&values).enumerate() {
        svg.push_str(&bar(&frame, index, row, value));
    }
    svg.push_str(&key);
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

/// The `index`-th bar: the variant's name, the bar, its whiskers, its ideal tick
/// and its value label.
fn bar(frame: &Frame, index: usize, row: &Row, value: &str) -> String {
    let left = frame.left;
    let centre = TOP + ROW_HEIGHT * (index as f64 + 0.5);
    let bar_end = frame.x(row.timing.median);
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
    if let Some(ideal) = row.ideal {
        let ideal_x = frame.x(ideal.seconds);
        svg.push_str(&ideal_tick(ideal_x, centre));
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

/// The dashed tick of an ideal bound at `x`, across a bar centred at `centre`.
fn ideal_tick(x: f64, centre: f64) -> String {
    let reach = BAR_HEIGHT / 2.0 + 4.0;
    format!(
        "<path d=\"M{x:.1} {:.1}V{:.1}\" stroke=\"{IDEAL_INK}\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>\n",
        centre - reach,
        centre + reach
    )
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

/// One entry of the legend.
enum Entry {
    Model(Family),
    Whisker,
    Ideal,
}

impl Entry {
    fn label(&self) -> &'static str {
        match self {
            Entry::Model(family) => family.name(),
            Entry::Whisker => "± 1 standard deviation",
            Entry::Ideal => "ideal bound",
        }
    }

    /// The entry's mark, its left edge at `x`, on the line whose text sits at `y`.
    fn mark(&self, x: f64, y: f64) -> String {
        match self {
            Entry::Model(family) => format!(
                r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/>"#,
                y - 10.0,
                fill(*family)
            ),
            Entry::Whisker => format!(
                r#"<path d="M{x:.1} {:.1}H{:.1}M{x:.1} {:.1}V{:.1}M{:.1} {:.1}V{:.1}" stroke="{INK}" stroke-width="1.5" fill="none"/>"#,
                y - 4.0,
                x + 20.0,
                y - 9.0,
                y + 1.0,
                x + 20.0,
                y - 9.0,
                y + 1.0
            ),
            Entry::Ideal => ideal_tick(x + 6.0, y - 4.0).trim_end().to_string(),
        }
    }

    /// Room the mark takes before the label.
    fn mark_width(&self) -> f64 {
        match self {
            Entry::Whisker => 26.0,
            Entry::Model(_) | Entry::Ideal => 17.0,
        }
    }
}

/// The key under the plot, starting at (`left`, `y`): the colour of every model
/// present, then the whisker and the ideal tick when bars have them; wrapped to
/// the chart's width. Returns the SVG and its number of lines.
fn legend(rows: &[Row], left: f64, y: f64, has_whiskers: bool) -> (String, usize) {
    let mut entries: Vec<Entry> = Family::ALL
        .into_iter()
        .filter(|family| rows.iter().any(|row| row.family() == *family))
        .map(Entry::Model)
        .collect();
    if has_whiskers {
        entries.push(Entry::Whisker);
    }
    if rows.iter().any(|row| row.ideal.is_some()) {
        entries.push(Entry::Ideal);
    }
    let mut out = String::new();
    let (mut x, mut y, mut lines) = (left, y, 1);
    for entry in entries {
        let label = entry.label();
        let width = entry.mark_width() + label.chars().count() as f64 * LEGEND_CHAR_WIDTH;
        if x > left && x + width > WIDTH - 16.0 {
            (x, y, lines) = (left, y + LEGEND_LINE, lines + 1);
        }
        let _ = writeln!(
            out,
            r#"{}<text x="{:.1}" y="{y:.1}" font-size="12">{label}</text>"#,
            entry.mark(x, y),
            x + entry.mark_width()
        );
        x += width + 20.0;
    }
    (out, lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ideal::{Ideal, IdealRule};
    use crate::input::{HyperfineResult, Record};

    /// A row whose runs all took `median` seconds (so its mean is the same).
    pub(super) fn row(variant: &str, median: f64, stddev: Option<f64>) -> Row {
        Row {
            variant: variant.to_string(),
            timing: HyperfineResult::for_test(variant, median, median, stddev),
            record: None,
            command: None,
            speedup_vs_seq: None,
            ideal: None,
            ratio_to_ideal: None,
            checksum_agrees: None,
            rule_kept: None,
            vs_baseline: None,
        }
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
        let (_, lines) = legend(&rows, 280.0, 300.0, true);
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
