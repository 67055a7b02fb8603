//! Placeholder with the chart API until the plotters module lands.
use anyhow::{Result, bail};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    Seconds,
    Milliseconds,
    Factor,
    Plain,
}
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub value_label: String,
    pub unit: Unit,
    pub kind: Kind,
    pub legend: Vec<(String, usize)>,
}
#[derive(Debug, Clone)]
pub enum Kind {
    Bars(Vec<Bar>),
    Dots {
        rows: Vec<DotRow>,
        marks: Vec<String>,
        reference: Option<(String, f64)>,
    },
    Lines {
        x_label: String,
        series: Vec<Series>,
    },
}
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub colour: usize,
    pub value: f64,
    pub spread: Option<(f64, f64)>,
    pub ideal: Option<f64>,
}
#[derive(Debug, Clone)]
pub struct DotRow {
    pub label: String,
    pub colour: usize,
    pub values: Vec<Option<f64>>,
}
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub colour: usize,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
}
pub fn svg(chart: &Chart) -> Result<String> {
    let _ = chart;
    if false {
        bail!("x")
    }
    Ok("<svg/>".into())
}
