#!/usr/bin/env python3
"""Regenerate crates/binsight-detect/data/sys-crates.tsv and sqlite-source-ids.tsv.

sys-crates.tsv: which version of a C library each version of a Rust `-sys`/`-src` crate bundles
(the copy it builds when it compiles the library itself), so that a Rust binary whose crate list
names `libsqlite3-sys 0.28.0` or `openssl-src 300.0.10+3.0.6` can be given the version of the C
library linked into it.

* Versions come from the crates.io sparse index as cargo itself caches it: for each crate a
  throwaway cargo project depending on it runs `cargo generate-lockfile`, then the script reads
  the index cache file cargo wrote (`$CARGO_HOME/registry/index/*/.cache/<prefix>/<name>`, one
  JSON line per version). Every version is kept, yanked ones too (a binary may carry one).
* Where a crate version carries the library version in its build metadata (`300.0.10+3.0.6`,
  `0.4.80+curl-8.12.1`, `2.0.7+zstd.1.5.4`) the row says `build-metadata`; the newest metadata
  version of each major line of such a crate is also downloaded and its bundled sources checked
  against the metadata (a mismatch is an error).
* Otherwise the library version is read from the crate's own files (`crate-source:<path>`), for
  the versions selected in CRATES below: each is downloaded by cargo in a throwaway project
  pinning `=VERSION` (one project per version: crates with the same `links` cannot share one;
  yanked versions through `cargo update --precise`), and the .crate file is checked against the
  index checksum before its headers are read. Versions are written as the headers spell them,
  snapshot suffixes included (curl `7.68.0-DEV`, libssh2 `1.11.2_DEV`, zlib `1.3.1.1-motley`).

sqlite-source-ids.tsv: SQLite version <-> SQLITE_SOURCE_ID (the check-in date and hash that
`sqlite3_sourceid()` returns and that a binary carries as a string), from every bundled sqlite3.h
read above, plus the sqlite3-binding.h of each version >= v1.14.0 of the Go module
github.com/mattn/go-sqlite3 (`go mod download -json` in a throwaway module), plus the bundled
sqlite3.h of every version of the npm package better-sqlite3 (`npm view better-sqlite3 versions
--json`, then `npm pack better-sqlite3@VERSION`, which checks each tarball against the registry's
integrity hash; the header is `deps/sqlite3/sqlite3.h` from 8.0.0 on, inside `deps/sqlite3.tar.gz`
in 5.x-7.x and inside `deps/sqlite-autoconf-NNNNNNN.tar.gz` before). A version with none of these is
listed as not covered in the header of the table. If two sources give one SQLite version different
source ids, the script fails.

Usage: scripts/gen-sys-crates.py [--offline]
  --offline   use only what is cached (no index refresh, no download); fails if anything is missing

Cache: ${BINSIGHT_CACHE:-${XDG_CACHE_HOME:-~/.cache}/binsight}/gen-sys-crates/ holds a private
CARGO_HOME (cargo-home/: sparse-index cache and .crate files; the user's ~/.cargo is not touched,
but registry settings in a `.cargo/config.toml` of an ancestor directory, such as ~/.cargo/ when
the cache is under the home directory, still apply), a private GOMODCACHE (gomodcache/: module
zips only, the extracted trees are removed after reading), the better-sqlite3 headers (npm/:
per version the gzipped sqlite3.h and a JSON record, about 30 MB in all; the tarballs and npm's own
cache, a private one under tmp/, are deleted after each run; the user's ~/.npm is not touched) and
the throwaway projects (tmp/).
A cold run downloads about 0.7 GB of .crate files and Go module zips plus some 160 npm tarballs
(2 to 12 MB each) and takes about 6 minutes (the npm part about 2); a re-run only refreshes the
version lists and fetches new versions (about 1 minute).
Output is sorted (library, crate, semver) and holds no date: the same registry state gives the
same bytes. Python 3.11 standard library only; needs cargo, go and npm on PATH (npm not with
--offline).
"""
from __future__ import annotations

import argparse
import fnmatch
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "crates/binsight-detect/data"
OUT_CRATES = DATA / "sys-crates.tsv"
OUT_SQLITE = DATA / "sqlite-source-ids.tsv"
GO_SQLITE = "github.com/mattn/go-sqlite3"
GO_SQLITE_SINCE = "1.14.0"
NPM_SQLITE = "better-sqlite3"
FETCH_TARGET = "x86_64-unknown-linux-gnu"  # `cargo fetch` only downloads this target's deps

# ---------------------------------------------------------------------------------------------
# Reading versions out of C headers


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def define_str(name: str) -> Callable[[str], str | None]:
    """`#define NAME "value"` -> value."""
    rx = re.compile(rf'^[ \t]*#[ \t]*define[ \t]+{name}[ \t]+"([^"\n]+)"', re.M)

    def parse(text: str) -> str | None:
        m = rx.search(text)
        return m.group(1).strip() if m else None

    return parse


def define_nums(*names: str) -> Callable[[str], str | None]:
    """`#define A 1` `#define B 2` `#define C 3` -> "1.2.3"."""
    rxs = [re.compile(rf"^[ \t]*#[ \t]*define[ \t]+{n}[ \t]+(\d+)\b", re.M) for n in names]

    def parse(text: str) -> str | None:
        ms = [rx.search(text) for rx in rxs]
        return ".".join(m.group(1) for m in ms) if all(ms) else None

    return parse


