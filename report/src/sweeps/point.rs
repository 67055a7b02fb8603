//! The sweeps as data: each sweep's kind, its measured points, and the derived
//! table every output is rendered from.
//!
//! A leaf module, so that reading ([`load`](super::load)), deriving
//! ([`derive`](super::derive)) and rendering all share these types without any
//! of them importing another's parent.

use crate::input::{Machine, Params, Record};
use crate::model::Family;

/// Which sweep of `scripts/sweep.sh` a name is, and so which figures it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// N tasks each waiting a fixed time: time ÷ wait, memory per task.
    Tasks,
    /// Downloads with N requests in flight: time ÷ ideal, memory per request in flight.
    Inflight,
    /// The seed's downloads at a range of latencies: time against its ideal.
    Latency,
    /// range-sum with its total fixed, in tasks of a given size: speedup, overhead per task.
    Tasksize,
    /// squares with 1..W workers: speedup against min(W, cores).
    Workers,
    /// convert with N callers per cache design: time, duplicate conversions.
    Callers,
    /// A sweep this report has no rule for: its times only.
    Other,
}

impl Kind {
    /// The kind of a sweep, by its name.
    pub fn of(sweep: &str) -> Kind {
        match sweep {
            "tasks" => Kind::Tasks,
            "inflight" => Kind::Inflight,
            "latency" => Kind::Latency,
            "tasksize" => Kind::Tasksize,
            "workers" => Kind::Workers,
            "callers" => Kind::Callers,
            _ => Kind::Other,
        }
    }

    /// Whether the sweep's values grow geometrically (1, 10, 100, ...), so that
    /// its x axis is logarithmic. `workers` (1-8) and `latency` (0-200 ms, from 0)
    /// are not.
    pub fn geometric(self) -> bool {
        !matches!(self, Kind::Workers | Kind::Latency)
    }

    /// What the swept parameter is, with its unit, for the x axis and the tables.
    pub fn parameter_label(self, parameter: &str) -> String {
        match self {
            Kind::Tasks => "tasks waiting at once".to_string(),
            Kind::Inflight => "requests in flight".to_string(),
            Kind::Latency => "latency per request (ms)".to_string(),
            Kind::Tasksize => "task size (iterations)".to_string(),
            Kind::Workers => "workers".to_string(),
            Kind::Callers => "callers".to_string(),
            Kind::Other => parameter.to_string(),
        }
    }

    /// What the sweep measures, for its heading.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Tasks => "waiting tasks: time ÷ wait and memory per task",
            Kind::Inflight => "requests in flight: time ÷ ideal and memory per request",
            Kind::Latency => "latency: where the model stops mattering",
            Kind::Tasksize => "task size: speedup and overhead per task",
            Kind::Workers => "workers: speedup against the ideal",
            Kind::Callers => "callers per cache design: time and duplicate conversions",
            Kind::Other => "median wall time",
        }
    }
}

/// A point's wall time, from its hyperfine export.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// The median of the runs' `times`: every derived number is built on it.
    pub median_s: f64,
    pub min_s: f64,
    pub max_s: f64,
    pub runs: usize,
}

/// One measured point: a variant at one value of the swept parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// 1-based line of `records.jsonl`, for messages.
    pub line: usize,
    pub variant: String,
    pub value: f64,
    /// The exact command line that was timed.
    pub command: String,
    /// The hyperfine export, relative to the sweep directory.
    pub export: String,
    pub record: Record,
    /// `sleep`: how long each task waited, from the record (else the command).
    pub wait_ms: Option<f64>,
    /// Proportional set size (shared pages split between their sharers), when
    /// the record carries one.
    pub pss_kib: Option<u64>,
    pub timing: Timing,
}

impl Point {
    /// The point's model: its record's `model`, else its variant name's first word.
    pub fn family(&self) -> Family {
        Family::of(&self.variant, Some(&self.record))
    }
}

/// One sweep: every point of it, in the order they ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    pub name: String,
    /// The swept parameter's name (`tasks`, `in_flight`, `latency_ms`, ...).
    pub parameter: String,
    pub kind: Kind,
    pub points: Vec<Point>,
}

impl Sweep {
    /// The variants, in the order of their first point.
    pub fn variants(&self) -> Vec<&str> {
        let mut variants: Vec<&str> = Vec::new();
        for point in &self.points {
            if !variants.contains(&point.variant.as_str()) {
                variants.push(&point.variant);
            }
        }
        variants
    }

    /// The distinct values, ascending.
    pub fn values(&self) -> Vec<f64> {
        let mut values: Vec<f64> = self.points.iter().map(|point| point.value).collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        values
    }
}

/// Everything the sweep report is built from.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub params: Params,
    pub machine: Machine,
    /// In the order of their first record.
    pub sweeps: Vec<Sweep>,
}

/// A derived column of a sweep's CSV: its name (with its unit) and the decimals
/// it is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub decimals: usize,
}

/// What the chart plots upward, with its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// Median wall time, seconds.
    Seconds,
    /// Median time ÷ the wait of one task.
    TimeOverWait,
    /// Median time ÷ the ideal bound.
    TimeOverIdeal,
    /// Speedup against seq.
    Speedup,
}

impl Figure {
    pub fn label(self) -> &'static str {
        match self {
            Figure::Seconds => "median wall time (s)",
            Figure::TimeOverWait => "median time ÷ wait (×)",
            Figure::TimeOverIdeal => "median time ÷ ideal (×)",
            Figure::Speedup => "speedup vs seq (×)",
        }
    }

    /// What the dashed ideal stands for, in the legend.
    pub fn ideal_label(self) -> &'static str {
        match self {
            Figure::Seconds => "ideal bound",
            Figure::TimeOverWait => "ideal: one wait",
            Figure::TimeOverIdeal => "ideal",
            Figure::Speedup => "ideal speedup",
        }
    }
}

/// One point with its derived cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    pub point: &'a Point,
    /// One cell per [`Table::columns`], empty where the figure does not exist.
    pub cells: Vec<Option<f64>>,
    /// The chart's y value.
    pub y: Option<f64>,
    /// The ideal of `y`, where one exists.
    pub ideal_y: Option<f64>,
}

/// A sweep with its derived columns: what the CSV, the chart and the sentences read.
#[derive(Debug, Clone, PartialEq)]
pub struct Table<'a> {
    pub sweep: &'a Sweep,
    pub columns: Vec<Column>,
    /// In the sweep's order of points.
    pub rows: Vec<Row<'a>>,
    pub figure: Figure,
    /// What could not be derived and why (a missing N = 1 point, no core count).
    pub notes: Vec<String>,
}

impl Table<'_> {
    /// The cell of `row` in the column named `name`.
    pub fn cell(&self, row: &Row, name: &str) -> Option<f64> {
        let index = self.columns.iter().position(|column| column.name == name)?;
        row.cells.get(index).copied().flatten()
    }

    /// The rows of one variant, by ascending value.
    pub fn rows_of(&self, variant: &str) -> Vec<&Row<'_>> {
        let mut rows: Vec<&Row> = self
            .rows
            .iter()
            .filter(|row| row.point.variant == variant)
            .collect();
        rows.sort_by(|a, b| a.point.value.total_cmp(&b.point.value));
        rows
    }

    /// The row of `variant` at `value`.
    pub fn row_at(&self, variant: &str, value: f64) -> Option<&Row<'_>> {
        self.rows
            .iter()
            .find(|row| row.point.variant == variant && row.point.value == value)
    }
}
