//! The sweep report's model: a measured point and the figures derived for it.

use serde::{Deserialize, Serialize};

use crate::figures::Family;
use crate::figures::row::CpuPerRequest;
use crate::files::Record;
use crate::stats::Timing;

/// Which sweep of `scripts/sweep.sh` a name is (its serde name), and so which figures it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Tasks,
    Inflight,
    Latency,
    Tasksize,
    Workers,
    Callers,
    Rate,
    /// `workers`' rules over cluster's processes, each workload against its own seq point.
    Processes,
    /// A sweep this report has no rule for: its times only.
    #[serde(other)]
    Other,
}

/// One measured point (a variant at one value of the swept parameter) and its figures.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// 1-based line of `records.jsonl`, for messages.
    #[serde(skip)]
    pub line: usize,
    pub variant: String,
    pub family: Family,
    pub value: f64,
    #[serde(skip)]
    pub command: String,
    #[serde(skip)]
    pub record: Record,
    /// `inflight`: the same command's record at 0 ms latency.
    #[serde(skip)]
    pub zero_latency: Option<Record>,
    pub timing: Timing,
    pub peak_rss_kib: Option<u64>,
    pub pss_kib: Option<u64>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A point's derived figures; which exist depends on the sweep's [`Kind`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Figures {
    pub wait_s: Option<f64>,
    /// Memory per task (`tasks`) or per request in flight (`inflight`).
    pub per_unit: Option<PerUnit>,
    pub pss_per_unit: Option<PerUnit>,
    /// Page tables per unit, over the same variant's 1-unit point.
    pub page_tables_per_unit: Option<PerUnit>,
    pub workers: Option<f64>,
    /// seq's median at the same value (`workers`: its only point) ÷ this median.
    pub speedup: Option<f64>,
    /// `min(workers, cores)`.
    pub ideal_speedup: Option<f64>,
    /// `(median − ideal) ÷ tasks`.
    pub overhead_per_task_s: Option<f64>,
    pub duplicates: Option<f64>,
    pub ideal_s: Option<f64>,
    pub ratio_to_ideal: Option<f64>,
    /// `inflight`, `latency`: the ideal is the larger of these two ([`io_ideal`]).
    pub latency_bound_s: Option<f64>,
    pub cpu_bound_s: Option<f64>,
    /// `tasksize`: the variant's fit, and its largest term at this point (`start-up`, `tasks` or
    /// `work`): what bounds its time; `inflight`, `latency`: `latency` or `CPU`.
    pub fit: Option<Fit>,
    pub bound: Option<&'static str>,
    /// `inflight`, `latency`: CPU per request on both ends.
    pub cpu_per_request: Option<CpuPerRequest>,
    /// `rate`: the rate achieved (the chart's x), p99 from due, and for a variant that works one
    /// request per worker, what its workers can serve at most: workers ÷ latency.
    pub achieved_rps: Option<f64>,
    pub p99_s: Option<f64>,
    pub capacity_rps: Option<f64>,
    /// What the chart plots upward, and the ideal of it.
    pub y: Option<f64>,
    pub ideal_y: Option<f64>,
}

/// A per-unit memory figure, in KiB.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PerUnit {
    pub kib: f64,
    /// At most 0.00 KiB: peak RSS varies by a few hundred KiB from run to run, so a count of units
    /// that costs less lands on or below the 1-unit run, and the figure says only that the cost is
    /// within that noise.
    pub noise: bool,
}

/// A variant of a task-size sweep fitted as `time ≈ c + per_task × tasks`. The total work is the
/// same at every point, so the work divided among the workers is part of `c`; the rest of `c` is
/// start-up.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Fit {
    /// The wall time each task adds (handing it out, its result coming back).
    pub per_task_s: f64,
    /// `c − seq's c ÷ ideal speedup`: the fixed time beyond the ideal.
    pub startup_s: f64,
    /// seq's `c ÷ ideal speedup`: the work divided among the lanes.
    pub work_s: f64,
}

/// Whether and from where a parallel `tasksize` variant reaches its ideal speedup.
#[derive(Debug, Clone, Serialize)]
pub struct Reach {
    /// The smallest size from which every point reaches [`SHARE_OF_IDEAL`] (`every`: the first).
    pub from: Option<Point>,
    pub every: bool,
    /// seq's time per task at `from`: how much work one task is.
    pub work_s: Option<f64>,
    /// Some size reaches the share, though not every larger one does.
    pub some: bool,
    /// The largest point's speedup with its start-up taken out (when it has one).
    pub without_startup: Option<f64>,
    /// The largest point misses the share, its start-up outweighs its tasks × cost per task, and
    /// without the start-up it would reach the share.
    pub startup_holds_back: bool,
}
