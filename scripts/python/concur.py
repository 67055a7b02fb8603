"""concur's side of the seeds' Python programs: the options they share, the
result record they print, and the download checksum.

Each seed program keeps the seed's own structure and libraries; everything it
needs to take part in concur's comparison lives here, once:

- options: ``parser`` plus ``add_download``/``add_squares``/``add_range_sum``/
  ``add_workers``, and ``parse``, which validates them (a usage error exits 2,
  as argparse does);
- ``say``: the seeds' per-task lines, on stderr and only with ``-v``, so stdout
  carries nothing but the record;
- ``measured``: a fetch returns ``Fetched(outcome, latency_s)``: its body, or
  a ``Failure`` value instead of an exception, so one failure does not stop
  the other requests and the outcome survives the trip back from a worker
  process; and its latency, from the call to the whole body read (or the
  failure), as concur measures each request;
- ``latency_percentiles``: the record's ``latency_ms``, concur's nearest-rank
  p50, p90, p99 and max (shared/src/workload/latency.rs);
- ``spin_cpu``: the blocking task of ``--blocking-ms``, concur's
  ``compute_blocking``: N ms of this thread's CPU time without yielding;
- ``finish_download``/``finish_cpu``/``finish``: the record as the last stdout
  line (of a failed job, on stderr after ``PARTIAL_RECORD``), concur's
  contract (``model``, ``workload``, ``workers``,
  ``concurrency``, ``tasks``, ``checksum`` as a decimal string, ``elapsed_ms``,
  ``peak_rss_kib``, ``cpu_ms``, ``errors``, then the workload's fields; download adds
  ``latency_ms`` and ``blocking_ms``), and the exit status: 0 ok, 1 the job
  failed, 2 usage error.

The download checksum is concur's (shared/src/workload/download.rs): the
wrapping u64 sum of FNV-1a-64 over each whole body. It is computed after the
clock stops, from the bodies the program kept: FNV in pure Python costs about
0.1 us a byte, which would add ~0.1 s to the 160-page job, several times the
asyncio version's whole work at 50 ms latency.
"""

import argparse
import contextvars
import functools
import inspect
import json
import math
import os
import resource
import sys
import time
import traceback
from collections import namedtuple
from urllib.parse import urlsplit

# Site lists of the seeds, served by concur-sites under /site/NAME
# (shared/src/workload/download.rs, `Preset::sites`).
PRESETS = {
    "realpython": ["jython", "dice"],  # seed 000
    "seminar": ["naver", "google", "apple", "bing"],  # seed 002
}
MAX_REQUESTS = 1_000_000
MAX_TASKS = 1_000_000
# range-sum: seed 002's processes split END with float division (END / 2),
# exact only while END fits a double's 53-bit mantissa.
MAX_END = 2**53
# Failed requests listed on stderr, at most this many (then a count), as concur.
MAX_REPORTED_FAILURES = 20
# --blocking-ms: 1..=60000, as concur's download option.
MAX_BLOCKING_MS = 60_000
# concur's --rate bounds and late-start threshold (shared/src/workload/rate.rs).
MAX_RATE = 1_000_000.0
MAX_DURATION_S = 86_400
LATE_S = 0.001
U64 = 2**64

verbose = False
timeout_s = 10.0

RECORD_HELP = (
    "The last line of stdout is the result record (one JSON object, concur's "
    "contract); -v prints the seed's lines on stderr. Exit status 0 success, "
    "1 the job failed, 2 usage error."
)


def say(line):
    """Prints one of the seed's progress lines on stderr, only with -v."""
    if verbose:
        print(line, file=sys.stderr, flush=True)


# --- options ----------------------------------------------------------------


