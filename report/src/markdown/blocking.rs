//! The `blocking` section: a table of every variant with its wall time and its
//! requests' latency percentiles, grouped by model with the model's reference (the
//! same variant without the blocking task) last, the chart of the percentiles, and
//! what the numbers say under it.
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use crate::blocking::{self, Variant};
use crate::format::{duration, table_cell};
use crate::svg;
use crate::table::WorkloadReport;

/// Shown in a table cell that has no value.
const NONE: &str = "–";

/// The section after its heading and parameters, up to the commands.
pub(super) fn body(workload: &WorkloadReport) -> String {
    let groups = blocking::groups(workload);
    let task = workload
        .rows
        .iter()
        .find_map(|row| row.record.as_ref()?.blocking_ms)
        .map_or_else(
            || "one more task computes".to_string(),
            |ms| format!("one more task computes for {ms} ms"),
        );
    let mut out = format!(
        "Each model downloads the pages while {task} without yielding. The task runs \
         where the model runs its tasks unless the variant moves it: *spawn-blocking* onto \
         tokio's blocking thread pool, *block-in-place* onto its worker thread after the \
         worker hands its other tasks on. Each *no blocking* row is the same model without \
         the task. *median*: hyperfine's wall time of the whole job; *p50*, *p99*, *max*: \
         the requests' latencies, from starting a request to its whole body read, in the \
         checked run (from its record).\n\n\
         | variant | blocking task | median | p50 | p99 | max | check |\n\
         |---|---|--:|--:|--:|--:|:-:|\n"
    );
    for variant in groups.iter().flat_map(|group| group.variants()) {
        out.push_str(&row(variant));
    }
    let _ = writeln!(
        out,
        "\n![{}: p50, p99 and max request latency per variant, coloured by model]({})\n",
        workload.workload,
        svg::file_name(&workload.workload)
    );
    let sentences = blocking::sentences(&groups);
    if !sentences.is_empty() {
        let _ = writeln!(out, "{}\n", sentences.join(" "));
    }
    out
}

fn row(variant: Variant) -> String {
    let ms = |value: f64| duration(value / 1000.0);
    let latency = variant.latency();
    let cell = |pick: fn(&crate::latency::LatencyMs) -> f64| {
        latency.map_or_else(|| NONE.to_string(), |latency| ms(pick(&latency)))
    };
    format!(
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        table_cell(&variant.row.variant),
        task_cell(variant),
        duration(variant.row.timing.median),
        cell(|latency| latency.p50),
        cell(|latency| latency.p99),
        cell(|latency| latency.max),
        variant.row.check().mark().unwrap_or(NONE)
    )
}

/// `none`, `500 ms`, `500 ms, spawn-blocking`, `500 ms, on the runtime`.
fn task_cell(variant: Variant) -> String {
    if variant.is_reference {
        return "none".to_string();
    }
    let mut cell = variant
        .blocking_ms()
        .map_or_else(|| "yes".to_string(), |ms| format!("{ms} ms"));
    if let Some(offload) = variant.offload {
        let _ = write!(cell, ", {offload}");
    } else if variant.on_runtime() {
        cell.push_str(", on the runtime");
    }
    cell
}
