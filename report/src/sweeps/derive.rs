//! Each sweep's figures and verdicts, computed once into [`Sweep`] for every output to read.
//!
//! Every figure is built on the median of a point's runs. Memory per unit is
//! `(peak_rss_kib(N) − peak_rss_kib(1)) ÷ N` against the same variant's point at N = 1, which
//! removes what the process costs before its first task; a variant without that point gets no
//! per-unit figure and a note, never a figure against some other base. The ideals are the compare
//! report's rules ([`latency_bound_s`], [`cpu_lanes`]).
//!
//! The definitions behind the sentences, chosen once here:
//! - `tasks`, `inflight`: memory is compared at the largest value that at least two models
//!   reached ([`Sweep::shared`]), and each variant's largest run is named;
//! - `latency`: the model *starts to matter* at the first latency above 0 where the slowest
//!   variant's median is over [`MATTERS_ABOVE`] times the fastest's. At 0 ms nothing waits: the
//!   spread there is the client's own CPU cost, stated on its own, never as where it matters;
//! - `tasksize`: a variant *reaches* its ideal speedup from the smallest task size at and above
//!   which every speedup is at least [`SHARE_OF_IDEAL`] of its ideal ([`Reach`]); [`fit_line`]
//!   separates its start-up from its cost per task;
//! - `workers`: each variant's best speedup, as a share of its ideal there;
//! - `rate`: a variant's *knee* is the highest offered rate at which it achieves at least
//!   [`KNEE_ACHIEVED`] of it with p99 within [`KNEE_P99`] × the latency.

use serde::{Deserialize, Serialize};

use crate::figures::row::{CpuPerRequest, cpu_per_request};
use crate::figures::{Family, cpu_lanes, latency_bound_s};
use crate::files::Record;
use crate::stats::Timing;

/// The spread (slowest ÷ fastest median) above which the model matters.
pub const MATTERS_ABOVE: f64 = 2.0;
pub const SHARE_OF_IDEAL: f64 = 0.9;
/// The share of the offered rate a point must achieve, and its p99 as a multiple of the latency at
/// most, to be below its variant's knee.
pub const KNEE_ACHIEVED: f64 = 0.99;
pub const KNEE_P99: f64 = 1.5;
/// Below this ratio to its ideal (a lower bound) a point cannot have run as the sweep assumes.
const BELOW_IDEAL: f64 = 0.9;

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
    /// `tasksize`: the variant's fit, and its largest term at this point (`start-up`, `tasks` or
    /// `work`): what bounds its time.
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

/// The least-squares line `time ≈ c + per_task × tasks` through (tasks, time) points, as
/// `(c, per_task)`; `None` without two distinct task counts. Each point is weighted by 1/time², so
/// residuals count relative to their point, rather than by plain least squares: the times span
/// three decades, and unweighted, the noise of the largest point (0.1% of procs' 12.7 s is 13 ms)
/// outweighs a start-up of a millisecond (it gave procs a start-up of −4 ms).
pub fn fit_line(points: impl Iterator<Item = (f64, f64)>) -> Option<(f64, f64)> {
    let points: Vec<(f64, f64, f64)> =
        points.filter(|(_, y)| *y > 0.0).map(|(x, y)| (x, y, y.powi(-2))).collect();
    let sum = |term: &dyn Fn(f64, f64) -> f64| -> f64 {
        points.iter().map(|(x, y, w)| w * term(*x, *y)).sum()
    };
    let total: f64 = sum(&|_, _| 1.0);
    let (mean_x, mean_y) = (sum(&|x, _| x) / total, sum(&|_, y| y) / total);
    let sxx: f64 = sum(&|x, _| (x - mean_x).powi(2));
    let slope = sum(&|x, y| (x - mean_x) * (y - mean_y)) / sxx;
    (sxx > 0.0).then_some((mean_y - slope * mean_x, slope))
}

/// One variant: its points (by ascending value, never empty) and what its sentences say of it.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub variant: String,
    pub points: Vec<Point>,
    pub largest: Point,
    /// Its best speedup (not seq's), and that as a share of its ideal there.
    pub best: Option<Point>,
    pub share: Option<f64>,
    /// `callers`: some point converted a key twice.
    pub duplicated: bool,
    /// `rate`: its highest point below the knee rule, if any.
    pub knee: Option<Point>,
    pub reach: Option<Reach>,
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

