//! One line of a sweep's `records.jsonl` (`concur-report sweep-record`): which
//! sweep, parameter, value and variant, the exact command, where its hyperfine
//! export is, and the result record the binary printed.
//!
//! The record is kept as the binary wrote it (key order and numbers untouched)
//! and checked as compare.sh's record lines are ([`record_object`]); the value
//! is written as the JSON number it was given, so `1000000` stays an integer.

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Number;
use serde_json::value::RawValue;

use crate::data_files::record::record_object;

/// What `sweep.sh` knows about a point.
#[derive(Debug, Clone, Copy)]
pub struct Given<'a> {
    pub sweep: &'a str,
    pub parameter: &'a str,
    /// The swept parameter's value, as text (`1000`, `0.5`).
    pub value: &'a str,
    pub variant: &'a str,
    pub command: &'a str,
    /// The hyperfine export, relative to the sweep directory.
    pub export: &'a str,
}

#[derive(Serialize)]
struct Line<'a> {
    sweep: &'a str,
    parameter: &'a str,
    value: Number,
    variant: &'a str,
    command: &'a str,
    export: &'a str,
    record: &'a RawValue,
}

/// The line for `records.jsonl` (without its line break); an error when the
/// value is not a finite number or `record` is not a JSON object.
pub fn sweep_line(given: &Given, record: &str) -> Result<String> {
    let value: Number = serde_json::from_str(given.value.trim())
        .ok()
        .filter(|number: &Number| number.as_f64().is_some_and(f64::is_finite))
        .with_context(|| format!("the value {:?} is not a number", given.value))?;
    let raw = record_object(record)?;
    serde_json::to_string(&Line {
        sweep: given.sweep,
        parameter: given.parameter,
        value,
        variant: given.variant,
        command: given.command,
        export: given.export,
        record: &raw,
    })
    .context("cannot serialize the record line")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(value: &str) -> Given<'_> {
        Given {
            sweep: "tasks",
            parameter: "tasks",
            value,
            variant: "async \"join\"",
            command: "bin/concur-async sleep --tasks 10",
            export: "tasks/001.json",
        }
    }

    /// The value becomes a JSON number as written; the record is kept as written.
    #[test]
    fn line_keeps_value_and_record() -> Result<()> {
        let line = sweep_line(
            &given("1000000"),
            r#"{"model":"async","peak_rss_kib":2048.0}"#,
        )?;
        assert_eq!(
            line,
            r#"{"sweep":"tasks","parameter":"tasks","value":1000000,"variant":"async \"join\"","command":"bin/concur-async sleep --tasks 10","export":"tasks/001.json","record":{"model":"async","peak_rss_kib":2048.0}}"#
        );
        assert!(sweep_line(&given(" 0.5 "), "{}")?.contains(r#""value":0.5,"#));
        let spread = sweep_line(&given("1"), "{\n \"b\": 1\n}")?;
        assert!(spread.ends_with(r#""record":{"b":1}}"#), "{spread}");
        Ok(())
    }

    /// A value that is not a number, or a record that is not an object, is refused.
    #[test]
    fn bad_values_and_records_are_refused() {
        for bad in ["", "ten", "1e999", "NaN", "0x10", "1,5"] {
            assert!(sweep_line(&given(bad), "{}").is_err(), "{bad:?}");
        }
        for bad in ["", "not json", "[1]", "42", "{\"a\":1} x"] {
            assert!(sweep_line(&given("1"), bad).is_err(), "{bad:?}");
        }
    }
}
