//! Every chart of the report, drawn with plotters: a [`Chart`] of plain data in, a standalone SVG
//! document out. One module, so every chart shares the palette, the log rule, marker shapes told
//! apart in black and white, and a legend beside the plot.
//!
//! A log axis is a linear one over log10 of the values, ticked here, rather than plotters'
//! `log_scale()`: one coordinate type for every chart, not a generic function per pair of axes. A
//! dashed line is drawn solid with the opacity `DASHED`, then made a `stroke-dasharray`, not with
//! plotters' dashed elements, which write each dash as a line of its own. Text is SVG `<text>`.

use std::ops::Range;

use anyhow::{Context, Result, ensure};
use plotters::coord::CoordTranslate;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::format::{self, duration, factor};

/// Colours (0xRRGGBB) by index: seq, threads, async, procs, python-*, other; past the end, black.
pub const PALETTE: [u32; 7] =
    [0xe4572e, 0x4c78a8, 0x54a24b, 0xb279a2, 0x72b7b2, 0xeeca3b, 0x9d9d9d];

/// How the value axis labels its ticks (and a bar its value): `57.3 ms`, `1.97×`, `20 000`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    Seconds,
    Milliseconds,
    Factor,
    Plain,
}

/// A chart: its title, value axis caption and unit, what it draws, legend (label, colour index).
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub value_label: String,
    pub unit: Unit,
    pub kind: Kind,
    pub legend: Vec<(String, usize)>,
}

#[derive(Debug, Clone)]
pub enum Kind {
    /// Horizontal bars, top to bottom: a value, a whisker over its spread, a dashed ideal tick.
    Bars(Vec<Bar>),
    /// Rows of values (`values[i]` with marker `i`) joined by a thin line, and a dashed reference.
    Dots { rows: Vec<DotRow>, marks: Vec<String>, reference: Option<(String, f64)> },
    /// Lines over a horizontal parameter axis, with markers; a dashed series is an ideal.
    Lines { x_label: String, series: Vec<Series> },
}

#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub colour: usize,
    pub value: f64,
    pub spread: Option<(f64, f64)>,
    pub ideal: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct DotRow {
    pub label: String,
    pub colour: usize,
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub colour: usize,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
}

const LOG_SCALE_ABOVE: f64 = 20.0;
const WIDTH: i32 = 840;
/// A chart of lines is this high; a chart of rows grows by `ROW` a row.
const LINES_HEIGHT: i32 = 460;
const ROW: i32 = 27;
/// Room for the title above a plot, and for the ticks and caption under it.
const TOP: i32 = 44;
const AXIS: i32 = 46;
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// The opacity that marks a line to be dashed: no other element is drawn with it.
const DASHED: f64 = 0.999;

type On<'b, T> = DrawingArea<SVGBackend<'b>, T>;
type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Axis, Axis>>;
type Entry = (String, Swatch);

