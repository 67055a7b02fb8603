//! `machine.json`'s description of this machine, read from the kernel's own
//! files, joined with the facts the script knows (tool versions, date, commit).
//!
//! The kernel's files are read as bytes: `/proc/cpuinfo` comes from the CPU and
//! the hypervisor and is not promised to be UTF-8, so a bad byte is replaced
//! instead of failing the run. A source that cannot be read, or lacks its line,
//! leaves its key empty with a warning: the file describes the run, and the
//! report reads every key of it as optional.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::files::Machine;

/// Where the machine describes itself (options, so tests can give files of their own).
#[derive(Debug, Clone, Args)]
pub struct Sources {
    /// Where the CPU's `model name` is read.
    #[arg(long, value_name = "PATH", default_value = "/proc/cpuinfo")]
    pub cpuinfo: PathBuf,
    /// Where `MemTotal` is read.
    #[arg(long, value_name = "PATH", default_value = "/proc/meminfo")]
    pub meminfo: PathBuf,
    /// Where the OS's `PRETTY_NAME` is read.
    #[arg(long, value_name = "PATH", default_value = "/etc/os-release")]
    pub os_release: PathBuf,
    /// Where the kernel release is read.
    #[arg(long, value_name = "PATH", default_value = "/proc/sys/kernel/osrelease")]
    pub kernel_release: PathBuf,
}

/// Reads the sources into `given` (which holds what the script passed: rustc,
/// hyperfine, idle, date, commit, python); a source that could not be read
/// leaves its key empty and adds a warning.
pub fn describe(given: Machine, sources: &Sources) -> (Machine, Vec<String>) {
    let mut warnings = Vec::new();
    // `key` is left empty when `path` cannot be read or lacks `what`.
    let mut read = |path: &Path, key: &str, what: &str, parse: &dyn Fn(&[u8]) -> Option<String>| {
        let warning = match fs::read(path).map(|bytes| parse(&bytes)) {
            Ok(Some(value)) => return Some(value),
            Ok(None) => format!("{}: no {what}; {key} left empty", path.display()),
            Err(error) => format!("cannot read {} ({error}); {key} left empty", path.display()),
        };
        warnings.push(warning);
        None
    };
    let cpu = read(&sources.cpuinfo, "cpu", "`model name` line", &cpu_model);
    let memory = read(&sources.meminfo, "memory_gib", "`MemTotal` line", &|bytes| {
        mem_total_gib(bytes).map(|gib| gib.to_string())
    });
    let kernel = read(&sources.kernel_release, "kernel", "kernel release", &|bytes| {
        Some(String::from_utf8_lossy(bytes).trim().to_string()).filter(|text| !text.is_empty())
    });
    let os = read(&sources.os_release, "os", "`PRETTY_NAME`", &pretty_name);
    let cores = std::thread::available_parallelism().map_err(|error| {
        warnings.push(format!("cannot count the CPUs ({error}); cores left empty"))
    });
    let machine = Machine {
        cpu,
        cores: cores.ok().map(|cores| cores.get() as u64),
        // Written by `mem_total_gib` as a float just above.
        memory_gib: memory.and_then(|gib| gib.parse().ok()),
        kernel,
        os,
        ..given
    };
    (machine, warnings)
}

/// The value of the first `model name : ...` line, blanks trimmed.
fn cpu_model(cpuinfo: &[u8]) -> Option<String> {
    cpuinfo.split(|byte| *byte == b'\n').find_map(|line| {
        let colon = line.iter().position(|byte| *byte == b':')?;
        (line[..colon].trim_ascii() == b"model name")
            .then(|| String::from_utf8_lossy(line[colon + 1..].trim_ascii()).into_owned())
    })
}

/// `MemTotal: N kB` in GiB, rounded to one decimal.
fn mem_total_gib(meminfo: &[u8]) -> Option<f64> {
    let text = String::from_utf8_lossy(meminfo);
    let kib: u64 = text
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    const KIB_PER_GIB: f64 = 1024.0 * 1024.0;
    // Exact: memory sizes in KiB are far below 2^53.
    Some((kib as f64 / KIB_PER_GIB * 10.0).round() / 10.0)
}

/// `PRETTY_NAME` of an os-release file, with its shell quoting removed: inside
/// double quotes `\"`, `\\`, `\$` and `` \` `` stand for the character.
fn pretty_name(os_release: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(os_release);
    let value = text.lines().find_map(|line| line.trim().strip_prefix("PRETTY_NAME="))?.trim();
    let quoted = |quote| value.strip_prefix(quote).and_then(|rest| rest.strip_suffix(quote));
    let unquoted = match (quoted('"'), quoted('\'')) {
        (Some(inner), _) => {
            let (mut chars, mut out) = (inner.chars().peekable(), String::new());
            while let Some(c) = chars.next() {
                let escaped = chars.next_if(|n| c == '\\' && matches!(n, '"' | '\\' | '$' | '`'));
                out.push(escaped.unwrap_or(c));
            }
            out
        }
        (None, Some(inner)) => inner.to_string(),
        (None, None) => value.to_string(),
    };
    Some(unquoted).filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first model name wins, blanks are trimmed, bad bytes are replaced.
    #[test]
    fn cpu_model_is_the_first_model_name() {
        let cpuinfo =
            b"processor\t: 0\nmodel name\t: AMD \"EPYC\"\t\\ 7B13 \xff\n\nmodel name\t: other\n";
        assert_eq!(cpu_model(cpuinfo).as_deref(), Some("AMD \"EPYC\"\t\\ 7B13 \u{fffd}"));
        assert_eq!(cpu_model(b"processor : 0\nCPU part : 0xd0c\n"), None);
    }

    /// MemTotal is turned into GiB with one decimal.
    #[test]
    fn memory_in_gib() {
        assert_eq!(mem_total_gib(b"MemTotal:       24641536 kB\nMemFree: 1 kB\n"), Some(23.5));
        assert_eq!(mem_total_gib(b"MemTotal: 16777216 kB\n"), Some(16.0));
        assert_eq!(mem_total_gib(b"MemFree: 1 kB\n"), None);
    }

    /// PRETTY_NAME loses its quotes and keeps what they escaped.
    #[test]
    fn pretty_name_is_unquoted() {
        assert_eq!(
            pretty_name(b"NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n")
                .as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(
            pretty_name(br#"PRETTY_NAME="say \"hi\" \\ \$HOME""#).as_deref(),
            Some(r#"say "hi" \ $HOME"#)
        );
        assert_eq!(pretty_name(b"PRETTY_NAME='Alpine Linux'").as_deref(), Some("Alpine Linux"));
        assert_eq!(pretty_name(b"PRETTY_NAME=Arch").as_deref(), Some("Arch"));
        assert_eq!(pretty_name(b"NAME=x\n"), None);
    }
}
