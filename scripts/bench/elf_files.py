#!/usr/bin/env python3
"""List the ELF files of a tree the way `binsight scan` sees them, and describe the tree.

Walks ROOT without following symlinks, keeps regular files whose first four bytes are
7f 45 4c 46, writes their paths NUL-separated to LIST (for `xargs -0 cat`), and prints one
JSON object: regular files, symlinks, ELF files, ELF bytes, all bytes, and a fingerprint of
(path, size, mtime) over every entry, so cached images can tell whether the tree changed.

Usage: elf_files.py ROOT LIST
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import sys


def main() -> int:
    root, out = sys.argv[1], sys.argv[2]
    files = links = elf = elf_bytes = all_bytes = 0
    fp = hashlib.sha256()
    paths: list[bytes] = []
    for d, dirs, names in os.walk(os.fsencode(root), followlinks=False):
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(d, n)
            st = os.lstat(p)
            fp.update(b"%s\0%d\0%d\n" % (p, st.st_size, st.st_mtime_ns))
            if stat.S_ISLNK(st.st_mode):
                links += 1
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            files += 1
            all_bytes += st.st_size
            try:
                with open(p, "rb") as f:
                    magic = f.read(4)
            except OSError:
                continue
            if magic == b"\x7fELF":
                elf += 1
                elf_bytes += st.st_size
                paths.append(p)
    with open(out, "wb") as f:
        f.write(b"".join(p + b"\0" for p in paths))
    print(json.dumps({"files": files, "symlinks": links, "elf_files": elf,
                      "elf_bytes": elf_bytes, "bytes": all_bytes, "fingerprint": fp.hexdigest()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
