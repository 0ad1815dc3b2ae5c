#!/usr/bin/env python3
"""Regenerate crates/binsight-detect/data/musl-signals.tsv: byte signals that bound the musl
version inside a (static) binary, each with the version range measured on REAL musl builds.

The candidate signals come from musl's sources (what changed between releases: message
tables, lookup tables); the version ranges do not: for every musl build this script can find
(Debian's musl-dev .debs, rustup's self-contained libc.a of several Rust releases, and the
corpus's zig-, gcc- and rustc-built musl fixtures), it records which signals the build carries, and writes for each
signal the lowest and highest musl version of the builds that carry it ("present" range) and
of the builds that carry its anchor but not it ("absent" range). A signal whose ranges are not
contiguous over the releases seen, or that contradicts itself, stops the script.

Run `corpus/build` first (it leaves zig's libc.a builds and the .debs in the cache).
Usage: scripts/gen-musl-signatures.py [--exclude TOOLCHAIN] [--out PATH]
  --exclude zig|debian|rust   leave one toolchain's builds out (leave-one-toolchain-out runs)
"""
from __future__ import annotations

import argparse
import re
import struct
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpus"))
import corpuslib as cl  # noqa: E402

OUT = ROOT / "crates/binsight-detect/data/musl-signals.tsv"
# Release order; "1.1.24" also stands for older 1.1.x.
RELEASES = ["1.1.24", "1.2.0", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5"]

# mallocng's size classes (src/malloc/mallocng/malloc.c, musl >= 1.2.1) as uint16_t.
SIZE_CLASSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 18, 20, 25, 31, 36, 42, 50, 63, 72, 84,
                102, 127, 146, 170, 204, 255, 292, 340, 409, 511, 584, 682, 818, 1023, 1169, 1364,
                1637, 2047, 2340, 2730, 3276, 4095, 4680, 5460, 6552, 8191]
# oldmalloc's bin_tab (src/malloc/oldmalloc/malloc.c; the only malloc before 1.2.1).
OLDMALLOC_BIN_TAB = bytes([32, 33, 34, 35, 36, 36, 37, 37, 38, 38, 39, 39] + [40] * 4 + [41] * 4
                          + [42] * 4 + [43] * 4 + [44] * 8 + [45] * 8 + [46] * 8 + [47] * 8)

# (id, pattern, anchor id from libc-signatures.tsv or "-", what it is)
CANDIDATES = [
    ("strerror-key-errors", b"Required key not available\0Key has expired\0", "musl-strerror-0",
     "src/errno/__strerror.h: ENOKEY/EKEYEXPIRED/... messages"),
    ("gai-eai-nodata-message", b"Non-recoverable error\0Name has no usable address\0",
     "musl-gai-noname", "src/network/gai_strerror.c: EAI_NODATA got its own message"),
    ("gai-eai-nodata-unknown", b"Non-recoverable error\0Unknown error\0Unrecognized address",
     "musl-gai-noname", "src/network/gai_strerror.c: EAI_NODATA shown as 'Unknown error'"),
    ("mallocng-size-classes-le", struct.pack("<48H", *SIZE_CLASSES), "-",
     "src/malloc/mallocng/malloc.c: size_classes[] (little endian)"),
    ("mallocng-size-classes-be", struct.pack(">48H", *SIZE_CLASSES), "-",
     "src/malloc/mallocng/malloc.c: size_classes[] (big endian)"),
    ("oldmalloc-bin-tab", OLDMALLOC_BIN_TAB, "-", "src/malloc/oldmalloc/malloc.c: bin_tab[]"),
]
ANCHORS = {"musl-strerror-0": b"No error information\0", "musl-gai-noname": b"Name does not resolve\0"}

EM = {62: "x86_64", 183: "aarch64", 40: "arm", 3: "i386", 243: "riscv64", 8: "mips", 20: "ppc",
      21: "ppc64"}


def arch_of(archive: Path) -> str:
    for _, body in cl.ar_members(archive):
        if body[:4] == b"\x7fELF":
            end = "<" if body[5] == 1 else ">"
            return EM.get(struct.unpack(end + "H", body[18:20])[0], "other")
    return "?"


def version_of(archive: Path) -> str | None:
    body = cl.ar_member(archive, "version.lo") or cl.ar_member(archive, "version.o")
    m = body and re.search(rb"(\d+\.\d+\.\d+)", body)
    return m.group(1).decode() if m else None


def elf_archive(archive: Path) -> bool:
    """True if the archive's objects are ELF (zig's caches hold LLVM bitcode for LTO on some
    targets: their data is not laid out as in a linked binary, so they are not used)."""
    members = [b for n, b in cl.ar_members(archive) if n.endswith((".o", ".lo"))]
    return bool(members) and all(b[:4] == b"\x7fELF" for b in members)


