#!/usr/bin/env python3
"""Recipe group "c": C programs (src/hello.c, src/dns.c) built with known libcs and toolchains.

What each fixture *is* comes from how it is built here, never from inspecting the result:

* musl, zig cc: `ziglang` wheels from PyPI (pinned version + sha256), static, for x86_64,
  aarch64 and 32-bit arm. The musl each zig bundles is pinned in ZIG below AND checked at run
  time against version markers in the musl sources the wheel ships (see ZIG_MUSL_MARKERS).
* musl, Debian gcc: the host's `musl-gcc` (musl-tools), plus musl-dev .debs of other Debian
  releases, downloaded with `apt-get download` (private apt state; its sources are generated at
  run time from the machine's own apt sources, same URIs, other suites), pinned by sha256,
  extracted with `dpkg-deb -x` and linked through a generated gcc specs file.
* glibc, Debian gcc: host gcc static / static-pie / dynamic, the aarch64 and armhf cross gccs,
  and libc6-dev .debs of other Debian releases linked statically through a generated specs file.
* glibc, zig cc: dynamic links against zig's glibc stubs of a chosen version.

Every fixture is built unstripped, then `strip`ped; some also get
`strip -R .comment -R .note.gnu.build-id` (comment_stripped). A fixture is rebuilt only when the
hash of its inputs (source, flags, toolchain identity) changes: stamps live in <corpus>/c/.stamps.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import corpuslib as cl  # noqa: E402

GROUP = "c"
SRC = cl.CORPUS_SRC / "src"
PROGRAMS = {"hello": False, "dns": True}  # program -> links_resolver (calls getaddrinfo)

ARCH = {
    "x86_64": {"machine": "x86_64", "class": 64, "endian": "little", "strip": "strip"},
    "aarch64": {"machine": "aarch64", "class": 64, "endian": "little",
                "strip": "aarch64-linux-gnu-strip"},
    "arm": {"machine": "arm", "class": 32, "endian": "little",
            "strip": "arm-linux-gnueabihf-strip"},
}

# Debian packages the host needs (installed with apt-get when missing), every one named: the
# cross libc6-dev-*-cross are only *recommended* by the cross gccs, and recommends are not
# installed (scripts/debian-packages.txt lists these and every other package the tests need).
APT_PACKAGES = ["gcc", "libc6-dev", "binutils", "musl-tools",
                "gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross", "binutils-aarch64-linux-gnu",
                "gcc-arm-linux-gnueabihf", "libc6-dev-armhf-cross", "binutils-arm-linux-gnueabihf",
                "binutils-multiarch"]
# binutils-multiarch's strip knows every architecture (the zig arches: ppc, mips, riscv64...).
MULTIARCH_STRIP = "x86_64-linux-gnu-strip"

# ---------------------------------------------------------------------------------------------
# zig: PyPI `ziglang` manylinux x86_64 wheels. "pypi" is the wheel's version on PyPI (0.10.1 is
# only there as 0.10.1.post1), "zig" what `zig version` prints, "musl" the musl it bundles.
ZIG_PLATFORM = "manylinux_2_12_x86_64"
ZIG = {
    "0.9.1": {"pypi": "0.9.1", "musl": "1.2.2",
              "sha256": "fa1d08040e2b9a7aab40b0c14e1baf52097e845ea7a6801462ec593f48cf3431"},
    "0.10.1": {"pypi": "0.10.1.post1", "musl": "1.2.3",
               "sha256": "e9f7aa2c6a44dd23fb0c11722eaaca2626272ef52ac1aeb20fe8d761ca490638"},
    "0.11.0": {"pypi": "0.11.0", "musl": "1.2.4",
               "sha256": "45e8116428267e20529b9ee43a7e7364791c1a092845d2143b248a1dbf6760b0"},
    "0.12.1": {"pypi": "0.12.1", "musl": "1.2.4",
               "sha256": "dcde948140b9e5776c2295b9b808fb4950df7ecadaecb54623dd701502be2017"},
    "0.13.0": {"pypi": "0.13.0", "musl": "1.2.5",
               "sha256": "3ce0c9f16547e5d61b32e0d226926e9a2552ef4b91fccf7ab5ea1a623a77824b"},
}
ZIG_MUSL_TARGETS = {"x86_64": "x86_64-linux-musl", "aarch64": "aarch64-linux-musl",
                    "arm": "arm-linux-musleabihf"}
# Dynamic glibc via zig's versioned glibc stubs: (zig version, arch, target). The stubs only
# expose symbol versions up to the requested glibc, so GLIBC_<that> is the highest version the
# link can require: recorded as truth "glibc_floor" (the binary may need less).
ZIG_GLIBC = [("0.13.0", "x86_64", "x86_64-linux-gnu.2.17"),
             ("0.13.0", "aarch64", "aarch64-linux-gnu.2.28"),
             ("0.13.0", "arm", "arm-linux-gnueabihf.2.31"),
             ("0.9.1", "x86_64", "x86_64-linux-gnu.2.27")]

# How the zig→musl mapping is verified: zig ships musl's sources under lib/libc/musl but no
# VERSION file, so we look for features whose first release is known, each marker checked
# against Debian's own musl-dev libc.a of known versions (1.2.2 bullseye, 1.2.3 bookworm,
# 1.2.5 trixie: `nm` shows _Fork in all three, qsort_r from 1.2.3, statx only in 1.2.5, and
# res_msend.o calling connect/sendmsg (the TCP fallback) in 1.2.5 but not 1.2.3):
#   src/process/_Fork.c           new in 1.2.2
#   src/stdlib/qsort_nr.c          new in 1.2.3 (qsort_r)
#   start_tcp in res_msend.c       new in 1.2.4 (DNS TCP fallback)
#   src/linux/statx.c              new in 1.2.5
# Results on the pinned wheels: 0.9.1 has _Fork only (1.2.2); 0.10.1 adds qsort_r (1.2.3);
# 0.11.0 and 0.12.1 add the TCP fallback but lack statx (1.2.4); 0.13.0 has statx (1.2.5, the
# latest musl release when zig 0.13.0 came out). The check runs again on every extraction.
ZIG_MUSL_MARKERS = [
    ("1.2.2", lambda m: (m / "src/process/_Fork.c").is_file()),
    ("1.2.3", lambda m: (m / "src/stdlib/qsort_nr.c").is_file()),
    ("1.2.4", lambda m: "start_tcp" in (m / "src/network/res_msend.c").read_text()),
    ("1.2.5", lambda m: (m / "src/linux/statx.c").is_file()),
]

# ---------------------------------------------------------------------------------------------
# .debs of other Debian releases (amd64), pinned by version and sha256. Fetched with
# `apt-get download` through a private apt state whose sources are generated from the host's.
# A Debian point release can supersede a pinned version (the trixie ones especially): the
# download then fails loudly, and the pin below must be moved to the new version + sha256.
DEBS = {
    "musl-1.2.2": {"suite": "bullseye", "package": "musl-dev", "version": "1.2.2-1",
                   "sha256": "b017792ad6ba3650b4889238c73cd19c1d6b0e39ca8319cdd3ad9e16374e614e"},
    "musl-1.2.5": {"suite": "trixie", "package": "musl-dev", "version": "1.2.5-3.1~deb13u1",
                   "sha256": "a3f7d47e452129bb65aae201d6c115abf4d5d3efb136b38b7c6b4fa03ec065e9"},
    "glibc-2.31": {"suite": "bullseye", "package": "libc6-dev", "version": "2.31-13+deb11u11",
                   "sha256": "e7f7b45d9c5cfcf37609f0b6efd3c645272c812144703af89dfd32218fcb0fd3"},
    "glibc-2.41": {"suite": "trixie", "package": "libc6-dev", "version": "2.41-12+deb13u5",
                   "sha256": "858f4d477cc39324f3c6582cdebcf38928fb385bb17b40518c77a7dccd296428"},
    # gcc 12's crtbeginT.o/libgcc_eh.a need _dl_find_object (glibc >= 2.35): a glibc 2.31
    # libc.a is linked with the runtime of its own release's gcc 10 instead.
    "libgcc-10": {"suite": "bullseye", "package": "libgcc-10-dev", "version": "10.2.1-6",
                  "sha256": "3b711374092b84e732c4e73cf33e02cff02e34a5f105eb6467de8d9038e4cd9d"},
}

# Debian's musl-gcc.specs (trixie's, which also knows -static-pie), with the musl root made a
# parameter so it can point at an extracted musl-dev.
MUSL_SPECS = """%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc -isystem {inc} -isystem include%s %(old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc -isystem {inc} -isystem include%s

*link_libgcc:
-L{lib} -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)

