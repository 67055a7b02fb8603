//! The ideal bound: the fastest a variant could possibly run, and the rule that says so.
//!
//! A binary that knows its own bound reports it (`ideal_ms`) and that wins; otherwise
//! the report knows a rule for two kinds of workload by name, waiting (`download`)
//! and CPU-bound (`squares`, `range-sum`), and leaves the others without a bound
//! rather than guess one.

use crate::input::Record;

/// Workload names that have an ideal-bound rule. These are the names the binaries
/// use on their command line; the report only needs them as strings.
pub(crate) const DOWNLOAD: &str = "download";
pub(crate) const CPU_BOUND: [&str; 2] = ["squares", "range-sum"];

/// The fastest time a variant could reach, and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ideal {
    pub seconds: f64,
    pub rule: IdealRule,
}

/// Which rule gave an ideal bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IdealRule {
    /// The binary reported `ideal_ms` in its record.
    Reported,
    /// `ceil(requests / concurrency) * latency_ms`: waves of requests, each one latency long.
    Latency,
    /// `seq median / min(concurrency, cores)`: perfect division of the sequential work.
    CpuBound,
}

/// The ideal bound of one variant, by the first rule that applies:
/// the record's own `ideal_ms`; for `download` the latency rule; for the CPU-bound
/// workloads the sequential time divided among the lanes that can really run at
/// once (`seq` itself: its own median). `None` when a rule's inputs are missing.
pub fn ideal(
    workload: &str,
    is_seq: bool,
    record: Option<&Record>,
    seq_median_s: Option<f64>,
    latency_ms: Option<f64>,
    cores: Option<u64>,
) -> Option<Ideal> {
    if let Some(ms) = record.and_then(|record| record.ideal_ms)
        && ms.is_finite()
        && ms > 0.0
    {
        return Some(Ideal {
            seconds: ms / 1000.0,
            rule: IdealRule::Reported,
        });
    }
    if workload == DOWNLOAD {
        let record = record?;
        let waves = record.requests?.div_ceil(record.parallelism());
        return Some(Ideal {
            // Exact: request counts are far below 2^53.
            seconds: waves as f64 * latency_ms? / 1000.0,
            rule: IdealRule::Latency,
        });
    }
    if CPU_BOUND.contains(&workload) {
        let seq_median_s = seq_median_s?;
        let lanes = if is_seq {
            1
        } else {
            record?.parallelism().min(cores?.max(1))
        };
        return Some(Ideal {
            seconds: seq_median_s / lanes as f64,
            rule: IdealRule::CpuBound,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(concurrency: Option<u64>, workers: Option<u64>, requests: Option<u64>) -> Record {
        Record {
            concurrency,
            workers,
            requests,
            ..Record::default()
        }
    }

    fn seconds(ideal: Option<Ideal>) -> Option<f64> {
        ideal.map(|ideal| ideal.seconds)
    }

    /// A record's own `ideal_ms` beats every other rule, for any workload.
    #[test]
    fn reported_ideal_wins() {
        let reported = Record {
            ideal_ms: Some(250.0),
            requests: Some(160),
            ..Record::default()
        };
        for workload in ["download", "squares", "convert"] {
            assert_eq!(
                ideal(
                    workload,
                    false,
                    Some(&reported),
                    Some(9.0),
                    Some(50.0),
                    Some(2)
                ),
                Some(Ideal {
                    seconds: 0.25,
                    rule: IdealRule::Reported
                })
            );
        }
    }

    /// Download's ideal is one latency per wave of `concurrency` requests, rounded up.
    #[test]
    fn download_ideal_counts_waves_of_requests() {
        let ideal_s = |record: &Record| {
            seconds(ideal(
                "download",
                false,
                Some(record),
                None,
                Some(50.0),
                Some(2),
            ))
        };
        // compare.sh's default latency; one request at a time without a concurrency.
        assert_eq!(ideal_s(&record(None, None, Some(160))), Some(8.0));
        assert_eq!(ideal_s(&record(Some(5), None, Some(160))), Some(1.6));
        assert_eq!(ideal_s(&record(Some(160), None, Some(160))), Some(0.05));
        assert_eq!(ideal_s(&record(None, Some(2), Some(160))), Some(4.0));
        // 161 requests in waves of 5: 33 waves, not 32.2.
        assert_eq!(ideal_s(&record(Some(5), None, Some(161))), Some(1.65));
        // Cores do not bound waiting.
        assert_eq!(ideal_s(&record(Some(64), None, Some(128))), Some(0.1));
        assert_eq!(
            ideal(
                "download",
                false,
                Some(&record(Some(5), None, Some(160))),
                None,
                None,
                None
            ),
            None,
            "no latency, no bound"
        );
        assert_eq!(ideal_s(&record(Some(5), None, None)), None, "no requests");
        assert_eq!(
            ideal("download", false, None, None, Some(50.0), None),
            None,
            "no record"
        );
    }

    /// CPU-bound ideals divide the seq median among min(concurrency, cores) lanes.
    #[test]
    fn cpu_ideal_divides_seq_among_usable_cores() {
        let ideal_s = |record: Option<&Record>, is_seq: bool, cores: Option<u64>| {
            seconds(ideal("squares", is_seq, record, Some(3.0), None, cores))
        };
        assert_eq!(
            ideal_s(Some(&record(Some(2), None, None)), false, Some(2)),
            Some(1.5)
        );
        assert_eq!(
            ideal_s(Some(&record(Some(8), None, None)), false, Some(2)),
            Some(1.5)
        );
        assert_eq!(
            ideal_s(Some(&record(None, Some(3), None)), false, Some(4)),
            Some(1.0)
        );
        assert_eq!(
            ideal_s(Some(&record(None, None, None)), false, Some(4)),
            Some(3.0)
        );
        assert_eq!(
            ideal_s(None, true, None),
            Some(3.0),
            "seq's ideal is its median"
        );
        assert_eq!(ideal_s(None, false, Some(2)), None, "no record");
        assert_eq!(
            ideal_s(Some(&record(Some(2), None, None)), false, None),
            None
        );
        assert_eq!(
            seconds(ideal(
                "range-sum",
                false,
                Some(&record(Some(2), None, None)),
                Some(4.0),
                None,
                Some(2)
            )),
            Some(2.0)
        );
        assert_eq!(
            ideal("range-sum", true, None, None, None, Some(2)),
            None,
            "no seq"
        );
    }

    /// Workloads without a rule (and without `ideal_ms`) have no bound.
    #[test]
    fn other_workloads_have_no_ideal() {
        let any = record(Some(2), None, Some(10));
        assert_eq!(
            ideal("convert", false, Some(&any), Some(1.0), Some(50.0), Some(2)),
            None
        );
    }
}
