# idle_poll.sh: sourced by compare.sh and targets.sh. Keeps idle CPUs polling
# instead of halting while the workloads that wait (download, convert) are
# timed, by holding a PM QoS request: /dev/cpu_dma_latency open with 0
# written, the way cyclictest does for the same reason. The kernel drops the
# request when the file is closed, so it lasts exactly as long as the holder.
#
# Why: on a VM an idle CPU halts, and waking it is the hypervisor's job, which
# makes every wake-up late by a cost of the host, not of the model being
# timed; every download and convert variant pays it once per wait
# (docs/methodology.md has the measurements). The CPU workloads are timed
# without the request: they do not wait, and a polling idle CPU may take host
# time from the busy one.
#
# Needs write access to /dev/cpu_dma_latency (root); without it, or with
# idle_poll_wanted=false, nothing changes and idle_poll_state says so.

idle_poll_wanted=true
idle_poll_possible=false
idle_poll_pid=''
idle_poll_state=''

# Decides once whether the request can be held (idle_poll_possible); sets
# idle_poll_state to the line that params.json and the summaries record.
idle_poll_check() {
  idle_poll_possible=false
  if ! $idle_poll_wanted; then
    idle_poll_state='off (--no-idle-poll): idle CPUs halt'
  elif [ ! -e /dev/cpu_dma_latency ]; then
    idle_poll_state='off (this system has no /dev/cpu_dma_latency): idle CPUs halt'
  elif [ -w /dev/cpu_dma_latency ]; then
    idle_poll_possible=true
    idle_poll_state='poll while the workloads that wait are timed (PM QoS /dev/cpu_dma_latency = 0)'
  else
    idle_poll_state='off (/dev/cpu_dma_latency is not writable: needs root): idle CPUs halt'
  fi
}

# The kernel's current CPU latency target in microseconds (reading the
# device gives it as 4 raw bytes); 0 while a request for 0 is held.
idle_poll_target() {
  od -An -td4 -N4 /dev/cpu_dma_latency 2>/dev/null | tr -d ' '
}

# Starts holding the request, if wanted and possible. The holder is a
# subshell that keeps the file open and exits within a second of its parent
# (this script) ending, however that ends, so CPUs never stay polling.
idle_poll_hold() {
  [ -z "$idle_poll_pid" ] || return 0
  $idle_poll_possible || return 0
  local parent=$$
  (
    exec 3>/dev/cpu_dma_latency || exit 1
    printf '0' >&3 || exit 1
    # sleep must not inherit the file, or it would outlive a release.
    while kill -0 "$parent" 2>/dev/null; do sleep 1 3>&-; done
  ) 2>/dev/null &
  idle_poll_pid=$!
  # Wait until the kernel's target reads 0, bounded: timings must not start
  # before the request is in force.
  local _
  for _ in $(seq 1 50); do
    [ "$(idle_poll_target)" = 0 ] && return 0
    kill -0 "$idle_poll_pid" 2>/dev/null || break
    sleep 0.02
  done
  idle_poll_release
  idle_poll_possible=false
  idle_poll_state='off (the PM QoS request did not take effect): idle CPUs halt'
  printf 'warning: could not keep idle CPUs polling; timing with halting CPUs\n' >&2
}

# Stops holding the request (idempotent).
idle_poll_release() {
  if [ -n "$idle_poll_pid" ]; then
    kill "$idle_poll_pid" 2>/dev/null || true
    wait "$idle_poll_pid" 2>/dev/null || true
    idle_poll_pid=''
  fi
}