def parser(doc):
    """The program's argument parser: its docstring as description, -v."""
    p = argparse.ArgumentParser(
        description=doc,
        epilog=RECORD_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-v", "--verbose", action="store_true", help="print the seed's lines on stderr")
    return p


def count(text, low=1, high=None):
    """argparse type: a whole number in low..=high."""
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < low or (high is not None and value > high):
        upper = "" if high is None else f"-{high}"
        raise argparse.ArgumentTypeError(f"{value} is not in {low}{upper}")
    return value


def add_workers(p, default, what):
    p.add_argument(
        "--workers",
        type=lambda t: count(t, 1, 100_000),
        default=default,
        metavar="N",
        help=f"{what} [default: {default}]",
    )


def add_download(p, repeat, blocking=None, rate=False):
    """The download options. `blocking`: where this program runs the
    --blocking-ms task, one line for --help; None for a program without it,
    which refuses the option with a one-line usage error (exit 2). `rate`:
    whether it takes concur's --rate and --duration-s (an open-loop schedule;
    `due_s` gives each request's due time)."""
    g = p.add_argument_group("download options (as concur's download)")
    g.add_argument("--url", action="append", default=[], metavar="URL", help="a page to fetch (repeatable); only http://")
    g.add_argument("--preset", choices=sorted(PRESETS), help="a seed's site list, served by concur-sites at --base")
    g.add_argument("--base", metavar="URL", help="base URL of a running concur-sites, e.g. http://127.0.0.1:8080")
    g.add_argument(
        "--repeat",
        type=lambda t: count(t, 1, MAX_REQUESTS),
        default=repeat,
        metavar="N",
        help=f"fetch the whole list this many times, like the seed's `* {repeat}` [default: {repeat}]",
    )
    g.add_argument(
        "--timeout-ms",
        type=lambda t: count(t, 1, 3_600_000),
        default=10_000,
        metavar="MS",
        help="give up on a request after this many milliseconds [default: 10000]",
    )
    if blocking:
        g.add_argument(
            "--blocking-ms",
            type=lambda t: count(t, 1, MAX_BLOCKING_MS),
            metavar="MS",
            help=f"also run one task that computes for MS milliseconds of CPU time without "
                 f"yielding, {blocking} (not part of the answer) [default: none; 1-{MAX_BLOCKING_MS}]",
        )
    else:
        # Any value is refused, in parse(), with one line.
        g.add_argument("--blocking-ms", metavar="MS", help=argparse.SUPPRESS)
    if rate:
        g.add_argument("--rate", type=rate_per_s, metavar="PER_S",
                       help="send at a steady rate instead of as fast as possible (open loop): request i is "
                            "due at start + i/R and its latency counts from then")
        g.add_argument("--duration-s", type=lambda t: count(t, 1, MAX_DURATION_S), metavar="S",
                       help="with --rate: send for S seconds (R x S requests, cycling the list) "
                            "instead of the list x --repeat")
    p.set_defaults(blocking_supported=bool(blocking), rate_supported=rate)


def rate_per_s(text):
    """argparse type of --rate: requests per second above 0, at most concur's maximum."""
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of requests per second") from None
    if not 0 < rate <= MAX_RATE:
        raise argparse.ArgumentTypeError(f"{text} is not in (0, {MAX_RATE:g}] requests per second")
    return rate


def due_s(start, index, rate):
    """When request `index` is due (time.perf_counter), request 0 at `start`."""
    return start + index / rate


def add_squares(p):
    g = p.add_argument_group("squares options (as concur's squares)")
    g.add_argument("--start", type=lambda t: count(t, 0, U64 - 1), default=5_000_000, metavar="N",
                   help="first n; each task sums i*i for i < n [default: 5000000]")
    g.add_argument("--count", type=lambda t: count(t, 1, MAX_TASKS), default=20, metavar="N",
                   help="number of tasks: n runs over start..start+count [default: 20]")


def add_range_sum(p):
    g = p.add_argument_group("range-sum options (as concur's range-sum)")
    g.add_argument("--end", type=lambda t: count(t, 2, MAX_END), default=100_000_000, metavar="N",
                   help="sum the numbers 0..end [default: 100000000]")


def parse(p, argv=None):
    """Parses and validates the options; sets `verbose` and `timeout_s`.
    For download programs, `args.urls` is the request list, in order, exactly
    as concur builds it: the --url pages, then the preset's, all repeated."""
    global verbose, timeout_s
    args = p.parse_args(argv)
    verbose = args.verbose
    if hasattr(args, "preset"):
        if args.blocking_ms is not None and not args.blocking_supported:
            print(f"{p.prog}: error: --blocking-ms: this program has no blocking task (seed000_download_seq.py, "
                  f"seed000_download_threads.py and seed000_download_asyncio.py have one)", file=sys.stderr)
            sys.exit(2)
        args.urls = request_list(p, args)
        timeout_s = args.timeout_ms / 1000
        rated = getattr(args, "rate", None)
        if getattr(args, "duration_s", None) is not None:
            if rated is None:
                p.error("--duration-s needs --rate")
            if "--repeat" in (argv if argv is not None else sys.argv):
                p.error("argument --duration-s: not allowed with argument --repeat")
            pages = args.urls[:len(args.urls) // args.repeat]
            wanted = max(1, math.ceil(rated * args.duration_s))
            if wanted > MAX_REQUESTS:
                p.error(f"--rate for --duration-s: {wanted} requests is more than the {MAX_REQUESTS} allowed")
            args.urls = [pages[i % len(pages)] for i in range(wanted)]
        if rated is not None and args.blocking_ms is not None:
            p.error("--blocking-ms is for batch runs: a task that does not yield would only delay the schedule of --rate")
    sys.excepthook = _one_line_errors
    return args


def request_list(p, args):
    pages = [check_url(p, "--url", url) for url in args.url]
    if args.preset:
        if not args.base:
            p.error("--preset needs --base URL, the address of a running concur-sites")
        base = check_url(p, "--base", args.base).rstrip("/")
        pages += [f"{base}/site/{site}" for site in PRESETS[args.preset]]
    elif args.base:
        p.error("--base only applies with --preset")
    if not pages:
        p.error("download needs pages: give --url or --preset with --base")
    if len(pages) * args.repeat > MAX_REQUESTS:
        p.error(f"--repeat {args.repeat}: {len(pages) * args.repeat} requests is more than the {MAX_REQUESTS} allowed")
    return pages * args.repeat


def check_url(p, option, url):
    """Accepts absolute http://host[:port]/... URLs only, like concur."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        p.error(f"{option} '{url}': needs to start with http:// (pages come from a local concur-sites)")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if not parts.hostname or port == 0:
        p.error(f"{option} '{url}': needs a host and a port in 1-65535")
    return url


def available_cores():
    """The cores this process may run on, as concur's default --workers."""
    return len(os.sched_getaffinity(0))


def gil_enabled():
    """Whether this interpreter has a GIL (free-threaded 3.13+ builds may not)."""
    return getattr(sys, "_is_gil_enabled", lambda: True)()


# --- outcomes ---------------------------------------------------------------

Failure = namedtuple("Failure", "reason")
Failure.__doc__ = "A request that failed: why, in one line."
Fetched = namedtuple("Fetched", "outcome latency_s lag_s", defaults=(0.0,))
Fetched.__doc__ = """What became of one request: `outcome`, its body (bytes) or a
`Failure`, `latency_s`, the seconds from its start (under --rate: from when it
was due) to its whole body read or its failure, and `lag_s`, under --rate how
late it was sent (concur's `Fetched`)."""

# The running request's start (a one-item list, so it can be moved): set by
# `measured` in the request's own context, a thread's or an asyncio task's.
_request_started = contextvars.ContextVar("concur_request_started", default=None)


def reason_of(error):
    text = " ".join(str(error).split())
    return text or type(error).__name__


def measured(fetch):
    """Decorates a seed's fetch function (plain or async): it returns a
    `Fetched`, the body or a `Failure` where it would have raised (any failure
    of one request is that request's), with the request's latency: from the
    call, which is where the request starts, to the return, after the whole
    body is read; failed requests are measured too. The clock is
    `time.perf_counter`, and only differences of it travel, so a worker
    process's are as good as this one's."""
    if inspect.iscoroutinefunction(fetch):
        @functools.wraps(fetch)
        async def fetch_measured(*args, **kwargs):
            started = [time.perf_counter()]
            token = _request_started.set(started)
            try:
                outcome = await fetch(*args, **kwargs)
            except Exception as error:
                outcome = error
            finally:
                _request_started.reset(token)
            return _fetched(started, outcome)
    else:
        @functools.wraps(fetch)
        def fetch_measured(*args, **kwargs):
            started = [time.perf_counter()]
            token = _request_started.set(started)
            try:
                outcome = fetch(*args, **kwargs)
            except Exception as error:
                outcome = error
            finally:
                _request_started.reset(token)
            return _fetched(started, outcome)
    return fetch_measured


def _fetched(started, outcome):
    latency_s = time.perf_counter() - started[0]
    if isinstance(outcome, BaseException):
        outcome = Failure(reason_of(outcome))
    return Fetched(outcome, latency_s, started[1] if len(started) > 1 else 0.0)


def clock_from(due):
    """Under --rate, first thing in a `measured` fetch: its latency counts from
    `due` (wrk2's correction), and how late it was sent is its lag."""
    started = _request_started.get()
    if started is not None:
        started[:] = [due, max(0.0, started[0] - due)]


def restart_clock():
    """Restarts the running request's clock (inside a `measured` fetch): for a
    request that had to wait for a free connection of its client's pool
    (aiohttp's connector limit), called when it gets one, so the wait does not
    count, as concur's async model starts a request's clock once it holds its
    --max-in-flight permit. Outside a measured fetch it does nothing."""
    started = _request_started.get()
    if started is not None:
        started[0] = time.perf_counter()


def spin_cpu(ms):
    """The blocking task of --blocking-ms (concur's `compute_blocking`):
    computes until this thread has used `ms` milliseconds of CPU time, by
    `time.thread_time`, never yielding: no await, no sleep, no I/O, so a
    coroutine keeps its event loop and a thread keeps the GIL but for the
    interpreter's forced switches (`sys.getswitchinterval()`, 5 ms). The clock
    is the thread's CPU time, not the wall clock, so the task is the same work
    however often the kernel or the GIL takes the core away from it. Between
    two readings of the clock, a small pure-Python loop of some tens of
    microseconds; its value is returned."""
    cost = ms / 1e3
    start = time.thread_time()
    x = 0
    while time.thread_time() - start < cost:
        for i in range(256):
            x = (x * 6364136223846793005 + i) & 0xFFFFFFFFFFFFFFFF
    return x


# --- the record -------------------------------------------------------------


def peak_rss_kib():
    """Peak resident memory in KiB: this process's own plus that of its waited-for
    children (for one child, its peak; for several, the largest one's: the
    kernel keeps the maximum, not a sum, so a pool's figure is a lower bound)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own + children


def cpu_ms():
    """CPU time in ms, {"user", "sys"}, as concur's `cpu_ms`: this process's
    own and that of its waited-for children (a pool's workers), all threads."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"user": millis(own.ru_utime + children.ru_utime), "sys": millis(own.ru_stime + children.ru_stime)}


def millis(seconds):
    """Seconds as milliseconds to the microsecond: concur's `record::millis`,
    `(seconds * 1e6).round() / 1e3`, whose round is half away from zero
    (Python's `round` would round a half to even)."""
    micros = seconds * 1e6
    whole = math.floor(micros)
    if micros - whole >= 0.5:  # exact: a float minus its floor
        whole += 1
    return whole / 1e3


def latency_percentiles(latencies_s):
    """The record's `latency_ms` from the latencies in seconds (any order):
    {"p50", "p90", "p99", "p999", "max"} in milliseconds to the microsecond
    (p999: the 99.9th), or None for none. concur's nearest rank
    (shared/src/workload/latency.rs, `LatencyMs::of`): with the n latencies
    sorted in ascending order, the percentile of p per mille is the one at
    rank ceil(p * n / 1000), counting from 1, at least 1, always a measured
    latency and never an interpolation; integer arithmetic, as concur's, so
    90 % of 10 is rank 9 exactly. So p50 <= p90 <= p99 <= p999 <= max, and
    below 100 requests p99 is the max."""
    ordered = sorted(latencies_s)
    if not ordered:
        return None

    def at_rank(per_mille):
        rank = max(1, -(-per_mille * len(ordered) // 1000))
        return millis(ordered[rank - 1])

    return {"p50": at_rank(500), "p90": at_rank(900), "p99": at_rank(990), "p999": at_rank(999),
            "max": millis(ordered[-1])}


def finish(model, workload, *, workers, concurrency, tasks, checksum, elapsed_s, errors=0, problems=(), **fields):
    """Prints the problems on stderr and the record as the last stdout line,
    then exits 0; if any task failed, prints no record on stdout, the partial
    one on stderr after ``PARTIAL_RECORD``, and exits 1, as concur does."""
    record = {
        "model": model,
        "workload": workload,
        "workers": workers,
        "concurrency": concurrency,
        "tasks": tasks,
        "checksum": str(checksum),
        "elapsed_ms": round(elapsed_s * 1e3, 3),
        "peak_rss_kib": peak_rss_kib(),
        "cpu_ms": cpu_ms(),
        "errors": errors,
    }
    record.update(fields)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    line = json.dumps(record, separators=(",", ":"))
    if errors:
        print(PARTIAL_RECORD + line, file=sys.stderr, flush=True)
        sys.exit(1)
    print(line, flush=True)
    sys.exit(0)


# How concur's stderr line with a failed job's partial record begins
# (shared/src/harness.rs): no reader of stdout can take it for a result.
PARTIAL_RECORD = "error: the job failed; its partial record, not a result: "


def finish_cpu(model, workload, results, elapsed_s, *, workers, concurrency, **fields):
    """The record of a CPU job: the checksum is the exact sum of the task results."""
    finish(model, workload, workers=workers, concurrency=concurrency, tasks=len(results),
           checksum=sum(results), elapsed_s=elapsed_s, **fields)


def fnv1a64(data):
    """FNV-1a, 64-bit, over bytes (concur's `fnv1a64`)."""
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) % U64
    return h


def finish_download(model, urls, outcomes, elapsed_s, *, workers, concurrency, blocking_ms=None, rate=None,
                    **fields):
    """The record of a download job. `outcomes[i]` is what became of `urls[i]`:
    a `Fetched` (from a `measured` fetch), or, for a request whose latency was
    never taken (an asyncio task cancelled before it could return), a bare
    exception. The checksum is the wrapping u64 sum of each body's FNV-1a-64;
    every failure counts in `errors` and is named on stderr with its URL.
    `latency_ms` are the percentiles of every measured latency, failed
    requests' included; `blocking_ms` is the --blocking-ms task's length or
    None. With `rate`, the record adds concur's open-loop fields
    (shared/src/workload/rate.rs): offered_rps, achieved_rps, late_starts and
    start_lag_p99_ms."""
    outcomes = list(outcomes)
    if len(outcomes) != len(urls):
        raise RuntimeError(f"wrong answer: {len(outcomes)} outcomes for {len(urls)} requests")
    latencies = [outcome.latency_s for outcome in outcomes if isinstance(outcome, Fetched)]
    if rate is not None:
        fields.update(rate_fields(rate, outcomes))
    outcomes = [outcome.outcome if isinstance(outcome, Fetched) else outcome for outcome in outcomes]
    digests = {}  # body -> FNV: the seeds fetch a few pages many times
    checksum = total_bytes = errors = 0
    problems = []
    for url, outcome in zip(urls, outcomes):
        if isinstance(outcome, (bytes, bytearray)):
            body = bytes(outcome)
            if body not in digests:
                digests[body] = fnv1a64(body)
            checksum = (checksum + digests[body]) % U64
            total_bytes += len(body)
            continue
        errors += 1
        if len(problems) < MAX_REPORTED_FAILURES:
            reason = outcome.reason if isinstance(outcome, Failure) else reason_of(outcome)
            problems.append(f"request failed: GET {url}: {reason}")
    if errors > len(problems):
        problems.append(f"... and {errors - len(problems)} more failed requests")
    finish(model, "download", workers=workers, concurrency=concurrency, tasks=len(urls),
           checksum=checksum, elapsed_s=elapsed_s, errors=errors, problems=problems,
           requests=len(urls), bytes=total_bytes, latency_ms=latency_percentiles(latencies),
           blocking_ms=blocking_ms, **fields)


def rate_fields(rate, outcomes):
    """concur's open-loop fields of a run at `rate` (shared/src/workload/rate.rs,
    `Schedule::fields`): achieved_rps is (answers - 1) over the time from the
    first answer to the last, a request due at i/R and answered after its
    latency from due."""
    answers = [i / rate + o.latency_s for i, o in enumerate(outcomes)
               if isinstance(o, Fetched) and isinstance(o.outcome, (bytes, bytearray))]
    span = max(answers) - min(answers) if answers else 0.0
    lags = sorted(o.lag_s for o in outcomes if isinstance(o, Fetched))
    p99 = millis(lags[max(1, -(-99 * len(lags) // 100)) - 1]) if lags else None
    return {
        "offered_rps": round(rate, 3),
        "achieved_rps": round((len(answers) - 1) / span, 3) if span > 0 else None,
        "late_starts": sum(1 for lag in lags if lag > LATE_S),
        "start_lag_p99_ms": p99,
    }


def _one_line_errors(kind, error, tb):
    """An unexpected exception fails the job (exit 1) with one line on
    stderr, the traceback too with -v."""
    if verbose:
        traceback.print_exception(kind, error, tb)
    print(f"error: {kind.__name__}: {reason_of(error)}", file=sys.stderr)
