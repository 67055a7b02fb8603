#!/usr/bin/env python3
"""Checks what sweep.sh --quick wrote: every JSON file parses, every sweep has
one CSV row per point, a chart, and its place in the README.

Usage: check_sweeps.py OUT
"""
import csv
import json
import pathlib
import sys

out = pathlib.Path(sys.argv[1])
for path in out.rglob("*.json"):
    json.loads(path.read_text())
records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines() if line.strip()]
sweeps = sorted({r["sweep"] for r in records})
readme = (out / "README.md").read_text()
for sweep in sweeps:
    rows = list(csv.DictReader((out / f"{sweep}.csv").open()))
    points = [r for r in records if r["sweep"] == sweep]
    assert rows and len(rows) == len(points), f"{sweep}: {len(points)} points, {len(rows)} rows"
    assert (out / f"{sweep}.svg").read_text().lstrip().startswith("<svg"), f"{sweep}.svg"
    assert f"{sweep}.svg" in readme, f"README lacks the {sweep} chart"
print(f"ok: {len(sweeps)} sweeps, {len(records)} points")
