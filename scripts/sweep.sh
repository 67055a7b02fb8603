#!/usr/bin/env bash
# sweep.sh: the scaling curves behind "which model, and when". Where
# compare.sh times every model at one point (the seeds' sizes), this script
# moves one parameter at a time over a range and times every model at each
# point, to show where each model stops scaling and what it costs per unit of
# concurrency:
#
#   tasks     N tasks each waiting 1 s (the "1M concurrent tasks" experiment):
#             time / wait and memory per task against N
#   inflight  download at 200 ms latency with N requests in flight (and as
#             many requests, at least 160): time against the latency bound and
#             the CPU bound (each point's command run once more at 0 ms gives
#             its CPU per request), and memory per request; async over HTTP/1.1
#             (a connection per request in flight) and HTTP/2 (one connection,
#             or four)
#   latency   the seed's 160 requests at 0-200 ms latency: where the model
#             stops mattering and where the client's own CPU takes over; async
#             also with its connections bounded to 16, reused
#   tasksize  range-sum with the total fixed at 1e8 iterations (the seed's), split in
#             tasks of 1e2-1e7 iterations: each model's overhead per task
#             (range-sum, not squares: its parts are equal, squares' grow)
#   workers   squares at compare.sh's size with 1-8 workers: speedup against
#             the ideal min(workers, cores)
#   callers   convert with 1-64 callers per cache design: time, and racy's
#             duplicate conversions
#   rate      download --rate at 50 ms latency, from a few requests a second
#             to past each model's saturation: p99 latency (from when each
#             request was due) against the rate achieved, and each variant's
#             knee; beside concur's models, the seeds' CPython asyncio program
#             (also on uvloop) and threads program
#   processes concur-cluster on 1-4 processes on loopback: squares and
#             range-sum (one thread each) and convert by key (four each), convert again with
#             a 2 ms delay on every batch between processes: speedup against
#             seq on the same job, and the bytes that crossed
#
# Every point runs once untimed first (its result record: the answer checked,
# peak memory, latency percentiles, duplicates), then hyperfine times it. A
# point whose record run took over 5 s is timed once, others --runs times, so
# that the full sweep stays within ~15 minutes on 2 cores. concur-report then
# writes one CSV and one SVG chart per sweep and the README with the limits
# and crossovers computed from them.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/sweep.sh [OPTIONS]

Times every model over a range of one parameter at a time and writes one CSV
and one chart per sweep, and a README stating each sweep's limit or
crossover in numbers computed from the CSV.

Options:
  --quick             Few, small points and 1 timed run: well under a minute
                      once the release build exists. Writes to
                      target/sweep-quick unless --out is given.
  --sweeps LIST       Comma-separated subset of:
                      tasks,inflight,latency,tasksize,workers,callers,rate,
                      processes (default: all)
  --runs N            Timed runs per point (default 3, quick 1); points whose
                      first run took over 5 s, and rate's, are timed once
  --out DIR           Where results go (default target/sweeps, quick
                      target/sweep-quick: inside the build directory, which git
                      ignores, so a run leaves the checkout as it was)
  --publish           Regenerate the committed results instead: OUT is
                      results/sweeps, and the scaling block of docs/choosing.md
                      is rewritten from it (the same as --out results/sweeps)
  --no-build          Use the binaries already built in target/release
  --no-idle-poll      Let idle CPUs halt while the waiting sweeps are timed
                      (see scripts/compare.sh --help)
  --no-python         Leave out the rate sweep's CPython lines (the seeds'
                      asyncio, uvloop and threads programs, run from a venv
                      in target/python-venv that this script sets up)
  -h, --help          Show this help

Writes to OUT: records.jsonl (each point's result record), <sweep>/NNN.json
(hyperfine's export of each point), params.json, machine.json, sweep.log
(hyperfine's own output), and from concur-report: <sweep>.csv, <sweep>.svg and
README.md. OUT is replaced as a whole, like compare.sh's. When OUT is the
repository's results/sweeps (--publish), the scaling block of docs/choosing.md
is regenerated from it too.

Exit status: 0 done, 1 a step failed (message says which), 2 bad usage.
EOF
}

script_name=sweep.sh
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/idle_poll.sh
. scripts/lib/idle_poll.sh
# shellcheck source=lib/python.sh
. scripts/lib/python.sh

all_sweeps=(tasks inflight latency tasksize workers callers rate processes)
quick=false runs='' out='' build=true sweeps_arg='' sweeps_given=false publish=false
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true ;;
    --sweeps) need_value "$@"; sweeps_arg=$2; sweeps_given=true; shift ;;
    --runs) need_value "$@"; runs=$2; shift ;;
    --out) need_value "$@"; out=$2; shift ;;
    --publish) publish=true ;;
    --no-build) build=false ;;
    --no-idle-poll) idle_poll_wanted=false ;;
    --no-python) python_wanted=false ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
  shift
