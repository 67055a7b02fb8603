#!/usr/bin/env python3
"""Checks that no reference dangles: every relative Markdown link in the
README, docs/, scripts/ and results/ pages points at a file that exists (and,
with `#anchor`, at a heading of that file), and every `docs/*.md` a source
file or script names exists.

Exits 1 naming every dangling reference.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "scripts").rglob("*.md"),
         *(ROOT / "results").rglob("README.md")]
CODE = [p for d in ("shared", "seq", "threads", "async", "procs", "sites", "report", "testkit", "scripts")
        for p in (ROOT / d).rglob("*") if p.suffix in (".rs", ".sh", ".py", ".toml") and "fixtures" not in p.parts]
CODE += [ROOT / "Cargo.toml"]


def anchors(path):
    """GitHub's heading anchors of a Markdown file."""
    found = set()
    for line in path.read_text().splitlines():
        m = re.match(r"^#+\s+(.*)", line)
        if m:
            text = re.sub(r"[`*_\[\]()]", "", m.group(1)).strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return found


problems = []
for page in PAGES:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        file, _, anchor = target.partition("#")
        path = (page.parent / file).resolve()
        if not path.exists():
            problems.append(f"{page.relative_to(ROOT)}: link to {target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            problems.append(f"{page.relative_to(ROOT)}: link to {target}: no such heading")
for path in CODE:
    for doc, anchor in re.findall(r"\b(docs/[\w\-]+\.md)(?:#([\w\-]+))?", path.read_text(errors="replace")):
        target = ROOT / doc
        if not target.exists():
            problems.append(f"{path.relative_to(ROOT)}: names {doc}: no such file")
        elif anchor and anchor not in anchors(target):
            problems.append(f"{path.relative_to(ROOT)}: names {doc}#{anchor}: no such heading")
for problem in problems:
    print(problem)
if problems:
    sys.exit(1)
print(f"ok: {len(PAGES)} pages and {len(CODE)} source files, no dangling reference")
