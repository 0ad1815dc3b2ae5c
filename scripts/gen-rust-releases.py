#!/usr/bin/env python3
"""Regenerate crates/binsight-detect/data/rust-releases.tsv.

The table maps every stable Rust release (1.0.0 onwards) to the full 40-hex
commit hash of the rustc it shipped and its release date.  binsight uses it to
name the Rust release behind a `/rustc/<commit>/library/...` path found in a
binary whose `.comment` section was stripped.

Sources (package registries only, all pinned; nothing else is downloaded):

* commits of the older releases: `floss/language/rust/rust_version_database.py`
  inside the flare-floss wheel on PyPI (pinned by version and sha256);
* commits of every release that table lacks, up to the newest stable release
  that rustup offers, plus a verification sample of releases the floss table
  does have: `rustc +VER -vV` (`commit-hash:`) of toolchains installed with
  `rustup toolchain install VER --profile minimal`.  Where floss and rustc
  disagree, rustc wins and the mismatch is reported.  Toolchains already
  installed in the user's rustup home are only read; missing ones are installed
  into a throw-away RUSTUP_HOME that is deleted afterwards, so the user's rustup
  home is never modified;
* release dates: upstream's RELEASES.md ("Version X.Y.Z (YYYY-MM-DD)"), which
  Debian ships as usr/share/doc/rustc-web/changelog.gz in its rustc-web package
  (pinned by version and sha256, fetched with `apt-get download`); releases newer
  than that file take the `date` of the rustup channel manifest of the installed
  toolchain (the day the release was published), which is also used to
  cross-check RELEASES.md.

Downloads and rustc results are cached under ${XDG_CACHE_HOME:-~/.cache}/binsight/
so a re-run is quick; `--refresh` forgets the cached rustc results.

`--check` downloads nothing: it verifies the existing TSV against the stable
toolchains installed in the user's rustup home (commit and, where the toolchain
carries a channel manifest, release date).
"""

from __future__ import annotations

import argparse
import ast
import datetime
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "corpus"))
from corpuslib import sha256_file  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "crates" / "binsight-detect" / "data" / "rust-releases.tsv"

FLOSS_PACKAGE = "flare-floss"
FLOSS_VERSION = "3.2.0"
FLOSS_WHEEL = "flare_floss-3.2.0-py3-none-any.whl"
FLOSS_SHA256 = "6115f3a9fbf05c9825edb90a41fa41320c8518cecd19b45069c981b2ee6ea534"
FLOSS_MEMBER = "floss/language/rust/rust_version_database.py"

DEB_PACKAGE = "rustc-web"
DEB_VERSION = "1.96.0+dfsg1-1~deb12u2"
DEB_SHA256 = "8fefe1d6377fe4082f5a9d2a47e095e2d20319eaab9754bd2f0275155c9adf90"
DEB_MEMBER = "usr/share/doc/rustc-web/changelog.gz"

# Releases that ARE in the floss table but are re-checked with rustc anyway.
DEFAULT_SAMPLE = ["1.0.0", "1.15.1", "1.45.2", "1.70.0", "1.74.1"]

CACHE_FORMAT = 1
STABLE_RE = re.compile(r"^1\.(\d+)\.(\d+)$")
HEX40_RE = re.compile(r"^[0-9a-f]{40}$")


def log(msg: str = "") -> None:
    print(msg, flush=True)


def warn(msg: str) -> None:
    print(f"WARNING: {msg}", flush=True)


def vkey(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in version.split("."))


def is_stable(version: str) -> bool:
    return bool(STABLE_RE.match(version))




def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "binsight" / "rust-releases"


def run(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)


# ---------------------------------------------------------------------------
# flare-floss wheel
# ---------------------------------------------------------------------------

