#!/usr/bin/env bash
# targets.sh: the measurements behind the README's performance claims that the
# compare.sh tables do not cover:
#   python    concur-seq vs CPython 3 on seed 000's `squares` job (defaults)
#   worktime  async unbounded on seed 000's 160 requests at 50 ms latency: the
#             work time (`elapsed_ms`) of 21 runs, with min, median and max;
#             alternating with them, 21 runs of the same tasks without an HTTP
#             library (--http-client bare), the floor under reqwest here
#   inflight  async keeping 10 000 requests in flight at 1000 ms latency (5
#             runs, each on a fresh server whose exit line says how many
#             requests it saw open at once), and peak RSS per in-flight
#             request: async vs threads --workers 1000
#   wakeup    how late this machine wakes a sleeping thread: 1000 lookups of
#             1 ms in a row (concur-seq convert --cache none, ideal 1000 ms),
#             5 runs with idle CPUs halting and, alternating, 5 with them
#             polling (when the script may hold the PM QoS request)
# Each part writes hyperfine exports and the binaries' records to OUT
# (default results/targets) and prints a summary. Run after a release build.
# worktime and inflight wait, so they run with idle CPUs polling when the
# script may, as compare.sh times download and convert (scripts/lib/idle_poll.sh).
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: scripts/targets.sh [--out DIR] [--no-idle-poll] [python] [worktime] [inflight] [wakeup]
With no part named, runs all four. Needs target/release (cargo build --release),
hyperfine 1.x and python3 (for the python part). worktime and inflight run with
idle CPUs polling (a PM QoS request, as compare.sh holds for download and
convert) when the script may (root); --no-idle-poll lets them halt.
EOF2
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=lib/idle_poll.sh
. scripts/lib/idle_poll.sh
out=results/targets parts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || { usage >&2; exit 2; }; out=$2; shift ;;
    --no-idle-poll) idle_poll_wanted=false ;;
    python|worktime|inflight|wakeup) parts+=("$1") ;;
    -h|--help) usage; exit 0 ;;
    *) echo "targets.sh: error: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[ ${#parts[@]} -gt 0 ] || parts=(python worktime inflight wakeup)
bin=${CARGO_TARGET_DIR:-target}/release
for b in concur-seq concur-threads concur-async concur-sites; do
  [ -x "$bin/$b" ] || { echo "targets.sh: error: $bin/$b is missing: cargo build --release" >&2; exit 1; }
done
command -v hyperfine >/dev/null || { echo "targets.sh: error: hyperfine is missing (scripts/compare.sh installs it)" >&2; exit 1; }
mkdir -p "$out"

server_pid=''
stop_server() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=''
}

# Stops the server and records its exit line ("served N requests, at most M
# open at once") under NAME in records.jsonl.
stop_server_recording() {
  local name=$1 line
  stop_server
  line=$(sed -n 's/^concur-sites: served //p' "$out/.sites.err" | tail -n 1)
  printf '{"name":"%s","server":"%s"}\n' "$name" "$line" >>"$out/records.jsonl"
  printf '%-34s server: %s\n' "$name" "$line"
}
trap 'stop_server; idle_poll_release' EXIT

# Starts concur-sites with the given latency; sets $base.
start_server() {
  stop_server
  "$bin/concur-sites" --latency-ms "$1" >"$out/.sites.out" 2>"$out/.sites.err" &
  server_pid=$!
  for _ in $(seq 1 100); do
    base=$(sed -n 's/^listening on //p' "$out/.sites.out" | head -n 1)
    [ -n "$base" ] && return 0
    sleep 0.05
  done
  echo "targets.sh: error: the site server did not start: $(head -c 400 "$out/.sites.err")" >&2
  exit 1
}

# The last stdout line of a run (its result record), appended to records.jsonl.
record() {
  local name=$1; shift
  local line
  line=$("$@" | tail -n 1)
  printf '{"name":"%s","record":%s}\n' "$name" "$line" >>"$out/records.jsonl"
  printf '%-34s %s\n' "$name" "$line"
}

