//! The `blocking` workload's variants, grouped by the model they run in: each
//! variant with the task that does not yield (`async current-thread`, `async
//! current-thread spawn-blocking`, ...) beside the same model without it (`async
//! current-thread no blocking`), its reference.
//!
//! Grouping goes by name, the convention compare.sh keeps: a reference is named
//! `<model> no blocking`, and a variant belongs to the longest such model its name
//! starts with; what follows is where the task was offloaded to, which the async
//! record also says (`offload`). Groups come in a fixed order, async first (the
//! model the workload is about), so the table and the chart read the same in
//! every run.

use crate::input::Record;
use crate::latency::LatencyMs;
use crate::model::Family;
use crate::table::{Row, WorkloadReport};

/// The workload whose variants run one task that does not yield.
pub const BLOCKING: &str = "blocking";
/// How a reference variant's name ends.
pub const NO_BLOCKING: &str = " no blocking";
/// The async record's `offload` when the task stayed on the runtime.
const NOT_OFFLOADED: &str = "none";

/// One variant as the blocking section shows it.
#[derive(Debug, Clone, Copy)]
pub struct Variant<'a> {
    pub row: &'a Row,
    /// Where the task was moved to (`spawn-blocking`, `block-in-place`); `None` when
    /// it ran where the model runs its tasks, or for a reference.
    pub offload: Option<&'a str>,
    /// A reference: the model without the blocking task.
    pub is_reference: bool,
}

impl<'a> Variant<'a> {
    fn record(&self) -> Option<&'a Record> {
        self.row.record.as_ref()
    }

    pub fn latency(&self) -> Option<LatencyMs> {
        self.record()?.latency_ms
    }

    /// The CPU time of the blocking task, from the record.
    pub fn blocking_ms(&self) -> Option<u64> {
        self.record()?.blocking_ms
    }

    /// The async record says whether the task stayed on the runtime (`none`).
    pub fn on_runtime(&self) -> bool {
        self.record()
            .and_then(|record| record.offload.as_deref())
            .is_some_and(|offload| offload == NOT_OFFLOADED)
    }
}

/// One model: its variants with the blocking task, then its reference.
#[derive(Debug, Clone)]
pub struct Group<'a> {
    /// The model's variant name (`async current-thread`, `threads --workers 5`).
    pub base: String,
    /// With the task: the one that did not offload it first, then by offload.
    pub with_task: Vec<Variant<'a>>,
    pub reference: Option<Variant<'a>>,
}

impl<'a> Group<'a> {
    /// Every variant of the group, in table order.
    pub fn variants(&self) -> impl Iterator<Item = Variant<'a>> + '_ {
        self.with_task.iter().copied().chain(self.reference)
    }

    /// The variant whose task stayed where the model runs its tasks.
    pub fn not_offloaded(&self) -> Option<Variant<'a>> {
        self.with_task.iter().copied().find(|v| v.offload.is_none())
    }
}

/// The workload's variants grouped by model, groups async first, then threads,
/// procs, seq and the others, by name within a family.
pub fn groups(workload: &WorkloadReport) -> Vec<Group<'_>> {
    let bases: Vec<&str> = workload
        .rows
        .iter()
        .filter_map(|row| row.variant.strip_suffix(NO_BLOCKING))
        .collect();
    let mut groups: Vec<Group> = Vec::new();
    for row in &workload.rows {
        let (base, variant) = classify(row, &bases);
        let at = match groups.iter().position(|group| group.base == base) {
            Some(at) => at,
            None => {
                groups.push(Group {
                    base: base.to_string(),
                    with_task: Vec::new(),
                    reference: None,
                });
                groups.len() - 1
            }
        };
        let group = &mut groups[at];
        if variant.is_reference {
            group.reference = Some(variant);
        } else {
            group.with_task.push(variant);
        }
    }
    for group in &mut groups {
        group
            .with_task
            .sort_by_key(|v| (offload_rank(v.offload), v.row.variant.clone()));
    }
    groups.sort_by_key(|group| (family_rank(group), group.base.clone()));
    groups
}

