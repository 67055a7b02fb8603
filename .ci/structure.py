#!/usr/bin/env python3
"""Checks the workspace's shape: no module import cycle inside any crate, no
non-test source file over 500 lines, no function over 80 lines, no dependency
a crate declares but never names in its code, and the report crate within its
line budget (its Rust without tests, plus its templates; the count is printed).

Modules are read from the source tree: a file's `use crate::a::b`, `use
super::x`, `crate::a::f(...)` and `super::x` paths are its imports (a parent
declaring `mod child` is not one; `#[cfg(test)]` blocks are skipped). Exits 1
naming every cycle and every oversized file or function.
"""
import pathlib
import re
import sys

MAX_FILE_LINES = 500
MAX_FN_LINES = 80
# The report crate's Rust and templates, tests left out: it was 43% of the
# project when every section had its own renderers (issue "The report: figures
# once, words in templates, one chart library"). A new figure is a few lines
# in each layer (a record field, a derive rule, a column or template line); the
# budget grows by what such additions need, and a new section that needs more
# than a derive function, a template and a chart spec is a sign to redesign.
# 5000 after the redesign; 5100 with CPU time and CPU per request; 5150 with
# the rate sweep and its knees; 5200 with the cluster family and the processes
# sweep; 5280 with the I/O sweeps' CPU bound (a record at 0 ms per point, three
# columns, a note) and the sweep model split into point.rs and fit.rs.
REPORT_BUDGET = 5280
ROOT = pathlib.Path(__file__).resolve().parent.parent
CRATES = ["shared", "seq", "threads", "async", "procs", "cluster", "sites", "report", "testkit"]


def non_test(text):
    """The text before a trailing `#[cfg(test)] mod tests` block."""
    m = re.search(r"^#\[cfg\(test\)\]\s*\nmod tests", text, re.M)
    return text[: m.start()] if m else text


def module_of(src, path):
    rel = path.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("lib", "main", "mod"):
        parts = parts[:-1]
    return tuple(parts)


def resolve(modules, current, path):
    """The module a `crate::...`/`super::...` path names (its longest module prefix)."""
    segs = path.split("::")
    if segs[0] == "crate":
        base, rest = (), segs[1:]
    elif segs[0] in ("super", "self"):
        base = list(current)
        rest = list(segs)
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                base = base[:-1]
            rest = rest[1:]
        base = tuple(base)
    else:
        return None
    best = base
    for i in range(1, len(rest) + 1):
        if base + tuple(rest[:i]) in modules:
            best = base + tuple(rest[:i])
    return best


def imports(text):
    text = non_test(text)
    text = re.sub(r"//[^\n]*", "", text)
    found = set()
    for m in re.finditer(r"\buse\s+((?:crate|super|self)(?:::\w+)*)(?:::\{([^;]*)\})?", text):
        head, group = m.group(1), m.group(2)
        if group:
            for item in re.split(r",", group):
                item = item.strip().split(" as ")[0].strip()
                if not item or item.startswith("{"):
                    continue
                found.add(head + "::" + item.split("::{")[0])
        else:
            found.add(head)
    for m in re.finditer(r"(?<![\w:])((?:crate|super)(?:::\w+)+)", text):
        found.add(m.group(1))
    return found


def cycles(graph):
    out, state, stack = [], {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                out.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return out


def long_functions(text):
    lines = non_test(text).split("\n")
    found = []
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s+(\w+)", line)
        if not m:
            continue
        if line.rstrip().endswith(";"):
            continue  # a declaration without a body (in a trait)
        # The body ends at the first `}` at the signature's indentation.
        indent = m.group(1)
        j = next((j for j in range(i, len(lines)) if lines[j].startswith(indent + "}")), len(lines) - 1)
        n = j - i + 1
        if n > MAX_FN_LINES:
            found.append((m.group(2), i + 1, n))
    return found


def declared_dependencies(manifest):
    """(section, name) of every dependency in a member's Cargo.toml."""
    found, section = [], None
    for line in manifest.read_text().splitlines():
        header = re.match(r"^\[([\w.-]+)\]", line)
        if header:
            section = header.group(1)
            continue
        m = re.match(r"^([\w-]+)\s*(?:\.workspace\s*)?=", line)
        if m and section in ("dependencies", "dev-dependencies"):
            found.append((section, m.group(1)))
    return found


def unused_dependencies(crate):
    """Dependencies whose crate name appears nowhere in the code that may use them."""
    root = ROOT / crate
    code = {"dependencies": [root / "src"], "dev-dependencies": [root / "src", root / "tests"]}
    problems = []
    for section, name in declared_dependencies(root / "Cargo.toml"):
        ident = name.replace("-", "_")
        texts = (p.read_text() for d in code[section] if d.is_dir() for p in d.rglob("*.rs"))
        if not any(re.search(rf"\b{ident}::|\buse {ident}\b|\b{ident}!", t) for t in texts):
            problems.append(f"{crate}/Cargo.toml: [{section}] {name} is never used")
    return problems


def main():
    problems = []
    for crate in CRATES:
        problems += unused_dependencies(crate)
        src = ROOT / crate / "src"
        files = sorted(p for p in src.rglob("*.rs"))
        modules = {module_of(src, p): p for p in files if p.name != "main.rs"}
        graph = {}
        for mod, path in modules.items():
            text = path.read_text()
            for imp in imports(text):
                target = resolve(modules, mod, imp)
                if target is not None and target != mod and target in modules:
                    graph.setdefault(mod, set()).add(target)
            # A child module named by a relative path (`cache::Converter`).
            body = re.sub(r"//[^\n]*", "", non_test(text))
            for child in (m for m in modules if len(m) == len(mod) + 1 and m[:-1] == mod):
                if re.search(rf"(?<![\w:]){child[-1]}::", body):
                    graph.setdefault(mod, set()).add(child)
        for cycle in cycles(graph):
            names = " -> ".join("::".join(m) or "crate" for m in cycle)
            problems.append(f"{crate}: import cycle {names}")
        for path in files:
            text = path.read_text()
            n = len(non_test(text).split("\n"))
            rel = path.relative_to(ROOT)
            if n > MAX_FILE_LINES:
                problems.append(f"{rel}: {n} non-test lines (limit {MAX_FILE_LINES})")
            for name, line, length in long_functions(text):
                problems.append(f"{rel}:{line}: fn {name} is {length} lines (limit {MAX_FN_LINES})")
    report = sorted((ROOT / "report" / "src").rglob("*.rs")) + sorted((ROOT / "report" / "templates").glob("*"))
    counts = {p: len(non_test(p.read_text()).rstrip("\n").split("\n")) for p in report}
    total = sum(counts.values())
    print(f"report: {total} lines of Rust (tests left out) and templates, budget {REPORT_BUDGET}")
    if total > REPORT_BUDGET:
        largest = sorted(counts.items(), key=lambda item: -item[1])[:5]
        listed = ", ".join(f"{p.relative_to(ROOT)} {n}" for p, n in largest)
        problems.append(f"report: {total} lines, over the budget of {REPORT_BUDGET} (largest: {listed})")
    for p in problems:
        print(p)
    if problems:
        sys.exit(1)
    print(
        f"ok: {len(CRATES)} crates, no import cycle, no file over {MAX_FILE_LINES} lines, "
        f"no function over {MAX_FN_LINES}, no unused dependency"
    )


if __name__ == "__main__":
    main()
