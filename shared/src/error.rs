//! The one error a caller matches on: a usage error (exit status 2).
//!
//! Everything else that can go wrong is a failed job (exit status 1) and travels
//! as an `anyhow::Error` with context; only "the user asked for something that
//! makes no sense" needs its own type, because it changes the exit status.

use std::fmt;

/// A nonsensical or malformed command line, reported as one line, exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl UsageError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}
