#!/usr/bin/env python3
"""Recipe group "bundledsys": C libraries compiled into Rust and Go programs by their package managers.

Rust: corpus/src/bundled-rust, one small program (not in the binsight workspace) that calls the C
APIs of zlib, bzip2, zstd, xz (liblzma) and SQLite directly through their `-sys` crates, each
building the C sources it vendors and linking them statically: libz-sys (feature `static`),
bzip2-sys (`static`), zstd-sys (its bundled zstd), lzma-sys (`static`) and libsqlite3-sys
(`bundled`). It compresses and decompresses a run-time buffer with each compressor, runs SQL on
an in-memory SQLite database and prints every library's runtime version (zlibVersion,
BZ2_bzlibVersion, ZSTD_versionString, lzma_version_string, sqlite3_libversion). Two pin sets,
each an `=`-pinned Cargo.toml with a committed Cargo.lock, built `--locked`:
* "new": corpus/src/bundled-rust/Cargo.toml + Cargo.lock (recent crates);
* "old": corpus/src/bundled-rust/old/Cargo.toml + Cargo.lock (the same src/main.rs, package
  `bundled-rust-old`, crates of early 2023 and cc 1.0.79); zlib, zstd and SQLite differ.
Each set is built for x86_64-unknown-linux-musl by rustup's 1.95.0 (corpus/recipes/deps.py's
toolchain helpers) with plain `cargo build` and with `cargo auditable build` (deps.py's pinned
cargo-auditable), plus a binutils-`strip`ped copy of the plain build; the new set is also built
once, plain, for x86_64-unknown-linux-gnu (glibc linked dynamically, the C libraries statically).
The C compiler for musl is the host's `musl-gcc` (Debian musl-tools; CC_x86_64_unknown_linux_musl),
for gnu the host `cc`. All Rust builds share one CARGO_TARGET_DIR under the cache.

Rust, OpenSSL: corpus/src/bundled-rust-openssl, a second small program that calls OpenSSL's C API
through openssl-sys with its `vendored` feature (openssl-sys's build script has openssl-src run
OpenSSL's Configure and make, libcrypto + libssl linked statically): openssl_sys::init(), prints
`openssl: <OpenSSL_version(OPENSSL_VERSION)>`, a SHA-256 of "abc" through EVP and creates an SSL_CTX
for TLS_client_method(). Pin sets "openssl-new" (Cargo.toml + Cargo.lock: openssl-sys 0.9.118,
openssl-src 300.6.1+3.6.3) and "openssl-old" (old/, package `bundled-rust-openssl-old`, same
src/main.rs: openssl-sys 0.9.80, openssl-src 111.22.0+1.1.1q, cc 1.0.79); openssl-src is `=`-pinned
as a build-dependency of the program (it has no build.rs: the pin only steers the resolver). Each
set for x86_64 musl, plain, stripped and auditable, like the others.

Go: corpus/src/bundled-go, a program that opens `:memory:` through database/sql with
github.com/mattn/go-sqlite3 (cgo; the module carries the SQLite amalgamation, sqlite3-binding.c)
and prints `select sqlite_version()`, at two pinned module versions (go.mod + go.sum committed in
corpus/src/bundled-go/<version>/). Built from a copy in the cache with `-mod=mod`, the module
fetched through the Go module proxy (Go's default, or $GOPROXY) into this group's GOMODCACHE,
CGO_ENABLED=1, default linking (glibc, dynamic), by the same `go` as the deps group: plain and
`-ldflags=-s -w`. The recipe fails if Go wanted to change the committed go.mod / go.sum.

Optimisation is lowered to keep the corpus cheap (the cold CI run is at its time budget):
CARGO_PROFILE_RELEASE_OPT_LEVEL=1 and CARGO_PROFILE_RELEASE_DEBUG=false (the cc crate then
compiles the C at -O1, without -g) and, for Go, CGO_CFLAGS="-O1 -g0". openssl-src ignores the
profile (cc::Build::opt_level(2), and OpenSSL's own -O3 before it), so the OpenSSL builds also get
CFLAGS_x86_64_unknown_linux_musl=-O1, which cc appends last. The OpenSSL sets cost about 165 s of
CPU cold (both OpenSSL builds, the crates and the four links; measured on 2 cores). The version strings and
tables a detector reads (zlibVersion's ZLIB_VERSION, inflate/deflate copyright strings, BZ_VERSION,
ZSTD_VERSION_STRING, LZMA_VERSION_STRING, sqlite3_version / SQLITE_SOURCE_ID, the crc and Huffman
tables, the crate and module source paths) are data, emitted the same at any -O level; only the
machine code differs.

Truth of every fixture comes from how it was built, never from binsight:
* "bundled": one entry per C library, `{"library", "version", "via": "rust-crate", "crate",
  "crate_version"}` (Rust) or `{"library", "version", "via": "go-module", "module",
  "module_version"}` (Go). `library` is zlib, bzip2, zstd, xz, sqlite or openssl. The crate / module version
  is the one in Cargo.lock / go.mod. The library version is read from the crate's or module's OWN
  sources, in cargo's registry source directory (the package's manifest_path, `cargo metadata`)
  and the Go module cache (`go mod download -json`'s Dir): ZLIB_VERSION in libz-sys src/zlib/zlib.h,
  BZ_VERSION in bzip2-sys bzip2-*/bzlib_private.h, ZSTD_VERSION_MAJOR/MINOR/RELEASE in zstd-sys
  zstd/lib/zstd.h, LZMA_VERSION_MAJOR/MINOR/PATCH(/STABILITY) in lzma-sys
  xz-*/src/liblzma/api/lzma/version.h, SQLITE_VERSION in libsqlite3-sys sqlite3/sqlite3.h and in
  go-sqlite3's sqlite3-binding.h; OpenSSL's from openssl-src's openssl/ tree: OPENSSL_VERSION_TEXT
  of include/openssl/opensslv.h for 1.1.1 ("OpenSSL 1.1.1q  5 Jul 2022" -> 1.1.1q); 3.x ships only
  opensslv.h.in (OPENSSL_VERSION_STR is a Configure template there), so MAJOR/MINOR/PATCH
  (PRE_RELEASE_TAG, BUILD_METADATA) and RELEASE_DATE of VERSION.dat. openssl-src is a build
  dependency (kind "build" in "crates"), the other -sys crates normal ones. Where the crate version has
  build metadata naming the library (`+1.0.8`, `+zstd.1.5.7`, `+1.1.1q`), it must agree. Every binary
  (stripped copies too) is run once after it is built and must print exactly these versions (bzip2's
  "1.0.8, 13-Jul-2019" up to the comma; OpenSSL's whole version text), else the recipe fails.
* Rust: the deps/vuln fields (machine, linkage from the target spec, libc_family, libc_version of
  the toolchain's musl, rustc_version/commit, stripped, auditable — checked on the ELF —,
  root_package, crates with kinds from deps.lock_crates, cargo_lock); links_resolver false
  (checked: no getaddrinfo symbol in .symtab / .dynsym; not the file's bytes, as OpenSSL 1.1.1 carries
  the name "getaddrinfo" as data).
* Go: go_version, go_main, go_main_version "(devel)", go_build (settings the recipe passed) and
  go_modules (as in the deps group's -mod=mod fixtures: go.mod + go.sum, "sum" = the go.sum hash Go
  records); linkage dynamic / libc_family glibc (checked: PT_INTERP present), links_resolver false
  (checked). The manifest entry (not truth) has "go_version_m" (the saved `go version -m`).

Idempotent: every fixture has a stamp holding the hash of its inputs (sources, lock / go.sum, pin
set, toolchains, C compilers, strip, flags, truth); the target dir (tools/cargo-target/bundledsys)
and Go caches (tools/go-build-cache-bundledsys, tools/gopath-bundledsys) are reused.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True  # no __pycache__ in the clone from importing deps below
import corpuslib as cl  # noqa: E402
import deps  # noqa: E402  (Rust toolchain, cargo-auditable, lock_crates, stamps, go binary)

GROUP = "bundledsys"
RECIPE_VERSION = "bundledsys-recipe-1"  # bump to force a rebuild of every fixture

RUST_SRC = cl.CORPUS_SRC / "src" / "bundled-rust"
OPENSSL_SRC = cl.CORPUS_SRC / "src" / "bundled-rust-openssl"
GO_SRC = cl.CORPUS_SRC / "src" / "bundled-go"
TOOLCHAIN = deps.RUST_TOOLCHAIN  # 1.95.0, as in the deps and vuln groups
X86_64 = {"machine": "x86_64", "class": 64, "endian": "little"}

# Optimisation lowered to keep the group cheap (see the docstring): the detector's strings and
# tables do not depend on it.
CARGO_OPT_ENV = {"CARGO_PROFILE_RELEASE_OPT_LEVEL": "1", "CARGO_PROFILE_RELEASE_DEBUG": "false"}
CGO_CFLAGS = "-O1 -g0"

# pin set -> (manifest dir, binary name, program dir: the pin sets of one program share its src/main.rs)
PIN_SETS = {"new": (RUST_SRC, "bundled-rust", RUST_SRC),
            "old": (RUST_SRC / "old", "bundled-rust-old", RUST_SRC),
            "openssl-new": (OPENSSL_SRC, "bundled-rust-openssl", OPENSSL_SRC),
            "openssl-old": (OPENSSL_SRC / "old", "bundled-rust-openssl-old", OPENSSL_SRC)}
# (pin set, target triple, short name, libc family, flavours); "plain" also gets a stripped copy
# when the target is musl.
RUST_BUILDS = [
    ("new", deps.MUSL, "x86_64-musl", "musl", ("plain", "auditable")),
    ("new", deps.GNU, "x86_64-gnu", "glibc", ("plain",)),
    ("old", deps.MUSL, "x86_64-musl", "musl", ("plain", "auditable")),
    ("openssl-new", deps.MUSL, "x86_64-musl", "musl", ("plain", "auditable")),
    ("openssl-old", deps.MUSL, "x86_64-musl", "musl", ("plain", "auditable")),
]
# openssl-src hard-codes -O2 for OpenSSL's C (cc::Build::opt_level(2)), whatever the profile says;
# cc appends CFLAGS_<target> after its own flags, so this brings OpenSSL down to the group's -O1.
OPENSSL_CFLAGS_ENV = {"CFLAGS_x86_64_unknown_linux_musl": "-O1"}

GO_MODULE = "github.com/mattn/go-sqlite3"
GO_VERSIONS = ["v1.14.17", "v1.14.53"]  # each has corpus/src/bundled-go/<version>/go.mod + go.sum
# (flavour, go build flags)
GO_FLAVOURS = [("plain", []), ("sw", ["-ldflags=-s -w"])]

# Environment that would change what cc / the -sys build scripts do: dropped for the builds.
CC_ENV_NAMES = {"CC", "CFLAGS", "CPPFLAGS", "CXX", "CXXFLAGS", "AR", "ARFLAGS", "RANLIB", "PKG_CONFIG",
                "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR", "CC_ENABLE_DEBUG_OUTPUT"}
CC_ENV_PREFIXES = ("CC_", "CFLAGS_", "CXX_", "CXXFLAGS_", "AR_", "TARGET_C", "TARGET_AR", "HOST_C", "HOST_AR",
                   "CRATE_CC_", "SQLITE3_", "LIBSQLITE3_", "LIBZ_SYS_", "LZMA_API_", "ZSTD_SYS_", "BZIP2_",
                   "PKG_CONFIG_", "CARGO_PROFILE_", "CARGO_BUILD_", "OPENSSL_", "X86_64_UNKNOWN_LINUX_")
# openssl-sys also reads <TARGET>_OPENSSL_DIR etc. (covered by the prefixes above), openssl-src PERL / MAKE.
CC_ENV_NAMES |= {"PERL", "MAKE", "MAKEFLAGS", "MFLAGS", "CROSS_COMPILE"}


# ---------------------------------------------------------------------------------------------
# Library versions from the -sys crates' and the Go module's own sources


def header_define(path: Path, name: str) -> str:
    """The value of `#define NAME value` in a C header (quotes removed)."""
    if not path.is_file():
        cl.die(f"{path}: missing (needed for {name})")
    m = re.search(rf"^\s*#\s*define\s+{name}\s+(.+?)\s*$", path.read_text(errors="replace"), re.M)
    if not m:
        cl.die(f"{path}: no #define {name}")
    v = m.group(1)
    return v[1:-1] if v.startswith('"') and v.endswith('"') else v


def one(paths: list[Path], what: str) -> Path:
    if len(paths) != 1:
        cl.die(f"expected exactly one {what}, found {[str(p) for p in paths]}")
    return paths[0]


def zlib_version(d: Path) -> str:
    return header_define(d / "src" / "zlib" / "zlib.h", "ZLIB_VERSION")


def bzip2_version(d: Path) -> str:
    h = one(sorted(d.glob("bzip2-*/bzlib_private.h")), f"bzip2-*/bzlib_private.h in {d}")
    return header_define(h, "BZ_VERSION").split(",")[0].strip()  # "1.0.8, 13-Jul-2019"


def zstd_version(d: Path) -> str:
    h = d / "zstd" / "lib" / "zstd.h"
    return ".".join(header_define(h, f"ZSTD_VERSION_{p}") for p in ("MAJOR", "MINOR", "RELEASE"))


def xz_version(d: Path) -> str:
    h = one(sorted(d.glob("xz-*/src/liblzma/api/lzma/version.h")), f"xz-*/.../lzma/version.h in {d}")
    v = ".".join(header_define(h, f"LZMA_VERSION_{p}") for p in ("MAJOR", "MINOR", "PATCH"))
    stability = header_define(h, "LZMA_VERSION_STABILITY")
    # LZMA_VERSION_STRING appends "alpha" / "beta" to unstable releases
    suffix = {"LZMA_VERSION_STABILITY_STABLE": "", "LZMA_VERSION_STABILITY_BETA": "beta",
              "LZMA_VERSION_STABILITY_ALPHA": "alpha"}.get(stability)
    if suffix is None:
        cl.die(f"{h}: unknown LZMA_VERSION_STABILITY {stability}")
    return v + suffix


def sqlite_version_rs(d: Path) -> str:
    return header_define(d / "sqlite3" / "sqlite3.h", "SQLITE_VERSION")


def openssl_version_text(d: Path) -> str:
    """What OpenSSL_version(OPENSSL_VERSION) returns ("OpenSSL 1.1.1q  5 Jul 2022"), from openssl-src's
    openssl/ tree: OPENSSL_VERSION_TEXT of include/openssl/opensslv.h (1.1.1), or, for 3.x, whose
    opensslv.h is generated at build time from opensslv.h.in (OPENSSL_VERSION_TEXT "OpenSSL
    {full_version} {release_date}"), from VERSION.dat."""
    h = d / "openssl" / "include" / "openssl" / "opensslv.h"
    if h.is_file():
        return header_define(h, "OPENSSL_VERSION_TEXT")
    vd = d / "openssl" / "VERSION.dat"
    if not vd.is_file():
        cl.die(f"{d}: neither openssl/include/openssl/opensslv.h nor openssl/VERSION.dat")
    kv = {}
    for line in vd.read_text().splitlines():
        k, sep, v = line.partition("=")
        if sep:
            kv[k.strip()] = v.strip().strip('"')
    try:
        full = ".".join(kv[p] for p in ("MAJOR", "MINOR", "PATCH"))
        full += (f"-{kv['PRE_RELEASE_TAG']}" if kv.get("PRE_RELEASE_TAG") else "") + \
            (f"+{kv['BUILD_METADATA']}" if kv.get("BUILD_METADATA") else "")
        return f"OpenSSL {full} {kv['RELEASE_DATE']}"
    except KeyError as e:
        cl.die(f"{vd}: no {e}")


def openssl_version(d: Path) -> str:
    m = re.match(r"OpenSSL (\S+) ", openssl_version_text(d))
    if not m:
        cl.die(f"{d}: unexpected OpenSSL version text {openssl_version_text(d)!r}")
    return m.group(1)


# crate -> (library, version reader, the library version in the crate's build metadata, if any)
SYS_CRATES = {
    "libz-sys": ("zlib", zlib_version, None),
    "bzip2-sys": ("bzip2", bzip2_version, r"\+(\d[\d.]*)$"),
    "zstd-sys": ("zstd", zstd_version, r"\+zstd\.(\d[\d.]*)$"),
    "lzma-sys": ("xz", xz_version, None),
    "libsqlite3-sys": ("sqlite", sqlite_version_rs, None),
}
# openssl-src ("111.22.0+1.1.1q", "300.6.1+3.6.3") holds OpenSSL's sources and the logic to build them;
# openssl-sys's build script (feature `vendored`) runs it, so it is a build dependency (the program's
# Cargo.toml pins it as one of its own build-dependencies too). The libraries it builds are linked in.
OPENSSL_CRATES = {"openssl-src": ("openssl", openssl_version, r"\+(\d[\w.-]*)$")}
# kind (deps.lock_crates) each crate above must have; "normal" where not named
BUNDLING_CRATE_KIND = {"openssl-src": "build"}


def smoke_versions(out: str, what: str) -> dict[str, str]:
    """library -> runtime version from the `<library>: <version>` lines the programs print."""
    got = {}
    for line in out.splitlines():
        m = re.match(r"^(zlib|bzip2|zstd|xz|sqlite|openssl): (.+)$", line)
        if m:
            v = m.group(2).strip()
            if m.group(1) == "bzip2":
                v = v.split(",")[0].strip()
            elif m.group(1) == "openssl":  # "OpenSSL 1.1.1q  5 Jul 2022"
                v = v.split()[1] if v.startswith("OpenSSL ") and len(v.split()) > 1 else v
            got[m.group(1)] = v
    if not got:
        cl.die(f"{what}: no version lines in its output {out!r}")
    return got


def check_smoke(binary: Path, bundled: list[dict], want_lines: list[str]) -> None:
    out = cl.run([binary]).stdout
    for w in want_lines:
        if w not in out:
            cl.die(f"{binary}: {w!r} missing from its output {out!r}")
    got = smoke_versions(out, str(binary))
    want = {b["library"]: b["version"] for b in bundled}
    if got != want:
        cl.die(f"{binary} printed runtime versions {got}, but the sources it was built from say {want}")


# ---------------------------------------------------------------------------------------------
# ELF checks (x86_64 fixtures only)


def has_interp(path: Path) -> bool:
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        cl.die(f"{path}: not a little-endian ELF64 file")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    return any(struct.unpack_from("<I", data, phoff + i * phentsize)[0] == 3 for i in range(phnum))  # PT_INTERP


def symbol_names(path: Path) -> set[str]:
    """Names of the symbols in .symtab and .dynsym (little-endian ELF64): what links_resolver is checked
    on. Not the file's bytes: OpenSSL 1.1.1's libcrypto carries "getaddrinfo" as data (the function-name
    table of crypto/err/err.c) without linking getaddrinfo."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        cl.die(f"{path}: not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    shdrs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names = set()
    for _, sh_type, _, _, off, size, link, _, _, entsize in shdrs:
        if sh_type not in (2, 11) or not entsize:  # SHT_SYMTAB, SHT_DYNSYM
            continue
        str_off, str_size = shdrs[link][4], shdrs[link][5]
        strtab = data[str_off:str_off + str_size]
        for i in range(size // entsize):
            n, = struct.unpack_from("<I", data, off + i * entsize)
            if n:
                names.add(strtab[n:strtab.index(b"\0", n)].decode("latin-1"))
    return names


def check_elf(path: Path, stripped: bool, dynamic: bool) -> None:
    sections = deps.elf_section_names(path)
    if (".symtab" not in sections) != stripped:
        cl.die(f"{path}: .symtab {'present' if stripped else 'missing'}, but the fixture is meant to be "
               f"{'stripped' if stripped else 'unstripped'}")
    if has_interp(path) != dynamic:
        cl.die(f"{path}: PT_INTERP {'missing' if dynamic else 'present'}, but the fixture is meant to be "
               f"{'dynamic' if dynamic else 'static'}")
    if any(re.fullmatch(r"getaddrinfo(@.*)?", n) for n in symbol_names(path)):
        cl.die(f"{path} links getaddrinfo, but its truth says links_resolver=false")


# ---------------------------------------------------------------------------------------------
# Rust


def build_env(base: dict) -> dict:
    env = {k: v for k, v in base.items() if k not in CC_ENV_NAMES and not k.startswith(CC_ENV_PREFIXES)}
    return env


def crate_dirs(manifest_dir: Path) -> dict[tuple[str, str], Path]:
    """(name, version) -> the package's source directory (cargo's registry source dir)."""
    p = cl.run(["rustup", "run", TOOLCHAIN, "cargo", "metadata", "--locked", "--format-version", "1",
                "--manifest-path", manifest_dir / "Cargo.toml"], env=deps.rustup_env())
    return {(pk["name"], pk["version"]): Path(pk["manifest_path"]).parent for pk in json.loads(p.stdout)["packages"]}


def rust_bundled(manifest_dir: Path, crates: list[dict], sys_crates: dict) -> tuple[list[dict], dict[str, Path]]:
    """("bundled" truth, crate name -> its source directory) for sys_crates (SYS_CRATES / OPENSSL_CRATES)."""
    dirs = crate_dirs(manifest_dir)
    out, src_dirs = [], {}
    for name, (library, reader, meta_re) in sys_crates.items():
        locked = [c for c in crates if c["name"] == name]
        kind = BUNDLING_CRATE_KIND.get(name, "normal")
        if len(locked) != 1 or locked[0]["kind"] != kind:
            cl.die(f"{manifest_dir / 'Cargo.lock'}: expected {name} once, of kind {kind}; got {locked}")
        ver = locked[0]["version"]
        d = dirs.get((name, ver))
        if d is None or not d.is_dir():
            cl.die(f"no source directory for {name} {ver} (cargo metadata: {d})")
        lib_ver = reader(d)
        if meta_re:
            m = re.search(meta_re, ver)
            if not m or m.group(1) != lib_ver:
                cl.die(f"{name} {ver}: build metadata does not match {library} {lib_ver} in {d}")
        out.append({"library": library, "version": lib_ver, "via": "rust-crate", "crate": name,
                    "crate_version": ver})
        src_dirs[name] = d
    return sorted(out, key=lambda b: b["library"]), src_dirs


def rust_fixtures(out_root: Path) -> tuple[list[dict], int, int]:
    info = deps.ensure_rust()
    auditable_exe = deps.ensure_cargo_auditable(info)
    deps.need("musl-gcc")  # Debian musl-tools: the C compiler for the musl target
    for tool in ("perl", "make"):  # openssl-src runs OpenSSL's Configure (perl) and make
        deps.need(tool)
    cargo = cl.run(["rustup", "which", "--toolchain", TOOLCHAIN, "cargo"]).stdout.strip()
    strip_ver = cl.run(["strip", "--version"]).stdout.splitlines()[0]
    cc_ver = cl.run(["cc", "--version"]).stdout.splitlines()[0]
    musl_tools = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "musl-tools"], capture_output=True, text=True)
    musl_cc = (f"musl-tools {musl_tools.stdout.strip()}" if musl_tools.returncode == 0 else "musl-gcc") + \
        " " + cl.run(["musl-gcc", "--version"]).stdout.splitlines()[0]
    tdir = cl.tools_dir() / "cargo-target" / GROUP
    base_env = {**build_env(deps.rustup_env()), "CARGO_TARGET_DIR": str(tdir), "CARGO": cargo, **CARGO_OPT_ENV,
                "CC_x86_64_unknown_linux_musl": "musl-gcc"}

    per_set = {}
    for pin_set, (mdir, _, pdir) in PIN_SETS.items():
        src_hash = deps.digest(cl.CORPUS_SRC.parent, [str(p.relative_to(cl.CORPUS_SRC.parent)) for p in
                                                      (mdir / "Cargo.toml", mdir / "Cargo.lock", pdir / "src" / "main.rs")])
        per_set[pin_set] = {"hash": src_hash}

    fixtures, built, skipped = [], 0, 0
    for pin_set, target, short, libc, flavours in RUST_BUILDS:
        mdir, bin_name, pdir = PIN_SETS[pin_set]
        is_openssl = pdir == OPENSSL_SRC
        root_pkg, crates = deps.lock_crates(target, mdir)
        bundled, src_dirs = rust_bundled(mdir, crates, OPENSSL_CRATES if is_openssl else SYS_CRATES)
        spec = deps.target_spec(target)
        linkage = deps.rust_linkage(spec)
        truth = {**X86_64, "linkage": linkage, "libc_family": libc}
        if libc == "musl":
            truth.update(deps.musl_version_truth(target))
        truth.update({"toolchain": "rustc", "toolchain_version": TOOLCHAIN, "rustc_version": TOOLCHAIN,
                      "rustc_commit": info["commit-hash"], "links_resolver": False, "comment_stripped": False,
                      "root_package": root_pkg, "crates": crates,
                      "cargo_lock": str((mdir / "Cargo.lock").relative_to(cl.CORPUS_SRC.parent)),
                      "bundled": bundled})
        if is_openssl:
            # the whole version line, the SHA-256 of "abc" (FIPS 180-2) and the SSL_CTX
            want_lines = [f"openssl: {openssl_version_text(src_dirs['openssl-src'])}\n",
                          "sha256(abc): ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n",
                          "ssl-ctx: ok\n"]
            extra_env = OPENSSL_CFLAGS_ENV if libc == "musl" else {}
        else:
            want_lines = [f"sqlite-query: sqlite_version()={next(b['version'] for b in bundled if b['library'] == 'sqlite')}",
                          "roundtrips: ok"]
            extra_env = {}
        rel_dir = Path(f"rust-{TOOLCHAIN}") / short
        out = out_root / rel_dir
        for flavour in flavours:
            auditable = flavour == "auditable"
            names = [f"{bin_name}.{flavour}"]
            if flavour == "plain" and libc == "musl":
                names.append(f"{bin_name}.{flavour}.stripped")
            key = deps.key_of(RECIPE_VERSION, per_set[pin_set]["hash"], info, target, flavour,
                              deps.CARGO_AUDITABLE if auditable else "", CARGO_OPT_ENV,
                              musl_cc if libc == "musl" else cc_ver, strip_ver if len(names) > 1 else "", truth,
                              *([extra_env] if extra_env else []))
            stamp = out / f".{bin_name}.{flavour}.stamp"
            if deps.fresh(stamp, key, [out / n for n in names]):
                skipped += 1
            else:
                cl.log(f"cargo +{TOOLCHAIN} {'auditable ' if auditable else ''}build --release --locked "
                       f"--target {target} ({pin_set} pins: {', '.join(b['crate'] + ' ' + b['crate_version'] for b in bundled)})")
                out.mkdir(parents=True, exist_ok=True)
                for n in names:
                    (out / n).unlink(missing_ok=True)
                stamp.unlink(missing_ok=True)
                sub = [auditable_exe, "auditable", "build"] if auditable else [cargo, "build"]
                cl.run(["rustup", "run", TOOLCHAIN, *sub, "--release", "--locked", "--target", target,
                        "--manifest-path", mdir / "Cargo.toml"], env={**base_env, **extra_env})
                binary = tdir / target / "release" / bin_name
                if not binary.is_file():
                    cl.die(f"cargo build produced no {binary}")
                if (".dep-v0" in deps.elf_section_names(binary)) != auditable:
                    cl.die(f"{flavour}: .dep-v0 section {'missing' if auditable else 'present'} in {binary}")
                check_elf(binary, stripped=False, dynamic=linkage == "dynamic")
                check_smoke(binary, bundled, want_lines)
                shutil.copy2(binary, out / names[0])
                if len(names) > 1:
                    shutil.copy2(binary, out / names[1])
                    cl.run(["strip", out / names[1]])
                    check_elf(out / names[1], stripped=True, dynamic=linkage == "dynamic")
                    check_smoke(out / names[1], bundled, want_lines)
                stamp.write_text(key + "\n")
                built += 1
            how = (f"rustup {TOOLCHAIN}; {' '.join(f'{k}={v}' for k, v in CARGO_OPT_ENV.items())} "
                   + ("CC_x86_64_unknown_linux_musl=musl-gcc " if libc == "musl" else "")
                   + "".join(f"{k}={v} " for k, v in extra_env.items())
                   + f"cargo +{TOOLCHAIN} "
                   + (f"auditable (cargo-auditable {deps.CARGO_AUDITABLE}) " if auditable else "")
                   + f"build --release --locked --target {target} {mdir.relative_to(cl.CORPUS_SRC.parent)}")
            base = f"bundledsys-rust-{pin_set}-{TOOLCHAIN}-{short}-{flavour}"
            fixtures += deps.build_entries(base, rel_dir, names, how, truth, auditable)
    return fixtures, built, skipped


# ---------------------------------------------------------------------------------------------
# Go


def go_env() -> dict:
    gopath = cl.tools_dir() / "gopath-bundledsys"
    env = {k: v for k, v in os.environ.items()
           if k not in ("GOARCH", "GOARM", "GOAMD64", "GOFLAGS", "GOPATH", "GOMODCACHE", "GOROOT", "GOBIN", "CC",
                        "CXX", "GOEXPERIMENT", "GO386", "GOWORK")
           and not k.startswith("CGO_")}
    env.update({"GOCACHE": str(cl.tools_dir() / "go-build-cache-bundledsys"), "GOPATH": str(gopath),
                "GOMODCACHE": str(gopath / "pkg" / "mod"), "GOTOOLCHAIN": "local", "GO111MODULE": "on",
                "GOOS": "linux", "GOARCH": "amd64", "GOWORK": "off", "CGO_ENABLED": "1", "CGO_CFLAGS": CGO_CFLAGS,
                "GOFLAGS": "-mod=mod"})
    return env


def go_fixtures(out_root: Path) -> tuple[list[dict], int, int]:
    go = deps.go_bin()
    m = re.search(r"\bgo version (go\d+\.\d+(?:\.\d+)?)\s", cl.run([go, "version"]).stdout)
    if not m:
        cl.die("cannot read the Go version from `go version`")
    go_version = m.group(1)
    goroot = cl.run([go, "env", "GOROOT"]).stdout.strip()
    gcc_ver = cl.run(["gcc", "--version"]).stdout.splitlines()[0]
    libc_dev = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libc6-dev"], capture_output=True, text=True)
    if libc_dev.returncode != 0:
        cl.die("libc6-dev is not installed (needed for the cgo fixtures)")
    gcc_ver += " libc6-dev " + libc_dev.stdout.strip()
    env = go_env()
    main_go = GO_SRC / "main.go"
    rel_root = Path(f"go-{go_version[2:]}") / "amd64-cgo"
    fixtures, built, skipped = [], 0, 0
    for modver in GO_VERSIONS:
        pin = GO_SRC / modver
        gomod, gosum = (pin / "go.mod").read_text(), (pin / "go.sum").read_text()
        mm = re.search(r"^module\s+(\S+)", gomod, re.M)
        if not mm:
            cl.die(f"{pin / 'go.mod'}: no module line")
        main_path = mm.group(1)
        if not re.search(rf"^\s*(require\s+)?{re.escape(GO_MODULE)}\s+{re.escape(modver)}\s*$", gomod, re.M):
            cl.die(f"{pin / 'go.mod'} does not require {GO_MODULE} {modver}")
        sums = dict(((p, v), h) for p, v, h in (line.split() for line in gosum.splitlines() if line.strip()))
        if (GO_MODULE, modver) not in sums or (GO_MODULE, modver + "/go.mod") not in sums:
            cl.die(f"{pin / 'go.sum'} has no entries for {GO_MODULE} {modver}")
        if len(sums) != 2:
            cl.die(f"{pin / 'go.sum'}: expected only {GO_MODULE} {modver}, got {sorted(sums)}")
        # A copy in the cache to build from: -mod=mod may rewrite go.mod / go.sum, never the clone's.
        bdir = cl.tools_dir() / "bundledsys-go-src" / modver
        bdir.mkdir(parents=True, exist_ok=True)
        for f in (main_go, pin / "go.mod", pin / "go.sum"):
            if not (bdir / f.name).is_file() or (bdir / f.name).read_bytes() != f.read_bytes():
                shutil.copy2(f, bdir / f.name)
        # Fetches the module through the module proxy into GOMODCACHE unless it is there already.
        dl = json.loads(cl.run([go, "mod", "download", "-json", f"{GO_MODULE}@{modver}"], cwd=bdir, env=env).stdout)
        if dl.get("Error") or dl.get("Sum") != sums[(GO_MODULE, modver)] or not dl.get("Dir"):
            cl.die(f"go mod download {GO_MODULE}@{modver}: {dl} (go.sum has {sums[(GO_MODULE, modver)]})")
        moddir = Path(dl["Dir"])
        lib_ver = header_define(moddir / "sqlite3-binding.h", "SQLITE_VERSION")
        bundled = [{"library": "sqlite", "version": lib_ver, "via": "go-module", "module": GO_MODULE,
                    "module_version": modver}]
        modules = [{"path": GO_MODULE, "version": modver, "replace": None, "go_sum": sums[(GO_MODULE, modver)],
                    "sum": sums[(GO_MODULE, modver)]}]
        src_hash = deps.digest(cl.CORPUS_SRC.parent, [str(p.relative_to(cl.CORPUS_SRC.parent)) for p in
                                                      (main_go, pin / "go.mod", pin / "go.sum")])
        for flavour, flags in GO_FLAVOURS:
            stripped = any(f.startswith("-ldflags=-s") for f in flags)
            rel = rel_root / f"bundled-go-{modver}.{flavour}"
            out = out_root / rel
            vm = out.with_name(out.name + ".go-version-m.txt")
            build = {"GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "1", "CGO_CFLAGS": CGO_CFLAGS, "-mod": "mod",
                     "-trimpath": False,
                     "-ldflags": next((f.split("=", 1)[1] for f in flags if f.startswith("-ldflags=")), None)}
            truth = {**X86_64, "linkage": "dynamic", "libc_family": "glibc", "stripped": stripped,
                     "toolchain": "go", "toolchain_version": go_version[2:], "go_version": go_version,
                     "links_resolver": False, "go_main": main_path, "go_main_version": "(devel)", "go_build": build,
                     "go_modules": modules, "bundled": bundled}
            key = deps.key_of(RECIPE_VERSION, src_hash, go_version, goroot, flags, gcc_ver, truth)
            stamp = out.with_name(out.name + ".stamp")
            if deps.fresh(stamp, key, [out, vm]):
                skipped += 1
            else:
                cl.log(f"go build -mod=mod CGO_ENABLED=1 CGO_CFLAGS='{CGO_CFLAGS}' {' '.join(flags) + ' ' if flags else ''}"
                       f"({GO_MODULE} {modver})")
                out.parent.mkdir(parents=True, exist_ok=True)
                out.unlink(missing_ok=True)
                stamp.unlink(missing_ok=True)
                cl.run([go, "build", "-buildvcs=false", *flags, "-o", out, "."], cwd=bdir, env=env)
                for f in ("go.mod", "go.sum"):
                    if (bdir / f).read_bytes() != (pin / f).read_bytes():
                        cl.die(f"go build changed {f} (in {bdir}): {pin / f} is not what Go itself "
                               "produces for this program; regenerate it with `go mod tidy`")
                check_elf(out, stripped=stripped, dynamic=True)
                check_smoke(out, bundled, [f"sqlite: {lib_ver}"])
                # Relative name: the first line ("<file>: go1.x") does not depend on the cache dir.
                vm.write_text(cl.run([go, "version", "-m", out.name], cwd=out.parent).stdout)
                if f"\tdep\t{GO_MODULE}\t{modver}\t{sums[(GO_MODULE, modver)]}" not in vm.read_text():
                    cl.die(f"{out}: `go version -m` does not list {GO_MODULE} {modver} with its go.sum hash")
                stamp.write_text(key + "\n")
                built += 1
            flag_txt = " ".join(f"'{f}'" if " " in f else f for f in flags)
            how = (f"go ({go_version}): CGO_ENABLED=1 CGO_CFLAGS='{CGO_CFLAGS}' GOFLAGS=-mod=mod go build "
                   f"-buildvcs=false {flag_txt + ' ' if flags else ''}corpus/src/bundled-go "
                   f"(go.mod, go.sum of corpus/src/bundled-go/{modver})")
            fixtures.append({"id": f"bundledsys-go-{go_version[2:]}-amd64-cgo-sqlite3-{modver}-{flavour}",
                             "path": str(rel), "recipe": how, "real_world": False,
                             "go_version_m": f"{GROUP}/{rel}.go-version-m.txt", "truth": truth})
    return fixtures, built, skipped


def main() -> None:
    out_root = cl.corpus_dir() / GROUP
    out_root.mkdir(parents=True, exist_ok=True)
    rf, rb, rs = rust_fixtures(out_root)
    gf, gb, gs = go_fixtures(out_root)
    m = cl.write_manifest(GROUP, rf + gf)
    cl.log(f"{GROUP}: {len(rf) + len(gf)} fixtures ({rb + gb} builds done, {rs + gs} up to date) -> {m}")


if __name__ == "__main__":
    main()
