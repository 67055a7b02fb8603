//! No worker outlives a failed job: not as a running orphan, not as a zombie.
//!
//! This file holds one test on purpose: it makes the test process a child
//! subreaper, so every process the binary leaves behind is re-parented to this
//! process, where `waitpid` can see it. Another test in the same process would
//! have its own children collected by that `waitpid`.

use concur_testkit::run_binary;
use nix::errno::Errno;
use nix::sys::wait::{WaitPidFlag, waitpid};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_concur-procs");

/// After a worker is SIGKILLed mid-job (and after one sends garbage while
/// staying alive), the parent exits 1 and no process of the job is left, for
/// tasks handed out one at a time and for routed tasks sent ahead.
#[test]
fn failed_job_leaves_no_process_behind() {
    nix::sys::prctl::set_child_subreaper(true).expect("become a subreaper");
    let jobs: [&[&str]; 2] = [
        &["squares", "--count", "8", "--start", "2000000"],
        // Routed: several requests already sent ahead to each worker.
        &[
            "convert",
            "--requests",
            "500",
            "--cost-us",
            "100",
            "--route",
            "by-key",
        ],
    ];
    for (job, fault) in jobs
        .iter()
        .flat_map(|job| ["kill", "garbage", "exit"].map(|fault| (job, fault)))
    {
        let args: Vec<&str> = job
            .iter()
            .chain(&["--workers", "4", "--fault", fault])
            .copied()
            .collect();
        let out = run_binary(BIN, &args, Duration::from_secs(60));
        assert_eq!(out.code, Some(1), "{fault}: {}", out.stderr);
        // The binary has been waited for by `run_binary`; anything else still
        // around is one of its workers, re-parented to us.
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Err(Errno::ECHILD) => {}
            other => panic!("{fault}: a worker was left behind: {other:?}"),
        }
    }
}
