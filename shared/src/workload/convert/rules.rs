//! The point-conversion rules (company A points -> company B points) and the
//! validation every request goes through before it may reach a cache.
//!
//! # The rules
//!
//! A request is one line of text. It is valid when it is an optional `-`
//! followed by 1 or more ASCII digits and nothing else (no `+`, no spaces, no
//! decimal point, no exponent), its value is not negative (`-0` is zero) and at
//! most [`MAX_AMOUNT`]. Checked in that order, a request is rejected for
//! `format`, then `non-negative`, then `range`; digit strings too long for any
//! integer type are simply out of range.
//!
//! A valid amount `a` converts to
//!
//! ```text
//! b = floor((a * 7_500 + max(0, a - 10_000) * 500) / 10_000)
//! ```
//!
//! B points: a base rate of 0.75 B per A point, plus a bonus tier of 0.05 B
//! per A point above the 10 000-point threshold (a marginal tier, like a tax
//! bracket, so one more A point never earns fewer B points), rounded down
//! once, at the end, so B never pays out a fraction of a point it does not owe.
//!
//! Why integers: points are money-like, and binary floats cannot represent
//! most decimal rates (`0.07 * 100.0` is `7.000000000000001`, `0.29 * 100.0`
//! floors to 28), so a float rule would be wrong by one point on some amounts
//! and could differ between the cache and the reference. Rates are kept as
//! basis points (1/10 000) and everything is exact `u64` arithmetic; the
//! bounds below prove at compile time that it cannot overflow.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest amount of A points one request may convert.
pub const MAX_AMOUNT: u64 = 1_000_000_000;
/// A points above this earn the bonus rate on top of the base rate.
pub const BONUS_THRESHOLD: u64 = 10_000;
/// Rates are in basis points: 1/10 000 of a B point per A point.
pub const BASIS_POINTS: u64 = 10_000;
/// 0.75 B points per A point.
pub const BASE_RATE_BP: u64 = 7_500;
/// 0.05 extra B points per A point above [`BONUS_THRESHOLD`].
pub const BONUS_RATE_BP: u64 = 500;

// The largest numerator is MAX_AMOUNT * (BASE + BONUS); proving here that it
// fits u64 makes every `convert` overflow-free for every valid amount.
const _: () = assert!(
    MAX_AMOUNT
        .checked_mul(BASE_RATE_BP + BONUS_RATE_BP)
        .is_some()
);
const _: () = assert!(BONUS_THRESHOLD <= MAX_AMOUNT);

/// Why a request was rejected: the seed's three validation checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reject {
    /// Not an optional `-` followed by digits (the seed's "data type" check).
    Format,
    /// A negative amount.
    NonNegative,
    /// More than [`MAX_AMOUNT`], including numbers too long for any integer.
    Range,
}

impl Reject {
    /// Every reason, in the order the checks run.
    pub const ALL: [Reject; 3] = [Reject::Format, Reject::NonNegative, Reject::Range];

    /// The reason's name in the record and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Reject::Format => "format",
            Reject::NonNegative => "non-negative",
            Reject::Range => "range",
        }
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A validated amount of A points: `0..=MAX_AMOUNT`. The only way to get one
/// is [`validate`], so holding one proves the request passed every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(u64);

impl Amount {
    /// The amount as a number: the cache key.
    pub fn get(self) -> u64 {
        self.0
    }

    /// An amount from a number, `None` above [`MAX_AMOUNT`].
    pub fn new(points: u64) -> Option<Amount> {
        (points <= MAX_AMOUNT).then_some(Amount(points))
    }

    /// The B points this amount converts to (see the module's rules). This is
    /// the pure rule; the "expensive lookup" that caches exist to avoid is
    /// this plus the simulated cost of fetching the rates.
    pub fn convert(self) -> u64 {
        let a = self.0;
        // Cannot overflow: a <= MAX_AMOUNT, proven above.
        let numerator = a * BASE_RATE_BP + a.saturating_sub(BONUS_THRESHOLD) * BONUS_RATE_BP;
        numerator / BASIS_POINTS
    }
}

