#!/usr/bin/env python3
"""Component-recovery fixtures (issue 4): binaries whose dependency set is known from the inputs.

Rust — corpus/src/deps-rust, a small CLI (clap, serde, regex, tokio, hyper, url, toml, …) whose
committed Cargo.lock resolves to 100+ crates. Built with rustup's 1.95.0 by
`cargo auditable build` (cargo-auditable pinned below, installed from crates.io into the cache)
and by plain `cargo build`, both `--release --locked`, for x86_64 musl and gnu, plus a stripped
copy of the plain musl build. What each fixture is:
- "crates": from `cargo metadata --locked --filter-platform <target>` on the committed
  Cargo.lock, walking the resolve graph from the root package through non-dev dependencies.
  "kind" is "normal" when the crate is reached from the root through normal dependencies only
  and no proc-macro (it is compiled into the binary), "proc-macro" for proc-macro crates, and
  "build" for everything else (build-dependencies, and what build scripts and proc-macros use:
  compiled for the host, not linked). The root package is not in "crates": see "root_package".
  A "normal" crate is compiled in, but the optimiser may still leave nothing of it (macros only,
  fully inlined generics): recall below 100% is expected from any reader of the bytes.
- "auditable": whether cargo-auditable embedded its .dep-v0 section (checked on the ELF).
- linkage, musl version, rustc version/commit: as in the rust group (target spec, the
  toolchain's self-contained libc.a, `rustc -vV`).

Go — corpus/src/deps-go, a program using six vendored modules (one /v2, one pseudo-version,
one +incompatible, one indirect, one replaced by another version, one replaced by a local
directory), built by Debian's golang-go with CGO_ENABLED=0 for amd64 and arm64: plain,
`-ldflags=-s -w` and `-trimpath` (and, amd64 only, the plain build run through binutils `strip`),
all `-mod=vendor` with GOPROXY=off. Two more amd64 builds use
`-mod=mod` against a file-system GOPROXY that corpus/src/deps-go/regen_vendor.py packs from the
same vendored sources (still no network), because Go records module sums in the build info
only when it builds from the module cache, never with -mod=vendor.
- "go_modules": from go.mod, vendor/modules.txt (modules that provide packages) and go.sum.
  "go_sum" is the go.sum hash of the module version that was built (the replacement's, if
  versioned); "sum" is what Go records in the binary: go.sum's hash for a -mod=mod build of a
  module that is not replaced, else null (Go puts a replaced module's sum on its replacement).
- "go_version_m": `go version -m` of the built file, saved beside it for cross-checks only;
  no truth field is read from it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import corpuslib as cl  # noqa: E402

GROUP = "deps"
RECIPE_VERSION = "deps-recipe-1"  # bump to force a rebuild of every fixture

RUST_SRC = cl.CORPUS_SRC / "src" / "deps-rust"
RUST_TOOLCHAIN = "1.95.0"
CARGO_AUDITABLE = "0.7.7"  # from crates.io, `cargo install --locked`
MUSL = "x86_64-unknown-linux-musl"
GNU = "x86_64-unknown-linux-gnu"
RUST_TARGETS = {
    # triple: (short name, libc family, also a stripped copy of the plain build)
    MUSL: ("x86_64-musl", "musl", True),
    GNU: ("x86_64-gnu", "glibc", False),
}
MUSL_DOCUMENTED = "1.2.5"  # Rust >= 1.93 bundles musl 1.2.5 (see the rust group)

GO_SRC = cl.CORPUS_SRC / "src" / "deps-go"
GO_ARCHES = {"amd64": ("x86_64", 64), "arm64": ("aarch64", 64)}
# (flavour, go build flags, -mod, `strip` the result, GOARCHes)
GO_FLAVOURS = [
    ("plain", [], "vendor", False, ("amd64", "arm64")),
    ("sw", ["-ldflags=-s -w"], "vendor", False, ("amd64", "arm64")),
    ("trimpath", ["-trimpath"], "vendor", False, ("amd64", "arm64")),
    ("stripped", [], "vendor", True, ("amd64",)),  # binutils `strip` of the plain build
    ("modcache", [], "mod", False, ("amd64",)),
    ("modcache-sw", ["-ldflags=-s -w"], "mod", False, ("amd64",)),
]
GO_BUILDS = [(a, f) for a in GO_ARCHES for f in GO_FLAVOURS if a in f[4]]


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        cl.die(f"'{tool}' not found on PATH (needed by the {GROUP} group)")


def digest(root: Path, rels: list[str]) -> str:
    h = hashlib.sha256()
    for rel in sorted(rels):
        h.update(rel.encode() + b"\0" + (root / rel).read_bytes() + b"\0")
    return h.hexdigest()


def tree_files(root: Path, skip=("target",)) -> list[str]:
    rels = (p.relative_to(root) for p in root.rglob("*") if p.is_file())
    return sorted(str(r) for r in rels if not any(part in skip or part == "__pycache__" for part in r.parts))


def key_of(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def fresh(stamp: Path, key: str, outs: list[Path]) -> bool:
    return stamp.is_file() and stamp.read_text().strip() == key and all(p.is_file() for p in outs)


def elf_section_names(path: Path) -> set[str]:
    """Section names of a little-endian ELF64 file (enough for the x86_64 fixtures here)."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        cl.die(f"{path}: not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    def sh(i):
        return struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
    _, _, _, _, str_off, str_size = sh(shstrndx)
    strtab = data[str_off:str_off + str_size]
    names = set()
    for i in range(shnum):
        n = sh(i)[0]
        names.add(strtab[n:strtab.index(b"\0", n)].decode("latin-1"))
    return names


