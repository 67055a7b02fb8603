//! `summary.csv`: every workload x variant in one machine-readable table.
//!
//! Measured times keep full precision (seconds, as hyperfine wrote them); derived
//! numbers are rounded (ideal to the microsecond, ratios to four decimals) so that
//! floating-point noise does not look like precision. A value that does not exist
//! is an empty cell, never a 0. The column order stays fixed for the scripts that
//! read it rather than following the medians: `mean_s` comes first, but rows are
//! ordered by `median_s` and `speedup_vs_seq`, `ideal_s` and `ratio_to_ideal` are
//! computed from medians.

use crate::format::trimmed;
use crate::table::{Report, Row};

/// File name of the merged table.
pub const SUMMARY_FILE: &str = "summary.csv";

/// The header line, in column order.
pub const HEADER: &str = "workload,variant,mean_s,stddev_s,median_s,min_s,max_s,user_s,system_s,\
speedup_vs_seq,ideal_s,ratio_to_ideal,peak_rss_kib,checksum,checksum_agrees,runs";

/// The whole file: the header, then the rows of each workload in report order.
pub fn csv(report: &Report) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    for workload in &report.workloads {
        for row in &workload.rows {
            out.push_str(&line(&workload.workload, row));
            out.push('\n');
        }
    }
    out
}

fn line(workload: &str, row: &Row) -> String {
    let timing = &row.timing;
    let record = row.record.as_ref();
    let seconds = |value: f64| value.to_string();
    let cells = [
        field(workload),
        field(&row.variant),
        seconds(timing.mean),
        timing.stddev.map(seconds).unwrap_or_default(),
        seconds(timing.median),
        seconds(timing.min),
        seconds(timing.max),
        seconds(timing.user),
        seconds(timing.system),
        row.speedup_vs_seq
            .map(|value| trimmed(value, 4))
            .unwrap_or_default(),
        row.ideal
            .map(|ideal| trimmed(ideal.seconds, 6))
            .unwrap_or_default(),
        row.ratio_to_ideal
            .map(|value| trimmed(value, 4))
            .unwrap_or_default(),
        record
            .and_then(|record| record.peak_rss_kib)
            .map(|kib| kib.to_string())
            .unwrap_or_default(),
        record
            .and_then(|record| record.checksum.as_deref())
            .map(field)
            .unwrap_or_default(),
        row.checksum_agrees
            .map(|agrees| agrees.to_string())
            .unwrap_or_default(),
        row.runs().to_string(),
    ];
    cells.join(",")
}

/// A text cell, quoted (RFC 4180) only when it holds a comma, quote or line break.
pub(crate) fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text cells are quoted only when they must be, with quotes doubled.
    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("threads scoped"), "threads scoped");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    /// The header has the sixteen documented columns.
    #[test]
    fn header_has_sixteen_columns() {
        assert_eq!(HEADER.split(',').count(), 16);
        assert!(HEADER.starts_with("workload,variant,mean_s,"));
        assert!(HEADER.ends_with(",checksum,checksum_agrees,runs"));
    }
}
