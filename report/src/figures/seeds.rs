//! The seeds' figures: every experiment of the blog posts as a pair, the seed's
//! CPython program (`<id> <python-model>`) beside its concur twin (`<id>
//! concur`), whether the answers of each experiment group agree, and the two
//! lessons the seeds draw, checked against this run's CPython medians.
//!
//! A group (`seeds.tsv`'s `group`) is every experiment that does the same job at
//! the same size, so all its checksums must be one. Which one is right is the one
//! most give: there is no `seq` to take as the reference, and a CPython program
//! and its twin that disagree are both suspect. With no majority every answer of
//! the group disagrees.
//!
//! The lessons are the seeds'; whether this run shows them is computed. Threads
//! *help* when they are at least [`HELPS`] times as fast as the one loop;
//! processes *do what the seed says* when they reach three quarters of their
//! lanes (two processes on two cores: 1.5×), so a 1.22× is not told as "processes
//! do". The ratios use hyperfine's process medians; each program's own clock
//! (its record's `elapsed_ms`, what the posts printed) is shown beside them.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use anyhow::{Context, Result, ensure};
use serde::{Deserialize, Deserializer, Serialize};

use super::row::{Kind, Row, collate};

pub const SEEDS_FILE: &str = "seeds.tsv";
/// The second word of a concur variant's name (`s000-download-seq concur`).
const CONCUR: &str = "concur";
/// A model helps when it is at least this many times as fast as the sequential
/// program: medians move a few percent from run to run, so less is no gain.
pub const HELPS: f64 = 1.2;
pub const SHARE_OF_LANES: f64 = 0.75;

#[derive(Debug, Clone, Serialize)]
pub struct Seeds {
    pub pairs: Vec<Pair>,
    /// Some experiment's CPython program was timed.
    pub python: bool,
    pub groups: Vec<GroupCheck>,
    /// The experiments whose programs converted a key twice.
    pub twice: Vec<Twice>,
    pub cpu: Option<Lesson>,
    pub io: Option<Lesson>,
}

/// One experiment and its two variants; either may be missing.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub id: String,
    pub description: Option<String>,
    pub seed_seconds: Option<f64>,
    pub group: String,
    /// The CPython model (`python-seq`): `seeds.tsv`'s, else the variant's name.
    pub model: Option<String>,
    pub workload: Option<String>,
    pub python: Option<Row>,
    pub concur: Option<Row>,
    /// CPython's process median ÷ concur's.
    pub ratio: Option<f64>,
}

/// How one experiment group's answers came out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupCheck {
    pub group: String,
    pub variants: usize,
    /// Variants whose answer differs from the group's, or that counted errors.
    pub disagree: Vec<String>,
    /// Variants without a record to check.
    pub unchecked: usize,
}

/// The duplicate lookups of an experiment's variants that broke `convert`'s rule.
#[derive(Debug, Clone, Serialize)]
pub struct Twice {
    pub id: String,
    pub python: Option<u64>,
    pub concur: Option<u64>,
}

/// The seeds' figures, once every row's answer is checked against its group's.
pub fn figures(rows: &mut [Row], experiments: &[Experiment], cores: Option<u64>) -> Seeds {
    agree_within_groups(rows, experiments);
    let pairs = pairs(rows, experiments);
    let (cpu, io) = lessons(&pairs, cores);
    let duplicates = |row: &Option<Row>| {
        let row = row.as_ref().filter(|row| row.rule_kept == Some(false))?;
        row.record.as_ref()?.duplicates
    };
    let twice = pairs.iter().map(|pair| Twice {
        id: pair.id.clone(),
        python: duplicates(&pair.python),
        concur: duplicates(&pair.concur),
    });
    let groups = collate(pairs.iter().map(|pair| (&pair.group, pair)));
    let groups = groups.into_iter().map(|(group, members)| {
        let rows: Vec<&Row> =
            members.iter().flat_map(|p| p.python.iter().chain(&p.concur)).collect();
        let disagree = rows.iter().filter(|row| row.checksum_agrees == Some(false));
        GroupCheck {
            group: group.clone(),
            variants: rows.len(),
            disagree: disagree.map(|row| row.variant.clone()).collect(),
            unchecked: rows.iter().filter(|row| row.checksum_agrees.is_none()).count(),
        }
    });
    Seeds {
        python: pairs.iter().any(|pair| pair.python.is_some()),
        groups: groups.collect(),
        twice: twice.filter(|twice| twice.python.is_some() || twice.concur.is_some()).collect(),
        cpu,
        io,
        pairs,
    }
}

fn split(variant: &str) -> (&str, &str) {
    variant.split_once(' ').unwrap_or((variant, ""))
}

