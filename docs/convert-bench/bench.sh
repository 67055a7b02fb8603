#!/usr/bin/env bash
# Measures the `convert` numbers quoted in docs/convert.md: every model and
# cache strategy on the default job (20 000 requests over 1 000 amounts, 1 ms
# lookups) with 8 callers, whole-process wall time by hyperfine, release build.
# Also measures the machine's timer: what a "1 ms" lookup really costs here,
# which every ratio to an ideal bound includes.
#
# Writes hyperfine's CSV/JSON/Markdown and machine.txt next to this script.
# The project's official tables come from scripts/compare.sh; this script only
# records how the documented numbers were taken.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f Cargo.toml ] && [ -d shared ] || { echo "run from a concur checkout" >&2; exit 2; }

out="docs/convert-bench"
runs="${RUNS:-10}"
bin="target/release"

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
} | tee "$out/machine.txt"

# bench NAME COMMAND...: one hyperfine run over the commands, named by their
# arguments after `convert`.
bench() {
  local name="$1"; shift
  local args=()
  for command in "$@"; do
    args+=(-n "${command#*convert }" "$command")
  done
  hyperfine -N --warmup 1 --runs "$runs" --style basic \
    --export-csv "$out/$name.csv" --export-json "$out/$name.json" \
    --export-markdown "$out/$name.md" "${args[@]}"
}

sleep_8=()
for model in threads async; do
  for cache in none racy locked single-flight moka; do
    sleep_8+=("$bin/concur-$model convert --cache $cache --workers 8")
  done
done
bench threads-async "${sleep_8[@]}"

bench async-current-thread \
  "$bin/concur-async convert --cache racy --workers 8 --runtime current-thread" \
  "$bin/concur-async convert --cache locked --workers 8 --runtime current-thread" \
  "$bin/concur-async convert --cache single-flight --workers 8 --runtime current-thread"

bench seq \
  "$bin/concur-seq convert --cache racy" \
  "$bin/concur-seq convert --cache locked" \
  "$bin/concur-seq convert --cache single-flight" \
  "$bin/concur-seq convert --cache moka"

procs=()
for route in round-robin by-key; do
  for cache in locked single-flight moka; do
    procs+=("$bin/concur-procs convert --cache $cache --workers 8 --route $route")
  done
done
bench procs "${procs[@]}"

bench spin \
  "$bin/concur-seq convert --cache single-flight --cost-kind spin" \
  "$bin/concur-threads convert --cache locked --workers 8 --cost-kind spin" \
  "$bin/concur-threads convert --cache single-flight --workers 8 --cost-kind spin" \
  "$bin/concur-async convert --cache single-flight --workers 8 --cost-kind spin" \
  "$bin/concur-procs convert --cache single-flight --workers 8 --route by-key --cost-kind spin"

bench capacity \
  "$bin/concur-threads convert --cache single-flight --workers 8 --capacity 100" \
  "$bin/concur-threads convert --cache moka --workers 8 --capacity 100"

# One record per configuration, for the counters (conversions, duplicates,
# evictions, ideal_ms) quoted next to the times.
for command in "${sleep_8[@]}" "${procs[@]}" \
  "$bin/concur-seq convert --cache locked" \
  "$bin/concur-async convert --cache racy --workers 8 --runtime current-thread" \
  "$bin/concur-threads convert --cache single-flight --workers 8 --capacity 100" \
  "$bin/concur-threads convert --cache moka --workers 8 --capacity 100"; do
  read -ra argv <<<"$command"
  "${argv[@]}" | tail -1
done > "$out/records.jsonl"
