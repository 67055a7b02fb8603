//! `convert`: `--workers` threads sharing one converter, on either engine.

use crate::cpu::rayon_pool;
use crate::options::Engine;
use crate::scoped::scoped;
use concur_shared::model::{Outcome, Progress, available_cores};
use concur_shared::workload::Answer;
use concur_shared::workload::convert::cost::CostKind;
use concur_shared::workload::convert::{ConvertAnswer, ConvertJob};
use rayon::prelude::*;

/// `--workers` threads calling one shared converter.
pub(crate) fn run_convert(
    job: &ConvertJob,
    engine: Engine,
    workers: usize,
    progress: &Progress,
) -> anyhow::Result<Outcome> {
    let converter = job.converter();
    let serve = |index: usize| {
        let request = &job.requests[index];
        let served = converter.serve(request);
        progress.say(served.describe(index, request));
        served
    };
    let served = match engine {
        Engine::Scoped => {
            // A miss costs a lookup and a hit almost nothing, so requests are
            // handed out dynamically like the CPU tasks (see `scoped`).
            let indices: Vec<usize> = (0..job.requests.len()).collect();
            scoped(&indices, workers, None, |_, &index, _| serve(index))?
        }
        Engine::Rayon => {
            let pool = rayon_pool(workers)?;
            // One request per job, as for the CPU tasks; a thread blocked in a
            // lookup is just a busy rayon worker (nothing here joins).
            pool.install(|| {
                (0..job.requests.len())
                    .into_par_iter()
                    .with_max_len(1)
                    .map(serve)
                    .collect()
            })
        }
    };
    let answer = ConvertAnswer {
        served,
        lookups_run: converter.lookups_run(),
        evictions: converter.evictions(),
    };
    // A spinning lookup needs a core: more threads than cores cannot overlap.
    let parallel = match job.cost.kind {
        CostKind::Sleep => workers,
        CostKind::Spin => workers.min(available_cores()),
    };
    Ok(Outcome::new(Answer::Convert(answer), workers, workers)
        .with_ideal_ms(job.ideal_ms(parallel)))
}
