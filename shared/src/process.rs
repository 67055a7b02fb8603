//! Facts about this process that every binary needs: its peak memory and its
//! limit on open files.

use anyhow::{Context as _, Result};
use nix::sys::resource::{RLIM_INFINITY, Resource, UsageWho, getrlimit, getrusage, setrlimit};

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
}
