//! `<sweep>.svg`: a line chart of a sweep's main figure against its parameter,
//! one line per variant, drawn with plotters' SVG backend.
//!
//! plotters rather than hand-written SVG like the compare report's bar charts:
//! a line chart needs two axes that may each be logarithmic, tick choice and
//! clipping, which plotters already does, and its SVG backend writes text as
//! `<text>` (no font files). Lines take their model's colour from the compare
//! report's palette ([`fill`]); variants of one model are told apart by shade
//! and marker. The ideal is dashed: one black line where every variant shares
//! it, else one in each variant's colour. The legend is drawn beside the plot
//! rather than inside it, so it never hides a line.

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use crate::svg::{LOG_SCALE_ABOVE, fill};

use super::point::{Figure, Row, Table};
use super::text::value;

/// Draws the `nth` marker shape of a model (circle, triangle, square, cross) at
/// each point through `draw`, which takes any drawable element.
macro_rules! markers {
    ($draw:expr, $points:expr, $nth:expr, $colour:expr) => {{
        let filled = ShapeStyle::from(&$colour).filled();
        let stroke = ShapeStyle::from(&$colour).stroke_width(2);
        match $nth % 4 {
            0 => $draw($points.map(|at| Circle::new(at, 4, filled))),
            1 => $draw($points.map(|at| TriangleMarker::new(at, 5, filled))),
            2 => $draw(
                $points.map(|at| EmptyElement::at(at) + Rectangle::new([(-4, -4), (4, 4)], filled)),
            ),
            _ => $draw($points.map(|at| Cross::new(at, 4, stroke))),
        }
    }};
}

const WIDTH: u32 = 860;
const HEIGHT: u32 = 460;
const LEGEND_LINE: i32 = 20;
const FONT: &str = "sans-serif";

/// One variant's line: its points, its ideal, and how it is drawn.
struct Line {
    label: String,
    colour: RGBColor,
    marker: usize,
    points: Vec<(f64, f64)>,
    ideal: Vec<(f64, f64)>,
}

/// The chart of a sweep.
pub fn chart(table: &Table) -> Result<String> {
    let log_x = table.sweep.kind.geometric();
    let lines = lines(table, log_x);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|error| anyhow!("{error}"))?;
        let legend_width = legend_width(&lines, table.figure);
        let (plot, legend) = root.split_horizontally(WIDTH - legend_width);
        draw(table, &lines, log_x, &plot).map_err(|error| anyhow!("{error}"))?;
        draw_legend(&lines, table.figure, &legend).map_err(|error| anyhow!("{error}"))?;
        root.present().map_err(|error| anyhow!("{error}"))?;
    }
    Ok(svg)
}

/// The variants' lines, in variant order; points a log axis cannot show (x ≤ 0) are left out.
fn lines(table: &Table, log_x: bool) -> Vec<Line> {
    let mut seen: Vec<(crate::model::Family, usize)> = Vec::new();
    table
        .sweep
        .variants()
        .into_iter()
        .map(|variant| {
            let rows = table.rows_of(variant);
            let family = rows[0].point.family();
            let nth = match seen.iter_mut().find(|(seen, _)| *seen == family) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    seen.push((family, 0));
                    0
                }
            };
            let shown = |row: &&&Row| !log_x || row.point.value > 0.0;
            let pairs = |pick: fn(&Row) -> Option<f64>| {
                rows.iter()
                    .filter(shown)
                    .filter_map(|row| Some((row.point.value, pick(row)?)))
                    .filter(|(_, y)| y.is_finite())
                    .collect::<Vec<_>>()
            };
            Line {
                label: variant.to_string(),
                colour: shade(hex(fill(family)), nth),
                marker: nth,
                points: pairs(|row| row.y),
                ideal: pairs(|row| row.ideal_y),
            }
        })
        .collect()
}

/// `#4c78a8` as a colour (grey for anything else).
fn hex(text: &str) -> RGBColor {
    let byte = |at: usize| {
        text.get(at..at + 2)
            .and_then(|digits| u8::from_str_radix(digits, 16).ok())
            .unwrap_or(0x99)
    };
    RGBColor(byte(1), byte(3), byte(5))
}

/// The `nth` variant of a model: the model's colour, then darker and lighter shades.
fn shade(colour: RGBColor, nth: usize) -> RGBColor {
    let RGBColor(r, g, b) = colour;
    let toward = |channel: u8, target: f64, amount: f64| {
        // Within 0..=255: a weighted mean of two channel values.
        (f64::from(channel) * (1.0 - amount) + target * amount).round() as u8
    };
    let (target, amount) = match nth % 4 {
        0 => return colour,
        1 => (0.0, 0.4),
        2 => (255.0, 0.4),
        _ => (0.0, 0.65),
    };
    RGBColor(
        toward(r, target, amount),
        toward(g, target, amount),
        toward(b, target, amount),
    )
}

