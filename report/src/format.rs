//! Human-readable numbers for the README, the charts and the terminal: durations,
//! memory, factors, counts, p-values.
//!
//! Every value is shown with three significant figures in a unit chosen per value,
//! like hyperfine's own output: a reader compares "57.3 ms" with "8.64 s" more easily
//! than "0.0573" with "8.64".

/// Duration units: name and size in seconds.
const UNITS: [(&str, f64); 4] = [("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)];

/// The largest unit in which `seconds` reads as at least 1 after rounding to three
/// significant figures (so 0.99996 s is "1.00 s", not "1000 ms").
fn unit_for(seconds: f64) -> (&'static str, f64) {
    let found = UNITS.into_iter().find(|(_, size)| seconds.abs() >= 0.9995 * size);
    found.unwrap_or(UNITS[3])
}

/// Decimals that give three significant figures for a value already in its unit.
fn decimals_for(scaled: f64) -> usize {
    match scaled.abs() {
        v if v >= 99.95 => 0,
        v if v >= 9.995 => 1,
        _ => 2,
    }
}

/// `0.0573` -> `"57.3 ms"`, `8.64` -> `"8.64 s"`, `0.000412` -> `"412 µs"`.
pub fn duration(seconds: f64) -> String {
    let (unit, size) = unit_for(seconds);
    let scaled = seconds / size;
    format!("{scaled:.prec$} {unit}", prec = decimals_for(scaled))
}

/// A duration given in milliseconds: `51.2` -> `"51.2 ms"`.
pub fn ms(milliseconds: f64) -> String {
    duration(milliseconds / 1000.0)
}

/// Mean and standard deviation in the mean's unit and precision: `"57.3 ± 0.4 ms"`.
/// Without a deviation (a single run) only the mean is shown.
pub fn duration_pm(mean_s: f64, stddev_s: Option<f64>) -> String {
    let Some(stddev_s) = stddev_s else {
        return duration(mean_s);
    };
    let (unit, size) = unit_for(mean_s);
    let (mean, stddev) = (mean_s / size, stddev_s / size);
    let prec = decimals_for(mean);
    format!("{mean:.prec$} ± {stddev:.prec$} {unit}")
}

/// Peak memory from KiB: `512` -> `"512 KiB"`, `2048` -> `"2.0 MiB"`, `3 GiB` -> `"3.00 GiB"`.
pub fn memory_kib(kib: u64) -> String {
    const KIB_PER_MIB: f64 = 1024.0;
    const KIB_PER_GIB: f64 = 1024.0 * 1024.0;
    // Precision loss converting u64 to f64 only matters above 2^53 KiB.
    let kib_f = kib as f64;
    if kib < 1024 {
        format!("{kib} KiB")
    } else if kib_f < 1023.95 * KIB_PER_MIB {
        let mib = kib_f / KIB_PER_MIB;
        let prec = if mib >= 99.95 { 0 } else { 1 };
        format!("{mib:.prec$} MiB")
    } else {
        format!("{:.2} GiB", kib_f / KIB_PER_GIB)
    }
}

/// A ratio such as a speedup, with two decimals below 10 and three significant
/// figures above: `0.9524` -> `"0.95×"`, `12.34` -> `"12.3×"`, `140.2` -> `"140×"`;
/// below 0.1 two significant figures, so a small ratio is never `0.00×`: `0.0152` -> `"0.015×"`.
pub fn factor(ratio: f64) -> String {
    let small = (ratio != 0.0 && ratio.abs() < 0.1).then(|| 1 - ratio.abs().log10().floor() as i32);
    format!("{ratio:.prec$}×", prec = small.map_or(decimals_for(ratio), |p| p.clamp(2, 6) as usize))
}

/// A duration without trailing zeros, for axis ticks and prose: `0.02` -> `"20 ms"`,
/// `0.001` -> `"1 ms"`, `1.5` -> `"1.5 s"`.
pub fn duration_short(seconds: f64) -> String {
    let (unit, size) = unit_for(seconds);
    format!("{} {unit}", trimmed(seconds / size, 2))
}

/// A count with its thousands set apart by spaces, as in prose: `20000` -> `"20 000"`.
pub fn grouped(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

/// A round count as a power of ten, the way a reader says it: `50000000` -> `"5·10⁷"`,
/// `1000000000` -> `"10⁹"`, `25000000` -> `"2.5·10⁷"`; others [`grouped`]: `12345` -> `"12 345"`.
pub fn power_of_ten(count: u64) -> String {
    const SUPERSCRIPTS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let digits = count.to_string();
    let significant = digits.trim_end_matches('0');
    // Worth it from 10 000 up, with at most two significant digits.
    if count < 10_000 || significant.len() > 2 {
        return grouped(count);
    }
    let exponent: String = (digits.len() - 1)
        .to_string()
        .chars()
        // Digits only: `to_string` of a usize.
        .filter_map(|digit| digit.to_digit(10).map(|digit| SUPERSCRIPTS[digit as usize]))
        .collect();
    let mantissa = match significant.split_at(1) {
        ("1", "") => return format!("10{exponent}"),
        (first, "") => first.to_string(),
        (first, rest) => format!("{first}.{rest}"),
    };
    format!("{mantissa}·10{exponent}")
}

/// A p-value with three decimals, or a bound below that: `"p = 0.012"`, `"p < 0.001"`.
pub fn p_value(p: f64) -> String {
    if p < 0.001 { "p < 0.001".to_string() } else { format!("p = {p:.3}") }
}

/// A number for a CSV cell, rounded to `decimals` and without trailing zeros:
/// `(8.0, 6)` -> `"8"`, `(1.6000000000000003, 6)` -> `"1.6"`.
pub fn trimmed(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Items joined as prose: `a`, `a and b`, `a, b and c`.
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [only] => only.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", rest.join(", "), last.as_ref())
        }
    }
}

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

/// A measured rate: whole requests a second from 100 up, one decimal below.
pub fn rate(rps: f64) -> String {
    let rounded = if rps >= 100.0 { value(rps.round()) } else { trimmed(rps, 1) };
    format!("{rounded}/s")
}

/// A per-unit memory figure in KiB with three significant figures: `0.2634` ->
/// `"0.26 KiB"`, `1234.5` -> `"1 235 KiB"`. A figure that rounds to zero has no
/// sign (`-0.004` is `"0.00 KiB"`).
pub fn kib(kib: f64) -> String {
    let kib = if (kib * 100.0).round() == 0.0 { 0.0 } else { kib };
    let text = match kib.abs() {
        v if v >= 999.5 => value(kib.round()),
        v if v >= 99.95 => format!("{kib:.0}"),
        v if v >= 9.995 => format!("{kib:.1}"),
        _ => format!("{kib:.2}"),
    };
    format!("{text} KiB")
}

/// `two threads`, `one process`, `12 processes`.
pub fn counted(count: u64, singular: &str, plural: &str) -> String {
    const WORDS: [&str; 11] =
        ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    let noun = if count == 1 { singular } else { plural };
    match WORDS.get(count as usize) {
        Some(word) => format!("{word} {noun}"),
        None => format!("{count} {noun}"),
    }
}

/// Command-line options as code, other text as it is: `--count 20` ->
/// `` `--count 20` ``, `the seeds' own sizes` unchanged.
pub fn options(text: &str) -> String {
    if text.trim_start().starts_with('-') { format!("`{text}`") } else { text.to_string() }
}

/// Text as a committed page may show it, without the machine that made it or a server
/// that is gone: an absolute path becomes its file name, a loopback port `PORT`.
pub fn public(text: &str) -> String {
    let word = |word: &str| {
        let core = word.trim_start_matches('(').trim_end_matches(')');
        let shown = match core.strip_prefix("http://127.0.0.1:") {
            Some(rest) => format!(
                "http://127.0.0.1:PORT{}",
                rest.trim_start_matches(|c: char| c.is_ascii_digit())
            ),
            None if core.starts_with('/') => core.rsplit('/').next().unwrap_or(core).to_string(),
            None => return word.to_string(),
        };
        word.replacen(core, &shown, 1)
    };
    text.split(' ').map(word).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists read as English, whatever their items are held as.
    #[test]
    fn lists_read_as_prose() {
        let a: [String; 1] = ["a".into()];
        assert_eq!(and_list(&a), "a");
        let abc: [String; 3] = ["a".into(), "b".into(), "c".into()];
        assert_eq!(and_list(&abc), "a, b and c");
    }

    /// Durations pick the unit that keeps three significant figures readable.
    #[test]
    fn durations_choose_their_unit() {
        assert_eq!(duration(8.64), "8.64 s");
        assert_eq!(duration(12.345), "12.3 s");
        assert_eq!(duration(0.0573), "57.3 ms");
        assert_eq!(duration(0.157), "157 ms");
        assert_eq!(duration(0.000412), "412 µs");
        assert_eq!(duration(0.0000000412), "41.2 ns");
        assert_eq!(duration(1.0), "1.00 s");
    }

    /// A value that would round up to 1000 of a unit is shown in the next unit instead.
    #[test]
    fn durations_round_into_the_next_unit() {
        assert_eq!(duration(0.99996), "1.00 s");
        assert_eq!(duration(0.0009999), "1.00 ms");
        assert_eq!(duration(0.999), "999 ms");
    }

    /// Mean ± σ shares the mean's unit and number of decimals.
    #[test]
    fn mean_and_deviation_share_unit_and_precision() {
        assert_eq!(duration_pm(0.0573, Some(0.00041)), "57.3 ± 0.4 ms");
        assert_eq!(duration_pm(8.64, Some(0.123)), "8.64 ± 0.12 s");
        assert_eq!(duration_pm(0.157, Some(0.0126)), "157 ± 13 ms");
        assert_eq!(duration_pm(0.157, None), "157 ms");
    }

    /// A rate keeps whole requests from 100 a second up, a decimal below.
    #[test]
    fn rates_round_to_what_they_can_mean() {
        assert_eq!(rate(19.874), "19.9/s");
        assert_eq!(rate(20041.009), "20 041/s");
        assert_eq!(rate(300.0), "300/s");
    }

    /// Memory is shown in KiB below 1 MiB, then MiB, then GiB.
    #[test]
    fn memory_switches_units_at_binary_boundaries() {
        assert_eq!(memory_kib(512), "512 KiB");
        assert_eq!(memory_kib(1023), "1023 KiB");
        assert_eq!(memory_kib(1024), "1.0 MiB");
        assert_eq!(memory_kib(2048), "2.0 MiB");
        assert_eq!(memory_kib(215 * 1024), "215 MiB");
        assert_eq!(memory_kib(3 * 1024 * 1024), "3.00 GiB");
    }

    /// Factors keep two decimals, or three significant figures from 10 up, and carry the × sign.
    #[test]
    fn factors_have_three_significant_figures() {
        assert_eq!(factor(0.9524), "0.95×");
        assert_eq!(factor(1.0), "1.00×");
        assert_eq!(factor(1.9734), "1.97×");
        assert_eq!(factor(12.34), "12.3×");
        assert_eq!(factor(140.2), "140×");
        assert_eq!(
            (factor(0.0152), factor(0.002), factor(0.0)),
            ("0.015×".into(), "0.0020×".into(), "0.00×".into())
        );
    }

    /// Short durations lose trailing zeros; counts are grouped or powers of ten.
    #[test]
    fn short_durations_and_counts() {
        assert_eq!(duration_short(0.02), "20 ms");
        assert_eq!(duration_short(0.001), "1 ms");
        assert_eq!(duration_short(1.5), "1.5 s");
        assert_eq!(grouped(20_000), "20 000");
        assert_eq!(grouped(987), "987");
        assert_eq!(grouped(1_234_567), "1 234 567");
        assert_eq!(power_of_ten(50_000_000), "5·10⁷");
        assert_eq!(power_of_ten(1_000_000_000), "10⁹");
        assert_eq!(power_of_ten(25_000_000), "2.5·10⁷");
        assert_eq!(power_of_ten(300_000), "3·10⁵");
        assert_eq!(power_of_ten(12_345), "12 345");
        assert_eq!(power_of_ten(2_000), "2 000");
        assert_eq!(power_of_ten(10_000_000_000), "10¹⁰");
    }

    /// p-values keep three decimals; smaller ones are given as a bound.
    #[test]
    fn p_values() {
        assert_eq!(p_value(0.0123), "p = 0.012");
        assert_eq!(p_value(0.0004), "p < 0.001");
        assert_eq!(p_value(1.0), "p = 1.000");
    }

    /// CSV numbers drop the noise of floating-point division but keep integers bare.
    /// Pages name programs, not where they were on the machine that ran them.
    #[test]
    fn public_drops_machine_paths_and_ports() {
        let command = "/w/target/python-venv/bin/python p.py --base http://127.0.0.1:43995/x --n 2";
        assert_eq!(public(command), "python p.py --base http://127.0.0.1:PORT/x --n 2");
        assert_eq!(public("Python 3.11 (/w/target/python-venv)"), "Python 3.11 (python-venv)");
        assert_eq!(
            public("target/release/concur-seq squares"),
            "target/release/concur-seq squares"
        );
    }

    /// No negative zero: a figure that rounds to zero has no sign.
    #[test]
    fn kib_without_negative_zero() {
        assert_eq!(kib(-0.004), "0.00 KiB");
        assert_eq!(kib(0.2634), "0.26 KiB");
        assert_eq!(kib(1234.5), "1 235 KiB");
        assert_eq!(value(1_000_000.0), "1 000 000");
        assert_eq!(counted(2, "thread", "threads"), "two threads");
    }

    #[test]
    fn trimmed_numbers_lose_trailing_zeros() {
        assert_eq!(trimmed(8.0, 6), "8");
        assert_eq!(trimmed(1.6000000000000003, 6), "1.6");
        assert_eq!(trimmed(2.0, 4), "2");
        assert_eq!(trimmed(0.33333333, 4), "0.3333");
        assert_eq!(trimmed(10.0, 0), "10");
    }
}