pub fn svg(chart: &Chart) -> Result<String> {
    let ((x, y, legend), unit) = (read(chart)?, chart.unit);
    let (names, values): (Vec<String>, Vec<String>) = match &chart.kind {
        Kind::Bars(bars) => bars.iter().map(|b| (cut(&b.label, 40), unit.format(b.value))).unzip(),
        Kind::Dots { rows, .. } => rows.iter().map(|r| (cut(&r.label, 40), String::new())).unzip(),
        Kind::Lines { .. } => (Vec::new(), Vec::new()),
    };
    // Left of the plot: names or ticks. Right: the value after a bar, then the legend's column.
    let ticks = y.ticks.iter().map(|at| y.tick(*at, unit));
    let left = [widest(&names) + 18, widest(ticks) + 40][usize::from(names.is_empty())];
    let key = WIDTH - (widest(legend.iter().map(|entry| &entry.0)) + 40).clamp(100, 320);
    let rows = names.len() as i32;
    let bottom = if rows == 0 { LINES_HEIGHT - 10 } else { TOP + ROW * rows + AXIS };
    let height = (bottom + 10).max(TOP + 30 + 20 * legend.len() as i32);
    let mut svg = String::new();
    {
        // A few hundred pixels each: positive and far inside u32.
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH as u32, height as u32)).into_drawing_area();
        root.fill(&WHITE)?;
        let bold = text(16, HPos::Left).font.style(FontStyle::Bold).color(&INK);
        root.draw(&Text::new(cut(&chart.title, 90), (12, 12), bold))?;
        let area = root.margin(TOP, height - bottom, 10, WIDTH - key + widest(values) + 16);
        let mut plot = ChartBuilder::on(&area)
            .x_label_area_size(AXIS)
            .y_label_area_size(left.clamp(60, 300))
            .build_cartesian_2d(x.clone(), y.clone())?;
        let x_tick = |at: &f64| x.tick(*at, if names.is_empty() { Unit::Plain } else { unit });
        // A row's tick is at its centre and `centres` counts down, so this is its index.
        let name = |at: &f64| names.get((names.len() as f64 - 0.5 - at) as usize).cloned();
        let y_tick = |at: &f64| name(at).unwrap_or_else(|| y.tick(*at, unit));
        let desc = |label: &str, axis: &Axis| {
            format!("{label}{}", if axis.log { " (log scale)" } else { "" })
        };
        let mut mesh = plot.configure_mesh();
        mesh.bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
            .x_label_formatter(&x_tick)
            .y_label_formatter(&y_tick)
            .label_style(text(12, HPos::Center))
            .y_label_style(text(13, HPos::Right))
            .axis_desc_style(text(13, HPos::Center));
        let value = &chart.value_label;
        match &chart.kind {
            Kind::Lines { x_label, .. } => mesh.x_desc(desc(x_label, &x)).y_desc(desc(value, &y)),
            _ => mesh.x_desc(desc(value, &x)).disable_y_mesh(),
        };
        mesh.draw()?;
        match &chart.kind {
            Kind::Bars(bars) => draw_bars(&mut plot, &x, bars, unit)?,
            Kind::Dots { rows, reference, .. } => draw_dots(&mut plot, &x, rows, reference)?,
            Kind::Lines { series, .. } => draw_lines(&mut plot, [&x, &y], series)?,
        }
        for ((label, swatch), y) in legend.iter().zip((TOP + 20..).step_by(20)) {
            root.draw(&Text::new(cut(label, 40), (key + 28, y), text(12, HPos::Left)))?;
            let (square, ends) = ([(key, y - 6), (key + 12, y + 6)], [(key, y), (key + 22, y)]);
            match *swatch {
                Swatch::Square(c) => root.draw(&Rectangle::new(square, c.filled()))?,
                Swatch::Line(_, c, true) => root.draw(&PathElement::new(ends, line(c, true)))?,
                Swatch::Line(shape, c, false) => {
                    root.draw(&PathElement::new(ends, line(c, false)))?;
                    mark(&root, (key + 11, y), shape, c)?
                }
            }
        }
        root.present()?;
    }
    Ok(svg.replace(&format!("opacity=\"{DASHED}\""), "stroke-dasharray=\"6 3\""))
}

