//! `convert`: caller tasks sharing one async converter ([`crate::cache`]).

use crate::cache::AsyncConverter;
use crate::tasks::join_in_order;
use concur_shared::model::Progress;
use concur_shared::workload::convert::{ConvertAnswer, ConvertJob, Served};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `callers` tasks calling one shared converter, each taking the next request
/// index from an atomic counter, like the threads model's workers. Turned
/// down: one task per request, bounded by a semaphore of `callers` permits;
/// it caps the calls in flight the same way but spawns a task per request
/// instead of one per caller, and reads less like the threads model it is
/// compared with.
pub(crate) async fn convert_callers(
    job: ConvertJob,
    callers: usize,
    progress: Progress,
) -> anyhow::Result<ConvertAnswer> {
    let converter = Arc::new(AsyncConverter::new(job.cache, job.capacity, job.cost)?);
    let next = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..callers)
        .map(|_| {
            let (converter, next, requests) = (
                Arc::clone(&converter),
                Arc::clone(&next),
                Arc::clone(&job.requests),
            );
            tokio::spawn(async move {
                let mut done = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(request) = requests.get(index) else {
                        break;
                    };
                    let served = converter.serve(request).await;
                    progress.say(served.describe(index, request));
                    done.push((index, served));
                }
                done
            })
        })
        .collect();
    let mut served: Vec<Option<Served>> = vec![None; job.requests.len()];
    for done in join_in_order(handles, "a caller task").await? {
        for (index, outcome) in done {
            served[index] = Some(outcome);
        }
    }
    let served = served
        .into_iter()
        .enumerate()
        .map(|(index, served)| {
            served.ok_or_else(|| anyhow::anyhow!("request {index} got no outcome"))
        })
        .collect::<anyhow::Result<Vec<Served>>>()?;
    Ok(ConvertAnswer {
        served,
        lookups_run: converter.lookups_run(),
        evictions: converter.evictions().await,
    })
}
