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
//!   which every speedup is at least [`SHARE_OF_IDEAL`] of its ideal ([`Reach`]); [`super::fit`]
//!   separates its start-up from its cost per task;
//! - `workers`: each variant's best speedup, as a share of its ideal there;
//! - `rate`: a variant's *knee* is the highest offered rate at which it achieves at least
//!   [`KNEE_ACHIEVED`] of it with p99 within [`KNEE_P99`] × the latency.

use serde::Serialize;

use crate::figures::row::cpu_per_request;
use crate::figures::{Family, cpu_lanes, latency_bound_s};
use crate::files::Record;

use super::fit::{fit_variants, reach};
pub use super::point::{Figures, Fit, Kind, PerUnit, Point, Reach};

/// The spread (slowest ÷ fastest median) above which the model matters.
pub const MATTERS_ABOVE: f64 = 2.0;
pub use crate::figures::lessons::SHARE_OF_IDEAL;
/// The share of the offered rate a point must achieve, and its p99 as a multiple of the latency at
/// most, to be below its variant's knee.
pub const KNEE_ACHIEVED: f64 = 0.99;
pub const KNEE_P99: f64 = 1.5;
/// Below this ratio to its ideal (a lower bound) a point cannot have run as the sweep assumes.
const BELOW_IDEAL: f64 = 0.9;

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
        Kind::Inflight => {
            let latency = url_latency_ms(&point.command).zip(record.requests);
            let latency =
                latency.map(|(ms, n)| latency_bound_s(n, point.value.max(1.0) as u64, ms));
            io_ideal(&mut f, latency, point.zero_latency.as_ref(), record, cores)
        }
        Kind::Latency => {
            let latency =
                record.requests.map(|n| latency_bound_s(n, record.parallelism(), point.value));
            let zero = all.iter().find(|p| p.variant == point.variant && p.value == 0.0);
            io_ideal(&mut f, latency, zero.map(|zero| &zero.record), record, cores)
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
    // In units of the latency bound, so that 1 is that bound and the CPU bound shows above it.
    let per_latency_bound = |s: f64| f.latency_bound_s.filter(|l| *l > 0.0).map(|l| s / l);
    (f.y, f.ideal_y) = match kind {
        Kind::Tasks => (f.ratio_to_ideal, f.ratio_to_ideal.map(|_| 1.0)),
        Kind::Inflight => (per_latency_bound(median), f.ideal_s.and_then(per_latency_bound)),
        // seq's own ideal (1×) is not drawn: it is the line every other is against.
        Kind::Tasksize | Kind::Workers | Kind::Processes => {
            (f.speedup, f.ideal_speedup.filter(|_| point.family != Family::Seq))
        }
        Kind::Rate => (f.p99_s, positive),
        _ => (Some(median), positive),
    };
    f
}

/// The ideal of an I/O point: the larger of its latency bound and its CPU bound. The CPU bound is
/// what a request costs on both ends (client and site server, measured at 0 ms latency: `zero`'s
/// record) times the point's requests, over the cores they share: however well the waits overlap,
/// that CPU has to run. Without `zero`'s CPU or the core count, the latency bound alone.
fn io_ideal(
    f: &mut Figures,
    latency_s: Option<f64>,
    zero: Option<&Record>,
    record: &Record,
    cores: Option<u64>,
) -> Option<f64> {
    let cpu = zero.and_then(cpu_per_request).zip(record.requests).zip(cores);
    f.cpu_bound_s = cpu.map(|((cpu, requests), cores)| {
        (cpu.client_us + cpu.server_us.unwrap_or(0.0)) * requests as f64 / 1e6 / cores as f64
    });
    f.latency_bound_s = latency_s;
    let bound = |(cpu, latency): (f64, f64)| if cpu > latency { "CPU" } else { "latency" };
    f.bound = f.cpu_bound_s.zip(latency_s).map(bound);
    latency_s.into_iter().chain(f.cpu_bound_s).reduce(f64::max)
}

/// The latency a download point's site server was asked for (`latency_ms=NNN` in its URL).
pub fn url_latency_ms(command: &str) -> Option<f64> {
    let at = command.find("latency_ms=")? + "latency_ms=".len();
    let digits = &command[at..];
    let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
    digits[..end].parse().ok()
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
    use crate::stats::Timing;
    use crate::sweeps::fit::fit_line;

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
            zero_latency: None,
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
            let record = r#"{"requests":160,"concurrency":160,"cpu_ms":{"user":16,"sys":0}}"#;
            points.push(point("async", ms, async_, record));
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
        // async's 0 ms point cost 100 µs a request (16 ms over 160): 8 ms on two cores is more
        // than 5 ms of latency.
        let async_at_5 = &sweep.at[2].points[1].figures;
        assert_eq!(async_at_5.bound, Some("CPU"));
        assert!(close(async_at_5.cpu_bound_s.expect("a CPU bound"), 0.008), "{async_at_5:?}");
    }

    /// An in-flight point's ideal is the larger of its bounds: 10 000 requests at
    /// 200 ms, costing 150 µs of CPU each at 0 ms on two cores, are bound by the
    /// CPU (0.75 s); 100 are bound by the latency. The chart's unit is the latency
    /// bound, so the CPU bound shows as 3.75 there.
    #[test]
    fn inflight_ideal_counts_the_cpu() {
        let mut points = Vec::new();
        for (n, median_s) in [(100.0, 0.21), (10_000.0, 0.9)] {
            let record = format!(r#"{{"requests":{n}}}"#);
            let mut p = point("async", n, median_s, &record);
            p.command = "download --url http://x/page?latency_ms=200".into();
            let zero = format!(
                r#"{{"requests":{n},"cpu_ms":{{"user":{},"sys":0}},"server_cpu_ms":{{"user":{},"sys":0}}}}"#,
                n * 0.1,
                n * 0.05
            );
            p.zero_latency = Some(crate::files::record_of(
                &crate::files::record_object(&zero).expect("an object"),
            ));
            points.push(p);
        }
        let sweep = sweep("inflight".into(), "in_flight".into(), points, Some(2));
        let [few, many] = [&sweep.points[0].figures, &sweep.points[1].figures];
        assert_eq!((few.bound, many.bound), (Some("latency"), Some("CPU")));
        assert!(
            close(few.ideal_s.expect("an ideal"), 0.2)
                && close(few.cpu_bound_s.expect("a CPU bound"), 0.0075)
        );
        assert!(close(many.ideal_s.expect("an ideal"), 0.75), "{many:?}");
        assert!(close(many.y.expect("a y"), 4.5) && close(many.ideal_y.expect("an ideal y"), 3.75));
        assert!(close(many.ratio_to_ideal.expect("a ratio"), 1.2));
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
