"""Seed 000, "multiprocessing Version": multiprocessing.Pool, one
requests.Session per worker process (set by the pool's initializer). The seed
printed "Downloaded 160 in 5.718175172805786 seconds".

Workers are forked, as on the seed's systems (Python 3.14 starts them with
forkserver by default, which would make them no children of this process)."""
import multiprocessing
import time

import requests

import concur

session = None


def set_global_session():
    global session
    if not session:
        session = requests.Session()


@concur.measured
def download_site(url):
    with session.get(url, timeout=concur.timeout_s) as response:
        response.raise_for_status()
        name = multiprocessing.current_process().name
        concur.say(f"{name}:Read {len(response.content)} from {url}")
        return response.content


def download_all_sites(sites, processes):
    with multiprocessing.Pool(processes, initializer=set_global_session) as pool:
        return pool.map(download_site, sites)


if __name__ == "__main__":
    p = concur.parser(__doc__)
    concur.add_download(p, repeat=80)
    concur.add_workers(p, concur.available_cores(), "worker processes; the seed's Pool() took one per core")
    args = concur.parse(p)
    multiprocessing.set_start_method("fork")
    sites = args.urls
    start_time = time.perf_counter()
    bodies = download_all_sites(sites, args.workers)
    duration = time.perf_counter() - start_time
    concur.say(f"Downloaded {len(sites)} in {duration} seconds")
    concur.finish_download("python-procs", sites, bodies, duration, workers=args.workers,
                           concurrency=min(args.workers, len(sites)), http_client="requests")
