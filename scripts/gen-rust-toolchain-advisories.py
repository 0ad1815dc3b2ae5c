#!/usr/bin/env python3
"""Regenerate crates/binsight-advisory/data/rust-toolchain.json: RustSec's advisories for the
Rust standard library (Markdown + TOML front matter, CC0) converted to OSV records, so a
binary's `rust-std` component (from its rustc version) can be matched offline.

Usage: scripts/gen-rust-toolchain-advisories.py [RUSTSEC_TOOLCHAIN_DIR]
  default: ../shared/osv/rust-toolchain-rustsec (the project's frozen snapshot)

Only `std` is converted: `cargo` and `rustdoc` are not part of a compiled program.
Version rules: `patched = [">= X"]` -> fixed X; `["> X"]` -> last_affected X;
`unaffected = ["< Y"]` -> introduced Y (else introduced 0). Anything else stops the script.
"""
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/osv/rust-toolchain-rustsec"
OUT = ROOT / "crates/binsight-advisory/data/rust-toolchain.json"
# CVSS vectors of the CVE records (RustSec's own files give one for few of them).
SEVERITY = ROOT / "crates/binsight-advisory/data/cve-severity.tsv"


def cve_vectors() -> dict:
    out = {}
    for line in SEVERITY.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            cve, vector, *_ = line.split("\t")
            out[cve] = vector
    return out
VER = r"(\d+\.\d+\.\d+)"


def convert(md: Path) -> dict:
    text = md.read_text()
    m = re.search(r"```toml\n(.*?)```", text, re.S)
    if not m:
        sys.exit(f"{md}: no TOML front matter")
    meta = tomllib.loads(m.group(1))
    adv, versions = meta["advisory"], meta.get("versions", {})
    body = text[m.end():].strip()
    title = body.splitlines()[0].lstrip("# ").strip() if body else adv["id"]
    events = []
    unaffected = versions.get("unaffected", [])
    if len(unaffected) > 1:
        sys.exit(f"{md}: more than one unaffected range")
    if unaffected:
        u = re.fullmatch(r"<\s*" + VER, unaffected[0].strip())
        if not u:
            sys.exit(f"{md}: unaffected {unaffected[0]!r} not understood")
        events.append({"introduced": u.group(1)})
    else:
        events.append({"introduced": "0"})
    patched = versions.get("patched", [])
    if len(patched) != 1:
        sys.exit(f"{md}: want exactly one patched range, got {patched}")
    p = patched[0].strip()
    if (g := re.fullmatch(r">=\s*" + VER, p)):
        events.append({"fixed": g.group(1)})
    elif (g := re.fullmatch(r">\s*" + VER, p)):
        events.append({"last_affected": g.group(1)})
    else:
        sys.exit(f"{md}: patched {p!r} not understood")
    affected = meta.get("affected", {})
    aliases = [adv["id"], *adv.get("aliases", [])] if adv["id"].startswith("CVE-") else adv.get("aliases", [])
    vectors = cve_vectors()
    missing = [a for a in aliases if a.startswith("CVE-") and a not in vectors]
    if missing:
        sys.exit(f"{md}: no CVSS vector for {missing} in {SEVERITY}: add the CVE record's")
    return {
        "id": f"BINSIGHT-RUST-{adv['id']}",
        "aliases": aliases,
        "severity": [{"type": "CVSS_V3", "score": vectors[a]} for a in aliases if a.startswith("CVE-")],
        "modified": str(adv.get("date", "")),
        "published": str(adv.get("date", "")),
        "summary": title,
        "details": body,
        "affected": [{
            "package": {"ecosystem": "rust-toolchain", "name": "std", "purl": "pkg:generic/rust-std"},
            "ranges": [{"type": "SEMVER", "events": events}],
            "ecosystem_specific": {
                "affected_functions": sorted(affected.get("functions", {}).keys()),
                "os": affected.get("os", []),
                "arch": affected.get("arch", []),
            },
        }],
        "references": [{"type": "ADVISORY", "url": adv["url"]}] if adv.get("url", "").startswith("https://") else [],
        "database_specific": {"source": "RustSec advisory-db (CC0-1.0), rust toolchain advisories: crates/std/" + md.name},
    }


def main() -> None:
    std = SRC / "std"
    if not std.is_dir():
        sys.exit(f"{std}: not found (pass the RustSec toolchain advisories directory)")
    records = [convert(p) for p in sorted(std.glob("*.md"))]
    OUT.write_text(json.dumps(records, indent=1) + "\n")
    print(f"{len(records)} std advisories -> {OUT}")


if __name__ == "__main__":
    main()
