"""Seed 000's CPU job in CPython, for scripts/targets.sh: sum(i*i for i in
range(n)) for n in 5_000_000 .. 5_000_019, one after another, checked against
concur's reference answer."""
import sys

START, COUNT = 5_000_000, 20
total = sum(sum(i * i for i in range(n)) for n in range(START, START + COUNT))
if total != 833337833344750010830:
    sys.exit(f"wrong answer: {total}")
