//! Helpers shared by the integration tests: the binary, the fixture directories
//! in `tests/fixtures/report/`, private scratch copies of them (trimmed to some
//! variants, or with the report already run), and a well-formedness check of the
//! SVG charts.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

pub const BINARY: &str = env!("CARGO_BIN_EXE_concur-report");

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report").join(name)
}

/// A private directory in the system temporary directory, deleted on drop.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    /// An empty scratch directory; `label` shows in its name.
    pub fn empty(label: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "concur-report-test-{}-{}-{label}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create scratch directory");
        Scratch { dir }
    }

    /// A copy of a fixture directory on which `concur-report --dir` has run and
    /// succeeded: where most tests start.
    pub fn reported(fixture_name: &str) -> Scratch {
        let scratch = Scratch::copy_of(fixture_name);
        let output = scratch.run();
        assert!(output.status.success(), "{}", stderr(&output));
        scratch
    }

    /// A copy of the files of a fixture directory.
    pub fn copy_of(fixture_name: &str) -> Scratch {
        let scratch = Scratch::empty(fixture_name);
        for entry in fs::read_dir(fixture(fixture_name)).expect("read fixture directory") {
            let path = entry.expect("fixture entry").path();
            let name = path.file_name().expect("fixture file name");
            fs::copy(&path, scratch.dir.join(name)).expect("copy fixture file");
        }
        scratch
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).unwrap_or_else(|error| panic!("read {name}: {error}"))
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) {
        fs::write(self.path(name), contents).expect("write scratch file");
    }

    pub fn remove(&self, name: &str) {
        fs::remove_file(self.path(name)).expect("remove scratch file");
    }

    /// Keeps only the variants of `workload` whose name `keep` accepts, in both
    /// its hyperfine export `<workload>.json` and `records.jsonl`; the records of
    /// other workloads stay as they are.
    pub fn keep_variants(&self, workload: &str, keep: impl Fn(&str) -> bool) {
        let export_name = format!("{workload}.json");
        let export: Value = serde_json::from_str(&self.read(&export_name)).expect("JSON export");
        let results: Vec<&Value> = export["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter(|result| result["command"].as_str().is_some_and(&keep))
            .collect();
        self.write(&export_name, serde_json::json!({ "results": results }).to_string());
        let records = self.read("records.jsonl");
        let kept: Vec<&str> = records
            .lines()
            .filter(|line| {
                let record: Value = serde_json::from_str(line).expect("JSON record line");
                record["workload"] != workload || record["variant"].as_str().is_some_and(&keep)
            })
            .collect();
        self.write("records.jsonl", kept.join("\n") + "\n");
    }

    /// Runs `concur-report --dir <scratch>`.
    pub fn run(&self) -> Output {
        self.run_with(&[])
    }

    /// Runs `concur-report --dir <scratch>` with more arguments.
    pub fn run_with(&self, args: &[&str]) -> Output {
        Command::new(BINARY)
            .arg("--dir")
            .arg(&self.dir)
            .args(args)
            .output()
            .expect("run concur-report")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Runs `concur-report` with these arguments.
pub fn run(args: &[&str]) -> Output {
    Command::new(BINARY).args(args).output().expect("run concur-report")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The README section of one workload: from its heading to the next `## `.
pub fn section<'a>(readme: &'a str, workload: &str) -> &'a str {
    let heading = format!("## {workload}\n");
    let start = readme
        .find(&heading)
        .unwrap_or_else(|| panic!("no section {heading:?} in README:\n{readme}"));
    let rest = &readme[start + heading.len()..];
    let end = rest.find("\n## ").map_or(rest.len(), |end| end + 1);
    &rest[..end]
}

/// The README section of one workload after `concur-report` ran on a copy of
/// the fixture `fixture_name`.
pub fn reported_section(fixture_name: &str, workload: &str) -> String {
    let readme = Scratch::reported(fixture_name).read("README.md");
    section(&readme, workload).to_string()
}

/// The row of a Markdown table whose first cell is `variant` (bold or not).
pub fn table_row<'a>(section: &'a str, variant: &str) -> &'a str {
    section
        .lines()
        .find(|line| {
            line.starts_with(&format!("| {variant} |"))
                || line.starts_with(&format!("| **{variant}** |"))
        })
        .unwrap_or_else(|| panic!("no row for {variant:?} in:\n{section}"))
}

/// The cells of a summary.csv line by column name (no quoted commas in these fixtures).
pub fn csv_rows(csv: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|line| {
            header
                .iter()
                .map(|name| name.to_string())
                .zip(line.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

/// Checks that every tag is closed in order: a small well-formedness test for the
/// SVG we write (no comments, CDATA or `<` inside text, since text is escaped).
pub fn assert_balanced_tags(svg: &str) {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("unterminated tag") + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().expect("tag name");
            open.push(name);
        }
        rest = &rest[end + 1..];
    }
    assert!(open.is_empty(), "unclosed tags: {open:?}");
}

/// The sample standard deviation hyperfine reports (`None` for a single run).
fn stddev(times: &[f64]) -> Option<f64> {
    let n = times.len() as f64;
    let mean = times.iter().sum::<f64>() / n;
    (times.len() > 1)
        .then(|| (times.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt())
}

impl Scratch {
    /// Replaces the per-run times of one variant of `<workload>.json` and
    /// recomputes what hyperfine derives from them (mean, σ, median, min, max,
    /// one exit code 0 per run), as if hyperfine had measured these times.
    pub fn set_times(&self, workload: &str, variant: &str, times: &[f64]) {
        let export_name = format!("{workload}.json");
        let mut export: Value =
            serde_json::from_str(&self.read(&export_name)).expect("JSON export");
        let result = export["results"]
            .as_array_mut()
            .expect("results")
            .iter_mut()
            .find(|result| result["command"] == variant)
            .unwrap_or_else(|| panic!("no {variant:?} in {export_name}"));
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let median = if sorted.len() % 2 == 1 {
            sorted[middle]
        } else {
            (sorted[middle - 1] + sorted[middle]) / 2.0
        };
        result["times"] = serde_json::json!(times);
        result["exit_codes"] = serde_json::json!(vec![0; times.len()]);
        result["mean"] = serde_json::json!(times.iter().sum::<f64>() / times.len() as f64);
        result["stddev"] = serde_json::json!(stddev(times));
        result["median"] = serde_json::json!(median);
        result["min"] = serde_json::json!(sorted[0]);
        result["max"] = serde_json::json!(sorted[sorted.len() - 1]);
        self.write(&export_name, export.to_string());
    }
}

/// The findings block that `concur-report --readme` writes for the report
/// already in `results`, from a front README holding only the two markers in a
/// directory beside it (so the links read `../<results dir>/...`).
pub fn findings_block(results: &Scratch) -> String {
    let front = Scratch::empty("front");
    front.write("README.md", "<!-- findings:start -->\n<!-- findings:end -->\n");
    let readme = front.path("README.md");
    let output = Command::new(BINARY)
        .arg("--dir")
        .arg(&results.dir)
        .arg("--readme")
        .arg(&readme)
        .output()
        .expect("run concur-report --readme");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = front.read("README.md");
    let start = "<!-- findings:start -->\n";
    let block = &text[text.find(start).expect("start marker") + start.len()..];
    block[..block.find("<!-- findings:end -->").expect("end marker")].to_string()
}
