#!/usr/bin/env bash
# compare.sh: runs every concurrency model of concur on every workload and
# writes the reviewed results tables.
#
# What is measured: the wall time of whole model processes (concur-seq,
# concur-threads, concur-async, concur-procs), started by hyperfine without a
# shell (-N), per workload and per interesting variant of each model. I/O
# workloads talk to the local site server (concur-sites) on 127.0.0.1 with a
# fixed simulated latency, never to the internet.
#
# Order of work: build (release) -> start the site server -> correctness gate
# (each variant once; every answer must be right and all checksums must agree,
# else stop before timing anything) -> hyperfine, in rounds -> concur-report.
# Rounds: hyperfine runs one command's runs back to back, so a noisy minute on a
# shared machine would land on whichever variant was running. Every workload is
# timed once per round instead, each round a share of the runs, and the report
# joins the rounds (report/src/rounds.rs). While the workloads that
# wait (download, convert) are timed, idle CPUs are kept polling when the
# script may (scripts/lib/idle_poll.sh says why). Everything is
# written into a temporary directory first and replaces the output directory's
# generated files at the end, so an error or Ctrl-C never leaves a half-written
# result file behind, and a reused directory never keeps a stale one. Every
# long step (build, gate runs, hyperfine) runs as a background child that the
# script waits for, so that a signal stops the run at once: bash runs a trap
# only after the foreground command it is waiting on has finished.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/compare.sh [OPTIONS]

Builds the workspace in release mode, starts the local site server, checks
that every model gives the same right answer, times every model and variant
with hyperfine and writes the results tables.

Options:
  --quick             Small sizes, 3 runs, no warmup; seconds once the
                      release build exists. Writes to target/compare-quick unless --out is
                      given, so the committed results/ are not overwritten.
  --workloads LIST    Comma-separated subset of: squares,range-sum,download,convert
                      (default: all)
  --models LIST       Comma-separated subset of: seq,threads,async,procs
                      (default: all; seq is always kept as the baseline)
  --runs N            Timed runs per variant (default 10, quick 3)
  --rounds N          Split the runs into N rounds, every workload timed once
                      per round, so that a noisy spell on the machine is shared
                      by all variants instead of landing on one (default 5,
                      quick 3; at most --runs)
  --warmup N          Untimed warmup runs per variant, in the first round
                      (default 1, quick 0)
  --out DIR           Where results go (default results/, quick target/compare-quick)
  --latency-ms N      Simulated page latency of the site server (default 50, quick 10)
  --no-build          Use the binaries already built in target/release
  --no-idle-poll      Let idle CPUs halt while download and convert are timed.
                      By default, when it may (root), the script holds a PM QoS
                      request (/dev/cpu_dma_latency = 0, as cyclictest does) so
                      that idle CPUs poll during those timings: on a VM a halted
                      CPU is woken late by the hypervisor, a cost of the host
                      that every wait pays (docs/methodology.md has the
                      measurements). The CPU workloads are always timed with
                      halting CPUs. params.json and the results README record
                      which.
  -h, --help          Show this help

OUT must be new, empty, or an earlier output of this script (it holds
params.json): its generated files are replaced as a whole, so none from an
earlier run with other workloads stays behind; its subdirectories other than
rounds/ are left alone.

Writes to OUT: rounds/<workload>.<round>.json (each round's hyperfine export),
<workload>.{json,csv,md} (the rounds joined, in hyperfine's layouts), records.jsonl (each
variant's result record from the correctness gate), params.json, machine.json,
and, from concur-report: summary.csv, README.md and <workload>.svg charts.

Environment (for tests): CONCUR_BIN_DIR replaces target/release (or
$CARGO_TARGET_DIR/release) as the place
the model binaries and concur-sites are taken from.
Exit status: 0 done, 1 a step failed (message says which), 2 bad usage.
EOF
}

# shellcheck source=lib/idle_poll.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/idle_poll.sh"

die() { printf 'compare.sh: error: %s\n' "$*" >&2; exit 1; }
usage_error() { printf 'compare.sh: error: %s (see --help)\n' "$*" >&2; exit 2; }
say() { printf '==> %s\n' "$*" >&2; }
json_string() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -f "$root/Cargo.toml" ] && [ -d "$root/shared" ] || die "cannot find the concur workspace around $0"
cd "$root"

