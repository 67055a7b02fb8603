#!/usr/bin/env bash
# Measures the `convert` numbers quoted in docs/convert.md: every model and
# cache strategy on the default job (20 000 requests over 1 000 amounts, 1 ms
# lookups) with 8 callers, whole-process wall time by hyperfine, release build.
# Also measures the machine's timer: what a "1 ms" lookup really costs here,
# which every ratio to an ideal bound includes.
#
# Writes hyperfine's CSV/JSON/Markdown and machine-*.txt next to this script.
# The project's official tables come from scripts/compare.sh; this script only
# records how the documented numbers were taken.
#
# Usage: docs/convert-bench/bench.sh [GROUP...]   (default: every group but
# `targets`). Groups: threads-async async-current-thread seq procs spin
# capacity records, and targets (the issue's targets, threads and async x
# locked, single-flight, moka, plus the timer baseline, 15 runs each).
# TAG=x appends -x to the names of the files written (targets-1, ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f Cargo.toml ] && [ -d shared ] || { echo "run from a concur checkout" >&2; exit 2; }

out="docs/convert-bench"
runs="${RUNS:-10}"
bin="target/release"
groups=("$@")
tag="$(IFS=-; echo "${groups[*]}")"
if [ "${#groups[@]}" -eq 0 ]; then
  groups=(threads-async async-current-thread seq procs spin capacity records)
  tag=all
fi
for group in "${groups[@]}"; do
  case "$group" in
    targets|threads-async|async-current-thread|seq|procs|spin|capacity|records) ;;
    *) echo "unknown group: $group" >&2; exit 2 ;;
  esac
done

cargo build --release --workspace --quiet

{
  echo "date:      $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine:   $(nproc) vCPU VM, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "kernel:    $(uname -r)"
  echo "rustc:     $(rustc --version)"
  echo "hyperfine: $(hyperfine --version)"
  echo "load:      $(cat /proc/loadavg)"
  echo "cpu psi:   $(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
  # The timer baseline: 1 000 lookups of 1 ms one after another; elapsed/ideal
  # is what one "1 ms" lookup costs on this machine right now.
  for i in 1 2 3; do
    "$bin/concur-seq" convert --cache none --requests 1000 | tail -1 |
      python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); print("timer:     1 ms lookup takes %.3f ms (seq, 1000 in a row)" % (r["elapsed_ms"] / r["ideal_ms"]))'
  done
} | tee "$out/machine-$tag${TAG:+-$TAG}.txt"

# bench NAME COMMAND...: one hyperfine run over the commands, each named
# "MODEL OPTIONS" (the command without the binary's path and `convert`).
bench() {
  local name="$1"; shift
  local args=() label
  for command in "$@"; do
    label="${command#"$bin"/concur-}"
    args+=(-n "${label/ convert/}" "$command")
  done
  name="$name${TAG:+-$TAG}"
  hyperfine -N --warmup 1 --runs "$runs" --style basic \
    --export-csv "$out/$name.csv" --export-json "$out/$name.json" \
    --export-markdown "$out/$name.md" "${args[@]}"
}

targets=("$bin/concur-seq convert --cache none --requests 1000")
sleep_8=()
for model in threads async; do
  for cache in locked single-flight moka; do
    targets+=("$bin/concur-$model convert --cache $cache --workers 8")
  done
  for cache in none racy locked single-flight moka; do
    sleep_8+=("$bin/concur-$model convert --cache $cache --workers 8")
  done
done
current_thread=()
for cache in racy locked single-flight; do
  current_thread+=("$bin/concur-async convert --cache $cache --workers 8 --runtime current-thread")
done
seq=()
for cache in racy locked single-flight moka; do
  seq+=("$bin/concur-seq convert --cache $cache")
done
procs=()
for route in round-robin by-key; do
  for cache in locked single-flight moka; do
    procs+=("$bin/concur-procs convert --cache $cache --workers 8 --route $route")
  done
done
spin=(
  "$bin/concur-seq convert --cache single-flight --cost-kind spin"
  "$bin/concur-threads convert --cache locked --workers 8 --cost-kind spin"
  "$bin/concur-threads convert --cache single-flight --workers 8 --cost-kind spin"
  "$bin/concur-async convert --cache single-flight --workers 8 --cost-kind spin"
  "$bin/concur-procs convert --cache single-flight --workers 8 --route by-key --cost-kind spin"
)
capacity=(
  "$bin/concur-threads convert --cache single-flight --workers 8 --capacity 100"
  "$bin/concur-threads convert --cache moka --workers 8 --capacity 100"
)

for group in "${groups[@]}"; do
  case "$group" in
    targets) runs=15 bench targets "${targets[@]}" ;;
    threads-async) bench threads-async "${sleep_8[@]}" ;;
    async-current-thread) bench async-current-thread "${current_thread[@]}" ;;
    seq) bench seq "${seq[@]}" ;;
    procs) bench procs "${procs[@]}" ;;
    spin) bench spin "${spin[@]}" ;;
    capacity) bench capacity "${capacity[@]}" ;;
    records)
      # One record per configuration, for the counters (lookups, duplicates,
      # evictions, ideal_ms) quoted next to the times.
      for command in "${seq[@]}" "${sleep_8[@]}" "${current_thread[@]}" "${procs[@]}" \
        "${spin[@]}" "${capacity[@]}"; do
        read -ra argv <<<"$command"
        "${argv[@]}" | tail -1
      done > "$out/records.jsonl"
      ;;
  esac
done
