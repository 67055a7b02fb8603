"""Seed 002, cpu/2process.py: the same sum split in two halves, one
multiprocessing.Process each, the partial sums sent back through a Queue.
The seed printed "==sum:4999999950000000, running time 3.9502s" (as a comment).

The processes are forked, as on the seed's systems (Python 3.14 starts them
with forkserver by default, which would make them no children of this process)."""
import multiprocessing
import time
from multiprocessing import Process, Queue

import concur


def do_work(start, end, result):
    sum = 0
    for i in range(int(start), int(end)):
        sum += i
    result.put(sum)
    return


if __name__ == '__main__':
    p = concur.parser(__doc__)
    concur.add_range_sum(p)
    args = concur.parse(p)
    multiprocessing.set_start_method('fork')
    START, END = 0, args.end
    result = Queue()
    st = time.perf_counter()
    pr1 = Process(target=do_work, args=(START, END / 2, result))
    pr2 = Process(target=do_work, args=(END / 2, END, result))
    pr1.start()
    pr2.start()
    pr1.join()
    pr2.join()
    result.put('STOP')
    sums = []
    while True:
        tmp = result.get()
        if tmp == 'STOP': break
        else: sums.append(tmp)

    duration = time.perf_counter() - st
    concur.say('==sum:{}, running time {:.4f}s'.format(sum(sums), duration))
    if pr1.exitcode or pr2.exitcode:
        raise RuntimeError(f'a worker process failed: exit codes {pr1.exitcode}, {pr2.exitcode}')
    concur.finish_cpu('python-procs', 'range-sum', sums, duration, workers=2, concurrency=2)
