//! The download workload, batch and `--rate`, through the concur-cluster
//! binary on two loopback processes, against a site server started by the
//! test on 127.0.0.1:0 (the checks live in `concur_testkit::download` and
//! `concur_testkit::rate`).

concur_testkit::download_tests!(
    env!("CARGO_BIN_EXE_concur-cluster"),
    &[&["--processes", "2", "--threads", "2"]]
);

concur_testkit::rate_tests!(
    env!("CARGO_BIN_EXE_concur-cluster"),
    &["--processes", "2", "--threads", "2"],
    &["--processes", "1", "--threads", "1"]
);
