#!/usr/bin/env python3
"""Checks what two quick compare.sh runs wrote, as .ci/run's step says:
every JSON file parses; every workload has its tables, chart and README
section with agreeing checksums; cluster's rows agree too; convert marks the
variants that convert twice; the second run (--baseline the first) has a vs-baseline figure per
variant; the findings block of a README copy was regenerated, nothing else.

Usage: check_compare.py QUICK_OUT AGAIN_OUT README README_COPY
"""
import csv
import json
import pathlib
import sys

out, again = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
original, copy = pathlib.Path(sys.argv[3]).read_text(), pathlib.Path(sys.argv[4]).read_text()

for directory in (out, again):
    for path in directory.rglob("*.json"):
        json.loads(path.read_text())
    for line in (directory / "records.jsonl").read_text().splitlines():
        json.loads(line)

params = json.loads((out / "params.json").read_text())
workloads = list(params["workloads"])
assert params.get("idle"), "params.json does not say what idle CPUs did"
readme = (out / "README.md").read_text()
assert "| idle CPUs |" in readme, "README lacks the idle CPUs row"
machine = json.loads((out / "machine.json").read_text())
records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines() if line.strip()]
rows = list(csv.DictReader((out / "summary.csv").open()))
for workload in workloads:
    timed = json.loads((out / f"{workload}.json").read_text())["results"]
    mine = [r for r in rows if r["workload"] == workload]
    assert timed and len(mine) == len(timed), f"{workload}: {len(timed)} timed, {len(mine)} summary rows"
    assert all(r["checksum_agrees"] in ("true", "") for r in mine), f"{workload}: a checksum disagrees"
    assert (out / f"{workload}.svg").read_text().lstrip().startswith("<svg"), f"{workload}.svg"
    assert (out / f"{workload}.csv").exists() and (out / f"{workload}.md").exists()
    assert f"## {workload}" in readme, f"README lacks {workload}"
assert len(records) == len(rows), f"{len(records)} records, {len(rows)} rows"

# Cost: every concur variant's CPU time, and a download's CPU per request on both ends.
def positive(cell):
    return bool(cell) and float(cell) > 0
for row in rows:
    if row["workload"] not in ("seeds",) and not row["variant"].startswith("python"):
        assert positive(row["cpu_ms"]), f"{row['workload']} {row['variant']}: cpu_ms {row['cpu_ms']!r}"
    if row["workload"] == "download":
        for side in ("client", "server"):
            cell = row[f"{side}_cpu_us_per_request"]
            assert positive(cell), f"download {row['variant']}: {side} CPU per request {cell!r}"

# convert: a variant that converts twice fails its rule, whatever its outputs.
for row in (r for r in rows if r["workload"] == "convert"):
    twice = int(row["duplicates"] or 0) > 0
    assert row["rule_ok"] == ("false" if twice else "true"), f"convert {row['variant']}: {row}"
# The fifth model: its rows in every workload it runs, answers agreeing, and in
# convert by key no key converted twice.
for workload in ("squares", "range-sum", "download", "convert"):
    cluster = [r for r in rows if r["workload"] == workload and r["variant"].startswith("cluster")]
    assert cluster and all(r["checksum_agrees"] == "true" for r in cluster), f"{workload}: cluster {cluster}"
cluster_convert = [r for r in rows if r["workload"] == "convert" and r["variant"] == "cluster by-key"]
assert cluster_convert[0]["rule_ok"] == "true", f"cluster by-key converted twice: {cluster_convert}"
racy = [r for r in rows if r["workload"] == "convert" and "racy" in r["variant"]]
assert racy and all(r["rule_ok"] == "false" for r in racy), "racy is not marked as converting twice"
assert "converts twice" in readme, "the README does not mark converting twice"

# The second run's baseline column.
again_rows = list(csv.DictReader((again / "summary.csv").open()))
assert again_rows and all(r["vs_baseline"] for r in again_rows), "a variant lacks its vs baseline figure"
assert "vs baseline" in (again / "README.md").read_text(), "README lacks the vs baseline column"

# The findings block, regenerated into a copy of README.md.
start, end = "<!-- findings:start -->", "<!-- findings:end -->"
assert copy.count(start) == 1 and copy.count(end) == 1, "findings markers lost"
assert copy.split(start)[0] == original.split(start)[0], "text before the findings block changed"
assert copy.split(end)[1] == original.split(end)[1], "text after the findings block changed"
assert machine["date"][:10] in copy.split(start)[1], "the findings block does not carry the quick run's date"

print(f"ok: {len(workloads)} workloads, {len(rows)} variants, checksums agree; "
      "the convert rule, the baseline column and the findings block checked")
