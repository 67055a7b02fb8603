"""Seed 000, "threading Version": ThreadPoolExecutor(max_workers=5), one
requests.Session per thread (threading.local). The seed printed
"Downloaded 160 in 3.7238826751708984 seconds"."""
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


@concur.returns_failure
def download_site(url):
    session = get_session()
    with session.get(url, timeout=concur.timeout_s) as response:
        response.raise_for_status()
        concur.say(f"Read {len(response.content)} from {url}")
        return response.content


def download_all_sites(sites, max_workers):
    with concurrent.futures.ThreadPoolExecutor(max_workers=max_workers) as executor:
        return list(executor.map(download_site, sites))


if __name__ == "__main__":
    p = concur.parser(__doc__)
    concur.add_download(p, repeat=80)
    concur.add_workers(p, 5, "threads in the pool, the seed's max_workers")
    args = concur.parse(p)
    sites = args.urls
    start_time = time.perf_counter()
    bodies = download_all_sites(sites, args.workers)
    duration = time.perf_counter() - start_time
    concur.say(f"Downloaded {len(sites)} in {duration} seconds")
    concur.finish_download("python-threads", sites, bodies, duration, workers=args.workers,
                           concurrency=min(args.workers, len(sites)), http_client="requests")
