//! `<sweep>.csv`: one row per point, in the order the points ran.
//!
//! As in `summary.csv`, measured times keep hyperfine's precision, derived
//! numbers are rounded to what they can mean, and a figure that does not exist
//! is an empty cell, never a 0. The base columns are the same for every sweep;
//! the sweep's own figures follow, `ideal_s` and `ratio_to_ideal` last.

use crate::format::trimmed;
use crate::summary::field;

use super::point::Table;

/// The columns every sweep's CSV starts with.
pub const BASE_HEADER: &str =
    "sweep,variant,parameter,value,median_s,min_s,max_s,runs,peak_rss_kib";

/// The header line of a sweep's CSV.
pub fn header(table: &Table) -> String {
    let mut header = BASE_HEADER.to_string();
    for column in &table.columns {
        header.push(',');
        header.push_str(column.name);
    }
    header
}

/// The whole file.
pub fn csv(table: &Table) -> String {
    let mut out = header(table);
    out.push('\n');
    for row in &table.rows {
        let point = row.point;
        let mut cells = vec![
            field(&table.sweep.name),
            field(&point.variant),
            field(&table.sweep.parameter),
            trimmed(point.value, 6),
            point.timing.median_s.to_string(),
            point.timing.min_s.to_string(),
            point.timing.max_s.to_string(),
            point.timing.runs.to_string(),
            point
                .record
                .peak_rss_kib
                .map(|kib| kib.to_string())
                .unwrap_or_default(),
        ];
        cells.extend(table.columns.iter().zip(&row.cells).map(|(column, cell)| {
            cell.map(|cell| trimmed(cell, column.decimals))
                .unwrap_or_default()
        }));
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}
