"""Seed 002, cpu/0basic.py: the sum of 0 .. 100000000 in one loop, no
concurrency. The seed printed "== sum:4999999950000000 running time 8.6880s"."""
import time

import concur


def do_work(start, end, result):
    sum = 0
    for i in range(start, end):
        sum += i
    result['sum'] = sum


if __name__ == '__main__':
    p = concur.parser(__doc__)
    concur.add_range_sum(p)
    args = concur.parse(p)
    START, END = 0, args.end
    result = {}
    st = time.perf_counter()
    do_work(START, END, result)
    duration = time.perf_counter() - st
    concur.say('== sum:{} running time {:.4f}s'.format(result['sum'], duration))
    concur.finish_cpu('python-seq', 'range-sum', [result['sum']], duration, workers=1, concurrency=1)
