//! What every chart shares: the palette, escaping, the opening of the document
//! with its two title lines, the horizontal axis with its grid, and the dashed
//! tick of an ideal bound.
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use super::scale::Scale;
use crate::model::Family;

pub(super) const WIDTH: f64 = 800.0;
/// y of the first row of a plot, under the two title lines.
pub(super) const TOP: f64 = 60.0;
/// Approximate width of one character at 12-13 px, for sizing the label margins.
pub(super) const CHAR_WIDTH: f64 = 7.0;
pub(super) const INK: &str = "#222222";
/// The ideal-bound tick: darker than any bar, dashed to tell it from a whisker.
pub(super) const IDEAL_INK: &str = "#000000";
pub(super) const MUTED: &str = "#666666";
pub(super) const GRID: &str = "#dddddd";

/// The bar colour of a model: a colour-blind-safe palette (Tableau 10's), with
/// `seq`, the reference every speedup is against, in the warmest.
pub fn fill(family: Family) -> &'static str {
    match family {
        Family::Seq => "#e4572e",
        Family::Threads => "#4c78a8",
        Family::Async => "#54a24b",
        Family::Procs => "#b279a2",
        Family::Python => "#eeca3b",
        Family::Other => "#9d9d9d",
    }
}

/// Escapes text for SVG content and attribute values.
pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The opening tag, the tooltip title, the background, the bold title and the
/// muted subtitle at `left`; every text already escaped.
pub(super) fn opening(
    height: f64,
    left: f64,
    tooltip: &str,
    title: &str,
    subtitle: &str,
) -> String {
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" font-size="13" fill="{INK}">"#
    );
    let _ = writeln!(svg, "<title>{tooltip}</title>");
    let _ = writeln!(
        svg,
        r#"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="white"/>"#
    );
    let _ = writeln!(
        svg,
        r#"<text x="{left}" y="24" font-size="16" font-weight="bold">{title}</text>"#
    );
    let _ = writeln!(
        svg,
        r#"<text x="{left}" y="44" font-size="12" fill="{MUTED}">{subtitle}</text>"#
    );
    svg
}

/// Where a plot sits: its axis, its left edge and width, and the y of its axis line.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plot {
    pub(super) scale: Scale,
    pub(super) left: f64,
    pub(super) width: f64,
    pub(super) bottom: f64,
}

impl Plot {
    /// The x coordinate of a value on the axis.
    pub(super) fn x(&self, seconds: f64) -> f64 {
        self.left + self.width * self.scale.fraction(seconds)
    }

    /// The grid lines from [`TOP`] down, the ticks with their labels, the axis line
    /// and its title (`median wall time`, `request latency`).
    pub(super) fn axis(&self, quantity: &str) -> String {
        let Plot {
            left,
            width,
            bottom,
            ..
        } = *self;
        let mut svg = String::new();
        for (seconds, label) in self.scale.ticks() {
            let tick_x = self.x(seconds);
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
            left + width
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text>"#,
            left + width / 2.0,
            bottom + 38.0,
            escape(&self.scale.axis_title(quantity))
        );
        svg
    }
}

/// The dashed tick of an ideal bound at `x`, across a bar of `bar_height` centred
/// at `centre`.
pub(super) fn ideal_tick(x: f64, centre: f64, bar_height: f64) -> String {
    let reach = bar_height / 2.0 + 4.0;
    format!(
        "<path d=\"M{x:.1} {:.1}V{:.1}\" stroke=\"{IDEAL_INK}\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>\n",
        centre - reach,
        centre + reach
    )
}
