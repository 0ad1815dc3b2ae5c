#!/usr/bin/env python3
"""Go fixtures: corpus/src/go-hello built by Debian's golang-go (bookworm: Go 1.19).

What each fixture is comes from how it was built:
- CGO_ENABLED=0: Go's own runtime and resolver, no libc at all (libc_family "none"), linked
  statically by Go's internal linker as a non-PIE executable (the default -buildmode=exe on
  linux/amd64, arm64 and arm). net.LookupHost uses the pure-Go resolver, so no getaddrinfo.
- CGO_ENABLED=1 (amd64 only): linked by the host gcc against the host glibc, dynamically;
  net.LookupHost goes through libc's getaddrinfo.
- -ldflags='-s -w': no symbol table (stripped) and no DWARF.
- go_version: `go version` of the go used.
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

GROUP = "go"
RECIPE_VERSION = "go-recipe-1"  # bump to force a rebuild of every fixture
SRC = cl.CORPUS_SRC / "src" / "go-hello"

ARCHES = {
    # GOARCH: (machine, class, extra env)
    "amd64": ("x86_64", 64, {}),
    "arm64": ("aarch64", 64, {}),
    "arm": ("arm", 32, {"GOARM": "7"}),
}

# (name, go build flags, stripped)
FLAVOURS = [
    ("plain", [], False),
    ("sw", ["-ldflags=-s -w"], True),
    ("trimpath", ["-trimpath"], False),
]


def go_bin() -> str:
    go = shutil.which("go")
    if go is None and os.geteuid() == 0 and shutil.which("apt-get"):
        cl.log("go not found: apt-get install -y golang-go")
        cl.run(["apt-get", "install", "-y", "golang-go"],
               env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        go = shutil.which("go")
    if go is None:
        cl.die("'go' not found (the go group needs Debian's golang-go: apt-get install golang-go)")
    return go


def source_digest() -> str:
    h = hashlib.sha256()
    for rel in ("go.mod", "main.go"):
        h.update(rel.encode() + b"\0" + (SRC / rel).read_bytes() + b"\0")
    return h.hexdigest()


def main() -> None:
    go = go_bin()
    m = re.search(r"\bgo version (go\d+\.\d+(?:\.\d+)?)\s", cl.run([go, "version"]).stdout)
    if not m:
        cl.die("cannot read the Go version from `go version`")
    go_version = m.group(1)
    goroot = cl.run([go, "env", "GOROOT"]).stdout.strip()
    src_hash = source_digest()
    out_root = cl.corpus_dir() / GROUP
    out_root.mkdir(parents=True, exist_ok=True)

    base_env = {**os.environ,
                "GOCACHE": str(cl.tools_dir() / "go-build-cache"),
                "GOPATH": str(cl.tools_dir() / "gopath"),
                "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOTOOLCHAIN": "local",
                "GO111MODULE": "on", "GOOS": "linux", "GOWORK": "off"}
    for k in ("GOARCH", "GOARM", "CGO_ENABLED", "CC", "CGO_CFLAGS", "CGO_LDFLAGS", "GOAMD64"):
        base_env.pop(k, None)

    builds = []  # (goarch, cgo, flavour name, flags, stripped)
    for goarch in ARCHES:
        for name, flags, stripped in FLAVOURS:
            builds.append((goarch, False, name, flags, stripped))
    builds.append(("amd64", True, "plain", [], False))
    builds.append(("amd64", True, "sw", ["-ldflags=-s -w"], True))

    cc_ver = ""
    fixtures = []
    built = skipped = 0
    for goarch, cgo, name, flags, stripped in builds:
        machine, bits, extra = ARCHES[goarch]
        if cgo and not cc_ver:
            if shutil.which("gcc") is None:
                cl.die("gcc not found: needed for the CGO_ENABLED=1 Go fixture")
            cc_ver = cl.run(["gcc", "--version"]).stdout.splitlines()[0]
            p = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libc6-dev"],
                               capture_output=True, text=True)
            if p.returncode != 0:
                cl.die("libc6-dev is not installed (needed for the cgo Go fixture)")
            cc_ver += " libc6-dev " + p.stdout.strip()
        env = {**base_env, "GOARCH": goarch, "CGO_ENABLED": "1" if cgo else "0", **extra}
        tag = f"{goarch}{'v7' if goarch == 'arm' else ''}-{'cgo' if cgo else 'nocgo'}"
        rel = Path(go_version) / tag / f"hello.{name}"
        out = out_root / rel
        truth = {"machine": machine, "class": bits, "endian": "little",
                 "linkage": "dynamic" if cgo else "static",
                 "libc_family": "glibc" if cgo else "none",
                 "stripped": stripped,
                 "toolchain": "go", "toolchain_version": go_version[2:], "go_version": go_version,
                 "links_resolver": cgo}
        key = hashlib.sha256(json.dumps(
            [RECIPE_VERSION, src_hash, go_version, goroot, goarch, extra, cgo, flags,
             cc_ver if cgo else "", truth], sort_keys=True).encode()).hexdigest()
        stamp = out.with_name(out.name + ".stamp")
        if stamp.is_file() and stamp.read_text().strip() == key and out.is_file():
            skipped += 1
        else:
            cl.log(f"go build GOARCH={goarch} CGO_ENABLED={int(cgo)} {' '.join(flags)}")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.unlink(missing_ok=True)
            cl.run([go, "build", "-buildvcs=false", *flags, "-o", out, "."], cwd=SRC, env=env)
            stamp.write_text(key + "\n")
            built += 1
        envs = " ".join([f"CGO_ENABLED={int(cgo)}", f"GOARCH={goarch}"] +
                        [f"{k}={v}" for k, v in extra.items()])
        flag_txt = " ".join(f"'{f}'" if " " in f else f for f in flags)
        fixtures.append({
            "id": f"go-{go_version[2:]}-{tag}-hello-{name}",
            "path": str(rel),
            "recipe": f"Debian golang-go ({go_version}): {envs} go build -buildvcs=false "
                      f"{flag_txt + ' ' if flags else ''}corpus/src/go-hello",
            "real_world": False,
            "truth": truth})

    m = cl.write_manifest(GROUP, fixtures)
    cl.log(f"{GROUP}: {len(fixtures)} fixtures ({built} builds done, {skipped} up to date) -> {m}")


if __name__ == "__main__":
    main()
