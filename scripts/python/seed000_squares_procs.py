"""Seed 000's CPU job with multiprocessing.Pool: pool.map(cpu_bound, numbers)
over the 20 numbers 5_000_000 .. 5_000_019. The seed printed
"Duration 2.5175397396087646 seconds".

Workers are forked, as on the seed's systems (Python 3.14 starts them with
forkserver by default, which would make them no children of this process)."""
import multiprocessing
import time

import concur


def cpu_bound(number):
    return sum(i * i for i in range(number))


def find_sums(numbers, processes):
    with multiprocessing.Pool(processes) as pool:
        return pool.map(cpu_bound, numbers)


if __name__ == "__main__":
    p = concur.parser(__doc__)
    concur.add_squares(p)
    concur.add_workers(p, concur.available_cores(), "worker processes; the seed's Pool() took one per core")
    args = concur.parse(p)
    multiprocessing.set_start_method("fork")
    numbers = [args.start + x for x in range(args.count)]

    start_time = time.perf_counter()
    sums = find_sums(numbers, args.workers)
    duration = time.perf_counter() - start_time
    concur.say(f"Duration {duration} seconds")
    concur.finish_cpu("python-procs", "squares", sums, duration, workers=args.workers,
                      concurrency=min(args.workers, len(numbers)))