/// The points at one value of the parameter, in the order they ran.
#[derive(Debug, Clone, Serialize)]
pub struct At {
    pub value: f64,
    pub points: Vec<Point>,
    pub fastest: Option<Point>,
    pub slowest: Option<Point>,
    /// Slowest ÷ fastest median, with two points or more.
    pub spread: Option<f64>,
}

/// One sweep with every figure: what every output reads.
#[derive(Debug, Clone, Serialize)]
pub struct Sweep {
    pub name: String,
    pub parameter: String,
    pub kind: Kind,
    /// In the order they ran.
    pub points: Vec<Point>,
    /// In the order of their first point.
    pub lines: Vec<Line>,
    /// By ascending value.
    pub at: Vec<At>,
    pub shared: Option<At>,
    /// `latency`: 0 ms, and the first latency above it where the model matters.
    pub zero: Option<At>,
    pub matters: Option<At>,
    /// The chart shows the median times instead of the sweep's own figure.
    pub plots_time: bool,
    pub threshold: f64,
    pub share: f64,
    /// The knee rule of `rate`: [`KNEE_ACHIEVED`] and [`KNEE_P99`].
    pub knee: (f64, f64),
    pub cores: Option<u64>,
    /// The notes: variants without a point at 1 (so without a per-unit figure), no core count or
    /// no seq point (so no ideal speedup or none at all), points faster than their ideal.
    pub missing_base: Vec<String>,
    pub no_cores: bool,
    pub no_seq: bool,
    pub faster: Vec<Point>,
}

/// Derives a sweep from its measured points; `cores` from `machine.json`.
pub fn sweep(name: String, parameter: String, mut points: Vec<Point>, cores: Option<u64>) -> Sweep {
    let kind = serde_json::from_value(name.clone().into()).unwrap_or(Kind::Other);
    let measured = points.clone();
    for point in &mut points {
        point.figures = figures(kind, &measured, point, cores);
    }
    if kind == Kind::Tasksize {
        fit_variants(&mut points);
    }
    // Without the sweep's own figure anywhere (no seq point, no core count, no wait), its chart
    // shows the median times, rather than no chart at all.
    let plots_time = points.iter().all(|p| p.figures.y.is_none());
    for point in points.iter_mut().filter(|_| plots_time) {
        let ideal_s = point.figures.ideal_s.filter(|ideal| *ideal > 0.0);
        (point.figures.y, point.figures.ideal_y) = (Some(point.timing.median_s), ideal_s);
    }
    let first = |(i, p): &(usize, &Point)| !points[..*i].iter().any(|q| q.variant == p.variant);
    let lines: Vec<Line> =
        points.iter().enumerate().filter(first).map(|(_, p)| line(kind, &points, p)).collect();
    let mut values: Vec<f64> = points.iter().map(|p| p.value).collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let at: Vec<At> = values.iter().map(|value| at(&points, *value)).collect();
    let two_models = |at: &&At| at.points.iter().any(|p| p.family != at.points[0].family);
    let shared = at.iter().rev().find(two_models).or(at.last());
    let latency = |at: Option<&At>| at.filter(|_| kind == Kind::Latency).cloned();
    let matters = at.iter().find(|at| at.value > 0.0 && at.spread > Some(MATTERS_ABOVE));
    let cpu = matches!(kind, Kind::Tasksize | Kind::Workers | Kind::Processes);
    let per_unit = matches!(kind, Kind::Tasks | Kind::Inflight);
    let without_base = lines.iter().filter(|line| !line.points.iter().any(|p| p.value == 1.0));
    let faster =
        points.iter().filter(|p| p.figures.ratio_to_ideal.is_some_and(|r| r < BELOW_IDEAL));
    Sweep {
        shared: shared.filter(|_| per_unit).cloned(),
        zero: latency(at.iter().find(|at| at.value == 0.0 && at.spread.is_some())),
        matters: latency(matters),
        plots_time,
        threshold: MATTERS_ABOVE,
        share: SHARE_OF_IDEAL,
        knee: (KNEE_ACHIEVED, KNEE_P99),
        cores,
        missing_base: without_base.filter(|_| per_unit).map(|line| line.variant.clone()).collect(),
        no_cores: cpu && cores.is_none(),
        no_seq: cpu && !points.iter().any(|p| p.family == Family::Seq),
        faster: faster.cloned().collect(),
        at,
        lines,
        points,
        name,
        parameter,
        kind,
    }
}

