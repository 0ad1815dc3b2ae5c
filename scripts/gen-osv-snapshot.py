#!/usr/bin/env python3
"""Regenerate binsight's embedded advisory snapshot (crates/binsight-advisory/data/osv-snapshot/)
from an OSV snapshot on disk, so that `--audit` works offline on a fresh install.

Usage: scripts/gen-osv-snapshot.py [OSV_DIR]
  default: ../shared/osv (the project's frozen copy: crates.io/ and Go/ folders of OSV JSON)

What it writes, for each ecosystem (crates.io: RustSec, CC0-1.0; Go: the Go vulnerability
database, CC-BY-4.0):
  <ecosystem>.json.zst   the records as one compact JSON array, sorted by id, with only the
                         fields binsight reads (id, modified, published, withdrawn, aliases,
                         summary, severity, affected, database_specific); `details`,
                         `references` and `credits` are dropped. zstd level 19.
  snapshot.json          per ecosystem: records, the newest `modified` date (the snapshot's
                         date: data as of that day), sha256 of the compressed file, licence and
                         attribution; plus the snapshot date (the oldest of the ecosystems').
  NOTICE.md              the licences and attribution, kept beside the data and printed by
                         `binsight db status`.
Records that are not valid JSON or have no id stop the script (the input is our own frozen copy).
The output is deterministic: the same input gives the same bytes.
"""
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/osv"
OUT = ROOT / "crates/binsight-advisory/data/osv-snapshot"
KEEP = ("id", "modified", "published", "withdrawn", "aliases", "summary", "severity", "affected",
        "database_specific")
ECOSYSTEMS = {
    "crates.io": {
        "license": "CC0-1.0",
        "attribution": "RustSec Advisory Database (https://github.com/rustsec/advisory-db), "
                       "OSV export; dedicated to the public domain under CC0-1.0",
    },
    "Go": {
        "license": "CC-BY-4.0",
        "attribution": "Go Vulnerability Database (https://vuln.go.dev) by the Go Authors, "
                       "licensed under CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/); "
                       "fields not used by binsight (details, references, credits) were removed",
    },
}


def load(eco: str) -> list[dict]:
    d = SRC / eco
    files = sorted(d.glob("*.json"))
    if not files:
        sys.exit(f"{d}: no OSV records (pass the directory that holds crates.io/ and Go/)")
    out = []
    for f in files:
        try:
            rec = json.loads(f.read_text())
        except ValueError as e:
            sys.exit(f"{f}: not JSON: {e}")
        if not rec.get("id"):
            sys.exit(f"{f}: OSV record without an id")
        out.append({k: rec[k] for k in KEEP if k in rec})
    out.sort(key=lambda r: r["id"])
    return out


def dated(eco: str, recs: list[dict]) -> tuple[str, str | None]:
    """The day the data is as of, and the source commit when known. From the records' newest
    `modified`; the Go database's repository copy has none (every record says 0001-01-01), so
    then from the snapshot README's table row for the folder ("commit abc123, 2026-08-21")."""
    newest = max(r.get("modified", "") for r in recs)[:10]
    row = None
    readme = SRC / "README.md"
    if readme.is_file():
        row = re.search(r"^\|\s*`" + re.escape(eco) + r"/`.*?commit (\w+), (\d{4}-\d\d-\d\d)",
                        readme.read_text(), re.M)
    commit = row.group(1) if row else None
    if newest >= "1970":
        return newest, commit
    if row:
        return row.group(2), commit
    sys.exit(f"{SRC / eco}: the records carry no modification dates and {readme} has no "
             f"'commit X, YYYY-MM-DD' row for `{eco}/`: say where the data is from")


def zstd(data: bytes) -> bytes:
    p = subprocess.run(["zstd", "-q", "-19", "--no-check", "-c"], input=data, capture_output=True)
    if p.returncode != 0:
        sys.exit(f"zstd failed ({p.stderr.decode().strip()}); install it: apt-get install zstd")
    return p.stdout


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"schema": 1, "ecosystems": []}
    for eco, lic in ECOSYSTEMS.items():
        recs = load(eco)
        raw = json.dumps(recs, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
        z = zstd(raw)
        (OUT / f"{eco}.json.zst").write_bytes(z)
        newest, commit = dated(eco, recs)
        meta["ecosystems"].append({
            "ecosystem": eco, "file": f"{eco}.json.zst", "records": len(recs),
            "uncompressed_bytes": len(raw), "sha256": hashlib.sha256(z).hexdigest(),
            "date": newest, "source_commit": commit, **lic,
        })
        print(f"{eco}: {len(recs)} records, {len(raw)} -> {len(z)} bytes, newest {newest}",
              file=sys.stderr)
    meta["date"] = min(e["date"] for e in meta["ecosystems"])
    (OUT / "snapshot.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    notice = ["# Advisory data embedded in binsight", "",
              f"binsight carries a snapshot (data as of {meta['date']}) of these OSV databases, "
              "so that `--audit` works offline. `binsight db update` or `binsight db import` "
              "replace it per ecosystem with fresher data.", ""]
    for e in meta["ecosystems"]:
        notice.append(f"- **{e['ecosystem']}** ({e['records']} records, as of {e['date']}): "
                      f"{e['attribution']}. Licence: {e['license']}.")
    (OUT / "NOTICE.md").write_text("\n".join(notice) + "\n")


if __name__ == "__main__":
    main()
