"""concur's side of the seeds' Python programs: the options they share, the
result record they print, and the download checksum.

Each seed program keeps the seed's own structure and libraries; everything it
needs to take part in concur's comparison lives here, once:

- options: ``parser`` plus ``add_download``/``add_squares``/``add_range_sum``/
  ``add_workers``, and ``parse``, which validates them (a usage error exits 2,
  as argparse does);
- ``say``: the seeds' per-task lines, on stderr and only with ``-v``, so stdout
  carries nothing but the record;
- ``returns_failure``: a failed request becomes a ``Failure`` value instead of
  an exception, so one failure does not stop the other requests and the
  outcome survives the trip back from a worker process;
- ``finish_download``/``finish_cpu``/``finish``: the record as the last stdout
  line, concur's contract (``model``, ``workload``, ``workers``,
  ``concurrency``, ``tasks``, ``checksum`` as a decimal string, ``elapsed_ms``,
  ``peak_rss_kib``, ``errors``, then the workload's fields), and the exit
  status: 0 ok, 1 the job failed, 2 usage error.

The download checksum is concur's (shared/src/workload/download.rs): the
wrapping u64 sum of FNV-1a-64 over each whole body. It is computed after the
clock stops, from the bodies the program kept: FNV in pure Python costs about
0.1 us a byte, which would add ~0.1 s to the 160-page job, several times the
asyncio version's whole work at 50 ms latency.
"""

import argparse
import functools
import inspect
import json
import os
import resource
import sys
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


def add_download(p, repeat):
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
        args.urls = request_list(p, args)
        timeout_s = args.timeout_ms / 1000
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


def reason_of(error):
    text = " ".join(str(error).split())
    return text or type(error).__name__


def returns_failure(fetch):
    """Decorates a seed's fetch function (plain or async): it returns the body
    as before, or a `Failure` where it would have raised."""
    if inspect.iscoroutinefunction(fetch):
        @functools.wraps(fetch)
        async def fetch_or_failure(*args, **kwargs):
            try:
                return await fetch(*args, **kwargs)
            except Exception as error:  # any failure of one request is that request's
                return Failure(reason_of(error))
    else:
        @functools.wraps(fetch)
        def fetch_or_failure(*args, **kwargs):
            try:
                return fetch(*args, **kwargs)
            except Exception as error:  # any failure of one request is that request's
                return Failure(reason_of(error))
    return fetch_or_failure


# --- the record -------------------------------------------------------------


def peak_rss_kib():
    """Peak resident memory in KiB: this process's own plus that of its waited-for
    children (for one child, its peak; for several, the largest one's: the
    kernel keeps the maximum, not a sum, so a pool's figure is a lower bound)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own + children


def finish(model, workload, *, workers, concurrency, tasks, checksum, elapsed_s, errors=0, problems=(), **fields):
    """Prints the problems on stderr and the record as the last stdout line,
    then exits: 1 if any task failed, else 0."""
    record = {
        "model": model,
        "workload": workload,
        "workers": workers,
        "concurrency": concurrency,
        "tasks": tasks,
        "checksum": str(checksum),
        "elapsed_ms": round(elapsed_s * 1e3, 3),
        "peak_rss_kib": peak_rss_kib(),
        "errors": errors,
    }
    record.update(fields)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    print(json.dumps(record, separators=(",", ":")), flush=True)
    sys.exit(1 if errors else 0)


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


def finish_download(model, urls, outcomes, elapsed_s, *, workers, concurrency, **fields):
    """The record of a download job. `outcomes[i]` is what became of `urls[i]`:
    its body (bytes), or a `Failure` or an exception. The checksum is the
    wrapping u64 sum of each body's FNV-1a-64; every failure counts in
    `errors` and is named on stderr with its URL."""
    outcomes = list(outcomes)
    if len(outcomes) != len(urls):
        raise RuntimeError(f"wrong answer: {len(outcomes)} outcomes for {len(urls)} requests")
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
           requests=len(urls), bytes=total_bytes, **fields)


def _one_line_errors(kind, error, tb):
    """An unexpected exception fails the job (exit 1) with one line on
    stderr, the traceback too with -v."""
    if verbose:
        traceback.print_exception(kind, error, tb)
    print(f"error: {kind.__name__}: {reason_of(error)}", file=sys.stderr)