done
published=$(realpath -m "$root/results/sweeps")
if $publish; then
  [ -z "$out" ] || [ "$(realpath -m "$out")" = "$published" ] \
    || usage_error "--publish writes to results/sweeps; drop --out $out"
  out=results/sweeps
fi
if $quick; then : "${runs:=1}" "${out:=target/sweep-quick}"; else : "${runs:=3}" "${out:=target/sweeps}"; fi
[[ "$runs" =~ ^[0-9]{1,4}$ ]] && [ "$runs" -ge 1 ] || usage_error "--runs must be a whole number from 1, got '$runs'"
sweeps=()
if $sweeps_given; then
  IFS=',' read -r -a sweeps <<<"$sweeps_arg"
  [ ${#sweeps[@]} -gt 0 ] || usage_error "--sweeps needs at least one name"
  for sweep in "${sweeps[@]}"; do
    case " ${all_sweeps[*]} " in *" $sweep "*) ;; *) usage_error "--sweeps: unknown sweep '$sweep' (choose from: ${all_sweeps[*]})" ;; esac
  done
else
  sweeps=("${all_sweeps[@]}")
fi
idle_poll_check
bin_dir=${CONCUR_BIN_DIR:-${CARGO_TARGET_DIR:-target}/release}

# --- the points ------------------------------------------------------------------

