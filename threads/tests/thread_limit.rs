//! A thread the OS refuses ends a scoped-engine run with exit status 1 and
//! one line naming the limit, never an abort or a hang.

use concur_sites::{Config, SiteServer};
use concur_testkit::limits::assert_refused_thread_is_one_line_error;

/// The scoped engine's CPU, GIL, convert and download paths and rayon's CPU
/// and convert paths, with 1000 workers whose items keep them busy while the
/// rest are started, exit 1 with the one-line thread-limit error.
#[test]
fn refused_thread_is_one_line_error() {
    // Requests that are never answered keep the download workers busy, for
    // --timeout-ms at most.
    let server = SiteServer::spawn(Config::default()).expect("site server");
    let hang = server.url("/fault/hang");
    let busy_cpu = ["range-sum", "--end", "1000000000", "--parts", "1000"];
    assert_refused_thread_is_one_line_error(
        env!("CARGO_BIN_EXE_concur-threads"),
        &[
            &busy_cpu,
            &[&busy_cpu[..], &["--gil"]].concat(),
            &["convert", "--cache", "none", "--cost-us", "50000"],
            &[&busy_cpu[..], &["--engine", "rayon"]].concat(),
            &[
                "convert",
                "--cache",
                "none",
                "--cost-us",
                "50000",
                "--engine",
                "rayon",
            ],
            &[
                "download",
                "--url",
                &hang,
                "--repeat",
                "1000",
                "--timeout-ms",
                "1000",
            ],
        ],
    );
}
