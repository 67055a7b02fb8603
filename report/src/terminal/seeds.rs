//! The seeds in the terminal: one line per experiment, CPython's median beside
//! concur's and how many times as long CPython took, so the fourteen experiments
//! take fifteen lines rather than twenty-nine. A pair whose answers disagree with
//! their group's says so at the end of its line.

use crate::columns::{Align, aligned};
use crate::format::{duration, factor};
use crate::seeds::{self, Experiment};
use crate::table::{Row, WorkloadReport};

/// Shown for a value that does not exist.
const NONE: &str = "–";

/// The seeds' table; without any CPython variant, the concur column alone.
pub(super) fn table(workload: &WorkloadReport, experiments: &[Experiment]) -> String {
    let pairs = seeds::pairs(workload, experiments);
    let python = pairs.iter().any(|pair| pair.python.is_some());
    let median = |row: &Option<Row>| {
        row.as_ref()
            .map_or_else(|| NONE.to_string(), |row| duration(row.timing.median))
    };
    let mut lines = vec![if python {
        vec![
            workload.workload.clone(),
            "CPython".to_string(),
            "concur".to_string(),
            "CPython ÷ concur".to_string(),
            String::new(),
        ]
    } else {
        vec![
            workload.workload.clone(),
            "concur".to_string(),
            String::new(),
        ]
    }];
    for pair in &pairs {
        let mut cells = vec![format!("  {}", pair.experiment.id)];
        if python {
            cells.push(median(&pair.python));
        }
        cells.push(median(&pair.concur));
        if python {
            cells.push(pair.ratio().map_or_else(|| NONE.to_string(), factor));
        }
        let failed = pair.agrees() == Some(false);
        cells.push(if failed { "✗ wrong answer" } else { "" }.to_string());
        lines.push(cells);
    }
    let mut aligns = vec![Align::Left; lines[0].len()];
    for align in &mut aligns[1..lines[0].len() - 1] {
        *align = Align::Right;
    }
    aligned(&lines, &aligns)
}