# One line per point: "VARIANT|MODEL|VALUE|ARGUMENTS" (ARGUMENTS after the
# binary, {base} standing for the site server). VALUE is the swept parameter.
points() {
  local n w ms size parts
  case "$1:$quick" in
    tasks:false)
      for n in 1 10 100 1000 10000 100000 1000000; do
        echo "async tasks|async|$n|sleep --tasks $n --wait-ms 1000"
        echo "async join|async|$n|sleep --tasks $n --wait-ms 1000 --spawn join"
      done
      for n in 1 10 100 1000 10000; do echo "threads|threads|$n|sleep --tasks $n --wait-ms 1000 --workers $n"; done
      for n in 1 10 100 1000; do echo "procs|procs|$n|sleep --tasks $n --wait-ms 1000 --workers $n"; done
      ;;
    tasks:true)
      for n in 1 100 10000; do
        echo "async tasks|async|$n|sleep --tasks $n --wait-ms 100"
        echo "async join|async|$n|sleep --tasks $n --wait-ms 100 --spawn join"
      done
      for n in 1 100; do echo "threads|threads|$n|sleep --tasks $n --wait-ms 100 --workers $n"; done
      for n in 1 10; do echo "procs|procs|$n|sleep --tasks $n --wait-ms 100 --workers $n"; done
      ;;
    inflight:*)
      local latency=200 async_ns="1 10 100 1000 10000" threads_ns="1 10 100 1000" procs_ns="1 10 100 256"
      if $quick; then latency=20 async_ns="1 100" threads_ns="1 100" procs_ns="1 10"; fi
      for n in $async_ns; do echo "async|async|$n|download --url {base}/page?latency_ms=$latency --repeat $((n > 160 ? n : 160)) --max-in-flight $n"; done
      for n in $async_ns; do echo "async h2|async|$n|download --url {base}/page?latency_ms=$latency --repeat $((n > 160 ? n : 160)) --max-in-flight $n --http-version 2"; done
      for n in $async_ns; do echo "async h2, 4 connections|async|$n|download --url {base}/page?latency_ms=$latency --repeat $((n > 160 ? n : 160)) --max-in-flight $n --http-version 2 --connections 4"; done
      for n in $threads_ns; do echo "threads|threads|$n|download --url {base}/page?latency_ms=$latency --repeat $((n > 160 ? n : 160)) --workers $n"; done
      for n in $procs_ns; do echo "procs|procs|$n|download --url {base}/page?latency_ms=$latency --repeat $((n > 160 ? n : 160)) --workers $n"; done
      ;;
    latency:*)
      local latencies="0 1 5 20 50 200"
      $quick && latencies="0 5"
      for ms in $latencies; do
        echo "seq|seq|$ms|download --preset realpython --base {base} --repeat 80 --latency-ms $ms"
        echo "threads --workers 5|threads|$ms|download --preset realpython --base {base} --repeat 80 --latency-ms $ms --workers 5"
        echo "async|async|$ms|download --preset realpython --base {base} --repeat 80 --latency-ms $ms"
        echo "async h2|async|$ms|download --preset realpython --base {base} --repeat 80 --latency-ms $ms --http-version 2"
        echo "async, 16 connections|async|$ms|download --preset realpython --base {base} --repeat 80 --latency-ms $ms --max-in-flight 16"
        echo "procs|procs|$ms|download --preset realpython --base {base} --repeat 80 --latency-ms $ms"
      done
      ;;
    tasksize:*)
      local total=100000000 sizes="100 1000 10000 100000 1000000 10000000"
      if $quick; then total=2000000 sizes="100 10000"; fi
      for size in $sizes; do
        parts=$((total / size))
        echo "seq|seq|$size|range-sum --end $total --parts $parts"
        echo "threads scoped|threads|$size|range-sum --end $total --parts $parts --engine scoped"
        echo "threads rayon|threads|$size|range-sum --end $total --parts $parts --engine rayon"
        echo "async multi-thread|async|$size|range-sum --end $total --parts $parts --runtime multi-thread"
        echo "procs|procs|$size|range-sum --end $total --parts $parts"
      done
      ;;
    workers:*)
      local size="--start 50000000 --count 20" ws="1 2 3 4 8"
      if $quick; then size="--start 300000 --count 20" ws="1 2"; fi
      echo "seq|seq|1|squares $size"
      for w in $ws; do
        echo "threads scoped|threads|$w|squares $size --workers $w"
        echo "threads rayon|threads|$w|squares $size --engine rayon --workers $w"
        echo "async multi-thread|async|$w|squares $size --workers $w"
        echo "procs|procs|$w|squares $size --workers $w"
      done
      ;;
    rate:*)
      # 50 ms a request: seq serves 20/s at most, N workers N ÷ 50 ms; async
      # with its in-flight cap reuses connections, unbounded it opens one per
      # request, over HTTP/2 every request is a stream of one connection. Each
      # point sends for a few seconds at its rate.
      local s=3 url="--url {base}/page?latency_ms=50" seq="5 10 20 40" t16="100 200 300 400 600"
      local t64="400 800 1200 1600 2400" procs="100 200 300 400 600" capped="1000 2000 5000 10000 20000"
      local open="500 1000 2000 5000" h2="2000 5000 10000 20000 30000"
      local py_async="100 200 500 1000 2000" py_threads="100 200 300 400"
      if $quick; then s=1 seq="40" t16="600" t64="" procs="100" capped="5000" open="" h2="5000" py_async="50" py_threads=""; fi
      for n in $seq; do echo "seq|seq|$n|download $url --rate $n --duration-s $s"; done
      for n in $t16; do echo "threads --workers 16|threads|$n|download $url --rate $n --duration-s $s --workers 16"; done
      for n in $t64; do echo "threads --workers 64|threads|$n|download $url --rate $n --duration-s $s --workers 64"; done
      for n in $procs; do echo "procs --workers 16|procs|$n|download $url --rate $n --duration-s $s --workers 16"; done
      for n in $capped; do echo "async --max-in-flight 2000|async|$n|download $url --rate $n --duration-s $s --max-in-flight 2000"; done
      for n in $open; do echo "async|async|$n|download $url --rate $n --duration-s $s"; done
      for n in $h2; do echo "async h2 --max-in-flight 2000|async|$n|download $url --rate $n --duration-s $s --max-in-flight 2000 --http-version 2"; done
      # The seeds' own Python programs, open loop the same way (MODEL py:FILE,
      # a program of scripts/python/): aiohttp opens at most 100 connections.
      for n in $py_async; do
        echo "python asyncio|py:seed000_download_asyncio.py|$n|download $url --rate $n --duration-s $s"
        $quick || echo "python uvloop|py:seed000_download_asyncio.py|$n|download $url --rate $n --duration-s $s --loop uvloop"
      done
      for n in $py_threads; do echo "python threads --workers 16|py:seed000_download_threads.py|$n|download $url --rate $n --duration-s $s --workers 16"; done
      ;;
    processes:*)
      local size="--start 50000000 --count 20" sum="--end 1000000000 --parts 4" ps="1 2 3 4" p
      local job="--requests 20000 --distinct 1000 --cost-us 1000"
      if $quick; then size="--start 300000 --count 20" sum="--end 10000000 --parts 4" job="--requests 2000 --distinct 100 --cost-us 200" ps="1 2"; fi
      echo "seq squares|seq|1|squares $size"
      echo "seq range-sum|seq|1|range-sum $sum"
      echo "seq convert|seq|1|convert $job --cache single-flight"
      for p in $ps; do
        echo "cluster squares|cluster|$p|squares $size --processes $p --threads 1"
        echo "cluster range-sum|cluster|$p|range-sum $sum --processes $p --threads 1"
        echo "cluster convert|cluster|$p|convert $job --processes $p --threads 4"
        echo "cluster convert, 2 ms link|cluster|$p|convert $job --processes $p --threads 4 --link-delay-ms 2"
      done
      ;;
    callers:*)
      local job="--requests 20000 --distinct 1000 --cost-us 1000" cs="1 2 4 8 16 32 64" cache
      if $quick; then job="--requests 2000 --distinct 100 --cost-us 200" cs="1 8"; fi
      for cache in locked single-flight moka racy; do
        for n in $cs; do echo "threads $cache|threads|$n|convert $job --cache $cache --workers $n"; done
      done
      ;;
  esac
}

