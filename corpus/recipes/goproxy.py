#!/usr/bin/env python3
"""Real-world Go programs built from the Go module proxy at pinned versions, with the
dependency versions their own go.mod pins (old, with known advisories):

- github.com/rakyll/hey@v0.1.4 (an HTTP load generator; golang.org/x/net 2018-10 and
  golang.org/x/text v0.3.0): it calls x/net/http2's client and x/net/idna (advisories whose
  functions are linked) but not x/net/html (in the module, not in the binary). Go 1.20.14.
- filippo.io/age/cmd/age@v1.0.0 (file encryption; golang.org/x/crypto 2021-08, x/sys 2021-09,
  x/term, filippo.io/edwards25519 v1.0.0-rc.1): it parses SSH keys with x/crypto/ssh but never
  dials or serves SSH, so some x/crypto/ssh advisories' functions are linked and others not.
  Go 1.22.12 (age v1.0.0's go.mod says go 1.17).

Each is built as a user would install it, `go install MODULE/PKG@VERSION` (the module's own
go.mod and go.sum, every module checked against the checksum database), CGO_ENABLED=0, for
amd64 and arm64, plain and `-ldflags=-s -w`, by the Go release named above, which the go
command fetches itself (`GOTOOLCHAIN=goX.Y.Z`, as in the goreleases group). Module cache: the
binsight cache's tools/go-toolchains (shared with goreleases: toolchains are modules there);
build cache: tools/go-build-cache-releases, also goreleases' (the same releases compile the
same standard library for the same GOARCH: built once, not twice; a build cache changes only
how long a build takes).

Truth comes from the build, never from binsight:
- go_version: the release the recipe asked for, checked with that toolchain's `go version`.
- go_main / go_main_version: the module and version installed; go_build: the settings passed.
- go_modules: the modules that provide a package of the build, from `go list -deps` of the
  program's package, run by the same toolchain with the same GOOS/GOARCH/CGO_ENABLED in a copy
  of the module as the go command downloaded it (its go.mod must come out of `go list`
  unchanged: the requirements are exactly what `go install` used); `go_sum` and `sum` (what
  Go records for a build from the module cache) from `go mod download -json` (the hash the
  checksum database confirmed). No module is replaced (`go install pkg@version` refuses
  replace directives), so "replace" is null.
- machine, class, endian, linkage "static" (Go's internal linker, no cgo), libc_family
  "none", stripped (`-s`), toolchain "go", links_resolver false (pure-Go resolver).

The built file's `go version -m` output is saved beside it (manifest `go_version_m`, like the
deps group) and must list exactly the truth's modules, sums, main module and Go version.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import corpuslib as cl  # noqa: E402

GROUP = "goproxy"
RECIPE_VERSION = "goproxy-recipe-1"  # bump to force a rebuild of every fixture

# (short name, module, version, package inside the module, Go release)
PROGRAMS = [
    ("hey", "github.com/rakyll/hey", "v0.1.4", ".", "go1.20.14"),
    ("age", "filippo.io/age", "v1.0.0", "./cmd/age", "go1.22.12"),
]
ARCHES = {"amd64": ("x86_64", 64), "arm64": ("aarch64", 64)}
FLAVOURS = [("plain", []), ("sw", ["-ldflags=-s -w"])]


def go_env() -> tuple[str, dict]:
    """The machine's go command (it fetches the pinned releases) and the base environment."""
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not Path(go).exists():
        cl.die("'go' not found: the machine's Go (any release) fetches the pinned ones")
    proxy = cl.run([go, "env", "GOPROXY"]).stdout.strip()
    if proxy in ("", "off"):
        cl.die(f"GOPROXY is '{proxy}': the {GROUP} group downloads its programs from the Go module proxy")
    env = {**os.environ, "GOMODCACHE": str(cl.tools_dir() / "go-toolchains"),
           "GOCACHE": str(cl.tools_dir() / "go-build-cache-releases"), "GOPROXY": proxy,
           "GOWORK": "off", "GO111MODULE": "on", "GOOS": "linux", "CGO_ENABLED": "0"}
    for k in ("GOARCH", "GOARM", "GO386", "GOAMD64", "GOFLAGS", "GOPATH", "GOBIN", "CC", "GONOSUMDB",
              "GOPRIVATE", "GONOPROXY", "GOINSECURE", "GOSUMDB", "GOTOOLCHAIN"):
        env.pop(k, None)
    return go, env