def xz_version(text: str) -> str | None:
    """liblzma's version.h: MAJOR.MINOR.PATCH plus alpha/beta, as LZMA_VERSION_STRING spells it."""
    base = define_nums("LZMA_VERSION_MAJOR", "LZMA_VERSION_MINOR", "LZMA_VERSION_PATCH")(text)
    m = re.search(r"^[ \t]*#[ \t]*define[ \t]+LZMA_VERSION_STABILITY[ \t]+LZMA_VERSION_STABILITY_(\w+)",
                  text, re.M)
    if base is None or m is None:
        return None
    suffix = {"STABLE": "", "ALPHA": "alpha", "BETA": "beta"}.get(m.group(1))
    return None if suffix is None else base + suffix


def openssl_version_dat(text: str) -> str | None:
    """OpenSSL 3's VERSION.dat: MAJOR=3 MINOR=0 PATCH=6 [PRE_RELEASE_TAG=alpha1]."""
    kv = dict(re.findall(r"^(\w+)=(.*)$", text, re.M))
    try:
        v = f"{int(kv['MAJOR'])}.{int(kv['MINOR'])}.{int(kv['PATCH'])}"
    except (KeyError, ValueError):
        return None
    pre = kv.get("PRE_RELEASE_TAG", "").strip()
    return f"{v}-{pre}" if pre else v


def openssl_version_text(text: str) -> str | None:
    """OpenSSL 1.x's opensslv.h: OPENSSL_VERSION_TEXT "OpenSSL 1.1.1w  11 Sep 2023" (not -fips)."""
    for m in re.finditer(r'define[ \t]+OPENSSL_VERSION_TEXT[ \t]+"OpenSSL ([^ "]+)', text):
        if not m.group(1).endswith("-fips"):
            return m.group(1)
    return None


def nghttp2_version(text: str) -> str | None:
    m = re.search(r"AC_INIT\(\[nghttp2\],\s*\[([^\]]+)\]", text)
    return m.group(1).strip() if m else None


def bzip2_version(text: str) -> str | None:
    v = define_str("BZ_VERSION")(text)  # "1.0.6, 6-Sept-2010"
    return v.split(",")[0].strip() if v else None


SQLITE_SOURCE_ID = define_str("SQLITE_SOURCE_ID")
# The hash's tail may be overwritten by a tag: `...e4a3alt1`, `...9120744a-experimental` (the
# sqlite3.h of SQLite 3.51.0 in better-sqlite3 12.4.5).
SOURCE_ID_RX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [0-9a-f]{40,64}(?:[0-9a-z]*|-[0-9a-z]+)$")

# ---------------------------------------------------------------------------------------------
# The crates


@dataclass(frozen=True)
class Probe:
    """Where a crate keeps a bundled library's version: the first existing path wins."""
    library: str
    paths: tuple[str, ...]  # relative to the crate root; `*` matches within one path component
    parse: Callable[[str], str | None]
    optional: bool = False  # a version may not bundle it (libz-sys before it carried zlib-ng)


@dataclass(frozen=True)
class Crate:
    name: str
    library: str
    meta: str | None  # regex over the build metadata; group 1 is the library version
    probes: tuple[Probe, ...]
    since: str | None = None  # read the sources of the versions without metadata from this one on
    last: int | None = None  # ... or of the newest N versions without metadata
    verify: bool = True  # check the build metadata of the newest version per major line


P_OPENSSL = Probe("openssl", ("openssl/VERSION.dat", "openssl/include/openssl/opensslv.h"),
                  lambda t: openssl_version_dat(t) if "MAJOR=" in t else openssl_version_text(t))
P_XZ = Probe("xz", ("xz/src/liblzma/api/lzma/version.h", "xz-*/src/liblzma/api/lzma/version.h"), xz_version)
P_ZLIB_NG = ("src/zlib-ng/zlib-ng.h.in", "src/zlib-ng/zlib.h.in", "src/zlib-ng/zlib-ng.h", "src/zlib-ng/zlib.h")

