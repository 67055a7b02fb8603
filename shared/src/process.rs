//! Facts about this process that every binary needs: its peak memory, its
//! proportional memory, its CPU time, its limit on open files, and what
//! limits the threads and processes it may start.

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

/// CPU time, in milliseconds, spent in user space and in the kernel.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CpuMs {
    pub user: f64,
    pub sys: f64,
}

impl CpuMs {
    /// The CPU time spent from `earlier` to this reading, to the microsecond.
    pub fn since(self, earlier: CpuMs) -> CpuMs {
        let spent = |now: f64, then: f64| ((now - then).max(0.0) * 1000.0).round() / 1000.0;
        CpuMs {
            user: spent(self.user, earlier.user),
            sys: spent(self.sys, earlier.sys),
        }
    }

    /// Two spans of CPU time added, to the microsecond.
    pub fn plus(self, other: CpuMs) -> CpuMs {
        let sum = |a: f64, b: f64| ((a + b) * 1000.0).round() / 1000.0;
        CpuMs {
            user: sum(self.user, other.user),
            sys: sum(self.sys, other.sys),
        }
    }
}

/// The CPU time of every thread of this process so far (`RUSAGE_SELF`).
pub fn own_cpu_ms() -> CpuMs {
    cpu_ms(UsageWho::RUSAGE_SELF)
}

/// The CPU time of this process's children that have ended and been waited
/// for (`RUSAGE_CHILDREN`): procs' workers, once reaped.
pub fn children_cpu_ms() -> CpuMs {
    cpu_ms(UsageWho::RUSAGE_CHILDREN)
}

/// Zero if the kernel refuses, which it does not in practice: a missing CPU
/// figure must not fail a benchmark.
fn cpu_ms(who: UsageWho) -> CpuMs {
    let millis = |time: nix::sys::time::TimeVal| {
        time.tv_sec() as f64 * 1000.0 + time.tv_usec() as f64 / 1000.0
    };
    getrusage(who).map_or(CpuMs::default(), |usage| CpuMs {
        user: millis(usage.user_time()),
        sys: millis(usage.system_time()),
    })
}

/// This process's page tables now, in KiB (`VmPTE:` of `/proc/self/status`):
/// kernel memory that peak RSS leaves out, a few KiB per thread stack and per
/// mapped region. `None` where the kernel does not say.
pub fn own_page_tables_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    kib_field(&status, "VmPTE:")
}

/// The largest [`own_page_tables_kib`] over a run, sampled on a thread of its
/// own: page tables have no high-water mark in the kernel, and they are
/// largest while the most tasks are alive, which no one point of the harness
/// sees. One read of `/proc/self/status` every 5 ms (a read took 28 us from
/// CPython here, 2026-12-06, so well under 1% of a core); a run shorter than
/// that gets its first and last samples.
pub struct PageTablesPeak {
    stop: std::sync::mpsc::Sender<()>,
    sampler: std::thread::JoinHandle<Option<u64>>,
}

impl PageTablesPeak {
    /// Starts sampling; `None` if the thread cannot start (then there is no figure).
    pub fn start() -> Option<PageTablesPeak> {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let sampler = std::thread::Builder::new()
            .name("page-tables".into())
            .spawn(move || {
                let mut peak = own_page_tables_kib();
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(std::time::Duration::from_millis(5))
                {
                    peak = peak.max(own_page_tables_kib());
                }
                peak.max(own_page_tables_kib())
            })
            .ok()?;
        Some(PageTablesPeak { stop, sampler })
    }

    /// Stops sampling; the largest figure seen.
    pub fn finish(self) -> Option<u64> {
        let _ = self.stop.send(());
        self.sampler.join().ok().flatten()
    }
}

/// This process's proportional set size (PSS) now, in KiB: its resident
/// pages, each page it shares with other processes divided by the number of
/// processes sharing it (the `Pss:` line of `/proc/self/smaps_rollup`).
/// Summed over a parent and its forked workers, it counts every page once,
/// where summed peak RSS counts a page shared by W workers W times. `None`
/// where the kernel has no `smaps_rollup` (before Linux 4.14) or refuses it.
pub fn own_pss_kib() -> Option<u64> {
    let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").ok()?;
    pss_kib(&rollup)
}

/// The `Pss:` figure of a `smaps_rollup` text, in KiB.
fn pss_kib(rollup: &str) -> Option<u64> {
    kib_field(rollup, "Pss:")
}

