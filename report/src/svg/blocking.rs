//! `blocking.svg`: each variant's request latencies as three marks on one line,
//! p50 (dot), p99 (diamond) and max (ring), from p50 to max in the model's colour,
//! in the table's order (grouped by model, the reference without the task last),
//! with a dashed line at the blocking task's length.
//!
//! Marks rather than bars: the three percentiles share one axis, and a bar from
//! zero would make the 50 ms every request waits for the site server look like
//! the story. The axis turns logarithmic by the same rule as every chart's, which
//! a task ten times the server's latency usually calls for.
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use super::legend::{Entry, LEGEND_LINE, Percentile, legend, models};
use super::parts::{CHAR_WIDTH, IDEAL_INK, MUTED, Plot, TOP, WIDTH, escape, fill, opening};
use super::scale::Scale;
use crate::blocking::{self, Variant};
use crate::format::duration;
use crate::table::WorkloadReport;

const ROW_HEIGHT: f64 = 26.0;

/// The chart of the blocking workload.
pub(super) fn chart(workload: &WorkloadReport) -> String {
    let groups = blocking::groups(workload);
    let variants: Vec<Variant> = groups.iter().flat_map(|group| group.variants()).collect();
    // Seconds, like every axis: the records count milliseconds.
    let latencies = || variants.iter().filter_map(Variant::latency);
    let fastest = latencies()
        .map(|l| l.p50 / 1000.0)
        .fold(f64::INFINITY, f64::min);
    let slowest = latencies().map(|l| l.max / 1000.0).fold(0.0, f64::max);
    let task_s = variants
        .iter()
        .find_map(Variant::blocking_ms)
        .map(|ms| ms as f64 / 1000.0);
    let longest = variants
        .iter()
        .map(|v| v.row.variant.chars().count())
        .max()
        .unwrap_or(0);
    let left = (longest as f64 * CHAR_WIDTH + 24.0).clamp(90.0, 300.0);
    let bottom = TOP + ROW_HEIGHT * variants.len() as f64;
    let plot = (fastest > 0.0 && fastest.is_finite()).then(|| Plot {
        scale: Scale::spanning(
            fastest,
            slowest,
            fastest,
            slowest.max(task_s.unwrap_or(0.0)),
        ),
        left,
        width: WIDTH - left - 110.0,
        bottom,
    });
    let mut entries = models(variants.iter().map(|v| v.row.family()));
    entries.extend([Percentile::P50, Percentile::P99, Percentile::Max].map(Entry::Percentile));
    let (key, key_lines) = legend(&entries, left, bottom + 62.0);
    let height = bottom + 80.0 + LEGEND_LINE * (key_lines - 1) as f64;
    let name = escape(&workload.workload);
    let mut subtitle = "latency of the checked run's requests · labels: p99".to_string();
    if let Some(Plot {
        scale: Scale::Log { .. },
        ..
    }) = plot
    {
        subtitle.push_str(" · log scale");
    }
    let mut svg = opening(
        height,
        left,
        &format!("{name}: p50, p99 and max request latency per variant"),
        &format!("{name}: request latency per variant"),
        &escape(&subtitle),
    );
    let Some(plot) = plot else {
        let _ = writeln!(
            svg,
            r#"<text x="{left}" y="{:.1}" fill="{MUTED}">No record carries latency_ms.</text>"#,
            TOP + 20.0
        );
        svg.push_str("</svg>\n");
        return svg;
    };
    svg.push_str(&plot.axis("request latency"));
    if let Some(task_s) = task_s {
        svg.push_str(&task_line(&plot, task_s));
    }
    for (index, variant) in variants.iter().enumerate() {
        svg.push_str(&row(
            &plot,
            TOP + ROW_HEIGHT * (index as f64 + 0.5),
            variant,
        ));
    }
    svg.push_str(&key);
    svg.push_str("</svg>\n");
    svg
}

/// A dashed line at the task's length, labelled above the plot.
fn task_line(plot: &Plot, task_s: f64) -> String {
    let x = plot.x(task_s);
    format!(
        "<path d=\"M{x:.1} {:.1}V{:.1}\" stroke=\"{IDEAL_INK}\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n\
         <text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{MUTED}\">the task: {}</text>\n",
        TOP - 4.0,
        plot.bottom,
        TOP - 6.0,
        duration(task_s)
    )
}

/// One variant's name, its line from p50 to max, its three marks and its label.
fn row(plot: &Plot, centre: f64, variant: &Variant) -> String {
    // A reference is muted: the eye should land on the variants with the task.
    let muted = if variant.is_reference {
        format!(r#" fill="{MUTED}""#)
    } else {
        String::new()
    };
    let mut svg = format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\"{muted}>{}</text>\n",
        plot.left - 8.0,
        centre + 4.5,
        escape(&variant.row.variant)
    );
    let Some(latency) = variant.latency() else {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="12" fill="{MUTED}">no latency in its record</text>"#,
            plot.left + 6.0,
            centre + 4.5
        );
        return svg;
    };
    let x = |ms: f64| plot.x(ms / 1000.0);
    let family = fill(variant.row.family());
    let _ = writeln!(
        svg,
        r#"<path d="M{:.1} {centre:.1}H{:.1}" stroke="{family}" stroke-width="3"><title>{}: p50 {}, p90 {}, p99 {}, max {}</title></path>"#,
        x(latency.p50),
        x(latency.max),
        escape(&variant.row.variant),
        duration(latency.p50 / 1000.0),
        duration(latency.p90 / 1000.0),
        duration(latency.p99 / 1000.0),
        duration(latency.max / 1000.0)
    );
    for (percentile, ms) in [
        (Percentile::Max, latency.max),
        (Percentile::P99, latency.p99),
        (Percentile::P50, latency.p50),
    ] {
        svg.push_str(&percentile.mark(x(ms), centre, family));
        svg.push('\n');
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-size="12">{}</text>"#,
        x(latency.max) + 10.0,
        centre + 4.5,
        duration(latency.p99 / 1000.0)
    );
    svg
}
