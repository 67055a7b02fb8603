#!/usr/bin/env bash
# run_child (scripts/lib/common.sh) must start a step in a process group of
# its own, so that stopping the script ends the step with everything it
# started, and in the script's session, so that the kernel schedules the
# client with the site server rather than as a group of its own
# (docs/methodology.md, "The client and the site server share one
# scheduling group"). Also: the step's stdin is /dev/null, and its exit
# status comes back.
set -euo pipefail
script_name=check_run_child
# shellcheck source=../scripts/lib/common.sh
. "$(dirname "$0")/../scripts/lib/common.sh"

# A process's group and session: fields 5 and 6 of /proc/PID/stat, counted
# after its name, which is in parentheses and may hold spaces.
ids() { local stat; stat=$(<"/proc/$1/stat"); set -- ${stat##*) }; echo "$3 $4"; }
probe=$(mktemp)
trap 'rm -f "$probe"' EXIT
run_child bash -c "$(declare -f ids)"'; ids $$; readlink /proc/self/fd/0; cat /proc/self/autogroup 2>/dev/null || echo none' >"$probe"
read -r step_pgid step_sid < <(sed -n 1p "$probe")
read -r own_pgid own_sid < <(ids $$)
stdin=$(sed -n 2p "$probe")
step_group=$(sed -n 3p "$probe" | awk '{print $1}')
own_group=$( (cat /proc/self/autogroup 2>/dev/null || echo none) | awk '{print $1}')

fail() { echo "run_child: $*" >&2; exit 1; }
[ "$step_sid" = "$own_sid" ] || fail "the step ran in session $step_sid, not the script's $own_sid"
[ "$step_group" = "$own_group" ] || fail "the step ran in autogroup $step_group, not the script's $own_group"
[ "$step_pgid" != "$own_pgid" ] || fail "the step ran in the script's process group $own_pgid"
[ "$stdin" = /dev/null ] || fail "the step's stdin was $stdin, not /dev/null"
status=0
run_child bash -c 'exit 7' || status=$?
[ "$status" = 7 ] || fail "a step that exits 7 came back as $status"
echo "ok: run_child: own process group ($step_pgid), the script's session ($own_sid) and autogroup ($own_group), stdin /dev/null, exit status kept"
