"""Seed 000, "Synchronous Version": 160 pages fetched in order through one
requests.Session. The seed printed "Downloaded 160 in 14.289619207382202 seconds"."""
import time

import requests

import concur


@concur.returns_failure
def download_site(url, session):
    with session.get(url, timeout=concur.timeout_s) as response:
        response.raise_for_status()
        concur.say(f"Read {len(response.content)} from {url}")
        return response.content


def download_all_sites(sites):
    with requests.Session() as session:
        return [download_site(url, session) for url in sites]


if __name__ == "__main__":
    p = concur.parser(__doc__)
    concur.add_download(p, repeat=80)
    args = concur.parse(p)
    sites = args.urls
    start_time = time.perf_counter()
    bodies = download_all_sites(sites)
    duration = time.perf_counter() - start_time
    concur.say(f"Downloaded {len(sites)} in {duration} seconds")
    concur.finish_download("python-seq", sites, bodies, duration, workers=1, concurrency=1, http_client="requests")