*startfile:
%{{shared:;static-pie:{lib}/rcrt1.o; :{lib}/Scrt1.o}} {lib}/crti.o crtbeginS.o%s

*endfile:
crtendS.o%s {lib}/crtn.o

*link:
-dynamic-linker /lib/ld-musl-x86_64.so.1 -nostdlib %{{shared:-shared}} %{{static:-static}} \
%{{static-pie:-static -pie --no-dynamic-linker}} %{{rdynamic:-export-dynamic}}

"""

# Static link against an extracted glibc (used with --sysroot for the headers): only the glibc
# crt files and library directory are swapped, gcc's own runtime stays unless {gcc} is given.
GLIBC_SPECS = """*link_libgcc:
-L{lib} -L{gcc}

*startfile:
{lib}/crt1.o {lib}/crti.o {gcc}/crtbeginT.o

*endfile:
{gcc}/crtend.o {lib}/crtn.o

"""


# ---------------------------------------------------------------------------------------------
# small helpers

def sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def key_of(*parts) -> str:
    return sha256_bytes(json.dumps(parts, sort_keys=True, default=str).encode())


def src_sha(prog: str) -> str:
    return cl.sha256_file(SRC / f"{prog}.c")


def upstream(debver: str) -> str:
    """Debian version -> upstream version: '1:2.36-9+deb12u4' -> '2.36'."""
    v = debver.split(":", 1)[-1]
    return v.rsplit("-", 1)[0] if "-" in v else v


def dpkg_version(pkg: str) -> str | None:
    p = subprocess.run(["dpkg-query", "-W", "-f", "${Status}\t${Version}", pkg],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None
    status, _, ver = p.stdout.partition("\t")
    return ver if status.endswith(" installed") else None


def need_dpkg_version(pkg: str) -> str:
    v = dpkg_version(pkg)
    if not v:
        cl.die(f"Debian package {pkg} is not installed (needed to know its version)")
    return v


def ensure_apt_packages(pkgs: list[str]) -> None:
    missing = [p for p in pkgs if not dpkg_version(p)]
    if not missing:
        return
    if os.geteuid() != 0:
        cl.die(f"missing Debian packages {missing}: run `apt-get install -y {' '.join(missing)}` "
               "as root")
    cl.log(f"apt-get install -y {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    p = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *missing],
                       capture_output=True, text=True, env=env)
    if p.returncode != 0:
        cl.log("apt-get install failed; running apt-get update and retrying")
        cl.run(["apt-get", "update"], env=env)
        cl.run(["apt-get", "install", "-y", "--no-install-recommends", *missing], env=env)
    still = [p for p in pkgs if not dpkg_version(p)]
    if still:
        cl.die(f"Debian packages {still} are still not installed: run as root `apt-get update && "
               f"apt-get install -y --no-install-recommends {' '.join(still)}`")

def tool_version(cmd: list[str]) -> str:
    return cl.run(cmd).stdout.strip()


# ---------------------------------------------------------------------------------------------
# zig

def zig_dir(ver: str) -> Path:
    return cl.tools_dir() / f"zig-{ver}"


def zig_env(ver: str) -> dict:
    cache = cl.tools_dir() / f"zig-{ver}-cache"
    return dict(os.environ, ZIG_GLOBAL_CACHE_DIR=str(cache), ZIG_LOCAL_CACHE_DIR=str(cache))


def extract_wheel(whl: Path, dest: Path) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=dest.name + ".", dir=dest.parent))
    tmp.chmod(0o755)
    try:
        with zipfile.ZipFile(whl) as z:
            for info in z.infolist():
                out = z.extract(info, tmp)
                mode = (info.external_attr >> 16) & 0o777
                if mode:
                    os.chmod(out, mode)
        zig = tmp / "ziglang" / "zig"
        zig.chmod(zig.stat().st_mode | 0o755)
        (tmp / ".wheel-sha256").write_text(cl.sha256_file(whl))
        cl.swap_in(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def zig_musl_version(root: Path) -> str:
    musl = root / "ziglang" / "lib" / "libc" / "musl"
    if not musl.is_dir():
        cl.die(f"zig at {root} ships no musl sources ({musl})")
    found = None
    for ver, present in ZIG_MUSL_MARKERS:
        if not present(musl):
            break
        found = ver
    if not found:
        cl.die(f"zig at {root}: musl older than 1.2.2 (no _Fork)")
    return found


def ensure_zig(ver: str) -> Path:
    """The zig binary of a pinned ziglang wheel, extracted and checked."""
    pin = ZIG[ver]
    root = zig_dir(ver)
    zig = root / "ziglang" / "zig"
    stamp = root / ".wheel-sha256"
    if not (zig.is_file() and stamp.is_file() and stamp.read_text().strip() == pin["sha256"]):
        whl = cl.pypi_wheel("ziglang", pin["pypi"], ZIG_PLATFORM, pin["sha256"])
        cl.log(f"extracting {whl.name} -> {root}")
        extract_wheel(whl, root)
    got = tool_version([zig, "version"])
    if got != ver:
        cl.die(f"{zig}: `zig version` says {got}, expected {ver}")
    musl = zig_musl_version(root)
    if musl != pin["musl"]:
        cl.die(f"zig {ver}: bundled musl looks like {musl}, pinned {pin['musl']}")
    return zig


# ---------------------------------------------------------------------------------------------
# .debs of other Debian releases

def apt_root() -> Path:
    return cl.cache_root() / "apt-c"


def host_archive_sources() -> list[dict]:
    """The machine's Debian archive stanzas (deb822 .sources), as dicts of fields."""
    codename = ""
    osr = Path("/etc/os-release")
    if osr.is_file():
        m = re.search(r"^VERSION_CODENAME=\"?([a-z]+)", osr.read_text(), re.M)
        codename = m.group(1) if m else ""
    stanzas = []
    for f in sorted(Path("/etc/apt/sources.list.d").glob("*.sources")):
        for block in re.split(r"\n\s*\n", f.read_text()):
            fields, last = {}, None
            for line in block.splitlines():
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                if line[0] in " \t" and last:
                    fields[last] += " " + line.strip()
                    continue
                k, _, v = line.partition(":")
                last = k.strip().lower()
                fields[last] = v.strip()
            if fields.get("enabled", "yes").lower() == "no":
                continue
            if "deb" not in fields.get("types", "").split():
                continue
            suites = fields.get("suites", "").split()
            # the main archive: the plain codename (not -security, -updates, -backports)
            if codename and codename in suites and "main" in fields.get("components", "").split():
                stanzas.append(fields)
    if not stanzas:
        cl.die("found no Debian archive entry for the host release in "
               "/etc/apt/sources.list.d/*.sources: cannot derive sources for other releases")
    return stanzas


