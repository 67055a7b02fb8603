//! Facts about this process that every binary needs: its peak memory, its
//! limit on open files, and what limits the threads it may start.

use anyhow::{Context as _, Result};
use nix::sys::resource::{RLIM_INFINITY, Resource, UsageWho, getrlimit, getrusage, setrlimit};
use std::io;

/// Peak resident set size of this process so far, in KiB (Linux reports
/// `ru_maxrss` in KiB). Returns 0 if the kernel refuses, which it does not in
/// practice; a missing memory figure must not fail a benchmark.
pub fn own_peak_rss_kib() -> u64 {
    getrusage(UsageWho::RUSAGE_SELF)
        .map(|usage| u64::try_from(usage.max_rss()).unwrap_or(0))
        .unwrap_or(0)
}

/// This process's soft limit on open files, if the kernel says.
pub fn open_files_limit() -> Option<u64> {
    getrlimit(Resource::RLIMIT_NOFILE)
        .ok()
        .map(|(soft, _)| soft)
}

/// Raises this process's soft limit on open files to its hard limit and returns
/// the new soft limit. Every concurrent connection is a file descriptor on each
/// side, and the usual soft limit of 1024 is far below what the benchmarks open.
pub fn raise_open_files_limit() -> Result<u64> {
    let (soft, hard) =
        getrlimit(Resource::RLIMIT_NOFILE).context("cannot read the open files limit")?;
    // Linux refuses an infinite RLIMIT_NOFILE (it is capped by fs.nr_open).
    let target = if hard == RLIM_INFINITY {
        std::fs::read_to_string("/proc/sys/fs/nr_open")
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(1 << 20)
    } else {
        hard
    };
    if soft >= target {
        return Ok(soft);
    }
    setrlimit(Resource::RLIMIT_NOFILE, target, hard)
        .with_context(|| format!("cannot raise the open files limit from {soft} to {target}"))?;
    Ok(target)
}

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

    /// Peak RSS of a running process is never zero on Linux.
    #[test]
    fn own_peak_rss_is_positive() {
        assert!(own_peak_rss_kib() > 0);
    }

    /// Raising the open files limit never lowers it and is idempotent.
    #[test]
    fn open_files_limit_rises_to_hard_limit() -> Result<()> {
        let (soft_before, _) = getrlimit(Resource::RLIMIT_NOFILE)?;
        let raised = raise_open_files_limit()?;
        assert!(raised >= soft_before);
        assert_eq!(raise_open_files_limit()?, raised);
        Ok(())
    }

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
