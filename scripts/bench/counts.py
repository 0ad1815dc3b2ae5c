#!/usr/bin/env python3
"""What one tool reported in one benchmark run, as one JSON object for report.py.

Usage: counts.py KIND FILE
  binsight     binsight's JSON lines (-o json)
  syft         syft-json
  trivy        trivy's CycloneDX JSON
  govulncheck  concatenated `govulncheck -json` streams (one per binary), each preceded by a
               line `# FILE`
  osv-scanner  osv-scanner's JSON output

Keys (absent where the tool has no such notion): binaries (ELF files it identified: with a
report, an executable record, or a package found in them), components (by kind: rust-crate,
go-module, c-library, os-package, other), libc (binaries whose libc family it named, and of
those with a version), findings (vulnerability matches; for govulncheck also how many it
found called, i.e. reached at symbol level).
"""
from __future__ import annotations

import collections
import json
import re
import sys


def kind_of_purl(purl: str) -> str:
    t = purl[4:].split("/", 1)[0] if purl.startswith("pkg:") else ""
    return {"cargo": "rust-crate", "golang": "go-module", "deb": "os-package", "apk": "os-package",
            "rpm": "os-package", "generic": "other"}.get(t, "other")


def binsight(path: str) -> dict:
    kinds: collections.Counter = collections.Counter()
    n = libc = libc_v = findings = 0
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        r = json.loads(line)
        if "elf" not in r:
            continue  # image records, errors
        n += 1
        for c in r.get("components") or []:
            kinds[c["kind"]] += 1
        fam = (r.get("libc") or {}).get("family")
        if fam and fam not in ("unknown", "none"):
            libc += 1
            libc_v += bool((r.get("libc") or {}).get("version"))
        findings += len(r.get("findings") or [])
    return {"binaries": n, "components": dict(kinds), "libc": [libc, libc_v], "findings": findings}


def syft(path: str) -> dict:
    d = json.load(open(path, encoding="utf-8"))
    mapping = {"rust-crate": "rust-crate", "go-module": "go-module", "deb": "os-package", "apk": "os-package",
               "rpm": "os-package", "binary": "c-library"}
    kinds = collections.Counter(mapping.get(a["type"], "other") for a in d["artifacts"])
    elf = {f["location"]["path"] for f in d.get("files", []) if (f.get("executable") or {}).get("format") == "elf"}
    in_bins = {loc["path"] for a in d["artifacts"] if a["type"] in ("go-module", "rust-crate", "binary")
               for loc in a.get("locations", [])}
    libc = {loc["path"] for a in d["artifacts"] if a["type"] == "binary" and a["name"] in ("glibc", "musl")
            for loc in a.get("locations", [])}
    return {"binaries": len(elf | in_bins), "components": dict(kinds), "libc": [len(libc), len(libc)]}


def trivy(path: str) -> dict:
    d = json.load(open(path, encoding="utf-8"))
    comps = d.get("components") or []
    kinds: collections.Counter = collections.Counter()
    files = set()
    for c in comps:
        purl = c.get("purl") or ""
        if not purl:
            continue  # the scanned target and its applications (one per binary), not packages
        k = kind_of_purl(purl)
        kinds[k] += 1
        if k in ("rust-crate", "go-module"):
            for p in c.get("properties") or []:
                if p.get("name") == "aquasecurity:trivy:FilePath":
                    files.add(p.get("value"))
    bins = {c.get("name") for c in comps if not c.get("purl") and c.get("type") == "application"
            and any(p.get("name") == "aquasecurity:trivy:Type" and p.get("value") in ("gobinary", "rustbinary")
                    for p in c.get("properties") or [])}
    return {"binaries": len(bins | files), "components": dict(kinds)}


def govulncheck(path: str) -> dict:
    findings = called = 0
    binaries = with_findings = 0
    text = open(path, encoding="utf-8").read()
    for chunk in re.split(r"^# ", text, flags=re.M)[1:]:
        _, _, body = chunk.partition("\n")
        binaries += 1
        seen, seen_called = set(), set()
        dec = json.JSONDecoder()
        i = 0
        while True:
            while i < len(body) and body[i].isspace():
                i += 1
            if i >= len(body):
                break
            try:
                obj, i = dec.raw_decode(body, i)
            except ValueError:
                break
            f = obj.get("finding") if isinstance(obj, dict) else None
            if not f:
                continue
            t = (f.get("trace") or [{}])[0]
            key = (f.get("osv"), t.get("module"), t.get("version"))
            seen.add(key)
            if t.get("function"):
                seen_called.add(key)
        findings += len(seen)
        called += len(seen_called)
        with_findings += bool(seen)
    return {"binaries": binaries, "findings": findings, "called": called, "with_findings": with_findings}


def osv_scanner(path: str) -> dict:
    d = json.load(open(path, encoding="utf-8"))
    kinds: collections.Counter = collections.Counter()
    findings = 0
    for r in d.get("results") or []:
        for p in r.get("packages") or []:
            eco = (p.get("package") or {}).get("ecosystem", "")
            kinds[{"crates.io": "rust-crate", "Go": "go-module"}.get(eco, "other")] += 1
            findings += len(p.get("vulnerabilities") or [])
    return {"components": dict(kinds), "findings": findings}


def main() -> int:
    kind, path = sys.argv[1], sys.argv[2]
    fn = {"binsight": binsight, "syft": syft, "trivy": trivy, "govulncheck": govulncheck,
          "osv-scanner": osv_scanner}[kind]
    try:
        print(json.dumps(fn(path)))
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