# The swept parameter's name and unit, for the tables.
parameter_of() {
  case "$1" in
    tasks) echo "tasks" ;; inflight) echo "in_flight" ;; latency) echo "latency_ms" ;;
    tasksize) echo "task_iterations" ;; workers) echo "workers" ;; callers) echo "callers" ;;
    rate) echo "offered_rps" ;; processes) echo "processes" ;;
  esac
}

# --- output directory, build, server ------------------------------------------------

# Every file at the top of OUT is the sweep report's own (OUT must be new,
# empty or an earlier output), so the swap replaces them all.
is_generated() { return 0; }
open_out sweep

if $build; then build_release; else warn_rustflags; fi
for b in concur-seq concur-threads concur-async concur-procs concur-cluster concur-report; do
  [ -x "$bin_dir/$b" ] || die "$bin_dir/$b is missing: build first (cargo build --release) or drop --no-build"
done
ensure_hyperfine

needs_server=false
for sweep in "${sweeps[@]}"; do case "$sweep" in inflight|latency|rate) needs_server=true ;; esac; done
if $needs_server; then
  start_sites 0 "$tmp"
  say "site server at $base"
fi
case " ${sweeps[*]} " in
  *" rate "*) python_setup; if [ -n "$python_bin" ]; then say "CPython: $python_state"; else say "CPython $python_skip_reason"; fi ;;
  *) python_wanted=false ;;
esac

# The points this run can make: a CPython point needs the venv.
runnable_points() {
  if [ -n "$python_bin" ]; then points "$1"; else points "$1" | grep -v '^[^|]*|py:' || true; fi
}

