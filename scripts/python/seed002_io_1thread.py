"""Seed 002, io/1thread.py: the 40 pages with urlopen on a
ThreadPoolExecutor of NUM_WORKERS = 4 threads. The seed printed
"duration(s):1.6696, NUM_WORKERS:4".

The seed opened each page and never read it; here each body is read to its
end, as concur does, so the work matches and the checksum can be compared."""
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.request import urlopen

import concur


@concur.measured
def fetch(url):
    concur.say(f'Start with {url}')
    with urlopen(url, timeout=concur.timeout_s) as response:
        body = response.read()
    concur.say(f'End {url}')
    return body


p = concur.parser(__doc__)
concur.add_download(p, repeat=10)
concur.add_workers(p, 4, "threads in the pool, the seed's NUM_WORKERS")
args = concur.parse(p)
urls, NUM_WORKERS = args.urls, args.workers

st = time.perf_counter()

with ThreadPoolExecutor(max_workers=NUM_WORKERS) as th:
    futures = []
    for url in urls:
        futures.append(th.submit(fetch, url))

duration = time.perf_counter() - st
concur.say("duration(s):{:.4f}, NUM_WORKERS:{}".format(duration, NUM_WORKERS))
concur.finish_download('python-threads', urls, [f.result() for f in futures], duration,
                       workers=NUM_WORKERS, concurrency=min(NUM_WORKERS, len(urls)), http_client='urllib')