/// Whether every line has the same ideal, so one black dashed line stands for all.
fn shared_ideal(lines: &[Line]) -> Option<Vec<(f64, f64)>> {
    let mut ideals = lines
        .iter()
        .map(|line| &line.ideal)
        .filter(|ideal| !ideal.is_empty());
    let first = ideals.next()?;
    let mut merged = first.clone();
    for ideal in ideals {
        for &(x, y) in ideal {
            match merged.iter().find(|(at, _)| *at == x) {
                Some(&(_, shared)) if (shared - y).abs() > 1e-9 * y.abs().max(1.0) => return None,
                Some(_) => {}
                None => merged.push((x, y)),
            }
        }
    }
    merged.sort_by(|a, b| a.0.total_cmp(&b.0));
    Some(merged)
}

/// The low and high end of an axis over `values`, with room around them.
fn span(values: impl Iterator<Item = f64> + Clone, log: bool, from_zero: bool) -> (f64, f64) {
    let low = values.clone().fold(f64::INFINITY, f64::min);
    let high = values.fold(f64::NEG_INFINITY, f64::max);
    if !low.is_finite() {
        return if log { (1.0, 10.0) } else { (0.0, 1.0) };
    }
    if log {
        return (low / 1.5, high * 1.5);
    }
    let low = if from_zero { low.min(0.0) } else { low };
    let pad = ((high - low) * 0.06).max(if high.abs() > 0.0 {
        high.abs() * 0.05
    } else {
        1.0
    });
    let low = if from_zero && low >= 0.0 {
        0.0
    } else {
        low - pad
    };
    (low, high + pad)
}

/// Picks the axes: x logarithmic for a geometric sweep, y logarithmic when the
/// values are more than [`LOG_SCALE_ABOVE`] apart; a logarithmic x is ticked at
/// the measured values (1, 8, 64 rather than 1 and 10 alone).
fn draw(
    table: &Table,
    lines: &[Line],
    log_x: bool,
    area: &DrawingArea<SVGBackend, Shift>,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    let xs = lines
        .iter()
        .flat_map(|line| line.points.iter().chain(&line.ideal).map(|p| p.0));
    let ys = lines
        .iter()
        .flat_map(|line| line.points.iter().chain(&line.ideal).map(|p| p.1));
    let positive = ys.clone().all(|y| y > 0.0);
    let low = ys.clone().fold(f64::INFINITY, f64::min);
    let high = ys.clone().fold(0.0, f64::max);
    let log_y = positive && low.is_finite() && high / low > LOG_SCALE_ABOVE;
    let log_x = log_x && xs.clone().all(|x| x > 0.0);
    let (x0, x1) = span(xs.clone(), log_x, false);
    let (y0, y1) = span(ys, log_y, true);
    let mut values: Vec<f64> = xs.collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let y = YAxis {
        log: log_y,
        low: y0,
        high: y1,
    };
    if log_x {
        with_y(
            table,
            lines,
            area,
            (x0..x1).log_scale().with_key_points(values),
            y,
        )
    } else {
        with_y(table, lines, area, x0..x1, y)
    }
}

/// The y axis [`draw`] chose.
#[derive(Clone, Copy)]
struct YAxis {
    log: bool,
    low: f64,
    high: f64,
}

fn with_y<X>(
    table: &Table,
    lines: &[Line],
    area: &DrawingArea<SVGBackend, Shift>,
    x: X,
    y: YAxis,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let YAxis { log, low, high } = y;
    if log {
        plot(table, lines, area, x, (low..high).log_scale())
    } else {
        plot(table, lines, area, x, low..high)
    }
}

/// A tick label: whole numbers grouped, fractions with two significant digits.
fn tick(number: f64) -> String {
    if number == 0.0 || number.abs() >= 1.0 || number.fract() == 0.0 {
        return value((number * 100.0).round() / 100.0);
    }
    // Two significant digits; a handful of decimals at most for tick values.
    let decimals = (1.0 - number.abs().log10().floor()).clamp(0.0, 9.0) as usize;
    crate::format::trimmed(number, decimals)
}

