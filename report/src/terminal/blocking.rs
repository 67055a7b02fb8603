//! The blocking workload in the terminal: one line per variant with the task
//! (median, p50, p99, max), with the p99 of the same model without the task
//! beside it rather than on a line of its own, so the workload's thirteen
//! variants take nine lines. A reference no variant points to keeps its line.

use crate::blocking::{self, Variant};
use crate::columns::{Align, aligned};
use crate::format::duration;
use crate::table::WorkloadReport;

/// Shown for a value that does not exist.
const NONE: &str = "–";

/// The blocking workload's table.
pub(super) fn table(workload: &WorkloadReport) -> String {
    let mut lines = vec![
        [
            workload.workload.as_str(),
            "median",
            "p50",
            "p99",
            "max",
            "p99 no blocking",
            "",
        ]
        .map(str::to_string)
        .to_vec(),
    ];
    let ms =
        |value: Option<f64>| value.map_or_else(|| NONE.to_string(), |ms| duration(ms / 1000.0));
    for group in blocking::groups(workload) {
        let reference = group.reference.and_then(|v| v.latency()).map(|l| l.p99);
        let shown: Vec<Variant> = if group.with_task.is_empty() {
            group.reference.into_iter().collect()
        } else {
            group.with_task.clone()
        };
        for variant in shown {
            let latency = variant.latency();
            lines.push(vec![
                format!("  {}", variant.row.variant),
                duration(variant.row.timing.median),
                ms(latency.map(|l| l.p50)),
                ms(latency.map(|l| l.p99)),
                ms(latency.map(|l| l.max)),
                if variant.is_reference {
                    String::new()
                } else {
                    ms(reference)
                },
                variant
                    .row
                    .check()
                    .failure()
                    .unwrap_or_default()
                    .to_string(),
            ]);
        }
    }
    let mut aligns = [Align::Right; 7];
    aligns[0] = Align::Left;
    aligns[6] = Align::Left;
    aligned(&lines, &aligns)
}
