//! The opening every provenance paragraph shares: which script measured the run,
//! when, on which machine, at which commit, and with which hyperfine.
//!
//! The results page, the sweep page, the front README's findings and the guide's
//! scaling block all start with it, so the same machine is described in the same
//! words everywhere; each caller adds what its page needs (runs, idle CPUs, links).
//!
//! Writing into a `String` cannot fail, so `write!` results are dropped with `let _`.

use std::fmt::Write as _;

use crate::input::Machine;

/// ``Measured by `scripts/compare.sh` at <date> on <CPU> (2 cores, 23.5 GiB RAM,
/// <OS>) at commit `abc1234`; hyperfine 1.20.0``. A field `machine.json` lacks is
/// left out (the OS falls back to `Linux <kernel>`); `script` is the script's path.
pub fn measured_by(script: &str, machine: &Machine) -> String {
    let mut text = format!("Measured by `{script}`");
    if let Some(date) = &machine.date {
        let _ = write!(text, " at {date}");
    }
    let _ = write!(
        text,
        " on {}",
        machine.cpu.as_deref().unwrap_or("an unrecorded CPU")
    );
    let mut details = Vec::new();
    if let Some(cores) = machine.cores {
        details.push(format!("{cores} cores"));
    }
    if let Some(memory) = machine.memory_gib {
        details.push(format!("{memory:.1} GiB RAM"));
    }
    match (&machine.os, &machine.kernel) {
        (Some(os), _) => details.push(os.clone()),
        (None, Some(kernel)) => details.push(format!("Linux {kernel}")),
        (None, None) => {}
    }
    if !details.is_empty() {
        let _ = write!(text, " ({})", details.join(", "));
    }
    if let Some(commit) = &machine.commit {
        let _ = write!(text, " at commit `{commit}`");
    }
    text.push_str("; hyperfine");
    if let Some(hyperfine) = &machine.hyperfine {
        let _ = write!(text, " {hyperfine}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field in its place, in the one wording all pages share.
    #[test]
    fn a_full_machine() {
        let machine = Machine {
            cpu: Some("Test CPU".to_string()),
            cores: Some(2),
            memory_gib: Some(23.5),
            kernel: Some("6.1".to_string()),
            os: Some("Debian GNU/Linux 12 (bookworm)".to_string()),
            hyperfine: Some("1.20.0".to_string()),
            date: Some("2026-11-29T05:34:17Z".to_string()),
            commit: Some("abc1234".to_string()),
            ..Machine::default()
        };
        assert_eq!(
            measured_by("scripts/compare.sh", &machine),
            "Measured by `scripts/compare.sh` at 2026-11-29T05:34:17Z on Test CPU \
             (2 cores, 23.5 GiB RAM, Debian GNU/Linux 12 (bookworm)) at commit `abc1234`; \
             hyperfine 1.20.0"
        );
    }

    /// A `machine.json` with only the kernel still gives a sentence, nothing guessed.
    #[test]
    fn a_bare_machine() {
        let machine = Machine {
            kernel: Some("6.1".to_string()),
            ..Machine::default()
        };
        assert_eq!(
            measured_by("scripts/sweep.sh", &machine),
            "Measured by `scripts/sweep.sh` on an unrecorded CPU (Linux 6.1); hyperfine"
        );
    }
}