fn plot<X, Y>(
    table: &Table,
    lines: &[Line],
    area: &DrawingArea<SVGBackend, Shift>,
    x: X,
    y: Y,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let sweep = table.sweep;
    let caption = format!(
        "{}: {} against {}",
        sweep.name,
        table.figure.label(),
        sweep.parameter
    );
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 20))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x, y)?;
    let x_scale = if sweep.kind.geometric() {
        ", log scale"
    } else {
        ""
    };
    // Counts (workers, callers) get no tick between two whole numbers.
    let whole = sweep.points.iter().all(|point| point.value.fract() == 0.0);
    let x_tick = |number: &f64| {
        if whole && number.fract() != 0.0 {
            String::new()
        } else {
            tick(*number)
        }
    };
    chart
        .configure_mesh()
        .x_desc(format!(
            "{}{x_scale}",
            sweep.kind.parameter_label(&sweep.parameter)
        ))
        .y_desc(table.figure.label())
        .x_label_formatter(&x_tick)
        .y_label_formatter(&|number| tick(*number))
        .label_style((FONT, 14))
        .y_labels(8)
        .axis_desc_style((FONT, 15))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(221, 221, 221))
        .draw()?;
    draw_lines(&mut chart, lines)
}

/// The dashed ideal under the variants' lines, then the lines and their markers.
fn draw_lines<X, Y>(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>,
    lines: &[Line],
) -> Result<(), DrawingAreaErrorKind<std::io::Error>>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let dash = |colour: RGBColor, width: u32| ShapeStyle::from(&colour).stroke_width(width);
    match shared_ideal(lines) {
        Some(ideal) => {
            let ideal = if ideal.iter().all(|(_, y)| *y == ideal[0].1) {
                // A constant ideal (one wait, 1×) is drawn across the whole plot.
                let (low, high) = (chart.x_range().start, chart.x_range().end);
                vec![(low, ideal[0].1), (high, ideal[0].1)]
            } else {
                ideal
            };
            chart.draw_series(DashedLineSeries::new(ideal, 6, 4, dash(BLACK, 2)))?;
        }
        None => {
            for line in lines.iter().filter(|line| !line.ideal.is_empty()) {
                let style = dash(line.colour, 1);
                chart.draw_series(DashedLineSeries::new(line.ideal.clone(), 5, 4, style))?;
            }
        }
    }
    for line in lines {
        chart.draw_series(LineSeries::new(line.points.clone(), dash(line.colour, 2)))?;
        markers!(
            |elements| chart.draw_series(elements).map(|_| ()),
            line.points.iter().copied(),
            line.marker,
            line.colour
        )?;
    }
    Ok(())
}

/// The legend's entry for the dashed ideal, when there is one.
fn ideal_entry(lines: &[Line], figure: Figure) -> Option<String> {
    if lines.iter().all(|line| line.ideal.is_empty()) {
        return None;
    }
    Some(match shared_ideal(lines) {
        Some(_) => figure.ideal_label().to_string(),
        None => format!("{}, per variant", figure.ideal_label()),
    })
}

/// Room for the legend: its longest label.
fn legend_width(lines: &[Line], figure: Figure) -> u32 {
    let longest = lines
        .iter()
        .map(|line| line.label.chars().count())
        .chain(ideal_entry(lines, figure).map(|entry| entry.chars().count()))
        .max()
        .unwrap_or(0);
    // A few dozen characters at most: well inside u32.
    (longest as u32 * 8 + 52).clamp(140, 320)
}

fn draw_legend(
    lines: &[Line],
    figure: Figure,
    area: &DrawingArea<SVGBackend, Shift>,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    let text = TextStyle::from((FONT, 15).into_font()).color(&BLACK);
    let top = 60;
    for (index, line) in lines.iter().enumerate() {
        let y = top + LEGEND_LINE * index as i32;
        let style = ShapeStyle::from(&line.colour).stroke_width(2);
        area.draw(&PathElement::new(vec![(4, y), (30, y)], style))?;
        markers!(
            |mut elements: std::iter::Map<_, _>| elements
                .try_for_each(|element| area.draw(&element)),
            std::iter::once((17, y)),
            line.marker,
            line.colour
        )?;
        area.draw(&Text::new(line.label.clone(), (38, y - 7), text.clone()))?;
    }
    if let Some(label) = ideal_entry(lines, figure) {
        let y = top + LEGEND_LINE * lines.len() as i32 + 6;
        let colour = if shared_ideal(lines).is_some() {
            BLACK
        } else {
            RGBColor(102, 102, 102)
        };
        let style = ShapeStyle::from(&colour).stroke_width(2);
        area.draw(&DashedPathElement::new(vec![(4, y), (30, y)], 6, 4, style))?;
        area.draw(&Text::new(label, (38, y - 7), text))?;
    }
    Ok(())
}
