//! The summary `concur-report` prints on stdout after writing the report: one
//! compact plain-text table per workload, a heading line and one line per variant,
//! so that a whole `compare.sh --quick` run (4 workloads, 33 variants) fits on a
//! screen. Full tables are in the results README; this is what to glance at.
//!
//! The heading line starts with the workload's name; then median, speedup against
//! `seq`, ratio to the ideal bound, the workload's key figures
//! ([`figures`](crate::figures)), the comparison with the baseline when there is
//! one, and last, without a heading, what failed the check. No path is printed:
//! the caller knows where it asked the report to be written, and compare.sh writes
//! into a temporary directory it renames afterwards.

use crate::figures::terminal_figures;
use crate::format::{duration, factor};
use crate::table::{Report, Row, VsBaseline, WorkloadReport};

/// Shown for a value that does not exist.
const NONE: &str = "–";

/// Every workload's table, in report order.
pub fn tables(report: &Report) -> String {
    let with_baseline = report.baseline.is_some();
    report
        .workloads
        .iter()
        .map(|workload| table(workload, with_baseline))
        .collect()
}

/// How a column is aligned.
#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

fn table(workload: &WorkloadReport, with_baseline: bool) -> String {
    let figures = terminal_figures(&workload.workload);
    let mut heading = vec![
        workload.workload.clone(),
        "median".to_string(),
        "vs seq".to_string(),
        "vs ideal".to_string(),
    ];
    let mut aligns = vec![Align::Left, Align::Right, Align::Right, Align::Right];
    for figure in figures {
        heading.push(figure.heading().to_string());
        aligns.push(Align::Right);
    }
    if with_baseline {
        heading.push("vs baseline".to_string());
        aligns.push(Align::Left);
    }
    heading.push(String::new());
    aligns.push(Align::Left);

    let mut lines = vec![heading];
    for row in &workload.rows {
        let record = row.record.as_ref();
        let mut cells = vec![
            format!("  {}", row.variant),
            duration(row.timing.median),
            row.speedup_vs_seq.map_or_else(|| NONE.to_string(), factor),
            row.ratio_to_ideal.map_or_else(|| NONE.to_string(), factor),
        ];
        for figure in figures {
            cells.push(
                record
                    .and_then(|record| figure.value(record))
                    .map_or_else(|| NONE.to_string(), |value| value.to_string()),
            );
        }
        if with_baseline {
            cells.push(baseline(row));
        }
        cells.push(row.check().failure().unwrap_or_default().to_string());
        lines.push(cells);
    }
    aligned(&lines, &aligns)
}

/// `1.52× slower`, `0.99× within noise`, `1.05× too few runs`, `new`.
fn baseline(row: &Row) -> String {
    match row.vs_baseline {
        Some(vs @ VsBaseline::Compared { ratio, .. }) => {
            format!("{} {}", factor(ratio), vs.verdict())
        }
        Some(VsBaseline::New) => "new".to_string(),
        None => NONE.to_string(),
    }
}

/// The lines with every column padded to its widest cell, two spaces apart,
/// without trailing blanks.
fn aligned(lines: &[Vec<String>], aligns: &[Align]) -> String {
    let width = |column: usize| {
        lines
            .iter()
            .map(|cells| cells[column].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..aligns.len()).map(width).collect();
    let mut out = String::new();
    for cells in lines {
        let mut line = String::new();
        for ((cell, align), width) in cells.iter().zip(aligns).zip(&widths) {
            if *width == 0 {
                continue;
            }
            if !line.is_empty() {
                line.push_str("  ");
            }
            let padding = " ".repeat(width - cell.chars().count());
            match align {
                Align::Left => {
                    line.push_str(cell);
                    line.push_str(&padding);
                }
                Align::Right => {
                    line.push_str(&padding);
                    line.push_str(cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns are padded to their widest cell, numbers to the right, text to the left.
    #[test]
    fn columns_line_up() {
        let lines = vec![
            vec!["squares".to_string(), "median".to_string(), String::new()],
            vec!["  seq".to_string(), "1.00 s".to_string(), String::new()],
            vec![
                "  threads scoped".to_string(),
                "382 ms".to_string(),
                "✗ wrong answer".to_string(),
            ],
        ];
        assert_eq!(
            aligned(&lines, &[Align::Left, Align::Right, Align::Left]),
            "squares           median\n  \
             seq             1.00 s\n  \
             threads scoped  382 ms  ✗ wrong answer\n"
        );
    }
}