def apt_opts() -> list[str]:
    r = apt_root()
    return ["-o", f"Dir::Etc::SourceList={r / 'sources.list'}",
            "-o", f"Dir::Etc::SourceParts={r / 'sources.list.d'}",
            "-o", f"Dir::Etc::PreferencesParts={r / 'preferences.d'}",
            "-o", "Dir::Etc::Preferences=/dev/null",
            "-o", f"Dir::State={r / 'state'}",
            "-o", f"Dir::State::status={r / 'status'}",
            "-o", f"Dir::Cache={r / 'cache'}",
            "-o", "APT::Architecture=amd64", "-o", "APT::Architectures=amd64",
            "-o", "APT::Sandbox::User=root",
            "-o", "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false",
            "-o", "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false",
            "-o", "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false",
            "-o", "Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false"]


_apt_updated = False


def apt_update_private() -> None:
    """(Re)generate the private apt sources from the host's and fetch their package lists."""
    global _apt_updated
    if _apt_updated:
        return
    r = apt_root()
    for d in ("sources.list.d", "preferences.d", "state/lists/partial", "cache/archives/partial"):
        (r / d).mkdir(parents=True, exist_ok=True)
    (r / "status").touch()
    suites = sorted({d["suite"] for d in DEBS.values()})
    out = []
    for s in host_archive_sources():
        out.append(f"Types: deb\nURIs: {s['uris']}\nSuites: {' '.join(suites)}\n"
                   "Components: main\n"
                   + (f"Signed-By: {s['signed-by']}\n" if s.get("signed-by") else ""))
    (r / "sources.list.d" / "other-releases.sources").write_text("\n".join(out))
    (r / "sources.list").write_text("")
    cl.log(f"apt-get update (private state, suites {' '.join(suites)})")
    cl.run(["apt-get", *apt_opts(), "update"])
    _apt_updated = True


