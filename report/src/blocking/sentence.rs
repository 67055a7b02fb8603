//! The sentences under the blocking chart: for each model, what the task that does
//! not yield did to the requests' latency, against the same model without it, and
//! what moving the task off the runtime changed.
//!
//! Every verdict comes from the numbers: "at least half of the requests waited
//! behind the task" when the median latency is at least the task's length, "the
//! slowest requests" when only the 99th percentile is, "hardly delayed" when the
//! 99th percentile stays within [`CLOSE`] of the reference's. Models with the same
//! verdict and nothing else to say (no offloaded variant) share one sentence, so
//! the paragraph stays short; a model without a reference, or without latencies,
//! gets the clauses its numbers allow.

use super::variants::{Group, Variant};
use crate::format::{and_list, duration};
use crate::latency::LatencyMs;

/// A 99th percentile at most this many times the reference's is "as without it":
/// a quarter more is within what the site server's latency jitter and a busy
/// machine do to the tail of a few hundred requests.
pub const CLOSE: f64 = 1.25;

/// What the task did to the requests of a variant that kept it in place.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Effect {
    /// The median request took at least the task's length.
    HalfWaited {
        p50: f64,
    },
    /// Only the 99th percentile did.
    SlowestWaited,
    /// The 99th percentile stayed within [`CLOSE`] of the reference's.
    Hardly,
    Delayed,
}

impl Effect {
    fn of(latency: LatencyMs, reference: Option<LatencyMs>, task_ms: Option<u64>) -> Effect {
        let at_least_task = |ms: f64| task_ms.is_some_and(|task_ms| ms >= task_ms as f64);
        if at_least_task(latency.p50) {
            Effect::HalfWaited { p50: latency.p50 }
        } else if at_least_task(latency.p99) {
            Effect::SlowestWaited
        } else if reference.is_some_and(|reference| close(latency, reference)) {
            Effect::Hardly
        } else {
            Effect::Delayed
        }
    }

    fn text(self, task: &str) -> String {
        match self {
            Effect::HalfWaited { p50 } => format!(
                "at least half of the requests waited behind {task} (p50 {})",
                ms(p50)
            ),
            Effect::SlowestWaited => format!("the slowest requests waited behind {task}"),
            Effect::Hardly => format!("{task} hardly delayed the requests"),
            Effect::Delayed => format!("{task} delayed the requests"),
        }
    }
}

fn close(latency: LatencyMs, reference: LatencyMs) -> bool {
    latency.p99 <= reference.p99 * CLOSE
}

/// `51.2 ms` from milliseconds.
fn ms(milliseconds: f64) -> String {
    duration(milliseconds / 1000.0)
}

/// What one model's numbers say.
enum Said {
    /// A sentence of its own.
    Alone(String),
    /// A model with only its task left in place and a reference: it may share a
    /// sentence with the models of the same verdict.
    Shared {
        place: String,
        effect: Effect,
        task: String,
        numbers: String,
    },
}

/// The paragraph's sentences, in group order; models that share a verdict share
/// the sentence of the first of them.
pub fn sentences(groups: &[Group]) -> Vec<String> {
    let said: Vec<Said> = groups.iter().filter_map(say).collect();
    let mut out = Vec::new();
    let mut done = vec![false; said.len()];
    for (index, first) in said.iter().enumerate() {
        if done[index] {
            continue;
        }
        match first {
            Said::Alone(sentence) => out.push(sentence.clone()),
            Said::Shared { effect, task, .. } => {
                let mut alike = Vec::new();
                for (other, item) in said.iter().enumerate().skip(index) {
                    if let Said::Shared {
                        place,
                        effect: other_effect,
                        task: other_task,
                        numbers,
                    } = item
                        && other_effect == effect
                        && other_task == task
                    {
                        done[other] = true;
                        alike.push((place.as_str(), numbers.as_str()));
                    }
                }
                out.push(shared(&alike, *effect, task));
            }
        }
    }
    out
}

/// `With `a` (p99 58.3 ms against 53.9 ms without it) and `b` (...), the 500 ms
/// task hardly delayed the requests.`; one model reads like an unshared one.
fn shared(alike: &[(&str, &str)], effect: Effect, task: &str) -> String {
    if let [(place, numbers)] = alike {
        return format!("{place}, {}: {numbers}.", effect.text(task));
    }
    let parts: Vec<String> = alike
        .iter()
        .enumerate()
        .map(|(index, (place, numbers))| {
            // Only the first keeps its capital "With".
            let place = if index == 0 {
                (*place).to_string()
            } else {
                place.replacen("With ", "", 1)
            };
            format!("{place} ({numbers})")
        })
        .collect();
    format!("{}, {}.", and_list(&parts), effect.text(task))
}

fn say(group: &Group) -> Option<Said> {
    let reference = group.reference.and_then(|v| v.latency());
    let task_ms = group.with_task.iter().find_map(|v| v.blocking_ms());
    let task = task_ms.map_or_else(
        || "the blocking task".to_string(),
        |ms| format!("the {ms} ms task"),
    );
    let place = match group.base.strip_prefix("async ") {
        Some(runtime) => format!("Inside a {runtime} runtime"),
        None => format!("With `{}`", group.base),
    };
    let main = group
        .not_offloaded()
        .and_then(|v| Some(Effect::of(v.latency()?, reference, task_ms)).zip(v.latency()));
    let offloaded: Vec<String> = group
        .with_task
        .iter()
        .filter(|v| v.offload.is_some())
        .filter_map(|v| Some(offloaded(v, v.latency()?, reference, task_ms)))
        .collect();
    let mut numbers = main.map(|(_, latency)| format!("p99 {}", ms(latency.p99)));
    if let (Some(numbers), Some(reference)) = (&mut numbers, reference) {
        numbers.push_str(&format!(" against {} without it", ms(reference.p99)));
    }
    match (main, numbers) {
        (Some((effect, _)), Some(numbers)) if offloaded.is_empty() && reference.is_some() => {
            Some(Said::Shared {
                place,
                effect,
                task,
                numbers,
            })
        }
        (Some((effect, _)), Some(numbers)) => {
            let mut clauses = vec![format!("{place}, {}: {numbers}", effect.text(&task))];
            clauses.extend(offloaded);
            Some(Said::Alone(format!("{}.", clauses.join("; "))))
        }
        _ if offloaded.is_empty() => None,
        _ => {
            let mut clauses = offloaded;
            clauses[0] = format!("{place}, {}", clauses[0]);
            if let Some(reference) = reference {
                clauses.push(format!("without {task}, p99 {}", ms(reference.p99)));
            }
            Some(Said::Alone(format!("{}.", clauses.join("; "))))
        }
    }
}

/// `on tokio's blocking pool (spawn-blocking), p99 53.1 ms, as without it`.
fn offloaded(
    variant: &Variant,
    latency: LatencyMs,
    reference: Option<LatencyMs>,
    task_ms: Option<u64>,
) -> String {
    let place = match variant.offload.unwrap_or_default() {
        "spawn-blocking" => "on tokio's blocking pool (spawn-blocking)".to_string(),
        other => format!("with {other}"),
    };
    let verdict = if reference.is_some_and(|reference| close(latency, reference)) {
        ", as without it"
    } else if task_ms.is_some_and(|task_ms| latency.p99 >= task_ms as f64) {
        ", still behind the task"
    } else {
        ""
    };
    format!("{place}, p99 {}{verdict}", ms(latency.p99))
}
