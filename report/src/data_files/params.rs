//! `params.json`: how the run was made (sizes, runs, rounds, warmup, latency,
//! what idle CPUs did, the CPython used or why it was not), in the layout the
//! report reads ([`input`](crate::input)): one line of JSON, the workloads as an
//! object in the order they ran.

use anyhow::{Context, Result, bail};
use serde::{Serialize, Serializer};

use crate::input::is_file_name;

/// The file's keys, in the order they are written.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ParamsFile {
    pub latency_ms: u64,
    pub quick: bool,
    pub runs: u64,
    pub rounds: u64,
    pub warmup: u64,
    pub idle: String,
    /// Workload name and its parameters, in the order they ran.
    #[serde(serialize_with = "in_order")]
    pub workloads: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub python: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub python_skipped: Option<String>,
}

/// Parses a `NAME=ARGS` workload argument; the name must be usable as a file name.
pub fn parse_workload(argument: &str) -> Result<(String, String)> {
    let Some((name, parameters)) = argument.split_once('=') else {
        bail!("expected NAME=ARGS (e.g. squares=--start 5 --count 20), got {argument:?}");
    };
    if !is_file_name(name) {
        bail!("workload name {name:?} cannot be used as a file name");
    }
    Ok((name.to_string(), parameters.to_string()))
}

/// The file's text: one line of JSON. A workload named twice is an error, since
/// the object would keep only one of them.
pub fn render(file: &ParamsFile) -> Result<String> {
    for (index, (name, _)) in file.workloads.iter().enumerate() {
        if file.workloads[..index]
            .iter()
            .any(|(earlier, _)| earlier == name)
        {
            bail!("workload {name:?} is given twice");
        }
    }
    let mut text = serde_json::to_string(file).context("cannot serialize params.json")?;
    text.push('\n');
    Ok(text)
}

/// A list of pairs as a JSON object, keeping its order (a map would sort it).
fn in_order<S: Serializer>(pairs: &[(String, String)], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(name, parameters)| (name, parameters)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout is today's, workloads in the given order; python keys only when set.
    #[test]
    fn layout_and_order() -> Result<()> {
        let file = ParamsFile {
            latency_ms: 50,
            quick: false,
            runs: 10,
            rounds: 5,
            warmup: 1,
            idle: "poll".to_string(),
            workloads: vec![
                parse_workload("squares=--start 50000000 --count 20")?,
                parse_workload("download=--preset realpython --repeat 80")?,
                parse_workload("convert=")?,
            ],
            python: None,
            python_skipped: None,
        };
        assert_eq!(
            render(&file)?,
            "{\"latency_ms\":50,\"quick\":false,\"runs\":10,\"rounds\":5,\"warmup\":1,\
             \"idle\":\"poll\",\"workloads\":{\"squares\":\"--start 50000000 --count 20\",\
             \"download\":\"--preset realpython --repeat 80\",\"convert\":\"\"}}\n"
        );
        let skipped = ParamsFile {
            python_skipped: Some("no python3".to_string()),
            ..file
        };
        assert!(render(&skipped)?.ends_with(",\"python_skipped\":\"no python3\"}\n"));
        Ok(())
    }

    /// Bad workload arguments and repeated names are refused.
    #[test]
    fn bad_workloads_are_refused() {
        assert!(parse_workload("squares").is_err());
        assert!(parse_workload("=--count 2").is_err());
        assert!(parse_workload("../x=1").is_err());
        assert_eq!(
            parse_workload("a=b=c").ok(),
            Some(("a".to_string(), "b=c".to_string()))
        );
        let twice = ParamsFile {
            workloads: vec![("a".into(), String::new()), ("a".into(), String::new())],
            ..ParamsFile::default()
        };
        assert!(render(&twice).is_err());
    }
}
