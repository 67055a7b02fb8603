"""Seed 000, "Synchronous Version": 160 pages fetched in order through one
requests.Session. The seed printed "Downloaded 160 in 14.289619207382202 seconds".

--blocking-ms MS computes for MS ms of CPU time in line, before the first
request (as concur's seq model): the job is that much longer, no request is
delayed."""
import time

import requests

import concur


@concur.measured
def download_site(url, session):
    with session.get(url, timeout=concur.timeout_s) as response:
        response.raise_for_status()
        concur.say(f"Read {len(response.content)} from {url}")
        return response.content


def download_all_sites(sites, blocking_ms=None):
    if blocking_ms:
        concur.spin_cpu(blocking_ms)
        concur.say(f"blocking task: computed {blocking_ms} ms")
    with requests.Session() as session:
        return [download_site(url, session) for url in sites]


if __name__ == "__main__":
    p = concur.parser(__doc__)
    concur.add_download(p, repeat=80, blocking="in line, before the first request")
    args = concur.parse(p)
    sites = args.urls
    start_time = time.perf_counter()
    bodies = download_all_sites(sites, args.blocking_ms)
    duration = time.perf_counter() - start_time
    concur.say(f"Downloaded {len(sites)} in {duration} seconds")
    concur.finish_download("python-seq", sites, bodies, duration, workers=1, concurrency=1,
                           blocking_ms=args.blocking_ms, http_client="requests")
