//! The per-request latency a `download` record carries, `latency_ms`:
//! `{"p50":F,"p90":F,"p99":F,"max":F}` in milliseconds.
//!
//! The binaries compute the percentiles themselves (nearest rank, so every value
//! is a latency that was measured); the report only reads and shows them. Read as
//! leniently as the record's other fields: an object that lacks a percentile, or
//! holds one that is not a non-negative number, counts as absent, because a
//! table with a made-up tail would be worse than one without.
//!
//! The writer's side is `concur-shared`'s `workload::latency` (same fields, only
//! `Serialize`); this reader is the report's own because the report does not
//! depend on `concur-shared`, and it reads leniently where serde would not.

use serde_json::Value;

/// Latency percentiles of one run's requests, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyMs {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl LatencyMs {
    /// The percentiles of a record's `latency_ms` value; `None` unless all four are there.
    pub fn from_value(value: &Value) -> Option<LatencyMs> {
        let object = value.as_object()?;
        let ms = |key: &str| {
            object
                .get(key)
                .and_then(Value::as_f64)
                .filter(|ms| ms.is_finite() && *ms >= 0.0)
        };
        Some(LatencyMs {
            p50: ms("p50")?,
            p90: ms("p90")?,
            p99: ms("p99")?,
            max: ms("max")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All four percentiles are needed; a missing or odd one makes the whole absent.
    #[test]
    fn reads_all_four_or_none() {
        let value: Value =
            serde_json::from_str(r#"{"p50":51.2,"p90":53,"p99":512.5,"max":530.25}"#)
                .expect("valid JSON");
        assert_eq!(
            LatencyMs::from_value(&value),
            Some(LatencyMs {
                p50: 51.2,
                p90: 53.0,
                p99: 512.5,
                max: 530.25
            })
        );
        for odd in [
            r#"{"p50":1,"p90":2,"p99":3}"#,
            r#"{"p50":1,"p90":2,"p99":"3","max":4}"#,
            r#"{"p50":-1,"p90":2,"p99":3,"max":4}"#,
            "null",
            "12",
        ] {
            let value: Value = serde_json::from_str(odd).expect("valid JSON");
            assert_eq!(LatencyMs::from_value(&value), None, "{odd}");
        }
    }
}
