#!/usr/bin/env python3
"""Rust fixtures: corpus/src/rust-hello built by several rustup toolchains.

Toolchains and targets come from rustup only (`--profile minimal`). What each fixture is comes
from how it was built:
- musl version: the one the toolchain bundles (Rust < 1.71: 1.1.24; 1.71-1.92: 1.2.3;
  >= 1.93: 1.2.5; rust-lang blog "Updating Rust's Linux musl targets" and the 1.2.5 update),
  cross-checked against the version string compiled into the self-contained libc.a that
  rustup installed (musl's version.lo); on disagreement the version is left out.
- glibc version (static gnu builds): the host's libc6-dev, whose libc.a is linked.
- linkage: rustc's target spec (crt-static-default, static-position-independent-executables,
  position-independent-executables) and the flags passed.
- rustc version and commit: `rustc -vV` of the toolchain used.

Which toolchain has which target is limited by what rustup can install here: 1.69.0 has no
armv7 musl std, so armv7 fixtures come from 1.85.0 and 1.93.0 only.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import corpuslib as cl  # noqa: E402

GROUP = "rust"
RECIPE_VERSION = "rust-recipe-1"  # bump to force a rebuild of every fixture
SRC = cl.CORPUS_SRC / "src" / "rust-hello"

MUSL_X86_64 = "x86_64-unknown-linux-musl"
MUSL_AARCH64 = "aarch64-unknown-linux-musl"
MUSL_ARMV7 = "armv7-unknown-linux-musleabihf"
GNU_X86_64 = "x86_64-unknown-linux-gnu"

TARGETS = {
    # triple: (machine, class, short name, linker override; None = rustc's default `cc`)
    MUSL_X86_64: ("x86_64", 64, "x86_64-musl", None),
    MUSL_AARCH64: ("aarch64", 64, "aarch64-musl", "rust-lld"),
    MUSL_ARMV7: ("arm", 32, "armv7-musleabihf", "rust-lld"),
    GNU_X86_64: ("x86_64", 64, "x86_64-gnu", None),
}

# Builds: (toolchain, target, variant). Variants:
#   static-musl: the musl target's default (crt-static)
#   nopie:       musl with -C relocation-model=static (static, not static-pie)
#   gnu-static:  x86_64 gnu with -C target-feature=+crt-static (static glibc from the host)
#   gnu-dynamic: x86_64 gnu, default (dynamic glibc)
# Each build yields hello (unstripped), hello.stripped (`strip`) and, where comment=True,
# hello.nocomment (`strip -R .comment`).
BUILDS = [
    ("1.69.0", MUSL_X86_64, "static-musl", True),
    ("1.69.0", MUSL_AARCH64, "static-musl", False),
    ("1.69.0", GNU_X86_64, "gnu-static", False),
    ("1.85.0", MUSL_X86_64, "static-musl", True),
    ("1.85.0", MUSL_AARCH64, "static-musl", True),
    ("1.85.0", MUSL_ARMV7, "static-musl", False),
    ("1.93.0", MUSL_X86_64, "static-musl", True),
    ("1.93.0", MUSL_X86_64, "nopie", False),
    ("1.93.0", MUSL_AARCH64, "static-musl", False),
    ("1.93.0", MUSL_ARMV7, "static-musl", True),
    ("1.93.0", GNU_X86_64, "gnu-static", True),
    ("1.95.0", MUSL_X86_64, "static-musl", False),
    ("1.95.0", MUSL_AARCH64, "static-musl", False),
    ("1.95.0", GNU_X86_64, "gnu-static", False),
    ("1.95.0", GNU_X86_64, "gnu-dynamic", False),
]

RUSTFLAGS = {
    "static-musl": [],
    "nopie": ["-C", "relocation-model=static"],
    "gnu-static": ["-C", "target-feature=+crt-static"],
    "gnu-dynamic": [],
}


def vtuple(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def documented_musl(version: str) -> str:
    """musl bundled by a Rust release on its *-linux-musl targets, per Rust's announcements."""
    v = vtuple(version)
    if v < (1, 71):
        return "1.1.24"
    if v < (1, 93):
        return "1.2.3"
    return "1.2.5"


# ---------------------------------------------------------------------------------------------
# rustup


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        cl.die(f"'{tool}' not found on PATH (needed by the {GROUP} group)")


def installed_toolchains() -> set[str]:
    out = cl.run(["rustup", "toolchain", "list"]).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def ensure_toolchain(ver: str, targets: set[str], have: set[str]) -> None:
    host = f"{ver}-{GNU_X86_64}"
    if host not in have and ver not in have:
        cl.log(f"rustup toolchain install {ver} --profile minimal")
        cl.run(["rustup", "toolchain", "install", ver, "--profile", "minimal"])
    inst = set(cl.run(["rustup", "target", "list", "--installed", "--toolchain", ver]).stdout.split())
    missing = sorted(t for t in targets if t not in inst)
    if missing:
        cl.log(f"rustup target add --toolchain {ver} {' '.join(missing)}")
        p = subprocess.run(["rustup", "target", "add", "--toolchain", ver, *missing],
                           capture_output=True, text=True, env={**os.environ, "RUST_BACKTRACE": "0"})
        if p.returncode != 0:
            cl.die(f"rustup cannot install std for {missing} on {ver}:\n{p.stderr.strip()}")


