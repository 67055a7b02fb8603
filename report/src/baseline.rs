//! `--baseline DIR`: every variant of this run against the same variant of an
//! earlier run (a results directory like this one, e.g. a copy of the committed
//! `results/`), as the median ratio and whether the difference stands out of the
//! runs' noise ([`rank_test`](mod@crate::rank_test)).
//!
//! The baseline's `<workload>.json` exports are read as strictly as this run's: a
//! garbled one would make every ratio wrong. Its `machine.json` only describes it,
//! so it may be missing. Nothing in the baseline directory is written.

use std::path::Path;

use anyhow::{Result, bail};

use crate::input::{self, HyperfineResult, Machine, read_hyperfine};
use crate::rank_test;
use crate::table::{Report, Row, VsBaseline};

/// Fills every row's `vs_baseline` from the baseline run in `dir`; a workload the
/// baseline did not time makes all its variants new, with a warning.
pub fn compare_with(report: &mut Report, dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        bail!(
            "baseline {} is not a directory (expected an earlier results directory)",
            dir.display()
        );
    }
    let machine_path = dir.join(input::MACHINE_FILE);
    let machine = if machine_path.exists() {
        input::read_machine(&machine_path)?
    } else {
        Machine::default()
    };
    for workload in &mut report.workloads {
        let path = dir.join(format!("{}.json", workload.workload));
        let baseline = if path.exists() {
            read_hyperfine(&path)?
        } else {
            report.warnings.push(format!(
                "baseline {}: no {}.json; every {} variant is new",
                dir.display(),
                workload.workload,
                workload.workload
            ));
            Vec::new()
        };
        for row in &mut workload.rows {
            let earlier = baseline.iter().find(|result| result.command == row.variant);
            row.vs_baseline = Some(vs_baseline(row, earlier));
        }
    }
    report.baseline = Some(machine);
    Ok(())
}

/// One variant against its baseline result, if the baseline has one.
fn vs_baseline(row: &Row, earlier: Option<&HyperfineResult>) -> VsBaseline {
    let Some(earlier) = earlier else {
        return VsBaseline::New;
    };
    let now = &row.timing;
    VsBaseline::Compared {
        baseline_median_s: earlier.median,
        ratio: now.median / earlier.median,
        difference: rank_test::compare(
            &now.times,
            &earlier.times,
            (now.min, now.max),
            (earlier.min, earlier.max),
        ),
    }
}
