//! The download workload through the concur-procs binary, against a site server
//! started by the test on 127.0.0.1:0 (the checks live in
//! `concur_testkit::download`).

concur_testkit::download_tests!(env!("CARGO_BIN_EXE_concur-procs"), &[&["--workers", "3"]]);