def ensure_deb(name: str) -> Path:
    pin = DEBS[name]
    hit = cl.cached(pin["sha256"])
    if hit:
        return hit
    apt_update_private()
    spec = f"{pin['package']}={pin['version']}"
    cl.log(f"apt-get download {spec} ({pin['suite']})")
    with tempfile.TemporaryDirectory() as t:
        p = subprocess.run(["apt-get", *apt_opts(), "download", spec], cwd=t,
                           capture_output=True, text=True)
        if p.returncode != 0:
            cl.die(f"apt-get download {spec} failed ({pin['suite']}); if Debian superseded it, "
                   f"update its pin (corpus/recipes/c.py, or the recipe that added it to DEBS)\n{p.stdout}\n{p.stderr}")
        files = list(Path(t).glob("*.deb"))
        if len(files) != 1:
            cl.die(f"apt-get download {spec}: expected one .deb, got {files}")
        got = cl.sha256_file(files[0])
        if got != pin["sha256"]:
            cl.die(f"{spec}: sha256 mismatch: pinned {pin['sha256']}, got {got}")
        dest = cl.downloads_dir() / got
        dest.mkdir(parents=True, exist_ok=True)
        shutil.move(str(files[0]), dest / files[0].name)
        return dest / files[0].name


def ensure_deb_root(name: str) -> Path:
    """The pinned .deb extracted (dpkg-deb -x, not installed) under tools/debs/."""
    pin = DEBS[name]
    root = cl.tools_dir() / "debs" / f"{pin['package']}_{pin['version']}"
    stamp = root / ".deb-sha256"
    if stamp.is_file() and stamp.read_text().strip() == pin["sha256"]:
        return root
    deb = ensure_deb(name)
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=root.name + ".", dir=root.parent))
    tmp.chmod(0o755)
    cl.run(["dpkg-deb", "-x", deb, tmp])
    (tmp / ".deb-sha256").write_text(pin["sha256"])
    cl.swap_in(tmp, root)
    return root