CRATES: tuple[Crate, ...] = (
    Crate("openssl-src", "openssl", r"(\d+\.\d+\.\d+[a-z]*)", (P_OPENSSL,), last=10),
    Crate("curl-sys", "curl", r"curl-(\d+\.\d+\.\d+)",
          (Probe("curl", ("curl/include/curl/curlver.h",), define_str("LIBCURL_VERSION")),), last=10),
    Crate("libgit2-sys", "libgit2", r"(\d+\.\d+\.\d+)",
          (Probe("libgit2", ("libgit2/include/git2/version.h",), define_str("LIBGIT2_VERSION")),), last=10),
    Crate("zstd-sys", "zstd", r"zstd\.(\d+\.\d+\.\d+)",
          (Probe("zstd", ("zstd/lib/zstd.h",),
                 define_nums("ZSTD_VERSION_MAJOR", "ZSTD_VERSION_MINOR", "ZSTD_VERSION_RELEASE")),), last=10),
    Crate("bzip2-sys", "bzip2", r"(\d+\.\d+\.\d+)",
          (Probe("bzip2", ("bzip2-*/bzlib_private.h",), bzip2_version),), last=10),
    Crate("lzma-sys", "xz", None, (P_XZ,), since="0.0.0"),
    Crate("liblzma-sys", "xz", None, (P_XZ,), since="0.0.0"),
    Crate("libssh2-sys", "libssh2", None,
          (Probe("libssh2", ("libssh2/include/libssh2.h",), define_str("LIBSSH2_VERSION")),), since="0.2.0"),
    Crate("libnghttp2-sys", "nghttp2", r"(\d+\.\d+\.\d+)",
          (Probe("nghttp2", ("nghttp2/configure.ac",), nghttp2_version),), last=10),
    Crate("lz4-sys", "lz4", r"(?:lz4-)?(\d+\.\d+\.\d+)",
          (Probe("lz4", ("liblz4/lib/lz4.h",),
                 define_nums("LZ4_VERSION_MAJOR", "LZ4_VERSION_MINOR", "LZ4_VERSION_RELEASE")),), last=20),
    Crate("aws-lc-sys", "aws-lc", None,
          (Probe("aws-lc", ("aws-lc/include/openssl/base.h",), define_str("AWSLC_VERSION_NUMBER_STRING")),),
          last=10),
    Crate("expat-sys", "expat", None,
          (Probe("expat", ("expat/lib/expat.h",),
                 define_nums("XML_MAJOR_VERSION", "XML_MINOR_VERSION", "XML_MICRO_VERSION")),), last=10),
    Crate("pcre2-sys", "pcre2", None,
          (Probe("pcre2", ("upstream/include/pcre2.h", "upstream/src/pcre2.h.generic", "pcre2/src/pcre2.h.generic"),
                 define_nums("PCRE2_MAJOR", "PCRE2_MINOR")),), last=20),
    Crate("libz-sys", "zlib", None,
          (Probe("zlib", ("src/zlib/zlib.h",), define_str("ZLIB_VERSION")),
           Probe("zlib-ng", P_ZLIB_NG, define_str("ZLIBNG_VERSION"), optional=True)), since="1.1.0"),
    Crate("libz-ng-sys", "zlib-ng", None, (Probe("zlib-ng", P_ZLIB_NG, define_str("ZLIBNG_VERSION")),),
          since="0.0.0"),
    Crate("libsqlite3-sys", "sqlite", None,
          (Probe("sqlite", ("sqlite3/sqlite3.h",), define_str("SQLITE_VERSION")),), since="0.20.0"),
)

# ---------------------------------------------------------------------------------------------
# Plumbing


def log(msg: str) -> None:
    print(f"[gen-sys-crates] {msg}", file=sys.stderr, flush=True)


def die(msg: str) -> "None":
    print(f"[gen-sys-crates] ERROR: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def cache_dir() -> Path:
    if os.environ.get("BINSIGHT_CACHE"):
        root = Path(os.environ["BINSIGHT_CACHE"])
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "binsight"
    d = root / "gen-sys-crates"
    d.mkdir(parents=True, exist_ok=True)
    return d


class CmdError(Exception):
    pass


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> str:
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise CmdError(f"`{' '.join(cmd)}` failed ({p.returncode}) in {cwd}:\n{p.stdout}{p.stderr}".rstrip())
    return p.stdout


def semver_key(v: str) -> tuple:
    """Order of semantic versioning (build metadata last, as a tie-break only)."""
    m = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.+-]+))?", v)
    if not m:
        die(f"not a semantic version: {v!r}")
    pre = m.group(4)
    pre_key: tuple = (1,) if pre is None else (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p)
                                                           for p in pre.split(".")))
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), pre_key, m.group(5) or "")


def meta_of(v: str) -> str | None:
    return v.split("+", 1)[1] if "+" in v else None


def index_prefix(name: str) -> str:
    n = name.lower()
    if len(n) <= 2:
        return f"{len(n)}/{n}"
    if len(n) == 3:
        return f"3/{n[0]}/{n}"
    return f"{n[:2]}/{n[2:4]}/{n}"