/// A chart's axes and legend (the colours given, then what marks and dashed lines mean).
fn read(chart: &Chart) -> Result<(Axis, Axis, Vec<Entry>)> {
    let title = &chart.title;
    let square = |(label, i): &(String, usize)| (label.clone(), Swatch::Square(colour(*i)));
    let mut legend: Vec<Entry> = chart.legend.iter().map(square).collect();
    let dashed = |label: &str| (label.to_string(), Swatch::Line(0, BLACK, true));
    // The axis up a chart of rows, ticked at their centres.
    let rows = |n| Some(Axis { log: false, low: 0.0, high: n as f64, ticks: centres(n).collect() });
    let (x, y) = match &chart.kind {
        Kind::Bars(bars) => {
            ensure!(!bars.is_empty(), "the bar chart {title:?} has no bars");
            let spreads = bars.iter().filter_map(|bar| bar.spread);
            let ideals: Vec<f64> = bars.iter().filter_map(|bar| bar.ideal).collect();
            legend.extend(ideals.first().map(|_| dashed("ideal")));
            let marks = spreads.flat_map(|(lo, hi)| [lo, hi]).chain(ideals);
            (Axis::fit(bars.iter().map(|bar| bar.value).collect(), marks), rows(bars.len()))
        }
        Kind::Dots { rows: dots, marks, reference } => {
            ensure!(!dots.is_empty(), "the dot chart {title:?} has no rows");
            let grey = (0..).map(|n| Swatch::Line(n, RGBColor(0x66, 0x66, 0x66), false));
            legend.extend(marks.iter().cloned().zip(grey));
            legend.extend(reference.iter().map(|(label, _)| dashed(label)));
            let values = dots.iter().flat_map(|row| row.values.iter().flatten().copied());
            (Axis::fit(values.collect(), reference.iter().map(|line| line.1)), rows(dots.len()))
        }
        Kind::Lines { series, .. } => {
            let key = |n, s: &Series| Swatch::Line(n, colour(s.colour), s.dashed);
            legend.extend(series.iter().enumerate().map(|(n, s)| (s.label.clone(), key(n, s))));
            let points = series.iter().flat_map(|series| &series.points);
            let (xs, ys): (Vec<f64>, Vec<f64>) = points.copied().unzip();
            ensure!(!xs.is_empty(), "the line chart {title:?} has no points");
            (Axis::fit(xs, None), Axis::fit(ys, None))
        }
    };
    let nothing = || format!("no value of {title:?} can be drawn");
    Ok((x.with_context(nothing)?, y.with_context(nothing)?, legend))
}

/// The bars, each with its whisker, its dashed ideal tick and its value after it.
fn draw_bars(plot: &mut Plot, x: &Axis, bars: &[Bar], unit: Unit) -> Result<()> {
    let base = if x.log { x.low } else { 0.0 };
    let shown = bars.iter().zip(centres(bars.len()));
    for (bar, y, end) in shown.filter_map(|(bar, y)| Some((bar, y, x.at(bar.value)?))) {
        let fill = colour(bar.colour).filled();
        plot.draw_series([Rectangle::new([(base, y - 0.32), (end, y + 0.32)], fill)])?;
        // A whisker end past the axis (or <= 0 on a log one) stops at its end.
        let clip = |v| x.at(v).unwrap_or(x.low).clamp(x.low, x.high);
        let cap = |x| [(x, y - 0.18), (x, y + 0.18)];
        let span =
            bar.spread.filter(|s| (s.0 + s.1).is_finite()).map(|(lo, hi)| (clip(lo), clip(hi)));
        let whisker = span.iter().flat_map(|&(lo, hi)| [[(lo, y), (hi, y)], cap(lo), cap(hi)]);
        plot.draw_series(whisker.map(|ends| PathElement::new(ends, INK.stroke_width(2))))?;
        let ideal = bar.ideal.and_then(|ideal| x.at(ideal));
        let tick = |at| PathElement::new([(at, y - 0.45), (at, y + 0.45)], line(BLACK, true));
        plot.draw_series(ideal.map(tick))?;
        let after = [span.map(|(_, hi)| hi), ideal].into_iter().flatten().fold(end, f64::max);
        let value = Text::new(unit.format(bar.value), (6, 0), text(12, HPos::Left));
        plot.draw_series([EmptyElement::at((after, y)) + value])?;
    }
    Ok(())
}

/// Each row's marks joined by a line, and the dashed reference line (`at` its value) across them.
fn draw_dots(plot: &mut Plot, x: &Axis, rows: &[DotRow], at: &Option<(String, f64)>) -> Result<()> {
    for (row, y) in rows.iter().zip(centres(rows.len())) {
        let at = |(shape, value): (usize, &Option<f64>)| Some((shape, x.at((*value)?)?));
        let marks: Vec<(usize, f64)> = row.values.iter().enumerate().filter_map(at).collect();
        plot.draw_series(LineSeries::new(marks.iter().map(|m| (m.1, y)), colour(row.colour)))?;
        // The first mark (p50) drawn last, on top where marks meet.
        for &(shape, at) in marks.iter().rev() {
            mark(plot.plotting_area(), (at, y), shape, colour(row.colour))?;
        }
    }
    let ends = |at| [(at, 0.0), (at, rows.len() as f64)];
    let at = at.as_ref().and_then(|(_, at)| x.at(*at));
    plot.draw_series(at.map(|at| PathElement::new(ends(at), line(BLACK, true))))?;
    Ok(())
}

