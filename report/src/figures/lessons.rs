//! What each workload's table is read as teaching, checked against this run's
//! numbers, so that a page never states a lesson its own table contradicts: the
//! templates print the lesson when it `holds` and otherwise what was measured.
//!
//! The thresholds, chosen once here:
//! - CPU work: a variant with L lanes (its ideal's divisor, min(concurrency,
//!   cores)) *uses them* when its speedup is at least [`SHARE_OF_IDEAL`] × L; a
//!   one-lane variant (the emulated GIL, a current-thread runtime) *stays at
//!   seq's speed* within 10% either way.
//! - I/O: the time *follows concurrency* when every variant is within
//!   [`NEAR_IDEAL`] of its latency bound ⌈requests ÷ concurrency⌉ × latency.
//! - convert: the lock *serializes* when the locked variants gain less than
//!   [`HELPS`](super::seeds::HELPS) over seq; racy is *as fast* as the correct
//!   fast designs within [`AS_FAST`].

use serde::Serialize;

use super::row::{Check, IdealRule, Kind, Row};
use super::seeds::HELPS;

pub const SHARE_OF_IDEAL: f64 = 0.9;
/// How far above its latency bound a waiting variant may be and still follow it:
/// connection set-up and the client's own CPU add a few milliseconds to a 50 ms
/// wave (docs/io.md).
pub const NEAR_IDEAL: f64 = 1.5;
pub const AS_FAST: f64 = 1.1;

/// A variant that missed what its lesson expects of it.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub variant: String,
    /// What it reached: a speedup (CPU) or a ratio to its ideal (I/O).
    pub reached: f64,
    /// What the lesson expects: its lanes (CPU) or [`NEAR_IDEAL`] (I/O).
    pub expected: f64,
    pub unsteady: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Lesson {
    Cpu {
        cores: Option<u64>,
        /// Every parallel variant used its lanes (and there was one).
        holds: bool,
        /// There is a one-lane variant (the emulated GIL, a current-thread runtime).
        single: bool,
        misses: Vec<Miss>,
    },
    Download {
        holds: bool,
        misses: Vec<Miss>,
    },
    Convert(Convert),
    None,
}

#[derive(Debug, Clone, Serialize)]
pub struct Convert {
    /// The locked variants' best speedup over seq.
    pub locked_speedup: Option<f64>,
    pub lock_serializes: bool,
    /// The correct fast designs present (`single-flight`, `moka`).
    pub fast_designs: Vec<String>,
    /// Their gain over the lock of the same model, lowest and highest.
    pub gain: Option<(f64, f64)>,
    /// The racy variants' duplicate lookups, in table order.
    pub racy_duplicates: Vec<u64>,
    pub racy_as_fast: bool,
}

pub fn lesson(kind: Kind, rows: &[Row], cores: Option<u64>) -> Lesson {
    match kind {
        Kind::Cpu => cpu(rows, cores),
        Kind::Download => download(rows),
        Kind::Convert => Lesson::Convert(convert(rows)),
        _ => Lesson::None,
    }
}

fn miss(row: &Row, reached: f64, expected: f64) -> Miss {
    Miss { variant: row.variant.clone(), reached, expected, unsteady: row.unsteady.is_some() }
}

/// The rows a lesson may rest on: not seq, and with the right answer.
fn witnesses(rows: &[Row]) -> impl Iterator<Item = &Row> {
    rows.iter().filter(|row| !row.is_seq() && row.check != Check::WrongAnswer)
}

fn cpu(rows: &[Row], cores: Option<u64>) -> Lesson {
    let seq = rows.iter().find(|row| row.is_seq()).map(|seq| seq.timing.median_s);
    let (mut parallel, mut single, mut misses) = (0, 0, Vec::new());
    for row in witnesses(rows) {
        let ideal = row.ideal.filter(|ideal| ideal.rule == IdealRule::CpuBound);
        let (Some(seq), Some(ideal), Some(speedup)) = (seq, ideal, row.speedup) else {
            continue;
        };
        let lanes = (seq / ideal.seconds).round();
        let kept = if lanes > 1.0 {
            parallel += 1;
            speedup >= SHARE_OF_IDEAL * lanes
        } else {
            single += 1;
            (speedup - 1.0).abs() <= 0.1
        };
        if !kept {
            misses.push(miss(row, speedup, lanes));
        }
    }
    Lesson::Cpu { cores, holds: misses.is_empty() && parallel > 0, single: single > 0, misses }
}

fn download(rows: &[Row]) -> Lesson {
    let measured: Vec<(&Row, f64)> =
        witnesses(rows).filter_map(|row| Some((row, row.ratio_to_ideal?))).collect();
    let misses: Vec<Miss> = measured
        .iter()
        .filter(|(_, ratio)| *ratio > NEAR_IDEAL)
        .map(|(row, ratio)| miss(row, *ratio, NEAR_IDEAL))
        .collect();
    Lesson::Download { holds: misses.is_empty() && !measured.is_empty(), misses }
}

fn convert(rows: &[Row]) -> Convert {
    let is = |row: &Row, design: &str| row.record().cache.as_deref() == Some(design);
    let fast: Vec<&Row> = witnesses(rows)
        .filter(|row| (is(row, "single-flight") || is(row, "moka")) && row.rule_kept == Some(true))
        .collect();
    let locked: Vec<&Row> = rows.iter().filter(|row| !row.is_seq() && is(row, "locked")).collect();
    let locked_speedup = locked.iter().filter_map(|row| row.speedup).reduce(f64::max);
    let gains: Vec<f64> = fast
        .iter()
        .filter_map(|row| {
            let lock = locked.iter().find(|lock| lock.family == row.family)?;
            Some(lock.timing.median_s / row.timing.median_s)
        })
        .collect();
    let mut racy: Vec<&Row> = rows.iter().filter(|row| is(row, "racy")).collect();
    racy.sort_by_key(|row| row.family);
    let twice = racy.iter().filter(|row| row.check == Check::ConvertsTwice);
    let slowest_fast = fast.iter().map(|row| row.timing.median_s).reduce(f64::max);
    let designs =
        ["single-flight", "moka"].into_iter().filter(|d| fast.iter().any(|row| is(row, d)));
    Convert {
        lock_serializes: locked_speedup.is_some_and(|speedup| speedup < HELPS),
        locked_speedup,
        fast_designs: designs.map(str::to_string).collect(),
        gain: gains.iter().copied().reduce(f64::min).zip(gains.iter().copied().reduce(f64::max)),
        racy_duplicates: twice.filter_map(|row| row.record.as_ref()?.duplicates).collect(),
        racy_as_fast: !racy.is_empty()
            && slowest_fast
                .is_some_and(|fast| racy.iter().all(|row| row.timing.median_s <= AS_FAST * fast)),
    }
}
