# common.sh: sourced by the benchmark scripts (compare.sh, sweep.sh): the set-up
# they share, written once. The caller sets `script_name` (for messages)
# before sourcing; sourcing sets `root` (the workspace) and moves there. The
# exit trap is `cleanup`, which open_out installs.
#
# - run_child: runs a long step so that a signal stops it at once;
# - build_release, warn_rustflags: the release build the timings need;
# - ensure_hyperfine: a hyperfine 1.x, installed under target/tools if needed;
# - start_sites / use_sites / stop_sites: the local site server, or one given;
# - open_out: the output directory and the temporary one beside the results,
#   and the exit trap that removes what a stopped run leaves.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ -f "$root/Cargo.toml" ] && [ -d "$root/shared" ] \
  || { echo "$script_name: error: cannot find the concur workspace around $0" >&2; exit 1; }
cd "$root"

die() { printf '%s: error: %s\n' "$script_name" "$*" >&2; exit 1; }
usage_error() { printf '%s: error: %s (see --help)\n' "$script_name" "$*" >&2; exit 2; }
say() { printf '==> %s\n' "$*" >&2; }

# An option's value must exist and must not be the next option.
need_value() { [ $# -ge 2 ] && [[ "$2" != --* ]] || usage_error "$1 needs a value"; }

# Seconds as "1m05s" or "42s".
human_seconds() {
  local s=$1
  if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

child_pid=''
# Runs a step in its own process group, in the background, and waits for it.
# bash runs a trap only once the foreground command it waits on has finished,
# so a step run in the foreground (a full hyperfine benchmark) would delay a
# Ctrl-C by its whole length; `wait` is interrupted at once, and stop_child
# then ends the step and everything it started (hyperfine and the command it
# is timing). Returns the step's exit status.
#
# A process group (job control on for the one `&`), not a session (setsid):
# the kernel's autogroup scheduling gives every session a group of its own
# and shares the CPU evenly between busy groups (sched(7)), not between
# threads, so a client in a session of its own competed with the site server
# group against group; HTTP/2 at 20 000 requests a second had a p99 of
# 101-136 ms that way and 55-57 ms in one session (docs/methodology.md,
# "The client and the site server share one scheduling group").
# Stdin is /dev/null, as for any background command without job control.
run_child() {
  set -m
  "$@" </dev/null &
  child_pid=$!
  set +m
  local status=0
  wait "$child_pid" || status=$?
  child_pid=''
  return "$status"
}

# Ends the running step, if any, with its whole process group.
stop_child() {
  if [ -n "$child_pid" ]; then
    kill -TERM -- "-$child_pid" 2>/dev/null || kill -TERM "$child_pid" 2>/dev/null || true
    wait "$child_pid" 2>/dev/null || true
    child_pid=''
  fi
}

# A RUSTFLAGS in the environment replaces .cargo/config.toml's rustflags
# instead of adding to them (cargo does not merge the two), and with them the
# loop alignment that keeps the same CPU loop at the same speed in every binary.
warn_rustflags() {
  if [ -n "${RUSTFLAGS:-}" ]; then
    printf '%s: warning: RUSTFLAGS is set (%s); it replaces .cargo/config.toml'"'"'s rustflags (-C llvm-args=-align-loops=64), so the CPU loop may run at different speeds in different binaries: unset RUSTFLAGS for comparable timings\n' \
      "$script_name" "$RUSTFLAGS" >&2
  fi
}

build_release() {
  warn_rustflags
  say "building the workspace (release)"
  # The whole workspace, as a plain `cargo build --release` builds it, so that
  # one run by hand afterwards compiles nothing and replaces no binary.
  run_child cargo build --release --workspace --quiet || die "the release build failed"
}

# Sets `hyperfine` (the command to run) and `hf_version`. A hyperfine 1.x on
# PATH is used as it is; otherwise 1.20.0 is installed with cargo under
# target/tools (once, about 90 s) and run from there, so nothing depends on
# ~/.cargo/bin being on PATH. 2.x is not used: it changed the export layouts.
ensure_hyperfine() {
  local tools="$root/target/tools/bin/hyperfine" found
  hyperfine='' hf_version=''
  for found in "$(command -v hyperfine 2>/dev/null || true)" "$tools"; do
    [ -n "$found" ] && [ -x "$found" ] || continue
    hf_version=$("$found" --version 2>/dev/null | awk '{print $2}')
    case "$hf_version" in 1.*) hyperfine=$found; return 0 ;; esac
  done
  say "no hyperfine 1.x found${hf_version:+ (found $hf_version)}: installing 1.20.0 into target/tools with cargo (about 90 s)"
  mkdir -p "$root/target"
  run_child cargo install hyperfine --version 1.20.0 --locked --quiet --root "$root/target/tools" \
    2>"$root/target/tools-install.log" \
    || die "cannot install hyperfine 1.20.0 (cargo install hyperfine --version 1.20.0 --locked --root target/tools): $(tail -n 3 "$root/target/tools-install.log")"
  hyperfine=$tools
  hf_version=$("$hyperfine" --version | awk '{print $2}')
}

sites_pid='' base='' sites_latency_ms=''
# Starts concur-sites from $bin_dir on a free loopback port with latency $1 ms,
# its output in directory $2; sets `base` once it answers.
start_sites() {
  local latency_ms=$1 dir=$2 first='' detail _
  local sites=$bin_dir/concur-sites
  [ -x "$sites" ] || die "$sites is missing: build first (cargo build --release)"
  say "starting the site server (latency ${latency_ms} ms)"
  "$sites" --addr 127.0.0.1:0 --latency-ms "$latency_ms" >"$dir/sites.out" 2>"$dir/sites.err" &
  sites_pid=$!
  # Its first stdout line is "listening on http://ADDR"; wait for it, bounded.
  for _ in $(seq 1 100); do
    read -r first <"$dir/sites.out" 2>/dev/null && [ -n "${first:-}" ] && break
    kill -0 "$sites_pid" 2>/dev/null || break
    sleep 0.05
  done
  first=$(head -n 1 "$dir/sites.out" 2>/dev/null || true)
  case "$first" in
    "listening on http://"*) base=${first#listening on } ;;
    *)
      detail=$(head -c 400 "$dir/sites.err" 2>/dev/null || true)
      die "the site server did not start (no 'listening on' line within 5 s)${detail:+: $detail}"
      ;;
  esac
  probe_sites "$dir"
}

# Uses a concur-sites already running at URL $1 (another machine, say).
# Sets sites_latency_ms to the latency the server says it answers with
# (GET /stats), or to nothing when it cannot say (not a concur-sites).
use_sites() {
  base=${1%/}
  say "using the site server at $base"
  probe_sites "$2"
  sites_latency_ms=$(sites_stats | grep -o '"latency_ms":[0-9]*' | head -n 1 | cut -d: -f2 || true)
}

# The body of GET $base/stats, or nothing; bash's /dev/tcp, so that no HTTP
# client must be installed, and at most 5 s.
sites_stats() {
  local hostport=${base#http://}
  [[ "$hostport" == *:* ]] || hostport="$hostport:80"
  timeout 5 bash -c 'exec 3<>"/dev/tcp/${1%:*}/${1##*:}" || exit 1
    printf "GET /stats HTTP/1.0\r\nHost: %s\r\n\r\n" "$1" >&3
    cat <&3' _ "$hostport" 2>/dev/null | sed -n '/^\r*$/,$p' || true
}

# Checks that the server at $base answers before anything relies on it.
probe_sites() {
  "$bin_dir/concur-seq" download --url "$base/page?latency_ms=0&size=10" --repeat 1 >/dev/null 2>"$1/probe.err" \
    || die "the site server at $base does not answer: $(head -c 400 "$1/probe.err")"
  rm -f "$1/probe.err"
}

stop_sites() {
  if [ -n "$sites_pid" ]; then
    kill -TERM "$sites_pid" 2>/dev/null || true
    wait "$sites_pid" 2>/dev/null || true
    sites_pid=''
  fi
}

tmp='' created_out=false aside='' swap_phase=''
# Ends whatever the run started and removes its temporary directory, and the
# output directory too when this run created it and never wrote to it. A swap
# of the output under way is finished first (the new set is complete by then),
# so OUT holds the earlier set or the new one, never a mix; further signals
# are ignored meanwhile, so that the cleanup itself is not cut short.
cleanup() {
  local status=$?
  trap '' INT TERM
  [ -n "$swap_phase" ] && finish_swap
  stop_child
  idle_poll_release
  stop_sites
  [ -n "$tmp" ] && rm -rf "$tmp"
  if $created_out; then rmdir "$out" 2>/dev/null || true; fi
  exit "$status"
}

# Replaces the generated files of $out (those the script's `is_generated`
# names) with the complete new set in $tmp, by renames only: the earlier files
# go aside into a hidden directory, the new ones in, then the aside goes. A
# signal in between is finished by `cleanup`. Prints how many files it wrote.
swap_out() {
  aside="$out/.earlier.$$"
  swap_phase=aside
  finish_swap
}

# The rest of a swap, from wherever a signal stopped it: the phase is set
# before the step it names, and every step can be done again.
finish_swap() {
  local file written=0
  if [ "$swap_phase" = aside ]; then
    mkdir -p "$aside" || return 1
    for file in "$out"/*; do
      if [ -e "$file" ] && is_generated "${file##*/}"; then mv -f "$file" "$aside/"; fi
    done
    swap_phase=in
  fi
  for file in "$tmp"/*; do
    if [ -e "$file" ]; then mv -f "$file" "$out/" && written=$((written + 1)); fi
  done
  rm -rf "$aside"
  aside='' swap_phase=''
  swapped=$written
}

# Checks and creates the output directory $out, which must be new, empty or an
# earlier output of this script (it holds params.json), makes the temporary
# directory `tmp` inside it (named .$1.XXXXXX) and sets the exit traps.
open_out() {
  local prefix=$1
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if [ -d "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null | grep -v "^\\.$prefix\\." || true)" ] && [ ! -f "$out/params.json" ]; then
    die "$out holds files that are not an earlier output of $script_name (no params.json): choose a new or empty --out"
  fi
  [ -d "$out" ] || created_out=true
  mkdir -p "$out" || die "cannot create the output directory $out"
  tmp=$(mktemp -d "$out/.$prefix.XXXXXX") || die "cannot create a temporary directory in $out"
}