def glibc_sysroot(name: str) -> Path:
    """An extracted libc6-dev with the host's kernel headers linked in (glibc's headers include
    <linux/...> and <asm/...>, which live in linux-libc-dev)."""
    root = ensure_deb_root(name)
    inc = root / "usr" / "include"
    links = {inc / "linux": "/usr/include/linux",
             inc / "asm-generic": "/usr/include/asm-generic",
             inc / "x86_64-linux-gnu" / "asm": "/usr/include/x86_64-linux-gnu/asm"}
    for link, target in links.items():
        if not Path(target).is_dir():
            cl.die(f"kernel headers missing: {target} (apt-get install linux-libc-dev)")
        if not link.is_symlink():
            link.symlink_to(target)
    return root


# ---------------------------------------------------------------------------------------------
# fixtures

class Group:
    def __init__(self) -> None:
        self.out = cl.corpus_dir() / GROUP
        self.stamps = self.out / ".stamps"
        self.stamps.mkdir(parents=True, exist_ok=True)
        self.fixtures: list[dict] = []
        self.built = self.reused = 0

    def _fresh(self, fid: str, path: Path, key: str) -> bool:
        st = self.stamps / fid
        return path.is_file() and st.is_file() and st.read_text() == key

    def _done(self, fid: str, key: str) -> None:
        (self.stamps / fid).write_text(key)

    def add(self, fid: str, rel: str, recipe: str, truth: dict, key: str, build) -> Path:
        """Build (unless fresh) one fixture with build(tmp_out_path), record it."""
        path = self.out / rel
        if self._fresh(fid, path, key):
            self.reused += 1
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            if tmp.exists():
                tmp.unlink()
            t0 = time.time()
            build(tmp)
            if not tmp.is_file():
                cl.die(f"{fid}: build produced no file")
            tmp.replace(path)
            self._done(fid, key)
            self.built += 1
            cl.log(f"built {fid} ({time.time() - t0:.1f}s)")
        self.fixtures.append({"id": fid, "path": rel, "recipe": recipe, "real_world": False,
                              "truth": {k: v for k, v in truth.items() if v is not None}})
        return path

    def program(self, base_id: str, reldir: str, prog: str, recipe: str, truth: dict, key: str,
                compile_fn, strip_tool: str, comment_strip: bool) -> None:
        """One program: unstripped, stripped, and optionally comment-stripped variants."""
        truth = dict(truth, links_resolver=PROGRAMS[prog])
        base = self.add(f"{base_id}-{prog}", f"{reldir}/{prog}", recipe,
                        dict(truth, stripped=False, comment_stripped=False), key, compile_fn)
        strip_v = tool_version([strip_tool, "--version"]).splitlines()[0]
        variants = [("stripped", [], "strip", False)]
        if comment_strip:
            variants.append(("nocomment", ["-R", ".comment", "-R", ".note.gnu.build-id"],
                             "strip -R .comment -R .note.gnu.build-id", True))
        for suffix, args, what, cs in variants:
            def do_strip(tmp, args=args):
                cl.run([strip_tool, *args, "-o", tmp, base])
            self.add(f"{base_id}-{prog}-{suffix}", f"{reldir}/{prog}.{suffix}",
                     f"{recipe}; {what}", dict(truth, stripped=True, comment_stripped=cs),
                     key_of(key, strip_v, args), do_strip)

    def prune(self) -> None:
        """Remove built files and stamps that no current fixture owns."""
        keep = {self.out / f["path"] for f in self.fixtures}
        ids = {f["id"] for f in self.fixtures}
        for p in sorted(self.out.rglob("*"), reverse=True):
            if p.is_file() and p.parent == self.stamps:
                if p.name not in ids:
                    p.unlink()
            elif p.is_file() and p != self.out / "manifest.json" and p not in keep:
                cl.log(f"removing stale {p}")
                p.unlink()
            elif p.is_dir() and p != self.stamps and not any(p.iterdir()):
                p.rmdir()


