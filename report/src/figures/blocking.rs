//! The blocking workload's figures: `download` with one task that computes for
//! `--blocking-ms` without yielding, in every model, beside the same model
//! without it, and what the task did to each variant's requests.
//!
//! Variants are grouped by name, the convention compare.sh keeps: a reference is
//! `<model> no blocking`, and a variant belongs to the longest such model its name
//! starts with; what follows is where the task was moved (`spawn-blocking`,
//! `block-in-place`), which the async record also says (`offload`). Groups come
//! async first (the model the workload is about), then threads, procs, seq and
//! CPython, so the table reads the same in every run.
//!
//! One rule gives every variant's [`Effect`], from its latency percentiles: the
//! task held back at least half of the requests when their median latency is at
//! least the task's length, the slowest when only the 99th percentile is, and
//! hardly delayed them when the 99th percentile stays within [`CLOSE`] of the
//! reference's.

use serde::Serialize;

use super::Workload;
use super::row::{Family, Row};
use crate::files::LatencyMs;

/// How a reference variant's name ends.
pub const NO_BLOCKING: &str = " no blocking";
/// A 99th percentile at most this many times the reference's is "as without it":
/// a quarter more is within what the site server's jitter and a busy machine do
/// to the tail of a few hundred requests.
pub const CLOSE: f64 = 1.25;

/// What the task did to a variant's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// The median request took at least the task's length.
    HalfWaited,
    /// Only the 99th percentile did.
    SlowestWaited,
    /// The 99th percentile stayed within [`CLOSE`] of the reference's.
    Hardly,
    Delayed,
}

/// One variant as the blocking table shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Variant {
    pub row: Row,
    pub latency: Option<LatencyMs>,
    pub task_ms: Option<u64>,
    /// Where the task was moved; `None` when it ran where the model runs its
    /// tasks, or for a reference.
    pub offload: Option<String>,
    /// The async record says the task stayed on the runtime.
    pub on_runtime: bool,
    pub is_reference: bool,
    /// The reference's 99th percentile, for a variant with the task.
    pub reference_p99: Option<f64>,
    pub effect: Option<Effect>,
}

/// One model: its variants with the task (the one that did not move it first),
/// then its reference.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// `async current-thread`, `threads --workers 5`.
    pub base: String,
    pub variants: Vec<Variant>,
}

/// The workload's variants grouped by model.
pub fn groups(workload: &Workload) -> Vec<Group> {
    let bases: Vec<&str> =
        workload.rows.iter().filter_map(|row| row.variant.strip_suffix(NO_BLOCKING)).collect();
    let mut groups: Vec<Group> = Vec::new();
    for row in &workload.rows {
        let (base, variant) = classify(row, &bases);
        match groups.iter_mut().find(|group| group.base == base) {
            Some(group) => group.variants.push(variant),
            None => groups.push(Group { base: base.to_string(), variants: vec![variant] }),
        }
    }
    for group in &mut groups {
        let rank = |v: &Variant| match (v.is_reference, v.offload.as_deref()) {
            (true, _) => 4,
            (false, None) => 0,
            (false, Some("spawn-blocking")) => 1,
            (false, Some("block-in-place")) => 2,
            _ => 3,
        };
        group.variants.sort_by_key(|v| (rank(v), v.row.variant.clone()));
        let reference = group.variants.iter().find(|v| v.is_reference).and_then(|v| v.latency);
        for variant in group.variants.iter_mut().filter(|v| !v.is_reference) {
            variant.reference_p99 = reference.map(|r| r.p99.0);
            variant.effect =
                variant.latency.and_then(|latency| effect(latency, reference, variant.task_ms));
        }
    }
    let family_rank = |group: &Group| {
        let family = group.variants.first().map_or(Family::Other, |v| v.row.family);
        [Family::Async, Family::Threads, Family::Procs, Family::Seq, Family::Python, Family::Other]
            .iter()
            .position(|f| *f == family)
    };
    groups.sort_by_key(|group| (family_rank(group), group.base.clone()));
    groups
}

/// The one rule for what the task did (see the module header).
/// Without a reference only the task's own length can tell: `None` when the
/// requests did not reach it.
pub fn effect(
    latency: LatencyMs,
    reference: Option<LatencyMs>,
    task_ms: Option<u64>,
) -> Option<Effect> {
    let at_least_task = |ms: f64| task_ms.is_some_and(|task| ms >= task as f64);
    Some(if at_least_task(latency.p50.0) {
        Effect::HalfWaited
    } else if at_least_task(latency.p99.0) {
        Effect::SlowestWaited
    } else if latency.p99.0 <= reference?.p99.0 * CLOSE {
        Effect::Hardly
    } else {
        Effect::Delayed
    })
}

/// The model a variant belongs to, and the variant itself.
fn classify<'a>(row: &'a Row, bases: &[&'a str]) -> (&'a str, Variant) {
    let name = row.variant.as_str();
    let record = row.record.clone().unwrap_or_default();
    let recorded = record.offload.clone().filter(|offload| offload != "none");
    let base = match name.strip_suffix(NO_BLOCKING) {
        Some(base) => base,
        None => bases
            .iter()
            .copied()
            .filter(|base| name == *base || name.starts_with(&format!("{base} ")))
            .max_by_key(|base| base.len())
            .or_else(|| {
                recorded.as_deref().and_then(|offload| name.strip_suffix(&format!(" {offload}")))
            })
            .unwrap_or(name),
    };
    let is_reference = name.ends_with(NO_BLOCKING);
    let rest = name[base.len()..].trim();
    let offload =
        if is_reference { None } else { recorded.or((!rest.is_empty()).then(|| rest.to_string())) };
    let variant = Variant {
        latency: record.latency_ms,
        task_ms: record.blocking_ms,
        on_runtime: record.offload.as_deref() == Some("none"),
        offload,
        is_reference,
        reference_p99: None,
        effect: None,
        row: row.clone(),
    };
    (base, variant)
}