all_workloads=(squares range-sum download convert)
all_models=(seq threads async procs)
quick=false runs='' rounds='' warmup='' out='' latency_ms='' build=true
workloads_arg='' models_arg=''

# An option's value must exist and must not be the next option.
need_value() { [ $# -ge 2 ] && [[ "$2" != --* ]] || usage_error "$1 needs a value"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true ;;
    --workloads) need_value "$@"; workloads_arg=$2; shift ;;
    --models) need_value "$@"; models_arg=$2; shift ;;
    --runs) need_value "$@"; runs=$2; shift ;;
    --rounds) need_value "$@"; rounds=$2; shift ;;
    --warmup) need_value "$@"; warmup=$2; shift ;;
    --out) need_value "$@"; out=$2; shift ;;
    --latency-ms) need_value "$@"; latency_ms=$2; shift ;;
    --no-build) build=false ;;
    --no-idle-poll) idle_poll_wanted=false ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
  shift
done

is_count() { [[ "$1" =~ ^[0-9]+$ ]] && [ "${#1}" -le 6 ]; }
if $quick; then
  : "${runs:=3}" "${warmup:=0}" "${out:=target/compare-quick}" "${latency_ms:=10}"
else
  : "${runs:=10}" "${warmup:=1}" "${out:=results}" "${latency_ms:=50}"
fi
is_count "$runs" && [ "$runs" -ge 1 ] || usage_error "--runs must be a whole number from 1, got '$runs'"
# Without --rounds: 5 (quick 3), but never more rounds than runs.
if [ -z "$rounds" ]; then
  if $quick; then rounds=3; else rounds=5; fi
  [ "$rounds" -le "$runs" ] || rounds=$runs
fi
is_count "$rounds" && [ "$rounds" -ge 1 ] || usage_error "--rounds must be a whole number from 1, got '$rounds'"
[ "$rounds" -le "$runs" ] || usage_error "--rounds $rounds is more than --runs $runs: every round needs a run"
is_count "$warmup" || usage_error "--warmup must be a whole number, got '$warmup'"
is_count "$latency_ms" || usage_error "--latency-ms must be a whole number of milliseconds, got '$latency_ms'"

# Splits a comma list and checks every item against the allowed ones.
pick() {
  local option=$1 list=$2; shift 2
  local item allowed
  IFS=',' read -r -a picked <<<"$list"
  [ ${#picked[@]} -gt 0 ] || usage_error "$option needs at least one name"
  for item in "${picked[@]}"; do
    for allowed in "$@"; do [ "$item" = "$allowed" ] && continue 2; done
    usage_error "$option: unknown name '$item' (choose from: $*)"
  done
}
picked=()
if [ -n "$workloads_arg" ]; then pick --workloads "$workloads_arg" "${all_workloads[@]}"; workloads=("${picked[@]}"); else workloads=("${all_workloads[@]}"); fi
if [ -n "$models_arg" ]; then pick --models "$models_arg" "${all_models[@]}"; models=(seq "${picked[@]}"); else models=("${all_models[@]}"); fi

idle_poll_check

wants_model() { local m; for m in "${models[@]}"; do [ "$m" = "$1" ] && return 0; done; return 1; }
wants_workload() { local w; for w in "${workloads[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }

# --- the workloads' sizes and variants -------------------------------------

# Workload options: the benchmark's sizes (squares and range-sum 10x the seeds', so
# that a run is long enough to time well), or small ones for --quick.
workload_args() {
  case "$1:$quick" in
    squares:false) echo "--start 50000000 --count 20" ;;
    squares:true) echo "--start 300000 --count 20" ;;
    range-sum:false) echo "--end 1000000000 --parts 2" ;;
    range-sum:true) echo "--end 10000000 --parts 2" ;;
    download:false) echo "--preset realpython --repeat 80" ;;
    download:true) echo "--preset realpython --repeat 5" ;;
    convert:false) echo "--requests 20000 --distinct 1000 --cost-us 1000 --cost-kind sleep" ;;
    convert:true) echo "--requests 2000 --distinct 100 --cost-us 200 --cost-kind sleep" ;;
  esac
}

