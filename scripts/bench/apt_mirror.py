#!/usr/bin/env python3
"""Print the Debian archive URI this machine's apt already uses, for debootstrap.

The mirror is never written into the repository: it is read at run time from the host's apt
sources, the same way corpus/recipes/c.py (host_archive_sources) derives its private apt
sources. deb822 files (/etc/apt/sources.list.d/*.sources, field `URIs:`) come first, then
one-line `deb URI SUITE COMPONENTS` entries in /etc/apt/sources.list(.d/*.list).

Usage: apt_mirror.py          -> prints one URI (the stanza that serves the host's codename
                                  with component main), or exits 1 with a message.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path


CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def deb822_stanzas():
    """The host's deb822 archive stanzas, as the corpus recipes read them (one parser)."""
    sys.path.insert(0, str(CORPUS))
    from recipes.c import host_archive_sources  # noqa: E402 (the repo's corpus package)
    try:
        stanzas = host_archive_sources()
    except SystemExit:  # the recipe helper dies when there is none; fall back to .list files
        return
    for f in stanzas:
        yield f.get("uris", "").split(), f.get("suites", "").split(), f.get("components", "").split()


def one_line_entries():
    files = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*.list"))]
    for f in files:
        if not f.is_file():
            continue
        for line in f.read_text().splitlines():
            line = re.sub(r"\[[^\]]*\]", " ", line.split("#", 1)[0]).split()
            if len(line) >= 4 and line[0] == "deb":
                yield [line[1]], [line[2]], line[3:]


def codename() -> str:
    osr = Path("/etc/os-release")
    m = re.search(r'^VERSION_CODENAME="?([a-z]+)', osr.read_text(), re.M) if osr.is_file() else None
    return m.group(1) if m else ""


def main() -> int:
    want = codename()
    for uris, suites, comps in [*deb822_stanzas(), *one_line_entries()]:
        if uris and "main" in comps and (not want or want in suites):
            print(uris[0])
            return 0
    print("apt_mirror.py: found no Debian archive entry (suite "
          f"{want or '?'}, component main) in /etc/apt/sources.list.d/*.sources or "
          "/etc/apt/sources.list", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