class Cargo:
    def __init__(self, cache: Path, offline: bool):
        self.home = cache / "cargo-home"
        self.tmp = cache / "tmp"
        self.home.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.offline = offline
        self.env = dict(os.environ)
        self.env.update(CARGO_HOME=str(self.home), CARGO_TERM_COLOR="never", CARGO_TERM_PROGRESS_WHEN="never",
                        CARGO_NET_RETRY="5")
        self.env.pop("RUSTUP_TOOLCHAIN", None)
        self.flags = ["--offline"] if offline else []

    def project(self, dep: str, req: str) -> tempfile.TemporaryDirectory:
        t = tempfile.TemporaryDirectory(dir=self.tmp, prefix=f"{dep}-")
        d = Path(t.name)
        (d / "src").mkdir()
        (d / "src/lib.rs").write_text("")
        (d / "Cargo.toml").write_text(
            '[package]\nname = "binsight-sys-probe"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
            f'[dependencies]\n{dep} = "{req}"\n')
        return t

    def versions(self, name: str) -> list[dict]:
        """Every index entry of NAME, after cargo refreshed it (unless offline)."""
        with self.project(name, "*") as t:
            try:
                run(["cargo", "generate-lockfile", *self.flags], Path(t), self.env)
            except CmdError as err:
                # The index was read all the same when only the resolution failed.
                files = list((self.home / "registry/index").glob(f"*/.cache/{index_prefix(name)}"))
                if "failed to select a version" not in str(err) or not files:
                    raise
                log(f"{name}: the newest version does not resolve; its index entry was read all the same")
        files = list((self.home / "registry/index").glob(f"*/.cache/{index_prefix(name)}"))
        if not files:
            die(f"{name}: cargo wrote no index cache file under {self.home}/registry/index/*/.cache/")
        f = max(files, key=lambda p: p.stat().st_mtime)
        entries: dict[str, dict] = {}
        # Cache layout: a version byte, a u32 index format, the index version, then pairs of
        # NUL-terminated (version, JSON line); only the JSON lines are used.
        for chunk in f.read_bytes().split(b"\0"):
            if not chunk.startswith(b"{"):
                continue
            try:
                e = json.loads(chunk)
            except ValueError:
                continue
            if isinstance(e, dict) and str(e.get("name", "")).lower() == name and isinstance(e.get("vers"), str):
                entries[e["vers"]] = e
        if not entries:
            die(f"{name}: no version in the index cache file {f}")
        return sorted(entries.values(), key=lambda e: semver_key(e["vers"]))

    def crate_file(self, name: str, vers: str) -> Path | None:
        hits = sorted((self.home / "registry/cache").glob(f"*/{name}-{vers}.crate"))
        return hits[0] if hits else None

    def fetch(self, entry: dict) -> Path:
        """The .crate of one exact version, downloaded by cargo unless cached; checksum-checked."""
        name, vers = entry["name"].lower(), entry["vers"]
        f = self.crate_file(name, vers)
        if f is None:
            if self.offline:
                raise CmdError(f"{name} {vers}: not in the cache (--offline)")
            self._download(name, vers, bool(entry.get("yanked")))
            f = self.crate_file(name, vers)
            if f is None:
                raise CmdError(f"{name} {vers}: cargo fetch left no {name}-{vers}.crate")
            for src in (self.home / "registry/src").glob(f"*/{name}-{vers}"):
                shutil.rmtree(src)  # only the .crate is read; the unpacked tree can be 100 MB
        sha = hashlib.sha256(f.read_bytes()).hexdigest()
        if sha != entry.get("cksum"):
            raise CmdError(f"{name} {vers}: {f} has sha256 {sha}, the index says {entry.get('cksum')}")
        return f

    def _download(self, name: str, vers: str, yanked: bool) -> None:
        # A yanked version cannot be required with `=`: require it loosely (`^VERSION`, or `*`
        # when no other version matches that), then move the lock onto it with --precise
        # (cargo allows yanked versions there).
        reqs = [vers, "*"] if yanked else [f"={vers}"]
        for i, req in enumerate(reqs):
            with self.project(name, req) as t:
                d = Path(t)
                try:
                    run(["cargo", "generate-lockfile"], d, self.env)
                except CmdError as err:
                    if i + 1 < len(reqs):
                        continue
                    if not yanked and "failed to select a version" in str(err):
                        # The dependencies of an old version may no longer resolve (`gcc = "^0.1"`,
                        # all yanked). `cargo info NAME@VERSION` downloads the .crate without
                        # resolving anything (it then may fail on the old manifest: ignored, the
                        # caller checks that the exact .crate is there and its checksum).
                        p = subprocess.run(["cargo", "info", f"{name}@{vers}"], cwd=d, env=self.env,
                                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
                        if self.crate_file(name, vers) is not None:
                            log(f"{name} {vers}: dependencies do not resolve; downloaded by `cargo info`")
                            return
                        raise CmdError(f"{err}\n`cargo info {name}@{vers}` did not download it either:\n"
                                       f"{p.stdout}{p.stderr}".rstrip()) from None
                    raise
                self._pin_and_fetch(d, name, vers, yanked)
                return

    def _pin_and_fetch(self, d: Path, name: str, vers: str, yanked: bool) -> None:
        if yanked:
            run(["cargo", "update", "-p", name, "--precise", vers], d, self.env)
        lock = tomllib.loads((d / "Cargo.lock").read_text())
        got = [p["version"] for p in lock.get("package", []) if p["name"] == name]
        if got != [vers]:
            # `=1.0.1` also matches `1.0.1+x`: semver ignores build metadata when matching.
            raise Unpinnable(unpinnable(name, vers, got))
        try:
            run(["cargo", "fetch", "--locked", "--target", FETCH_TARGET], d, self.env)
        except CmdError as err:
            # Today's cargo can download a manifest it no longer parses (`bzip2-sys 0.0.1`: a
            # hyphen in the lib name); the .crate is there all the same, and its checksum is checked.
            if self.crate_file(name, vers) is None:
                raise
            log(f"{name} {vers}: downloaded, though cargo then failed: {str(err).splitlines()[-1]}")


class Unpinnable(CmdError):
    pass


def unpinnable(name: str, vers: str, others: list[str]) -> str:
    return (f"{name} {vers}: cannot be pinned apart from {', '.join(others)} (`={vers}` matches both: "
            "semver ignores build metadata)")


class NoSources(CmdError):
    pass


def crate_members(path: Path, wanted: list[tuple[str, ...]]) -> tuple[dict[str, tuple[str, bytes]], bool]:
    """For each pattern list, the first (sorted) member of the .crate matching one of them, in
    order of patterns: {patterns[0]: (relative path, contents)}; and whether it has any .c file."""
    with tarfile.open(path, "r:gz") as tar:
        names = {}
        for m in tar.getmembers():
            if m.isfile() and "/" in m.name:
                names[m.name.split("/", 1)[1]] = m
        out = {}
        for pats in wanted:
            for pat in pats:
                hits = sorted(n for n in names if fnmatch.fnmatchcase(n, pat) and n.count("/") == pat.count("/"))
                if hits:
                    f = tar.extractfile(names[hits[0]])
                    out[pats[0]] = (hits[0], f.read() if f else b"")
                    break
        return out, any(n.endswith(".c") for n in names)


# ---------------------------------------------------------------------------------------------


@dataclass
class Found:
    rows: list[tuple[str, str, str, str, str]]  # library, crate, crate_version, library_version, source
    sqlite: list[tuple[str, str, str]]  # version, full source id, carrier


def read_sources(cargo: Cargo, crate: Crate, entry: dict, found: Found) -> dict[str, str]:
    """Read the bundled versions of one crate version; add rows; return {library: version}."""
    vers = entry["vers"]
    f = cargo.fetch(entry)
    members, has_c = crate_members(f, [p.paths for p in crate.probes])
    libs: dict[str, str] = {}
    for probe in crate.probes:
        hit = members.get(probe.paths[0])
        if hit is None:
            if probe.optional:
                continue
            # Tolerated: a crate with no C at all, or a yanked one (yanked for being incomplete).
            if not has_c:
                raise NoSources(f"{crate.name} {vers}{' (yanked)' if entry.get('yanked') else ''} ships no C sources")
            if entry.get("yanked"):
                raise NoSources(f"{crate.name} {vers} (yanked) lacks {probe.paths[0]}")
            raise CmdError(f"{crate.name} {vers}: bundles none of {', '.join(probe.paths)}: new layout? "
                           "update CRATES in this script")
        rel, data = hit
        text = _text(data)
        v = probe.parse(text)
        if not v:
            raise CmdError(f"{crate.name} {vers}: no {probe.library} version found in {rel}")
        libs[probe.library] = v
        found.rows.append((probe.library, crate.name, vers, v, f"crate-source:{rel}"))
        if probe.library == "sqlite":
            sid = SQLITE_SOURCE_ID(text)
            if not sid or not SOURCE_ID_RX.match(sid):
                raise CmdError(f"{crate.name} {vers}: no SQLITE_SOURCE_ID in {rel} (got {sid!r})")
            found.sqlite.append((v, sid, f"crate:{crate.name}@{vers}:{rel}"))
    return libs


def do_crate(cargo: Cargo, crate: Crate, found: Found, notes: list[str], verified: list[str],
             counts: dict[str, str]) -> None:
    entries = cargo.versions(crate.name)
    log(f"{crate.name}: {len(entries)} versions in the index")
    meta_rx = re.compile(crate.meta) if crate.meta else None
    plain: list[dict] = []
    with_meta: list[dict] = []
    n_rows_before = len(found.rows)
    for e in entries:
        meta = meta_of(e["vers"])
        if meta is None or meta_rx is None:
            plain.append(e)
            continue
        m = meta_rx.fullmatch(meta)
        if not m:
            die(f"{crate.name} {e['vers']}: build metadata {meta!r} does not match /{crate.meta}/: "
                "new format? update CRATES in this script")
        with_meta.append(e)
        found.rows.append((crate.library, crate.name, e["vers"], m.group(1), "build-metadata"))
    # Versions without metadata: read the bundled sources of the selected ones.
    if crate.since is not None:
        chosen = [e for e in plain if semver_key(e["vers"]) >= semver_key(crate.since)]
    else:
        chosen = plain[-crate.last:] if crate.last else []
    n_read = 0
    for e in chosen:
        try:
            twins = [x["vers"] for x in entries if x is not e and x["vers"].split("+")[0] == e["vers"].split("+")[0]]
            if twins and cargo.offline and cargo.crate_file(crate.name, e["vers"]) is None:
                raise Unpinnable(unpinnable(crate.name, e["vers"], twins))
            libs = read_sources(cargo, crate, e, found)
            n_read += 1
            log(f"{crate.name} {e['vers']}: {', '.join(f'{k} {v}' for k, v in libs.items())}")
        except (Unpinnable, NoSources) as err:
            notes.append(str(err))
            log(f"skipped: {err}")
    # Metadata check: the newest metadata version of each major line, against its sources.
    if crate.verify and with_meta:
        newest: dict[int, dict] = {}
        # The last one wins: the newest version not yanked, else the newest one.
        for e in sorted(with_meta, key=lambda e: (not e.get("yanked"), semver_key(e["vers"]))):
            newest[semver_key(e["vers"])[0]] = e
        for major in sorted(newest):
            e = newest[major]
            want = meta_rx.fullmatch(meta_of(e["vers"])).group(1)
            scratch = Found([], [])
            got = read_sources(cargo, crate, e, scratch).get(crate.library)
            path = next(r[4] for r in scratch.rows if r[0] == crate.library)[len("crate-source:"):]
            # A git checkout of a release tag may still say `-DEV` (curl's release tarballs drop it).
            if got not in (want, f"{want}-DEV", f"{want}_DEV"):
                die(f"{crate.name} {e['vers']}: build metadata says {crate.library} {want}, but {path} says {got}")
            verified.append(f"{crate.name} {e['vers']} ({path}{'' if got == want else ': ' + got})")
            log(f"{crate.name} {e['vers']}: metadata {want} matches {path} ({got})")
    n = len(found.rows) - n_rows_before
    counts[crate.name] = (f"{n} rows: {len(with_meta)} versions by metadata, {n_read} read "
                          f"({len(chosen) - n_read} skipped), of {len(entries)} in the index")


def go_sqlite(cache: Path, offline: bool, found: Found) -> int:
    modcache = cache / "gomodcache"
    modcache.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GOMODCACHE=str(modcache), GOFLAGS="-mod=mod -modcacherw", GOTOOLCHAIN="local")
    if offline:
        env["GOPROXY"] = "off"
    with tempfile.TemporaryDirectory(dir=cache / "tmp", prefix="go-") as t:
        d = Path(t)
        (d / "go.mod").write_text("module binsight.invalid/sysprobe\n\ngo 1.21\n")
        if offline:
            vdir = modcache / "cache/download" / GO_SQLITE / "@v"
            versions = sorted(p.stem for p in vdir.glob("v*.zip"))
        else:
            out = run(["go", "list", "-m", "-retracted", "-versions", GO_SQLITE], d, env).split()
            versions = out[1:]
        versions = [v for v in versions if re.fullmatch(r"v1\.\d+\.\d+", v)
                    and semver_key(v) >= semver_key(GO_SQLITE_SINCE)]
        if not versions:
            die(f"{GO_SQLITE}: no version >= v{GO_SQLITE_SINCE} found")
        versions.sort(key=semver_key)
        out = run(["go", "mod", "download", "-json", *[f"{GO_SQLITE}@{v}" for v in versions]], d, env)
    dec = json.JSONDecoder()
    i, infos = 0, []
    while i < len(out):
        while i < len(out) and out[i].isspace():
            i += 1
        if i >= len(out):
            break
        obj, i = dec.raw_decode(out, i)
        infos.append(obj)
    for info in infos:
        v = info.get("Version")
        if info.get("Error") or not info.get("Zip"):
            die(f"{GO_SQLITE}@{v}: {info.get('Error') or 'no zip'}")
        member = f"{GO_SQLITE}@{v}/sqlite3-binding.h"
        with zipfile.ZipFile(info["Zip"]) as z:
            try:
                text = _text(z.read(member))
            except KeyError:
                die(f"{GO_SQLITE}@{v}: no sqlite3-binding.h in {info['Zip']}")
        sv, sid = define_str("SQLITE_VERSION")(text), SQLITE_SOURCE_ID(text)
        if not sv or not sid or not SOURCE_ID_RX.match(sid):
            die(f"{GO_SQLITE}@{v}: no SQLITE_VERSION / SQLITE_SOURCE_ID in sqlite3-binding.h")
        found.sqlite.append((sv, sid, f"go:{GO_SQLITE}@{v}:sqlite3-binding.h"))
        if info.get("Dir") and Path(info["Dir"]).is_dir():
            shutil.rmtree(info["Dir"])  # 11 MB unpacked each; the zip stays in the module cache
        log(f"{GO_SQLITE}@{v}: sqlite {sv}")
    return len(infos)


