//! The blocking workload's figures: `download` with one task that computes for
//! `--blocking-ms` without yielding, in every model, beside the same model
//! without it, and what the task did to each variant's requests.
//!
//! Variants are grouped by name, the convention compare.sh keeps: a reference is
//! `<model> no blocking`, and a variant belongs to the longest such model its name
//! starts with; what follows is where the task was moved (`spawn-blocking`,
//! `block-in-place`), which the async record also says (`offload`). Groups come
//! async first (the model the workload is about), then threads, procs, seq and
//! CPython, so the table reads the same in every run. One rule, [`effect`], says
//! what the task did to each variant's requests.

use serde::Serialize;

use super::row::{Family, Row, collate};
use crate::files::LatencyMs;

/// How a reference variant's name ends.
pub const NO_BLOCKING: &str = " no blocking";
/// A 99th percentile at most this many times the reference's is "as without it":
/// a quarter more is within what the site server's jitter and a busy machine do
/// to the tail of a few hundred requests.
pub const CLOSE: f64 = 1.25;

/// What the task did to a variant's requests (the rule in the module header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    HalfWaited,
    SlowestWaited,
    Hardly,
    Delayed,
}

/// The workload's task and its variants, each model's together: those with the
/// task (the one that did not move it first), then the model's reference.
#[derive(Debug, Clone, Serialize)]
pub struct Blocking {
    /// The task's length, from the first record that gives it.
    pub task_ms: Option<u64>,
    pub variants: Vec<Variant>,
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

pub fn figures(rows: &[Row]) -> Blocking {
    use Family::*;
    let bases: Vec<&str> =
        rows.iter().filter_map(|row| row.variant.strip_suffix(NO_BLOCKING)).collect();
    let mut groups = collate(rows.iter().map(|row| classify(row, &bases)));
    for (_, group) in &mut groups {
        let moves = [None, Some("spawn-blocking"), Some("block-in-place")];
        let moved = |v: &Variant| moves.iter().position(|m| *m == v.offload.as_deref());
        let rank = |v: &Variant| if v.is_reference { 4 } else { moved(v).unwrap_or(3) };
        group.sort_by_key(|v| (rank(v), v.row.variant.clone()));
        let reference = group.iter().find(|v| v.is_reference).and_then(|v| v.latency);
        for variant in group.iter_mut().filter(|v| !v.is_reference) {
            variant.reference_p99 = reference.map(|r| r.p99.0);
            variant.effect = variant.latency.and_then(|l| effect(l, reference, variant.task_ms));
        }
    }
    let order =
        |family| [Async, Threads, Procs, Seq, Python, Other].iter().position(|f| *f == family);
    // A group has at least the variant that started it.
    groups.sort_by_key(|(base, group)| (order(group[0].row.family), *base));
    Blocking {
        task_ms: rows.iter().find_map(|row| row.record.as_ref()?.blocking_ms),
        variants: groups.into_iter().flat_map(|(_, group)| group).collect(),
    }
}

/// What the task did. Without a reference only the task's own length can tell:
/// `None` when the requests did not reach it.
pub fn effect(
    latency: LatencyMs,
    reference: Option<LatencyMs>,
    task_ms: Option<u64>,
) -> Option<Effect> {
    let at_least_task = |ms: f64| task_ms.is_some_and(|task| ms >= task as f64);
    Some(match latency {
        l if at_least_task(l.p50.0) => Effect::HalfWaited,
        l if at_least_task(l.p99.0) => Effect::SlowestWaited,
        l if l.p99.0 <= reference?.p99.0 * CLOSE => Effect::Hardly,
        _ => Effect::Delayed,
    })
}

/// The model a variant belongs to, and the variant itself.
fn classify<'a>(row: &'a Row, bases: &[&'a str]) -> (&'a str, Variant) {
    let name = row.variant.as_str();
    let record = row.record();
    let recorded = record.offload.clone().filter(|offload| offload != "none");
    let is_reference = name.ends_with(NO_BLOCKING);
    let within = |base: &&str| name == *base || name.starts_with(&format!("{base} "));
    let longest = bases.iter().copied().filter(within).max_by_key(|base| base.len());
    let moved = || recorded.as_deref().and_then(|o| name.strip_suffix(&format!(" {o}")));
    let base = name.strip_suffix(NO_BLOCKING).or(longest).or_else(moved).unwrap_or(name);
    let rest = name[base.len()..].trim();
    let variant = Variant {
        latency: record.latency_ms,
        task_ms: record.blocking_ms,
        on_runtime: record.offload.as_deref() == Some("none"),
        offload: recorded
            .or((!rest.is_empty()).then(|| rest.to_string()))
            .filter(|_| !is_reference),
        is_reference,
        reference_p99: None,
        effect: None,
        row: row.clone(),
    };
    (base, variant)
}