# ---------------------------------------------------------------------------------------------
# Rust


def rustup_env() -> dict:
    env = {**os.environ, "RUSTUP_TOOLCHAIN": RUST_TOOLCHAIN, "CARGO_INCREMENTAL": "0", "RUSTFLAGS": ""}
    for k in ("RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER", "CARGO_BUILD_TARGET", "CARGO_ENCODED_RUSTFLAGS",
              "CARGO_BUILD_RUSTFLAGS", "CARGO_TARGET_DIR", "CARGO", "RUSTC"):
        env.pop(k, None)
    return env


def ensure_rust() -> dict[str, str]:
    for t in ("rustup", "strip", "cc"):
        need(t)
    have = {line.split()[0] for line in cl.run(["rustup", "toolchain", "list"]).stdout.splitlines() if line.strip()}
    if f"{RUST_TOOLCHAIN}-{GNU}" not in have and RUST_TOOLCHAIN not in have:
        cl.log(f"rustup toolchain install {RUST_TOOLCHAIN} --profile minimal")
        cl.run(["rustup", "toolchain", "install", RUST_TOOLCHAIN, "--profile", "minimal"])
    inst = cl.run(["rustup", "target", "list", "--installed", "--toolchain", RUST_TOOLCHAIN]).stdout.split()
    if MUSL not in inst:
        cl.log(f"rustup target add --toolchain {RUST_TOOLCHAIN} {MUSL}")
        cl.run(["rustup", "target", "add", "--toolchain", RUST_TOOLCHAIN, MUSL])
    info = {}
    for line in cl.run(["rustup", "run", RUST_TOOLCHAIN, "rustc", "-vV"]).stdout.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            info[k.strip()] = v.strip()
    if info.get("release") != RUST_TOOLCHAIN or not info.get("commit-hash"):
        cl.die(f"toolchain {RUST_TOOLCHAIN}: unexpected `rustc -vV`: {info}")
    return info


def ensure_cargo_auditable(info: dict[str, str]) -> Path:
    """cargo-auditable CARGO_AUDITABLE, `cargo install --locked` into tools/ (once per rustc)."""
    root = cl.tools_dir() / f"cargo-auditable-{CARGO_AUDITABLE}"
    exe = root / "bin" / "cargo-auditable"
    key = key_of(CARGO_AUDITABLE, info["commit-hash"])
    stamp = root / ".binsight-stamp"
    if fresh(stamp, key, [exe]):
        return exe
    cl.log(f"cargo install cargo-auditable --locked --version {CARGO_AUDITABLE}")
    if root.exists():
        shutil.rmtree(root)
    with tempfile.TemporaryDirectory() as t:
        cl.run(["rustup", "run", RUST_TOOLCHAIN, "cargo", "install", "cargo-auditable", "--locked",
                "--version", CARGO_AUDITABLE, "--root", root, "--target-dir", t], env=rustup_env())
    installed = json.loads((root / ".crates2.json").read_text()).get("installs", {})
    if not any(k.startswith(f"cargo-auditable {CARGO_AUDITABLE} ") for k in installed) or not exe.is_file():
        cl.die(f"cargo install did not install cargo-auditable {CARGO_AUDITABLE} into {root}: {list(installed)}")
    stamp.write_text(key + "\n")
    return exe


