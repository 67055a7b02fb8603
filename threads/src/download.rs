//! `download` on scoped workers sharing one blocking HTTP agent.

use crate::scoped::scoped;
use anyhow::anyhow;
use concur_shared::http;
use concur_shared::model::Progress;
use concur_shared::process::thread_refused;
use concur_shared::workload::download::compute_blocking;
use concur_shared::workload::{DownloadJob, Fetched};
use std::time::Instant;

/// Like `ThreadPoolExecutor(max_workers=N)` with one shared `requests.Session`: the
/// threads share one agent (and its connection pool, sized to the workers).
///
/// `--blocking-ms` gets one more OS thread of its own, started just before
/// the workers, that computes while they fetch: the kernel preempts it like
/// any thread, so it takes a core's share of time and no request waits for
/// it to finish. It is not one of the workers (one of them busy computing
/// would fetch nothing meanwhile, and the result would depend on which).
pub(crate) fn scoped_download(
    job: &DownloadJob,
    workers: usize,
    progress: &Progress,
) -> anyhow::Result<Vec<Fetched>> {
    let agent = http::agent(workers, job.timeout);
    std::thread::scope(|scope| {
        let blocking = match job.blocking {
            Some(cpu) => Some(
                std::thread::Builder::new()
                    .name("blocking".into())
                    .spawn_scoped(scope, move || {
                        compute_blocking(cpu);
                        progress.say(format_args!("blocking thread: computed {cpu:?}"));
                    })
                    .map_err(|error| thread_refused(1, workers + 1, &error))?,
            ),
            None => None,
        };
        // Under --rate, a free worker takes the next request and waits until
        // it is due; while every worker is busy, due requests wait, and their
        // latency counts it (the workers take requests in order).
        let start = Instant::now();
        let indices: Vec<usize> = (0..job.urls.len()).collect();
        let fetched = scoped(&indices, workers, None, |worker, &index, _| {
            let fetched = http::fetch_scheduled(&agent, job, start, index);
            progress.say(format_args!(
                "worker {worker}: {}",
                fetched.fetch.describe(&job.urls[index])
            ));
            fetched
        });
        if let Some(blocking) = blocking {
            blocking
                .join()
                .map_err(|_| anyhow!("the blocking thread panicked"))?;
        }
        fetched
    })
}
