#!/usr/bin/env python3
"""Audit fixtures: a Rust program pinned to crate versions that RustSec advisories mark vulnerable.

corpus/src/vuln-rust pins, with `=` requirements and a committed Cargo.lock, a few small crates
at versions inside the affected ranges of advisories in the OSV snapshot (the project's
shared/osv/crates.io): smallvec, bumpalo, thread_local and time (which brings a small
proc-macro subtree, so the lock also has "build" and "proc-macro" crates). The program calls
each of them on run-time data (through the API the advisory names, where it names one) so
their code and panic paths are linked. Built like the deps group's Rust fixtures, with the same
helpers (corpus/recipes/deps.py): rustup's 1.95.0, x86_64-unknown-linux-musl, `--release
--locked`, by plain `cargo build` and by `cargo auditable build` (the same pinned
cargo-auditable install), in one CARGO_TARGET_DIR under the cache.

Truth: the deps-rust fields (crates with kinds from `cargo metadata`, root_package, cargo_lock,
auditable, rustc version/commit, libc, linkage, …) plus "vulnerable": one
{"crate", "version", "advisory", "informational"} per (compiled-in crate, advisory) pair where
the advisory's OSV record covers the Cargo.lock version: SEMVER ranges (introduced / fixed /
last_affected / limit, evaluated as the OSV schema says) or its explicit "versions" list;
withdrawn records skipped. "informational" is the record's database_specific.informational
(null for a plain vulnerability, else e.g. "unsound"). Only "normal" crates (compiled into the
binary) are matched; the recipe fails if a pinned crate is covered by no advisory, since then the
fixture would no longer be what it claims. The advisory data does not change the built bytes,
so "vulnerable" is not part of the build stamp; it is re-derived on every run.

The snapshot is read where the project keeps it (shared/ beside the clone), or from
$BINSIGHT_OSV_CRATES_IO; the recipe fails loudly when it is missing.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True  # no __pycache__ in the clone from importing deps below
import corpuslib as cl  # noqa: E402
import deps  # noqa: E402  (Rust helpers: toolchain, cargo-auditable, cargo metadata, ELF sections)

GROUP = "vuln"
RECIPE_VERSION = "vuln-recipe-1"  # bump to force a rebuild of every fixture

SRC = cl.CORPUS_SRC / "src" / "vuln-rust"
TARGET = deps.MUSL
SHORT = "x86_64-musl"
TOOLCHAIN = deps.RUST_TOOLCHAIN  # 1.95.0, the same as the deps group


def osv_dir() -> Path:
    env = os.environ.get("BINSIGHT_OSV_CRATES_IO")
    d = Path(env) if env else cl.CORPUS_SRC.parent.parent / "shared" / "osv" / "crates.io"
    if not d.is_dir() or not any(d.glob("*.json")):
        cl.die(f"OSV crates.io snapshot not found at {d} (the project's shared/osv/crates.io; "
               "or set BINSIGHT_OSV_CRATES_IO)")
    return d


# ---------------------------------------------------------------------------------------------
# OSV SEMVER ranges


_SEMVER = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def semver_key(v: str) -> tuple:
    """Sort key with SemVer 2.0 precedence (build metadata ignored; "0" is 0.0.0)."""
    m = _SEMVER.match(v.strip())
    if not m:
        cl.die(f"not a SemVer version: {v!r}")
    core = tuple(int(x or 0) for x in m.group(1, 2, 3))
    pre = m.group(4)
    if pre is None:
        return core + (1,)  # a release sorts after all of its pre-releases
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return core + (0, ids)


def semver_cmp(a: str, b: str) -> int:
    ka, kb = semver_key(a), semver_key(b)
    return (ka > kb) - (ka < kb)


def range_covers(events: list[dict], version: str) -> bool:
    """The OSV schema's evaluation of one SEMVER range's events for one version."""
    def ev_version(e):
        return next(iter(e.values()))
    evs = sorted(events, key=lambda e: semver_key(ev_version(e)))
    affected = False
    for e in evs:
        if "introduced" in e and semver_cmp(version, e["introduced"]) >= 0:
            affected = True
        elif "fixed" in e and semver_cmp(version, e["fixed"]) >= 0:
            affected = False
        elif "last_affected" in e and semver_cmp(version, e["last_affected"]) > 0:
            affected = False
        elif "limit" in e and semver_cmp(version, e["limit"]) >= 0:
            affected = False
    return affected


def load_advisories(d: Path) -> dict[str, list[tuple[dict, dict]]]:
    """crate name -> [(record, affected entry)] for the crates.io records in d, withdrawn skipped."""
    by_crate: dict[str, list[tuple[dict, dict]]] = {}
    for f in sorted(d.glob("*.json")):
        try:
            rec = json.loads(f.read_text())
        except (OSError, ValueError) as e:
            cl.die(f"{f}: unreadable OSV record: {e}")
        if rec.get("withdrawn"):
            continue
        for aff in rec.get("affected") or []:
            pkg = aff.get("package") or {}
            if pkg.get("ecosystem") == "crates.io" and pkg.get("name"):
                by_crate.setdefault(pkg["name"], []).append((rec, aff))
    if not by_crate:
        cl.die(f"{d}: no crates.io advisories")
    return by_crate


def covering(by_crate: dict, name: str, version: str) -> list[dict]:
    out = []
    for rec, aff in by_crate.get(name, []):
        hit = version in (aff.get("versions") or [])
        for r in aff.get("ranges") or []:
            if r.get("type") == "SEMVER" and range_covers(r.get("events") or [], version):
                hit = True
        if hit and not any(o["advisory"] == rec["id"] for o in out):
            info = (aff.get("database_specific") or {}).get("informational")
            out.append({"crate": name, "version": version, "advisory": rec["id"], "informational": info})
    return out


def pinned(src: Path) -> dict[str, str]:
    """Crates the manifest pins with an `=` requirement: name -> version."""
    man = tomllib.loads((src / "Cargo.toml").read_text())
    out = {}
    for name, spec in man.get("dependencies", {}).items():
        req = spec if isinstance(spec, str) else spec.get("version", "")
        if req.startswith("="):
            out[spec.get("package", name) if isinstance(spec, dict) else name] = req[1:].strip()
    if len(out) < 2:
        cl.die(f"{src / 'Cargo.toml'}: expected at least two `=` pinned dependencies, got {out}")
    return out


def vulnerable_truth(crates: list[dict]) -> list[dict]:
    by_crate = load_advisories(osv_dir())
    vulns, pins = [], pinned(SRC)
    for c in crates:
        hits = covering(by_crate, c["name"], c["version"])
        if c["kind"] == "normal":
            vulns += hits
        elif hits:
            cl.log(f"note: {c['kind']} crate {c['name']} {c['version']} is covered by "
                   f"{[h['advisory'] for h in hits]} (not compiled in: not in \"vulnerable\")")
    for name, ver in pins.items():
        locked = [c for c in crates if c["name"] == name and c["kind"] == "normal"]
        if [c["version"] for c in locked] != [ver]:
            cl.die(f"Cargo.lock has {name} {[c['version'] for c in locked]} as a compiled-in crate, "
                   f"Cargo.toml pins ={ver}")
        if not any(v["crate"] == name for v in vulns):
            cl.die(f"no advisory in {osv_dir()} covers the pinned {name} {ver}: the fixture would not be vulnerable")
    return sorted(vulns, key=lambda v: (v["crate"], v["version"], v["advisory"]))


# ---------------------------------------------------------------------------------------------


def main() -> None:
    out_root = cl.corpus_dir() / GROUP
    info = deps.ensure_rust()
    auditable_exe = deps.ensure_cargo_auditable(info)
    cargo = cl.run(["rustup", "which", "--toolchain", TOOLCHAIN, "cargo"]).stdout.strip()
    src_hash = deps.digest(SRC, ["Cargo.toml", "Cargo.lock"] + [f"src/{f}" for f in deps.tree_files(SRC / "src")])
    cc_ver = cl.run(["cc", "--version"]).stdout.splitlines()[0]
    tdir = cl.tools_dir() / "cargo-target" / "vuln-rust"

    root_pkg, crates = deps.lock_crates(TARGET, SRC)
    truth = {"machine": "x86_64", "class": 64, "endian": "little",
             "linkage": deps.rust_linkage(deps.target_spec(TARGET)), "libc_family": "musl"}
    truth.update(deps.musl_version_truth(TARGET))
    truth.update({"toolchain": "rustc", "toolchain_version": TOOLCHAIN, "rustc_version": TOOLCHAIN,
                  "rustc_commit": info["commit-hash"], "links_resolver": False, "comment_stripped": False,
                  "stripped": False, "root_package": root_pkg, "crates": crates,
                  "cargo_lock": str(SRC.relative_to(cl.CORPUS_SRC.parent) / "Cargo.lock")})
    vulnerable = vulnerable_truth(crates)

    rel_dir = Path(f"rust-{TOOLCHAIN}") / SHORT
    out = out_root / rel_dir
    fixtures, built, skipped = [], 0, 0
    for auditable in (False, True):
        flavour = "auditable" if auditable else "plain"
        name = f"vuln-rust.{flavour}"
        key = deps.key_of(RECIPE_VERSION, src_hash, info, TARGET, flavour,
                          deps.CARGO_AUDITABLE if auditable else "", cc_ver, truth)
        stamp = out / f".{flavour}.stamp"
        if deps.fresh(stamp, key, [out / name]):
            skipped += 1
        else:
            cl.log(f"cargo +{TOOLCHAIN} {'auditable ' if auditable else ''}build --release --locked "
                   f"--target {TARGET} (vuln-rust)")
            out.mkdir(parents=True, exist_ok=True)
            (out / name).unlink(missing_ok=True)
            env = {**deps.rustup_env(), "CARGO_TARGET_DIR": str(tdir), "CARGO": cargo}
            sub = [auditable_exe, "auditable", "build"] if auditable else [cargo, "build"]
            cl.run(["rustup", "run", TOOLCHAIN, *sub, "--release", "--locked", "--target", TARGET,
                    "--manifest-path", SRC / "Cargo.toml"], env=env)
            binary = tdir / TARGET / "release" / "vuln-rust"
            if not binary.is_file():
                cl.die(f"cargo build produced no {binary}")
            sections = deps.elf_section_names(binary)
            if (".dep-v0" in sections) != auditable:
                cl.die(f"{flavour}: .dep-v0 section {'missing' if auditable else 'present'} in {binary}")
            if ".symtab" not in sections:
                cl.die(f"{binary}: no .symtab (the fixture is meant to be unstripped)")
            if b"\0getaddrinfo\0" in binary.read_bytes():
                cl.die(f"{binary} links getaddrinfo, but its truth says links_resolver=false")
            smoke = cl.run([binary, "selftest"]).stdout
            if not smoke.startswith('{"words":6,"smallvec":[11,1,'):
                cl.die(f"{binary} selftest: unexpected output {smoke!r}")
            shutil.copy2(binary, out / name)
            stamp.write_text(key + "\n")
            built += 1
        how = (f"rustup {TOOLCHAIN}; cargo +{TOOLCHAIN} "
               f"{f'auditable (cargo-auditable {deps.CARGO_AUDITABLE}) ' if auditable else ''}build --release "
               f"--locked --target {TARGET} corpus/src/vuln-rust")
        fixtures.append({"id": f"vuln-rust-{TOOLCHAIN}-{SHORT}-{flavour}", "path": str(rel_dir / name),
                         "recipe": how, "real_world": False,
                         "truth": {**truth, "auditable": auditable, "vulnerable": vulnerable}})
    m = cl.write_manifest(GROUP, fixtures)
    cl.log(f"{GROUP}: {len(fixtures)} fixtures ({built} builds done, {skipped} up to date); "
           f"vulnerable: {', '.join(sorted({v['crate'] + ' ' + v['version'] for v in vulnerable}))} -> {m}")


if __name__ == "__main__":
    main()
