//! `sleep` on tokio: a task per wait, or one task joining every wait, on
//! either runtime.

use concur_testkit::assert_usage_error;
use concur_testkit::sleep::{
    bad_input_is_usage_error, every_wait_completes, verbose_names_every_task,
};

const BIN: &str = env!("CARGO_BIN_EXE_concur-async");

/// Both spawn modes on both runtimes: every wait completes, all of them at
/// once, and the record says how they were scheduled.
#[test]
fn every_wait_completes_in_both_modes() {
    for spawn in ["tasks", "join"] {
        for runtime in ["multi-thread", "current-thread"] {
            let record =
                every_wait_completes(BIN, 200, 50, 1, &["--spawn", spawn, "--runtime", runtime]);
            assert_eq!(record["spawn"], spawn, "{record}");
            assert_eq!(record["runtime"], runtime, "{record}");
            assert_eq!(record["concurrency"], 200, "{record}");
        }
    }
}

/// Without --spawn, every wait is its own task.
#[test]
fn tasks_are_the_default() {
    let record = every_wait_completes(BIN, 50, 10, 1, &[]);
    assert_eq!(record["spawn"], "tasks", "{record}");
}

/// `-v` names every task, in both modes.
#[test]
fn verbose_names_tasks() {
    verbose_names_every_task(BIN, &[]);
    verbose_names_every_task(BIN, &["--spawn", "join"]);
}

/// Bad --tasks and --wait-ms exit 2; so do --spawn on any other workload
/// and a --spawn that is not a mode.
#[test]
fn bad_input_is_usage_error_() {
    bad_input_is_usage_error(BIN);
    assert_usage_error(BIN, &["squares", "--spawn", "join"], "--spawn");
    assert_usage_error(BIN, &["convert", "--spawn", "tasks"], "--spawn");
    assert_usage_error(BIN, &["sleep", "--spawn", "threads"], "--spawn");
}