# One line per variant: "NAME|MODEL|MODEL OPTIONS". NAME is what hyperfine and
# the tables call it.
variants() {
  case "$1" in
    squares|range-sum)
      cat <<'EOF'
seq|seq|
threads scoped|threads|--engine scoped
threads rayon|threads|--engine rayon
threads scoped --gil|threads|--engine scoped --gil
async current-thread|async|--runtime current-thread
async multi-thread|async|--runtime multi-thread
procs|procs|
EOF
      ;;
    download)
      cat <<'EOF'
seq|seq|
threads --workers 5|threads|--workers 5
async current-thread|async|--runtime current-thread
async multi-thread|async|--runtime multi-thread
async --max-in-flight 5|async|--max-in-flight 5
async --http-client bare|async|--runtime multi-thread --http-client bare
procs|procs|
procs --workers 5|procs|--workers 5
EOF
      ;;
    convert)
      cat <<'EOF'
seq|seq|--cache locked
threads racy|threads|--workers 8 --cache racy
threads locked|threads|--workers 8 --cache locked
threads single-flight|threads|--workers 8 --cache single-flight
threads moka|threads|--workers 8 --cache moka
async current-thread racy|async|--runtime current-thread --workers 8 --cache racy
async locked|async|--workers 8 --cache locked
async single-flight|async|--workers 8 --cache single-flight
async moka|async|--workers 8 --cache moka
procs round-robin|procs|--workers 8 --cache single-flight --route round-robin
procs by-key|procs|--workers 8 --cache single-flight --route by-key
EOF
      ;;
  esac
}

# Where cargo puts the release build: $CARGO_TARGET_DIR if set, as cargo does.
bin_dir=${CONCUR_BIN_DIR:-${CARGO_TARGET_DIR:-target}/release}

# --- cleanup ----------------------------------------------------------------

tmp='' server_pid='' child_pid='' created_out=false
cleanup() {
  local status=$?
  if [ -n "$child_pid" ]; then
    # The running step and everything it started (hyperfine and the command it
    # is timing share a process group of their own).
    kill -TERM -- "-$child_pid" 2>/dev/null || kill -TERM "$child_pid" 2>/dev/null || true
    wait "$child_pid" 2>/dev/null || true
  fi
  idle_poll_release
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ -n "$tmp" ] && rm -rf "$tmp"
  # A directory this run created and never wrote to does not stay behind.
  if $created_out; then rmdir "$out" 2>/dev/null || true; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a step in its own process group, in the background, and waits for it,
# so that a signal to the script interrupts the wait and cleanup can stop the
# whole group. Returns the step's exit status.
run_child() {
  setsid -w "$@" &
  child_pid=$!
  local status=0
  wait "$child_pid" || status=$?
  child_pid=''
  return "$status"
}

# What compare.sh writes at the top of OUT; anything else there is not its own.
is_generated() {
  case "$1" in
    rounds|params.json|machine.json|records.jsonl|summary.csv|README.md|*.json|*.csv|*.md|*.svg|compare.log) return 0 ;;
    *) return 1 ;;
  esac
}
if [ -d "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null | grep -v '^\.compare\.' || true)" ] && [ ! -f "$out/params.json" ]; then
  die "$out holds files that are not an earlier output of compare.sh (no params.json): choose a new or empty --out"
