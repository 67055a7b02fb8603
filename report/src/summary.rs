//! `summary.csv`: every workload x variant in one machine-readable table.
//!
//! Measured times keep full precision (seconds, as hyperfine wrote them); derived
//! numbers are rounded (ideal to the microsecond, ratios to four decimals) so that
//! floating-point noise does not look like precision. A value that does not exist
//! is an empty cell, never a 0. The column order stays fixed for the scripts that
//! read it rather than following the medians: `mean_s` comes first, but rows are
//! ordered by `median_s` and `speedup_vs_seq`, `ideal_s` and `ratio_to_ideal` are
//! computed from medians. New columns are added at the end, so a script that reads
//! columns by position keeps working:
//!
//! - `duplicates`, `rule_ok`: `convert`'s duplicate conversions and whether the
//!   variant kept the rule "never convert a key twice" (empty for other workloads);
//!   `checksum_agrees` stays about the checksum alone.
//! - `baseline_median_s`, `vs_baseline` (this median ÷ the baseline's) and
//!   `baseline_differs` (the rank test's verdict; empty with too few runs): all
//!   empty without `--baseline`, or for a variant the baseline did not time.
//! - `latency_p50_ms`, `latency_p99_ms`, `latency_max_ms`: the requests' latency
//!   percentiles in the checked run (`download`, `blocking`), empty when the
//!   record carries none.
//!
//! The seeds have no `seq`, so their speedup, ideal and ratio cells stay empty;
//! their `checksum_agrees` is against the answer of their experiment group.

use crate::format::trimmed;
use crate::table::{Report, Row, VsBaseline};

/// File name of the merged table.
pub const SUMMARY_FILE: &str = "summary.csv";

/// The header line, in column order.
pub const HEADER: &str = "workload,variant,mean_s,stddev_s,median_s,min_s,max_s,user_s,system_s,\
speedup_vs_seq,ideal_s,ratio_to_ideal,peak_rss_kib,checksum,checksum_agrees,runs,\
duplicates,rule_ok,baseline_median_s,vs_baseline,baseline_differs,latency_p50_ms,latency_p99_ms,latency_max_ms";

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
    let latency = record.and_then(|record| record.latency_ms);
    let seconds = |value: f64| value.to_string();
    let flag = |value: Option<bool>| value.map(|value| value.to_string()).unwrap_or_default();
    let (baseline_median, vs_baseline, baseline_differs) = match row.vs_baseline {
        Some(VsBaseline::Compared {
            baseline_median_s,
            ratio,
            difference,
        }) => (
            seconds(baseline_median_s),
            trimmed(ratio, 4),
            flag(difference.stands_out()),
        ),
        Some(VsBaseline::New) | None => Default::default(),
    };
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
        flag(row.checksum_agrees),
        row.runs().to_string(),
        record
            .and_then(|record| record.duplicates)
            .map(|duplicates| duplicates.to_string())
            .unwrap_or_default(),
        flag(row.rule_kept),
        baseline_median,
        vs_baseline,
        baseline_differs,
        latency.map(|l| trimmed(l.p50, 3)).unwrap_or_default(),
        latency.map(|l| trimmed(l.p99, 3)).unwrap_or_default(),
        latency.map(|l| trimmed(l.max, 3)).unwrap_or_default(),
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

    /// The header keeps the sixteen original columns in place and adds eight at the end.
    #[test]
    fn header_has_twenty_four_columns() {
        assert_eq!(HEADER.split(',').count(), 24);
        assert!(HEADER.starts_with("workload,variant,mean_s,"));
        assert_eq!(HEADER.split(',').nth(15), Some("runs"));
        assert!(HEADER.ends_with(
            ",checksum,checksum_agrees,runs,duplicates,rule_ok,baseline_median_s,vs_baseline,\
             baseline_differs,latency_p50_ms,latency_p99_ms,latency_max_ms"
        ));
    }
}