def download(go: str, env: dict, mods: list[str]) -> dict[str, dict]:
    """`go mod download -json` of `path@version`s: {path@version: its JSON (Dir, Sum…)}."""
    p = subprocess.run([go, "mod", "download", "-json", *mods], env=env, capture_output=True, text=True,
                       cwd=tempfile.gettempdir())
    out, dec, text, i = {}, json.JSONDecoder(), p.stdout, 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        v, i = dec.raw_decode(text, i)
        if v.get("Error"):
            cl.die(f"go mod download {v.get('Path')}@{v.get('Version')}: {v['Error']}")
        out[f"{v['Path']}@{v['Version']}"] = v
    if p.returncode != 0 or len(out) != len(mods):
        cl.die(f"go mod download -json {' '.join(mods)} failed ({p.returncode}):\n{p.stderr}")
    return out


def linked_modules(go: str, env: dict, module: str, version: str, pkg: str, goarch: str) -> list[dict]:
    """The non-main modules providing a package of `pkg`'s build, with their go.sum hashes."""
    src = download(go, env, [f"{module}@{version}"])[f"{module}@{version}"]
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(src["Dir"], copy, ignore=shutil.ignore_patterns("vendor"))
        subprocess.run(["chmod", "-R", "u+w", str(copy)], check=True)
        gomod = (copy / "go.mod").read_text()
        fmt = "{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Replace}}{{end}}{{end}}"
        out = cl.run([go, "list", "-deps", "-f", fmt, pkg], cwd=copy,
                     env={**env, "GOARCH": goarch, "GOFLAGS": "-mod=mod"}).stdout
        if (copy / "go.mod").read_text() != gomod:
            cl.die(f"{module}@{version}: `go list` changed its go.mod: not the requirements `go install` uses")
    rows = sorted({tuple(line.split()) for line in out.splitlines() if line.strip()})
    for r in rows:
        if len(r) != 3 or r[2] != "<nil>":
            cl.die(f"{module}@{version}: unexpected module line from go list: {r}")
    sums = download(go, env, [f"{p}@{v}" for p, v, _ in rows])
    return [{"path": p, "version": v, "go_sum": sums[f"{p}@{v}"]["Sum"], "sum": sums[f"{p}@{v}"]["Sum"],
             "replace": None} for p, v, _ in rows]


def check_version_m(text: str, release: str, module: str, version: str, main_sum: str, mods: list[dict]) -> None:
    """The built file's `go version -m` must say what the truth says."""
    lines = [line.strip().split("\t") for line in text.splitlines()]
    if not lines or not lines[0][0].endswith(f": {release}"):
        cl.die(f"go version -m: {lines[0] if lines else 'nothing'} (want {release})")
    mod = [f[1:] for f in lines if f[0] == "mod"]
    deps = sorted(tuple(f[1:]) for f in lines if f[0] == "dep")
    want = sorted((m["path"], m["version"], m["sum"]) for m in mods)
    if mod != [[module, version, main_sum]] or deps != want or any(f[0] == "=>" for f in lines):
        cl.die(f"go version -m disagrees with the recipe's truth:\n{text}\nwant mod {module} {version} "
               f"{main_sum} and deps {want}")


