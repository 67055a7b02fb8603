//! What every binary's command line shares beyond clap: a parser of whole
//! numbers that calls `-1` out of range, and clap's error as one line.
//!
//! A module of its own, below `harness` and `workload`, which both use it.

/// A parser of a whole number in `range`, for clap's `value_parser`: `-1`
/// and numbers past `u64` are told they are out of range ("-1 is not in
/// 1..=20"), where clap's own `u64` parser says "invalid digit found in string".
pub fn whole_number(
    range: std::ops::RangeInclusive<u64>,
) -> impl Fn(&str) -> Result<u64, String> + Clone + Send + Sync + 'static {
    move |text: &str| {
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("'{text}' is not a whole number"));
        }
        text.parse()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| match (range.start(), range.end()) {
                (start, &u64::MAX) => format!("{text} is not {start} or more"),
                (start, end) => format!("{text} is not in {start}..={end}"),
            })
    }
}

/// clap's message as one line: the problem and its hints (possible values, a
/// similar name), without the usage block and the pointer to `--help` that
/// follow.
pub fn usage_line(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let mut line = String::new();
    for part in rendered
        .lines()
        .take_while(|part| !part.starts_with("Usage:"))
        .map(str::trim)
        .filter(|part| !part.is_empty() && !part.starts_with("For more information"))
    {
        match line.is_empty() {
            true => line.push_str(part),
            false if part.starts_with('[') => line.push_str(&format!(" {part}")),
            false => line.push_str(&format!(" ({part})")),
        }
    }
    line
}
