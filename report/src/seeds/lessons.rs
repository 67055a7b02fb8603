//! The two lessons the seeds draw, stated from this run's CPython medians: threads
//! do not help CPU work under the GIL while processes do, and for I/O every
//! concurrent model helps.
//!
//! The lesson is the seeds'; whether this run shows it is computed. Each line
//! quotes the medians it rests on and says which model helped and which did not,
//! so a run where the lesson does not show (a quick run, whose process start-up
//! outweighs its tiny jobs) says so instead of repeating the seeds' claim.

use super::pairs::Pair;
use crate::format::{and_list, duration, factor};
use crate::ideal::{CPU_BOUND, DOWNLOAD};

/// A model "helps" when it is at least this many times as fast as the sequential
/// program: two lanes at best double the speed, and on a shared machine medians
/// move by a few percent from run to run, so a smaller gain is no gain.
pub const HELPS: f64 = 1.2;

/// CPython's sequential model, the one every other is measured against.
const PYTHON_SEQ: &str = "python-seq";

/// The lesson lines this run's pairs can state: the CPU lesson, then the I/O one.
pub fn lessons(pairs: &[Pair]) -> Vec<String> {
    let groups = groups(pairs);
    [cpu_lesson(&groups), io_lesson(&groups)]
        .into_iter()
        .flatten()
        .collect()
}

/// One experiment group's CPython programs, in `seeds.tsv`'s order.
struct Group<'a> {
    workload: Option<&'a str>,
    ids: Vec<&'a str>,
    /// (model, median, workers) of each CPython variant.
    python: Vec<(&'a str, f64, Option<u64>)>,
}

impl Group<'_> {
    fn median(&self, model: &str) -> Option<(f64, Option<u64>)> {
        self.python
            .iter()
            .find(|(name, ..)| *name == model)
            .map(|&(_, median, workers)| (median, workers))
    }

    /// `s002-cpu-*`: the ids' common stem, or the one id.
    fn ids(&self) -> String {
        let first = self.ids.first().copied().unwrap_or_default();
        if self.ids.len() < 2 {
            return first.to_string();
        }
        let common = self.ids.iter().fold(first.len(), |length, id| {
            first
                .bytes()
                .zip(id.bytes())
                .take(length)
                .take_while(|(a, b)| a == b)
                .count()
        });
        let common = first.get(..common).unwrap_or_default();
        let stem = common.rfind('-').map_or("", |at| &common[..=at]);
        format!("{stem}*")
    }
}

fn groups(pairs: &[Pair]) -> Vec<Group<'_>> {
    let mut groups: Vec<(&str, Group)> = Vec::new();
    for pair in pairs {
        let at = match groups.iter().position(|(name, _)| *name == pair.group()) {
            Some(at) => at,
            None => {
                let group = Group {
                    workload: pair.experiment.workload.as_deref(),
                    ids: Vec::new(),
                    python: Vec::new(),
                };
                groups.push((pair.group(), group));
                groups.len() - 1
            }
        };
        let group = &mut groups[at].1;
        group.ids.push(&pair.experiment.id);
        if let (Some(model), Some(row)) = (pair.python_model(), &pair.python) {
            let workers = row.record.as_ref().and_then(|record| record.workers);
            group.python.push((model, row.timing.median, workers));
        }
    }
    groups.into_iter().map(|(_, group)| group).collect()
}

/// `two threads`, `one process`, `threads` when the count is unknown.
fn counted(workers: Option<u64>, singular: &str, plural: &str) -> String {
    const WORDS: [&str; 11] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    match workers {
        Some(1) => format!("one {singular}"),
        Some(count) => match WORDS.get(count as usize) {
            Some(word) => format!("{word} {plural}"),
            None => format!("{count} {plural}"),
        },
        None => plural.to_string(),
    }
}