def rustc_vv(ver: str) -> dict[str, str]:
    out = cl.run(["rustup", "run", ver, "rustc", "-vV"]).stdout
    info = {}
    for line in out.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            info[k.strip()] = v.strip()
    if info.get("release") != ver:
        cl.die(f"toolchain {ver}: rustc -vV reports release {info.get('release')!r}")
    return info


def target_spec(ver: str, target: str) -> dict:
    p = cl.run(["rustup", "run", ver, "rustc", "-Z", "unstable-options", "--print",
                "target-spec-json", "--target", target],
               env={**os.environ, "RUSTC_BOOTSTRAP": "1"})
    return json.loads(p.stdout)


def sysroot(ver: str) -> Path:
    return Path(cl.run(["rustup", "run", ver, "rustc", "--print", "sysroot"]).stdout.strip())


def bundled_musl(ver: str, target: str) -> str | None:
    """The version string compiled into the toolchain's self-contained libc.a (musl's version.lo)."""
    libc = sysroot(ver) / "lib" / "rustlib" / target / "lib" / "self-contained" / "libc.a"
    if not libc.is_file():
        cl.die(f"toolchain {ver} {target}: no self-contained libc.a at {libc}")
    body = cl.ar_member(libc, "version.lo") or cl.ar_member(libc, "version.o")
    if body is None:
        return None
    m = re.search(rb"\x00(\d+\.\d+\.\d+)\x00", body) or re.search(rb"(\d+\.\d+\.\d+)", body)
    return m.group(1).decode() if m else None


def host_glibc() -> str:
    p = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libc6-dev"], capture_output=True, text=True)
    m = re.match(r"(?:\d+:)?(\d+\.\d+)", p.stdout.strip())
    if p.returncode != 0 or not m:
        cl.die("libc6-dev is not installed (needed for the static glibc Rust fixtures): apt-get install libc6-dev")
    return m.group(1)


def tool_version(cmd: list[str]) -> str:
    return cl.run(cmd).stdout.splitlines()[0].strip()


# ---------------------------------------------------------------------------------------------


def source_digest() -> str:
    h = hashlib.sha256()
    for rel in ("Cargo.toml", "Cargo.lock", "src/main.rs", "src/bin/iconv.rs"):
        h.update(rel.encode() + b"\0" + (SRC / rel).read_bytes() + b"\0")
    return h.hexdigest()


def linkage(spec: dict, variant: str) -> str:
    if variant == "gnu-dynamic":
        return "dynamic"
    crt_static = variant in ("gnu-static", "static-musl", "nopie")
    if variant == "static-musl" and not spec.get("crt-static-default"):
        cl.die("musl target without crt-static-default: linkage unknown")
    if not crt_static:
        return "dynamic"
    pic = variant != "nopie" and spec.get("relocation-model", "pic") == "pic"
    if pic and spec.get("position-independent-executables") and \
            spec.get("static-position-independent-executables"):
        return "static-pie"
    return "static"


