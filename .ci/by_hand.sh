#!/usr/bin/env bash
# The "one model by hand" commands of docs/methodology.md, run as written
# after compare.sh has built the workspace: `cargo build --release` must
# compile nothing (so a one-off command never replaces a binary mid-benchmark),
# and each command is timed. The block is read from the page, so the page and
# this check cannot drift apart; PORT is filled in from the server's first line.
set -euo pipefail
cd "$(dirname "$0")/.."

build=$(cargo build --release 2>&1)
if grep -q Compiling <<<"$build"; then
  echo "cargo build --release compiled again after compare.sh's build:" >&2
  grep Compiling <<<"$build" >&2
  exit 1
fi
echo "cargo build --release after compare.sh: nothing to compile"

block=$(sed -n '/^\*\*One model by hand\*\*/,/^```$/p' docs/methodology.md | sed -n '/^```sh$/,/^```$/p' | sed '1d;$d')
[ -n "$block" ] || { echo "docs/methodology.md: no 'One model by hand' sh block" >&2; exit 1; }

server_pid='' server_out=$(mktemp)
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -f "$server_out"' EXIT
port=''
while IFS= read -r line; do
  command=${line%%#*}
  command=${command%"${command##*[![:space:]]}"}
  [ -n "$command" ] || continue
  if [[ "$command" == *'&' ]]; then
    ${command%&} >"$server_out" 2>/dev/null &
    server_pid=$!
    for _ in $(seq 1 100); do grep -q "listening on" "$server_out" && break; sleep 0.05; done
    port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$server_out" | head -n 1)
    [ -n "$port" ] || { echo "no address from: $command" >&2; exit 1; }
    continue
  fi
  command=${command//PORT/$port}
  echo "\$ $command"
  started=$(date +%s%N)
  $command >/dev/null 2>&1
  echo "  took $(( ($(date +%s%N) - started) / 1000000 )) ms"
done <<<"$block"