/// Validates one request: format, then sign, then range.
pub fn validate(request: &str) -> Result<Amount, Reject> {
    let (negative, digits) = match request.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, request),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Reject::Format);
    }
    // `None` when the digits do not even fit u64: certainly out of range.
    let value = digits.bytes().try_fold(0u64, |value, digit| {
        value.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
    });
    if negative && value != Some(0) {
        return Err(Reject::NonNegative);
    }
    value.and_then(Amount::new).ok_or(Reject::Range)
}

/// The reference outcome of one request: what every model and every cache
/// strategy must answer.
pub fn reference(request: &str) -> Result<u64, Reject> {
    validate(request).map(Amount::convert)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(a: u64) -> u64 {
        Amount::new(a).expect("valid").convert()
    }

    /// The rule at every boundary: 0, threshold - 1, threshold, threshold + 1,
    /// the first bonus point, the maximum.
    #[test]
    fn rules_at_boundaries() {
        assert_eq!(b(0), 0);
        assert_eq!(b(1), 0, "0.75 rounds down");
        assert_eq!(b(4), 3);
        assert_eq!(b(BONUS_THRESHOLD - 1), 7_499, "9999 * 0.75 = 7499.25");
        assert_eq!(
            b(BONUS_THRESHOLD),
            7_500,
            "no bonus at the threshold itself"
        );
        assert_eq!(b(BONUS_THRESHOLD + 1), 7_500, "7500.8 rounds down");
        assert_eq!(b(BONUS_THRESHOLD + 20), 7_516, "7515 + 20 * 0.05 = 7516");
        assert_eq!(b(MAX_AMOUNT), 799_999_500, "750 000 000 + 49 999 500");
    }

    /// One more A point never gives fewer B points, across the threshold too.
    #[test]
    fn rules_are_monotonic() {
        let mut last = 0;
        for a in (0..BONUS_THRESHOLD + 1_000).chain(MAX_AMOUNT - 1_000..=MAX_AMOUNT) {
            let now = b(a);
            assert!(now >= last, "a={a}");
            last = now;
        }
    }

    /// The integer rule equals the exact rational value rounded down (checked
    /// with u128 arithmetic on a spread of amounts).
    #[test]
    fn rules_equal_exact_floor() {
        for a in (0..=MAX_AMOUNT).step_by(9_999_991).chain([12_345, 10_007]) {
            let exact_numer = u128::from(a) * 7_500 + u128::from(a.saturating_sub(10_000)) * 500;
            assert_eq!(u128::from(b(a)), exact_numer / 10_000, "a={a}");
        }
    }

    /// Validation accepts exactly the documented format and gives each
    /// rejection its reason: max + 1, negative, overflow, malformed.
    #[test]
    fn validation_reasons() {
        assert_eq!(reference("0"), Ok(0));
        assert_eq!(reference("-0"), Ok(0), "-0 is zero, not negative");
        assert_eq!(reference("0009999"), Ok(7_499), "leading zeros are digits");
        assert_eq!(reference("1000000000"), Ok(799_999_500));
        assert_eq!(reference("1000000001"), Err(Reject::Range), "max + 1");
        assert_eq!(reference("18446744073709551615"), Err(Reject::Range));
        assert_eq!(
            reference("18446744073709551616"),
            Err(Reject::Range),
            "overflows u64"
        );
        assert_eq!(reference(&"9".repeat(100)), Err(Reject::Range));
        assert_eq!(reference("-1"), Err(Reject::NonNegative));
        assert_eq!(
            reference("-99999999999999999999999"),
            Err(Reject::NonNegative),
            "negative wins over range"
        );
        for bad in [
            "", "-", "--1", "+5", " 42", "42 ", "4 2", "12.5", "1e3", "0x1F", "abc", "12a", "١٢",
            "NaN", "\u{FFFD}", "1_000",
        ] {
            assert_eq!(validate(bad), Err(Reject::Format), "{bad:?}");
        }
    }
}
