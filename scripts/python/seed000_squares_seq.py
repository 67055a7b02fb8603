"""Seed 000's CPU job run plainly: sum(i * i for i in range(n)) for the 20 numbers
5_000_000 .. 5_000_019, one after another. The seed printed
"Duration 10.407078266143799 seconds (단순 실행시)", run without the pool."""
import time

import concur


def cpu_bound(number):
    return sum(i * i for i in range(number))


def find_sums(numbers):
    return [cpu_bound(number) for number in numbers]


if __name__ == "__main__":
    p = concur.parser(__doc__)
    concur.add_squares(p)
    args = concur.parse(p)
    numbers = [args.start + x for x in range(args.count)]

    start_time = time.perf_counter()
    sums = find_sums(numbers)
    duration = time.perf_counter() - start_time
    concur.say(f"Duration {duration} seconds")
    concur.finish_cpu("python-seq", "squares", sums, duration, workers=1, concurrency=1)
