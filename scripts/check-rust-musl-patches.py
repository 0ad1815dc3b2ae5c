#!/usr/bin/env python3
"""Show, per installed Rust toolchain, what its bundled musl (self-contained/libc.a of
x86_64-unknown-linux-musl) is: musl version, hashes of the objects security fixes touch
(iconv, qsort) beside objects they do not (strerror, version), and the EUC-KR comparison
the CVE-2025-26519 fix changes (`c >= 93` = cmp $0x5c before, `c > 0x45` = cmp $0x45 after).
The evidence behind crates/binsight-detect/data/musl-patches.tsv.

Usage: scripts/check-rust-musl-patches.py [TOOLCHAIN ...]   (default: every installed one)
Install more with: rustup toolchain install X --profile minimal &&
                   rustup target add --toolchain X x86_64-unknown-linux-musl
"""
import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "corpus"))
import corpuslib as cl  # noqa: E402

TARGET = "x86_64-unknown-linux-musl"


def main() -> None:
    home = Path.home() / ".rustup/toolchains"
    names = sys.argv[1:] or sorted(p.name.split("-")[0] for p in home.iterdir())
    for t in names:
        tc = next(iter(sorted(home.glob(f"{t}-*"))), None)
        a = tc and tc / "lib/rustlib" / TARGET / "lib/self-contained/libc.a"
        if not a or not a.is_file():
            print(f"{t:<10} no {TARGET} self-contained libc.a")
            continue
        m = dict(cl.ar_members(a))
        h = {k: hashlib.sha256(m[k]).hexdigest()[:12] if k in m else "-" for k in
             ("iconv.lo", "qsort.lo", "strerror.lo", "version.lo")}
        ver = re.search(rb"(\d+\.\d+\.\d+)", m.get("version.lo", b""))
        with tempfile.NamedTemporaryFile(suffix=".o") as f:
            f.write(m["iconv.lo"])
            f.flush()
            d = subprocess.run(["objdump", "-d", f.name], capture_output=True, text=True).stdout
        print(f"{t:<10} musl {ver.group(1).decode() if ver else '?':<7} "
              + " ".join(f"{k}={v}" for k, v in h.items())
              + f"  EUC-KR check: cmp $0x5c x{d.count('$0x5c,')}, cmp $0x45 x{d.count('$0x45,')}")


if __name__ == "__main__":
    main()
