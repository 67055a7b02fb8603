//! Reading what `scripts/sweep.sh` left in its output directory: `records.jsonl`
//! (one line per point, written by `concur-report sweep-record`), each point's
//! hyperfine export, `params.json` and `machine.json`.
//!
//! Strict like the compare report's reader ([`crate::input`], whose readers are
//! reused here): a garbled line or export is an error naming the file and line,
//! since a curve drawn from half the points would look plausible and be wrong.

use std::path::{Component, Path};

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::input::{
    HyperfineResult, MACHINE_FILE, PARAMS_FILE, RECORDS_FILE, Record, read_hyperfine, read_machine,
    read_params, read_text,
};

use super::point::{Inputs, Kind, Point, Sweep, Timing};

/// One line of `records.jsonl` as [`sweep_line`](super::line::sweep_line) writes it.
#[derive(Deserialize)]
struct RawLine {
    sweep: String,
    parameter: String,
    value: f64,
    variant: String,
    command: String,
    export: String,
    record: Map<String, Value>,
}

/// Reads every input in `dir`. Nothing is written.
pub fn load(dir: &Path) -> Result<Inputs> {
    if !dir.is_dir() {
        bail!(
            "{} is not a directory (expected the output directory of scripts/sweep.sh)",
            dir.display()
        );
    }
    let params = read_params(&dir.join(PARAMS_FILE))?;
    let machine = read_machine(&dir.join(MACHINE_FILE))?;
    let path = dir.join(RECORDS_FILE);
    let mut sweeps: Vec<Sweep> = Vec::new();
    for (index, line) in read_text(&path)?.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{}:{}", path.display(), index + 1);
        let raw: RawLine = serde_json::from_str(line).with_context(|| {
            format!(
                "{at}: not a sweep record line ({{\"sweep\":...,\"value\":N,\"variant\":...,\
                 \"export\":...,\"record\":{{...}}}})"
            )
        })?;
        let point = point(dir, &raw, index + 1).with_context(|| at.clone())?;
        match sweeps.iter_mut().find(|sweep| sweep.name == raw.sweep) {
            Some(sweep) => sweep.points.push(point),
            None => sweeps.push(Sweep {
                kind: Kind::of(&raw.sweep),
                name: raw.sweep,
                parameter: raw.parameter,
                points: vec![point],
            }),
        }
    }
    if sweeps.is_empty() {
        bail!("{}: no points", path.display());
    }
    for sweep in &sweeps {
        check_file_name(&sweep.name).with_context(|| path.display().to_string())?;
        check_unique(sweep).with_context(|| path.display().to_string())?;
    }
    Ok(Inputs {
        params,
        machine,
        sweeps,
    })
}

/// A point from its line and its export.
fn point(dir: &Path, raw: &RawLine, line: usize) -> Result<Point> {
    if !raw.value.is_finite() {
        bail!("value {} is not a finite number", raw.value);
    }
    let relative = Path::new(&raw.export);
    if !relative
        .components()
        .all(|part| matches!(part, Component::Normal(_)))
    {
        bail!(
            "export {:?} must be a path inside the sweep directory",
            raw.export
        );
    }
    let results = read_hyperfine(&dir.join(relative))?;
    let [result] = results.as_slice() else {
        bail!(
            "{} holds {} results; a point's export holds one",
            raw.export,
            results.len()
        );
    };
    let wait_ms = raw
        .record
        .get("wait_ms")
        .and_then(Value::as_f64)
        .or_else(|| option(&raw.command, "--wait-ms"));
    Ok(Point {
        line,
        variant: raw.variant.clone(),
        value: raw.value,
        command: raw.command.clone(),
        export: raw.export.clone(),
        record: Record::from_object(&raw.record),
        wait_ms,
        pss_kib: raw.record.get("pss_kib").and_then(Value::as_u64),
        timing: timing(result),
    })
}

/// Median, fastest and slowest of the runs' `times` (hyperfine's own figures
/// when an export has no `times`).
fn timing(result: &HyperfineResult) -> Timing {
    let mut times: Vec<f64> = result.times.clone();
    if times.is_empty() {
        return Timing {
            median_s: result.median,
            min_s: result.min,
            max_s: result.max,
            runs: 1,
        };
    }
    times.sort_by(f64::total_cmp);
    let middle = times.len() / 2;
    let median_s = if times.len() % 2 == 1 {
        times[middle]
    } else {
        (times[middle - 1] + times[middle]) / 2.0
    };
    Timing {
        median_s,
        min_s: times[0],
        max_s: times[times.len() - 1],
        runs: times.len(),
    }
}

/// The number after `name` in a command line (`--wait-ms 1000`).
pub fn option(command: &str, name: &str) -> Option<f64> {
    let mut words = command.split_whitespace();
    words.find(|word| *word == name)?;
    words.next()?.parse().ok()
}

/// A sweep's name becomes `<sweep>.csv` and `<sweep>.svg`.
fn check_file_name(sweep: &str) -> Result<()> {
    if sweep.is_empty() || sweep.starts_with('.') || sweep.contains(['/', '\\']) {
        bail!("sweep name {sweep:?} cannot be used as a file name");
    }
    if sweep == "README" || sweep == "records" {
        bail!("sweep name {sweep:?} would overwrite one of the sweep report's own files");
    }
    Ok(())
}

/// A variant is measured once per value: a second point would leave it unclear
/// which one the curve shows.
fn check_unique(sweep: &Sweep) -> Result<()> {
    for (index, point) in sweep.points.iter().enumerate() {
        if let Some(earlier) = sweep.points[..index]
            .iter()
            .find(|earlier| earlier.variant == point.variant && earlier.value == point.value)
        {
            bail!(
                "lines {} and {}: {} / {} at {} measured twice",
                earlier.line,
                point.line,
                sweep.name,
                point.variant,
                point.value
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The median is the middle run (or the mean of the two middle runs).
    #[test]
    fn median_of_the_runs() {
        let mut result = HyperfineResult {
            command: "x".into(),
            mean: 2.0,
            stddev: None,
            median: 9.0,
            user: 0.0,
            system: 0.0,
            min: 9.0,
            max: 9.0,
            times: vec![3.0, 1.0, 2.0],
            exit_codes: vec![],
        };
        let three = timing(&result);
        assert_eq!((three.median_s, three.min_s, three.max_s), (2.0, 1.0, 3.0));
        assert_eq!(three.runs, 3);
        result.times = vec![4.0, 1.0, 2.0, 3.0];
        assert_eq!(timing(&result).median_s, 2.5);
        result.times.clear();
        assert_eq!(timing(&result).median_s, 9.0, "hyperfine's own median");
    }

    /// Options are read from the command line; a missing or bad one is absent.
    #[test]
    fn options_from_the_command() {
        let command = "bin/concur-async sleep --tasks 10 --wait-ms 1000";
        assert_eq!(option(command, "--wait-ms"), Some(1000.0));
        assert_eq!(option(command, "--tasks"), Some(10.0));
        assert_eq!(option(command, "--workers"), None);
        assert_eq!(option("x --wait-ms", "--wait-ms"), None);
    }
}
