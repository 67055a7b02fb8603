//! The workloads as timely dataflows, one per worker thread of every
//! process. Worker `w` of `W` takes the tasks whose index is `w mod W` (a
//! static split: no worker asks another for work, so an unlucky share is a
//! straggler), and every result is exchanged to worker 0, which alone
//! returns a non-empty answer.
//!
//! Every process parsed the same command line, so each already holds the
//! whole job; what travels between workers is results and, for `convert`,
//! the requests routed to the worker that owns their key.

use crate::link::Sent;
use concur_shared::http;
use concur_shared::model::Progress;
use concur_shared::workload::convert::route::owner;
use concur_shared::workload::convert::{ConvertJob, Served};
use concur_shared::workload::download::compute_blocking;
use concur_shared::workload::sleep::SleepJob;
use concur_shared::workload::{CpuTask, DownloadJob, Fetched};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;
use timely::ExchangeData;
use timely::dataflow::operators::generic::operator::source;
use timely::dataflow::operators::vec::Map;
use timely::dataflow::operators::{Exchange, Inspect, ToStream};
use timely::dataflow::{Scope, StreamVec};
use timely::worker::Worker;

/// A worker of the run, with what it needs to route and count.
pub struct Node<'w> {
    pub worker: &'w mut Worker,
    /// Worker threads per process: worker `w` lives in process `w / threads`.
    pub threads: usize,
    pub sent: Arc<Sent>,
    pub progress: Progress,
}

impl Node<'_> {
    fn index(&self) -> usize {
        self.worker.index()
    }

    fn workers(&self) -> usize {
        self.worker.peers()
    }

    /// The task indices of this worker's share of `tasks`.
    fn share(&self, tasks: usize) -> impl Iterator<Item = usize> + 'static {
        (self.index()..tasks).step_by(self.workers())
    }

    /// An exchange route to the worker `to` picks, counting the records that
    /// leave this process.
    fn route<D>(&self, to: impl Fn(&D) -> usize + 'static) -> impl FnMut(&D) -> u64 + 'static {
        let (threads, sent) = (self.threads, Arc::clone(&self.sent));
        let here = self.index() / threads;
        move |record| {
            let worker = to(record);
            if worker / threads != here {
                sent.records.fetch_add(1, Ordering::Relaxed);
            }
            worker as u64
        }
    }

    /// Builds the dataflow `build` describes, sends everything it yields to
    /// worker 0, and runs it to the end. Worker 0 returns every record, the
    /// others nothing.
    fn gather<D, F>(&mut self, build: F) -> Vec<D>
    where
        D: ExchangeData + Clone,
        F: for<'s> FnOnce(Scope<'s, u64>) -> StreamVec<'s, u64, D>,
    {
        let gathered = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&gathered);
        let to_zero = self.route(|_: &D| 0);
        self.worker.dataflow::<u64, _, _>(|scope| {
            build(scope)
                .exchange(to_zero)
                .inspect(move |record: &D| sink.borrow_mut().push(record.clone()));
        });
        while self.worker.has_dataflows() {
            self.worker.step_or_park(None);
        }
        gathered.take()
    }
}

/// `squares` and `range-sum`: each worker computes its share.
pub fn cpu(node: &mut Node, tasks: Arc<Vec<CpuTask>>) -> Vec<(usize, u128)> {
    let (share, progress) = (node.share(tasks.len()), node.progress);
    node.gather(move |scope| {
        let compute = share.map(move |index| {
            let result = tasks[index].compute();
            progress.say(tasks[index].describe(result));
            (index, result)
        });
        compute.to_stream(scope)
    })
}

/// `download`: each worker fetches its share one request at a time through
/// a blocking client of its own (ureq, as seq and threads use): a timely
/// worker is a thread, and an operator that blocks only holds its own
/// worker. An async runtime per worker was turned down: it would run a
/// second scheduler inside the first, and the question here is the split.
pub fn download(node: &mut Node, job: Arc<DownloadJob>) -> Vec<(usize, Fetched)> {
    if let (0, Some(cpu)) = (node.index(), job.blocking) {
        compute_blocking(cpu);
        node.progress
            .say(format_args!("blocking task: computed {cpu:?}"));
    }
    let (share, progress) = (node.share(job.urls.len()), node.progress);
    node.gather(move |scope| {
        let agent = http::agent(1, job.timeout);
        let start = Instant::now();
        let fetch = share.map(move |index| {
            let fetched = http::fetch_scheduled(&agent, &job, start, index);
            progress.say(fetched.fetch.describe(&job.urls[index]));
            (index, fetched)
        });
        fetch.to_stream(scope)
    })
}

/// What a `convert` worker gathers at worker 0: every request it served,
/// then its converter's counts.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Converted {
    Served(usize, Served),
    Counts { lookups_run: u64, evictions: u64 },
}

/// `convert`: each request travels to the worker that owns its key, which
/// serves it through a converter of its own. A key is thus looked up by one
/// worker only, in any number of processes, with no shared memory and no lock.
pub fn convert(node: &mut Node, job: Arc<ConvertJob>) -> Vec<Converted> {
    let (share, progress, workers) = (
        node.share(job.requests.len()),
        node.progress,
        node.workers(),
    );
    let to_owner =
        node.route(move |(index, request): &(usize, String)| owner(*index, request, workers));
    let converter = Rc::new(job.converter());
    let serving = Rc::clone(&converter);
    let mut served = node.gather(move |scope| {
        let requests = share.map(move |index| (index, job.requests[index].clone()));
        requests
            .to_stream(scope)
            .container::<Vec<(usize, String)>>()
            .exchange(to_owner)
            .map(move |(index, request)| {
                let served = serving.serve(&request);
                progress.say(served.describe(index, &request));
                Converted::Served(index, served)
            })
    });
    let counts = Converted::Counts {
        lookups_run: converter.lookups_run(),
        evictions: converter.evictions(),
    };
    served.extend(node.gather(move |scope| std::iter::once(counts).to_stream(scope)));
    served
}

/// `sleep`: each of this worker's waits is an entry in timely's own timer
/// (`activate_after`); the worker parks until the first is due. Returns how
/// many waits, over all workers, ended at or after their deadline.
pub fn sleep(node: &mut Node, job: SleepJob) -> u64 {
    let (share, progress) = (node.share(job.tasks), node.progress);
    let reached = node.gather(move |scope| {
        source(scope, "Sleep", move |capability, info| {
            let activator = scope.activator_for(info.address);
            let mut waiting: VecDeque<(usize, Instant)> = share
                .map(|index| {
                    activator.activate_after(job.wait());
                    (index, job.deadline())
                })
                .collect();
            let (mut capability, mut reached) = (Some(capability), 0u64);
            move |output| {
                let now = Instant::now();
                while let Some((index, _)) = waiting.pop_front_if(|(_, deadline)| *deadline <= now)
                {
                    reached += 1;
                    progress.say(job.describe(index, true));
                }
                if waiting.is_empty()
                    && let Some(held) = capability.take()
                {
                    output.session(&held).give(reached);
                }
            }
        })
    });
    reached.iter().sum()
}
