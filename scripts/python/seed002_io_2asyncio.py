"""Seed 002, io/2asyncio.py: the 40 pages as coroutines on one asyncio event
loop, each with aiohttp.request, all awaited with asyncio.wait. The seed
printed "duration(s):0.8603".

Written for today's asyncio: the seed's `@asyncio.coroutine` generator with
`yield from` (removed in Python 3.11) is an `async def` with `await`, and
asyncio.wait is handed tasks, as it no longer accepts bare coroutines. The
seed closed each response unread; here each body is read to its end, as
concur does. aiohttp.request opens a session of its own per call, so nothing
caps the requests in flight: `concurrency` is all of them."""
import asyncio
import time

import aiohttp

import concur


@concur.measured
async def fetch(url):
    concur.say(f'Start with {url}')
    timeout = aiohttp.ClientTimeout(total=concur.timeout_s)
    async with aiohttp.request('GET', url, timeout=timeout) as res:
        res.raise_for_status()
        body = await res.read()
    concur.say(f'End {url}')
    return body


def fetch_all(urls):
    loop = asyncio.new_event_loop()
    fetchs = [loop.create_task(fetch(url)) for url in urls]
    wait_coro = asyncio.wait(fetchs)
    loop.run_until_complete(wait_coro)
    loop.close()
    return [task.result() for task in fetchs]


p = concur.parser(__doc__)
concur.add_download(p, repeat=10)
urls = concur.parse(p).urls

st = time.perf_counter()
bodies = fetch_all(urls)
duration = time.perf_counter() - st
concur.say("duration(s):{:.4f}".format(duration))
concur.finish_download('python-asyncio', urls, bodies, duration, workers=1, concurrency=len(urls),
                       http_client='aiohttp')