def main() -> None:
    for t in ("rustup", "strip", "cc"):
        need(t)
    out_root = cl.corpus_dir() / GROUP
    out_root.mkdir(parents=True, exist_ok=True)
    src_hash = source_digest()
    strip_ver = tool_version(["strip", "--version"])
    cc_ver = tool_version(["cc", "--version"])
    glibc = None

    have = installed_toolchains()
    want: dict[str, set[str]] = {}
    for ver, target, _, _ in BUILDS:
        want.setdefault(ver, set()).add(target)
    for ver, targets in want.items():
        ensure_toolchain(ver, targets - {GNU_X86_64}, have)

    fixtures = []
    built = skipped = 0
    infos: dict[str, dict] = {}
    for ver, target, variant, with_comment in BUILDS:
        info = infos.setdefault(ver, rustc_vv(ver))
        machine, bits, short, linker = TARGETS[target]
        spec = target_spec(ver, target)
        link = linkage(spec, variant)
        is_musl = target.endswith(("-musl", "-musleabihf"))

        truth = {"machine": machine, "class": bits, "endian": "little", "linkage": link,
                 "libc_family": "musl" if is_musl else "glibc"}
        if is_musl:
            doc = documented_musl(ver)
            got = bundled_musl(ver, target)
            if got == doc:
                truth["libc_version"] = doc
            else:
                cl.log(f"WARNING {ver} {target}: documented musl {doc} but the bundled libc.a "
                       f"says {got}; libc_version left out")
        elif link != "dynamic":
            glibc = glibc or host_glibc()
            truth["libc_version"] = glibc
        truth.update({"toolchain": "rustc", "toolchain_version": ver, "rustc_version": ver,
                      "rustc_commit": info["commit-hash"], "links_resolver": True})

        tag = {"static-musl": short, "nopie": f"{short}-nopie", "gnu-static": f"{short}-static",
               "gnu-dynamic": short}[variant]
        rel_dir = Path(ver) / tag
        out = out_root / rel_dir
        flags = RUSTFLAGS[variant]
        key = hashlib.sha256(json.dumps(
            [RECIPE_VERSION, src_hash, info, target, variant, flags, linker, strip_ver,
             cc_ver if linker is None else "", truth], sort_keys=True).encode()).hexdigest()
        names = ["hello", "hello.stripped"] + (["hello.nocomment"] if with_comment else [])
        if is_musl:
            names += ["iconv", "iconv.stripped"]
        stamp = out / ".stamp"
        if stamp.is_file() and stamp.read_text().strip() == key and all((out / n).is_file() for n in names):
            skipped += 1
        else:
            cl.log(f"cargo +{ver} build --release --target {target} ({variant})")
            if out.exists():
                shutil.rmtree(out)
            out.mkdir(parents=True)
            tdir = cl.tools_dir() / "cargo-target" / "rust-hello" / ver / tag
            env = {**os.environ, "CARGO_TARGET_DIR": str(tdir), "RUSTFLAGS": " ".join(flags),
                   "CARGO_INCREMENTAL": "0"}
            env.pop("RUSTC_WRAPPER", None)
            env.pop("CARGO_BUILD_TARGET", None)
            if linker:
                env[f"CARGO_TARGET_{target.upper().replace('-', '_')}_LINKER"] = linker
            cl.run(["rustup", "run", ver, "cargo", "build", "--release", "--locked", "--offline",
                    "--target", target, "--manifest-path", SRC / "Cargo.toml"], env=env)
            binary = tdir / target / "release" / "rust-hello"
            if not binary.is_file():
                cl.die(f"cargo build produced no {binary}")
            shutil.copy2(binary, out / "hello")
            shutil.copy2(binary, out / "hello.stripped")
            cl.run(["strip", out / "hello.stripped"])
            if with_comment:
                shutil.copy2(binary, out / "hello.nocomment")
                cl.run(["strip", "-R", ".comment", out / "hello.nocomment"])
            if is_musl:
                # src/bin/iconv.rs: links the C library's iconv (for the audit's applicability).
                ibin = tdir / target / "release" / "iconv"
                if not ibin.is_file():
                    cl.die(f"cargo build produced no {ibin}")
                shutil.copy2(ibin, out / "iconv")
                shutil.copy2(ibin, out / "iconv.stripped")
                cl.run(["strip", out / "iconv.stripped"])
            stamp.write_text(key + "\n")
            built += 1

        how = (f"rustup {ver} (--profile minimal); cargo +{ver} build --release --locked "
               f"--target {target}" + (f" RUSTFLAGS='{' '.join(flags)}'" if flags else "")
               + (f" -C linker={linker}" if linker else "") + " corpus/src/rust-hello")
        base = f"rust-{ver}-{tag}-hello"
        fixtures.append({"id": base, "path": str(rel_dir / "hello"), "recipe": how,
                         "real_world": False,
                         "truth": {**truth, "stripped": False, "comment_stripped": False}})
        fixtures.append({"id": f"{base}-stripped", "path": str(rel_dir / "hello.stripped"),
                         "recipe": how + "; strip", "real_world": False,
                         "truth": {**truth, "stripped": True, "comment_stripped": False}})
        if is_musl:
            itruth = {**truth, "links_resolver": False, "links_iconv": True}
            ibase = f"rust-{ver}-{tag}-iconv"
            fixtures.append({"id": ibase, "path": str(rel_dir / "iconv"), "recipe": how + " (bin iconv)",
                             "real_world": False,
                             "truth": {**itruth, "stripped": False, "comment_stripped": False}})
            fixtures.append({"id": f"{ibase}-stripped", "path": str(rel_dir / "iconv.stripped"),
                             "recipe": how + " (bin iconv); strip", "real_world": False,
                             "truth": {**itruth, "stripped": True, "comment_stripped": False}})
        if with_comment:
            fixtures.append({"id": f"{base}-nocomment", "path": str(rel_dir / "hello.nocomment"),
                             "recipe": how + "; strip -R .comment", "real_world": False,
                             "truth": {**truth, "stripped": True, "comment_stripped": True}})

    m = cl.write_manifest(GROUP, fixtures)
    cl.log(f"{GROUP}: {len(fixtures)} fixtures ({built} builds done, {skipped} up to date) -> {m}")


if __name__ == "__main__":
    main()