def write_if_changed(path: Path, text: str) -> Path:
    """Write a generated file only when its text changed (keeps mtimes stable)."""
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)
    return path


def compile_cmd(cmd: list, env: dict | None = None):
    """A build function running cmd with '{out}' replaced, from the source directory."""
    def build(tmp: Path):
        cl.run([str(tmp) if c == "{out}" else c for c in cmd], cwd=SRC, env=env)
    return build


def build_zig(g: Group) -> None:
    comment_strip_versions = {"0.9.1", "0.13.0"}
    for ver in ZIG:
        zig = ensure_zig(ver)
        env = zig_env(ver)
        pin = ZIG[ver]
        for arch, target in ZIG_MUSL_TARGETS.items():
            flags = ["-target", target, "-O2", "-g", "-static", "-fno-PIE", "-no-pie"]
            for prog in PROGRAMS:
                recipe = (f"zig {ver} (PyPI ziglang=={pin['pypi']}) cc {' '.join(flags)} "
                          f"-o {prog} src/{prog}.c")
                truth = dict(ARCH[arch], linkage="static", libc_family="musl",
                             libc_version=pin["musl"], toolchain="zig", toolchain_version=ver)
                truth.pop("strip")
                key = key_of("zig-musl", pin["sha256"], flags, src_sha(prog))
                g.program(f"zig-{ver}-{arch}-musl", f"zig-{ver}/{arch}", prog, recipe, truth, key,
                          compile_cmd([zig, "cc", *flags, "-o", "{out}", f"{prog}.c"], env),
                          ARCH[arch]["strip"], comment_strip=(ver in comment_strip_versions
                                                              and arch == "x86_64"))
    for ver, arch, target in ZIG_GLIBC:
        zig = ensure_zig(ver)
        pin = ZIG[ver]
        floor = target.rsplit(".", 2)[-2] + "." + target.rsplit(".", 2)[-1]
        flags = ["-target", target, "-O2", "-g"]
        for prog in PROGRAMS:
            recipe = (f"zig {ver} (PyPI ziglang=={pin['pypi']}) cc {' '.join(flags)} "
                      f"-o {prog} src/{prog}.c")
            truth = dict(ARCH[arch], linkage="dynamic", libc_family="glibc", glibc_floor=floor,
                         toolchain="zig", toolchain_version=ver)
            truth.pop("strip")
            key = key_of("zig-glibc", pin["sha256"], flags, src_sha(prog))
            g.program(f"zig-{ver}-{arch}-glibc{floor}", f"zig-{ver}/{arch}-gnu.{floor}", prog,
                      recipe, truth, key,
                      compile_cmd([zig, "cc", *flags, "-o", "{out}", f"{prog}.c"], zig_env(ver)),
                      ARCH[arch]["strip"], comment_strip=False)


def build_gcc_musl(g: Group) -> None:
    gcc_ver = tool_version(["x86_64-linux-gnu-gcc", "-dumpfullversion"])
    # host musl-tools (Debian's musl-gcc wrapper + specs)
    musl_deb = need_dpkg_version("musl-dev")
    tools_deb = need_dpkg_version("musl-tools")
    mv = upstream(musl_deb)
    for prog in PROGRAMS:
        flags = ["-O2", "-static"]
        recipe = (f"musl-gcc {' '.join(flags)} -o {prog} src/{prog}.c "
                  f"(host Debian musl-tools {tools_deb}, musl-dev {musl_deb}, gcc {gcc_ver})")
        truth = dict(ARCH["x86_64"], linkage="static", libc_family="musl", libc_version=mv,
                     toolchain="gcc", toolchain_version=gcc_ver)
        truth.pop("strip")
        key = key_of("musl-gcc", musl_deb, tools_deb, gcc_ver, flags, src_sha(prog))
        g.program(f"gcc-{gcc_ver}-x86_64-musl-{mv}", f"gcc-musl-{mv}/x86_64", prog, recipe,
                  truth, key, compile_cmd(["musl-gcc", *flags, "-o", "{out}", f"{prog}.c"]),
                  "strip", comment_strip=True)
    # musl-dev .debs of other releases, through a generated specs file
    for name in ("musl-1.2.2", "musl-1.2.5"):
        pin = DEBS[name]
        root = ensure_deb_root(name)
        lib = root / "usr/lib/x86_64-linux-musl"
        inc = root / "usr/include/x86_64-linux-musl"
        for f in ("crt1.o", "Scrt1.o", "rcrt1.o", "crti.o", "crtn.o", "libc.a"):
            if not (lib / f).is_file():
                cl.die(f"{pin['package']} {pin['version']}: {lib / f} missing")
        specs = write_if_changed(root / "musl-gcc.specs", MUSL_SPECS.format(lib=lib, inc=inc))
        mv = upstream(pin["version"])
        for link in ("static", "static-pie"):
            flags = ["-O2", f"-{link}"]
            for prog in PROGRAMS:
                recipe = (f"gcc {gcc_ver} -specs musl-gcc.specs {' '.join(flags)} -o {prog} "
                          f"src/{prog}.c (musl-gcc.specs pointing at {pin['package']} "
                          f"{pin['version']} from Debian {pin['suite']}, extracted)")
                truth = dict(ARCH["x86_64"], linkage=link, libc_family="musl", libc_version=mv,
                             toolchain="gcc", toolchain_version=gcc_ver)
                truth.pop("strip")
                key = key_of("musl-deb", pin["sha256"], MUSL_SPECS, gcc_ver, flags,
                             src_sha(prog))
                g.program(f"gcc-{gcc_ver}-x86_64-musl-{mv}-{link}",
                          f"gcc-musl-{mv}/x86_64-{link}", prog, recipe, truth, key,
                          compile_cmd(["x86_64-linux-gnu-gcc", "-specs", specs, *flags,
                                       "-o", "{out}", f"{prog}.c"]),
                          "strip", comment_strip=(link == "static"))


