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
sockets included, waits until the coroutine is done."""
import asyncio
import time

import aiohttp

import concur


@concur.measured
async def download_site(session, url):
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


async def download_all_sites(sites, blocking_ms=None):
    timeout = aiohttp.ClientTimeout(total=concur.timeout_s)
    async with aiohttp.ClientSession(timeout=timeout, trace_configs=[connection_queue_trace()]) as session:
        tasks = []
        for url in sites:
            task = asyncio.ensure_future(download_site(session, url))
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
    concur.add_download(p, repeat=80, blocking="a coroutine gathered with the requests, started after them")
    args = concur.parse(p)
    sites = args.urls
    start_time = time.perf_counter()
    bodies, limit = asyncio.run(download_all_sites(sites, args.blocking_ms))
    duration = time.perf_counter() - start_time
    concur.say(f"Downloaded {len(sites)} sites in {duration} seconds")
    concur.finish_download("python-asyncio", sites, bodies, duration, workers=1,
                           concurrency=min(limit or len(sites), len(sites)), blocking_ms=args.blocking_ms,
                           http_client="aiohttp")