def find_builds() -> list[tuple[str, str, str, Path, str]]:
    """(toolchain, musl version, arch, path, kind) of every musl build on this machine: libc.a
    archives (Debian's, rustup's; kind "archive") and the corpus's musl fixtures (kind "binary",
    zig's, Debian musl-gcc's and Rust's, whose musl version the recipe records)."""
    builds = []
    tools = cl.tools_dir()
    for a in sorted(tools.glob("debs/musl-dev_*/usr/lib/*-linux-musl/libc.a")):
        builds.append(("debian-" + a.parts[-5].split("_", 1)[1], version_of(a) or "?", arch_of(a), a, "archive"))
    host = Path("/usr/lib/x86_64-linux-musl/libc.a")
    if host.is_file():
        builds.append(("debian-host", version_of(host) or "?", arch_of(host), host, "archive"))
    for a in sorted(Path.home().glob(".rustup/toolchains/*/lib/rustlib/*musl*/lib/self-contained/libc.a")):
        if elf_archive(a):
            builds.append(("rust-" + a.parts[-7].split("-")[0], version_of(a) or "?", arch_of(a), a, "archive"))
    manifest = cl.corpus_dir() / "manifest.json"
    if manifest.is_file():
        import json
        for f in json.loads(manifest.read_text())["fixtures"]:
            t = f["truth"]
            if f.get("real_world") or t.get("libc_family") != "musl" or "libc_version" not in t:
                continue
            tool = t.get("toolchain", "?")
            tool = {"gcc": "debian", "rustc": "rust"}.get(tool, tool)
            builds.append((f"{tool}-fixture", t["libc_version"], t.get("machine", "?"),
                           cl.corpus_dir() / f["path"], "binary"))
    return [b for b in builds if b[1] in RELEASES]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--exclude", choices=["zig", "debian", "rust"])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    builds = [b for b in find_builds() if not (args.exclude and b[0].startswith(args.exclude))]
    cl.log(f"{sum(b[4] == 'archive' for b in builds)} libc.a archives, {sum(b[4] == 'binary' for b in builds)} fixture binaries")
    if not builds:
        cl.die("no musl libc.a builds found: run corpus/build first")
    present = defaultdict(set)
    absent = defaultdict(set)
    seen = set()
    for tool, ver, arch, a, kind in builds:
        data = a.read_bytes()
        seen.add(ver)
        row = []
        for sid, pat, anchor, _ in CANDIDATES:
            if pat in data:
                present[sid].add(ver)
                row.append(sid)
            # Absence counts where the signal's anchor (same object) shows the code is there;
            # unanchored signals only in whole archives (a program may not link malloc).
            elif (anchor != "-" and ANCHORS[anchor] in data) or (anchor == "-" and kind == "archive"):
                absent[sid].add(ver)
        if kind == "archive":
            cl.log(f"{tool:<24} musl {ver:<7} {arch:<8} {' '.join(row)}")

    def span(sid: str, vs: set[str], other: set[str]) -> tuple[str, str]:
        """Lowest and highest version in vs; a version in between with the opposite evidence
        (other) means the signal does not bound the version: stop."""
        idx = sorted(RELEASES.index(v) for v in vs)
        gaps = [RELEASES[i] for i in range(idx[0], idx[-1] + 1) if RELEASES[i] in other]
        if gaps:
            cl.die(f"{sid}: not monotonic over releases: {sorted(vs)} vs {sorted(other)}")
        return RELEASES[idx[0]], RELEASES[idx[-1]]

    rows = []
    for sid, pat, anchor, what in CANDIDATES:
        if present[sid] & absent[sid]:
            cl.die(f"{sid}: present and absent in builds of the same version: {present[sid] & absent[sid]}")
        p = span(sid, present[sid], absent[sid]) if present[sid] else ("-", "-")
        q = span(sid, absent[sid], present[sid]) if absent[sid] else ("-", "-")
        # Releases with no build here (1.2.0, 1.2.1, ...) cannot be ruled out: widen each range
        # over them up to the nearest release with the opposite evidence.
        def widen(r, other):
            i, j = RELEASES.index(r[0]), RELEASES.index(r[1])
            while i > 0 and RELEASES[i - 1] not in other:
                i -= 1
            while j < len(RELEASES) - 1 and RELEASES[j + 1] not in other:
                j += 1
            return RELEASES[i], RELEASES[j]
        p = widen(p, absent[sid]) if p[0] != "-" else p
        # Absence is evidence only beside an anchor from the same object (see above).
        q = widen(q, present[sid]) if q[0] != "-" and anchor != "-" else ("-", "-")
        esc = "".join(chr(b) if 32 <= b < 127 and b != 0x5C else f"\\x{b:02x}" for b in pat)
        rows.append((sid, anchor, *p, *q, esc, what))
    tools = sorted({b[0] for b in builds})
    args.out.write_text(
        "# musl version signals, generated by scripts/gen-musl-signatures.py; do not edit by hand.\n"
        f"# Measured on {len(builds)} libc.a builds (musl {', '.join(sorted(seen, key=RELEASES.index))}) from: {', '.join(tools)}.\n"
        "# Columns: id, anchor (a libc-signatures.tsv id that must be present for 'absent' to count, or -),\n"
        "#   present_lo, present_hi (versions carrying it), absent_lo, absent_hi (versions with the anchor\n"
        "#   but without it; - where never seen), pattern (\\xNN escapes), source of the signal.\n"
        + "".join("\t".join(r) + "\n" for r in rows))
    cl.log(f"{len(rows)} signals from {len(builds)} builds -> {args.out}")


if __name__ == "__main__":
    main()