fn figures(kind: Kind, all: &[Point], point: &Point, cores: Option<u64>) -> Figures {
    let (record, median) = (&point.record, point.timing.median_s);
    let base = all.iter().find(|base| base.variant == point.variant && base.value == 1.0);
    let per_unit = |kib: fn(&Point) -> Option<u64>| {
        // KiB counts: far below 2^53, exact as floats.
        let kib = (kib(point)? as f64 - kib(base?)? as f64) / point.value;
        Some(PerUnit { kib, noise: kib < 0.005 })
    };
    let mut f = Figures::default();
    if matches!(kind, Kind::Tasks | Kind::Inflight) {
        f.per_unit = per_unit(|p| p.peak_rss_kib);
        f.page_tables_per_unit = per_unit(|p| p.record.page_tables_kib);
    }
    f.cpu_per_request = cpu_per_request(record);
    let ideal_s = match kind {
        Kind::Tasks => {
            f.wait_s = record.wait_ms.map(|ms| ms / 1000.0);
            f.pss_per_unit = per_unit(|p| p.pss_kib);
            f.wait_s
        }
        // The swept value is how many requests were in flight at once.
        Kind::Inflight => record
            .requests
            .zip(url_latency_ms(&point.command))
            .map(|(n, ms)| latency_bound_s(n, point.value.max(1.0) as u64, ms)),
        Kind::Latency => {
            record.requests.map(|n| latency_bound_s(n, record.parallelism(), point.value))
        }
        Kind::Tasksize | Kind::Workers | Kind::Processes => {
            cpu_figures(kind, all, point, cores, &mut f)
        }
        // The ideal of a rated request is the latency itself: p99 is set against it.
        Kind::Rate => {
            let latency_s = url_latency_ms(&point.command).map(|ms| ms / 1000.0);
            f.achieved_rps = record.achieved_rps;
            f.p99_s = record.latency_ms.map(|l| l.p99.0 / 1000.0);
            let one_per_worker = matches!(
                point.family,
                Family::Seq | Family::Threads | Family::Procs | Family::Cluster
            );
            let capacity = latency_s.map(|l| record.parallelism() as f64 / l);
            f.capacity_rps = capacity.filter(|_| one_per_worker);
            latency_s
        }
        Kind::Callers | Kind::Other => {
            f.duplicates = record.duplicates.map(|n| n as f64).filter(|_| kind == Kind::Callers);
            record.ideal_ms.map(|ms| ms / 1000.0)
        }
    };
    f.ideal_s = ideal_s.filter(|ideal| ideal.is_finite() && *ideal >= 0.0);
    let positive = f.ideal_s.filter(|ideal| *ideal > 0.0);
    let measured = if kind == Kind::Rate { f.p99_s } else { Some(median) };
    f.ratio_to_ideal = positive.zip(measured).map(|(ideal, measured)| measured / ideal);
    (f.y, f.ideal_y) = match kind {
        Kind::Tasks | Kind::Inflight => (f.ratio_to_ideal, f.ratio_to_ideal.map(|_| 1.0)),
        // seq's own ideal (1×) is not drawn: it is the line every other is against.
        Kind::Tasksize | Kind::Workers | Kind::Processes => {
            (f.speedup, f.ideal_speedup.filter(|_| point.family != Family::Seq))
        }
        Kind::Rate => (f.p99_s, positive),
        _ => (Some(median), positive),
    };
    f
}

