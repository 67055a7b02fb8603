//! `download` on scoped workers sharing one blocking HTTP agent.

use crate::scoped::scoped;
use concur_shared::http;
use concur_shared::model::Progress;
use concur_shared::workload::{DownloadJob, Fetch};

/// Like `ThreadPoolExecutor(max_workers=N)` with one shared `requests.Session`: the
/// threads share one agent (and its connection pool, sized to the workers).
pub(crate) fn scoped_download(
    job: &DownloadJob,
    workers: usize,
    progress: &Progress,
) -> anyhow::Result<Vec<Fetch>> {
    let agent = http::agent(workers, job.timeout);
    scoped(&job.urls, workers, None, |worker, url, _| {
        let fetch = http::fetch(&agent, url);
        progress.say(format_args!("worker {worker}: {}", fetch.describe(url)));
        fetch
    })
}
