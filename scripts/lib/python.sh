# shellcheck shell=bash disable=SC2034  # the python_* variables are for the caller
# python.sh: sourced by the scripts that run the seeds' own Python programs
# (scripts/python/). Provides a Python with the seeds' libraries: a venv in
# target/python-venv with scripts/python/requirements.txt installed, built
# once and reused until requirements.txt or the interpreter changes (a stamp
# file in the venv records both).
#
#   python_wanted=false   set by the caller before python_setup (its
#                         --no-python): Python is skipped
#   python_setup          sets python_bin to the venv's python and
#                         python_version (e.g. 3.11.7); or, when Python is
#                         skipped, python_bin='' and python_skip_reason to one
#                         line saying why. Never fails (safe under set -e):
#                         no python3, one older than 3.9, a venv or pip
#                         failure all become a skip. python_state is one line
#                         for a results page either way.
#
# Overrides: CONCUR_PYTHON, the interpreter the venv is made from (default
# python3); python_venv_dir, where the venv goes (default
# ${CARGO_TARGET_DIR:-<checkout>/target}/python-venv). pip runs quietly, its
# output kept in <venv>.log; venv creation and the install are bounded by
# python_install_timeout seconds each.

python_wanted=true
python_bin=''
python_version=''
python_skip_reason=''
python_state=''
python_venv_dir=''
python_install_timeout=300
python_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
python_requirements="$python_root/scripts/python/requirements.txt"

python_setup() {
  python_bin='' python_version='' python_skip_reason='' python_state=''
  if ! $python_wanted; then
    _python_skip 'not run (--no-python)'
    return 0
  fi
  local base=${CONCUR_PYTHON:-python3}
  local target=${CARGO_TARGET_DIR:-$python_root/target}
  case "$target" in /*) ;; *) target="$PWD/$target" ;; esac
  local dir=${python_venv_dir:-$target/python-venv}
  if ! command -v "$base" >/dev/null 2>&1; then
    _python_skip "not run: $base is not on PATH"
    return 0
  fi
  local base_version
  if ! base_version=$("$base" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null); then
    _python_skip "not run: $base does not run"
    return 0
  fi
  if ! "$base" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
    _python_skip "not run: $base is Python $base_version, they need 3.9 or newer"
    return 0
  fi
  # The stamp: the interpreter, its version and the requirements' hash.
  local stamp
  if ! stamp=$("$base" -c 'import hashlib, sys
print(sys.executable, sys.argv[1], hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest())' \
      "$base_version" "$python_requirements" 2>/dev/null); then
    _python_skip "not run: cannot read $python_requirements"
    return 0
  fi
  mkdir -p "$(dirname "$dir")" || { _python_skip "not run: cannot create $(dirname "$dir")"; return 0; }
  local lock_fd=''
  if command -v flock >/dev/null 2>&1 && exec {lock_fd}>"$dir.lock"; then
    # Two scripts setting up at once must not build one venv twice.
    flock -w "$python_install_timeout" "$lock_fd" || true
  fi
  if [ "$(cat "$dir/.concur-stamp" 2>/dev/null)" != "$stamp" ] || ! _python_usable "$dir"; then
    _python_build "$base" "$dir" "$stamp"
  fi
  if [ -n "$lock_fd" ]; then exec {lock_fd}>&-; fi
  [ -z "$python_skip_reason" ] || return 0
  python_bin="$dir/bin/python"
  python_version=$base_version
  local libraries
  libraries=$("$python_bin" -c 'import aiohttp, requests
print(f"requests {requests.__version__}, aiohttp {aiohttp.__version__}")' 2>/dev/null) || libraries='?'
  python_state="Python $python_version, $libraries ($dir)"
}

# Builds the venv from scratch and installs the requirements; on failure
# leaves python_skip_reason set.
_python_build() {
  local base=$1 dir=$2 stamp=$3 log="$2.log"
  rm -rf "$dir" || true
  if ! timeout "$python_install_timeout" "$base" -m venv "$dir" >"$log" 2>&1; then
    _python_skip "not run: '$base -m venv' failed (on Debian or Ubuntu: apt-get install python3-venv); see $log"
    return 0
  fi
  local status=0
  timeout "$python_install_timeout" "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-input -r "$python_requirements" >>"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    local why=failed
    [ "$status" -ne 124 ] || why="took over ${python_install_timeout} s"
    _python_skip "not run: pip install -r $python_requirements $why; see $log"
    rm -rf "$dir" || true
    return 0
  fi
  if ! _python_usable "$dir"; then
    _python_skip "not run: the venv in $dir cannot import requests and aiohttp; see $log"
    return 0
  fi
  printf '%s\n' "$stamp" >"$dir/.concur-stamp" || true
}

_python_usable() {
  [ -x "$1/bin/python" ] && "$1/bin/python" -c 'import aiohttp, requests' >/dev/null 2>&1
}

_python_skip() {
  python_bin=''
  python_skip_reason="Python programs $1"
  python_state=$python_skip_reason
}
