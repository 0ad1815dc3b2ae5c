"""Shared plumbing for the corpus recipes: cache layout, pinned downloads, fixture records.

Every download is pinned by version AND sha256 and lands in a content-addressed cache outside
the clone, so a second run on the same machine is quick and a new machine rebuilds the same
bytes. Only registry clients are used (pip, npm, apt-get, rustup); no URL is written here.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

SCHEMA = 1
CORPUS_SRC = Path(__file__).resolve().parent


def cache_root() -> Path:
    """$BINSIGHT_CACHE, else $XDG_CACHE_HOME/binsight, else ~/.cache/binsight."""
    if os.environ.get("BINSIGHT_CACHE"):
        return Path(os.environ["BINSIGHT_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "binsight"


def corpus_dir() -> Path:
    return Path(os.environ.get("BINSIGHT_CORPUS_DIR") or cache_root() / "corpus")


def downloads_dir() -> Path:
    d = cache_root() / "downloads"
    d.mkdir(parents=True, exist_ok=True)
    return d


def tools_dir() -> Path:
    d = cache_root() / "tools"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _tag() -> str:
    # corpus/build runs groups in parallel lanes and names each one's lines.
    g = os.environ.get("BINSIGHT_CORPUS_GROUP")
    return f"[corpus {g}]" if g else "[corpus]"


def log(msg: str) -> None:
    print(f"{_tag()} {msg}", file=sys.stderr, flush=True)


def die(msg: str) -> "None":
    print(f"{_tag()} ERROR: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def run(cmd, **kw) -> subprocess.CompletedProcess:
    """Run a command, failing loudly with its output when it fails."""
    kw.setdefault("check", False)
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    p = subprocess.run([str(c) for c in cmd], **kw)
    if p.returncode != 0:
        die(f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\n{p.stdout}\n{p.stderr}")
    return p


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _store(tmpdir: Path, sha256: str, what: str) -> Path:
    """Move the single file downloaded into tmpdir to downloads/<sha256>/, after verifying it."""
    files = [p for p in tmpdir.iterdir() if p.is_file()]
    if len(files) != 1:
        die(f"{what}: expected one downloaded file, got {[p.name for p in files]}")
    got = sha256_file(files[0])
    if got != sha256:
        die(f"{what}: sha256 mismatch: pinned {sha256}, got {got} ({files[0].name})")
    dest_dir = downloads_dir() / sha256
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / files[0].name
    shutil.move(str(files[0]), dest)
    return dest


def cached(sha256: str) -> Path | None:
    d = downloads_dir() / sha256
    if d.is_dir():
        files = [p for p in d.iterdir() if p.is_file()]
        if len(files) == 1 and sha256_file(files[0]) == sha256:
            return files[0]
    return None


def pypi_wheel(name: str, version: str, platform: str, sha256: str) -> Path:
    """A wheel from PyPI by name, version and platform tag, verified against sha256."""
    hit = cached(sha256)
    if hit:
        return hit
    log(f"pip download {name}=={version} ({platform})")
    with tempfile.TemporaryDirectory() as t:
        run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--platform", platform, "--python-version", "3.11", "-d", t, f"{name}=={version}"])
        return _store(Path(t), sha256, f"{name}=={version}")


def npm_tarball(name: str, version: str, sha256: str) -> Path:
    """A package tarball from the npm registry (npm pack), verified against sha256."""
    hit = cached(sha256)
    if hit:
        return hit
    log(f"npm pack {name}@{version}")
    with tempfile.TemporaryDirectory() as t:
        run(["npm", "pack", "--silent", f"{name}@{version}"], cwd=t)
        return _store(Path(t), sha256, f"{name}@{version}")


def swap_in(tmp: Path, dest: Path) -> None:
    """Replace `dest` (a directory, if any) with the fully written `tmp` directory, so a
    half-done extraction is never taken for a finished one."""
    if dest.exists():
        shutil.rmtree(dest)
    tmp.rename(dest)


def read_member(archive: Path, member: str) -> bytes:
    """One member of a wheel (zip) or a (compressed) tarball, read whole; dies when it is missing."""
    try:
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as z:
                return z.read(member)
        with tarfile.open(archive, "r:*") as t:
            f = t.extractfile(member)
            if f is None:
                raise KeyError(member)
            return f.read()
    except KeyError:
        die(f"{archive.name}: no member {member}")


def write_manifest(group: str, fixtures: list[dict]) -> Path:
    """Write <corpus>/<group>/manifest.json. Each fixture dict follows corpus/README.md; two
    fixtures with one id are a recipe bug."""
    ids = [f["id"] for f in fixtures]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        die(f"{group}: duplicate fixture ids: {dup}")
    out = corpus_dir() / group
    out.mkdir(parents=True, exist_ok=True)
    for f in fixtures:
        p = out / f["path"]
        if not p.is_file():
            die(f"fixture {f['id']}: built file missing: {p}")
        f["sha256"] = sha256_file(p)
        f["path"] = f"{group}/{f['path']}"
    m = out / "manifest.json"
    tmp = m.with_suffix(".tmp")
    tmp.write_text(json.dumps({"schema": SCHEMA, "group": group, "fixtures": fixtures}, indent=1))
    tmp.replace(m)
    return m


def ar_members(archive: Path):
    """(name, bytes) of each member of a System V / GNU `ar` archive (e.g. libc.a)."""
    data = archive.read_bytes()
    if not data.startswith(b"!<arch>\n"):
        die(f"{archive}: not an ar archive")
    pos, longnames = 8, b""
    while pos + 60 <= len(data):
        hdr = data[pos:pos + 60]
        raw = hdr[:16].decode("ascii", "replace").rstrip()
        size = int(hdr[48:58].decode().strip())
        body = data[pos + 60:pos + 60 + size]
        if raw == "//":
            longnames = body
        elif raw.startswith("/") and raw[1:].isdigit() and longnames:
            off = int(raw[1:])
            raw = longnames[off:longnames.index(b"/\n", off)].decode()
        elif raw.startswith("#1/"):
            n = int(raw[3:])
            raw, body = body[:n].rstrip(b"\0").decode(), body[n:]
        if raw not in ("/", "//", "/SYM64/"):
            yield raw.rstrip("/"), body
        pos += 60 + size + (size & 1)


def ar_member(archive: Path, name: str) -> bytes | None:
    return next((b for n, b in ar_members(archive) if n == name), None)