/// The figure of the `name` line (`Pss:`, `VmPTE:`) of a `/proc` text, in KiB.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()
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
    let limits = match error.raw_os_error() {
        // EAGAIN is what clone(2) returns for every one of these limits, and
        // what glibc's pthread_create returns when it cannot map a stack.
        Some(nix::libc::EAGAIN) => format!(
            "threads are limited by {}, and their stacks by {}",
            task_limits("threads"),
            map_count_limit()
        ),
        Some(nix::libc::ENOMEM) => {
            format!("each thread needs its own stack: {}", map_count_limit())
        }
        _ => "threads are limited by the OS".to_owned(),
    };
    start_refused("thread", number, wanted, error, &limits)
}

/// "cannot start process `number` of `wanted`: why; what limits processes"
/// for the `number`th worker process (counting from 1) whose `fork` (or the
/// pipes it needs) the OS refused with `error`.
pub fn process_refused(number: usize, wanted: usize, error: &io::Error) -> anyhow::Error {
    let limits = match error.raw_os_error() {
        Some(nix::libc::EAGAIN) => format!("processes are limited by {}", task_limits("processes")),
        Some(nix::libc::ENOMEM) => "each process needs its own page tables and private memory: \
             memory is limited by RAM, swap and /proc/sys/vm/overcommit_memory"
            .to_owned(),
        Some(nix::libc::EMFILE) => format!(
            "each worker process holds two pipe ends in the parent: open files are limited by \
             `ulimit -n` ({} here)",
            open_files_limit().map_or_else(|| "unknown".to_owned(), |n| n.to_string())
        ),
        Some(nix::libc::ENFILE) => format!(
            "each worker process holds two pipe ends in the parent: open files of the whole \
             system are limited by /proc/sys/fs/file-max ({} here)",
            proc_setting("fs/file-max")
        ),
        _ => "processes are limited by the OS".to_owned(),
    };
    start_refused("process", number, wanted, error, &limits)
}

/// The one-line error both refusals share.
fn start_refused(
    what: &str,
    number: usize,
    wanted: usize,
    error: &io::Error,
    limits: &str,
) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot start {what} {number} of {wanted}: {error}; {limits}: lower --workers or raise the limit"
    )
}

/// The three limits on threads and processes alike (the kernel counts both
/// as tasks): "`ulimit -u` (...), threads-max (...) and pid_max (...)".
fn task_limits(what: &str) -> String {
    format!(
        "`ulimit -u` (max user processes, which counts {what}, {} here), \
         /proc/sys/kernel/threads-max ({} here) and /proc/sys/kernel/pid_max ({} here)",
        user_processes_limit(),
        proc_setting("kernel/threads-max"),
        proc_setting("kernel/pid_max"),
    )
}

/// The limit on memory mappings, of which every thread stack takes two.
fn map_count_limit() -> String {
    format!(
        "/proc/sys/vm/max_map_count ({} here, two mappings per stack)",
        proc_setting("vm/max_map_count")
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

/// A value under /proc/sys/, or why it could not be read.
fn proc_setting(name: &str) -> String {
    std::fs::read_to_string(format!("/proc/sys/{name}"))
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

    /// A refused fork names the process limits; a refused pipe names
    /// `ulimit -n`; a refused stack names max_map_count.
    #[test]
    fn refusals_name_their_limits() {
        let eagain = io::Error::from_raw_os_error(nix::libc::EAGAIN);
        let message = process_refused(257, 1000, &eagain).to_string();
        assert!(
            message.starts_with("cannot start process 257 of 1000: "),
            "{message}"
        );
        for needle in [
            "processes are limited by",
            "ulimit -u",
            "pid_max",
            "--workers",
        ] {
            assert!(message.contains(needle), "{needle}: {message}");
        }
        let emfile = io::Error::from_raw_os_error(nix::libc::EMFILE);
        let message = process_refused(600, 1000, &emfile).to_string();
        assert!(message.contains("ulimit -n"), "{message}");
        let enomem = io::Error::from_raw_os_error(nix::libc::ENOMEM);
        let message = thread_refused(30_000, 100_000, &enomem).to_string();
        assert!(message.contains("max_map_count"), "{message}");
        assert!(!message.contains("unreadable"), "{message}");
    }

    /// PSS is read from smaps_rollup's `Pss:` line, in KiB.
    #[test]
    fn pss_is_parsed() {
        let rollup = "00400000-7ffd [rollup]\nRss:                1840 kB\nPss:                 612 kB\nPss_Anon:            100 kB\n";
        assert_eq!(pss_kib(rollup), Some(612));
        assert_eq!(pss_kib("Rss: 10 kB\n"), None);
        if std::path::Path::new("/proc/self/smaps_rollup").exists() {
            assert!(own_pss_kib().is_some_and(|kib| kib > 0));
        }
    }
}
