#!/usr/bin/env bash
# convert-bench.sh: measures the `convert` numbers of docs/convert.md that
# scripts/compare.sh does not: every model and cache strategy on the default
# job (20 000 requests over 1 000 amounts, 1 ms lookups) with 8 callers,
# CPU-like lookups (`--cost-kind spin`), a bounded cache, and the targets
# (threads and async x locked, single-flight, moka). What is measured is the
# wall time of the whole process, by hyperfine without a shell (-N), after a
# release build. Before any timing it also measures the machine's timer (what
# a "1 ms" lookup really costs here right now), which every ratio to an ideal
# bound includes.
#
# Writes hyperfine's CSV, JSON and Markdown per group, records.jsonl (one
# result record per configuration, for the counters) and machine-*.txt (the
# machine, its load and the timer baseline) to docs/convert-bench/, where
# docs/convert.md cites them. The project's tables come from
# scripts/compare.sh; this script records how the convert reference numbers
# are taken. It starts no background process, so it needs no cleanup trap.
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: scripts/convert-bench.sh [GROUP...]

Times `convert` configurations with hyperfine and writes the exports to
docs/convert-bench/. With no GROUP, runs every group but `targets`.

Groups:
  threads-async         threads and async, --cache none|racy|locked|single-flight|moka, 8 callers
  async-current-thread  async on a current-thread runtime: racy, locked, single-flight
  seq                   seq: racy, locked, single-flight, moka
  procs                 procs, --route round-robin|by-key x locked|single-flight|moka
  spin                  CPU-like lookups (--cost-kind spin)
  capacity              a bounded cache (--capacity 100): single-flight, moka
  records               one result record per configuration (records.jsonl)
  targets               threads and async x locked|single-flight|moka and the
                        timer baseline (seq --cache none --requests 1000), 15 runs

Environment:
  RUNS=N   timed runs per command (default 10; targets always 15)
  TAG=x    appends -x to the names of the files written (targets-1, ...)

Needs hyperfine 1.x and python3. Exit status: 0 done, 1 a step failed, 2 bad usage.
EOF2
}

for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -f Cargo.toml ] && [ -d shared ] && [ -d docs/convert-bench ] || { echo "convert-bench.sh: run from a concur checkout" >&2; exit 2; }

out="docs/convert-bench"
runs="${RUNS:-10}"
bin="${CARGO_TARGET_DIR:-target}/release"
groups=("$@")
tag="$(IFS=-; echo "${groups[*]}")"
if [ "${#groups[@]}" -eq 0 ]; then
  groups=(threads-async async-current-thread seq procs spin capacity records)
  tag=all
fi
for group in "${groups[@]}"; do
  case "$group" in
    targets|threads-async|async-current-thread|seq|procs|spin|capacity|records) ;;
    *) echo "convert-bench.sh: unknown group: $group (see --help)" >&2; exit 2 ;;
  esac
done

command -v hyperfine >/dev/null || { echo "convert-bench.sh: hyperfine is missing (cargo install hyperfine --version 1.20.0 --locked)" >&2; exit 1; }
case "$(hyperfine --version)" in
  "hyperfine 1."*) ;;
  *) echo "convert-bench.sh: hyperfine 1.x is needed (2.x changed the export layouts)" >&2; exit 1 ;;
esac

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
