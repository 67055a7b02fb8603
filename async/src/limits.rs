//! The error for a thread the OS refused to start, naming the limits that
//! decide it with their values read at that moment, so the user knows what to
//! lower or raise.
//!
//! `concur-threads` keeps a copy of this file: its one home would be
//! `concur_shared::process`, beside the open files limit.

use nix::sys::resource::{RLIM_INFINITY, Resource, getrlimit};
use std::io;

/// "cannot start thread `number` of `wanted`: why; what limits threads" for
/// the `number`th thread (counting from 1) that the OS refused with `error`.
pub fn thread_refused(number: usize, wanted: usize, error: &io::Error) -> anyhow::Error {
    let limits = if error.kind() == io::ErrorKind::WouldBlock {
        // EAGAIN is what clone(2) returns for every one of these three limits.
        format!(
            "threads are limited by `ulimit -u` (max user processes, {} here), \
             /proc/sys/kernel/threads-max ({} here) and /proc/sys/kernel/pid_max ({} here)",
            user_processes_limit(),
            kernel_setting("threads-max"),
            kernel_setting("pid_max"),
        )
    } else {
        // ENOMEM: no room for the thread's stack; the limits above do not apply.
        "each thread needs its own stack".to_owned()
    };
    anyhow::anyhow!(
        "cannot start thread {number} of {wanted}: {error}; {limits}: lower --workers or raise the limit"
    )
}

/// The soft RLIMIT_NPROC, the limit `ulimit -u` shows and sets.
fn user_processes_limit() -> String {
    match getrlimit(Resource::RLIMIT_NPROC) {
        Ok((soft, _)) if soft == RLIM_INFINITY => "unlimited".to_owned(),
        Ok((soft, _)) => soft.to_string(),
        Err(errno) => format!("unknown: {errno}"),
    }
}

/// A value under /proc/sys/kernel/, or why it could not be read.
fn kernel_setting(name: &str) -> String {
    std::fs::read_to_string(format!("/proc/sys/kernel/{name}"))
        .map(|text| text.trim().to_owned())
        .unwrap_or_else(|error| format!("unreadable: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// EAGAIN names the three limits with their current values.
    #[test]
    fn eagain_names_the_limits() {
        let message = thread_refused(256, 100_000, &io::Error::from_raw_os_error(11)).to_string();
        assert!(
            message.starts_with("cannot start thread 256 of 100000: "),
            "{message}"
        );
        for needle in ["ulimit -u", "threads-max", "pid_max", "--workers"] {
            assert!(message.contains(needle), "{needle}: {message}");
        }
        assert!(!message.contains("unreadable"), "{message}");
    }
}
