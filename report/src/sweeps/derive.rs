//! Each sweep's derived figures: its per-unit columns, its ideal, and the value
//! its chart plots, computed once here so that the CSV, the chart, the tables and
//! the sentences all read the same numbers.
//!
//! Every figure is built on the median of a point's runs. Memory per unit is
//! `(peak_rss_kib(N) − peak_rss_kib(1)) ÷ N` against the same variant's point at
//! N = 1, which removes what the process costs before its first task (the
//! runtime, the binary, the allocator); a variant without that point gets no
//! per-unit figure and a note saying so, never a figure against some other base.

use crate::format::trimmed;
use crate::input::Machine;
use crate::model::Family;

use super::point::{Column, Figure, Kind, Point, Row, Sweep, Table};

pub const WAIT_S: &str = "wait_s";
pub const MEMORY_PER_TASK: &str = "memory_per_task_kib";
pub const PSS: &str = "pss_kib";
pub const PSS_PER_TASK: &str = "pss_per_task_kib";
pub const REQUESTS: &str = "requests";
pub const LATENCY_MS: &str = "latency_ms";
pub const MEMORY_PER_IN_FLIGHT: &str = "memory_per_in_flight_kib";
pub const CONCURRENCY: &str = "concurrency";
pub const TASKS: &str = "tasks";
pub const WORKERS: &str = "workers";
pub const SPEEDUP: &str = "speedup_vs_seq";
pub const IDEAL_SPEEDUP: &str = "ideal_speedup";
pub const OVERHEAD_PER_TASK: &str = "overhead_per_task_us";
pub const DUPLICATES: &str = "duplicates";
pub const CONVERSIONS: &str = "conversions";
pub const IDEAL_S: &str = "ideal_s";
pub const RATIO: &str = "ratio_to_ideal";

/// The columns every sweep ends with where an ideal exists.
const IDEAL_COLUMNS: [Column; 2] = [column(IDEAL_S, 6), column(RATIO, 4)];

const fn column(name: &'static str, decimals: usize) -> Column {
    Column { name, decimals }
}

/// The derived table of a sweep; `machine` gives the core count the CPU-bound
/// ideals need.
pub fn table<'a>(sweep: &'a Sweep, machine: &Machine) -> Table<'a> {
    match sweep.kind {
        Kind::Tasks => tasks(sweep),
        Kind::Inflight => inflight(sweep),
        Kind::Latency => latency(sweep),
        Kind::Tasksize | Kind::Workers => speedups(sweep, machine.cores),
        Kind::Callers | Kind::Other => recorded_ideal(sweep),
    }
}

/// One derived row: its cells, the chart's value and its ideal.
type Derived = (Vec<Option<f64>>, Option<f64>, Option<f64>);

fn build<'a>(
    sweep: &'a Sweep,
    columns: Vec<Column>,
    figure: Figure,
    notes: Vec<String>,
    derive: impl Fn(&Point) -> Derived,
) -> Table<'a> {
    let rows = sweep
        .points
        .iter()
        .map(|point| {
            let (cells, y, ideal_y) = derive(point);
            Row {
                point,
                cells,
                y,
                ideal_y,
            }
        })
        .collect();
    let mut table = Table {
        sweep,
        columns,
        rows,
        figure,
        notes,
    };
    if let Some(note) = faster_than_ideal(&table) {
        table.notes.push(note);
    }
    table
}

/// Below this ratio to its ideal a point cannot have run as its ideal assumes.
const BELOW_IDEAL: f64 = 0.9;

/// A note naming the points that beat their ideal: an ideal is a lower bound,
/// so such a point did not run as the sweep assumes (a latency the server did
/// not apply, a core count that is wrong), and its figures are not what they say.
fn faster_than_ideal(table: &Table) -> Option<String> {
    let points: Vec<String> = table
        .rows
        .iter()
        .filter_map(|row| {
            let ratio = table
                .cell(row, RATIO)
                .filter(|ratio| *ratio < BELOW_IDEAL)?;
            Some(format!(
                "{} at {} ({ratio:.2}×)",
                row.point.variant,
                trimmed(row.point.value, 6)
            ))
        })
        .collect();
    (!points.is_empty()).then(|| {
        format!(
            "faster than the ideal, which is a lower bound, so these points did not run as the \
             sweep assumes (check their commands and records): {}",
            points.join(", ")
        )
    })
}

/// `ideal_s` and `ratio_to_ideal` of a point with this ideal.
fn ideal_cells(point: &Point, ideal_s: Option<f64>) -> [Option<f64>; 2] {
    let ideal_s = ideal_s.filter(|ideal| ideal.is_finite() && *ideal >= 0.0);
    let ratio = ideal_s
        .filter(|ideal| *ideal > 0.0)
        .map(|ideal| point.timing.median_s / ideal);
    [ideal_s, ratio]
}

/// The same variant's point at value 1, the base of every per-unit figure.
fn base<'a>(sweep: &'a Sweep, point: &Point) -> Option<&'a Point> {
    sweep
        .points
        .iter()
        .find(|base| base.variant == point.variant && base.value == 1.0)
}

