//! Each workload's key figures: the numbers from the records that say what the
//! workload is about, beside the times. `download` is about waiting, so how many
//! requests were in flight at once and whether any failed; `convert` is about
//! never converting a key twice, so how many lookups ran and how many of them
//! were duplicates; the CPU-bound workloads are about how many lanes ran at once.
//!
//! Chosen by workload name, like the ideal rules in [`ideal`](mod@crate::ideal): the
//! figures only mean something for the workload that defines them.

use crate::ideal::{CPU_BOUND, DOWNLOAD};
use crate::input::Record;

/// The workload whose rule is "never convert the same key twice".
pub(crate) const CONVERT: &str = "convert";

/// One number from a variant's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// How many pieces of work may run at once (`concurrency`, else `workers`).
    Concurrency,
    /// The most requests in flight at once: `peak_in_flight` where the record
    /// counts it (async), else its `concurrency` or `workers` (a worker has one
    /// request at a time).
    PeakInFlight,
    Errors,
    Conversions,
    Duplicates,
}

impl Figure {
    pub fn heading(self) -> &'static str {
        match self {
            Figure::Concurrency => "concurrency",
            Figure::PeakInFlight => "peak in flight",
            Figure::Errors => "errors",
            Figure::Conversions => "conversions",
            Figure::Duplicates => "duplicates",
        }
    }

    pub fn value(self, record: &Record) -> Option<u64> {
        match self {
            Figure::Concurrency => record.concurrency.or(record.workers),
            Figure::PeakInFlight => record
                .peak_in_flight
                .or(record.concurrency)
                .or(record.workers),
            Figure::Errors => record.errors,
            Figure::Conversions => record.conversions,
            Figure::Duplicates => record.duplicates,
        }
    }
}

/// The extra columns of a workload's README table (the CPU-bound workloads' lanes
/// are already in their ideal bound).
pub fn table_figures(workload: &str) -> &'static [Figure] {
    match workload {
        DOWNLOAD => &[Figure::PeakInFlight, Figure::Errors],
        CONVERT => &[Figure::Conversions, Figure::Duplicates],
        _ => &[],
    }
}

/// The figures of a workload's terminal summary: one or two, to keep a line short.
pub fn terminal_figures(workload: &str) -> &'static [Figure] {
    match workload {
        DOWNLOAD => &[Figure::PeakInFlight, Figure::Errors],
        CONVERT => &[Figure::Duplicates],
        _ if CPU_BOUND.contains(&workload) => &[Figure::Concurrency],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Peak in flight is the async count where there is one, else the concurrency.
    #[test]
    fn peak_in_flight_falls_back_to_concurrency() {
        let record = |peak: Option<u64>, concurrency: Option<u64>| Record {
            peak_in_flight: peak,
            concurrency,
            ..Record::default()
        };
        assert_eq!(
            Figure::PeakInFlight.value(&record(Some(160), Some(160))),
            Some(160)
        );
        assert_eq!(
            Figure::PeakInFlight.value(&record(Some(5), Some(160))),
            Some(5)
        );
        assert_eq!(Figure::PeakInFlight.value(&record(None, Some(5))), Some(5));
        assert_eq!(Figure::PeakInFlight.value(&record(None, None)), None);
    }

    /// Each workload gets its own figures; an unknown one gets none.
    #[test]
    fn figures_by_workload() {
        assert_eq!(
            table_figures("convert"),
            [Figure::Conversions, Figure::Duplicates]
        );
        assert_eq!(terminal_figures("squares"), [Figure::Concurrency]);
        assert!(table_figures("squares").is_empty());
        assert!(terminal_figures("other").is_empty());
    }
}
