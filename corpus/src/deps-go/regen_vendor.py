#!/usr/bin/env python3
"""Regenerate (or --check) go.mod, go.sum and vendor/ of corpus/src/deps-go with Go's own tools.

The third-party modules exist only as the source vendored under vendor/ (they were written for
this corpus). To get a go.sum and vendor/modules.txt that Go itself produced, this script
packs each module from its vendored files into a module zip (plus the go.mod given below),
serves them from a throw-away file-system GOPROXY, and runs `go mod tidy` and `go mod vendor`
in a copy of the project. The vendored .go files come back byte for byte, so this is a fixed
point: `regen_vendor.py --check` must report no difference. No network is used.

Not run by the corpus recipe (the recipe builds with -mod=vendor and GOPROXY=off); run it by hand
after changing a vendored module or go.mod.
"""
from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (module path, version): requirements in its go.mod; None = the module has no go.mod
# (a +incompatible release). Its files are vendor/<module path>/*.
MODULES: dict[tuple[str, str], list[tuple[str, str]] | None] = {
    ("example.com/runes", "v0.2.0"): [],
    ("example.com/textwrap", "v1.4.2"): [("example.com/runes", "v0.2.0")],
    ("example.com/checksum/v2", "v2.1.0"): [],
    ("example.org/colors", "v0.0.0-20240105093000-5f1d3c2b7a90"): [],
    ("example.com/kvparse", "v1.0.1"): [],
    ("example.com/legacy", "v3.1.0+incompatible"): None,
}
TIMES = {"v0.0.0-20240105093000-5f1d3c2b7a90": "2024-01-05T09:30:00Z"}
PROJECT_FILES = ["go.mod", "main.go", "localmods"]


def gomod_text(path: str, reqs: list[tuple[str, str]] | None) -> str:
    if reqs is None:
        return f"module {path}\n"  # what Go synthesises for a module without go.mod
    text = f"module {path}\n\ngo 1.19\n"
    if reqs:
        text += "\nrequire (\n" + "".join(f"\t{p} {v}\n" for p, v in reqs) + ")\n"
    return text


def build_proxy(proxy: Path) -> None:
    for (path, version), reqs in MODULES.items():
        src = HERE / "vendor" / path
        files = sorted(p for p in src.iterdir() if p.is_file())
        if not files:
            sys.exit(f"regen_vendor: no vendored files for {path} in {src}")
        d = proxy / path / "@v"  # no upper-case letters: no '!' escaping needed
        d.mkdir(parents=True, exist_ok=True)
        with open(d / "list", "a") as f:
            f.write(version + "\n")
        (d / f"{version}.info").write_text(json.dumps(
            {"Version": version, "Time": TIMES.get(version, "2024-01-01T00:00:00Z")}))
        (d / f"{version}.mod").write_text(gomod_text(path, reqs))
        with zipfile.ZipFile(d / f"{version}.zip", "w") as z:
            prefix = f"{path}@{version}/"
            if reqs is not None:
                z.writestr(zipfile.ZipInfo(prefix + "go.mod", (2024, 1, 1, 0, 0, 0)), gomod_text(path, reqs))
            for p in files:
                z.writestr(zipfile.ZipInfo(prefix + p.name, (2024, 1, 1, 0, 0, 0)), p.read_bytes())


def tree_diff(a: Path, b: Path) -> list[str]:
    out = []
    cmp = filecmp.dircmp(a, b)
    out += [f"only in committed: {a / n}" for n in cmp.left_only]
    out += [f"only in regenerated: {b / n}" for n in cmp.right_only]
    out += [f"differs: {a / n}" for n in cmp.diff_files]
    for sub in cmp.common_dirs:
        out += tree_diff(a / sub, b / sub)
    return out


def main() -> None:
    check = "--check" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as t:
        t = Path(t)
        build_proxy(t / "proxy")
        work = t / "work"
        work.mkdir()
        for name in PROJECT_FILES:
            s = HERE / name
            (shutil.copytree if s.is_dir() else shutil.copy2)(s, work / name)
        env = {**os.environ, "GOPROXY": f"file://{t / 'proxy'}", "GOSUMDB": "off", "GOFLAGS": "-mod=mod",
               "GOPATH": str(t / "gopath"), "GOMODCACHE": str(t / "gopath" / "mod"),
               "GOCACHE": str(t / "gocache"), "GOTOOLCHAIN": "local", "GOWORK": "off", "GO111MODULE": "on"}
        for cmd in (["go", "mod", "tidy"], ["go", "mod", "vendor"]):
            p = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit(f"regen_vendor: {' '.join(cmd)} failed:\n{p.stderr}")
        subprocess.run(["chmod", "-R", "u+w", str(t / "gopath")], check=False)
        diffs = [f"differs: {n}" for n in ("go.mod", "go.sum")
                 if not (HERE / n).is_file() or (HERE / n).read_bytes() != (work / n).read_bytes()]
        diffs += tree_diff(HERE / "vendor", work / "vendor") if (HERE / "vendor").is_dir() else ["no vendor/"]
        if check:
            if diffs:
                sys.exit("regen_vendor --check: committed tree differs from Go's:\n" + "\n".join(diffs))
            print("regen_vendor: go.mod, go.sum and vendor/ are what Go produces")
            return
        for n in ("go.mod", "go.sum"):
            shutil.copy2(work / n, HERE / n)
        shutil.rmtree(HERE / "vendor")
        shutil.copytree(work / "vendor", HERE / "vendor")
        print("regen_vendor: wrote go.mod, go.sum, vendor/" + (" (changed: " + "; ".join(diffs) + ")" if diffs else ""))


if __name__ == "__main__":
    main()