/// `(figure(N) − figure(1)) ÷ N`, or nothing without both figures.
fn per_unit(point: &Point, base: Option<&Point>, figure: fn(&Point) -> Option<u64>) -> Option<f64> {
    let (now, then) = (figure(point)?, figure(base?)?);
    // KiB counts: far below 2^53, exact as floats.
    Some((now as f64 - then as f64) / point.value)
}

/// A note for each variant that has no point at value 1, naming the unit.
fn missing_bases(sweep: &Sweep, unit: &str, figure: &str) -> Vec<String> {
    sweep
        .variants()
        .into_iter()
        .filter(|variant| {
            !sweep
                .points
                .iter()
                .any(|point| point.variant == *variant && point.value == 1.0)
        })
        .map(|variant| {
            format!("{variant} has no point at 1 {unit}, so no {figure} is given for it")
        })
        .collect()
}

/// `tasks`: the ideal is one wait (every task waits at the same time), and the
/// chart shows time ÷ wait.
fn tasks(sweep: &Sweep) -> Table<'_> {
    let has_pss = sweep.points.iter().any(|point| point.pss_kib.is_some());
    let mut columns = vec![column(WAIT_S, 6), column(MEMORY_PER_TASK, 3)];
    if has_pss {
        columns.extend([column(PSS, 0), column(PSS_PER_TASK, 3)]);
    }
    columns.extend(IDEAL_COLUMNS);
    let mut notes = missing_bases(sweep, "task", "memory per task");
    if sweep.points.iter().any(|point| point.wait_ms.is_none()) {
        notes.push(
            "some points carry no wait_ms (record or --wait-ms): no time ÷ wait for them".into(),
        );
    }
    build(sweep, columns, Figure::TimeOverWait, notes, |point| {
        let wait_s = point.wait_ms.map(|ms| ms / 1000.0);
        let base = base(sweep, point);
        let mut cells = vec![
            wait_s,
            per_unit(point, base, |point| point.record.peak_rss_kib),
        ];
        if has_pss {
            cells.push(point.pss_kib.map(|kib| kib as f64));
            cells.push(per_unit(point, base, |point| point.pss_kib));
        }
        let ideal = ideal_cells(point, wait_s);
        cells.extend(ideal);
        (cells, ideal[1], ideal[1].map(|_| 1.0))
    })
}

/// The latency a download point's site server was asked for (`latency_ms=NNN`
/// in its URL).
pub fn url_latency_ms(command: &str) -> Option<f64> {
    let at = command.find("latency_ms=")? + "latency_ms=".len();
    let digits: String = command[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// `ceil(requests ÷ at_once) × latency`: the rounds of requests a model that
/// keeps `at_once` in flight needs.
fn rounds_ideal(requests: Option<u64>, at_once: f64, latency_ms: Option<f64>) -> Option<f64> {
    let rounds = (requests? as f64 / at_once.max(1.0)).ceil();
    Some(rounds * latency_ms? / 1000.0)
}

/// `inflight`: the ideal is `ceil(requests ÷ N) × latency`, the chart shows time ÷ ideal.
fn inflight(sweep: &Sweep) -> Table<'_> {
    let mut columns = vec![
        column(REQUESTS, 0),
        column(LATENCY_MS, 3),
        column(MEMORY_PER_IN_FLIGHT, 3),
    ];
    columns.extend(IDEAL_COLUMNS);
    let notes = missing_bases(sweep, "request in flight", "memory per request in flight");
    build(sweep, columns, Figure::TimeOverIdeal, notes, |point| {
        let latency_ms = url_latency_ms(&point.command);
        let ideal = ideal_cells(
            point,
            rounds_ideal(point.record.requests, point.value, latency_ms),
        );
        let memory = per_unit(point, base(sweep, point), |point| point.record.peak_rss_kib);
        let requests = point.record.requests.map(|requests| requests as f64);
        let mut cells = vec![requests, latency_ms, memory];
        cells.extend(ideal);
        (cells, ideal[1], ideal[1].map(|_| 1.0))
    })
}

/// `latency`: the ideal is `ceil(requests ÷ concurrency) × latency`, the chart
/// shows the time itself against it.
fn latency(sweep: &Sweep) -> Table<'_> {
    let mut columns = vec![column(REQUESTS, 0), column(CONCURRENCY, 0)];
    columns.extend(IDEAL_COLUMNS);
    build(sweep, columns, Figure::Seconds, Vec::new(), |point| {
        let concurrency = point.record.parallelism() as f64;
        let ideal_s = rounds_ideal(point.record.requests, concurrency, Some(point.value));
        let requests = point.record.requests.map(|requests| requests as f64);
        let mut cells = vec![requests, Some(concurrency)];
        cells.extend(ideal_cells(point, ideal_s));
        let ideal_y = ideal_s.filter(|ideal| *ideal > 0.0);
        (cells, Some(point.timing.median_s), ideal_y)
    })
}

