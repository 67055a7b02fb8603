//! A thread the OS refuses ends a scoped-engine run with exit status 1 and
//! one line naming the limit, never an abort or a hang.

use concur_testkit::limits::assert_refused_thread_is_one_line_error;

/// The scoped engine's CPU, GIL and convert paths, with 1000 workers whose
/// items keep them busy while the rest are started, exit 1 with the one-line
/// thread-limit error.
///
/// `download` starts its workers the same way, but is left out: each request
/// also starts a thread of its own inside ureq (its resolver's lookup, with
/// `std::thread::spawn`), whose refusal is a panic printed beside the error.
#[test]
fn refused_thread_is_one_line_error() {
    let busy_cpu = ["range-sum", "--end", "1000000000", "--parts", "1000"];
    assert_refused_thread_is_one_line_error(
        env!("CARGO_BIN_EXE_concur-threads"),
        &[
            &busy_cpu,
            &[&busy_cpu[..], &["--gil"]].concat(),
            &["convert", "--cache", "none", "--cost-us", "50000"],
        ],
    );
}