# The npm package better-sqlite3 bundles the SQLite amalgamation in three layouts over its history:
# deps/sqlite3/sqlite3.h (8.0.0 on), deps/sqlite3.tar.gz holding sqlite3.h (5.x to 7.x) and
# deps/sqlite-autoconf-NNNNNNN.tar.gz holding sqlite-autoconf-NNNNNNN/sqlite3.h (0.x to 4.x).
# (member of the package, member of that archive or None): the first one found wins.
NPM_SQLITE_LAYOUTS: tuple[tuple[str, str | None], ...] = (
    ("deps/sqlite3/sqlite3.h", None),
    ("deps/sqlite3.tar.gz", "sqlite3.h"),
    ("deps/sqlite-autoconf-*.tar.gz", "sqlite-autoconf-*/sqlite3.h"),
)
NPM_BATCH = 10  # versions per `npm pack`


def npm_sqlite3_h(tgz: Path) -> tuple[str, bytes] | None:
    """The bundled sqlite3.h of one better-sqlite3 tarball: (where, contents), or None."""
    with tarfile.open(tgz, "r:gz") as tar:
        members = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if m.isfile() and "/" in m.name}
        for outer_pat, inner_pat in NPM_SQLITE_LAYOUTS:
            for outer in sorted(n for n in members if fnmatch.fnmatchcase(n, outer_pat)
                                and n.count("/") == outer_pat.count("/")):
                f = tar.extractfile(members[outer])
                if f is None:
                    continue
                if inner_pat is None:
                    return outer, f.read()
                with tarfile.open(fileobj=f, mode="r:*") as inner:
                    for m in sorted((m for m in inner.getmembers() if m.isfile()), key=lambda m: m.name):
                        name = m.name[2:] if m.name.startswith("./") else m.name
                        if fnmatch.fnmatchcase(name, inner_pat) and name.count("/") == inner_pat.count("/"):
                            g = inner.extractfile(m)
                            if g is not None:
                                return f"{outer}!{name}", g.read()
    return None


