#!/usr/bin/env python3
"""Checks what sweep.sh --quick wrote: every JSON file parses, every sweep has
one CSV row per point, a chart, and its section in the README; tasksize.csv
ends with the fit's columns; no number is a negative zero; every point has
its CPU time, and the download points their CPU per request on both ends;
every inflight and latency point its CPU bound beside its latency bound, its
ideal the larger of the two, and which one binds; every rate point its
achieved rate and p99; every tasks and inflight point its page tables; every cluster point of 2 or more processes its bytes
exchanged and its speedup.

Usage: check_sweeps.py OUT
"""
import csv
import json
import pathlib
import re
import sys

out = pathlib.Path(sys.argv[1])
for path in out.rglob("*.json"):
    json.loads(path.read_text())
records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines() if line.strip()]
sweeps = sorted({r["sweep"] for r in records})
readme = (out / "README.md").read_text()
negative_zero = re.compile(r"(?<![\w.])-0(\.0+)?(?![\w.])")
for sweep in sweeps:
    with (out / f"{sweep}.csv").open() as file:
        reader = csv.DictReader(file)
        rows = list(reader)
        columns = reader.fieldnames or []
    points = [r for r in records if r["sweep"] == sweep]
    assert rows and len(rows) == len(points), f"{sweep}: {len(points)} points, {len(rows)} rows"
    assert (out / f"{sweep}.svg").read_text().lstrip().startswith("<svg"), f"{sweep}.svg"
    assert f"## {sweep}\n" in readme and f"({sweep}.svg)" in readme, f"README lacks the {sweep} section"
    if sweep == "tasksize":
        assert columns[-3:] == ["fit_per_task_us", "fit_startup_ms", "bound"], columns
    for row in rows:
        assert not any(negative_zero.fullmatch(cell or "") for cell in row.values()), f"{sweep}: {row}"
        # Cost: CPU time of every point, and a download point's CPU per request on both ends.
        assert float(row["cpu_ms"] or 0) > 0, f"{sweep}: cpu_ms {row}"
        if sweep in ("tasks", "inflight"):
            assert float(row["page_tables_kib"] or 0) > 0, f"{sweep}: page_tables_kib {row}"
        if sweep == "rate":
            for column in ("achieved_rps", "p99_ms"):
                assert row[column] and float(row[column]) > 0, f"rate: {column} {row}"
        if sweep == "processes" and row["variant"].startswith("cluster") and float(row["value"]) >= 2:
            assert int(row["bytes_exchanged"] or 0) > 0, f"processes: nothing crossed {row}"
            assert row["speedup_vs_seq"] and float(row["speedup_vs_seq"]) > 0, f"processes: {row}"
        if sweep in ("inflight", "latency"):
            for side in ("client", "server"):
                cell = row[f"{side}_cpu_us_per_request"]
                assert cell and float(cell) > 0, f"{sweep}: {side} CPU per request {row}"
            latency, cpu = float(row["latency_bound_s"]), float(row["cpu_bound_s"])
            assert cpu > 0 and latency >= 0, f"{sweep}: bounds {row}"
            assert abs(float(row["ideal_s"]) - max(latency, cpu)) <= 1e-5 * max(latency, cpu), row
            assert row["bound"] == ("CPU" if cpu > latency else "latency"), f"{sweep}: bound {row}"
spread = [r for r in records if "--connections 4" in r["command"]]
assert all(r["record"]["connections"] == 4 for r in spread), "a record lacks its connections"
assert not negative_zero.search(readme), "README shows a negative zero"
print(f"ok: {len(sweeps)} sweeps, {len(records)} points")