def fetch_floss(cache: Path) -> Path:
    wheel = cache / FLOSS_WHEEL
    if wheel.exists() and sha256_file(wheel) == FLOSS_SHA256:
        log(f"floss: using cached {wheel}")
        return wheel
    log(f"floss: pip download --no-deps {FLOSS_PACKAGE}=={FLOSS_VERSION}")
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        p = run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                 "--disable-pip-version-check", f"{FLOSS_PACKAGE}=={FLOSS_VERSION}", "-d", tmp])
        if p.returncode != 0:
            sys.exit(f"pip download failed:\n{p.stdout}\n{p.stderr}")
        got = Path(tmp) / FLOSS_WHEEL
        if not got.exists():
            sys.exit(f"pip download did not produce {FLOSS_WHEEL}: {os.listdir(tmp)}")
        digest = sha256_file(got)
        if digest != FLOSS_SHA256:
            sys.exit(f"{FLOSS_WHEEL}: sha256 {digest} != pinned {FLOSS_SHA256}")
        shutil.move(str(got), wheel)
    log(f"floss: saved {wheel} (sha256 ok)")
    return wheel


def parse_floss(wheel: Path) -> dict[str, str]:
    """Return {version: commit} for the stable 1.x releases in the floss table."""
    import zipfile

    with zipfile.ZipFile(wheel) as z:
        src = z.read(FLOSS_MEMBER).decode("utf-8")
    table = None
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "rust_commit_hash" for t in node.targets):
            table = ast.literal_eval(node.value)
    if not isinstance(table, dict):
        sys.exit(f"{FLOSS_MEMBER}: no rust_commit_hash dict found")
    out: dict[str, str] = {}
    skipped = []
    for commit, version in table.items():
        if not is_stable(version):
            skipped.append(version)
            continue
        if not HEX40_RE.match(commit):
            sys.exit(f"floss: bad commit {commit!r} for {version}")
        if version in out and out[version] != commit:
            sys.exit(f"floss: two commits for {version}")
        out[version] = commit
    log(f"floss: {len(out)} stable releases {min(out, key=vkey)}..{max(out, key=vkey)} "
        f"(ignored {len(skipped)} pre-1.0 entries: {', '.join(sorted(skipped))})")
    return out


# ---------------------------------------------------------------------------
# Debian rustc-web package: upstream RELEASES.md
# ---------------------------------------------------------------------------

def deb_filename(version: str) -> str:
    # apt-get download percent-encodes ':' in epochs; our pin has none.
    return f"{DEB_PACKAGE}_{version}_amd64.deb"


def apt_download(spec: str, cwd: Path) -> subprocess.CompletedProcess:
    log(f"deb: apt-get download {spec}")
    return run(["apt-get", "download", spec], cwd=cwd)


def fetch_deb(cache: Path) -> tuple[Path, str, bool]:
    """Return (path, version, pinned?)."""
    pinned = cache / deb_filename(DEB_VERSION)
    if pinned.exists() and sha256_file(pinned) == DEB_SHA256:
        log(f"deb: using cached {pinned}")
        return pinned, DEB_VERSION, True
    if shutil.which("apt-get") is None:
        sys.exit("apt-get not found: cannot fetch the Debian rustc-web package")
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        tmpdir = Path(tmp)
        os.chmod(tmpdir, 0o755)
        p = apt_download(f"{DEB_PACKAGE}={DEB_VERSION}", tmpdir)
        if p.returncode != 0 and os.geteuid() == 0:
            log("deb: download failed; running apt-get update and retrying")
            run(["apt-get", "update"])
            p = apt_download(f"{DEB_PACKAGE}={DEB_VERSION}", tmpdir)
        if p.returncode == 0:
            got = tmpdir / deb_filename(DEB_VERSION)
            digest = sha256_file(got)
            if digest != DEB_SHA256:
                sys.exit(f"{got.name}: sha256 {digest} != pinned {DEB_SHA256}")
            shutil.move(str(got), pinned)
            log(f"deb: saved {pinned} (sha256 ok)")
            return pinned, DEB_VERSION, True
        # The pinned version left the archive (security updates replace it).
        warn(f"{DEB_PACKAGE}={DEB_VERSION} is no longer downloadable "
             f"({p.stderr.strip().splitlines()[-1] if p.stderr.strip() else 'apt-get failed'}); "
             f"falling back to the current candidate. Update DEB_VERSION/DEB_SHA256 in this script.")
        p = apt_download(DEB_PACKAGE, tmpdir)
        if p.returncode != 0:
            sys.exit(f"apt-get download {DEB_PACKAGE} failed:\n{p.stdout}\n{p.stderr}")
        debs = list(tmpdir.glob(f"{DEB_PACKAGE}_*.deb"))
        if len(debs) != 1:
            sys.exit(f"expected one .deb, got {debs}")
        got = debs[0]
        version = got.name[len(DEB_PACKAGE) + 1:].rsplit("_", 1)[0].replace("%3a", ":")
        dest = cache / got.name
        shutil.move(str(got), dest)
        warn(f"using unpinned {dest.name} sha256 {sha256_file(dest)}")
        return dest, version, False