/// The pairs of the seeds workload: `seeds.tsv`'s order, then any variant it
/// does not list, by id.
fn pairs(rows: &[Row], experiments: &[Experiment]) -> Vec<Pair> {
    let mut ids: Vec<&str> = experiments.iter().map(|e| e.id.as_str()).collect();
    let unlisted: BTreeSet<&str> =
        rows.iter().map(|row| split(&row.variant).0).filter(|id| !ids.contains(id)).collect();
    ids.extend(unlisted);
    let side = |id: &str, concur: bool| {
        let mut of_id = rows.iter().filter(|row| split(&row.variant).0 == id);
        of_id.find(|row| (split(&row.variant).1 == CONCUR) == concur).cloned()
    };
    ids.into_iter()
        .filter_map(|id| {
            let experiment = experiments.iter().find(|e| e.id == id).cloned().unwrap_or_default();
            let (python, concur) = (side(id, false), side(id, true));
            if python.is_none() && concur.is_none() {
                return None;
            }
            let model =
                experiment.model.or_else(|| Some(split(&python.as_ref()?.variant).1.into()));
            let both = python.as_ref().zip(concur.as_ref());
            Some(Pair {
                id: id.to_string(),
                group: experiment.group.unwrap_or_else(|| id.to_string()),
                model,
                ratio: both.map(|(p, c)| p.timing.median_s / c.timing.median_s),
                description: experiment.description,
                seed_seconds: experiment.seed_seconds,
                workload: experiment.workload,
                python,
                concur,
            })
        })
        .collect()
}

/// Sets every seeds row's `checksum_agrees`: its checksum is its group's majority
/// answer and its record counts no errors. Rows without a record stay unchecked.
fn agree_within_groups(rows: &mut [Row], experiments: &[Experiment]) {
    let group_of = |variant: &str| -> String {
        let id = split(variant).0;
        let experiment = experiments.iter().find(|e| e.id == id);
        experiment.and_then(|e| e.group.clone()).unwrap_or_else(|| id.to_string())
    };
    let answer = |row: &Row| {
        let record = row.record.as_ref()?;
        (record.errors.unwrap_or(0) == 0).then(|| record.checksum.clone()).flatten()
    };
    let mut votes: HashMap<String, HashMap<String, usize>> = HashMap::new();
    for row in rows.iter() {
        if let Some(checksum) = answer(row) {
            *votes.entry(group_of(&row.variant)).or_default().entry(checksum).or_default() += 1;
        }
    }
    let majority: HashMap<String, String> = votes
        .into_iter()
        .filter_map(|(group, counts)| {
            let most = counts.values().copied().max()?;
            let mut leaders = counts.into_iter().filter(|(_, count)| *count == most);
            let (checksum, _) = leaders.next()?;
            // A tie has no majority: nothing to take as the right answer.
            leaders.next().is_none().then_some((group, checksum))
        })
        .collect();
    for row in rows.iter_mut() {
        let reference = majority.get(&group_of(&row.variant));
        row.checksum_agrees =
            row.record.as_ref().map(|_| answer(row).as_ref() == reference && reference.is_some());
        row.set_check();
    }
}

/// One CPython model's median against the group's one loop.
#[derive(Debug, Clone, Serialize)]
pub struct Against {
    /// `threads`, `asyncio`, `processes`.
    pub name: String,
    pub median_s: f64,
    pub workers: Option<u64>,
    /// The loop's median ÷ this one.
    pub speedup: f64,
    pub helps: bool,
    /// Reached [`SHARE_OF_LANES`] of its lanes (processes on CPU work).
    pub full: bool,
}

/// A lesson as this run's CPython numbers state it.
#[derive(Debug, Clone, Serialize)]
pub struct Lesson {
    /// `s002-cpu-*`: the ids' common stem.
    pub ids: String,
    pub seq_s: f64,
    pub threads: Option<Against>,
    pub procs: Option<Against>,
    /// Every concurrent model of the I/O lesson, in the group's order.
    pub others: Vec<Against>,
}

