//! The download workload, batch and `--rate`, through the concur-threads binary, against a site server
//! started by the test on 127.0.0.1:0 (the checks live in
//! `concur_testkit::download` and `concur_testkit::rate`).

concur_testkit::download_tests!(
    env!("CARGO_BIN_EXE_concur-threads"),
    &[&["--workers", "5"], &["--workers", "1"]]
);

concur_testkit::rate_tests!(
    env!("CARGO_BIN_EXE_concur-threads"),
    &["--workers", "5"],
    &["--workers", "1"]
);
