//! Numbers of the sweeps for prose and tables: parameter values, fractional KiB,
//! shares. Durations, memory, factors and prose lists come from [`crate::format`],
//! like the compare report's.

use crate::format::{grouped, trimmed};

/// A parameter value as a reader says it: `1000000` -> `"1 000 000"`, `0.5` -> `"0.5"`.
pub fn value(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        // Integral and far below 2^53: exact.
        let sign = if value < 0.0 { "-" } else { "" };
        format!("{sign}{}", grouped(value.abs() as u64))
    } else {
        trimmed(value, 3)
    }
}

/// A per-unit memory figure in KiB with three significant figures (two
/// decimals below 10): `0.2634` -> `"0.26 KiB"`, `8.04` -> `"8.04 KiB"`,
/// `123.4` -> `"123 KiB"`, `1234.5` -> `"1 235 KiB"`.
pub fn kib(kib: f64) -> String {
    let text = match kib.abs() {
        v if v >= 999.5 => {
            let sign = if kib < 0.0 { "-" } else { "" };
            // Rounded, and far below 2^53.
            format!("{sign}{}", grouped(kib.abs().round() as u64))
        }
        v if v >= 99.95 => format!("{kib:.0}"),
        v if v >= 9.995 => format!("{kib:.1}"),
        _ => format!("{kib:.2}"),
    };
    format!("{text} KiB")
}

/// A share as a whole percentage: `0.976` -> `"98%"`.
pub fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values, KiB and shares read as prose.
    #[test]
    fn prose_numbers() {
        assert_eq!(value(1_000_000.0), "1 000 000");
        assert_eq!(value(0.0), "0");
        assert_eq!(value(0.5), "0.5");
        assert_eq!(kib(0.2634), "0.26 KiB");
        assert_eq!(kib(8.04), "8.04 KiB");
        assert_eq!(kib(12.34), "12.3 KiB");
        assert_eq!(kib(123.4), "123 KiB");
        assert_eq!(kib(1234.5), "1 235 KiB");
        assert_eq!(kib(-3.0), "-3.00 KiB");
        assert_eq!(percent(0.976), "98%");
    }
}
