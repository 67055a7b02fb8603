#!/usr/bin/env bash
# compare.sh: runs every concurrency model of concur on every workload and
# writes the reviewed results tables.
#
# What is measured: the wall time of whole model processes (concur-seq,
# concur-threads, concur-async, concur-procs, concur-cluster), started by hyperfine without a
# shell (-N), per workload and per interesting variant of each model. I/O
# workloads talk to the local site server (concur-sites) on 127.0.0.1 with a
# fixed simulated latency, never to the internet.
#
# Order of work: build (release) -> start the site server -> correctness gate
# (each variant once; every answer must be right and all checksums must agree,
# else stop before timing anything) -> hyperfine, one command at a time, in
# rounds -> concur-report.
# Rounds: hyperfine runs one command's runs back to back, so a noisy minute on a
# shared machine would land on whichever variant was running. Every workload is
# timed once per round instead, each round a share of the runs, and the report
# joins the rounds (report/src/rounds.rs). While the workloads that
# wait (download, convert) are timed, idle CPUs are kept polling when the
# script may (scripts/lib/idle_poll.sh says why). Everything is
# written into a temporary directory first and replaces the output directory's
# generated files at the end, by renames (swap_out in lib/common.sh), so an
# error or Ctrl-C leaves the earlier output or the complete new one, never a
# mix or a half-written file, and a reused directory never keeps a stale one. Every
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
                      release build exists. Writes to target/compare-quick unless
                      --out is given.
  --workloads LIST    Comma-separated subset of:
                      squares,range-sum,download,convert,blocking,seeds
                      (default: all). blocking is download with one task that
                      computes for 500 ms without yielding (--blocking-ms), in
                      every model, with tokio's two fixes and in CPython's
                      asyncio and threads, beside the same runs without it:
                      per-request latency shows who waited.
                      seeds runs every experiment of the two
                      blog posts in CPython (scripts/python/) and in the
                      matching concur variant, at the seeds' own sizes, each
                      CPython checksum checked against concur's
  --models LIST       Comma-separated subset of: seq,threads,async,procs,cluster
                      (default: all; seq is always kept as the baseline)
  --runs N            Timed runs per variant (default 10, quick 3; blocking and
                      seeds take at most 3, their variants run for seconds)
  --rounds N          Split the runs into N rounds, every workload timed once
                      per round, so that a noisy spell on the machine is shared
                      by all variants instead of landing on one (default 5,
                      quick 3; at most --runs)
  --warmup N          Untimed warmup runs per variant, in the first round
                      (default 1, quick 0)
  --out DIR           Where results go (default target/compare, quick
                      target/compare-quick: inside the build directory, which git
                      ignores, so a run leaves the checkout as it was)
  --publish           Regenerate the committed results instead: OUT is results/,
                      and the findings blocks of README.md and docs/choosing.md
                      are rewritten from it (the same as --out results)
  --latency-ms N      Simulated page latency of the site server (default 50, quick 10)
  --sites URL         Time download against a concur-sites already running at URL
                      (e.g. on another machine: concur-sites --addr 0.0.0.0:8080
                      --latency-ms 50 there, --sites http://HOST:8080 here)
                      instead of starting one on loopback. The ideal bounds use
                      the latency the server says it answers with (GET /stats);
                      a server that cannot say gets no ideal bound
  --baseline DIR      Compare with an earlier results directory: every table
                      gains a "vs baseline" column, the median ratio and whether
                      the difference stands out of the runs' noise (Mann-Whitney U
                      test on the runs), for the workloads it ran at the same
                      sizes. Default, for a full run that does not publish: the
                      committed results/ ("your machine against the published
                      run"); --baseline none turns it off
  --no-python         Skip the CPython variants of seeds and blocking (they are
                      also skipped, with one line saying why, when no python3
                      >= 3.9 is found or its packages cannot be installed)
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
<workload>.{json,csv,md} (the rounds joined, in hyperfine's layouts; hyperfine's
own plotting scripts read the .json), records.jsonl (each variant's result
record from the correctness gate), params.json, machine.json, compare.log
(hyperfine's own output), and, from concur-report: summary.csv, README.md and
<workload>.svg charts. When OUT is the repository's results/ (--publish), the
findings table of README.md and docs/choosing.md is regenerated from it too.

Prints one progress line per timed command (on a terminal, each replaces the
last; otherwise a line as each workload's turn in a round begins, and at least
every 30 s) and, at the end, each
workload's table: median, speedup against seq, ratio to the ideal bound and the
workload's key figure.

hyperfine 1.x is taken from PATH, or installed (1.20.0) under target/tools.
A RUSTFLAGS in the environment gets a warning: it replaces the build settings
that keep the CPU loop at the same speed in every binary.

Environment (for tests): CONCUR_BIN_DIR replaces target/release (or
$CARGO_TARGET_DIR/release) as the place the binaries are taken from;
CONCUR_PROGRESS_EVERY_S replaces the 30 s between progress lines off a terminal.
Exit status: 0 done, 1 a step failed (message says which), 2 bad usage.
EOF
}

script_name=compare.sh
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/idle_poll.sh
. scripts/lib/idle_poll.sh
# shellcheck source=lib/python.sh
. scripts/lib/python.sh

all_workloads=(squares range-sum download convert blocking seeds)
all_models=(seq threads async procs cluster)
quick=false runs='' rounds='' warmup='' out='' latency_ms='' build=true
workloads_arg='' models_arg='' baseline='' sites_url='' workloads_given=false models_given=false
latency_given=false publish=false server_stats=false

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true ;;
    --workloads) need_value "$@"; workloads_arg=$2; workloads_given=true; shift ;;
    --models) need_value "$@"; models_arg=$2; models_given=true; shift ;;
    --runs) need_value "$@"; runs=$2; shift ;;
    --rounds) need_value "$@"; rounds=$2; shift ;;
    --warmup) need_value "$@"; warmup=$2; shift ;;
    --out) need_value "$@"; out=$2; shift ;;
    --publish) publish=true ;;
    --latency-ms) need_value "$@"; latency_ms=$2; latency_given=true; shift ;;
    --baseline) need_value "$@"; baseline=$2; shift ;;
    --sites) need_value "$@"; sites_url=$2; shift ;;
    --no-build) build=false ;;
    --no-idle-poll) idle_poll_wanted=false ;;
    --no-python) python_wanted=false ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
  shift