def deb_data_tar(deb: Path) -> tarfile.TarFile:
    """Open the data.tar.* member of a .deb (an ar archive) with the stdlib."""
    raw = deb.read_bytes()
    if not raw.startswith(b"!<arch>\n"):
        sys.exit(f"{deb}: not an ar archive")
    pos = 8
    while pos + 60 <= len(raw):
        header = raw[pos:pos + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        body = raw[pos + 60:pos + 60 + size]
        if name.startswith("data.tar"):
            if name.endswith(".zst"):
                p = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True)
                if p.returncode != 0:
                    sys.exit(f"{deb}: cannot unpack {name}")
                return tarfile.open(fileobj=io.BytesIO(p.stdout), mode="r:")
            return tarfile.open(fileobj=io.BytesIO(body), mode="r:*")
        pos += 60 + size + (size & 1)
    sys.exit(f"{deb}: no data.tar member")


def parse_releases_md(deb: Path) -> dict[str, str]:
    """Return {version: release date} from upstream RELEASES.md in the .deb."""
    with deb_data_tar(deb) as tar:
        member = None
        for m in tar.getmembers():
            if m.name.lstrip("./") == DEB_MEMBER:
                member = m
        if member is None:
            sys.exit(f"{deb}: no {DEB_MEMBER}")
        text = gzip.decompress(tar.extractfile(member).read()).decode("utf-8")
    out: dict[str, str] = {}
    for m in re.finditer(r"^Version (\d+\.\d+(?:\.\d+)?)\s+\((\d{4}-\d{2}-\d{2})\)", text, re.M):
        version, date = m.group(1), m.group(2)
        if is_stable(version):
            datetime.date.fromisoformat(date)
            if version in out and out[version] != date:
                sys.exit(f"RELEASES.md: two dates for {version}")
            out[version] = date
    log(f"deb: RELEASES.md lists {len(out)} stable releases "
        f"{min(out, key=vkey)}..{max(out, key=vkey)}")
    return out


# ---------------------------------------------------------------------------
# rustup / rustc
# ---------------------------------------------------------------------------

def user_env() -> dict:
    env = dict(os.environ)
    env.pop("RUSTUP_TOOLCHAIN", None)
    env["RUST_BACKTRACE"] = "0"
    return env


def rustc_vv(toolchain: str, env: dict) -> dict | None:
    p = run(["rustup", "run", toolchain, "rustc", "-vV"], env=env)
    if p.returncode != 0:
        return None
    info = {}
    for line in p.stdout.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            info[k.strip()] = v.strip()
    if "release" not in info or not HEX40_RE.match(info.get("commit-hash", "")):
        return None
    return info


def manifest_date(rustup_home: Path, toolchain: str) -> str | None:
    f = rustup_home / "toolchains" / toolchain / "lib" / "rustlib" / "multirust-channel-manifest.toml"
    try:
        for line in f.read_text().splitlines():
            m = re.match(r'^date\s*=\s*"(\d{4}-\d{2}-\d{2})"', line)
            if m:
                return m.group(1)
    except OSError:
        pass
    return None


def default_rustup_home() -> Path:
    return Path(os.environ.get("RUSTUP_HOME") or os.path.join(os.path.expanduser("~"), ".rustup"))


def installed_stable_toolchains() -> dict[str, dict]:
    """Read-only look at the user's rustup home: {release: info} for stable toolchains."""
    env = user_env()
    home = default_rustup_home()
    p = run(["rustup", "toolchain", "list"], env=env)
    if p.returncode != 0:
        warn(f"rustup toolchain list failed: {p.stderr.strip()}")
        return {}
    found: dict[str, dict] = {}
    for line in p.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        if not name or name.startswith(("nightly", "beta")):
            continue
        info = rustc_vv(name, env)
        if info is None:
            warn(f"could not run rustc of installed toolchain {name}; skipped")
            continue
        rel = info["release"]
        if not is_stable(rel):
            continue
        found.setdefault(rel, {
            "commit": info["commit-hash"],
            "commit_date": info.get("commit-date", ""),
            "manifest_date": manifest_date(home, name),
            "via": f"installed toolchain {name}",
        })
    return found


