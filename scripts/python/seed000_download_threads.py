"""Seed 000, "threading Version": ThreadPoolExecutor(max_workers=5), one
requests.Session per thread (threading.local). The seed printed
"Downloaded 160 in 3.7238826751708984 seconds".

--blocking-ms MS adds one more threading.Thread, not one of the pool's, that
computes for MS ms of CPU time in pure Python, started just before the pool's
tasks and joined before the clock stops (as concur's threads model): it holds
the GIL but for the interpreter's forced switches, every 5 ms, so the
workers get it back between two of its turns instead of after all of it.

--rate R sends open loop, as concur's threads model does: the main thread
hands each request to the pool when it is due, and a request's latency counts
from when it was due, its wait for a free worker included."""
import concurrent.futures
import threading
import time

import requests

import concur

thread_local = threading.local()


def get_session():
    if not hasattr(thread_local, "session"):
        thread_local.session = requests.Session()
    return thread_local.session


@concur.measured
def download_site(url, due=None):
    if due is not None:
        concur.clock_from(due)
    session = get_session()
    with session.get(url, timeout=concur.timeout_s) as response:
        response.raise_for_status()
        concur.say(f"Read {len(response.content)} from {url}")
        return response.content


def compute_blocking(ms):
    concur.spin_cpu(ms)
    concur.say(f"blocking thread: computed {ms} ms")


def submit_when_due(executor, sites, rate):
    """Hands each request to the pool when it is due; the futures, in order."""
    futures = []
    start = time.perf_counter()
    for index, url in enumerate(sites):
        due = concur.due_s(start, index, rate)
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        futures.append(executor.submit(download_site, url, due))
    return futures


def download_all_sites(sites, max_workers, blocking_ms=None, rate=None):
    blocking = None
    with concurrent.futures.ThreadPoolExecutor(max_workers=max_workers) as executor:
        if blocking_ms:
            blocking = threading.Thread(target=compute_blocking, args=(blocking_ms,), name="blocking")
            blocking.start()
        if rate:
            bodies = [future.result() for future in submit_when_due(executor, sites, rate)]
        else:
            bodies = list(executor.map(download_site, sites))
    if blocking:
        blocking.join()
    return bodies


if __name__ == "__main__":
    p = concur.parser(__doc__)
    concur.add_download(p, repeat=80, blocking="a thread of its own, started just before the pool's tasks",
                        rate=True)
    concur.add_workers(p, 5, "threads in the pool, the seed's max_workers")
    args = concur.parse(p)
    sites = args.urls
    start_time = time.perf_counter()
    bodies = download_all_sites(sites, args.workers, args.blocking_ms, args.rate)
    duration = time.perf_counter() - start_time
    concur.say(f"Downloaded {len(sites)} in {duration} seconds")
    concur.finish_download("python-threads", sites, bodies, duration, workers=args.workers,
                           concurrency=min(args.workers, len(sites)), blocking_ms=args.blocking_ms,
                           rate=args.rate, http_client="requests")
