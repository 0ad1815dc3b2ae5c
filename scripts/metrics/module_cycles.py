#!/usr/bin/env python3
"""Import cycles between modules of each crate under crates/.

A module is a file under src/ (`a/b.rs` and `a/b/mod.rs` are module `a::b`; `lib.rs`/`main.rs`
are the crate root). An edge A -> B is any `crate::B` path (or `super::` resolving to B) in A's
file, test modules excluded. Prints each strongly connected component of more than one module
and exits 1 when there is any, so CI can hold the line.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "crates")


def module_name(src, path):
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] == "mod":
        rel = rel[:-1]
    if rel in (["lib"], ["main"]):
        return "crate"
    if rel[0] == "bin":
        return None
    return "::".join(rel)


def strip_tests(text):
    # Drop `#[cfg(test)] mod x { ... }` blocks (brace-matched) and comments.
    text = re.sub(r"//[^\n]*", "", text)
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def edges_of(name, text, modules):
    found = set()
    parts = [] if name == "crate" else name.split("::")
    for m in re.finditer(r"\b(crate|super)((?:::\w+)+)", text):
        head, rest = m.group(1), m.group(2).strip(":").split("::")
        base = [] if head == "crate" else parts[:-1]
        if head == "super" and name.endswith("tests"):
            continue
        path = base + rest
        # longest prefix that names a module
        for k in range(len(path), 0, -1):
            cand = "::".join(path[:k])
            if cand in modules:
                if cand != name and not name.startswith(cand + "::"):
                    found.add(cand)
                break
    # `use crate::{a, b::c}` groups
    for m in re.finditer(r"\bcrate::\{([^}]*)\}", text):
        for item in m.group(1).split(","):
            first = item.strip().split("::")[0]
            if first in modules and first != name:
                found.add(first)
    return found


def sccs(graph):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def main():
    total = 0
    for crate in sorted(os.listdir(ROOT)):
        src = os.path.join(ROOT, crate, "src")
        if not os.path.isdir(src):
            continue
        files = {}
        for d, _, fs in os.walk(src):
            for f in fs:
                if f.endswith(".rs"):
                    p = os.path.join(d, f)
                    name = module_name(src, p)
                    if name and not name.split("::")[-1] in ("tests",):
                        files[name] = p
        modules = set(files)
        graph = {}
        for name, p in files.items():
            with open(p, encoding="utf-8") as fh:
                graph[name] = edges_of(name, strip_tests(fh.read()), modules)
        # parent -> child edges via `mod` declarations are structure, not imports: a
        # child using its parent (crate root re-exports) is a cycle only if the parent uses it
        # for more than declaring it, which the regex above already counts.
        for comp in sccs(graph):
            if len(comp) > 1:
                total += 1
                print(f"{crate}: cycle: {' <-> '.join(sorted(comp))}")
    print(f"{total} import cycle(s)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