/// The series' lines with their markers; a dashed one (an ideal) has none.
fn draw_lines(plot: &mut Plot, [x, y]: [&Axis; 2], series: &[Series]) -> Result<()> {
    for (shape, series) in series.iter().enumerate() {
        let at = |&(px, py): &(f64, f64)| Some((x.at(px)?, y.at(py)?));
        let points: Vec<(f64, f64)> = series.points.iter().filter_map(at).collect();
        let colour = colour(series.colour);
        plot.draw_series(LineSeries::new(points.clone(), line(colour, series.dashed)))?;
        for at in points.into_iter().filter(|_| !series.dashed) {
            mark(plot.plotting_area(), at, shape, colour)?;
        }
    }
    Ok(())
}

/// A line two pixels wide, solid or dashed (see [`DASHED`]).
fn line(colour: RGBColor, dashed: bool) -> ShapeStyle {
    colour.mix(if dashed { DASHED } else { 1.0 }).stroke_width(2)
}

/// The y of each row's centre, the first row on top.
fn centres(rows: usize) -> impl Iterator<Item = f64> {
    (0..rows).map(move |row| (rows - row) as f64 - 0.5)
}

/// An axis, linear from `low` to `high` in plot space (log10 of the values on a log one), ticked.
#[derive(Debug, Clone)]
struct Axis {
    log: bool,
    low: f64,
    high: f64,
    ticks: Vec<f64>,
}

impl Axis {
    /// The axis for `values` and `marks` (whisker ends, ideals, a reference); None when no value
    /// can be drawn. The one log rule: the finite values all positive and over `LOG_SCALE_ABOVE`
    /// times apart. A linear axis starts at zero or below. Ticks: 1, 2 and 5 a decade on a log axis
    /// (1 alone from three decades up); about every seventh of a linear one, at 1, 2 or 5 × 10ⁿ.
    fn fit(values: Vec<f64>, marks: impl IntoIterator<Item = f64>) -> Option<Axis> {
        let finite = || values.iter().copied().filter(|v| v.is_finite());
        let (low, high) = (finite().reduce(f64::min)?, finite().reduce(f64::max)?);
        let log = finite().all(|v| v > 0.0) && high / low > LOG_SCALE_ABOVE;
        let at = |v: f64| Some(if log { v.log10() } else { v }).filter(|at| at.is_finite());
        let shown: Vec<f64> = values.into_iter().filter_map(at).collect();
        let all = marks.into_iter().filter_map(at).chain(shown.iter().copied());
        let (lo, hi) = all.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (span, step) = (hi - lo, nice_step((hi - lo.min(0.0)) / 6.0));
        let (down, up) = ((lo.min(0.0) / step).floor(), (hi / step).ceil());
        let (low, high) = match log {
            _ if shown.is_empty() => return None,
            true => (lo - 0.06 * span, hi + 0.06 * span),
            false => (down * step, up.max(down + 1.0) * step),
        };
        let (from, to, step) = (low - 1e-9, high + 1e-9, nice_step((high - low) / 7.0));
        // Decades of f64 values, or about seven steps: far inside i32.
        let decades = (from.floor() as i32..=to.ceil() as i32).map(f64::from);
        let at = decades.flat_map(|d| [1.0, 2.0, 5.0_f64].map(|m| d + m.log10()));
        let steps = (from / step).ceil() as i32..=(to / step).floor() as i32;
        let mut ticks: Vec<f64> = match log {
            true => at.filter(|at| high - low < 3.0 || at.fract() == 0.0).collect(),
            false => steps.map(|i| f64::from(i) * step).collect(),
        };
        ticks.retain(|at| (from..=to).contains(at));
        Some(Axis { log, low, high, ticks })
    }

    /// Where `value` goes; None for NaN, infinities and values <= 0 on a log axis.
    fn at(&self, value: f64) -> Option<f64> {
        Some(if self.log { value.log10() } else { value }).filter(|at| at.is_finite())
    }

