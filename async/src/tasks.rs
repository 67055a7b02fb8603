//! Driving spawned tasks: the pieces every workload's tasks share.

/// Runs `work` as a spawned task, not in `block_on` itself: on a multi-thread
/// runtime, each wake-up of `block_on` is a hop to the main thread and back
/// (~10 us), while a task awaiting tasks stays on the executor threads.
pub(crate) async fn drive<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> anyhow::Result<T> {
    tokio::spawn(work)
        .await
        .map_err(|e| anyhow::anyhow!("the driving task failed: {e}"))
}

/// Awaits spawned tasks in spawn order and returns their results in that
/// order; a task that panicked is the job's failure, named by `what`.
pub(crate) async fn join_in_order<T>(
    handles: Vec<tokio::task::JoinHandle<T>>,
    what: &str,
) -> anyhow::Result<Vec<T>> {
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        results.push(
            handle
                .await
                .map_err(|e| anyhow::anyhow!("{what} failed: {e}"))?,
        );
    }
    Ok(results)
}
