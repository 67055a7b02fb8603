//! `seeds.svg`: one band per experiment, the CPython program's median bar above
//! its concur variant's, coloured by model (every `python-*` in CPython's colour,
//! the concur variant in its own model's), in `seeds.tsv`'s order like the table.
//!
//! CPython and concur are often three orders of magnitude apart on the CPU-bound
//! experiments, so the axis turns logarithmic by the same rule as every chart's.
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use super::legend::{LEGEND_LINE, legend, models};
use super::parts::{CHAR_WIDTH, Plot, TOP, WIDTH, escape, fill, opening};
use super::scale::Scale;
use crate::format::{duration, factor};
use crate::seeds::{self, Experiment, Pair};
use crate::table::{Row, WorkloadReport};

/// Height of one experiment's band: two bars and the gap to the next band.
const BAND: f64 = 40.0;
const BAR: f64 = 14.0;

/// The chart of the seeds workload.
pub(super) fn chart(workload: &WorkloadReport, experiments: &[Experiment]) -> String {
    let pairs = seeds::pairs(workload, experiments);
    let medians = || workload.rows.iter().map(|row| row.timing.median);
    let fastest = medians().fold(f64::INFINITY, f64::min);
    let slowest = medians().fold(0.0, f64::max);
    let labels: Vec<(String, String)> = pairs.iter().map(labels).collect();
    let longest_id = pairs
        .iter()
        .map(|pair| pair.experiment.id.chars().count())
        .max()
        .unwrap_or(0);
    let longest_label = labels
        .iter()
        .flat_map(|(python, concur)| [python.chars().count(), concur.chars().count()])
        .max()
        .unwrap_or(0);
    let left = (longest_id as f64 * CHAR_WIDTH + 24.0).clamp(90.0, 280.0);
    let right = (longest_label as f64 * CHAR_WIDTH + 16.0).clamp(100.0, 260.0);
    let bottom = TOP + BAND * pairs.len() as f64;
    let plot = Plot {
        scale: Scale::spanning(fastest, slowest, fastest, slowest),
        left,
        width: WIDTH - left - right,
        bottom,
    };
    let (key, key_lines) = legend(
        &models(workload.rows.iter().map(Row::family)),
        left,
        bottom + 62.0,
    );
    let height = bottom + 80.0 + LEGEND_LINE * (key_lines - 1) as f64;
    let name = escape(&workload.workload);
    let mut subtitle = format!(
        "{} · upper bar CPython, lower concur · labels: median, CPython ÷ concur",
        runs(&workload.rows)
    );
    if let Scale::Log { .. } = plot.scale {
        subtitle.push_str(" · log scale");
    }
    let mut svg = opening(
        height,
        left,
        &format!(
            "{name}: the median wall time of each seed's CPython program beside its concur variant"
        ),
        &format!("{name}: CPython beside concur, per experiment"),
        &escape(&subtitle),
    );
    svg.push_str(&plot.axis("median wall time"));
    for (index, (pair, (python, concur))) in pairs.iter().zip(&labels).enumerate() {
        let top = TOP + BAND * index as f64;
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 8.0,
            top + BAND / 2.0 + 2.5,
            escape(&pair.experiment.id)
        );
        if let Some(row) = &pair.python {
            svg.push_str(&bar(&plot, top + 4.0, row, python));
        }
        if let Some(row) = &pair.concur {
            svg.push_str(&bar(&plot, top + 6.0 + BAR, row, concur));
        }
    }
    svg.push_str(&key);
    svg.push_str("</svg>\n");
    svg
}

/// `median of 3 runs`, or a vaguer phrase when the variants ran different counts.
fn runs(rows: &[Row]) -> String {
    let runs: Vec<usize> = rows.iter().map(Row::runs).collect();
    match runs.first() {
        Some(first) if runs.iter().all(|runs| runs == first) => format!("median of {first} runs"),
        _ => "median of each variant's runs".to_string(),
    }
}

/// The labels after the CPython bar (`214 ms · 2.07×`) and the concur bar (`103 ms`),
/// each with what failed its check.
fn labels(pair: &Pair) -> (String, String) {
    let label = |row: &Option<Row>, ratio: Option<f64>| {
        let Some(row) = row else {
            return String::new();
        };
        let mut label = duration(row.timing.median);
        if let Some(ratio) = ratio {
            let _ = write!(label, " · {}", factor(ratio));
        }
        if let Some(failure) = row.check().failure() {
            let _ = write!(label, " · {failure}");
        }
        label
    };
    (label(&pair.python, pair.ratio()), label(&pair.concur, None))
}

/// One bar whose top edge is at `y`, with its tooltip and its label.
fn bar(plot: &Plot, y: f64, row: &Row, label: &str) -> String {
    let end = plot.x(row.timing.median);
    format!(
        "<rect x=\"{}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{BAR}\" fill=\"{}\"><title>{}: median {}</title></rect>\n\
         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{}</text>\n",
        plot.left,
        (end - plot.left).max(0.5),
        fill(row.family()),
        escape(&row.variant),
        duration(row.timing.median),
        end + 6.0,
        y + BAR / 2.0 + 4.0,
        escape(label)
    )
}
