"""Seed 000, "asyncio Version": one aiohttp.ClientSession, every page a task,
all awaited with asyncio.gather. The seed printed
"Downloaded 160 in 2.5727896690368652 seconds".

aiohttp's session opens at most 100 connections at once (its connector's
default limit), so at most 100 requests are in flight: `concurrency`. A
request's latency starts when its task starts, or, if it had to wait for one
of the 100 connections, when it got one (a trace of the connector's queue),
as concur's async model starts the clock once a request holds its
--max-in-flight permit.

--blocking-ms MS adds one more coroutine that computes for MS ms of CPU time
and never awaits, gathered with the request tasks and created after them (as
concur's async model spawns its blocking task after the request tasks): the
requests start, reach their first await, and then the whole event loop,
sockets included, waits until the coroutine is done.

--rate R sends open loop, as concur's async model does: the main coroutine
creates each request's task when it is due (asyncio.sleep until then), and a
request's latency counts from when it was due, its wait for a connection
included. --loop uvloop runs the same program on uvloop's event loop
(libuv) instead of asyncio's own."""
import asyncio
import time

import aiohttp

import concur


@concur.measured
async def download_site(session, url, due=None):
    if due is not None:
        concur.clock_from(due)
    async with session.get(url) as response:
        response.raise_for_status()
        body = await response.read()
        concur.say("Read {0} from {1}".format(response.content_length, url))
        return body


async def compute_blocking(ms):
    # No await: while this computes, the event loop runs nothing else.
    concur.spin_cpu(ms)
    concur.say(f"blocking coroutine: computed {ms} ms")


def connection_queue_trace():
    """A request that waited for a free connection restarts its clock when it
    gets one (concur.restart_clock, in the request task's own context)."""
    async def on_connection_queued_end(session, context, params):
        concur.restart_clock()

    trace = aiohttp.TraceConfig()
    trace.on_connection_queued_end.append(on_connection_queued_end)
    return trace


async def download_all_sites(sites, blocking_ms=None, rate=None):
    timeout = aiohttp.ClientTimeout(total=concur.timeout_s)
    # Under --rate the wait for a connection is part of a request's latency.
    traces = [] if rate else [connection_queue_trace()]
    async with aiohttp.ClientSession(timeout=timeout, trace_configs=traces) as session:
        tasks = []
        start = time.perf_counter()
        for index, url in enumerate(sites):
            due = concur.due_s(start, index, rate) if rate else None
            if due is not None and due > time.perf_counter():
                await asyncio.sleep(due - time.perf_counter())
            task = asyncio.ensure_future(download_site(session, url, due))
            tasks.append(task)
        if blocking_ms:
            # Created last, so the event loop runs it after every request
            # task's first step: the requests have started.
            tasks.append(asyncio.ensure_future(compute_blocking(blocking_ms)))
        # return_exceptions: a failed request's exception is its outcome.
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        return outcomes[:len(sites)], session.connector.limit


if __name__ == "__main__":
    p = concur.parser(__doc__)
    concur.add_download(p, repeat=80, blocking="a coroutine gathered with the requests, started after them",
                        rate=True)
    p.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio",
                   help="the event loop: asyncio's own, or uvloop's [default: asyncio]")
    args = concur.parse(p)
    sites = args.urls
    run = asyncio.run
    if args.loop == "uvloop":
        import uvloop
        run = uvloop.run
    start_time = time.perf_counter()
    bodies, limit = run(download_all_sites(sites, args.blocking_ms, args.rate))
    duration = time.perf_counter() - start_time
    concur.say(f"Downloaded {len(sites)} sites in {duration} seconds")
    concur.finish_download("python-asyncio" if args.loop == "asyncio" else "python-uvloop", sites, bodies,
                           duration, workers=1, concurrency=min(limit or len(sites), len(sites)),
                           blocking_ms=args.blocking_ms, rate=args.rate, http_client="aiohttp")
