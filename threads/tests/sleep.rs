//! `sleep` on scoped threads: a thread per task, and a few threads taking
//! the tasks in turn.

use concur_testkit::assert_usage_error;
use concur_testkit::limits::assert_refused_thread_is_one_line_error;
use concur_testkit::sleep::{
    bad_input_is_usage_error, every_wait_completes, verbose_names_every_task,
};

const BIN: &str = env!("CARGO_BIN_EXE_concur-threads");

/// One thread per task: every wait completes, all at once.
#[test]
fn thread_per_task() {
    let record = every_wait_completes(BIN, 200, 50, 1, &["--workers", "200"]);
    assert_eq!(record["concurrency"], 200, "{record}");
    assert_eq!(record["engine"], "scoped", "{record}");
}

/// Three threads for ten tasks take ceil(10 / 3) = 4 rounds; more threads
/// than tasks take one.
#[test]
fn workers_take_tasks_in_turn() {
    let record = every_wait_completes(BIN, 10, 20, 4, &["--workers", "3"]);
    assert_eq!(record["concurrency"], 3, "{record}");
    let record = every_wait_completes(BIN, 4, 20, 1, &["--workers", "9"]);
    assert_eq!(record["concurrency"], 4, "{record}");
}

/// `-v` names every task.
#[test]
fn verbose_names_tasks() {
    verbose_names_every_task(BIN, &["--workers", "2"]);
}

/// Bad --tasks and --wait-ms exit 2, and so does the rayon engine, whose
/// pool is for computing.
#[test]
fn bad_input_is_usage_error_() {
    bad_input_is_usage_error(BIN);
    assert_usage_error(BIN, &["sleep", "--engine", "rayon"], "--engine rayon");
    assert_usage_error(BIN, &["sleep", "--gil"], "--gil");
}

/// A thread per task past the room the OS gives exits 1 with the one-line
/// thread-limit error; the waits keep the started threads busy meanwhile.
#[test]
fn refused_thread_is_one_line_error() {
    assert_refused_thread_is_one_line_error(
        BIN,
        &[&["sleep", "--tasks", "1000", "--wait-ms", "1000"]],
    );
}
