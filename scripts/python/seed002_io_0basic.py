"""Seed 002, io/0basic.py: 40 pages (4 sites x 10) fetched in order with
urllib.request.urlopen. The seed printed "duration(s):6.0583".

The seed opened each page and never read it; here each body is read to its
end, as concur does, so the work matches and the checksum can be compared."""
import time
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
urls = concur.parse(p).urls

st = time.perf_counter()
bodies = []
for url in urls:
    bodies.append(fetch(url))

duration = time.perf_counter() - st
concur.say("duration(s):{:.4f}".format(duration))
concur.finish_download('python-seq', urls, bodies, duration, workers=1, concurrency=1, http_client='urllib')
