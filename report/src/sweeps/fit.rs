//! `tasksize`'s fit: each variant's time as start-up + tasks × cost per task, and from which task
//! size it reaches its ideal speedup.

use super::point::{Fit, Point, Reach};
use crate::figures::Family;
use crate::figures::lessons::SHARE_OF_IDEAL;

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

/// Fits every variant of a task-size sweep against seq's fit, and marks each point with the term
/// that bounds it. Without a seq fit nothing is fitted.
pub(super) fn fit_variants(points: &mut [Point]) {
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

fn reached(point: &Point) -> bool {
    let (speedup, ideal) = (point.figures.speedup, point.figures.ideal_speedup);
    speedup.zip(ideal).is_some_and(|(speedup, ideal)| speedup >= SHARE_OF_IDEAL * ideal)
}

/// When a parallel `tasksize` variant reaches its ideal speedup, from its points by ascending
/// size; `None` for seq.
pub(super) fn reach(all: &[Point], points: &[Point]) -> Option<Reach> {
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