# "N MIN MEDIAN MAX" of elapsed_ms over the records whose name starts with
# PREFIX, or nothing when there are none.
elapsed_stats() {
  grep "\"name\":\"$1" "$out/records.jsonl" \
    | sed 's/.*"elapsed_ms":\([0-9.]*\).*/\1/' | sort -n \
    | awk 'NR { v[NR] = $1 } END { if (NR) print NR, v[1], v[int((NR + 1) / 2)], v[NR] }'
}

: >"$out/records.jsonl"
idle_poll_check
printf '{"name":"idle CPUs during worktime and inflight","idle":"%s"}\n' "$idle_poll_state" >>"$out/records.jsonl"
echo "idle CPUs: $idle_poll_state"
for part in "${parts[@]}"; do
  case "$part" in
    python)
      command -v python3 >/dev/null || { echo "targets.sh: error: python3 is missing" >&2; exit 1; }
      echo "== python: concur-seq squares vs CPython $(python3 -c 'import platform; print(platform.python_version())')"
      hyperfine -N --style basic --warmup 1 --runs 3 \
        --export-json "$out/python.json" --export-markdown "$out/python.md" \
        -n "concur-seq squares" "$bin/concur-seq squares" \
        -n "python3 seed000_squares_seq.py" "python3 scripts/python/seed000_squares_seq.py"
      ;;
    worktime)
      echo "== worktime: async unbounded, 160 requests at 50 ms latency (ideal 50 ms), reqwest and bare"
      idle_poll_hold
      start_server 50
      for run in $(seq 1 21); do
        record "async unbounded, run $run" "$bin/concur-async" download --preset realpython --base "$base"
        record "async unbounded bare, run $run" "$bin/concur-async" download --preset realpython --base "$base" --http-client bare
      done
      stop_server
      {
        read -r n min median max < <(elapsed_stats "async unbounded, run")
        printf 'work time over %d runs: min %s ms, median %s ms, max %s ms\n' "$n" "$min" "$median" "$max"
        read -r n min median max < <(elapsed_stats "async unbounded bare, run")
        printf 'the same with --http-client bare (no HTTP library), alternating: min %s ms, median %s ms, max %s ms\n' \
          "$min" "$median" "$max"
      } | tee "$out/worktime.txt"
      idle_poll_release
      ;;
    inflight)
      echo "== inflight: 1000 ms latency"
      idle_poll_hold
      start_server 1000
      record "async 1 request" "$bin/concur-async" download --url "$base/page" --repeat 1
      record "async 1000 requests" "$bin/concur-async" download --url "$base/page" --repeat 1000
      stop_server
      for run in 1 2 3 4 5; do
        start_server 1000
        record "async 10000 requests, run $run" "$bin/concur-async" download --url "$base/page" --repeat 10000
        stop_server_recording "async 10000 requests, run $run"
      done
      start_server 1000
      record "threads 1 worker, 1 request" "$bin/concur-threads" download --url "$base/page" --repeat 1 --workers 1
      record "threads 1000 workers, 1000 requests" "$bin/concur-threads" download --url "$base/page" --repeat 1000 --workers 1000
      stop_server
      idle_poll_release
      ;;
    wakeup)
      echo "== wakeup: 1000 lookups of 1 ms in a row (ideal 1000 ms), idle CPUs halting vs polling"
      probe=("$bin/concur-seq" convert --cache none --requests 1000 --invalid-per-mille 0)
      for run in 1 2 3 4 5; do
        record "wakeup halting, run $run" "${probe[@]}"
        idle_poll_hold
        if [ -n "$idle_poll_pid" ]; then record "wakeup polling, run $run" "${probe[@]}"; fi
        idle_poll_release
      done
      for idle in halting polling; do
        stats=$(elapsed_stats "wakeup $idle, run")
        [ -n "$stats" ] || continue
        read -r n min median max <<<"$stats"
        printf '1000 sleeps of 1 ms, idle CPUs %s: min %s ms, median %s ms, max %s ms over %d runs\n' \
          "$idle" "$min" "$median" "$max" "$n"
      done | tee "$out/wakeup.txt"
      ;;
  esac
done
rm -f "$out/.sites.out" "$out/.sites.err"
echo "results in $out/"
