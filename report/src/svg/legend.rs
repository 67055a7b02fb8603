//! The key under a chart: the colour of every model present, then the marks the
//! chart uses (whiskers, ideal ticks, latency percentiles), wrapped to the chart's
//! width; and the percentile marks themselves, so the key and the plot draw them
//! alike.
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use super::parts::{INK, MUTED, WIDTH, fill, ideal_tick};
use crate::model::Family;

/// Approximate width of one character of the legend's 12 px labels.
const LEGEND_CHAR_WIDTH: f64 = 6.3;
/// Height of one line of the legend, which wraps when its entries do not fit.
pub(super) const LEGEND_LINE: f64 = 20.0;

/// A latency percentile, as the blocking chart marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Percentile {
    P50,
    P99,
    Max,
}

impl Percentile {
    fn name(self) -> &'static str {
        match self {
            Percentile::P50 => "p50",
            Percentile::P99 => "p99",
            Percentile::Max => "max",
        }
    }

    /// The mark centred at (`x`, `y`): a dot (p50) and a diamond (p99) filled with
    /// `colour`, a white ring (max), each outlined so it reads on any colour.
    pub(super) fn mark(self, x: f64, y: f64, colour: &str) -> String {
        match self {
            Percentile::P50 => format!(
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="4.5" fill="{colour}" stroke="{INK}" stroke-width="1"/>"#
            ),
            Percentile::P99 => format!(
                r#"<path d="M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z" fill="{colour}" stroke="{INK}" stroke-width="1"/>"#,
                y - 6.0,
                x + 6.0,
                y + 6.0,
                x - 6.0
            ),
            Percentile::Max => format!(
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="4.5" fill="white" stroke="{INK}" stroke-width="1.5"/>"#
            ),
        }
    }
}

/// One entry of the legend.
pub(super) enum Entry {
    Model(Family),
    Whisker,
    Ideal,
    Percentile(Percentile),
}

impl Entry {
    fn label(&self) -> &'static str {
        match self {
            Entry::Model(family) => family.name(),
            Entry::Whisker => "± 1 standard deviation",
            Entry::Ideal => "ideal bound",
            Entry::Percentile(percentile) => percentile.name(),
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
            Entry::Ideal => ideal_tick(x + 6.0, y - 4.0, 18.0).trim_end().to_string(),
            // Grey in the key, which stands for every model's colour.
            Entry::Percentile(percentile) => percentile.mark(x + 6.0, y - 4.0, MUTED),
        }
    }

    /// Room the mark takes before the label.
    fn mark_width(&self) -> f64 {
        match self {
            Entry::Whisker => 26.0,
            Entry::Model(_) | Entry::Ideal | Entry::Percentile(_) => 17.0,
        }
    }
}

/// The models present among `families`, in the legend's order.
pub(super) fn models(families: impl IntoIterator<Item = Family>) -> Vec<Entry> {
    let present: Vec<Family> = families.into_iter().collect();
    Family::ALL
        .into_iter()
        .filter(|family| present.contains(family))
        .map(Entry::Model)
        .collect()
}

/// The key starting at (`left`, `y`), wrapped to the chart's width. Returns the
/// SVG and its number of lines.
pub(super) fn legend(entries: &[Entry], left: f64, y: f64) -> (String, usize) {
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