    fn tick(&self, at: f64, unit: Unit) -> String {
        unit.format(if self.log { 10f64.powf(at) } else { at })
    }
}

/// The axis as plotters maps and ticks it: ours rather than plotters' linear axis with
/// `with_key_points`, which takes no label formatter.
impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, (from, to): (i32, i32)) -> i32 {
        let fraction = (value - self.low) / (self.high - self.low);
        // A pixel position: far inside i32.
        from + (fraction * f64::from(to - from)).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }

    fn range(&self) -> Range<f64> {
        self.low..self.high
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`; 1 for a `raw` that is not positive.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    let steps = [1.0, 2.0, 5.0, 10.0].map(|multiple| multiple * magnitude);
    let step = steps.into_iter().find(|step| *step >= raw * (1.0 - 1e-9));
    step.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(1.0)
}

impl Unit {
    fn format(self, value: f64) -> String {
        match self {
            _ if value == 0.0 => "0".to_string(),
            Unit::Seconds => duration(value),
            Unit::Milliseconds => duration(value / 1000.0),
            Unit::Factor => factor(value),
            Unit::Plain => format::value(value),
        }
    }
}

fn colour(index: usize) -> RGBColor {
    // The bytes of 0xRRGGBB (each cast keeps the low eight bits); 0 is black.
    let rgb = PALETTE.get(index).copied().unwrap_or(0);
    RGBColor((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8)
}

/// Marker `n` at `at`: a dot, a triangle, a ring, a cross, told apart in black and white.
fn mark<C, T: CoordTranslate<From = C>>(area: &On<T>, at: C, n: usize, c: RGBColor) -> Result<()> {
    let (at, fill, line) = (EmptyElement::at(at), c.filled(), c.stroke_width(2));
    match n % 4 {
        0 => area.draw(&(at + Circle::new((0, 0), 5, fill)))?,
        1 => area.draw(&(at + TriangleMarker::new((0, 0), 6, fill)))?,
        2 => area.draw(&(at + Circle::new((0, 0), 5, line)))?,
        _ => area.draw(&(at + Cross::new((0, 0), 5, line)))?,
    }
    Ok(())
}

/// A legend entry's swatch: a colour, or a line (marker shape, colour, dashed), marked when solid.
enum Swatch {
    Square(RGBColor),
    Line(usize, RGBColor, bool),
}

/// About how wide the widest of `texts` is drawn at 12-13 px, in pixels.
fn widest<S: AsRef<str>>(texts: impl IntoIterator<Item = S>) -> i32 {
    let chars = texts.into_iter().map(|text| text.as_ref().chars().count());
    // A label of a few hundred characters at most: far inside i32.
    (chars.max().unwrap_or(0) as f64 * 6.8).ceil() as i32
}

/// `text` cut to `max` characters, the last an ellipsis.
fn cut(text: &str, max: usize) -> String {
    let long = text.chars().count() > max;
    let kept = text.chars().take(if long { max - 1 } else { max });
    kept.chain(long.then_some('…')).collect()
}

/// Text in ink, `px` pixels high (plotters writes a font's size ÷ 1.24), centred on the anchor's y.
fn text(px: u8, anchor: HPos) -> TextStyle<'static> {
    let font = ("Helvetica, Arial, sans-serif", f64::from(px) * 1.24).into_font().color(&INK);
    font.pos(Pos::new(anchor, VPos::Center))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chart titled "w: the chart" whose legend names seq, threads and async.
    fn chart(unit: Unit, kind: Kind) -> Chart {
        let legend = ["seq", "threads", "async"].map(String::from);
        let legend = legend.into_iter().zip(0..).collect();
        let (title, value_label) = ("w: the chart".into(), "median wall time".into());
        Chart { title, value_label, unit, kind, legend }
    }

    /// Seven variants, medians 41 ms to 2.3 s: a spread on each, an ideal on four.
    fn bars() -> Chart {
        let names = "async tokio|threads scoped|threads pool with a name long enough to be cut|\
                     procs fork|python-multiprocessing|seq|python-threads";
        let values = [0.0412, 0.0573, 0.071, 0.112, 0.58, 0.248, 2.31];
        let ideals = [Some(0.031), Some(0.031), None, Some(0.031), Some(0.4)];
        let bar = |(i, (name, value)): (usize, (&str, f64))| Bar {
            label: name.to_string(),
            colour: [2, 1, 1, 3, 4, 0, 4][i],
            value,
            spread: Some((value * 0.93, value * 1.08)),
            ideal: ideals.get(i).copied().flatten(),
        };
        let bars = names.split('|').zip(values).enumerate().map(bar);
        chart(Unit::Seconds, Kind::Bars(bars.collect()))
    }

    /// Seventeen variants' p50, p99 and max latency (ms) around a 500 ms task.
    fn dots() -> Chart {
        let row = |i: usize| {
            let (p50, max) = (40.0 + 3.0 * i as f64, [560.0, 100.0, 120.0][i % 3]);
            let values = vec![Some(p50), Some((p50 + max) / 2.0), Some(max)];
            DotRow { label: format!("variant {i}"), colour: i % 5, values }
        };
        let rows = (0..17).map(row).collect();
        let marks = "p50 p99 max".split(' ').map(String::from).collect();
        let reference = Some(("the task: 500 ms".to_string(), 500.0));
        let kind = Kind::Dots { rows, marks, reference };
        chart(Unit::Milliseconds, kind)
    }

    /// Speedups over items per task from 1 to 10^6: three variants and a dashed ideal.
    fn lines() -> Chart {
        let names = "threads scoped|threads pool|async tokio|ideal: 4 cores".split('|');
        let line = |(name, (colour, half)): (&str, (usize, f64))| Series {
            label: name.to_string(),
            colour,
            points: (0..7).map(|e| (10f64.powi(e), 3.8 / (1.0 + half / 10f64.powi(e)))).collect(),
            dashed: colour > 5,
        };
        let shapes = [(1, 40.0), (1, 400.0), (2, 8.0), (9, 0.0)];
        let (x_label, series) = ("items per task".into(), names.zip(shapes).map(line).collect());
        chart(Unit::Factor, Kind::Lines { x_label, series })
    }

    /// Whether each of the texts (split at `|`) is drawn as the whole of a `<text>` element.
    fn drawn(svg: &str, texts: &str) -> bool {
        let mut texts = texts.split('|');
        texts.all(|text| svg.contains(&format!(">\n{text}\n</text>")))
    }

    /// The number in the attribute `name` of the element that comes before `at`.
    fn attribute(svg: &str, at: &str, name: &str) -> f64 {
        let before = &svg[..svg.find(at).expect(at)];
        let start = before.rfind(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        let value = &before[start..];
        value[..value.find('"').expect("a quote")].parse().unwrap()
    }

    /// A bar chart is a standalone SVG with its title, names (a long one cut), values after the
    /// bars, a log axis for 41 ms to 2.3 s, the legend, a dashed tick per ideal (four) and one in
    /// the legend; it grows with its rows.
    #[test]
    fn bars_show_names_values_legend_and_dashed_ideals() {
        let svg = svg(&bars()).unwrap();
        assert!(svg.starts_with("<svg") && drawn(&svg, "w: the chart|seq|threads|ideal"));
        assert!(drawn(&svg, "threads scoped|57.3 ms|2.31 s|python-threads"));
        assert!(drawn(&svg, "threads pool with a name long enough to…"));
        assert!(drawn(&svg, "median wall time (log scale)|100 ms|1.00 s"));
        assert_eq!(svg.matches("stroke-dasharray=\"6 3\"").count(), 5);
        let mut two = bars();
        if let Kind::Bars(rows) = &mut two.kind {
            rows.truncate(2);
        }
        let height = |svg: &str| attribute(svg, " viewBox", "height");
        assert!(height(&svg) > height(&super::svg(&two).unwrap()) + 100.0);
    }

    /// A dot chart draws every row, a triangle per p99, a dot per p50 and a ring per max (and
    /// one of each in the legend), and the dashed reference line, which the legend names.
    #[test]
    fn dots_show_marks_and_the_reference() {
        let svg = svg(&dots()).unwrap();
        assert!(svg.starts_with("<svg") && drawn(&svg, "variant 0|variant 16|threads"));
        assert!(drawn(&svg, "p50|p99|max|the task: 500 ms|median wall time|600 ms"));
        let count = |pattern| svg.matches(pattern).count();
        assert_eq!([count("<polygon"), count("<circle"), count("dasharray")], [18, 36, 2]);
    }

    /// A line chart over 1 to 10^6 has a log x axis, a triangle per point of the second series,
    /// its dashed ideal (and legend), and the legend right of the plot, where it hides no line.
    #[test]
    fn lines_are_log_over_a_wide_sweep_with_the_legend_beside() {
        let svg = svg(&lines()).unwrap();
        assert!(svg.starts_with("<svg") && drawn(&svg, "items per task (log scale)|1 000 000"));
        let right = attribute(&svg, ">\n1 000 000\n<", "x") + 20.0;
        for label in "threads scoped|threads pool|async tokio|ideal: 4 cores".split('|') {
            assert!(attribute(&svg, &format!(">\n{label}\n<"), "x") > right);
        }
        let count = |pattern| svg.matches(pattern).count();
        assert_eq!([count("<polygon"), count("dasharray")], [7 + 1, 2]);
    }

    /// One rule for every axis: log above 20 times, never with a value <= 0.
    #[test]
    fn log_scale_only_for_wide_positive_spans() {
        let log_scale = |values: &[f64]| Axis::fit(values.to_vec(), None).is_some_and(|a| a.log);
        assert!(log_scale(&[1.0, 10.0, 1e6]) && log_scale(&[1.0, 20.1, f64::NAN]));
        assert!(!log_scale(&[0.0, 50.0, 200.0]) && !log_scale(&[1.0, 20.0]));
        assert!(!log_scale(&(1..=8).map(f64::from).collect::<Vec<_>>()));
    }

    /// Nothing to draw is an error that says what is missing, never a panic.
    #[test]
    fn empty_input_is_an_error() {
        let error = |kind| format!("{:#}", svg(&chart(Unit::Plain, kind)).unwrap_err());
        let (mut dots, mut lines, mut bars) = (dots().kind, lines().kind, bars().kind);
        if let Kind::Dots { rows, .. } = &mut dots {
            rows.clear();
        }
        if let Kind::Lines { series, .. } = &mut lines {
            series.iter_mut().for_each(|series| series.points.clear());
        }
        if let Kind::Bars(bars) = &mut bars {
            bars.iter_mut().for_each(|bar| bar.value = f64::NAN);
        }
        assert!(error(dots).contains("no rows") && error(lines).contains("no points"));
        assert!(error(Kind::Bars(Vec::new())).contains("no bars"));
        assert!(error(bars).contains("can be drawn"));
    }

    /// NaN, infinite and (on a log axis) non-positive values are left out, not drawn: the NaN
    /// bar, the whisker to infinity and the negative ideal.
    #[test]
    fn values_that_cannot_be_drawn_are_skipped() {
        let mut chart = bars();
        if let Kind::Bars(bars) = &mut chart.kind {
            bars[0].value = f64::NAN;
            bars[1].spread = Some((-1.0, f64::INFINITY));
            bars[3].ideal = Some(-0.5);
        }
        let svg = svg(&chart).unwrap();
        assert!(!svg.contains("NaN") && !svg.contains("inf") && !drawn(&svg, "41.2 ms"));
        assert!(drawn(&svg, "async tokio|57.3 ms|71.0 ms"));
        assert_eq!(svg.matches("stroke-dasharray").count(), 2 + 1);
    }

    /// Ticks and values read in the chart's unit.
    #[test]
    fn units_format_values() {
        let (ms, s, plain) = (Unit::Milliseconds, Unit::Seconds, Unit::Plain);
        let texts = [ms.format(57.3), s.format(2.0), s.format(0.0), Unit::Factor.format(1.97)];
        assert_eq!(texts, ["57.3 ms", "2.00 s", "0", "1.97×"]);
        assert_eq!([plain.format(20_000.0), plain.format(0.125)], ["20 000", "0.125"]);
    }
}
