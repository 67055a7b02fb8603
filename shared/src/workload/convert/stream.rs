//! The request stream of `convert`: generated from a seed, or read from a file
//! so users can replay their own traffic. Both give the same thing, one text
//! line per request, because validating that text is part of the function.
//!
//! The generator is deterministic on every machine: a hand-written splitmix64
//! (no dependency whose sequence could change with a version bump) and a
//! Zipf-like popularity built from integer weights, so no float rounding can
//! differ between platforms.

use super::rules::{BONUS_THRESHOLD, MAX_AMOUNT};
use std::collections::HashSet;

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough to draw
/// benchmark inputs; not for anything secret.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// A number in `0..n` (`n > 0`), by multiply-high: the bias is below
    /// n / 2^64, invisible at these sizes, and no draw is ever retried.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

/// The splitmix64 finalizer: a fixed bijective mix of 64 bits. Used wherever a
/// hash must be the same in every process and every run (routing keys to
/// worker processes, the checksum), which std's `RandomState` is not.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSpec {
    pub requests: u64,
    pub distinct: u64,
    pub seed: u64,
    pub invalid_per_mille: u64,
}

/// Invalid requests that are not numbers at all (the seed's "data type"
/// check): what a sloppy client or a bad CSV export sends.
const MALFORMED: &[&str] = &[
    "", "abc", "12.5", "1e3", "+5", " 42", "42 ", "0x1F", "--7", "1_000", "12a", "NaN", "-", "١٢٣",
];

/// The requests, in order: `requests` lines, of which exactly
/// `requests * invalid_per_mille / 1000` (rounded down) are invalid, at
/// random positions; the others are amounts drawn from `distinct` popular
/// amounts, the amount of rank r (1-based) with probability proportional to
/// 1/r.
pub fn generate(spec: StreamSpec) -> Vec<String> {
    let mut rng = SplitMix64::new(spec.seed);
    let amounts = popular_amounts(spec.distinct, &mut rng);
    let zipf = Zipf::new(amounts.len());
    let count = spec.requests as usize;
    let invalid = invalid_positions(count, spec.invalid_per_mille, &mut rng);
    (0..count)
        .map(|i| {
            if invalid[i] {
                invalid_request(&mut rng)
            } else {
                amounts[zipf.sample(&mut rng)].to_string()
            }
        })
        .collect()
}

/// `distinct` different valid amounts, most popular first: random amounts,
/// half below the bonus threshold and half above, with the rule's boundaries
/// (0, threshold - 1, threshold, threshold + 1, the maximum) as the least
/// popular ones, so a stream with few distinct amounts still crosses them.
fn popular_amounts(distinct: u64, rng: &mut SplitMix64) -> Vec<u64> {
    let boundaries = [
        0,
        BONUS_THRESHOLD - 1,
        BONUS_THRESHOLD,
        BONUS_THRESHOLD + 1,
        MAX_AMOUNT,
    ];
    let distinct = distinct as usize;
    let tail: &[u64] = if distinct >= boundaries.len() {
        &boundaries
    } else {
        &[]
    };
    let mut seen: HashSet<u64> = tail.iter().copied().collect();
    let mut amounts = Vec::with_capacity(distinct);
    while amounts.len() < distinct - tail.len() {
        let amount = if rng.below(2) == 0 {
            rng.below(BONUS_THRESHOLD)
        } else {
            BONUS_THRESHOLD + rng.below(MAX_AMOUNT - BONUS_THRESHOLD + 1)
        };
        // A repeat is drawn again; `distinct` is capped far below the number
        // of valid amounts, so this ends quickly.
        if seen.insert(amount) {
            amounts.push(amount);
        }
    }
    amounts.extend_from_slice(tail);
    amounts
}

/// Zipf-like popularity (exponent 1) over ranks `0..n`, from integer weights
/// `2^40 / (rank + 1)` and a cumulative table searched by bisection.
struct Zipf {
    cumulative: Vec<u64>,
}

impl Zipf {
    fn new(n: usize) -> Self {
        // The sum is below 2^40 * (ln n + 1) < 2^45 for every allowed n.
        let mut total = 0u64;
        let cumulative = (1..=n as u64)
            .map(|rank| {
                total += (1u64 << 40) / rank;
                total
            })
            .collect();
        Zipf { cumulative }
    }

    fn sample(&self, rng: &mut SplitMix64) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0);
        let x = rng.below(total.max(1));
        self.cumulative.partition_point(|&c| c <= x)
    }
}

/// Exactly `count * per_mille / 1000` positions marked, chosen by a partial
/// Fisher-Yates shuffle.
fn invalid_positions(count: usize, per_mille: u64, rng: &mut SplitMix64) -> Vec<bool> {
    let wanted = (count as u64 * per_mille / 1000) as usize;
    let mut order: Vec<usize> = (0..count).collect();
    let mut marked = vec![false; count];
    for i in 0..wanted {
        let j = i + rng.below((count - i) as u64) as usize;
        order.swap(i, j);
        marked[order[i]] = true;
    }
    marked
}