# The site server takes the latency from the URL (latency_ms=N); a --latency-ms
# in a point's arguments is turned into that, since the binaries have no such
# option.
expand() {
  local args=$1 ms
  if [[ "$args" =~ --latency-ms\ ([0-9]+) ]]; then
    ms=${BASH_REMATCH[1]}
    args=${args/ --latency-ms $ms/}
    args=${args/"--preset realpython --base {base}"/"--url {base}/site/jython?latency_ms=$ms --url {base}/site/dice?latency_ms=$ms"}
  fi
  echo "${args//\{base\}/$base}"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- the sweeps ----------------------------------------------------------------------

: >"$tmp/records.jsonl"
started=$(now_ms)
total_points=0
for sweep in "${sweeps[@]}"; do total_points=$((total_points + $(runnable_points "$sweep" | wc -l))); done
k=0
for sweep in "${sweeps[@]}"; do
  mkdir -p "$tmp/$sweep"
  case "$sweep" in tasks|inflight|latency|callers|rate) idle_poll_hold ;; *) idle_poll_release ;; esac
  index=0
  while IFS='|' read -r variant model value args; do
    k=$((k + 1)) index=$((index + 1))
    export_file=$(printf '%s/%03d.json' "$sweep" "$index")
    case "$model" in
      py:*) cmd="$python_bin scripts/python/${model#py:} $(expand "${args#download }")" ;;
      *) cmd="$bin_dir/concur-$model $(expand "$args")" ;;
    esac
    printf '[%d/%d] %s: %s at %s, elapsed %s\n' "$k" "$total_points" "$sweep" "$variant" "$value" \
      "$(human_seconds $(( ($(now_ms) - started) / 1000 )))" >&2
    # The record run of a download point also reads the server's CPU over it
    # (--server-stats: two requests outside its timed work); the timed-only
    # runs of the other sweeps make none.
    record_cmd=$cmd
    case "$model:$args" in py:*) ;; *:download*) record_cmd="$cmd --server-stats" ;; esac
    printf '\n## %s %s %s\n' "$sweep" "$variant" "$value" >>"$tmp/sweep.log"
    zero=()
    if [ "$sweep" = rate ]; then
      # A rated point lasts its --duration-s whatever the model, and its
      # figures come from its record: one run, timed by hyperfine, gives both
      # (a second, timed-only run made the sweep twice as long).
      # shellcheck disable=SC2086 # the command is a list of plain words, each quoted for bash -c
      run_child "$hyperfine" --shell=bash --style basic --runs 1 --export-json "$tmp/$export_file" -n "$variant" \
        "$(printf '%q ' $record_cmd)>$(printf %q "$tmp/point.out") 2>$(printf %q "$tmp/point.err")" \
        >>"$tmp/sweep.log" 2>&1 || die "$sweep: $variant at $value failed: $(head -c 400 "$tmp/point.err")"
      line=$(tail -n 1 "$tmp/point.out")
    else
      first=$(now_ms)
      # shellcheck disable=SC2086 # the command is a list of plain words
      if ! run_child $record_cmd >"$tmp/point.out" 2>"$tmp/point.err"; then
        die "$sweep: $variant at $value failed: $(head -c 400 "$tmp/point.err")"
      fi
      took=$(( $(now_ms) - first ))
      line=$(tail -n 1 "$tmp/point.out")
      # An in-flight point's CPU bound: the same command at 0 ms latency, once,
      # untimed; its record's CPU per request (client and server) is the cost.
      if [ "$sweep" = inflight ]; then
        # shellcheck disable=SC2086 # the command is a list of plain words
        run_child $(sed 's/latency_ms=[0-9]*/latency_ms=0/' <<<"$record_cmd") >"$tmp/point.out" 2>"$tmp/point.err" \
          || die "$sweep: $variant at $value failed at 0 ms latency: $(head -c 400 "$tmp/point.err")"
        zero=(--zero-latency-line "$(tail -n 1 "$tmp/point.out")")
      fi
      point_runs=$runs
      [ "$took" -gt 5000 ] && point_runs=1
      run_child "$hyperfine" -N --style basic --runs "$point_runs" --export-json "$tmp/$export_file" \
        -n "$variant" "$cmd" >>"$tmp/sweep.log" 2>&1 \
        || die "hyperfine failed on $sweep $variant at $value: see the end of $out/sweep.log"
    fi
    "$bin_dir/concur-report" sweep-record --sweep "$sweep" --parameter "$(parameter_of "$sweep")" \
      --value "$value" --variant "$variant" --command "$cmd" --export "$export_file" \
      --line "$line" "${zero[@]}" >>"$tmp/records.jsonl" \
      || die "cannot record $sweep $variant at $value"
  done < <(runnable_points "$sweep")
done
idle_poll_release
stop_sites
say "ran $total_points points in $(human_seconds $(( ($(now_ms) - started) / 1000 )))"

# --- parameters, machine, report ---------------------------------------------------

sweep_params=()
for sweep in "${sweeps[@]}"; do sweep_params+=(--workload "$sweep=$(parameter_of "$sweep")"); done
"$bin_dir/concur-report" params --out "$tmp/params.json" --latency-ms 0 --quick "$quick" --runs "$runs" \
  --rounds 1 --warmup 0 --idle "$idle_poll_state" "${sweep_params[@]}" || die "cannot write params.json"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain 2>/dev/null)" ] && commit="$commit (with uncommitted changes)"
"$bin_dir/concur-report" machine --out "$tmp/machine.json" --hyperfine "$hf_version" --idle "$idle_poll_state" \
  --rustc "$(rustc --version 2>/dev/null || echo unknown)" --date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --commit "$commit" \
  || die "cannot write machine.json"
say "writing the sweep report"
"$bin_dir/concur-report" sweeps --dir "$tmp" >"$tmp/summary.txt" || die "concur-report sweeps failed"

rm -f "$tmp/point.out" "$tmp/point.err" "$tmp/sites.out" "$tmp/sites.err"
summary=$(cat "$tmp/summary.txt") && rm -f "$tmp/summary.txt"
swap_out
written=$swapped
printf '%s\n' "$summary"
out_path=$(cd "$out" && pwd)
if [ "$(realpath -m "$out")" = "$published" ]; then
  "$bin_dir/concur-report" sweeps --dir "$out" --guide "$root/docs/choosing.md" >/dev/null \
    || die "cannot regenerate the scaling block of docs/choosing.md"
  say "docs/choosing.md: scaling block regenerated from $out_path"
fi
say "wrote $written files to $out_path"
