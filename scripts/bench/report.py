#!/usr/bin/env python3
"""Turn the results of scripts/bench/run.sh into docs/benchmarks.md (printed to stdout).

Usage: report.py RESULTS_DIR ELAPSED_SECONDS BENCH_DIR REPO
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

res = Path(sys.argv[1])
elapsed = int(sys.argv[2])
bench = Path(sys.argv[3])
repo = Path(sys.argv[4])
img = bench / "work" / "images"

machine = dict(l.split("\t", 1) for l in (res / "machine.tsv").read_text().splitlines())
versions = [l.split("\t", 1) for l in (res / "versions.tsv").read_text().splitlines()]
copies = machine["copies"]
big = f"x{copies}"
stats = {k: json.loads((res / f"stats-{k}.json").read_text()) for k in ("rootfs", "corpus", "x1", big, "static")}
meas = {}
for line in (res / "measurements.tsv").read_text().splitlines()[1:]:
    mid, tree, kind, cmd = line.split("\t", 3)
    meas[mid] = {"tree": tree, "kind": kind, "cmd": cmd}


def gnu_time(mid: str) -> dict:
    """Wall seconds and peak RSS (KiB) from a `/usr/bin/time -v` file."""
    t = (res / f"{mid}.time").read_text()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", t).group(1)
    secs = 0.0
    for part in wall.split(":"):
        secs = secs * 60 + float(part)
    rc = int((res / f"{mid}.rc").read_text().strip()) if (res / f"{mid}.rc").exists() else 0
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", t).group(1)) for k in ("User", "System"))
    return {"wall": secs, "rss_kib": rss, "rc": rc, "cpu": cpu}


def seconds(mid: str) -> dict:
    """{'t': median seconds, 'min', 'max', 'runs', 'capped'} for a measurement."""
    m = meas[mid]
    if m["kind"] == "hyperfine":
        r = json.loads((res / f"{mid}.json").read_text())["results"][0]
        return {"t": r["median"], "min": r["min"], "max": r["max"], "runs": len(r["times"]), "capped": False,
                "cpu": r["user"] + r["system"], "rc": 0}
    g = gnu_time(mid)
    if mid.startswith("osv-scanner") and g["rc"] == 1:
        g["rc"] = 0  # osv-scanner exits 1 when it found vulnerabilities: a result, not a failure
    return {"t": g["wall"], "min": g["wall"], "max": g["wall"], "runs": 1, "capped": g["rc"] == 124,
            "rc": g["rc"], "cpu": g["cpu"]}


def rss_mb(mid: str) -> float:
    return gnu_time(mid)["rss_kib"] * 1024 / 1e6


def fmt_s(s: dict) -> str:
    if s["rc"] not in (0, 124):
        return f"{s['t']:.2f} (1 run, FAILED: exit {s['rc']})"
    if s["capped"]:
        return f"> {s['t']:.0f} (timeout)"
    if s["runs"] == 1:
        return f"{s['t']:.2f} (1 run)"
    return f"{s['t']:.2f} ({s['min']:.2f}–{s['max']:.2f})"


def ok(cond: bool) -> str:
    return "✅" if cond else "❌ misses"


T = {mid: seconds(mid) for mid in meas}


def rate(mid: str) -> tuple[str, str]:
    st = stats[meas[mid]["tree"]]
    t = T[mid]["t"]
    gt = "> " if T[mid]["capped"] else ""
    lt = "< " if T[mid]["capped"] else ""
    return f"{lt}{st['elf_bytes'] / t / 1e6:.0f}", f"{lt}{st['elf_files'] / t:.0f}" if gt == "" else f"< {st['elf_files'] / t:.0f}"


rss_of = {"binsight-static": "rss-static", "binsight-dir-x1": "rss-dir-x1", f"binsight-dir-{big}": f"rss-dir-{big}",
          "binsight-docker-x1": "rss-docker-x1", f"binsight-docker-{big}": f"rss-docker-{big}",
          "binsight-ocizstd-x1": "rss-ocizstd-x1", "checksec-x1": "checksec-x1", "cvebin-x1": "cvebin-x1"}


def peer_ratio(mid: str, ours: str) -> str:
    """binsight's scan of the same input against a peer's run."""
    if T[mid]["rc"] != 0:
        return f"no valid result: exit {T[mid]['rc']}"
    r = T[mid]["t"] / T[ours]["t"]
    return f"binsight {r:.1f}× faster" if r >= 1 else f"binsight {1 / r:.1f}× slower"


PEER_VS = {"syft-dir-x1": "binsight-dir-x1", "trivy-rootfs-x1": "binsight-dir-x1",
           "syft-docker-x1": "binsight-docker-x1", "trivy-docker-x1": "binsight-docker-x1",
           "syft-ocidir-x1": "binsight-ocidir-x1", "trivy-ocidir-x1": "binsight-ocidir-x1",
           "syft-static": "binsight-static", "trivy-rootfs-static": "binsight-static",
           "govulncheck-x1": "binsight-dir-x1", "govulncheck-static": "binsight-static"}


def ratio_text(mid: str) -> str:
    t = T[mid]["t"]
    if mid in PEER_VS:
        return peer_ratio(mid, PEER_VS[mid])
    if mid == "binsight-static":
        r = t / T["openssl-static"]["t"]
        return f"{r:.2f}× `openssl dgst -sha256` of the same bytes (target ≤ 1.3×) {ok(r <= 1.3)}"
    if mid == "binsight-static-table":
        pct = T["cat-static"]["t"] / t * 100
        return f"{pct:.0f}% of cat's throughput, no hashes (target ≥ 50%) {ok(pct >= 50)}"
    if mid == "binsight-ocidir-x1":
        return f"{t / T['zstd-dc-x1']['t']:.2f}× `zstd -dc` of its layer"
    if mid == "openssl-static":
        return "baseline: SHA-256 of the same bytes, 2 processes"
    if mid.startswith("binsight-dir-"):
        tree = meas[mid]["tree"]
        pct = T[f"cat-{tree}"]["t"] / t * 100
        return f"{pct:.0f}% of cat's throughput (target ≥ 50%) {ok(pct >= 50)}"
    if mid == "binsight-docker-x1":
        r = t / T["tar-xzf-x1"]["t"]
        d = t / T["gzip-dc-x1"]["t"]
        return f"{d:.2f}× `gzip -dc` (target ≤ 1.2×) {ok(d <= 1.2)}; {r:.2f}× `tar -xzf`"
    if mid == "binsight-ocizstd-x1":
        r = t / T["tar-zstd-x1"]["t"]
        d = t / T["zstd-dc-x1"]["t"]
        return f"{d:.2f}× `zstd -dc` (target ≤ 1.2×) {ok(d <= 1.2)}; {r:.2f}× `tar --zstd -xf`"
    if mid == f"binsight-docker-{big}":
        return f"{t / T[f'binsight-dir-{big}']['t']:.2f}× the directory scan of the same tree"
    if mid == "scanelf-x1":
        return (f"binsight {t and T['binsight-dir-x1']['t'] / t:.0f}× slower: scanelf maps each file and "
                "reads the ELF headers and dynamic section only, not the contents")
    if mid in ("checksec-x1", "cvebin-x1"):
        if T[mid]["rc"] not in (0, 124):
            return "no valid result: the run failed"
        r = t / T["binsight-dir-x1"]["t"]
        s = f"binsight {'≥ ' if T[mid]['capped'] else ''}{r:.1f}× faster" if r >= 1 else f"binsight {1 / r:.1f}× slower"
        if mid == "cvebin-x1":
            s += f" (target ≥ 20×) {ok(r >= 20)}"
        return s
    if mid.startswith("cat-"):
        return "baseline: reading the ELF bytes"
    return ""


rows = [
    ("cat-static", "`cat` the files (`xargs -0 cat`)", "static dir"),
    ("openssl-static", "`openssl dgst -sha256`, one process per file, 2 at a time", "static dir"),
    ("binsight-static", "**binsight scan** dir, `--audit`, 2 OSV dirs, JSON (hashes)", "static dir"),
    ("binsight-static-table", "**binsight scan** dir, `--audit`, 2 OSV dirs, table (no hashes)", "static dir"),
    ("syft-static", "syft `scan dir:` (syft-json)", "static dir"),
    ("trivy-rootfs-static", "trivy `rootfs`, CycloneDX (SBOM only)", "static dir"),
    ("govulncheck-static", "govulncheck `-mode=binary` on each Go binary, 2 at a time", "static dir"),
    ("osv-scanner-static", "osv-scanner on binsight's CycloneDX SBOM, offline", "static dir"),
    ("cat-x1", "`cat` the ELF files (`xargs -0 cat`)", "x1 dir"),
    ("binsight-dir-x1", "**binsight scan** dir, `--audit`, 2 OSV dirs, JSON", "x1 dir"),
    ("gzip-dc-x1", "`gzip -dc` the layer", "x1 layer .tar.gz"),
    ("tar-xzf-x1", "`tar -xzf` the layer into tmpfs", "x1 layer .tar.gz"),
    ("binsight-docker-x1", "**binsight scan** `docker-archive:` (gzip layer)", "x1 image"),
    ("zstd-dc-x1", "`zstd -dc` the layer", "x1 layer .tar.zst"),
    ("tar-zstd-x1", "`tar --zstd -xf` the layer into tmpfs", "x1 layer .tar.zst"),
    ("binsight-ocizstd-x1", "**binsight scan** `oci-archive:` (zstd layer)", "x1 image"),
    ("binsight-ocidir-x1", "**binsight scan** `oci-dir:` (zstd layer)", "x1 image"),
    ("syft-dir-x1", "syft `scan dir:` (syft-json)", "x1 dir"),
    ("trivy-rootfs-x1", "trivy `rootfs`, CycloneDX (SBOM only)", "x1 dir"),
    ("syft-docker-x1", "syft `scan docker-archive:`", "x1 image"),
    ("trivy-docker-x1", "trivy `image --input` docker-archive, CycloneDX", "x1 image"),
    ("syft-ocidir-x1", "syft `scan oci-dir:`", "x1 image"),
    ("trivy-ocidir-x1", "trivy `image --input` OCI layout dir, CycloneDX", "x1 image"),
    ("govulncheck-x1", "govulncheck `-mode=binary` on each Go binary, 2 at a time", "x1 dir"),
    ("scanelf-x1", "`scanelf -R -y -a` (pax-utils)", "x1 dir"),
    ("checksec-x1", "`checksec --dir` (JSON)", "x1 dir"),
    ("cvebin-x1", "cve-bin-tool checkers, offline (no CVE DB)", "x1 dir"),
    (f"cat-{big}", "`cat` the ELF files (`xargs -0 cat`)", f"{big} dir"),
    (f"binsight-dir-{big}", "**binsight scan** dir, `--audit`, 2 OSV dirs, JSON", f"{big} dir"),
    (f"binsight-docker-{big}", "**binsight scan** `docker-archive:` (gzip layer)", f"{big} image"),
]


def jsonl_summary(mid: str) -> str:
    lines = [json.loads(l) for l in (res / f"{mid}.out").read_text().splitlines() if l.strip()]
    errors = [l for l in lines if "error" in l and "path" in l and len(l) == 2]
    reports = [l for l in lines if "image" not in l and l not in errors]
    verdicts: dict[str, int] = {}
    for r in reports:
        v = (r.get("verdict") or {}).get("status") or (r.get("verdict") or {}).get("verdict") or "?"
        verdicts[v] = verdicts.get(v, 0) + 1
    return f"{len(reports)} reports, {len(errors)} error lines, exit {gnu_time(mid)['rc']}"


out = []
w = out.append
w("# Benchmarks")
w("")
w("Generated by `scripts/bench/run.sh` (do not edit by hand; rerun it). One run measures binsight "
  "and its peers on the same tree, pinned to the same cores, with a warm page cache.")
w("")
w(f"Corpus: a Debian `{machine['rootfs'].split('-')[1]}` root filesystem made with "
  "`debootstrap --variant=minbase`, plus the project's ELF corpus (`corpus/build`) copied in under "
  f"`/opt/corpus` (**x1**: {stats['x1']['elf_files']} ELF files, {stats['x1']['elf_bytes'] / 1e6:.0f} MB of ELF); "
  f"**{big}** has the corpus {copies} times (`/opt/corpus`, `/opt/corpus2`, …: "
  f"{stats[big]['elf_files']} ELF files, {stats[big]['elf_bytes'] / 1e6:.0f} MB). "
  "Throughput is over the ELF bytes / ELF files of the tree (the same content is in every "
  "form of the input); MB = 10⁶ bytes. Time: the median of "
  f"{machine['runs']} runs after one warm-up run (min–max in brackets), or one run where marked. "
  "CPU s: user + system seconds of the command and its children (the mean over the timed runs); "
  "two cores are available, so CPU s close to 2 × wall s means both were busy.")
w("")
targets = [
    ("binsight dir scan ≥ 50% of `cat`'s throughput",
     f"{T['cat-x1']['t'] / T['binsight-dir-x1']['t'] * 100:.0f}% (x1), "
     f"{T[f'cat-{big}']['t'] / T[f'binsight-dir-{big}']['t'] * 100:.0f}% ({big})",
     T["cat-x1"]["t"] / T["binsight-dir-x1"]["t"] >= 0.5),
    ("binsight image scan ≤ 1.2 × decompressing its layer",
     f"{T['binsight-docker-x1']['t'] / T['gzip-dc-x1']['t']:.2f}× `gzip -dc` (docker-archive), "
     f"{T['binsight-ocizstd-x1']['t'] / T['zstd-dc-x1']['t']:.2f}× `zstd -dc` (oci-archive)",
     max(T["binsight-docker-x1"]["t"] / T["gzip-dc-x1"]["t"], T["binsight-ocizstd-x1"]["t"] / T["zstd-dc-x1"]["t"]) <= 1.2),
    ("static dir, JSON (hashes): ≤ 1.3 × `openssl dgst -sha256` on 2 cores",
     f"{T['binsight-static']['t'] / T['openssl-static']['t']:.2f}×",
     T["binsight-static"]["t"] / T["openssl-static"]["t"] <= 1.3),
    ("static dir, table (no hashes): ≥ 50% of `cat`'s throughput",
     f"{T['cat-static']['t'] / T['binsight-static-table']['t'] * 100:.0f}%",
     T["cat-static"]["t"] / T["binsight-static-table"]["t"] >= 0.5),
    ("binsight `scan --audit` faster than syft's and trivy's SBOM-only scans (dir, docker-archive, OCI dir, static)",
     ", ".join(f"{T[p]['t'] / T[PEER_VS[p]]['t']:.1f}× ({p})" for p in PEER_VS if p in T and p.split('-')[0] in ("syft", "trivy")),
     all(T[p]["rc"] == 0 and T[p]["t"] > T[PEER_VS[p]]["t"] for p in PEER_VS if p in T and p.split('-')[0] in ("syft", "trivy"))),
    ("binsight peak RSS ≤ 300 MB at both sizes",
     ", ".join(f"{rss_mb(m):.0f} MB ({m[4:]})" for m in meas if m.startswith("rss-")),
     all(rss_mb(m) <= 300 for m in meas if m.startswith("rss-"))),
    ("binsight ≥ 20 × faster than cve-bin-tool",
     "no valid cve-bin-tool result" if T["cvebin-x1"]["rc"] not in (0, 124) else
     f"{'≥ ' if T['cvebin-x1']['capped'] else ''}{T['cvebin-x1']['t'] / T['binsight-dir-x1']['t']:.0f}×",
     T["cvebin-x1"]["rc"] in (0, 124) and T["cvebin-x1"]["t"] / T["binsight-dir-x1"]["t"] >= 20),
]
w("| target | measured | |")
w("|---|---|---|")
for what, got, good in targets:
    w(f"| {what} | {got} | {ok(good)} |")
w("")
w("| # | measurement | input | wall s | CPU s | ELF MB/s | ELF files/s | peak RSS MB | compared |")
w("|---|---|---|---|---|---|---|---|---|")
for i, (mid, what, inp) in enumerate(rows, 1):
    if mid not in meas:
        continue
    mbs, fps = rate(mid)
    r = f"{rss_mb(rss_of[mid]):.0f}" if mid in rss_of else "–"
    w(f"| {i} | {what} | {inp} | {fmt_s(T[mid])} | {T[mid]['cpu']:.2f} | {mbs} | {fps} | {r} | {ratio_text(mid)} |")
w("")
w("## Peak memory of binsight (target < 300 MB)")
w("")
w("| scan | input | ELF files | ELF MB | peak RSS MB | wall s (this run) | output check | |")
w("|---|---|---|---|---|---|---|---|")
for mid, what in (("rss-static", "directory of static binaries"), ("rss-dir-x1", "directory"), (f"rss-dir-{big}", "directory"),
                  ("rss-docker-x1", "docker-archive, gzip"), (f"rss-docker-{big}", "docker-archive, gzip"),
                  ("rss-ocizstd-x1", "oci-archive, zstd")):
    tree = meas[mid]["tree"]
    g = gnu_time(mid)
    mb = g["rss_kib"] * 1024 / 1e6
    w(f"| {what} | {tree} | {stats[tree]['elf_files']} | {stats[tree]['elf_bytes'] / 1e6:.0f} | "
      f"{mb:.0f} | {g['wall']:.2f} | {jsonl_summary(mid)} | {ok(mb < 300)} |")
w("")

w("## What each tool reported")
w("")
w("Counted by `scripts/bench/counts.py` from each run's output. Components by kind; *libc*: binaries "
  "whose libc family was named (with a version); *findings*: vulnerability matches. binsight's rows "
  "are its peak-RSS runs (`--audit`, JSON). syft lists its `binary` cataloger's matches (version "
  "strings of known programs) as C libraries; trivy's SBOM has no libc or C-library notion for a "
  "binary; govulncheck reads Go binaries only.")
w("")
w("| input | tool | binaries identified | Rust crates | Go modules | Go stdlib / Rust std | C libraries | OS packages | libc named (with version) | findings |")
w("|---|---|---|---|---|---|---|---|---|---|")


def counts(cid: str) -> dict:
    f = res / f"{cid}.counts.json"
    return json.loads(f.read_text()) if f.exists() else {"error": "not run"}


def count_row(inp: str, tool: str, cid: str) -> None:
    c = counts(cid)
    if "error" in c:
        w(f"| {inp} | {tool} | {c['error']} | | | | | | | |")
        return
    k = c.get("components") or {}
    dash = lambda v: "–" if v is None else str(v)  # noqa: E731
    std = (k.get("go-stdlib", 0) + k.get("rust-std", 0)) if c.get("components") is not None else None
    libc = c.get("libc")
    libc_s = f"{libc[0]} ({libc[1]})" if libc else "–"
    f = c.get("findings")
    if "called" in c:
        f = f"{c['findings']} ({c['called']} called, in {c['with_findings']} binaries)"
    w(f"| {inp} | {tool} | {dash(c.get('binaries'))} | {dash(k.get('rust-crate') if k else None)} | "
      f"{dash(k.get('go-module') if k else None)} | {dash(std)} | {dash(k.get('c-library') if k else None)} | "
      f"{dash(k.get('os-package') if k else None)} | {libc_s} | {dash(f)} |")


for inp, items in (("static dir", [("binsight", "rss-static"), ("syft", "syft-static"), ("trivy", "trivy-rootfs-static"),
                                   ("govulncheck", "govulncheck-static"), ("osv-scanner (binsight's SBOM)", "osv-scanner-static")]),
                   ("x1 dir", [("binsight", "rss-dir-x1"), ("syft", "syft-dir-x1"), ("trivy", "trivy-rootfs-x1"),
                               ("govulncheck", "govulncheck-x1")]),
                   ("x1 docker-archive", [("binsight", "rss-docker-x1"), ("syft", "syft-docker-x1"),
                                          ("trivy", "trivy-docker-x1")]),
                   ("x1 OCI (zstd)", [("binsight (oci-archive)", "rss-ocizstd-x1"), ("syft (oci-dir)", "syft-ocidir-x1"),
                                      ("trivy (oci-dir)", "trivy-ocidir-x1")])):
    for tool, cid in items:
        count_row(inp, tool, cid)
w("")
w("syft's Go modules include one `stdlib` entry per Go binary (binsight reports it as the Go standard "
  "library, column *Go stdlib*). govulncheck counts distinct (OSV id, module, version) per binary, "
  "*called* when its trace reaches a function.")
for t in ("x1", "static"):
    f = res / f"govulncheck-{t}.failed.tsv"
    if f.exists() and f.read_text().strip():
        lines = f.read_text().strip().splitlines()
        w(f"govulncheck refused {len(lines)} Go binaries of {t} (e.g. `{lines[0].split(chr(9))[-1]}`).")
w("")
w("## Peers: what each one did")
w("")
co = (res / "checksec-x1.out").read_text(errors="replace")
co_files = co.count('"filename"')
cs = T["checksec-x1"]
w(f"- **checksec** {dict(versions).get('checksec', '?')}: `--dir` runs `file` twice on every "
  f"regular file and several `readelf` calls per ELF file, one after the other. "
  f"{co_files} files reported, exit {cs.get('rc')}"
  + (f" — stopped by the {cs['t']:.0f} s timeout." if cs["capped"] else "."))
sc = (res / "scanelf-x1.json")
w(f"- **scanelf** {dict(versions).get('scanelf (pax-utils)', '?')}: `-R` recursive, `-y` do not follow "
  "symlinks (binsight does not either), `-a` all its checks (PaX, GNU_STACK/RELRO, TEXTREL, RPATH, "
  "NEEDED, INTERP, BIND, SONAME); ELF headers and dynamic section only, no content analysis.")
cv_path = res / "cvebin-x1.out"
cvt = T["cvebin-x1"]
try:
    cv = json.loads([l for l in cv_path.read_text().splitlines() if l.startswith("{")][-1])
    w(f"- **cve-bin-tool** {dict(versions).get('cve-bin-tool', '?')}: `cve-bin-tool --offline` refuses to "
      "run without a local NVD database and without it downloads one, so `scripts/bench/cvebin_scan.py` "
      "runs its scanning half — the walk and per-file scan of `VersionScanner(...).recursive_scan(ROOT)` that its CLI runs, all "
      f"{cv['checkers']} built-in checkers, no extraction — with no data sources and without the CVE "
      "look-up, inside `unshare --net` (no network at all). The sqlite checker's version map, normally "
      "downloaded when the checker loads, is seeded empty (it falls back to its string patterns). "
      f"It walked {cv['files_scanned']} files (runs `file` twice on each, then `strings` and every "
      f"checker's regexes on each binary) and made {cv['detections']} detections of {cv['products']} "
      "product versions. It is single-threaded."
      + (f" {cv['failed_files']} file(s) raised an exception, which ends the real CLI's scan "
         f"(here counted and skipped): `{cv['failures'][0]}`" if cv.get("failed_files") else ""))
except (ValueError, IndexError, KeyError):
    w(f"- **cve-bin-tool**: no result (exit {cvt.get('rc')}"
      + (f", stopped by the {cvt['t']:.0f} s timeout" if cvt["capped"] else "")
      + "); see `cvebin-x1.err` in the results directory.")
V = dict(versions)
w(f"- **syft** {V.get('syft', '?')}: `syft scan -q SOURCE -o syft-json` with `dir:`, `docker-archive:` "
  "and `oci-dir:` (its OCI *archive* reader is not used: the archive is unpacked once for it and "
  "trivy), its default catalogers (the image scans use its default squashed scope). Offline "
  "(`unshare --net`, update check off).")
w(f"- **trivy** {V.get('trivy', '?')}: `trivy rootfs` (directories: `trivy fs` is its source-tree mode, "
  "whose analyzers read lock files and never open binaries — it reports nothing of the static "
  "directory) / `trivy image --input` with `--format cyclonedx` "
  "(SBOM only), `--offline-scan --skip-db-update --skip-java-db-update`: its vulnerability database "
  "is downloaded from a registry at run time and cannot be had (or built) offline here, so trivy "
  "reports components and no findings. Offline (`unshare --net`).")
w(f"- **grype** {V.get('grype', '?')}: built, not run: grype matches only against its own database "
  "(schema v6, built by grype-db from vunnel's upstream feeds and downloaded at run time); no "
  "build of it from the OSV exports used here exists offline, so there is no grype row.")
w(f"- **govulncheck** {V.get('govulncheck', '?')}: `govulncheck -mode=binary -db file://DB -json BIN` "
  "on every Go binary (`go version` lists them), two processes at a time; DB: the same OSV Go export "
  "written in govulncheck's database layout (`binsight-corpus peer-db govulncheck`).")
w(f"- **osv-scanner** {V.get('osv-scanner', '?')}: `osv-scanner scan source --offline -L SBOM` on "
  "binsight's CycloneDX SBOM of the static directory (its binary extractors are not in `scan "
  "source`'s default plugins), with its offline database (`all.zip` per ecosystem) written from the "
  "same OSV exports (`binsight-corpus peer-db osv-scanner`).")
w("- **binsight** checks every file's magic, and for each ELF file: libc family/version signals, "
  "toolchain, Rust/Go components, hardening, portability, DNS verdict, and with `--audit` the match "
  "against its own advisories plus the OSV crates.io and Go exports given with `--advisories`; "
  "JSON out. Image scans stream the layer (no extraction) and verify the blob digest. Its database "
  "directory (`BINSIGHT_DATA`) is empty, so only the given advisories are used.")
w("")

w("## Corpus")
w("")
layer = lambda n: int((img / f"{n}.layer.size").read_text())  # noqa: E731
w("| tree | regular files | symlinks | ELF files | ELF bytes | all bytes |")
w("|---|---|---|---|---|---|")
for k, label in (("rootfs", f"rootfs ({machine['rootfs']})"), ("corpus", "ELF corpus (corpus/build)"),
                 ("x1", "x1 = rootfs + corpus"), (big, f"{big} = rootfs + {copies} × corpus"),
                 ("static", "static = the corpus's static ELF executables ≥ 1 MiB, copied")):
    s = stats[k]
    w(f"| {label} | {s['files']} | {s['symlinks']} | {s['elf_files']} | {s['elf_bytes']:,} | {s['bytes']:,} |")
w("")
sizes = []
for n, f in (("x1", "x1.docker.tar"), ("x1", "x1.oci-zstd.tar"), (big, f"{big}.docker.tar")):
    p = img / f
    if p.exists():
        j = json.loads((img / f.replace(".tar", ".json")).read_text())
        sizes.append(f"`{f}` ({j['kind']}, {j['compression']} layer of {layer(n) / 1e6:.0f} MB "
                     f"→ {j['layer_bytes'] / 1e6:.0f} MB)")
w("Images (one layer holding the whole tree, `/dev` `/proc` `/sys` empty; built with GNU tar, "
  "`gzip -n -6`, `zstd -3` and `scripts/bench/make_image.py`, no docker daemon): " + "; ".join(sizes) + ".")
w("")

w("## Machine and versions")
w("")
w("| | |")
w("|---|---|")
for k in ("nproc", "CPU", "memory", "kernel", "OS"):
    w(f"| {k} | {machine[k]} |")
for k, v in versions:
    w(f"| {k} | {v} |")
w(f"| whole benchmark run | {elapsed} s ({elapsed / 60:.1f} min), including any preparation not cached |")
w("")

w("## Commands")
w("")
w("Every command ran as `taskset -c " + machine["nproc"].split("CPUs ")[-1].rstrip(")") + " …`; "
  "hyperfine ran them through `sh -c` with `--warmup 1 --runs " + machine["runs"] + "`; "
  "the one-run commands and the peak-RSS runs under `/usr/bin/time -v`. "
  "`BINSIGHT_DATA` pointed at an empty directory. Paths are this machine's.")
w("")
w("```sh")
w(f"debootstrap --variant=minbase {machine['rootfs'].split('-')[1]} ROOTFS MIRROR   "
  "# MIRROR: the Debian archive from this machine's apt sources")
for kind, title in (("rss", "peak RSS, one run each (/usr/bin/time -v); these outputs are the ones checked above"),
                    ("hyperfine", f"timed: hyperfine --warmup 1 --runs {machine['runs']}"),
                    ("single", "one run each (/usr/bin/time -v, timeout)")):
    w(f"# {title}")
    for mid, m in meas.items():
        if m["kind"] != kind:
            continue
        prep = ""
        if mid.startswith("tar-"):
            prep = "   # --prepare 'rm -rf DIR && mkdir -p DIR' before each run"
        w(f"{m['cmd']}{prep}")
w("```")
w("")
print("\n".join(out))
