#!/usr/bin/env python3
"""Go fixtures with the OLD build-info layout: Debian bullseye's Go 1.15.

Go < 1.18 does not store the version and module info inline in .go.buildinfo: the header is
followed by two pointers to Go string headers (runtime.buildVersion, runtime.modinfo). Readers
must follow them. These fixtures are built by Debian bullseye's golang-1.15-go (Go 1.15.15).

Toolchain: the .debs golang-1.15-go (compiler, linker, go command, amd64 std) and
golang-1.15-src (GOROOT/src, which the first one's symlinks point into) of Debian bullseye,
pinned by version and sha256 in GO_DEBS, fetched with `apt-get download` through the private
apt state of the c group (corpus/recipes/c.py: sources generated at run time from the machine's
own apt sources, same URIs, other suites) and extracted together with `dpkg-deb -x` under
tools/ (NOT installed). Builds run that extracted `go` with GOROOT pointing into the extraction,
GOCACHE and GOPATH in the cache, GOENV=off, GOFLAGS=-mod=vendor, GOPROXY=off, CGO_ENABLED=0:
no network.

Programs (amd64 and arm64, plain and `-ldflags=-s -w`):
- corpus/src/go-hello (no dependencies).
- corpus/src/deps-go (six vendored modules, see corpus/recipes/deps.py). Go 1.15 accepts its go.mod
  (`go 1.19`) and vendor/modules.txt as they are, but the vendored example.com/kvparse v1.0.1
  calls strings.Cut (new in Go 1.18). The recipe therefore builds a copy (tools/goold-src/) in
  which that one call is replaced by the equivalent strings.Index code (KVPARSE_BACKPORT; the
  replacement fails loudly if the vendored file changes). go.mod, go.sum and
  vendor/modules.txt are not touched, so the module paths and versions in the build info, and the
  recipe truth derived from them, are those of the clone ("go_sum" stays go.sum's line for
  kvparse v1.0.1, although the compiled kvparse.go differs from it by the backport; Go does not
  hash vendored sources and records no sums with -mod=vendor).
The built files embed the copy's and GOROOT's paths under the cache (no -trimpath), so their bytes
depend on $BINSIGHT_CACHE; they are stable from one run to the next with the same cache.

Truth (like the deps group's Go fixtures): machine, class, endian, linkage "static" (Go's
internal linker, CGO_ENABLED=0), libc_family "none", stripped (`-s`), toolchain "go",
go_version (the extracted toolchain's VERSION file, checked against its `go version`),
links_resolver false (pure-Go resolver), go_main / go_main_version "(devel)", go_build (what the
recipe passed), go_modules (deps.go_inputs: go.mod, vendor/modules.txt, go.sum; "sum" null:
-mod=vendor builds record none). go-hello requires nothing: go_modules is [].
The manifest entry has "go_version_m": the saved `go version -m` output of Debian's golang-go
(bookworm, Go 1.19, which reads the old layout too), for cross-checks only.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True  # no __pycache__ in the clone from importing the modules below
import corpuslib as cl  # noqa: E402
import c as c_recipe  # noqa: E402  (private apt state + .deb download; its main() is not run)
import deps as deps_recipe  # noqa: E402  (go_inputs, recorded_sums, go_bin; main() not run)

GROUP = "goold"
RECIPE_VERSION = "goold-recipe-1"  # bump to force a rebuild of every fixture

# Debian bullseye, amd64. A point release may supersede these: the download then fails loudly
# and the pins must move to the new version + sha256 (`apt-cache show` in the private state).
GO_DEBS = {
    "goold-golang-1.15-go": {"suite": "bullseye", "package": "golang-1.15-go",
                             "version": "1.15.15-1~deb11u4",
                             "sha256": "33f6680406698b60370322aa5710be199006b3d66fbb0974b44da012de3aa82a"},
    "goold-golang-1.15-src": {"suite": "bullseye", "package": "golang-1.15-src",
                              "version": "1.15.15-1~deb11u4",
                              "sha256": "e580f570f706d801191f9a17e55156736fc5979a6a878bab9304ca007ae29941"},
}
GO_VERSION = "go1.15.15"  # what the pinned toolchain's VERSION file must say
GOROOT_REL = "usr/lib/go-1.15"

ARCHES = {"amd64": ("x86_64", 64), "arm64": ("aarch64", 64)}
FLAVOURS = [("plain", [], False), ("sw", ["-ldflags=-s -w"], True)]  # (name, flags, stripped)

SRC = cl.CORPUS_SRC / "src"
# program -> (source dir, fixture id pattern, file name)
PROGRAMS = {
    "go-hello": (SRC / "go-hello", "go-{v}-{a}-nocgo-hello-{f}", "hello.{f}"),
    "deps-go": (SRC / "deps-go", "deps-go-{v}-{a}-{f}", "deps-go.{f}"),
}

# (program, file, old, new): source-level backports applied to the build copy only.
KVPARSE_BACKPORT = (
    "deps-go", "vendor/example.com/kvparse/kvparse.go",
    'k, v, ok := strings.Cut(item, "=")',
    'i := strings.Index(item, "="); k, v, ok := item, "", i >= 0; if ok { k, v = item[:i], item[i+1:] } '
    '// goold recipe: strings.Cut backported (Go 1.15)',
)
PATCHES = [KVPARSE_BACKPORT]


def key_of(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def ensure_toolchain() -> tuple[Path, dict]:
    """GOROOT of the pinned .debs, extracted together (dpkg-deb -x) under tools/."""
    if platform.machine() != "x86_64":
        cl.die(f"the goold group runs Debian's amd64 Go 1.15 toolchain; this machine is {platform.machine()}")
    if not shutil.which("dpkg-deb") or not shutil.which("apt-get"):
        cl.die("dpkg-deb and apt-get are needed by the goold group")
    pins = {p["package"]: p for p in GO_DEBS.values()}
    root = cl.tools_dir() / f"{GO_VERSION}-debian-{pins['golang-1.15-go']['version']}"
    stamp = root / ".debs-sha256"
    want = "\n".join(sorted(p["sha256"] for p in pins.values()))
    goroot = root / GOROOT_REL
    if not (stamp.is_file() and stamp.read_text().strip() == want and (goroot / "bin" / "go").is_file()):
        c_recipe.DEBS.update(GO_DEBS)  # the private apt state then also lists their suite
        debs = []
        for name, pin in GO_DEBS.items():
            if not cl.cached(pin["sha256"]):
                cl.log(f"fetching {pin['package']}={pin['version']} ({pin['suite']}); "
                       "pins: GO_DEBS in corpus/recipes/goold.py")
            debs.append(c_recipe.ensure_deb(name))
        cl.log(f"extracting {', '.join(d.name for d in debs)} -> {root}")
        tmp = Path(tempfile.mkdtemp(prefix=root.name + ".", dir=root.parent))
        tmp.chmod(0o755)
        try:
            for d in debs:
                cl.run(["dpkg-deb", "-x", d, tmp])
            (tmp / ".debs-sha256").write_text(want + "\n")
            cl.swap_in(tmp, root)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
    ver = (goroot / "VERSION").read_text().split()[0] if (goroot / "VERSION").is_file() else ""
    if ver != GO_VERSION:
        cl.die(f"{goroot}/VERSION says {ver!r}, pinned toolchain should be {GO_VERSION}")
    for sub in ("src/runtime/extern.go", "pkg/tool/linux_amd64/compile", "pkg/tool/linux_amd64/link"):
        if not (goroot / sub).is_file():
            cl.die(f"extracted Go toolchain incomplete: {goroot / sub} missing")
    env = build_env(goroot)
    got = cl.run([goroot / "bin" / "go", "version"], env=env).stdout
    if f"go version {GO_VERSION} " not in got:
        cl.die(f"{goroot}/bin/go: `go version` says {got.strip()!r}, expected {GO_VERSION}")
    return goroot, env


def build_env(goroot: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GO", "CGO_"))}
    env.update({"GOROOT": str(goroot), "GOENV": "off",
                "GOCACHE": str(cl.tools_dir() / f"{GO_VERSION}-build-cache"),
                "GOPATH": str(cl.tools_dir() / f"{GO_VERSION}-gopath"),
                "GOFLAGS": "-mod=vendor", "GOPROXY": "off", "GOSUMDB": "off", "GO111MODULE": "on",
                "GOOS": "linux", "CGO_ENABLED": "0", "GOTOOLCHAIN": "local", "GOWORK": "off",
                "PATH": f"{goroot / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"})
    return env


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for rel in deps_recipe.tree_files(root):
        h.update(rel.encode() + b"\0" + (root / rel).read_bytes() + b"\0")
    return h.hexdigest()


def build_copy(prog: str, src: Path) -> Path:
    """A copy of src under tools/goold-src/ (fixed path: same bytes on every build), patched."""
    dst = cl.tools_dir() / "goold-src" / prog
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for p, rel, old, new in PATCHES:
        if p != prog:
            continue
        f = dst / rel
        text = f.read_text()
        if text.count(old) != 1:
            cl.die(f"{src / rel}: expected exactly one `{old}` to backport for Go 1.15; "
                   "the vendored source changed: update PATCHES in corpus/recipes/goold.py")
        f.write_text(text.replace(old, new))
    return dst


def main_and_modules(prog: str, src: Path) -> tuple[str, list[dict]]:
    if prog == "deps-go":
        if src != deps_recipe.GO_SRC:
            cl.die(f"deps.py reads {deps_recipe.GO_SRC}, goold builds {src}")
        main_path, mods = deps_recipe.go_inputs()
        return main_path, [deps_recipe.recorded_sums(m, False) for m in mods]
    gomod = (src / "go.mod").read_text()
    m = re.search(r"^module\s+(\S+)", gomod, re.M)
    if not m:
        cl.die(f"{src / 'go.mod'}: no module line")
    if re.search(r"^\s*(require|replace)\b", gomod, re.M):
        cl.die(f"{src / 'go.mod'}: has requirements; goold only knows it as a program without any")
    return m.group(1), []


def prune(out_root: Path, keep: set[Path]) -> None:
    for p in sorted(out_root.rglob("*"), reverse=True):
        if p.is_file() and p != out_root / "manifest.json" and p not in keep:
            cl.log(f"removing stale {p}")
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()


def main() -> None:
    goroot, env = ensure_toolchain()
    go = goroot / "bin" / "go"
    go_vm = deps_recipe.go_bin()  # Debian's golang-go (installed if missing): `go version -m`
    go_vm_version = cl.run([go_vm, "version"]).stdout.strip()
    out_root = cl.corpus_dir() / GROUP
    out_root.mkdir(parents=True, exist_ok=True)
    toolchain_id = [p["sha256"] for p in GO_DEBS.values()]
    rel_root = Path(f"go-{GO_VERSION[2:]}")
    fixtures, keep = [], set()
    built = skipped = 0
    for prog, (src, id_pat, file_pat) in PROGRAMS.items():
        main_path, modules = main_and_modules(prog, src)
        src_hash = tree_digest(src)
        patches = [p for p in PATCHES if p[0] == prog]
        copy = None
        for goarch, (machine, bits) in ARCHES.items():
            for flavour, flags, stripped in FLAVOURS:
                rel = rel_root / goarch / file_pat.format(f=flavour)
                out = out_root / rel
                vm = out.with_name(out.name + ".go-version-m.txt")
                stamp = out.with_name(out.name + ".stamp")
                keep |= {out, vm, stamp}
                build = {"GOOS": "linux", "GOARCH": goarch, "CGO_ENABLED": "0", "-mod": "vendor",
                         "-trimpath": False,
                         "-ldflags": next((f.split("=", 1)[1] for f in flags if f.startswith("-ldflags=")), None)}
                truth = {"machine": machine, "class": bits, "endian": "little", "linkage": "static",
                         "libc_family": "none", "stripped": stripped, "toolchain": "go",
                         "toolchain_version": GO_VERSION[2:], "go_version": GO_VERSION, "links_resolver": False,
                         "go_main": main_path, "go_main_version": "(devel)", "go_build": build,
                         "go_modules": modules}
                key = key_of(RECIPE_VERSION, toolchain_id, src_hash, patches, goarch, flags, truth, go_vm_version)
                if deps_recipe.fresh(stamp, key, [out, vm]):
                    skipped += 1
                else:
                    if copy is None:
                        copy = build_copy(prog, src)
                    cl.log(f"go1.15 build {prog} GOARCH={goarch} CGO_ENABLED=0 {' '.join(flags)}")
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.unlink(missing_ok=True)
                    cl.run([go, "build", *flags, "-o", out, "."], cwd=copy, env={**env, "GOARCH": goarch})
                    # Relative name: the first line ("<file>: go1.x") does not depend on the cache dir.
                    vm.write_text(cl.run([go_vm, "version", "-m", out.name], cwd=out.parent).stdout)
                    stamp.write_text(key + "\n")
                    built += 1
                flag_txt = " ".join(f"'{f}'" if " " in f else f for f in flags)
                how = (f"Debian bullseye golang-1.15-go + golang-1.15-src "
                       f"{GO_DEBS['goold-golang-1.15-go']['version']} ({GO_VERSION}, extracted, not installed): "
                       f"CGO_ENABLED=0 GOARCH={goarch} GOFLAGS=-mod=vendor GOPROXY=off go build "
                       f"{flag_txt + ' ' if flags else ''}corpus/src/{prog}"
                       + (" (copy with vendored kvparse's strings.Cut backported: corpus/recipes/goold.py)"
                          if patches else ""))
                fixtures.append({"id": id_pat.format(v=GO_VERSION[2:], a=goarch, f=flavour), "path": str(rel),
                                 "recipe": how, "real_world": False,
                                 "go_version_m": f"{GROUP}/{rel}.go-version-m.txt", "truth": truth})
    prune(out_root, keep | {out_root / "manifest.json"})
    m = cl.write_manifest(GROUP, fixtures)
    cl.log(f"{GROUP}: {len(fixtures)} fixtures ({built} builds done, {skipped} up to date) -> {m}")


if __name__ == "__main__":
    main()
