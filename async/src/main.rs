//! concur-async: parse, run, verify, print (see `concur_async::run` for the model).

use std::process::ExitCode;

fn main() -> ExitCode {
    concur_shared::harness::drive::<concur_async::Options>(concur_async::MODEL, concur_async::run)
}