/// The CPU lesson (threads against one loop, processes against it) and the I/O
/// lesson (every concurrent download against one at a time), where this run has
/// their CPython programs.
fn lessons(pairs: &[Pair], cores: Option<u64>) -> (Option<Lesson>, Option<Lesson>) {
    let timed = pairs.iter().filter(|pair| pair.python.is_some());
    let groups = collate(timed.map(|pair| (&pair.group, pair)));
    let has =
        |members: &[&Pair], model: &str| members.iter().any(|p| p.model.as_deref() == Some(model));
    let of_kind = |kind: Kind| {
        groups.iter().map(|(_, members)| members).filter(move |members| {
            has(members, "python-seq")
                && members.iter().any(|p| p.workload.as_deref().map(Kind::of) == Some(kind))
        })
    };
    let lesson = |members: &Vec<&Pair>| -> Option<Lesson> {
        let seq = members.iter().find(|p| p.model.as_deref() == Some("python-seq"))?;
        let seq_s = seq.python.as_ref()?.timing.median_s;
        let others: Vec<Against> = members
            .iter()
            .filter_map(|pair| {
                let name = match pair.model.as_deref()? {
                    "python-seq" => return None,
                    "python-procs" => "processes",
                    model => model.trim_start_matches("python-"),
                };
                let row = pair.python.as_ref()?;
                let workers = row.record.as_ref().and_then(|record| record.workers);
                let speedup = seq_s / row.timing.median_s;
                let lanes = workers.unwrap_or(2).min(cores.unwrap_or(2)).max(1) as f64;
                let (helps, full) = (speedup >= HELPS, speedup >= SHARE_OF_LANES * lanes);
                let median_s = row.timing.median_s;
                Some(Against { name: name.into(), median_s, workers, speedup, helps, full })
            })
            .collect();
        let named = |name: &str| others.iter().find(|o| o.name == name).cloned();
        let (threads, procs) = (named("threads"), named("processes"));
        let ids = stem(members.iter().map(|pair| pair.id.as_str()));
        Some(Lesson { ids, seq_s, threads, procs, others })
    };
    // Threads carry the lesson about the GIL: a group with them first.
    let with = |model: &str| of_kind(Kind::Cpu).find(|members| has(members, model));
    let cpu = with("python-threads").or_else(|| with("python-procs")).and_then(lesson);
    // The download group with the most CPython models; the first of equals.
    let most = of_kind(Kind::Download)
        .filter(|members| members.len() > 1)
        .rev()
        .max_by_key(|members| members.len());
    (cpu, most.and_then(lesson))
}

/// `s002-cpu-*`: the ids' common stem up to a dash, or the one id.
fn stem<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = ids.collect();
    let first = ids.first().copied().unwrap_or_default();
    if ids.len() < 2 {
        return first.to_string();
    }
    let common = ids.iter().fold(first.len(), |length, id| {
        first.bytes().zip(id.bytes()).take(length).take_while(|(a, b)| a == b).count()
    });
    let common = &first[..common];
    format!("{}*", common.rfind('-').map_or("", |at| &common[..=at]))
}

/// One experiment of the seeds (`seeds.tsv`, copied by compare.sh from
/// `scripts/python/experiments.tsv`): a CPython program of a blog post and its
/// concur twin. Columns are found by header name; `-` or blank is absent.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Experiment {
    /// `s000-download-seq`: the first word of both variants' names.
    pub id: String,
    /// The CPython variant's model (`python-seq`, ...).
    #[serde(deserialize_with = "cell")]
    pub model: Option<String>,
    /// The concur workload it runs (`download`, `range-sum`, ...).
    #[serde(deserialize_with = "cell")]
    pub workload: Option<String>,
    #[serde(deserialize_with = "cell")]
    pub description: Option<String>,
    /// What the post printed, at the seeds' sizes on the author's machine.
    #[serde(deserialize_with = "seconds")]
    pub seed_seconds: Option<f64>,
    /// Experiments whose answers must agree (the same job at the same size).
    #[serde(deserialize_with = "cell")]
    pub group: Option<String>,
}

fn cell<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(deserializer)?;
    let text = text.trim();
    Ok((!text.is_empty() && text != "-").then(|| text.to_string()))
}

fn seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    Ok(cell(deserializer)?
        .and_then(|text| text.parse().ok())
        .filter(|seconds: &f64| seconds.is_finite() && *seconds > 0.0))
}

impl Experiment {
    /// Reads `seeds.tsv`; a missing file is no experiments. A line with more or
    /// fewer fields than the header is an error (every value would shift column).
    pub fn read(path: &Path) -> Result<Vec<Experiment>> {
        let text = match fs::read_to_string(path) {
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            text => text.with_context(|| format!("cannot read {}", path.display()))?,
        };
        let mut reader =
            csv::ReaderBuilder::new().delimiter(b'\t').quoting(false).from_reader(text.as_bytes());
        let named = || path.display().to_string();
        let has_id = reader.headers().with_context(named)?.iter().any(|name| name == "id");
        let blank = text.trim().is_empty();
        ensure!(has_id || blank, "{}: the header line has no `id` column", named());
        reader.deserialize().map(|row| row.with_context(named)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// seeds.tsv by header name; `-` is absent; a short line is an error.
    #[test]
    fn experiments_by_header() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("concur-files-{}", std::process::id()));
        fs::create_dir_all(&dir)?;
        let path = dir.join(SEEDS_FILE);
        fs::write(&path, "group\tid\tseed_seconds\tx\ng1\ts1\t14.3\t-\n\tx2\t-\ty\n")?;
        let experiments = Experiment::read(&path)?;
        assert_eq!(experiments[0].group.as_deref(), Some("g1"));
        assert_eq!((experiments[0].seed_seconds, experiments[1].seed_seconds), (Some(14.3), None));
        fs::write(&path, "id\tgroup\ns1\n")?;
        assert!(Experiment::read(&path).is_err());
        assert!(Experiment::read(&dir.join("missing.tsv"))?.is_empty());
        fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