def build_gcc_glibc(g: Group) -> None:
    # host gcc + host glibc, and the Debian cross compilers with their cross glibc
    hosts = [("x86_64", "gcc", "libc6-dev", ["static", "static-pie", "dynamic"]),
             ("aarch64", "aarch64-linux-gnu-gcc", "libc6-dev-arm64-cross", ["static", "dynamic"]),
             ("arm", "arm-linux-gnueabihf-gcc", "libc6-dev-armhf-cross", ["static", "dynamic"])]
    for arch, cc, libc_pkg, links in hosts:
        gcc_ver = tool_version([cc, "-dumpfullversion"])
        libc_deb = need_dpkg_version(libc_pkg)
        gv = upstream(libc_deb).split("-")[0]
        for link in links:
            flags = ["-O2"] + ([] if link == "dynamic" else [f"-{link}"])
            for prog in PROGRAMS:
                recipe = (f"{cc} {' '.join(flags)} -o {prog} src/{prog}.c "
                          f"(Debian gcc {gcc_ver}, {libc_pkg} {libc_deb})")
                truth = dict(ARCH[arch], linkage=link, libc_family="glibc",
                             toolchain="gcc", toolchain_version=gcc_ver)
                truth.pop("strip")
                if link == "dynamic":
                    truth["glibc_floor"] = gv  # linked against this glibc: needs at most it
                else:
                    truth["libc_version"] = gv
                key = key_of("gcc-glibc", cc, gcc_ver, libc_pkg, libc_deb, flags, src_sha(prog))
                g.program(f"gcc-{gcc_ver}-{arch}-glibc-{gv}-{link}",
                          f"gcc-glibc-{gv}/{arch}-{link}", prog, recipe, truth, key,
                          compile_cmd([cc, *flags, "-o", "{out}", f"{prog}.c"]),
                          ARCH[arch]["strip"], comment_strip=(arch == "x86_64"
                                                              and link != "static-pie"))
    # libc6-dev .debs of other releases, static, through --sysroot + a generated specs file
    gcc_ver = tool_version(["gcc", "-dumpfullversion"])
    host_gcc_dir = Path(tool_version(["gcc", "-print-file-name=crtbeginT.o"])).parent
    for name, rt in (("glibc-2.31", "libgcc-10"), ("glibc-2.41", None)):
        pin = DEBS[name]
        root = glibc_sysroot(name)
        lib = root / "usr/lib/x86_64-linux-gnu"
        if rt:
            rt_root = ensure_deb_root(rt)
            gcc_dir = next((rt_root / "usr/lib/gcc/x86_64-linux-gnu").iterdir())
            rt_desc = f", gcc runtime (crtbeginT.o, libgcc*.a) from {DEBS[rt]['package']} " \
                      f"{DEBS[rt]['version']} ({DEBS[rt]['suite']})"
            rt_key = DEBS[rt]["sha256"]
        else:
            gcc_dir, rt_desc, rt_key = host_gcc_dir, "", None
        for f in (lib / "crt1.o", lib / "crti.o", lib / "crtn.o", lib / "libc.a",
                  gcc_dir / "crtbeginT.o", gcc_dir / "libgcc_eh.a"):
            if not f.is_file():
                cl.die(f"{f} missing")
        specs = write_if_changed(root / "glibc-static.specs", GLIBC_SPECS.format(lib=lib, gcc=gcc_dir))
        gv = upstream(pin["version"])
        flags = ["-O2", "-static"]
        for prog in PROGRAMS:
            recipe = (f"gcc {gcc_ver} --sysroot <{pin['package']} {pin['version']} from Debian "
                      f"{pin['suite']}, extracted> -specs glibc-static.specs {' '.join(flags)} "
                      f"-o {prog} src/{prog}.c (specs: that libc.a and crt*.o{rt_desc})")
            truth = dict(ARCH["x86_64"], linkage="static", libc_family="glibc", libc_version=gv,
                         toolchain="gcc", toolchain_version=gcc_ver)
            truth.pop("strip")
            key = key_of("glibc-deb", pin["sha256"], rt_key, GLIBC_SPECS, gcc_ver, flags,
                         src_sha(prog))
            g.program(f"gcc-{gcc_ver}-x86_64-glibc-{gv}-static", f"gcc-glibc-{gv}/x86_64-static",
                      prog, recipe, truth, key,
                      compile_cmd(["gcc", f"--sysroot={root}", "-specs", specs, *flags,
                                   "-o", "{out}", f"{prog}.c"]),
                      "strip", comment_strip=False)