def target_spec(target: str) -> dict:
    p = cl.run(["rustup", "run", RUST_TOOLCHAIN, "rustc", "-Z", "unstable-options", "--print", "target-spec-json",
                "--target", target], env={**os.environ, "RUSTC_BOOTSTRAP": "1"})
    return json.loads(p.stdout)


def rust_linkage(spec: dict) -> str:
    """Linkage of a default build (no RUSTFLAGS) for a target, from its spec."""
    if not spec.get("crt-static-default"):
        return "dynamic"
    pic = spec.get("relocation-model", "pic") == "pic"
    if pic and spec.get("position-independent-executables") and spec.get("static-position-independent-executables"):
        return "static-pie"
    return "static"


def bundled_musl(target: str) -> str | None:
    sysroot = Path(cl.run(["rustup", "run", RUST_TOOLCHAIN, "rustc", "--print", "sysroot"]).stdout.strip())
    libc = sysroot / "lib" / "rustlib" / target / "lib" / "self-contained" / "libc.a"
    if not libc.is_file():
        cl.die(f"toolchain {RUST_TOOLCHAIN} {target}: no self-contained libc.a at {libc}")
    body = cl.ar_member(libc, "version.lo") or cl.ar_member(libc, "version.o")
    m = body and (re.search(rb"\x00(\d+\.\d+\.\d+)\x00", body) or re.search(rb"(\d+\.\d+\.\d+)", body))
    return m.group(1).decode() if m else None



def musl_version_truth(target: str) -> dict:
    """{"libc_version": V} when the documented musl and the toolchain's libc.a agree, else {}."""
    got = bundled_musl(target)
    if got == MUSL_DOCUMENTED:
        return {"libc_version": got}
    cl.log(f"WARNING {target}: documented musl {MUSL_DOCUMENTED}, bundled libc.a says {got}; "
           "libc_version left out")
    return {}