def build_one(go: str, env: dict, prog: tuple, goarch: str, flags: list[str], out: Path) -> None:
    """`go install` into a private GOPATH, then move the binary to `out`."""
    name, module, version, pkg, _ = prog
    target = f"{module}/{pkg[2:]}@{version}" if pkg != "." else f"{module}@{version}"
    with tempfile.TemporaryDirectory() as gopath:
        cl.run([go, "install", *flags, target], env={**env, "GOPATH": gopath, "GOARCH": goarch}, cwd=gopath)
        native = cl.run([go, "env", "GOHOSTARCH"], env=env, cwd=gopath).stdout.strip() == goarch
        built = Path(gopath) / "bin" / ("" if native else f"linux_{goarch}") / name
        if not built.is_file():
            cl.die(f"go install {target} left no {built}")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.unlink(missing_ok=True)
        shutil.move(str(built), out)


def program_fixtures(go: str, base: dict, prog: tuple, out_root: Path) -> tuple[list[dict], int]:
    name, module, version, pkg, release = prog
    env = {**base, "GOTOOLCHAIN": release}
    v = re.search(r"\bgo version (go[0-9.]+) ", cl.run([go, "version"], env=env, cwd=tempfile.gettempdir()).stdout)
    if not v or v.group(1) != release:
        cl.die(f"GOTOOLCHAIN={release}: `go version` says {v.group(1) if v else 'nothing'}")
    main_sum = download(go, env, [f"{module}@{version}"])[f"{module}@{version}"]["Sum"]
    fixtures, built = [], 0
    for goarch, (machine, bits) in ARCHES.items():
        mods = linked_modules(go, env, module, version, pkg, goarch)
        for flavour, flags in FLAVOURS:
            rel = Path(f"{name}-{version}") / release / goarch / f"{name}.{flavour}"
            out = out_root / rel
            vm = out.with_name(out.name + ".go-version-m.txt")
            build = {"GOOS": "linux", "GOARCH": goarch, "CGO_ENABLED": "0", "-mod": "mod", "-trimpath": False,
                     "-ldflags": next((f.split("=", 1)[1] for f in flags if f.startswith("-ldflags=")), None)}
            truth = {"machine": machine, "class": bits, "endian": "little", "linkage": "static",
                     "libc_family": "none", "stripped": bool(flags), "toolchain": "go",
                     "toolchain_version": release[2:], "go_version": release, "links_resolver": False,
                     "go_main": module, "go_main_version": version, "go_build": build, "go_modules": mods}
            key = hashlib.sha256(json.dumps([RECIPE_VERSION, prog, goarch, flags, main_sum, truth],
                                            sort_keys=True).encode()).hexdigest()
            stamp = out.with_name(out.name + ".stamp")
            shown = f"{module}{'' if pkg == '.' else pkg[1:]}@{version}"
            how = f"go install {' '.join(repr(f) for f in flags) + ' ' if flags else ''}{shown}"
            if not (stamp.is_file() and stamp.read_text().strip() == key and out.is_file() and vm.is_file()):
                t0 = time.time()
                build_one(go, env, prog, goarch, flags, out)
                cl.log(f"GOTOOLCHAIN={release} GOARCH={goarch} {how}: {time.time() - t0:.0f}s")
                # Relative name: the first line does not depend on the cache dir.
                text = cl.run([go, "version", "-m", out.name], cwd=out.parent, env=base).stdout
                check_version_m(text, release, module, version, main_sum, mods)
                vm.write_text(text)
                stamp.write_text(key + "\n")
                built += 1
            fixtures.append({
                "id": f"goproxy-{name}-{version}-{release[2:]}-{goarch}-{flavour}", "path": str(rel),
                "recipe": f"GOTOOLCHAIN={release} CGO_ENABLED=0 GOARCH={goarch} {how}",
                "real_world": False, "go_version_m": f"{GROUP}/{rel}.go-version-m.txt", "truth": truth})
    return fixtures, built


def main() -> None:
    go, base = go_env()
    out_root = cl.corpus_dir() / GROUP
    fixtures, built = [], 0
    for prog in PROGRAMS:
        f, b = program_fixtures(go, base, prog, out_root)
        fixtures += f
        built += b
    m = cl.write_manifest(GROUP, fixtures)
    cl.log(f"{GROUP}: {len(fixtures)} fixtures ({built} built) -> {m}")


if __name__ == "__main__":
    main()