/// The model a variant belongs to, and the variant itself.
fn classify<'a>(row: &'a Row, bases: &[&'a str]) -> (&'a str, Variant<'a>) {
    let name = row.variant.as_str();
    if let Some(base) = name.strip_suffix(NO_BLOCKING) {
        let variant = Variant {
            row,
            offload: None,
            is_reference: true,
        };
        return (base, variant);
    }
    let recorded = row
        .record
        .as_ref()
        .and_then(|record| record.offload.as_deref())
        .filter(|offload| *offload != NOT_OFFLOADED);
    let base = bases
        .iter()
        .copied()
        .filter(|base| name == *base || name.starts_with(&format!("{base} ")))
        .max_by_key(|base| base.len())
        .or_else(|| recorded.and_then(|offload| name.strip_suffix(&format!(" {offload}"))))
        .unwrap_or(name);
    let rest = name[base.len()..].trim();
    let offload = recorded.or((!rest.is_empty()).then_some(rest));
    let variant = Variant {
        row,
        offload,
        is_reference: false,
    };
    (base, variant)
}

fn offload_rank(offload: Option<&str>) -> u8 {
    match offload {
        None => 0,
        Some("spawn-blocking") => 1,
        Some("block-in-place") => 2,
        Some(_) => 3,
    }
}

fn family_rank(group: &Group) -> usize {
    const ORDER: [Family; 6] = [
        Family::Async,
        Family::Threads,
        Family::Procs,
        Family::Seq,
        Family::Python,
        Family::Other,
    ];
    let family = group
        .variants()
        .next()
        .map_or(Family::Other, |variant| variant.row.family());
    ORDER
        .iter()
        .position(|f| *f == family)
        .unwrap_or(ORDER.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::HyperfineResult;

    fn row(variant: &str, offload: Option<&str>) -> Row {
        let record = Record {
            offload: offload.map(str::to_string),
            ..Record::default()
        };
        Row::for_test(
            HyperfineResult::for_test(variant, 1.0, 1.0, None),
            Some(record),
        )
    }

    /// Variants join the longest model name they start with; async comes first,
    /// the task left in place before it is offloaded, the reference last.
    #[test]
    fn variants_group_by_model() {
        let workload = WorkloadReport {
            workload: BLOCKING.to_string(),
            parameters: None,
            rows: vec![
                row("seq", None),
                row("async multi-thread block-in-place", Some("block-in-place")),
                row("async current-thread no blocking", Some("none")),
                row("threads --workers 5 no blocking", None),
                row(
                    "async current-thread spawn-blocking",
                    Some("spawn-blocking"),
                ),
                row("threads --workers 5", None),
                row("async current-thread", Some("none")),
                row("async multi-thread", Some("none")),
                row("async multi-thread no blocking", None),
            ],
        };
        let groups = groups(&workload);
        let names: Vec<Vec<&str>> = groups
            .iter()
            .map(|group| group.variants().map(|v| v.row.variant.as_str()).collect())
            .collect();
        assert_eq!(
            names,
            [
                vec![
                    "async current-thread",
                    "async current-thread spawn-blocking",
                    "async current-thread no blocking"
                ],
                vec![
                    "async multi-thread",
                    "async multi-thread block-in-place",
                    "async multi-thread no blocking"
                ],
                vec!["threads --workers 5", "threads --workers 5 no blocking"],
                vec!["seq"],
            ]
        );
        assert_eq!(groups[0].with_task[1].offload, Some("spawn-blocking"));
        assert!(groups[0].with_task[0].on_runtime());
        assert_eq!(
            groups[0].not_offloaded().map(|v| v.row.variant.as_str()),
            Some("async current-thread")
        );
        assert!(groups[3].reference.is_none());
    }
}