def lock_crates(target: str, src: Path = RUST_SRC) -> tuple[dict, list[dict]]:
    """(root package, crates) of src's committed Cargo.lock for target, each crate with its kind."""
    p = cl.run(["rustup", "run", RUST_TOOLCHAIN, "cargo", "metadata", "--locked", "--format-version", "1",
                "--filter-platform", target, "--manifest-path", src / "Cargo.toml"], env=rustup_env())
    meta = json.loads(p.stdout)
    pkgs = {pk["id"]: pk for pk in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    root = meta["resolve"]["root"]
    if not root:
        cl.die("cargo metadata: no root package")

    def proc_macro(i):
        return any("proc-macro" in t["kind"] for t in pkgs[i]["targets"])

    def walk(kinds, through_proc_macros):
        seen, todo = set(), [root]
        while todo:
            for d in nodes[todo.pop()]["deps"]:
                i = d["pkg"]
                if i in seen or not any(k["kind"] in kinds for k in d["dep_kinds"]):
                    continue
                if proc_macro(i) and not through_proc_macros:
                    continue
                seen.add(i)
                todo.append(i)
        return seen

    normal = walk({None}, False)
    reached = walk({None, "build"}, True)
    crates = []
    for i in sorted(reached, key=lambda i: (pkgs[i]["name"], pkgs[i]["version"])):
        kind = "proc-macro" if proc_macro(i) else "normal" if i in normal else "build"
        pk = pkgs[i]
        crates.append({"name": pk["name"], "version": pk["version"], "source": pk["source"], "kind": kind})
    rp = pkgs[root]
    return {"name": rp["name"], "version": rp["version"]}, crates


def rust_fixtures(out_root: Path) -> tuple[list[dict], int, int]:
    info = ensure_rust()
    auditable_exe = ensure_cargo_auditable(info)
    cargo = cl.run(["rustup", "which", "--toolchain", RUST_TOOLCHAIN, "cargo"]).stdout.strip()
    src_hash = digest(RUST_SRC, ["Cargo.toml", "Cargo.lock"] + [f"src/{f}" for f in tree_files(RUST_SRC / "src")])
    strip_ver = cl.run(["strip", "--version"]).stdout.splitlines()[0]
    cc_ver = cl.run(["cc", "--version"]).stdout.splitlines()[0]
    tdir = cl.tools_dir() / "cargo-target" / "deps-rust"
    fixtures, built, skipped = [], 0, 0
    for target, (short, libc, with_stripped) in RUST_TARGETS.items():
        root_pkg, crates = lock_crates(target)
        spec = target_spec(target)
        truth = {"machine": "x86_64", "class": 64, "endian": "little", "linkage": rust_linkage(spec),
                 "libc_family": libc}
        if libc == "musl":
            truth.update(musl_version_truth(target))
        truth.update({"toolchain": "rustc", "toolchain_version": RUST_TOOLCHAIN, "rustc_version": RUST_TOOLCHAIN,
                      "rustc_commit": info["commit-hash"], "links_resolver": True, "comment_stripped": False,
                      "root_package": root_pkg, "crates": crates,
                      "cargo_lock": str(RUST_SRC.relative_to(cl.CORPUS_SRC.parent) / "Cargo.lock")})
        rel_dir = Path(f"rust-{RUST_TOOLCHAIN}") / short
        out = out_root / rel_dir
        for auditable in (False, True):
            flavour = "auditable" if auditable else "plain"
            names = [f"deps-rust.{flavour}"]
            if with_stripped and not auditable:
                names.append(f"deps-rust.{flavour}.stripped")
            key = key_of(RECIPE_VERSION, src_hash, info, target, flavour, CARGO_AUDITABLE if auditable else "",
                         strip_ver, cc_ver, truth)
            stamp = out / f".{flavour}.stamp"
            if fresh(stamp, key, [out / n for n in names]):
                skipped += 1
            else:
                cl.log(f"cargo +{RUST_TOOLCHAIN} {'auditable ' if auditable else ''}build --release --locked "
                       f"--target {target}")
                out.mkdir(parents=True, exist_ok=True)
                for n in names:
                    (out / n).unlink(missing_ok=True)
                env = {**rustup_env(), "CARGO_TARGET_DIR": str(tdir), "CARGO": cargo}
                sub = [auditable_exe, "auditable", "build"] if auditable else [cargo, "build"]
                cl.run(["rustup", "run", RUST_TOOLCHAIN, *sub, "--release", "--locked", "--target", target,
                        "--manifest-path", RUST_SRC / "Cargo.toml"], env=env)
                binary = tdir / target / "release" / "deps-rust"
                if not binary.is_file():
                    cl.die(f"cargo build produced no {binary}")
                has_dep = ".dep-v0" in elf_section_names(binary)
                if has_dep != auditable:
                    cl.die(f"{target} {flavour}: .dep-v0 section {'missing' if auditable else 'present'} in {binary}")
                smoke = cl.run([binary, "selftest"]).stdout
                if '"files":2' not in smoke:
                    cl.die(f"{binary} selftest: unexpected output {smoke!r}")
                shutil.copy2(binary, out / names[0])
                if len(names) > 1:
                    shutil.copy2(binary, out / names[1])
                    cl.run(["strip", out / names[1]])
                stamp.write_text(key + "\n")
                built += 1
            how = (f"rustup {RUST_TOOLCHAIN}; cargo +{RUST_TOOLCHAIN} "
                   f"{f'auditable (cargo-auditable {CARGO_AUDITABLE}) ' if auditable else ''}build --release --locked "
                   f"--target {target} corpus/src/deps-rust")
            base = f"deps-rust-{RUST_TOOLCHAIN}-{short}-{flavour}"
            fixtures += build_entries(base, rel_dir, names, how, truth, auditable)
    return fixtures, built, skipped


def build_entries(base: str, rel_dir: Path, names: list[str], how: str, truth: dict,
                  auditable: bool) -> list[dict]:
    """Manifest entries of one Rust build: the binary (`names[0]`) and, when there is one, its
    stripped copy (`names[1]`, id `<base>-stripped`)."""
    out = [{"id": base, "path": str(rel_dir / names[0]), "recipe": how, "real_world": False,
            "truth": {**truth, "stripped": False, "auditable": auditable}}]
    if len(names) > 1:
        out.append({"id": f"{base}-stripped", "path": str(rel_dir / names[1]), "recipe": how + "; strip",
                    "real_world": False, "truth": {**truth, "stripped": True, "auditable": auditable}})
    return out


# ---------------------------------------------------------------------------------------------
# Go


def go_bin() -> str:
    go = shutil.which("go")
    if go is None and os.geteuid() == 0 and shutil.which("apt-get"):
        cl.log("go not found: apt-get install -y golang-go")
        cl.run(["apt-get", "install", "-y", "golang-go"], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        go = shutil.which("go")
    if go is None:
        cl.die("'go' not found (the deps group needs Debian's golang-go: apt-get install golang-go)")
    return go


def go_inputs() -> tuple[str, list[dict]]:
    """(main module path, modules in the build) from go.mod, vendor/modules.txt and go.sum."""
    gomod = (GO_SRC / "go.mod").read_text()
    m = re.search(r"^module\s+(\S+)", gomod, re.M)
    if not m:
        cl.die(f"{GO_SRC / 'go.mod'}: no module line")
    main_path = m.group(1)
    sums = {}
    for line in (GO_SRC / "go.sum").read_text().splitlines():
        path, ver, h = line.split()
        sums[(path, ver)] = h
    mods, cur = [], None
    for line in (GO_SRC / "vendor" / "modules.txt").read_text().splitlines():
        if line.startswith("# "):
            f = line[2:].split()
            cur = None
            if "=>" in f:
                i = f.index("=>")
                left, right = f[:i], f[i + 1:]
            else:
                left, right = f, []
            if len(left) != 2:  # "# path => dir": the replace directive itself, no module version
                continue
            repl = None
            if right:
                repl = {"path": right[0], "version": right[1] if len(right) > 1 else None}
            cur = {"path": left[0], "version": left[1], "replace": repl, "packages": 0}
            mods.append(cur)
        elif line.startswith("## ") or not line.strip():
            continue
        elif cur is not None:
            cur["packages"] += 1
    out = []
    for mod in mods:
        if not mod["packages"]:
            continue
        r = mod["replace"]
        if r and r["version"] is None and not r["path"].startswith(("./", "../", "/")):
            cl.die(f"modules.txt: replacement {r} without a version is not a directory")
        built = (r["path"], r["version"]) if r and r["version"] else None if r else (mod["path"], mod["version"])
        go_sum = None
        if built:
            go_sum = sums.get(built)
            if not go_sum or (built[0], built[1] + "/go.mod") not in sums:
                cl.die(f"go.sum has no entries for {built[0]} {built[1]}")
        if r:
            r = {**r, "go_sum": go_sum}
        out.append({"path": mod["path"], "version": mod["version"], "replace": r,
                    "go_sum": None if r else go_sum})
        if not re.search(rf"^\s*(require\s+)?{re.escape(mod['path'])}\s+{re.escape(mod['version'])}\b", gomod, re.M):
            cl.die(f"go.mod does not require {mod['path']} {mod['version']} (modules.txt does)")
    return main_path, sorted(out, key=lambda x: x["path"])


def recorded_sums(mod: dict, from_module_cache: bool) -> dict:
    """mod with "sum" (on it and on its replacement): the go.sum hash Go records in the build
    info, which it does only for builds from the module cache (not -mod=vendor)."""
    out = {**mod, "sum": mod["go_sum"] if from_module_cache else None}
    if mod["replace"]:
        out["replace"] = {**mod["replace"], "sum": mod["replace"]["go_sum"] if from_module_cache else None}
    return out


def go_fixtures(out_root: Path) -> tuple[list[dict], int, int]:
    go = go_bin()
    m = re.search(r"\bgo version (go\d+\.\d+(?:\.\d+)?)\s", cl.run([go, "version"]).stdout)
    if not m:
        cl.die("cannot read the Go version from `go version`")
    go_version = m.group(1)
    need("strip")
    strip_ver = cl.run(["strip", "--version"]).stdout.splitlines()[0]
    goroot = cl.run([go, "env", "GOROOT"]).stdout.strip()
    main_path, modules = go_inputs()
    src_files = tree_files(GO_SRC)
    src_hash = digest(GO_SRC, src_files)
    sys.path.insert(0, str(GO_SRC))
    sys.dont_write_bytecode = True  # no __pycache__ in the clone
    import regen_vendor  # noqa: E402  (packs module zips from the vendored sources)

    base_env = {**os.environ, "GOCACHE": str(cl.tools_dir() / "go-build-cache"), "GOTOOLCHAIN": "local",
                "GO111MODULE": "on", "GOOS": "linux", "GOWORK": "off", "CGO_ENABLED": "0", "GOSUMDB": "off"}
    for k in ("GOARCH", "GOARM", "GOAMD64", "GOFLAGS", "GOPROXY", "GOPATH", "GOMODCACHE", "GONOSUMDB",
              "GOPRIVATE", "GONOPROXY", "GOINSECURE"):
        base_env.pop(k, None)
    rel_root = Path(f"go-{go_version[2:]}")
    fixtures, built, skipped = [], 0, 0
    modcache_dir = None
    with tempfile.TemporaryDirectory() as tmp:
        for goarch, (name, flags, mode, strip_after, _) in GO_BUILDS:
            stripped = strip_after or any(f.startswith("-ldflags=-s") for f in flags)
            machine, bits = GO_ARCHES[goarch]
            rel = rel_root / goarch / f"deps-go.{name}"
            out = out_root / rel
            vm = out.with_name(out.name + ".go-version-m.txt")
            build = {"GOOS": "linux", "GOARCH": goarch, "CGO_ENABLED": "0", "-mod": mode,
                     "-trimpath": "-trimpath" in flags,
                     "-ldflags": next((f.split("=", 1)[1] for f in flags if f.startswith("-ldflags=")), None)}
            truth = {"machine": machine, "class": bits, "endian": "little", "linkage": "static",
                     "libc_family": "none", "stripped": stripped, "toolchain": "go",
                     "toolchain_version": go_version[2:], "go_version": go_version, "links_resolver": False,
                     "go_main": main_path, "go_main_version": "(devel)", "go_build": build,
                     "go_modules": [recorded_sums(mod, mode == "mod") for mod in modules]}
            key = key_of(RECIPE_VERSION, src_hash, go_version, goroot, goarch, flags, mode, truth,
                         strip_ver if strip_after else "")
            stamp = out.with_name(out.name + ".stamp")
            if fresh(stamp, key, [out, vm]):
                skipped += 1
            else:
                cl.log(f"go build -mod={mode} GOARCH={goarch} CGO_ENABLED=0 {' '.join(flags)}")
                out.parent.mkdir(parents=True, exist_ok=True)
                out.unlink(missing_ok=True)
                env = {**base_env, "GOARCH": goarch, "GOFLAGS": f"-mod={mode}"}
                if mode == "vendor":
                    env.update({"GOPROXY": "off", "GOPATH": str(Path(tmp) / "gopath-vendor")})
                    cwd = GO_SRC
                else:
                    if modcache_dir is None:
                        # A copy without vendor/ (so nothing in the clone can change) and a
                        # file-system proxy packed from the vendored sources; the module cache
                        # is filled from it by this build, so it is not shared between runs.
                        modcache_dir = Path(tmp) / "mod"
                        regen_vendor.build_proxy(modcache_dir / "proxy")
                        shutil.copytree(GO_SRC, modcache_dir / "src",
                                        ignore=shutil.ignore_patterns("vendor", "__pycache__", "*.py"))
                    cwd = modcache_dir / "src"
                    env.update({"GOPROXY": f"file://{modcache_dir / 'proxy'}", "GOPATH": str(modcache_dir / "gopath"),
                                "GOMODCACHE": str(modcache_dir / "gopath" / "mod")})
                cl.run([go, "build", "-buildvcs=false", *flags, "-o", out, "."], cwd=cwd, env=env)
                if strip_after:
                    cl.run(["strip", out])
                # Relative name: the first line ("<file>: go1.x") does not depend on the cache dir.
                vm.write_text(cl.run([go, "version", "-m", out.name], cwd=out.parent).stdout)
                stamp.write_text(key + "\n")
                built += 1
            flag_txt = " ".join(f"'{f}'" if " " in f else f for f in flags)
            how = (f"Debian golang-go ({go_version}): CGO_ENABLED=0 GOARCH={goarch} GOFLAGS=-mod={mode} "
                   + ("GOPROXY=off " if mode == "vendor" else "GOPROXY=<file proxy packed by regen_vendor.py> ")
                   + f"go build -buildvcs=false {flag_txt + ' ' if flags else ''}corpus/src/deps-go"
                   + ("; strip" if strip_after else ""))
            fixtures.append({"id": f"deps-go-{go_version[2:]}-{goarch}-{name}", "path": str(rel), "recipe": how,
                             "real_world": False,
                             "go_version_m": f"{GROUP}/{rel}.go-version-m.txt", "truth": truth})
        if modcache_dir is not None:
            subprocess.run(["chmod", "-R", "u+w", str(modcache_dir)], check=False)
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