/// The latency a download point's site server was asked for (`latency_ms=NNN` in its URL).
pub fn url_latency_ms(command: &str) -> Option<f64> {
    let at = command.find("latency_ms=")? + "latency_ms=".len();
    let digits = &command[at..];
    let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// Fits every variant of a task-size sweep against seq's fit, and marks each point with the term
/// that bounds it. Without a seq fit nothing is fitted.
fn fit_variants(points: &mut [Point]) {
    let fit_of = |points: &[Point], keep: &dyn Fn(&Point) -> bool| {
        let kept = points.iter().filter(|p| keep(p));
        fit_line(kept.filter_map(|p| Some((p.record.tasks? as f64, p.timing.median_s))))
    };
    let Some((seq_c, _)) = fit_of(points, &|p| p.family == Family::Seq) else {
        return;
    };
    let variants: Vec<String> = points.iter().map(|p| p.variant.clone()).collect();
    for variant in variants {
        let ours = |p: &Point| p.variant == variant;
        let lanes = points.iter().filter(|p| ours(p)).filter_map(|p| p.figures.ideal_speedup);
        let Some((lanes, (c, per_task_s))) = lanes.reduce(f64::max).zip(fit_of(points, &ours))
        else {
            continue;
        };
        let work_s = seq_c / lanes;
        let fit = Fit { per_task_s, startup_s: c - work_s, work_s };
        for point in points.iter_mut().filter(|p| ours(p)) {
            let tasks_s = per_task_s * point.record.tasks.unwrap_or(0) as f64;
            // The largest term; a tie goes to the later one (`max_by` keeps the last).
            let terms = [(fit.startup_s, "start-up"), (tasks_s, "tasks"), (work_s, "work")];
            let bound = terms.into_iter().max_by(|a, b| a.0.total_cmp(&b.0));
            (point.figures.fit, point.figures.bound) = (Some(fit), bound.map(|term| term.1));
        }
    }
}

/// The variant of `first` (its first point), with its best and largest points.
fn line(kind: Kind, all: &[Point], first: &Point) -> Line {
    let mut points: Vec<Point> =
        all.iter().filter(|p| p.variant == first.variant).cloned().collect();
    points.sort_by(|a, b| a.value.total_cmp(&b.value));
    let speedup = |p: &&Point| p.figures.speedup.unwrap_or(0.0);
    let parallel = points.iter().filter(|p| p.family != Family::Seq && p.figures.speedup.is_some());
    let best = parallel.max_by(|a, b| speedup(a).total_cmp(&speedup(b)));
    let share = best.and_then(|best| Some(best.figures.speedup? / best.figures.ideal_speedup?));
    Line {
        variant: first.variant.clone(),
        // `first` is among them, so the variant has a largest point.
        largest: points.last().unwrap_or(first).clone(),
        best: best.cloned(),
        share,
        duplicated: points.iter().any(|p| p.figures.duplicates > Some(0.0)),
        knee: points.iter().rfind(|p| kind == Kind::Rate && below_knee(p)).cloned(),
        reach: (kind == Kind::Tasksize).then(|| reach(all, &points)).flatten(),
        points,
    }
}

/// Speedup against seq on the same job, and the ideal: min(workers, cores) lanes, or for
/// `processes` the job's own bound where its record has one (convert's busiest worker).
fn cpu_figures(
    kind: Kind,
    all: &[Point],
    point: &Point,
    cores: Option<u64>,
    f: &mut Figures,
) -> Option<f64> {
    let (record, median) = (&point.record, point.timing.median_s);
    let same_job = |p: &&Point| p.family == Family::Seq && job_of(p) == job_of(point);
    let seqs: Vec<&Point> = all.iter().filter(same_job).collect();
    // `workers` and `processes` run seq once per job: every point's baseline.
    let only = kind != Kind::Tasksize && seqs.len() == 1;
    let seq = seqs.iter().find(|seq| only || seq.value == point.value);
    let seq_s = seq.map(|seq| seq.timing.median_s);
    f.workers = record.workers.map(|workers| workers as f64).or(match kind {
        Kind::Workers => Some(point.value),
        _ => (point.family == Family::Seq).then_some(1.0),
    });
    f.speedup = seq_s.map(|seq| seq / median);
    let lanes = f.workers.zip(cores).map(|(w, cores)| cpu_lanes(w as u64, cores) as f64);
    let own = record.ideal_ms.map(|ms| ms / 1000.0).filter(|_| kind == Kind::Processes);
    let ideal_s = own.or(seq_s.zip(lanes).map(|(seq, lanes)| seq / lanes));
    f.ideal_speedup = match own {
        Some(own) => seq_s.map(|seq| seq / own),
        None => lanes,
    };
    let overhead = |(ideal, tasks)| (median - ideal) / tasks as f64;
    f.overhead_per_task_s = ideal_s.zip(record.tasks).map(overhead);
    ideal_s
}

/// The workload of a point's command (after the binary): `processes` sweeps several.
fn job_of(point: &Point) -> Option<&str> {
    point.command.split_whitespace().nth(1)
}

/// A `rate` point that achieved its offered rate with p99 close to the latency.
fn below_knee(point: &Point) -> bool {
    let f = &point.figures;
    let achieved = f.achieved_rps.is_some_and(|rps| rps >= KNEE_ACHIEVED * point.value);
    achieved && f.ratio_to_ideal.is_some_and(|ratio| ratio <= KNEE_P99)
}

fn reached(point: &Point) -> bool {
    let (speedup, ideal) = (point.figures.speedup, point.figures.ideal_speedup);
    speedup.zip(ideal).is_some_and(|(speedup, ideal)| speedup >= SHARE_OF_IDEAL * ideal)
}

/// When a parallel `tasksize` variant reaches its ideal speedup, from its points by ascending
/// size; `None` for seq.
fn reach(all: &[Point], points: &[Point]) -> Option<Reach> {
    let has = |p: &&Point| p.figures.speedup.is_some() && p.figures.ideal_speedup.is_some();
    let rows: Vec<&Point> = points.iter().filter(|p| p.family != Family::Seq).filter(has).collect();
    let largest = *rows.last()?;
    let from_index = rows.iter().rposition(|p| !reached(p)).map_or(0, |miss| miss + 1);
    let from = rows.get(from_index).copied();
    let work_s = from.and_then(|from| {
        let seq = all.iter().find(|p| p.value == from.value && p.family == Family::Seq)?;
        Some(seq.timing.median_s / seq.record.tasks? as f64)
    });
    let median = largest.timing.median_s;
    let fit = largest.figures.fit.filter(|fit| fit.startup_s > 0.0);
    let speedup = largest.figures.speedup.unwrap_or(0.0);
    let without_startup = fit.map(|fit| speedup * median / (median - fit.startup_s));
    let ideal = largest.figures.ideal_speedup.unwrap_or(0.0);
    let startup_holds_back = fit.zip(without_startup).is_some_and(|(fit, without)| {
        let tasks_s = fit.per_task_s * largest.record.tasks.unwrap_or(0) as f64;
        !reached(largest) && fit.startup_s > tasks_s && without >= SHARE_OF_IDEAL * ideal
    });
    Some(Reach {
        from: from.cloned(),
        every: from_index == 0,
        work_s,
        some: rows.iter().any(|p| reached(p)),
        without_startup,
        startup_holds_back,
    })
}

fn at(points: &[Point], value: f64) -> At {
    let here: Vec<Point> = points.iter().filter(|p| p.value == value).cloned().collect();
    let by_median = |a: &&Point, b: &&Point| a.timing.median_s.total_cmp(&b.timing.median_s);
    let fastest = here.iter().min_by(by_median).cloned();
    let slowest = here.iter().max_by(by_median).cloned();
    let spread = fastest.as_ref().zip(slowest.as_ref()).filter(|_| here.len() >= 2);
    let spread = spread.map(|(fastest, slowest)| slowest.timing.median_s / fastest.timing.median_s);
    At { value, points: here, fastest, slowest, spread }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A point of `variant` at `value` taking `median_s`, with a record.
    fn point(variant: &str, value: f64, median_s: f64, record: &str) -> Point {
        let record = crate::files::record_object(record).expect("an object");
        let record = crate::files::record_of(&record);
        let result = crate::files::HyperfineResult {
            command: variant.into(),
            mean: median_s,
            stddev: None,
            median: median_s,
            user: 0.0,
            system: 0.0,
            min: median_s,
            max: median_s,
            times: vec![median_s],
            exit_codes: vec![Some(0)],
        };
        Point {
            line: 1,
            variant: variant.into(),
            family: Family::of(variant, Some(&record)),
            value,
            command: String::new(),
            peak_rss_kib: record.peak_rss_kib,
            pss_kib: record.pss_kib,
            record,
            timing: Timing::of(&result, None),
            figures: Figures::default(),
        }
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1e-6)
    }

    /// A synthetic task-size sweep with a known start-up and cost per task: the
    /// fit finds both, the bound moves from work to tasks as tasks multiply, and
    /// without its start-up the largest point would be near its ideal.
    #[test]
    fn fit_separates_startup_from_cost_per_task() {
        let mut points = Vec::new();
        for tasks in [10u64, 100, 1_000, 10_000, 100_000] {
            let size = 1e8 / tasks as f64;
            let record = |workers| format!(r#"{{"workers":{workers},"tasks":{tasks}}}"#);
            // seq: 40 ms of work and 10 ns a task; procs: the work halved, 3 ms of
            // start-up beyond that, 12 µs a task.
            points.push(point("seq", size, 0.040 + 10e-9 * tasks as f64, &record(1)));
            points.push(point("procs", size, 0.023 + 12e-6 * tasks as f64, &record(2)));
        }
        let sweep = sweep("tasksize".into(), "task_iterations".into(), points, Some(2));
        let procs = &sweep.lines[1];
        let fit = procs.largest.figures.fit.expect("procs is fitted");
        assert!(close(fit.per_task_s, 12e-6), "{fit:?}");
        assert!(close(fit.startup_s, 0.003) && close(fit.work_s, 0.020), "{fit:?}");
        let bounds: Vec<Option<&str>> = procs.points.iter().map(|p| p.figures.bound).collect();
        let (tasks, work) = (Some("tasks"), Some("work"));
        assert_eq!(bounds, [tasks, tasks, work, work, work], "by ascending task size");
        let reach = procs.reach.as_ref().expect("procs is parallel");
        assert!(sweep.lines[0].reach.is_none(), "seq is not");
        // 10 tasks: 40.0001 ms ÷ (23.12 − 3) ms.
        let without = reach.without_startup.expect("a start-up");
        assert!(close(without, 0.0400001 / 0.02012), "{without}");
        assert!(reach.startup_holds_back, "1.73× misses 90% of 2×, 1.99× would not");
        assert!(fit_line([(5.0, 1.0), (5.0, 2.0)].into_iter()).is_none(), "one task count");
    }

    /// At 0 ms the variants differ by 2.3× from their own CPU costs; the model
    /// starts to matter at the first latency above 0 whose spread is over 2×.
    #[test]
    fn latency_matters_from_the_first_wait() {
        let mut points = Vec::new();
        for (ms, seq, async_) in
            [(0.0, 0.00468, 0.0109), (1.0, 0.177, 0.00986), (5.0, 0.825, 0.0143)]
        {
            points.push(point("seq", ms, seq, r#"{"requests":160}"#));
            points.push(point("async", ms, async_, r#"{"requests":160,"concurrency":160}"#));
        }
        let sweep = sweep("latency".into(), "latency_ms".into(), points, Some(2));
        let zero = sweep.zero.as_ref().expect("a spread at 0 ms");
        assert_eq!(zero.fastest.as_ref().map(|p| p.variant.as_str()), Some("seq"));
        assert_eq!(zero.spread.map(|spread| (spread * 100.0).round()), Some(233.0));
        let matters = sweep.matters.as_ref().expect("the model matters");
        assert_eq!(matters.value, 1.0);
        assert!(matters.spread.is_some_and(|spread| close(spread, 0.177 / 0.00986)));
        let seq_at_5 = &sweep.at[2].points[0];
        assert!(close(seq_at_5.figures.ideal_s.expect("an ideal"), 0.8), "160 waves of 5 ms");
    }

    /// A per-task memory figure at or below zero is the 1-task run's noise.
    #[test]
    fn memory_at_or_below_the_first_run_is_noise() {
        let points = vec![
            point("async", 1.0, 1.0, r#"{"peak_rss_kib":5172,"wait_ms":1000}"#),
            point("async", 1000.0, 1.0, r#"{"peak_rss_kib":5168,"wait_ms":1000}"#),
            point("async", 10.0, 1.0, r#"{"peak_rss_kib":5176,"wait_ms":1000}"#),
        ];
        let sweep = sweep("tasks".into(), "tasks".into(), points, None);
        let per = |at: usize| sweep.points[at].figures.per_unit.expect("a base");
        assert!(per(1).noise && close(per(1).kib, -0.004));
        assert!(!per(2).noise && close(per(2).kib, 0.4));
    }

    /// The latency is read from the site server's URL.
    #[test]
    fn latency_from_the_url() {
        let command = "bin/concur-threads download --url http://127.0.0.1:80/page?latency_ms=200";
        assert_eq!(url_latency_ms(command), Some(200.0));
        assert_eq!(url_latency_ms("download --url http://x/page"), None);
        assert_eq!(url_latency_ms("x?latency_ms=&a=1"), None);
    }
}
