//! One line of `records.jsonl`: which workload and variant, the exact command,
//! and the result record the binary printed, kept as the binary wrote it (key
//! order and numbers untouched) when it is one line already.

use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::value::RawValue;

#[derive(Serialize)]
struct RecordLine<'a> {
    workload: &'a str,
    variant: &'a str,
    command: &'a str,
    record: &'a RawValue,
}

/// The line for `records.jsonl` (without its line break); an error when `record`
/// is not a JSON object.
pub fn record_line(workload: &str, variant: &str, command: &str, record: &str) -> Result<String> {
    let raw = record_object(record)?;
    serde_json::to_string(&RecordLine {
        workload,
        variant,
        command,
        record: &raw,
    })
    .context("cannot serialize the record line")
}

/// A result record as one line of JSON, as written when it is one line already;
/// an error when it is not a JSON object. (Also read by the sweeps' record lines.)
pub fn record_object(record: &str) -> Result<Box<RawValue>> {
    let raw: Box<RawValue> = serde_json::from_str(record)
        .with_context(|| format!("the record is not JSON: {}", excerpt(record)))?;
    if !raw.get().starts_with('{') {
        bail!("the record is not a JSON object: {}", excerpt(record));
    }
    // A record spread over lines would break the one-record-a-line file: re-encode it.
    if raw.get().contains(['\n', '\r']) {
        let value: serde_json::Value =
            serde_json::from_str(raw.get()).context("the record is not JSON")?;
        return RawValue::from_string(value.to_string()).context("cannot re-encode the record");
    }
    Ok(raw)
}

/// The start of a text for a message, on one line.
fn excerpt(text: &str) -> String {
    let short: String = text.chars().take(120).collect();
    let more = if short.len() < text.len() { "..." } else { "" };
    format!("{:?}{more}", short)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The record is embedded as written; names and command are JSON-escaped.
    #[test]
    fn record_is_kept_as_written() -> Result<()> {
        let line = record_line(
            "squares",
            "threads \"scoped\"",
            "bin\\concur squares",
            r#"{"model":"threads","checksum":"42","elapsed_ms":1.50}"#,
        )?;
        assert_eq!(
            line,
            r#"{"workload":"squares","variant":"threads \"scoped\"","command":"bin\\concur squares","record":{"model":"threads","checksum":"42","elapsed_ms":1.50}}"#
        );
        let spread = record_line("w", "v", "c", "{\n  \"b\": 1,\n  \"a\": 2\n}\n")?;
        assert_eq!(
            spread,
            r#"{"workload":"w","variant":"v","command":"c","record":{"a":2,"b":1}}"#
        );
        Ok(())
    }

    /// Anything but a JSON object is an error.
    #[test]
    fn non_objects_are_refused() {
        for bad in [
            "",
            "not json",
            "[1,2]",
            "42",
            "{\"a\":1} trailing",
            "{\"a\":",
        ] {
            assert!(record_line("w", "v", "c", bad).is_err(), "{bad:?}");
        }
    }
}
