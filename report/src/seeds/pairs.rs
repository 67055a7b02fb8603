//! The seeds' variants as pairs, one per experiment: `<id> <python-model>` (the
//! seed's CPython program) beside `<id> concur` (its concur variant), and whether
//! the answers within each experiment group agree.
//!
//! A group (`seeds.tsv`'s `group`) is every experiment that does the same job at the
//! same size, in CPython and in concur, so all their checksums must be one. Which
//! one is right is the one most of them give: unlike the other workloads there is
//! no `seq` variant to take as the reference, and a CPython program and its concur
//! twin that disagree are both suspect. With no majority (two answers, one each),
//! every answer in the group is marked as disagreeing.

use std::collections::HashMap;

use super::experiments::Experiment;
use crate::table::{Row, WorkloadReport};

/// The second word of a concur variant's name (`s000-download-seq concur`).
pub const CONCUR: &str = "concur";

/// One experiment and the two variants it was measured as; either may be missing
/// (CPython skipped, or a variant not timed).
#[derive(Debug, Clone)]
pub struct Pair {
    pub experiment: Experiment,
    /// The CPython program's variant.
    pub python: Option<Row>,
    /// The concur variant.
    pub concur: Option<Row>,
}

impl Pair {
    /// The experiment's group, or its own id when `seeds.tsv` names none.
    pub fn group(&self) -> &str {
        self.experiment
            .group
            .as_deref()
            .unwrap_or(&self.experiment.id)
    }

    /// The CPython model (`python-seq`): `seeds.tsv`'s, else the variant's name.
    pub fn python_model(&self) -> Option<&str> {
        self.experiment.model.as_deref().or_else(|| {
            let row = self.python.as_ref()?;
            split_variant(&row.variant).map(|(_, side)| side)
        })
    }

    /// How many times longer CPython took than concur, from the two medians.
    pub fn ratio(&self) -> Option<f64> {
        Some(self.python.as_ref()?.timing.median / self.concur.as_ref()?.timing.median)
    }

    /// Whether both answers agree with their group's: `Some(false)` when either
    /// disagrees, `None` when neither was checked.
    pub fn agrees(&self) -> Option<bool> {
        let checks = [&self.python, &self.concur]
            .into_iter()
            .flatten()
            .filter_map(|row| row.checksum_agrees);
        checks.fold(None, |all, agrees| Some(all.unwrap_or(true) && agrees))
    }

    fn rows(&self) -> impl Iterator<Item = &Row> {
        [&self.python, &self.concur].into_iter().flatten()
    }
}

/// `s000-download-seq python-seq` -> (`s000-download-seq`, `python-seq`).
pub fn split_variant(variant: &str) -> Option<(&str, &str)> {
    variant.split_once(' ')
}

/// The pairs of the seeds workload: the experiments of `seeds.tsv` in its order,
/// then any variant it does not list, by id.
pub fn pairs(workload: &WorkloadReport, experiments: &[Experiment]) -> Vec<Pair> {
    let mut pairs: Vec<Pair> = experiments
        .iter()
        .map(|experiment| Pair {
            experiment: experiment.clone(),
            python: None,
            concur: None,
        })
        .collect();
    let mut unlisted: Vec<Pair> = Vec::new();
    for row in &workload.rows {
        let (id, side) = split_variant(&row.variant).unwrap_or((&row.variant, ""));
        let pair = match pairs.iter().position(|pair| pair.experiment.id == id) {
            Some(at) => &mut pairs[at],
            None => match unlisted.iter().position(|pair| pair.experiment.id == id) {
                Some(at) => &mut unlisted[at],
                None => {
                    unlisted.push(Pair {
                        experiment: Experiment {
                            id: id.to_string(),
                            ..Experiment::default()
                        },
                        python: None,
                        concur: None,
                    });
                    unlisted.last_mut().expect("just pushed")
                }
            },
        };
        let slot = if side == CONCUR {
            &mut pair.concur
        } else {
            &mut pair.python
        };
        slot.get_or_insert_with(|| row.clone());
    }
    unlisted.sort_by(|a, b| a.experiment.id.cmp(&b.experiment.id));
    pairs.retain(|pair| pair.python.is_some() || pair.concur.is_some());
    pairs.extend(unlisted);
    pairs
}

