//! concur-threads: parse, run, verify, print (see `concur_threads::run` for the model).

use std::process::ExitCode;

fn main() -> ExitCode {
    concur_shared::harness::drive::<concur_threads::Options>(
        concur_threads::MODEL,
        concur_threads::run,
    )
}
