#!/usr/bin/env python3
"""Regenerate crates/binsight-detect/data/zig-releases.tsv: which zig release a C/C++ object
compiled by `zig cc` came from.

zig's official builds come from zig-bootstrap; the clang inside stamps every object it compiles
with `.comment` `clang version X.Y.Z (<zig-bootstrap repo> <commit>)`. For each `ziglang` wheel
on PyPI this script compiles an empty C file with that wheel's `zig cc` and reads the stamp of
the object: per release, zig version, clang version, bootstrap commit. (The `.comment` of the
zig binary itself names the compiler that built zig, which is not always the same commit.)

Usage: scripts/gen-zig-releases.py [VERSION ...]   (default: the versions listed below)
Downloads are cached by sha256 under ${XDG_CACHE_HOME:-~/.cache}/binsight/downloads/.
"""
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpus"))
import corpuslib as cl  # noqa: E402

OUT = ROOT / "crates/binsight-detect/data/zig-releases.tsv"
PLATFORM = "manylinux_2_12_x86_64"
# PyPI version strings (a .postN is a re-packaging of the same zig release).
VERSIONS = ["0.8.0", "0.8.1", "0.9.0", "0.9.1", "0.10.0", "0.10.1.post1", "0.11.0", "0.12.0",
            "0.12.1", "0.13.0", "0.14.0", "0.14.1", "0.15.1", "0.15.2", "0.16.0", "0.17.0", "0.17.1"]


def wheel(version: str) -> Path:
    """Download (or reuse) the wheel; it is identified afterwards by its sha256."""
    with tempfile.TemporaryDirectory() as t:
        cl.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                "--platform", PLATFORM, "--python-version", "3.11", "-d", t, f"ziglang=={version}"])
        f = next(Path(t).iterdir())
        sha = cl.sha256_file(f)
        hit = cl.cached(sha)
        if hit:
            return hit
        d = cl.downloads_dir() / sha
        d.mkdir(parents=True, exist_ok=True)
        dest = d / f.name
        f.replace(dest)
        return dest


def stamp_of_zig_cc(whl: Path) -> str:
    """Compile an empty C file with the wheel's zig cc; return the object's clang stamp."""
    with zipfile.ZipFile(whl) as z, tempfile.TemporaryDirectory() as t:
        z.extractall(t)
        zig = Path(t) / "ziglang" / "zig"
        zig.chmod(0o755)
        (Path(t) / "e.c").write_text("int binsight_probe;\n")
        env = {"PATH": "/usr/bin:/bin", "HOME": t, "ZIG_GLOBAL_CACHE_DIR": f"{t}/gc", "ZIG_LOCAL_CACHE_DIR": f"{t}/lc"}
        cl.run([zig, "cc", "-c", "-target", "x86_64-linux-musl", "-o", f"{t}/e.o", f"{t}/e.c"], env=env)
        p = cl.run(["readelf", "-p", ".comment", f"{t}/e.o"])
        for line in p.stdout.splitlines():
            if "clang version" in line:
                return line.split("]", 1)[1].strip()
    cl.die(f"{whl.name}: zig cc output has no clang stamp in .comment")


def musl_of(whl: Path) -> str:
    """The musl version zig bundles: lib/libc/musl/src/internal/version.h in the wheel."""
    with zipfile.ZipFile(whl) as z:
        name = next((n for n in z.namelist() if n.endswith("libc/musl/src/internal/version.h")), None)
        if name is None:
            cl.die(f"{whl.name}: no musl version.h")
        m = re.search(r'"(\d+\.\d+\.\d+)"', z.read(name).decode())
        if not m:
            cl.die(f"{whl.name}: unreadable musl version.h")
        return m.group(1)


# Fixes zig applied to its bundled musl, recognised in the wheel's musl sources by the lines the
# upstream patches add (musl commits e5adcd97 and c47ad25e for CVE-2025-26519).
MUSL_PATCH_MARKERS = {
    "CVE-2025-26519": ("libc/musl/src/locale/iconv.c",
                       ["c > 0xc6-0x81 || c==0xc6-0x81 && d>0x52", "if (k>4) goto ilseq;"]),
}


def musl_patches_of(whl: Path) -> str:
    found = []
    with zipfile.ZipFile(whl) as z:
        names = z.namelist()
        for cve, (suffix, lines) in MUSL_PATCH_MARKERS.items():
            name = next((n for n in names if n.endswith(suffix)), None)
            text = z.read(name).decode(errors="replace") if name else ""
            if all(line in text for line in lines):
                found.append(cve)
    return ",".join(found) or "-"


def main() -> None:
    rows = []
    for v in sys.argv[1:] or VERSIONS:
        whl = wheel(v)
        c = stamp_of_zig_cc(whl)
        # clang version 18.1.6 (https://github.com/ziglang/zig-bootstrap 98bc6bf4…)
        llvm = c.split("clang version ", 1)[1].split()[0]
        # Since 0.16 zig's clang stamps plain "clang version X" (no bootstrap repo): "-".
        commit = c.rstrip(")").split()[-1] if "zig-bootstrap" in c else "-"
        if commit != "-" and len(commit) != 40:
            cl.die(f"zig {v}: unexpected stamp {c!r}")
        cl.log(f"zig {v}: clang {llvm}, zig-bootstrap {commit}")
        rows.append((v.split(".post")[0], llvm, commit, musl_of(whl), musl_patches_of(whl), cl.sha256_file(whl)))
    OUT.write_text(
        "# zig releases: the clang each bundles and the zig-bootstrap commit it stamps into .comment.\n"
        "# Generated by scripts/gen-zig-releases.py from the ziglang wheels on PyPI (platform "
        f"{PLATFORM});\n# do not edit by hand. Columns: zig version, clang version, zig-bootstrap commit, bundled musl\n# (lib/libc/musl/src/internal/version.h), musl fixes found in its sources (- none), wheel sha256.\n"
        "# Commit '-': that release stamps plain 'clang version X', so its objects cannot be told\n"
        "# apart from upstream clang's by .comment.\n"
        + "".join("\t".join(r) + "\n" for r in rows))
    cl.log(f"{len(rows)} releases -> {OUT}")


if __name__ == "__main__":
    main()