/// One invalid request: negative, above the maximum (sometimes beyond any
/// integer type) or malformed, in equal shares.
fn invalid_request(rng: &mut SplitMix64) -> String {
    match rng.below(3) {
        0 => format!("-{}", 1 + rng.below(MAX_AMOUNT)),
        1 if rng.below(2) == 0 => (MAX_AMOUNT + 1 + rng.below(MAX_AMOUNT)).to_string(),
        1 => "9".repeat(20 + rng.below(20) as usize),
        _ => MALFORMED[rng.below(MALFORMED.len() as u64) as usize].to_owned(),
    }
}

/// Splits a requests file into requests: one per line, `\n` or `\r\n` line
/// ends, no request after a final line end. Nothing here can fail: a line
/// that is not valid UTF-8 becomes text with U+FFFD in it, which validation
/// rejects as `format`, so garbage is a rejected request, never a crash.
pub fn parse_lines(bytes: &[u8]) -> Vec<String> {
    if bytes.is_empty() {
        return Vec::new();
    }
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    body.split(|&b| b == b'\n')
        .map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            String::from_utf8_lossy(line).into_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::rules::{Reject, validate};
    use super::*;
    use std::collections::HashMap;

    fn spec(requests: u64, distinct: u64, invalid_per_mille: u64) -> StreamSpec {
        StreamSpec {
            requests,
            distinct,
            seed: 42,
            invalid_per_mille,
        }
    }

    /// The same spec gives the same stream; another seed gives another one.
    #[test]
    fn generation_is_deterministic() {
        let a = generate(spec(2_000, 100, 5));
        assert_eq!(a, generate(spec(2_000, 100, 5)));
        let other = generate(StreamSpec {
            seed: 43,
            ..spec(2_000, 100, 5)
        });
        assert_ne!(a, other);
        // Pinned: a change to the generator changes every published number.
        assert_eq!(&a[..3], ["6889", "3706", "4954"]);
    }

    /// Exactly requests * per_mille / 1000 requests are invalid, every one
    /// with some reason, and all three reasons occur.
    #[test]
    fn invalid_share_is_exact() {
        let stream = generate(spec(20_000, 1_000, 5));
        let mut reasons: HashMap<Reject, usize> = HashMap::new();
        for request in &stream {
            if let Err(reason) = validate(request) {
                *reasons.entry(reason).or_default() += 1;
            }
        }
        assert_eq!(reasons.values().sum::<usize>(), 100);
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(
            generate(spec(999, 10, 0))
                .iter()
                .all(|r| validate(r).is_ok())
        );
        assert!(
            generate(spec(50, 10, 1000))
                .iter()
                .all(|r| validate(r).is_err())
        );
    }

    /// Valid requests use at most `distinct` amounts, the popular ones far
    /// more often (rank 1 about 1/H(K) of the stream), boundaries included.
    #[test]
    fn popularity_is_skewed() {
        let stream = generate(spec(20_000, 1_000, 0));
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for request in &stream {
            *counts.entry(request).or_default() += 1;
        }
        assert!(
            counts.len() <= 1_000 && counts.len() > 900,
            "{}",
            counts.len()
        );
        let top = counts.values().max().copied().unwrap_or(0);
        // 20 000 / H(1000) = 20 000 / 7.49 ~ 2 670.
        assert!((2_300..3_100).contains(&top), "{top}");
        let small = generate(spec(500, 5, 0));
        for boundary in ["0", "9999", "10000", "10001", "1000000000"] {
            assert!(small.iter().any(|r| r == boundary), "{boundary}");
        }
        let one = generate(spec(100, 1, 0));
        assert!(one.iter().all(|r| *r == one[0]));
    }

    /// File lines: LF or CRLF, no phantom request after the last newline,
    /// empty lines and invalid UTF-8 kept as (rejected) requests.
    #[test]
    fn file_lines() {
        assert_eq!(parse_lines(b""), Vec::<String>::new());
        assert_eq!(parse_lines(b"\n"), [""]);
        assert_eq!(parse_lines(b"1\r\n2\n\n3"), ["1", "2", "", "3"]);
        assert_eq!(parse_lines(b"7\n"), ["7"]);
        let garbage = parse_lines(b"5\n\xff\xfe\n");
        assert_eq!(garbage.len(), 2);
        assert_eq!(validate(&garbage[1]), Err(Reject::Format));
    }

    /// `below` stays below its bound, and `mix64` is the published finalizer.
    #[test]
    fn prng_basics() {
        let mut rng = SplitMix64::new(0);
        assert_eq!(
            rng.next_u64(),
            0xE220_A839_7B1D_CDAF,
            "splitmix64(0) first output"
        );
        for n in [1, 2, 3, 1_000, u64::MAX] {
            assert!((0..1_000).all(|_| rng.below(n) < n));
        }
    }
}
