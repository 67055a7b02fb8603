//! concur-cluster: parse, run, verify, print (see `concur_cluster::run`).
//! A process other than 0 runs its share and prints no record.

use concur_shared::harness::{self, Exit};
use std::process::ExitCode;

fn main() -> ExitCode {
    let model = concur_cluster::MODEL;
    let invocation = match harness::parse::<concur_cluster::Options>(model, std::env::args_os()) {
        Ok(invocation) => invocation,
        Err(exit) => return exit.into(),
    };
    let options = &invocation.options;
    if options.spawned.is_some() || options.process.is_some_and(|p| p > 0) {
        return match concur_cluster::serve_peer(&invocation.job, options, &invocation.progress) {
            Ok(()) => Exit::Success.into(),
            Err(err) => concur_cluster::watch::fail(&format!("{err:#}")),
        };
    }
    harness::drive_parsed(model, invocation, concur_cluster::run)
}
