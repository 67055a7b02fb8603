//! concur-procs: parse, run, verify, print (see `concur_procs::run` for the model).

use std::process::ExitCode;

fn main() -> ExitCode {
    concur_shared::harness::drive::<concur_procs::Options>(concur_procs::MODEL, concur_procs::run)
}
