#!/usr/bin/env python3
"""Fill DEST with copies of the large static ELF executables of a tree (the benchmark's
"static" directory: few big files, where hashing and pattern scans dominate, not the walk).

Static: an ELF executable or static-pie (e_type EXEC or DYN) with program headers and no
PT_INTERP; shared libraries (DYN with no entry point) and objects are left out. Large: at least
MIN_BYTES. Copies (with their mode and times), not links: every file is read as its own file. DEST is rebuilt only when the
selection changed; prints one JSON object (files, bytes, fingerprint) like elf_files.py, and
writes the copied paths NUL-separated to LIST.

Usage: static_files.py SOURCE DEST MIN_BYTES LIST
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import sys


def is_static_executable(path: str) -> bool:
    with open(path, "rb") as f:
        h = f.read(64)
        if len(h) < 52 or h[:4] != b"\x7fELF" or h[4] not in (1, 2) or h[5] not in (1, 2):
            return False
        e = "<" if h[5] == 1 else ">"
        (e_type,) = struct.unpack(e + "H", h[16:18])
        if h[4] == 2:
            (entry,) = struct.unpack(e + "Q", h[24:32])
            (phoff,) = struct.unpack(e + "Q", h[32:40])
            phentsize, phnum = struct.unpack(e + "HH", h[54:58])
        else:
            (entry,) = struct.unpack(e + "I", h[24:28])
            (phoff,) = struct.unpack(e + "I", h[28:32])
            phentsize, phnum = struct.unpack(e + "HH", h[42:46])
        if e_type not in (2, 3) or entry == 0 or phnum == 0 or phentsize < 4:
            return False
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    types = [struct.unpack(e + "I", ph[i * phentsize:i * phentsize + 4])[0]
             for i in range(phnum) if len(ph) >= (i + 1) * phentsize]
    return 3 not in types  # PT_INTERP


def main() -> int:
    src, dest, min_bytes, listing = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    chosen = []
    for d, dirs, names in os.walk(src, followlinks=False):
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(d, n)
            if os.path.islink(p) or not os.path.isfile(p) or os.path.getsize(p) < min_bytes:
                continue
            if is_static_executable(p):
                chosen.append(p)
    fp = hashlib.sha256()
    for p in chosen:
        st = os.stat(p)
        fp.update(f"{os.path.relpath(p, src)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    stamp = os.path.join(dest, ".fingerprint")
    names = [os.path.relpath(p, src).replace(os.sep, "__") for p in chosen]
    if not (os.path.isfile(stamp) and open(stamp).read() == fp.hexdigest()):
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(dest)
        for p, n in zip(chosen, names):
            shutil.copy2(p, os.path.join(dest, n))  # mode too: trivy reads executables only
        with open(stamp, "w") as f:
            f.write(fp.hexdigest())
    with open(listing, "wb") as f:
        f.write(b"".join(os.fsencode(os.path.join(dest, n)) + b"\0" for n in names))
    total = sum(os.path.getsize(p) for p in chosen)
    print(json.dumps({"files": len(chosen), "symlinks": 0, "elf_files": len(chosen), "elf_bytes": total,
                      "bytes": total, "fingerprint": fp.hexdigest()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
