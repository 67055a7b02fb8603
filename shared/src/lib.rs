//! concur-shared: everything in concur that is not a concurrency model.
