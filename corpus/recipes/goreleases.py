#!/usr/bin/env python3
"""Go fixtures built by several Go releases: corpus/src/go-hello by go1.20.14, go1.22.12,
go1.24.13, go1.26.8 and go1.27.3 for amd64 and arm64, and by go1.26.8 for arm (GOARM=7) and
386 too; each plain and `-ldflags=-s -w`, CGO_ENABLED=0.

The toolchains come from the Go module proxy as the go command fetches them itself
(`GOTOOLCHAIN=goX.Y.Z`: module golang.org/toolchain, checked against the checksum database),
into a module cache under the binsight cache (tools/go-toolchains); no toolchain is installed.
Builds use GOFLAGS=-mod=mod, GOWORK=off, a build cache under the binsight cache, and no module
downloads (go-hello has no dependencies).

Truth: machine, class, endian, linkage "static" (Go's internal linker, no cgo), libc_family
"none", stripped (`-s`), toolchain "go", go_version (what the toolchain's own `go version`
says: the release the recipe asked for, checked), links_resolver false (pure-Go resolver).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import corpuslib as cl  # noqa: E402

GROUP = "goreleases"
RECIPE_VERSION = "goreleases-recipe-1"
SRC = cl.CORPUS_SRC / "src" / "go-hello"

ARCHES = {"amd64": ("x86_64", 64, {}), "arm64": ("aarch64", 64, {}),
          "arm": ("arm", 32, {"GOARM": "7"}), "386": ("i386", 32, {"GO386": "sse2"})}
# (release, arches)
RELEASES = [("go1.20.14", ["amd64", "arm64"]), ("go1.22.12", ["amd64", "arm64"]),
            ("go1.24.13", ["amd64", "arm64"]), ("go1.26.8", ["amd64", "arm64", "arm", "386"]),
            ("go1.27.3", ["amd64", "arm64"])]
FLAVOURS = [("plain", [], False), ("sw", ["-ldflags=-s -w"], True)]


def main() -> None:
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not Path(go).exists():
        cl.die("'go' not found: the machine's Go (any release) fetches the pinned ones")
    proxy = cl.run([go, "env", "GOPROXY"]).stdout.strip()
    base = {**os.environ, "GOMODCACHE": str(cl.tools_dir() / "go-toolchains"),
            "GOCACHE": str(cl.tools_dir() / "go-build-cache-releases"),
            "GOPATH": str(cl.tools_dir() / "gopath-releases"), "GOPROXY": proxy,
            "GOFLAGS": "-mod=mod", "GOWORK": "off", "GO111MODULE": "on", "GOOS": "linux",
            "CGO_ENABLED": "0"}
    for k in ("GOARCH", "GOARM", "GO386", "GOAMD64", "CC"):
        base.pop(k, None)
    src = hashlib.sha256(b"".join((SRC / f).read_bytes() for f in ("go.mod", "main.go"))).hexdigest()
    out_root = cl.corpus_dir() / GROUP
    fixtures, built = [], 0
    for release, arches in RELEASES:
        env = {**base, "GOTOOLCHAIN": release}
        v = re.search(r"\bgo version (go[0-9.]+) ", cl.run([go, "version"], env=env, cwd=SRC).stdout)
        if not v or v.group(1) != release:
            cl.die(f"GOTOOLCHAIN={release}: `go version` says {v.group(1) if v else 'nothing'}")
        for goarch in arches:
            machine, bits, extra = ARCHES[goarch]
            for name, flags, stripped in FLAVOURS:
                rel = Path(release) / goarch / f"hello.{name}"
                out = out_root / rel
                truth = {"machine": machine, "class": bits, "endian": "little", "linkage": "static",
                         "libc_family": "none", "stripped": stripped, "toolchain": "go",
                         "toolchain_version": release[2:], "go_version": release, "links_resolver": False}
                key = hashlib.sha256(json.dumps([RECIPE_VERSION, src, release, goarch, extra, flags, truth],
                                                sort_keys=True).encode()).hexdigest()
                stamp = out.with_name(out.name + ".stamp")
                if not (stamp.is_file() and stamp.read_text().strip() == key and out.is_file()):
                    cl.log(f"GOTOOLCHAIN={release} GOARCH={goarch} go build {' '.join(flags)}")
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.unlink(missing_ok=True)
                    cl.run([go, "build", "-buildvcs=false", *flags, "-o", out, "."], cwd=SRC,
                           env={**env, "GOARCH": goarch, **extra})
                    stamp.write_text(key + "\n")
                    built += 1
                envs = " ".join(["CGO_ENABLED=0", f"GOARCH={goarch}"] + [f"{k}={x}" for k, x in extra.items()])
                fixtures.append({
                    "id": f"goreleases-{release[2:]}-{goarch}-hello-{name}", "path": str(rel),
                    "recipe": f"GOTOOLCHAIN={release} {envs} go build -buildvcs=false "
                              f"{' '.join(flags) + ' ' if flags else ''}corpus/src/go-hello",
                    "real_world": False, "truth": truth})
    m = cl.write_manifest(GROUP, fixtures)
    cl.log(f"{GROUP}: {len(fixtures)} fixtures ({built} built) -> {m}")


if __name__ == "__main__":
    main()
