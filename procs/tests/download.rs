//! The download workload through the concur-procs binary, against a site server
//! started by the test on 127.0.0.1:0.

use concur_shared::testing::download;

const BIN: &str = env!("CARGO_BIN_EXE_concur-procs");
const VARIANTS: &[&[&str]] = &[&["--workers", "3"]];

/// Both seed presets give the reference bytes and checksum.
#[test]
fn presets_match_reference() {
    for variant in VARIANTS {
        download::presets_match_reference(BIN, variant);
    }
}

/// Status, hang, reset and truncate faults are counted and reported; exit 1.
#[test]
fn faults_are_counted_and_reported() {
    for variant in VARIANTS {
        download::faults_are_counted_and_reported(BIN, variant);
    }
}

/// An unreachable port fails fast with "refused".
#[test]
fn unreachable_port_fails_fast() {
    for variant in VARIANTS {
        download::unreachable_port_fails_fast(BIN, variant);
    }
}

/// Bad URLs and options exit 2 with one line.
#[test]
fn bad_input_is_usage_error() {
    download::bad_input_is_usage_error(BIN);
}
