"""Seed 002, cpu/1thread.py: the same sum split in two halves, one
threading.Thread each. Under the GIL only one of them runs at a time
(`concurrency` 1). The seed printed
"==sum:4999999950000000, running time 8.9179s"."""
import time
from threading import Thread

import concur


def do_work(start, end, result):
    sum = 0
    for i in range(start, end):
        sum += i
    result.append(sum)


if __name__ == "__main__":
    p = concur.parser(__doc__)
    concur.add_range_sum(p)
    args = concur.parse(p)
    START, END = 0, args.end
    result = list()
    st = time.perf_counter()
    th1 = Thread(target=do_work, args=(START, int(END/2), result))
    th2 = Thread(target=do_work, args=(int(END/2), END, result))
    th1.start()
    th2.start()
    th1.join()
    th2.join()
    duration = time.perf_counter() - st
    concur.say('==sum:{}, running time {:.4f}s'.format(sum(result), duration))
    gil = concur.gil_enabled()
    concur.finish_cpu('python-threads', 'range-sum', result, duration, workers=2,
                      concurrency=1 if gil else 2, gil=gil)