fi
[ -d "$out" ] || created_out=true
mkdir -p "$out" || die "cannot create the output directory $out"
tmp=$(mktemp -d "$out/.compare.XXXXXX") || die "cannot create a temporary directory in $out"

# --- build ------------------------------------------------------------------

if $build; then
  say "building the workspace (release)"
  run_child cargo build --release --workspace --bins --quiet || die "the release build failed"
fi
for model in "${models[@]}"; do
  [ -x "$bin_dir/concur-$model" ] || die "$bin_dir/concur-$model is missing: build first (cargo build --release) or drop --no-build"
done

# --- site server --------------------------------------------------------------

base=''
if wants_workload download; then
  sites=$bin_dir/concur-sites
  [ -x "$sites" ] || die "$sites is missing: build first (cargo build --release)"
  say "starting the site server (latency ${latency_ms} ms)"
  "$sites" --addr 127.0.0.1:0 --latency-ms "$latency_ms" >"$tmp/sites.out" 2>"$tmp/sites.err" &
  server_pid=$!
  # Its first stdout line is "listening on http://ADDR"; wait for it, bounded.
  for _ in $(seq 1 100); do
    read -r first <"$tmp/sites.out" 2>/dev/null && [ -n "${first:-}" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  first=$(head -n 1 "$tmp/sites.out" 2>/dev/null || true)
  case "$first" in
    "listening on http://"*) base=${first#listening on } ;;
    *)
      detail=$(head -c 400 "$tmp/sites.err" 2>/dev/null || true)
      die "the site server did not start (no 'listening on' line within 5 s)${detail:+: $detail}"
      ;;
  esac
  # It is listening; check that it answers before relying on it.
  "$bin_dir/concur-seq" download --url "$base/page?latency_ms=0&size=10" --repeat 1 >/dev/null 2>"$tmp/probe.err" \
    || die "the site server at $base does not answer: $(head -c 400 "$tmp/probe.err")"
  say "site server at $base"
fi

# Full argument list of one variant run.
command_of() {
  local workload=$1 model=$2 options=$3 extra=''
  [ "$workload" = download ] && extra="--base $base"
  # Word splitting is intended: options are plain words, as hyperfine -N does.
  echo "$bin_dir/concur-$model $workload $(workload_args "$workload") $extra $options" | tr -s ' ' | sed 's/ $//'
}

# --- correctness gate -----------------------------------------------------------

say "correctness gate: every variant once, answers must agree"
: >"$tmp/records.jsonl"
gate_failed=false
for workload in "${workloads[@]}"; do
  reference=''
  table=''
  while IFS='|' read -r name model options; do
    wants_model "$model" || continue
    cmd=$(command_of "$workload" "$model" "$options")
    # shellcheck disable=SC2086 # the command is a list of plain words
    if run_child $cmd >"$tmp/gate.out" 2>"$tmp/gate.err"; then status=0; else status=$?; fi
    line=$(tail -n 1 "$tmp/gate.out")
    checksum=$(printf '%s' "$line" | grep -o '"checksum":"[0-9]*"' | cut -d'"' -f4 || true)
    verdict=ok
    if [ "$status" -ne 0 ] || [ -z "$checksum" ]; then
      verdict="failed (exit $status): $(head -n 1 "$tmp/gate.err")"
    elif [ -z "$reference" ]; then
      reference=$checksum
    elif [ "$checksum" != "$reference" ]; then
      verdict="disagrees with ${reference}"
    fi
    table+=$(printf '  %-26s %-24s %s' "$name" "${checksum:--}" "$verdict")$'\n'
    if [ "$verdict" = ok ]; then
      printf '{"workload":"%s","variant":"%s","command":%s,"record":%s}\n' \
        "$workload" "$name" "$(json_string "$cmd")" "$line" >>"$tmp/records.jsonl"
    else
      gate_failed=true
    fi
  done < <(variants "$workload")
  printf '%s:\n%s' "$workload" "$table" >&2