def npm_sqlite(cache: Path, offline: bool, found: Found, notes: list[str]) -> int:
    """Every version of the npm package better-sqlite3: the SQLite its tarball bundles. Only the
    bundled sqlite3.h is kept in the cache (gzipped), with a small JSON record per version; the
    tarball itself (fetched by `npm pack`, which checks it against the registry's integrity hash)
    is deleted once read."""
    store = cache / "npm" / NPM_SQLITE
    store.mkdir(parents=True, exist_ok=True)
    # npm runs with a private cache in a scratch directory, removed at the end: the user's ~/.npm
    # is not touched, and no tarball stays anywhere.
    scratch = None if offline else tempfile.TemporaryDirectory(dir=cache / "tmp", prefix="npm-")
    try:
        return _npm_sqlite(store, Path(scratch.name) if scratch else None, found, notes)
    finally:
        if scratch:
            scratch.cleanup()


def _npm_sqlite(store: Path, d: Path | None, found: Found, notes: list[str]) -> int:
    """npm_sqlite's work, with scratch directory D for npm (None: offline)."""
    offline = d is None
    vfile = store / "versions.json"
    env = dict(os.environ, npm_config_update_notifier="false", npm_config_fund="false",
               npm_config_audit="false", npm_config_loglevel="error")
    if d is not None:
        env["npm_config_cache"] = str(d / "npm-cache")
    if offline:
        if not vfile.is_file():
            raise CmdError(f"{NPM_SQLITE}: no cached version list {vfile} (--offline)")
        versions = json.loads(vfile.read_text())
    else:
        out = run(["npm", "view", NPM_SQLITE, "versions", "--json"], d, env)
        versions = json.loads(out)
        if isinstance(versions, str):
            versions = [versions]
        tmp = vfile.with_name(vfile.name + ".tmp")
        tmp.write_text(json.dumps(versions, indent=0) + "\n")
        tmp.replace(vfile)
    if not isinstance(versions, list) or not versions or not all(isinstance(v, str) for v in versions):
        raise CmdError(f"{NPM_SQLITE}: unexpected version list: {versions!r}")
    versions = sorted(set(versions), key=semver_key)

    def record(v: str) -> Path:
        return store / f"{v}.json"

    def header(v: str) -> Path:
        return store / f"{v}.sqlite3.h.gz"

    missing = [v for v in versions if not record(v).is_file()]
    if missing and offline:
        raise CmdError(f"{NPM_SQLITE}: not in the cache (--offline): {', '.join(missing)}")
    if missing:
        log(f"{NPM_SQLITE}: fetching {len(missing)} of {len(versions)} versions with `npm pack`")
        for i in range(0, len(missing), NPM_BATCH):
            batch = missing[i:i + NPM_BATCH]
            pack = ["npm", "pack", "--json", "--ignore-scripts", "--pack-destination", str(d)]
            try:
                packed = json.loads(run([*pack, *[f"{NPM_SQLITE}@{v}" for v in batch]], d, env))
            except CmdError:
                packed = []  # again one by one, so that the error names the version
                for v in batch:
                    packed += json.loads(run([*pack, f"{NPM_SQLITE}@{v}"], d, env))
            by_version = {p.get("version"): p for p in packed if p.get("name") == NPM_SQLITE}
            for v in batch:
                p = by_version.get(v)
                if p is None or not (d / p.get("filename", "")).is_file():
                    raise CmdError(f"{NPM_SQLITE}@{v}: `npm pack` left no tarball")
                tgz = d / p["filename"]
                hit = npm_sqlite3_h(tgz)
                rec = {"name": NPM_SQLITE, "version": v, "integrity": p.get("integrity"),
                       "member": hit[0] if hit else None}
                if hit:
                    h = header(v)
                    tmp = h.with_name(h.name + ".tmp")
                    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                        gz.write(hit[1])
                    tmp.replace(h)
                else:
                    with tarfile.open(tgz, "r:gz") as tar:
                        rec["deps"] = sorted(m.name.split("/", 1)[-1] for m in tar.getmembers()
                                             if m.isfile() and m.name.split("/", 1)[-1].startswith("deps/"))
                tgz.unlink()
                tmp = record(v).with_name(record(v).name + ".tmp")
                tmp.write_text(json.dumps(rec, indent=1, sort_keys=True) + "\n")
                tmp.replace(record(v))  # written last: marks the version as done
            log(f"{NPM_SQLITE}: {min(i + NPM_BATCH, len(missing))}/{len(missing)} fetched")
    none: list[str] = []
    for v in versions:
        rec = json.loads(record(v).read_text())
        member = rec.get("member")
        if not member:
            none.append(v)
            continue
        try:
            text = _text(gzip.decompress(header(v).read_bytes()))
        except (OSError, EOFError) as err:
            raise CmdError(f"{NPM_SQLITE}@{v}: cached {header(v)} unreadable ({err}): delete "
                           f"{record(v)} to fetch it again") from None
        sv, sid = define_str("SQLITE_VERSION")(text), SQLITE_SOURCE_ID(text)
        if not sv or not sid or not SOURCE_ID_RX.match(sid):
            raise CmdError(f"{NPM_SQLITE}@{v}: no SQLITE_VERSION / SQLITE_SOURCE_ID in {member} (got {sv!r}, {sid!r})")
        found.sqlite.append((sv, sid, f"npm:{NPM_SQLITE}@{v}:{member}"))
        log(f"{NPM_SQLITE}@{v}: sqlite {sv} ({member})")
    if none:
        notes.append(f"{NPM_SQLITE} {', '.join(none)} (no sqlite3.h in its tarball in any known layout)")
    return len(versions) - len(none)