# More architectures, both byte orders, from one zig: hello.c only, unstripped and link-time
# stripped (`-s`). (s390x is left out: zig 0.13.0's LLVM aborts on it.)
ZIG_ARCHES_VERSION = "0.13.0"
ZIG_ARCHES = {  # zig target -> truth (machine as binsight names it, class, endian)
    "x86-linux-musl": ("i386", 32, "little"),
    "riscv64-linux-musl": ("riscv64", 64, "little"),
    "powerpc64le-linux-musl": ("ppc64le", 64, "little"),
    "powerpc64-linux-musl": ("ppc64", 64, "big"),
    "powerpc-linux-musl": ("ppc", 32, "big"),
    "mips-linux-musl": ("mips", 32, "big"),
    "mipsel-linux-musl": ("mipsel", 32, "little"),
}


def build_zig_arches(g: "Group") -> None:
    """One zig, many architectures. Each is compiled once (-g) and stripped with binutils-multiarch's
    strip, which knows every architecture: compiling again with -s would make zig build musl for
    that target a second time (its libc cache is keyed by the strip option), doubling the cold
    build time of this group."""
    ver = ZIG_ARCHES_VERSION
    zig = ensure_zig(ver)
    pin = ZIG[ver]
    flags_for = lambda target: ["-target", target, "-O2", "-static", "-fno-PIE", "-no-pie", "-g"]
    for target, (machine, bits, endian) in ZIG_ARCHES.items():
        flags = flags_for(target)
        recipe = f"zig {ver} (PyPI ziglang=={pin['pypi']}) cc {' '.join(flags)} -o hello src/hello.c"
        truth = dict(machine=machine, **{"class": bits}, endian=endian, linkage="static",
                     libc_family="musl", libc_version=pin["musl"], toolchain="zig",
                     toolchain_version=ver)
        key = key_of("zig-arch", pin["sha256"], flags, src_sha("hello"))
        g.program(f"zig-{ver}-{machine}-musl", f"zig-{ver}/arches/{machine}", "hello", recipe, truth,
                  key, compile_cmd([zig, "cc", *flags, "-o", "{out}", "hello.c"], zig_env(ver)),
                  MULTIARCH_STRIP, comment_strip=False)


def main() -> None:
    t0 = time.time()
    ensure_apt_packages(APT_PACKAGES)
    for tool in ("gcc", "x86_64-linux-gnu-gcc", "musl-gcc", "aarch64-linux-gnu-gcc",
                 "arm-linux-gnueabihf-gcc", "strip", "aarch64-linux-gnu-strip",
                 "arm-linux-gnueabihf-strip", "dpkg-deb", "apt-get"):
        if not shutil.which(tool):
            cl.die(f"{tool} not found on PATH")
    targets = tool_version([MULTIARCH_STRIP, "--help"])
    if not all(t in targets for t in ("elf64-littleriscv", "elf32-tradbigmips", "elf64-powerpc")):
        cl.die(f"{MULTIARCH_STRIP} cannot strip ppc/mips/riscv64 files: install binutils-multiarch "
               "(apt-get install -y --no-install-recommends binutils-multiarch)")
    g = Group()
    build_gcc_glibc(g)
    build_gcc_musl(g)
    build_zig(g)
    build_zig_arches(g)
    g.prune()
    m = cl.write_manifest(GROUP, g.fixtures)
    cl.log(f"c: {len(g.fixtures)} fixtures ({g.built} built, {g.reused} up to date) -> {m} "
           f"in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
