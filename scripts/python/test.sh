#!/usr/bin/env bash
# test.sh: tests the seeds' Python programs (scripts/python/) against concur's
# binaries on a local concur-sites, at small sizes: records, checksums, failed
# requests, usage errors. Builds nothing: run `cargo build --release` first.
# Gets the venv from scripts/lib/python.sh (made on first use, then reused);
# extra arguments go to unittest (e.g. Failures, or -k checksum).
# Exit status: 0 all passed, 1 a test failed or Python could not be set up.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
if [ ! -f Cargo.toml ] || [ ! -d scripts/python ]; then
  echo "test.sh: error: not a concur checkout: $root" >&2
  exit 1
fi
# shellcheck source-path=SCRIPTDIR/../..
. scripts/lib/python.sh
python_setup
if [ -z "$python_bin" ]; then
  echo "test.sh: error: $python_skip_reason" >&2
  exit 1
fi
echo "python: $python_state"
# The test's server and programs end with it: they are its children, and
# unittest's tearDownModule stops the server.
"$python_bin" scripts/python/test_programs.py "$@"