/// Sets every seeds row's `checksum_agrees`: its checksum is its group's majority
/// answer and its record counts no errors. Rows without a record stay unchecked.
pub fn agree_within_groups(rows: &mut [Row], experiments: &[Experiment]) {
    let group_of = |variant: &str| -> String {
        let id = split_variant(variant).map_or(variant, |(id, _)| id);
        experiments
            .iter()
            .find(|experiment| experiment.id == id)
            .and_then(|experiment| experiment.group.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let mut votes: HashMap<String, HashMap<String, usize>> = HashMap::new();
    for row in rows.iter() {
        if let Some(record) = &row.record
            && record.errors.unwrap_or(0) == 0
            && let Some(checksum) = &record.checksum
        {
            *votes
                .entry(group_of(&row.variant))
                .or_default()
                .entry(checksum.clone())
                .or_default() += 1;
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
        row.checksum_agrees = row.record.as_ref().map(|record| {
            record.errors.unwrap_or(0) == 0
                && record.checksum.is_some()
                && record.checksum.as_ref() == reference
        });
    }
}

/// How one experiment group's answers came out.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCheck {
    pub group: String,
    /// Variants of the group that were timed.
    pub variants: usize,
    /// Variants whose answer differs from the group's, or that counted errors.
    pub disagree: Vec<String>,
    /// Variants without a record to check.
    pub unchecked: usize,
}

/// Every group's check, in the order the pairs first name it.
pub fn group_checks(pairs: &[Pair]) -> Vec<GroupCheck> {
    let mut checks: Vec<GroupCheck> = Vec::new();
    for pair in pairs {
        let at = match checks.iter().position(|check| check.group == pair.group()) {
            Some(at) => at,
            None => {
                checks.push(GroupCheck {
                    group: pair.group().to_string(),
                    variants: 0,
                    disagree: Vec::new(),
                    unchecked: 0,
                });
                checks.len() - 1
            }
        };
        let check = &mut checks[at];
        for row in pair.rows() {
            check.variants += 1;
            match row.checksum_agrees {
                Some(true) => {}
                Some(false) => check.disagree.push(row.variant.clone()),
                None => check.unchecked += 1,
            }
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{HyperfineResult, Record};

    fn row(variant: &str, median: f64, checksum: Option<&str>) -> Row {
        let record = checksum.map(|checksum| Record {
            checksum: Some(checksum.to_string()),
            errors: Some(0),
            ..Record::default()
        });
        Row::for_test(
            HyperfineResult::for_test(variant, median, median, None),
            record,
        )
    }

    fn experiment(id: &str, group: &str) -> Experiment {
        Experiment {
            id: id.to_string(),
            group: Some(group.to_string()),
            ..Experiment::default()
        }
    }

    /// Variants pair up by id in seeds.tsv's order; unlisted ids follow, sorted.
    #[test]
    fn variants_pair_by_experiment() {
        let workload = WorkloadReport {
            workload: "seeds".to_string(),
            parameters: None,
            rows: vec![
                row("b concur", 0.01, None),
                row("z python-seq", 0.2, None),
                row("a concur", 0.02, None),
                row("b python-threads", 0.5, None),
            ],
        };
        let pairs = pairs(&workload, &[experiment("b", "g"), experiment("a", "g")]);
        let ids: Vec<&str> = pairs
            .iter()
            .map(|pair| pair.experiment.id.as_str())
            .collect();
        assert_eq!(ids, ["b", "a", "z"]);
        assert_eq!(pairs[0].ratio(), Some(50.0));
        assert_eq!(pairs[0].python_model(), Some("python-threads"));
        assert!(pairs[1].python.is_none() && pairs[1].ratio().is_none());
        assert_eq!(pairs[2].group(), "z");
    }

    /// The majority answer of a group is right; a tie leaves no answer right.
    #[test]
    fn groups_agree_by_majority() {
        let experiments = [
            experiment("a", "g"),
            experiment("b", "g"),
            experiment("c", "h"),
        ];
        let mut rows = vec![
            row("a python-seq", 1.0, Some("42")),
            row("a concur", 1.0, Some("42")),
            row("b concur", 1.0, Some("41")),
            row("c python-seq", 1.0, Some("7")),
            row("c concur", 1.0, Some("8")),
            row("d concur", 1.0, None),
        ];
        agree_within_groups(&mut rows, &experiments);
        let agrees: Vec<Option<bool>> = rows.iter().map(|row| row.checksum_agrees).collect();
        assert_eq!(
            agrees,
            [
                Some(true),
                Some(true),
                Some(false),
                Some(false),
                Some(false),
                None
            ]
        );
        let workload = WorkloadReport {
            workload: "seeds".to_string(),
            parameters: None,
            rows,
        };
        let checks = group_checks(&pairs(&workload, &experiments));
        assert_eq!(checks[0].group, "g");
        assert_eq!((checks[0].variants, checks[0].unchecked), (3, 0));
        assert_eq!(checks[0].disagree, ["b concur"]);
        assert_eq!(checks[2].group, "d");
        assert_eq!(checks[2].unchecked, 1);
    }
}