def newest_stable() -> str:
    p = run(["rustup", "check"], env=user_env())
    for line in p.stdout.splitlines():
        if line.startswith("stable-"):
            vers = re.findall(r"(\d+\.\d+\.\d+) \(", line)
            if vers:
                return vers[-1]
    sys.exit(f"cannot tell the newest stable release from `rustup check`:\n{p.stdout}\n{p.stderr}\n"
             "pass --newest VERSION")


class TempRustup:
    """Installs toolchains into a private RUSTUP_HOME, one at a time."""

    def __init__(self, parent: Path):
        self.home = Path(tempfile.mkdtemp(prefix="rustup-home-", dir=parent))
        self.env = user_env()
        self.env["RUSTUP_HOME"] = str(self.home)
        self.installed = 0

    def query(self, version: str) -> dict | None:
        """Install VERSION, read rustc -vV and the manifest date, uninstall.
        Returns None if rustup says the version does not exist."""
        t0 = time.monotonic()
        p = run(["rustup", "toolchain", "install", version, "--profile", "minimal",
                 "--no-self-update"], env=self.env)
        if p.returncode != 0:
            if "nonexistent rust version" in p.stderr or "404" in p.stderr:
                return None
            sys.exit(f"rustup toolchain install {version} failed:\n{p.stderr}")
        self.installed += 1
        names = [d.name for d in (self.home / "toolchains").glob(f"{version}-*")]
        if len(names) != 1:
            sys.exit(f"cannot find the toolchain directory of {version}: {names}")
        info = rustc_vv(names[0], self.env)
        if info is None or info["release"] != version:
            sys.exit(f"rustc +{version} -vV gave {info}")
        result = {
            "commit": info["commit-hash"],
            "commit_date": info.get("commit-date", ""),
            "manifest_date": manifest_date(self.home, names[0]),
            "via": "rustup toolchain install --profile minimal (temporary)",
        }
        run(["rustup", "toolchain", "uninstall", names[0]], env=self.env)
        shutil.rmtree(self.home / "toolchains" / names[0], ignore_errors=True)
        log(f"  rustc {version}: {result['commit']} commit-date {result['commit_date']} "
            f"manifest date {result['manifest_date']} ({time.monotonic() - t0:.1f}s)")
        return result

    def close(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)


class RustcCache:
    def __init__(self, path: Path, refresh: bool):
        self.path = path
        self.data = {"format": CACHE_FORMAT, "releases": {}, "missing": []}
        if path.exists() and not refresh:
            try:
                d = json.loads(path.read_text())
                if d.get("format") == CACHE_FORMAT:
                    self.data = d
            except ValueError:
                pass

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True))
        tmp.replace(self.path)


def gather_rustc(wanted: list[str], newest: str, known_max: str, installed: dict,
                 cache: RustcCache, tmp_parent: Path) -> dict[str, dict]:
    """rustc facts for every version in WANTED plus the releases after KNOWN_MAX
    up to NEWEST (found by asking rustup for X.Y.Z+1 / X.Y+1.0 in turn)."""
    results: dict[str, dict] = {}
    stats = {"cache": 0, "installed": 0, "temp": 0}
    rustup: TempRustup | None = None

    def get(version: str) -> dict | None:
        nonlocal rustup
        if version in installed:
            stats["installed"] += 1
            return installed[version]
        if version in cache.data["releases"]:
            stats["cache"] += 1
            return cache.data["releases"][version]
        if version in cache.data["missing"]:
            return None
        if rustup is None:
            rustup = TempRustup(tmp_parent)
            log(f"rustup: installing missing toolchains into temporary RUSTUP_HOME {rustup.home}")
        res = rustup.query(version)
        if res is None:
            log(f"  rustup: no release {version}")
            cache.data["missing"].append(version)
        else:
            stats["temp"] += 1
            cache.data["releases"][version] = res
        cache.save()
        return res

    try:
        for v in sorted(set(wanted), key=vkey):
            res = get(v)
            if res is None:
                sys.exit(f"rustup has no release {v}, which RELEASES.md/the sample lists")
            results[v] = res
        # Probe for releases newer than every list we have.
        _, minor, patch = vkey(known_max)
        _, nminor, npatch = vkey(newest)
        patch += 1
        while (minor, patch) <= (nminor, npatch):
            v = f"1.{minor}.{patch}"
            res = get(v)
            if res is None:
                if patch == 0:
                    warn(f"rustup has no {v} although {newest} is stable")
                minor, patch = minor + 1, 0
                continue
            results[v] = res
            patch += 1
    finally:
        if rustup is not None:
            log(f"rustup: installed and removed {rustup.installed} toolchains; deleting {rustup.home}")
            rustup.close()
    log(f"rustc: {len(results)} releases (from installed toolchains: {stats['installed']}, "
        f"from cache: {stats['cache']}, newly installed: {stats['temp']})")
    return results


