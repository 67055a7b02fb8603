//! CPU tasks: one tokio task per task, none of which ever reaches an
//! `.await` (see the crate's module comment).

use crate::tasks::join_in_order;
use concur_shared::model::Progress;
use concur_shared::workload::CpuTask;

/// One task per CPU task, awaited in order.
pub(crate) async fn cpu_tasks(
    tasks: Vec<CpuTask>,
    progress: Progress,
) -> anyhow::Result<Vec<u128>> {
    let handles: Vec<_> = tasks
        .into_iter()
        .map(|task| {
            tokio::spawn(async move {
                // No `.await` inside: this task holds its executor thread until
                // the loop ends (see the module comment).
                let result = task.compute();
                progress.say(task.describe(result));
                result
            })
        })
        .collect();
    join_in_order(handles, "a task").await
}
