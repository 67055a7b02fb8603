//! concur-seq: parse, run, verify, print (see `concur_seq::run` for the model).

use std::process::ExitCode;

fn main() -> ExitCode {
    concur_shared::harness::drive::<concur_seq::Options>(concur_seq::MODEL, concur_seq::run)
}
