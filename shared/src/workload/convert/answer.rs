//! What a model hands back for `convert`: one [`Served`] per request, the
//! counters the lookup side kept, and the [`checksum`] over the outcomes.

use super::rules::Reject;
use super::stream::mix64;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One request's outcome, as a model reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Served {
    /// B points, or why the request was rejected.
    pub outcome: Result<u64, Reject>,
    /// Whether this call ran the expensive lookup itself (a miss), rather
    /// than getting the points from the cache or from another caller's lookup.
    pub looked_up: bool,
}

impl Served {
    pub fn converted(points: u64, looked_up: bool) -> Self {
        Served {
            outcome: Ok(points),
            looked_up,
        }
    }

    pub fn rejected(reason: Reject) -> Self {
        Served {
            outcome: Err(reason),
            looked_up: false,
        }
    }

    /// A line for `-v`: `request 17 "1234": 925 B points (lookup)`. Lazy:
    /// formatted only if printed, since it is built for every request.
    pub fn describe<'a>(&self, index: usize, request: &'a str) -> impl fmt::Display + 'a {
        let served = *self;
        fmt::from_fn(move |f| match served.outcome {
            Ok(points) if served.looked_up => {
                write!(f, "request {index} {request:?}: {points} B points (lookup)")
            }
            Ok(points) => write!(f, "request {index} {request:?}: {points} B points (cached)"),
            Err(reason) => write!(f, "request {index} {request:?}: rejected ({reason})"),
        })
    }
}

/// What a model hands back for `convert`: every outcome in request order,
/// and what the lookup side and the cache counted themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertAnswer {
    pub served: Vec<Served>,
    /// Lookups counted where they ran (summed over processes for `procs`).
    pub lookups_run: u64,
    /// Entries the cache(s) evicted to stay within the capacity.
    pub evictions: u64,
}

/// An order-sensitive hash of every outcome (the points, or the reason):
/// equal in every model and strategy exactly when every outcome is.
pub fn checksum(served: &[Served]) -> u64 {
    served.iter().fold(served.len() as u64, |hash, served| {
        let code = match served.outcome {
            Ok(points) => points,
            // Points never exceed 8e8, so these codes cannot collide with them.
            Err(reason) => u64::MAX - reason as u64,
        };
        mix64(hash ^ code).wrapping_add(0x9E37_79B9_7F4A_7C15)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The checksum changes with any outcome, its position, or a reason.
    #[test]
    fn checksum_covers_every_outcome() {
        let a = [Served::converted(0, true), Served::converted(5, false)];
        let b = [Served::converted(5, true), Served::converted(0, false)];
        let c = [
            Served::rejected(Reject::Format),
            Served::converted(5, false),
        ];
        let d = [Served::rejected(Reject::Range), Served::converted(5, false)];
        let sums: HashSet<u64> = [&a[..], &b, &c, &d, &a[..1]]
            .iter()
            .map(|s| checksum(s))
            .collect();
        assert_eq!(sums.len(), 5);
    }
}