done

is_count() { [[ "$1" =~ ^[0-9]+$ ]] && [ "${#1}" -le 6 ]; }
published=$(realpath -m "$root/results")
if $publish; then
  [ -z "$out" ] || [ "$(realpath -m "$out")" = "$published" ] \
    || usage_error "--publish writes to results/; drop --out $out"
  out=results
fi
if $quick; then
  : "${runs:=3}" "${warmup:=0}" "${out:=target/compare-quick}" "${latency_ms:=10}"
else
  : "${runs:=10}" "${warmup:=1}" "${out:=target/compare}" "${latency_ms:=50}"
fi
publishing=false
[ "$(realpath -m "$out")" = "$published" ] && publishing=true
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
# A full run that does not publish is compared with the published one.
if [ -z "$baseline" ] && ! $quick && ! $publishing && [ -f results/params.json ]; then
  baseline=results
  say "comparing with the published results in results/ (--baseline none to skip)"
fi
[ "$baseline" = none ] && baseline=
if [ -n "$baseline" ]; then
  [ -d "$baseline" ] || usage_error "--baseline $baseline is not a directory"
  ls "$baseline"/*.json >/dev/null 2>&1 || usage_error "--baseline $baseline holds no <workload>.json: not a results directory"
  baseline=$(cd "$baseline" && pwd)
fi
if [ -n "$sites_url" ]; then
  [[ "$sites_url" =~ ^http://[^/]+/?$ ]] || usage_error "--sites must be a base URL like http://HOST:PORT, got '$sites_url'"
fi

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
if $workloads_given; then pick --workloads "$workloads_arg" "${all_workloads[@]}"; workloads=("${picked[@]}"); else workloads=("${all_workloads[@]}"); fi
if $models_given; then pick --models "$models_arg" "${all_models[@]}"; models=(seq "${picked[@]}"); else models=("${all_models[@]}"); fi

idle_poll_check

wants_model() { [ "$1" = command ] && return 0; local m; for m in "${models[@]}"; do [ "$m" = "$1" ] && return 0; done; return 1; }
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
    blocking:false) echo "--preset realpython --repeat 80" ;;
    blocking:true) echo "--preset realpython --repeat 5" ;;
    convert:false) echo "--requests 20000 --distinct 1000 --cost-us 1000 --cost-kind sleep" ;;
    convert:true) echo "--requests 2000 --distinct 100 --cost-us 200 --cost-kind sleep" ;;
    seeds:false) echo "the seeds' own sizes (scripts/python/experiments.tsv)" ;;
    seeds:true) echo "the seeds' experiments at small sizes" ;;
  esac
}

# One line per variant: "NAME|MODEL|MODEL OPTIONS". NAME is what hyperfine and
# the tables call it. The seeds' variants are whole commands (MODEL is
# "command"), two per experiment of scripts/python/experiments.tsv: the
# CPython program and the concur variant it is paired with.
variants() {
  case "$1" in
    seeds)
      local id model group py concur
      while IFS=$'\t' read -r id _ _ model _ _ _ _ group py concur; do
        [ "$id" = id ] && continue
        if [ -n "$python_bin" ]; then
          printf '%s %s|command|%s\n' "$id" "$model" "$(seed_command "$py")"
        fi
        printf '%s concur|command|%s\n' "$id" "$(seed_command "$concur")"
      done <scripts/python/experiments.tsv
      ;;
    squares|range-sum)
      cat <<'EOF'
seq|seq|
threads scoped|threads|--engine scoped
threads rayon|threads|--engine rayon
threads scoped --gil|threads|--engine scoped --gil
async current-thread|async|--runtime current-thread
async multi-thread|async|--runtime multi-thread
procs|procs|
cluster 2 processes|cluster|--processes 2 --threads 1
EOF
      ;;
    blocking)
      local ms=500
      $quick && ms=100
      cat <<EOF
async current-thread|async|--runtime current-thread --blocking-ms $ms
async current-thread spawn-blocking|async|--runtime current-thread --blocking-ms $ms --offload spawn-blocking
async multi-thread|async|--runtime multi-thread --blocking-ms $ms
async multi-thread spawn-blocking|async|--runtime multi-thread --blocking-ms $ms --offload spawn-blocking
async multi-thread block-in-place|async|--runtime multi-thread --blocking-ms $ms --offload block-in-place
threads --workers 5|threads|--workers 5 --blocking-ms $ms
procs|procs|--blocking-ms $ms
seq|seq|--blocking-ms $ms
async current-thread no blocking|async|--runtime current-thread
async multi-thread no blocking|async|--runtime multi-thread
threads --workers 5 no blocking|threads|--workers 5
procs no blocking|procs|
seq no blocking|seq|
EOF
      # The same mistake in CPython: a coroutine that spins on the event loop,
      # a thread that spins under the GIL (scripts/python/blocking.tsv).
      if [ -n "$python_bin" ]; then
        local repeat=80 py
        $quick && repeat=5
        for py in asyncio threads; do
          printf 'python-%s|command|%s scripts/python/seed000_download_%s.py --preset realpython --base %s --repeat %s --blocking-ms %s\n' \
            "$py" "$python_bin" "$py" "$base" "$repeat" "$ms"
          printf 'python-%s no blocking|command|%s scripts/python/seed000_download_%s.py --preset realpython --base %s --repeat %s\n' \
            "$py" "$python_bin" "$py" "$base" "$repeat"
        done
      fi
      ;;
    download)
      cat <<'EOF'
seq|seq|
threads --workers 5|threads|--workers 5
async current-thread|async|--runtime current-thread
async multi-thread|async|--runtime multi-thread
async --max-in-flight 5|async|--max-in-flight 5
async --http-client bare|async|--runtime multi-thread --http-client bare
async --http-version 2|async|--runtime multi-thread --http-version 2
procs|procs|
procs --workers 5|procs|--workers 5
cluster 2 processes x 3|cluster|--processes 2 --threads 3
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
cluster by-key|cluster|--processes 2 --threads 4 --cache single-flight
EOF
      ;;
  esac
}

# Where cargo puts the release build: $CARGO_TARGET_DIR if set, as cargo does.
bin_dir=${CONCUR_BIN_DIR:-${CARGO_TARGET_DIR:-target}/release}

# --- output directory ---------------------------------------------------------

# What compare.sh writes at the top of OUT; anything else there is not its own.
is_generated() {
  case "$1" in
    rounds|compare.log|*.json|*.jsonl|*.csv|*.md|*.svg|*.tsv) return 0 ;;
    *) return 1 ;;
  esac
}
open_out compare

# --- build, site server ---------------------------------------------------------

if $build; then build_release; else warn_rustflags; fi
for model in "${models[@]}"; do
  [ -x "$bin_dir/concur-$model" ] || die "$bin_dir/concur-$model is missing: build first (cargo build --release) or drop --no-build"
done

if wants_workload seeds || wants_workload blocking; then
  python_setup
  if [ -n "$python_bin" ]; then say "CPython: $python_state"; else say "CPython $python_skip_reason"; fi
fi
if wants_workload download || wants_workload blocking || wants_workload seeds; then
  if [ -n "$sites_url" ]; then
    use_sites "$sites_url" "$tmp"
    # The ideal bounds need the latency the server answers with, not ours.
    if [ -z "$sites_latency_ms" ]; then
      say "the server at $base does not say its latency (GET /stats): download gets no ideal bound"
    elif $latency_given && [ "$latency_ms" != "$sites_latency_ms" ]; then
      say "warning: --latency-ms $latency_ms ignored: the server at $base answers with $sites_latency_ms ms"
    fi
    latency_ms=$sites_latency_ms
    if [ -n "$sites_latency_ms" ]; then server_stats=true; fi
  else
    start_sites "$latency_ms" "$tmp"
    server_stats=true
  fi
  say "site server at $base${latency_ms:+, latency $latency_ms ms}"
fi

# A command of experiments.tsv, filled in; with --quick at small sizes, the
# same on both sides of a pair so that their checksums still agree.
seed_command() {
  local cmd=${1//\{py\}/$python_bin}
  cmd=${cmd//\{bin\}/$bin_dir}
  cmd=${cmd//\{base\}/$base}
  if $quick; then
    cmd=$(printf '%s' "$cmd" | sed -e 's/--repeat 80/--repeat 5/; s/--repeat 10/--repeat 2/' \
      -e 's/--start 5000000/--start 300000/; s/--end 100000000/--end 10000000/')
    case "$cmd" in *convert*) cmd="$cmd --requests 2000 --distinct 100 --cost-us 200" ;; esac
  fi
  printf '%s' "$cmd"
}

# Full argument list of one variant run.
command_of() {
  local workload=$1 model=$2 options=$3 extra=''
  if [ "$model" = command ]; then printf '%s' "$options"; return; fi
  # `blocking` is the download workload with a blocking task in some variants.
  local run_as=$workload
  [ "$workload" = blocking ] && run_as=download
  [ "$run_as" = download ] && extra="--base $base"
  # Word splitting is intended: options are plain words, as hyperfine -N does.
  echo "$bin_dir/concur-$model $run_as $(workload_args "$workload") $extra $options" | tr -s ' ' | sed 's/ $//'
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- correctness gate -----------------------------------------------------------

say "correctness gate: every variant once, answers must agree"
declare -A gate_ms=()
: >"$tmp/gate.tsv"
gate_failed=false
# The checksum group of every seeds experiment, by id (experiments.tsv read once).
declare -A seed_groups=()
while IFS=$'\t' read -r id _ _ _ _ _ _ _ group _; do
  seed_groups[$id]=$group
done <scripts/python/experiments.tsv
for workload in "${workloads[@]}"; do
  declare -A references=()
  table=''
  count=0
  while IFS='|' read -r name model options; do
    wants_model "$model" || continue
    cmd=$(command_of "$workload" "$model" "$options")
    # The checked run of a concur download also reads the server's CPU over
    # it (--server-stats: two requests outside its timed work); the timed runs
    # make none.
    gate_cmd=$cmd
    if $server_stats && [ "$model" != command ]; then
      case "$workload" in download|blocking) gate_cmd="$cmd --server-stats" ;; esac
    fi
    started=$(now_ms)
    # shellcheck disable=SC2086 # the command is a list of plain words
    if run_child $gate_cmd >"$tmp/gate.out" 2>"$tmp/gate.err"; then status=0; else status=$?; fi
    gate_ms["$workload|$name"]=$(($(now_ms) - started))
    line=$(tail -n 1 "$tmp/gate.out")
    checksum=$(printf '%s' "$line" | grep -o '"checksum":"[0-9]*"' | cut -d'"' -f4 || true)
    verdict=ok
    # The seeds' experiments agree within a group (the same job in CPython
    # and in concur), the other workloads across all their variants.
    group=all
    [ "$workload" = seeds ] && group=${seed_groups[${name%% *}]}
    if [ "$status" -ne 0 ] || [ -z "$checksum" ]; then
      verdict="failed (exit $status): $(head -n 1 "$tmp/gate.err")"
    elif [ -z "${references[$group]:-}" ]; then
      references[$group]=$checksum
    elif [ "$checksum" != "${references[$group]}" ]; then
      verdict="disagrees with ${references[$group]}"
    fi
    table+=$(printf '  %-26s %-24s %s' "$name" "${checksum:--}" "$verdict")$'\n'
    count=$((count + 1))
    if [ "$verdict" = ok ]; then
      printf '%s\t%s\t%s\t%s\n' "$workload" "$name" "$cmd" "$line" >>"$tmp/gate.tsv"
    else
      gate_failed=true
    fi
  done < <(variants "$workload")
  if $gate_failed; then
    printf '%s:\n%s' "$workload" "$table" >&2
  else
    if [ "$workload" = seeds ]; then
      say "gate seeds: $count variants agree within their ${#references[@]} experiment groups"
    else
      say "gate $workload: $count variants agree (checksum ${references[all]})"
    fi
  fi
done
$gate_failed && die "correctness gate failed: the variants above do not agree; nothing was timed"
[ -x "$bin_dir/concur-report" ] || die "$bin_dir/concur-report is missing: build first (cargo build --release) or drop --no-build"
: >"$tmp/records.jsonl"
while IFS=$'\t' read -r workload name cmd line; do
  "$bin_dir/concur-report" record --workload "$workload" --variant "$name" --command "$cmd" --line "$line" \
    >>"$tmp/records.jsonl" || die "cannot record the result of $workload $name"
done <"$tmp/gate.tsv"

# --- hyperfine ------------------------------------------------------------------

ensure_hyperfine
mkdir -p "$tmp/rounds" "$tmp/parts"
say "idle CPUs: $idle_poll_state"

# The plan: every (round, workload, variant) in the order it is timed, with
# the time the gate run took, to estimate what is left.
plan=()
estimate_total=0
for round in $(seq 1 "$rounds"); do
  round_runs=$((runs / rounds + (round <= runs % rounds ? 1 : 0)))
  round_warmup=0
  [ "$round" -eq 1 ] && round_warmup=$warmup
  for workload in "${workloads[@]}"; do
    workload_runs=$round_runs workload_warmup=$round_warmup
    if [ "$workload" = seeds ] || [ "$workload" = blocking ]; then
      # Their variants take seconds each (CPython; the sequential and process
      # downloads twice over): at most 3 runs, spread over the first rounds,
      # no warmup. What they show is far above the noise.
      few_runs=$((runs < 3 ? runs : 3))
      workload_runs=$((round <= few_runs ? 1 : 0)) workload_warmup=0
      [ "$rounds" -lt "$few_runs" ] && workload_runs=$((few_runs / rounds + (round <= few_runs % rounds ? 1 : 0)))
      [ "$workload_runs" -gt 0 ] || continue
    fi
    while IFS='|' read -r name model options; do
      wants_model "$model" || continue
      cost=$(( (workload_runs + workload_warmup) * ${gate_ms["$workload|$name"]:-1} ))
      estimate_total=$((estimate_total + cost))
      plan+=("$round|$workload_runs|$workload_warmup|$workload|$name|$model|$options|$cost")
    done < <(variants "$workload")
  done
done

# One progress line per timed command: on a terminal it replaces the last one;
# in a log, a line when a workload's turn in a round begins, and one for any
# command begun 30 s (CONCUR_PROGRESS_EVERY_S) or more after the last line.
progress_every_ms=$(( ${CONCUR_PROGRESS_EVERY_S:-30} * 1000 ))
progress() {
  local k=$1 total=$2 text=$3 first=$4 elapsed_s=$5 left_s=$6
  local line
  line=$(printf '[%d/%d] %s, elapsed %s, about %s left' "$k" "$total" "$text" \
    "$(human_seconds "$elapsed_s")" "$(human_seconds "$left_s")")
  if [ -t 2 ]; then
    printf '\r\033[K%s' "$line" >&2
  elif $first; then
    printf '%s\n' "$line" >&2
  fi
}

timing_started=$(now_ms)
estimate_done=0
k=0
previous='' last_line=0
for entry in "${plan[@]}"; do
  IFS='|' read -r round round_runs round_warmup workload name model options cost <<<"$entry"
  k=$((k + 1))
  elapsed=$(( $(now_ms) - timing_started ))
  # What is left, scaled by how the gate's estimate compared with reality so far.
  left=$((estimate_total - estimate_done))
  [ "$estimate_done" -gt 0 ] && left=$((left * elapsed / estimate_done))
  first=false
  if [ "$previous" != "$round|$workload" ] || [ $(( $(now_ms) - last_line )) -ge "$progress_every_ms" ]; then
    first=true last_line=$(now_ms)
  fi
  previous="$round|$workload"
  progress "$k" "${#plan[@]}" "$workload $name, round $round/$rounds" "$first" $((elapsed / 1000)) $((left / 1000))
  # Idle CPUs poll while what waits is timed: the waiting workloads, and the
  # seeds' experiments that wait (named "-download-", "-io-", "-convert-").
  case "$workload:$name" in
    download:*|convert:*|blocking:*|seeds:*-download-*|seeds:*-io-*|seeds:*-convert-*) idle_poll_hold ;;
    *) idle_poll_release ;;
  esac
  part="$tmp/parts/$workload.$round.$(printf '%03d' "$k").json"
  printf '\n## %s %s, round %s\n' "$workload" "$name" "$round" >>"$tmp/compare.log"
  run_child "$hyperfine" -N --style basic --warmup "$round_warmup" --runs "$round_runs" \
    --export-json "$part" -n "$name" "$(command_of "$workload" "$model" "$options")" >>"$tmp/compare.log" 2>&1 \
    || { [ -t 2 ] && echo >&2; die "hyperfine failed on $workload $name (round $round): see the end of $out/compare.log"; }
  estimate_done=$((estimate_done + cost))
done
idle_poll_release
[ -t 2 ] && echo >&2
for round in $(seq 1 "$rounds"); do
  for workload in "${workloads[@]}"; do
    ls "$tmp/parts/$workload.$round".*.json >/dev/null 2>&1 || continue
    "$bin_dir/concur-report" join-exports --out "$tmp/rounds/$workload.$round.json" "$tmp/parts/$workload.$round".*.json \
      || die "cannot join the hyperfine exports of $workload, round $round"
  done
done
rm -rf "$tmp/parts"
say "timed ${#plan[@]} commands in $(human_seconds $(( ($(now_ms) - timing_started) / 1000 )))"

# --- parameters, machine, report ---------------------------------------------

workload_params=()
for workload in "${workloads[@]}"; do workload_params+=(--workload "$workload=$(workload_args "$workload")"); done
python_params=()
python_machine=()
if wants_workload seeds || wants_workload blocking; then
  if [ -n "$python_bin" ]; then
    python_params=(--python "$python_state")
    python_machine=(--python "$python_version")
  else
    python_params=(--python-skipped "CPython variants $python_skip_reason")
  fi
  if wants_workload seeds; then cp scripts/python/experiments.tsv "$tmp/seeds.tsv"; fi
fi
latency_params=()
[ -n "$latency_ms" ] && latency_params=(--latency-ms "$latency_ms")
"$bin_dir/concur-report" params --out "$tmp/params.json" "${latency_params[@]}" --quick "$quick" \
  --runs "$runs" --rounds "$rounds" --warmup "$warmup" --idle "$idle_poll_state" "${workload_params[@]}" \
  "${python_params[@]}" || die "cannot write params.json"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain 2>/dev/null)" ] && commit="$commit (with uncommitted changes)"
"$bin_dir/concur-report" machine --out "$tmp/machine.json" --hyperfine "$hf_version" --idle "$idle_poll_state" \
  --rustc "$(rustc --version 2>/dev/null || echo unknown)" --date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --commit "$commit" \
  "${python_machine[@]}" || die "cannot write machine.json"

say "writing the report"
report_args=(--dir "$tmp")
[ -n "$baseline" ] && report_args+=(--baseline "$baseline")
"$bin_dir/concur-report" "${report_args[@]}" >"$tmp/tables.txt" || die "concur-report failed"

# Everything exists: the earlier output is replaced by the new one as a whole.
rm -f "$tmp/sites.out" "$tmp/sites.err" "$tmp/gate.out" "$tmp/gate.err" "$tmp/gate.tsv"
tables=$(cat "$tmp/tables.txt") && rm -f "$tmp/tables.txt"
swap_out
written=$swapped
printf '%s\n' "$tables"
out_path=$(cd "$out" && pwd)
if $publishing; then
  for page in README.md docs/choosing.md; do
    "$bin_dir/concur-report" --dir "$out" --readme "$root/$page" >/dev/null \
      || die "cannot regenerate the findings table of $page"
  done
  say "README.md, docs/choosing.md: findings table regenerated from $out_path"
fi
say "wrote $written files to $out_path"
