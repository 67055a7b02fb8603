"""Seed 000, "포인트 전환 로직": convert_points, the point conversion (company A
points -> company B points) that caches each result in a dict so that no
conversion runs twice, called from a thread pool of 8 callers. Two versions,
as in the seed:

  --cache racy    the first convert_points: check the dict, convert, store.
                  Two callers of one amount can both miss and both convert
                  while the lookup sleeps: the record's `duplicates`.
  --cache locked  the seed's fix, `with cache_lock:` around check, convert
                  and store: no duplicates, and every lookup runs alone.

The requests are concur's convert stream (validated as in the seed: an
invalid request raises ValueError), a lookup costs time.sleep(cost_us), like
fetching the rates from a service. The seed printed no timing."""
import concurrent.futures
import threading
import time

import concur
import concur_convert
from concur_convert import Rejected, validate

conversion_cache = {}
cache_lock = threading.Lock()
lookup_cost_s = 0.001
conversions = []  # every amount perform_conversion converted: the lookups run


def convert_points(request):
    company_a_points = validate(request)  # raises Rejected, a ValueError
    if company_a_points in conversion_cache:
        return conversion_cache[company_a_points]

    # Perform the conversion logic here
    company_b_points = perform_conversion(company_a_points)

    # Cache the result
    conversion_cache[company_a_points] = company_b_points

    return company_b_points


def convert_points_locked(request):
    company_a_points = validate(request)  # raises Rejected, a ValueError
    with cache_lock:
        if company_a_points in conversion_cache:
            return conversion_cache[company_a_points]

        # Perform the conversion logic here
        company_b_points = perform_conversion(company_a_points)

        # Cache the result
        conversion_cache[company_a_points] = company_b_points

    return company_b_points


def perform_conversion(points):
    time.sleep(lookup_cost_s)  # fetching the conversion rates
    conversions.append(points)
    return concur_convert.convert(points)


CONVERTERS = {"racy": convert_points, "locked": convert_points_locked}


def serve(request):
    """One caller's request through the chosen convert_points: the B points,
    or the rejection."""
    try:
        return convert(request)
    except Rejected as rejection:
        return rejection


if __name__ == "__main__":
    p = concur.parser(__doc__)
    concur_convert.add_options(p)
    p.add_argument("--cache", choices=sorted(CONVERTERS), required=True,
                   help="racy: the seed's convert_points; locked: with the seed's threading.Lock")
    concur.add_workers(p, 8, "callers: threads in the pool calling convert_points")
    args = concur.parse(p)
    requests = concur_convert.requests_of(p, args)
    lookup_cost_s = args.cost_us / 1e6
    convert = CONVERTERS[args.cache]

    start_time = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as executor:
        outcomes = list(executor.map(serve, requests))
    duration = time.perf_counter() - start_time
    for index, (request, outcome) in enumerate(zip(requests, outcomes)):
        concur.say(concur_convert.describe(index, request, outcome))
    concur_convert.finish("python-threads", requests, outcomes, conversions, duration,
                          workers=args.workers, concurrency=args.workers, cache=args.cache, cost_us=args.cost_us)