# ---------------------------------------------------------------------------
# TSV
# ---------------------------------------------------------------------------

def read_tsv(path: Path) -> dict[str, tuple[str, str]]:
    rows = {}
    for line in path.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        version, commit, date = line.split("\t")
        rows[version] = (commit, date)
    return rows


def check(path: Path) -> int:
    rows = read_tsv(path)
    log(f"check: {path} has {len(rows)} releases")
    bad = 0
    versions = sorted(rows, key=vkey)
    if versions != list(rows):
        log("check: rows are not sorted by version")
        bad += 1
    for v, (commit, date) in rows.items():
        if not is_stable(v) or not HEX40_RE.match(commit):
            log(f"check: malformed row {v}")
            bad += 1
        datetime.date.fromisoformat(date)
    installed = installed_stable_toolchains()
    if not installed:
        warn("no installed stable toolchain to check against")
    for v, info in sorted(installed.items(), key=lambda kv: vkey(kv[0])):
        row = rows.get(v)
        if row is None:
            log(f"check: {v} ({info['via']}) missing from the table")
            bad += 1
            continue
        ok = row[0] == info["commit"]
        rc_commit, m_date = info["commit"], info.get("manifest_date")
        msg = f"check: {v}: commit " + ("ok" if ok else f"MISMATCH table {row[0]} rustc {rc_commit}")
        if m_date:
            dok = m_date == row[1]
            ok = ok and dok
            msg += ", date " + ("ok" if dok else f"MISMATCH table {row[1]} manifest {m_date}")
        log(msg)
        bad += not ok
    log(f"check: {'FAILED' if bad else 'ok'} ({len(installed)} toolchains)")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    ap.add_argument("--check", action="store_true",
                    help="verify the TSV against the installed toolchains only; download nothing")
    ap.add_argument("--refresh", action="store_true", help="forget cached rustc results")
    ap.add_argument("--newest", help="newest stable release (default: ask `rustup check`)")
    ap.add_argument("--sample", default=",".join(DEFAULT_SAMPLE),
                    help="comma-separated floss releases to re-check with rustc (default %(default)s)")
    args = ap.parse_args()

    if args.check:
        return check(args.output)

    t_start = time.monotonic()
    if shutil.which("rustup") is None:
        sys.exit("rustup not found")
    cache = cache_root()
    cache.mkdir(parents=True, exist_ok=True)
    log(f"cache: {cache}")

    floss = parse_floss(fetch_floss(cache))
    deb, deb_version, deb_pinned = fetch_deb(cache)
    rel_dates = parse_releases_md(deb)

    newest = args.newest or newest_stable()
    log(f"rustup: newest stable release is {newest}")
    installed = installed_stable_toolchains()
    log(f"rustup: installed stable toolchains: {', '.join(sorted(installed, key=vkey)) or 'none'}")

    listed = set(floss) | set(rel_dates)
    listed = {v for v in listed if vkey(v) <= vkey(newest)}
    not_in_floss = sorted(listed - set(floss), key=vkey)
    sample = [v.strip() for v in args.sample.split(",") if v.strip()]
    for v in sample:
        if v not in floss:
            sys.exit(f"--sample {v} is not in the floss table")
    known_max = max(listed, key=vkey)
    log(f"plan: floss has {len(floss)}; {len(not_in_floss)} listed releases lack a floss commit "
        f"({not_in_floss[0] if not_in_floss else '-'}..{not_in_floss[-1] if not_in_floss else '-'}); "
        f"probe {known_max}..{newest}; cross-check sample {', '.join(sample)}")

    rc_cache = RustcCache(cache / "rustc-vV.json", args.refresh)
    rustc = gather_rustc(not_in_floss + sample, newest, known_max, installed, rc_cache, cache)

    # Merge.
    versions = sorted(set(floss) | set(rustc) | {v for v in rel_dates if vkey(v) <= vkey(newest)},
                      key=vkey)
    rows = []
    commit_of: dict[str, str] = {}
    mismatches = []
    date_notes = []
    commit_date_fallback = []
    for v in versions:
        r = rustc.get(v)
        if r is not None:
            commit = r["commit"]
            if v in floss and floss[v] != commit:
                mismatches.append(f"{v}: floss {floss[v]} rustc {commit}")
        else:
            commit = floss[v]
        commit_of[v] = commit
        mdate = r.get("manifest_date") if r else None
        if v in rel_dates:
            date = rel_dates[v]
            if mdate and mdate != date:
                date_notes.append(f"{v}: RELEASES.md {date}, rustup manifest {mdate}")
        elif mdate:
            date = mdate
        else:
            date = r["commit_date"]
            commit_date_fallback.append(v)
        rows.append((v, commit, date))

    for line in mismatches:
        warn(f"commit mismatch (rustc wins) {line}")
    for line in date_notes:
        warn(f"date mismatch (RELEASES.md kept) {line}")

    def span(vs: list[str]) -> str:
        vs = sorted(vs, key=vkey)
        return f"{vs[0]}..{vs[-1]} ({len(vs)})" if vs else "none"

    from_floss = [v for v in versions if v in floss and floss[v] == commit_of[v]]
    rustc_new = [v for v in rustc if v not in floss]
    checked = sorted((v for v in rustc if v in floss), key=vkey)
    from_manifest = [v for v in versions if v not in rel_dates and v not in commit_date_fallback]
    header = [
        "# Stable Rust releases: version, full commit hash of its rustc (as in /rustc/<commit>/ paths), release date.",
        "# Generated by scripts/gen-rust-releases.py; do not edit by hand, re-run the script.",
        f"# Commits of {span(from_floss)}: flare-floss {FLOSS_VERSION} wheel (PyPI, sha256 {FLOSS_SHA256[:16]}...),"
        f" {FLOSS_MEMBER}; re-checked with rustc: {', '.join(checked) or 'none'}"
        + (f"; MISMATCHES (rustc kept): {'; '.join(mismatches)}." if mismatches else ", no mismatch."),
        f"# Commits of {span(rustc_new)}: `rustc +VER -vV` commit-hash of toolchains installed with"
        f" `rustup toolchain install VER --profile minimal`, up to the newest stable release ({newest}).",
        f"# Dates: release dates from upstream RELEASES.md as shipped in Debian package {DEB_PACKAGE} {deb_version}"
        f" ({DEB_MEMBER}){'' if deb_pinned else ' [UNPINNED]'}"
        + (f"; for {span(from_manifest)} the date of the rustup channel manifest (its publication day)" if from_manifest else "")
        + (f"; {', '.join(commit_date_fallback)}: rustc commit-date (no release date found)" if commit_date_fallback else "")
        + ".",
        "# version\tcommit\tdate",
    ]
    out = "\n".join(header + ["\t".join(r) for r in rows]) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    old = args.output.read_text() if args.output.exists() else None
    args.output.write_text(out)
    log(f"wrote {args.output}: {len(rows)} releases {rows[0][0]}..{rows[-1][0]}"
        f" ({'unchanged' if old == out else 'changed' if old else 'new'})")
    log(f"  commits from floss: {span(from_floss)}; only from rustc -vV: {span(rustc_new)};"
        f" floss releases re-checked with rustc: {', '.join(checked)}; mismatches: {len(mismatches)}")
    log(f"  dates from RELEASES.md: {len([v for v in versions if v in rel_dates])};"
        f" from rustup manifest: {span(from_manifest)}; date differences RELEASES.md vs manifest: {len(date_notes)}")
    log(f"done in {time.monotonic() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