/// Threads against one loop, processes against it, from a CPU-bound group that
/// has CPython's sequential program and its threads or processes (threads first:
/// they carry the lesson about the GIL).
fn cpu_lesson(groups: &[Group]) -> Option<String> {
    let is_cpu = |group: &&Group| group.workload.is_some_and(|w| CPU_BOUND.contains(&w));
    let with = |model: &str| {
        groups
            .iter()
            .filter(is_cpu)
            .find(|group| group.median(PYTHON_SEQ).is_some() && group.median(model).is_some())
    };
    let group = with("python-threads").or_else(|| with("python-procs"))?;
    let (seq, _) = group.median(PYTHON_SEQ)?;
    let threads = group.median("python-threads");
    let procs = group.median("python-procs");
    let helps = |(median, _): (f64, Option<u64>)| seq / median >= HELPS;
    let lead = match (threads.map(helps), procs.map(helps)) {
        (Some(false), Some(true)) => "Threads do not help CPU work under the GIL, processes do",
        (Some(false), Some(false)) => {
            "Threads do not help CPU work under the GIL, and here processes did not either"
        }
        (Some(false), None) => "Threads do not help CPU work under the GIL",
        (Some(true), _) => "Here threads did help CPU work, which the GIL should have prevented",
        (None, Some(true)) => "Processes help CPU work",
        (None, _) => "Here processes did not help CPU work",
    };
    let mut parts = Vec::new();
    if let Some((median, workers)) = threads {
        parts.push(format!(
            "{} took {} against {} for one ({} the speed)",
            counted(workers, "thread", "threads"),
            duration(median),
            duration(seq),
            factor(seq / median)
        ));
    }
    if let Some((median, workers)) = procs {
        let mut part = format!(
            "{} {}",
            counted(workers, "process", "processes"),
            duration(median)
        );
        if threads.is_none() {
            part = format!("{part} against {} for one", duration(seq));
        }
        parts.push(format!("{part} ({})", factor(seq / median)));
    }
    Some(format!(
        "**{lead}** ({}, CPython): {}.",
        group.ids(),
        parts.join("; ")
    ))
}

/// What a CPython model is called in a lesson.
fn model_name(model: &str) -> &str {
    match model {
        "python-procs" => "processes",
        other => other.strip_prefix("python-").unwrap_or(other),
    }
}

/// Every concurrent CPython download against the sequential one, from the
/// download group with the most CPython models.
fn io_lesson(groups: &[Group]) -> Option<String> {
    let group = groups
        .iter()
        .filter(|group| group.workload == Some(DOWNLOAD) && group.median(PYTHON_SEQ).is_some())
        .filter(|group| group.python.len() > 1)
        // `max_by_key` keeps the last of equals; the first group listed should win.
        .rev()
        .max_by_key(|group| group.python.len())?;
    let (seq, _) = group.median(PYTHON_SEQ)?;
    let others: Vec<(&str, f64)> = group
        .python
        .iter()
        .filter(|(model, ..)| *model != PYTHON_SEQ)
        .map(|&(model, median, _)| (model_name(model), median))
        .collect();
    let (helped, idle): (Vec<_>, Vec<_>) =
        others.iter().partition(|(_, median)| seq / median >= HELPS);
    let names = |list: &[&(&str, f64)]| {
        let names: Vec<&str> = list.iter().map(|(name, _)| *name).collect();
        and_list(&names)
    };
    let lead = if idle.is_empty() {
        "For I/O every concurrent model helps".to_string()
    } else if helped.is_empty() {
        "For I/O no concurrent model helped here".to_string()
    } else {
        format!(
            "For I/O {} helped, {} did not here",
            names(&helped),
            names(&idle)
        )
    };
    let times: Vec<String> = others
        .iter()
        .map(|(name, median)| format!("{name} {} ({})", duration(*median), factor(seq / median)))
        .collect();
    Some(format!(
        "**{lead}** ({}, CPython): against {} one request at a time, {}.",
        group.ids(),
        duration(seq),
        times.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids with a common stem are shortened to it; counts read as words.
    #[test]
    fn stems_and_counts() {
        let group = Group {
            workload: None,
            ids: vec!["s002-cpu-basic", "s002-cpu-thread", "s002-cpu-process"],
            python: Vec::new(),
        };
        assert_eq!(group.ids(), "s002-cpu-*");
        let single = Group {
            ids: vec!["s000-squares-seq"],
            ..group
        };
        assert_eq!(single.ids(), "s000-squares-seq");
        assert_eq!(counted(Some(2), "thread", "threads"), "two threads");
        assert_eq!(counted(Some(1), "process", "processes"), "one process");
        assert_eq!(counted(Some(16), "thread", "threads"), "16 threads");
        assert_eq!(counted(None, "thread", "threads"), "threads");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
    }
}