done
$gate_failed && die "correctness gate failed: the variants above do not agree; nothing was timed"

# --- hyperfine ------------------------------------------------------------------

hyperfine_version() { hyperfine --version 2>/dev/null | awk '{print $2}'; }
if ! command -v hyperfine >/dev/null; then
  say "hyperfine is missing: installing 1.20.0 with cargo (about 90 s)"
  run_child cargo install hyperfine --version 1.20.0 --locked --quiet || die "cannot install hyperfine"
fi
hf_version=$(hyperfine_version)
case "$hf_version" in
  1.*) ;;
  *) die "hyperfine $hf_version found, but 1.x is needed (2.x changed the CSV/JSON layouts); install 1.20.0: cargo install hyperfine --version 1.20.0 --locked" ;;
esac

mkdir -p "$tmp/rounds"
say "idle CPUs: $idle_poll_state"
for round in $(seq 1 "$rounds"); do
  # The runs split as evenly as they go; the first rounds take the remainder.
  round_runs=$((runs / rounds + (round <= runs % rounds ? 1 : 0)))
  round_warmup=0
  [ "$round" -eq 1 ] && round_warmup=$warmup
  for workload in "${workloads[@]}"; do
    say "timing $workload, round $round of $rounds ($round_runs run$([ "$round_runs" -eq 1 ] || echo s), $round_warmup warmup)"
    args=()
    while IFS='|' read -r name model options; do
      wants_model "$model" || continue
      args+=(-n "$name" "$(command_of "$workload" "$model" "$options")")
    done < <(variants "$workload")
    case "$workload" in download|convert) idle_poll_hold ;; esac
    run_child hyperfine -N --style basic --warmup "$round_warmup" --runs "$round_runs" \
      --export-json "$tmp/rounds/$workload.$round.json" "${args[@]}" >&2 \
      || die "hyperfine failed on $workload (round $round)"
    idle_poll_release
  done
done

# --- parameters, machine, report ---------------------------------------------

{
  printf '{"latency_ms":%s,"quick":%s,"runs":%s,"rounds":%s,"warmup":%s,"idle":%s,"workloads":{' \
    "$latency_ms" "$quick" "$runs" "$rounds" "$warmup" "$(json_string "$idle_poll_state")"
  sep=''
  for workload in "${workloads[@]}"; do
    printf '%s"%s":%s' "$sep" "$workload" "$(json_string "$(workload_args "$workload")")"
    sep=','
  done
  printf '}}\n'
} >"$tmp/params.json"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain 2>/dev/null)" ] && commit="$commit (with uncommitted changes)"
{
  printf '{'
  printf '"cpu":%s,' "$(json_string "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')")"
  printf '"cores":%s,' "$(nproc)"
  printf '"memory_gib":%s,' "$(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
  printf '"kernel":%s,' "$(json_string "$(uname -r)")"
  printf '"os":%s,' "$(json_string "$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")")"
  printf '"rustc":%s,' "$(json_string "$(rustc --version)")"
  printf '"hyperfine":%s,' "$(json_string "$hf_version")"
  printf '"date":%s,' "$(json_string "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
  printf '"commit":%s' "$(json_string "$commit")"
  printf '}\n'
} >"$tmp/machine.json"

say "writing the report"
"$bin_dir/concur-report" --dir "$tmp" >&2 || die "concur-report failed"

# Everything exists: replace what an earlier run generated, then move the new
# files into place, one rename per file.
rm -f "$tmp/sites.out" "$tmp/sites.err" "$tmp/gate.out" "$tmp/gate.err" "$tmp/probe.err"
for file in "$out"/*; do
  [ -e "$file" ] || continue
  name=${file##*/}
  if is_generated "$name"; then rm -rf "$file"; fi
done
for file in "$tmp"/*; do
  mv -f "$file" "$out/"
done
say "results in $out/ (README.md, summary.csv, charts)"
