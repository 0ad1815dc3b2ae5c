#!/usr/bin/env python3
"""cve-bin-tool's binary version detection alone, offline: its checkers, no CVE database.

`cve-bin-tool --offline DIR` refuses to run without a local NVD database, and without
--offline it downloads one (gigabytes). The scanning half of its CLI is
`cve_bin_tool.version_scanner.VersionScanner(...).recursive_scan(DIR)` (cli.py); this runs
the same walk and per-file scan with the CLI's defaults (no archive extraction, all built-in
checkers), but with no data sources (sources=[]) and without the CVE look-up
(`CVEScanner.get_cves`) that follows each detection in the CLI. run.sh starts it inside `unshare --net`, so it cannot reach any
network even by accident, and with HOME pointing at a scratch directory.

Usage: cvebin_scan.py ROOT             scan the whole tree like `cve-bin-tool ROOT`
       cvebin_scan.py --list FILE      scan the files listed in FILE (NUL-separated paths)
Prints one JSON object (the last line): files scanned, detections, distinct products, files
whose scan raised (and the first messages), seconds.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import sys
import time
from pathlib import Path


def seed_sqlite_version_map() -> None:
    """The sqlite checker downloads sqlite's changelog when its class is defined, unless
    ~/.cache/cve-bin-tool/version_map.db says the (empty) map is fresh: say so, offline. The
    checker then detects sqlite by its generic string patterns only."""
    d = Path.home() / ".cache" / "cve-bin-tool"
    d.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(d / "version_map.db") as c:
        c.execute("CREATE TABLE IF NOT EXISTS sqlite(version TEXT, sourceId TEXT PRIMARY KEY)")
        c.execute("CREATE TABLE IF NOT EXISTS latest_update_sqlite(datestamp DATETIME PRIMARY KEY)")
        c.execute("DELETE FROM latest_update_sqlite")
        c.execute("INSERT INTO latest_update_sqlite VALUES (?)", (time.time(),))


seed_sqlite_version_map()
from cve_bin_tool.extractor import Extractor  # noqa: E402  (after the seeding above)
from cve_bin_tool.log import LOGGER  # noqa: E402
from cve_bin_tool.version_scanner import VersionScanner  # noqa: E402


def main() -> int:
    LOGGER.setLevel(logging.ERROR)  # "info" logs a line per file, "warning" one per archive
    t0 = time.monotonic()
    vs = VersionScanner(should_extract=False, sources=[])
    if sys.argv[1] == "--list":
        with open(sys.argv[2], "rb") as f:
            paths = [p.decode("utf-8", "surrogateescape") for p in f.read().split(b"\0") if p]
    else:
        paths = vs.walker([sys.argv[1]])  # what recursive_scan(DIR) walks
    found, failed = [], []
    # recursive_scan's loop, except that an exception in one file (its parsers read some files
    # as UTF-8 text and raise on binary bytes) is counted instead of ending the whole scan, as
    # it does in the CLI.
    with Extractor(logger=vs.logger, error_mode=vs.error_mode) as ectx:
        for p in paths:
            vs.file_stack.append(p)
            try:
                found.extend(s for s in vs.scan_and_or_extract_file(ectx, p) if s)
            except Exception as e:  # noqa: BLE001
                failed.append(f"{p}: {type(e).__name__}: {e}"[:300])
            vs.file_stack.pop()
    products = sorted({f"{s.product_info.product} {s.product_info.version}" for s in found})
    print(json.dumps({"files_scanned": vs.total_scanned_files, "checkers": vs.number_of_checkers(),
                      "detections": len(found), "products": len(products), "product_list": products,
                      "failed_files": len(failed), "failures": failed[:20],
                      "seconds": round(time.monotonic() - t0, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