/// The seq point a parallel point is compared with: seq at the same value, or
/// (`workers`, where seq runs once) the sweep's only seq point.
fn seq_for<'a>(sweep: &'a Sweep, point: &Point) -> Option<&'a Point> {
    let seqs: Vec<&Point> = sweep
        .points
        .iter()
        .filter(|point| point.family() == Family::Seq)
        .collect();
    let only = match (sweep.kind, seqs.as_slice()) {
        (Kind::Workers, [only]) => Some(*only),
        _ => None,
    };
    seqs.iter()
        .find(|seq| seq.value == point.value)
        .copied()
        .or(only)
}

/// The workers a point ran with: its record's, else (`workers`) the swept value.
fn workers_of(sweep: &Sweep, point: &Point) -> Option<f64> {
    let recorded = point.record.workers.map(|workers| workers as f64);
    match sweep.kind {
        Kind::Workers => recorded.or(Some(point.value)),
        _ => recorded.or((point.family() == Family::Seq).then_some(1.0)),
    }
}

/// `tasksize` and `workers`: speedup against seq, the ideal speedup
/// `min(workers, cores)`, and (`tasksize`) the overhead per task
/// `(time − seq ÷ ideal speedup) ÷ tasks`.
fn speedups(sweep: &Sweep, cores: Option<u64>) -> Table<'_> {
    let tasksize = sweep.kind == Kind::Tasksize;
    let mut columns = vec![
        column(WORKERS, 0),
        column(SPEEDUP, 4),
        column(IDEAL_SPEEDUP, 0),
    ];
    if tasksize {
        columns.insert(0, column(TASKS, 0));
        columns.push(column(OVERHEAD_PER_TASK, 4));
    }
    columns.extend(IDEAL_COLUMNS);
    let mut notes = Vec::new();
    if cores.is_none() {
        notes.push("machine.json has no core count, so there is no ideal speedup".to_string());
    }
    if !sweep
        .points
        .iter()
        .any(|point| point.family() == Family::Seq)
    {
        notes.push("no seq point, so there is no speedup".to_string());
    }
    build(sweep, columns, Figure::Speedup, notes, |point| {
        let seq_s = seq_for(sweep, point).map(|seq| seq.timing.median_s);
        let workers = workers_of(sweep, point);
        let speedup = seq_s.map(|seq| seq / point.timing.median_s);
        let ideal_speedup = match (workers, cores) {
            (Some(workers), Some(cores)) => Some(workers.min(cores as f64).max(1.0)),
            _ => None,
        };
        let ideal_s = seq_s.zip(ideal_speedup).map(|(seq, ideal)| seq / ideal);
        let mut cells = vec![workers, speedup, ideal_speedup];
        if tasksize {
            let tasks = point.record.tasks.map(|tasks| tasks as f64);
            cells.insert(0, tasks);
            let overhead = ideal_s
                .zip(tasks)
                .map(|(ideal, tasks)| (point.timing.median_s - ideal) / tasks * 1e6);
            cells.push(overhead);
        }
        cells.extend(ideal_cells(point, ideal_s));
        // seq's own ideal (1×) is not drawn: it is the line every other is against.
        let ideal_y = ideal_speedup.filter(|_| point.family() != Family::Seq);
        (cells, speedup, ideal_y)
    })
}

/// `callers` and sweeps without a rule: the time, against the ideal the record
/// states (`ideal_ms`) where it states one; `callers` adds the conversions.
fn recorded_ideal(sweep: &Sweep) -> Table<'_> {
    let callers = sweep.kind == Kind::Callers;
    let mut columns = Vec::new();
    if callers {
        columns.extend([column(DUPLICATES, 0), column(CONVERSIONS, 0)]);
    }
    columns.extend(IDEAL_COLUMNS);
    build(sweep, columns, Figure::Seconds, Vec::new(), |point| {
        let ideal_s = point.record.ideal_ms.map(|ms| ms / 1000.0);
        let mut cells = Vec::new();
        if callers {
            let count = |count: Option<u64>| count.map(|count| count as f64);
            cells.extend([
                count(point.record.duplicates),
                count(point.record.conversions),
            ]);
        }
        let ideal = ideal_cells(point, ideal_s);
        cells.extend(ideal);
        let ideal_y = ideal[0].filter(|ideal| *ideal > 0.0);
        (cells, Some(point.timing.median_s), ideal_y)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The latency is read from the site server's URL.
    #[test]
    fn latency_from_the_url() {
        let command = "bin/concur-threads download --url http://127.0.0.1:80/page?latency_ms=200 --repeat 160";
        assert_eq!(url_latency_ms(command), Some(200.0));
        assert_eq!(url_latency_ms("download --url http://x/page"), None);
        assert_eq!(url_latency_ms("x?latency_ms=&a=1"), None);
    }

    /// Rounds of requests: 160 requests 10 at a time at 200 ms is 3.2 s.
    #[test]
    fn ideal_rounds() {
        assert_eq!(rounds_ideal(Some(160), 10.0, Some(200.0)), Some(3.2));
        assert_eq!(rounds_ideal(Some(160), 1000.0, Some(200.0)), Some(0.2));
        assert_eq!(rounds_ideal(Some(160), 0.0, Some(200.0)), Some(32.0));
        assert_eq!(rounds_ideal(None, 10.0, Some(200.0)), None);
    }
}
