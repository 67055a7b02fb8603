//! `seeds.tsv`: the seeds' experiments, as compare.sh copied them from
//! `scripts/python/experiments.tsv`, one line per CPython program and the concur
//! variant it is paired with.
//!
//! Columns are found by their header name, so a new column or a new order does not
//! break the report. The file describes the measurements rather than being one, so
//! it is read leniently where a value is odd (a seed time that is not a number is
//! absent, as `-` is) and strictly where the shape is wrong: a line with more or
//! fewer fields than the header would shift every value into the wrong column.
//! Without the file (a run older than the seeds, or one without them) there are no
//! experiments, and the seeds section pairs the variants by name alone.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// The name of the workload whose variants are the seeds' experiments.
pub const SEEDS: &str = "seeds";
/// File name of the experiments table in the results directory.
pub const SEEDS_FILE: &str = "seeds.tsv";

/// One experiment of the seeds: a CPython program of a blog post and its concur twin.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Experiment {
    /// `s000-download-seq`: the first word of both variants' names.
    pub id: String,
    /// What the post calls the program (`section Synchronous Version`, `cpu/0basic.py`).
    pub source: Option<String>,
    /// The CPython variant's model (`python-seq`, `python-threads`, ...).
    pub model: Option<String>,
    /// The concur workload it runs (`download`, `range-sum`, ...).
    pub workload: Option<String>,
    pub description: Option<String>,
    /// The time the post printed, at the seeds' sizes on the author's machine.
    pub seed_seconds: Option<f64>,
    /// Experiments whose answers must agree (the same job at the same size).
    pub group: Option<String>,
}

/// Reads `path`; a missing file is no experiments.
pub fn read(path: &Path) -> Result<Vec<Experiment>> {
    match fs::read_to_string(path) {
        Ok(text) => parse(&text).with_context(|| format!("{}", path.display())),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Parses the tab-separated text: a header line naming the columns (`id` is
/// required), then one experiment a line; blank lines are skipped.
pub fn parse(text: &str) -> Result<Vec<Experiment>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let names: Vec<&str> = header.split('\t').map(str::trim).collect();
    let column = |name: &str| names.iter().position(|column| *column == name);
    let Some(id_column) = column("id") else {
        bail!("the header line has no `id` column: {header:?}");
    };
    let mut experiments = Vec::new();
    for (index, line) in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != names.len() {
            bail!(
                "line {}: {} tab-separated fields, the header has {}",
                index + 1,
                fields.len(),
                names.len()
            );
        }
        let value = |name: &str| {
            column(name)
                .map(|at| fields[at].trim())
                .filter(|value| !value.is_empty() && *value != "-")
                .map(str::to_string)
        };
        experiments.push(Experiment {
            id: fields[id_column].trim().to_string(),
            source: value("source"),
            model: value("model"),
            workload: value("workload"),
            description: value("description"),
            seed_seconds: value("seed_seconds")
                .and_then(|seconds| seconds.parse::<f64>().ok())
                .filter(|seconds| seconds.is_finite() && *seconds > 0.0),
            group: value("group"),
        });
    }
    Ok(experiments)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id\tseed\tsource\tmodel\tworkload\tdescription\tseed_seconds\t\
                          latency_ms\tgroup\tpython\tconcur\n";

    /// Columns are read by name; `-` and odd numbers are absent.
    #[test]
    fn reads_columns_by_name() {
        let text = format!(
            "{HEADER}s002-cpu-basic\t002\tcpu/0basic.py\tpython-seq\trange-sum\tone loop\t8.6880\t-\t\
             range-sum-100000000\t{{py}} a.py\t{{bin}}/concur-seq\n\
             \n\
             s000-convert-racy\t000\tconvert\tpython-threads\tconvert\tracy\t-\t-\tconvert-20000\tx\ty\n"
        );
        let experiments = parse(&text).expect("parses");
        assert_eq!(experiments.len(), 2);
        assert_eq!(
            experiments[0],
            Experiment {
                id: "s002-cpu-basic".into(),
                source: Some("cpu/0basic.py".into()),
                model: Some("python-seq".into()),
                workload: Some("range-sum".into()),
                description: Some("one loop".into()),
                seed_seconds: Some(8.688),
                group: Some("range-sum-100000000".into()),
            }
        );
        assert_eq!(experiments[1].seed_seconds, None);
        assert_eq!(experiments[1].group.as_deref(), Some("convert-20000"));
    }

    /// A line with a field too many or too few is an error naming the line.
    #[test]
    fn misaligned_lines_are_errors() {
        let error = parse(&format!("{HEADER}s000\ta\tb\n")).expect_err("too few fields");
        assert!(format!("{error:#}").contains("line 2: 3 tab-separated fields, the header has 11"));
        assert!(parse("name\tgroup\nx\ty\n").is_err(), "no id column");
        assert_eq!(parse("").expect("empty"), Vec::new());
    }
}
