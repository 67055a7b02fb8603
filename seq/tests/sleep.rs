//! `sleep` on the baseline: every wait in turn.

use concur_testkit::sleep::{
    bad_input_is_usage_error, every_wait_completes, verbose_names_every_task,
};

const BIN: &str = env!("CARGO_BIN_EXE_concur-seq");

/// Every wait completes, one after another: the ideal is N waits.
#[test]
fn every_wait_completes_in_turn() {
    let record = every_wait_completes(BIN, 20, 5, 20, &[]);
    assert_eq!(
        (record["workers"].as_u64(), record["concurrency"].as_u64()),
        (Some(1), Some(1))
    );
}

/// `-v` names every task.
#[test]
fn verbose_names_tasks() {
    verbose_names_every_task(BIN, &[]);
}

/// Bad --tasks and --wait-ms exit 2 with one line.
#[test]
fn bad_input_is_usage_error_() {
    bad_input_is_usage_error(BIN);
}
