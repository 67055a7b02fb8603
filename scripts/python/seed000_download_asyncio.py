"""Seed 000, "asyncio Version": one aiohttp.ClientSession, every page a task,
all awaited with asyncio.gather. The seed printed
"Downloaded 160 in 2.5727896690368652 seconds".

aiohttp's session opens at most 100 connections at once (its connector's
default limit), so at most 100 requests are in flight: `concurrency`."""
import asyncio
import time

import aiohttp

import concur


async def download_site(session, url):
    async with session.get(url) as response:
        response.raise_for_status()
        body = await response.read()
        concur.say("Read {0} from {1}".format(response.content_length, url))
        return body


async def download_all_sites(sites):
    timeout = aiohttp.ClientTimeout(total=concur.timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        tasks = []
        for url in sites:
            task = asyncio.ensure_future(download_site(session, url))
            tasks.append(task)
        # return_exceptions: a failed request's exception is its outcome.
        return await asyncio.gather(*tasks, return_exceptions=True), session.connector.limit


if __name__ == "__main__":
    p = concur.parser(__doc__)
    concur.add_download(p, repeat=80)
    args = concur.parse(p)
    sites = args.urls
    start_time = time.perf_counter()
    bodies, limit = asyncio.run(download_all_sites(sites))
    duration = time.perf_counter() - start_time
    concur.say(f"Downloaded {len(sites)} sites in {duration} seconds")
    concur.finish_download("python-asyncio", sites, bodies, duration, workers=1,
                           concurrency=min(limit or len(sites), len(sites)), http_client="aiohttp")