def write(path: Path, paragraphs: list[str], columns: str, rows: list[str]) -> None:
    """Comment header (paragraphs wrapped at 100 columns), `# <column names>`, then the rows."""
    head = []
    for para in paragraphs:
        head += textwrap.wrap(para, 98, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False)
    text = "".join(f"# {h}\n" for h in head) + f"# {columns}\n" + "".join(r + "\n" for r in rows)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def selection(c: Crate) -> str:
    if c.since is not None:
        return f"{c.name} (all)" if c.since == "0.0.0" else f"{c.name} >= {c.since}"
    return f"{c.name} (newest {c.last})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--offline", action="store_true", help="use only cached index and downloads")
    args = ap.parse_args()
    for tool in ("cargo", "go") if args.offline else ("cargo", "go", "npm"):
        if not shutil.which(tool):
            die(f"`{tool}` not found on PATH")
    t0 = time.monotonic()
    cache = cache_dir()
    cargo = Cargo(cache, args.offline)
    found = Found([], [])
    notes: list[str] = []
    verified: list[str] = []
    counts: dict[str, str] = {}
    snotes: list[str] = []  # what the npm part could not read
    for crate in CRATES:
        try:
            do_crate(cargo, crate, found, notes, verified, counts)
        except CmdError as err:
            die(str(err))
    try:
        n_go = go_sqlite(cache, args.offline, found)
        n_npm = npm_sqlite(cache, args.offline, found, snotes)
    except CmdError as err:
        die(str(err))

    # sys-crates.tsv
    rows = sorted(set(found.rows), key=lambda r: (r[0], r[1], semver_key(r[2]), r[3], r[4]))
    seen = {}
    for r in rows:
        k = (r[0], r[1], r[2])
        if k in seen:
            die(f"two versions of {r[0]} for {r[1]} {r[2]}: {seen[k]} and {r[3]}")
        seen[k] = r[3]
    meta_crates = [c.name for c in CRATES if c.meta]
    src_sel = ", ".join(selection(c) for c in CRATES)
    header = [
        "Which version of a C library each version of a Rust -sys/-src crate bundles: the copy it compiles "
        "when it builds the library itself rather than linking the system's.",
        "Generated by scripts/gen-sys-crates.py (cargo and go, registry access); do not edit by hand, re-run "
        "the script. Crate versions: every version in the crates.io sparse index as cargo caches it, yanked "
        "ones included, spelled exactly (build metadata too).",
        "source `build-metadata`: the library version is the crate version's `+...` build metadata ("
        + ", ".join(meta_crates) + "), checked against the bundled sources of the newest version of each "
        "major line: " + "; ".join(verified) + ".",
        "source `crate-source:PATH`: read from PATH inside the .crate (downloaded by cargo, checksum "
        "checked), for these versions without build metadata: " + src_sel + ". Library versions are as "
        "the headers spell them: snapshot suffixes (`-DEV`, `_DEV`, `.devel`, `-motley`) are kept.",
    ]
    if notes:
        header.append("Not covered: " + "; ".join(notes) + ".")
    write(OUT_CRATES, header, "library\tcrate\tcrate_version\tlibrary_version\tsource", ["\t".join(r) for r in rows])

    # sqlite-source-ids.tsv
    by_id: dict[tuple[str, str], list[str]] = {}
    for v, sid, carrier in found.sqlite:
        by_id.setdefault((v, sid), []).append(carrier)
    versions: dict[str, list[str]] = {}
    for v, sid in by_id:
        versions.setdefault(v, []).append(sid)
    clashes = [f"SQLite {v}: " + "; ".join(f"{sid} from {', '.join(sorted(by_id[(v, sid)]))}" for sid in sorted(sids))
               for v, sids in sorted(versions.items()) if len(sids) > 1]
    if clashes:
        die("sources disagree on the SQLITE_SOURCE_ID of one SQLite version (a patched amalgamation? "
            "a wrong header?):\n  " + "\n  ".join(clashes))

    def carrier_key(c: str) -> tuple:
        kind, rest, _ = c.split(":", 2)
        name, ver = rest.rsplit("@", 1)
        return (kind, name, semver_key(ver))

    srows = []
    for (v, sid), carriers in sorted(by_id.items(), key=lambda kv: (tuple(map(int, re.findall(r"\d+", kv[0][0]))), kv[0])):
        cs = sorted(set(carriers), key=carrier_key)
        srows.append("\t".join((v, sid[:19], ",".join(c.rsplit(":", 1)[0] for c in cs), sid)))
    sheader = [
        "SQLite releases and their SQLITE_SOURCE_ID (what sqlite3_sourceid() returns; a binary with SQLite "
        "compiled in carries it as a string): version, the id's first 19 characters (check-in date and "
        "time, UTC), where it was read (comma-separated), the full id.",
        "Generated by scripts/gen-sys-crates.py; do not edit by hand, re-run the script. Read from the "
        "bundled sqlite3/sqlite3.h of the libsqlite3-sys versions in sys-crates.tsv (`crate:NAME@VERSION`)"
        f", the sqlite3-binding.h of the Go module {GO_SQLITE} v{GO_SQLITE_SINCE} and later "
        "(`go:MODULE@VERSION`, fetched with `go mod download`) and the bundled sqlite3.h of every version "
        f"of the npm package {NPM_SQLITE} (`npm:PACKAGE@VERSION`, fetched with `npm pack`): "
        + ", ".join(f"{o}{' (in it: ' + i + ')' if i else ''}" for o, i in NPM_SQLITE_LAYOUTS)
        + ", the first found. Each SQLite version has one id: the script fails when two sources disagree.",
    ]
    if snotes:
        sheader.append("Not covered: " + "; ".join(snotes) + ".")
    write(OUT_SQLITE, sheader, "version\tsource_id_prefix\tsource\tsource_id", srows)

    log(f"wrote {OUT_CRATES.relative_to(ROOT)}: {len(rows)} rows")
    for name, c in counts.items():
        log(f"  {name}: {c}")
    log(f"wrote {OUT_SQLITE.relative_to(ROOT)}: {len(srows)} rows ({n_go} {GO_SQLITE} versions, "
        f"{n_npm} {NPM_SQLITE} versions)")
    for n in notes + snotes:
        log(f"not covered: {n}")
    log(f"done in {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    main()
