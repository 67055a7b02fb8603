//! concur-shared: everything in concur that is not a concurrency model.

/// The local HTTP site server that simulates the seed sites for I/O workloads.
pub mod sites;
