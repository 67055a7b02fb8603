//! A worker thread the OS refuses ends a multi-thread runtime's run with
//! exit status 1 and one line naming the limit, never a hang.

use concur_testkit::limits::assert_refused_thread_is_one_line_error;

/// The multi-thread runtime asked for 1000 worker threads, for a CPU job and
/// for download (whose runtime is built differently), exits 1 with the
/// one-line thread-limit error. The runtime is built before any request, so
/// nothing needs to listen.
#[test]
fn refused_thread_is_one_line_error() {
    assert_refused_thread_is_one_line_error(
        env!("CARGO_BIN_EXE_concur-async"),
        &[
            // As many tasks as workers: no more threads are started than tasks.
            &["squares", "--start", "1000", "--count", "1000"],
            &[
                "download",
                "--url",
                "http://127.0.0.1:9/",
                "--repeat",
                "1000",
            ],
        ],
    );
}
