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

Function-level fixtures (is the function an advisory names linked?). The package has a second
program, src/bin/vuln-rust-partial.rs: the same pinned crates, none of the advisory-named
functions called (CALLS below, written down from each program's source, is the truth field
"calls"). Three more fixtures, all `cargo auditable build` (exact crate versions), each in its own
CARGO_TARGET_DIR (the plain/auditable fixtures above are untouched): both programs with DWARF
(CARGO_PROFILE_RELEASE_DEBUG=limited, CARGO_PROFILE_RELEASE_STRIP=none: "-auditable-debug") and
the partial program with the crate's own profile (debug info stripped, .symtab kept:
"-partial-auditable"). Truth: the fields above plus "debuginfo" ("limited" or null) and "calls".

Why "limited" and what the debug info does and does not show (rustc 1.95.0, measured when the
fixtures were added):
- line-tables-only gives no linkage name for anything rustc compiles here: its
  DW_TAG_subprograms carry only a short DW_AT_name ("insert_many<[u64; 4], …>", no path), directly
  under the compile unit; the only linkage names in its .debug_str are the v0 (_R) names of the
  precompiled std. "limited" has DW_AT_linkage_name (legacy _ZN…E) on subprograms, and inlined
  callees get an abstract DW_TAG_subprogram with one.
- A generic function is only instantiated where it is called: the partial program's .debug_str
  has no smallvec insert_many and no bumpalo Vec::into_iter name (checked below).
- A non-generic function is compiled into its own crate's objects: the partial program's
  .debug_str does name time's local-offset functions (try_now_local, try_local_offset_at, …)
  although the linker discarded their code (no .symtab symbol; their DW_TAG_subprogram has
  DW_AT_low_pc 0). Reading names alone, that errs towards "linked".
- A called function can leave NO name at all: main.rs calls `bumpalo::collections::Vec::into_iter`
  (by value, `v.into_iter()`), yet neither .symtab nor .debug_str names it, at "limited" and at
  "full" alike: it was inlined and none of its instructions kept its source location (its pointer
  arithmetic became the caller's addressing modes), so LLVM emitted no DW_TAG_inlined_subroutine
  and no abstract subprogram for it. CALLED_WITHOUT_DEBUG_NAME records that, and the recipe checks
  it still holds: "no name in .debug_str" is not proof that a function is not linked.
- Symbols carry the definition path, advisories the public one: time's functions are named
  `time::utc_offset::UtcOffset::try_local_offset_at`, `time::offset_date_time::OffsetDateTime::…`
  (private modules re-exported by `pub use`), never `time::UtcOffset::…` as RUSTSEC-2020-0071 has
  it; a name must equal the advisory path or start with it plus `::` misses them in every build.
The manifest entry (not "truth") of these fixtures has "advisory_function_names", for cross-checks
only: for each function the fixture's advisories name, {"symtab": [...], "debug_str": [...] or
null (no .debug_str)}, the defined function symbols and the .debug_str linkage names that name it,
legacy-demangled without the hash and normalised (`<T as Trait>::m` read as `T::m`, generic
arguments dropped), matched by `under` (snake_case module segments allowed after the crate).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import struct
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

# The package's two programs (bin targets) and the advisory-named functions (RustSec
# affects.functions paths) each one's source calls: the truth field "calls".
MAIN_BIN = "vuln-rust"  # src/main.rs
PARTIAL_BIN = "vuln-rust-partial"  # src/bin/vuln-rust-partial.rs
BIN_SOURCE = {MAIN_BIN: "src/main.rs", PARTIAL_BIN: "src/bin/vuln-rust-partial.rs"}
CALLS = {
    MAIN_BIN: ["smallvec::SmallVec::insert_many", "bumpalo::collections::vec::Vec::into_iter",
               "time::UtcOffset::try_local_offset_at", "time::OffsetDateTime::try_now_local"],
    PARTIAL_BIN: [],
}
# Called by src/main.rs, but inlined without a trace: no symbol and no linkage name in the debug
# build (see the docstring). The recipe fails if that stops being so.
CALLED_WITHOUT_DEBUG_NAME = {"bumpalo::collections::vec::Vec::into_iter"}
# Generic, so instantiated only where called: the partial program's debug info must not name them.
PARTIAL_NO_DEBUG_NAME = ["smallvec::SmallVec::insert_many", "bumpalo::collections::vec::Vec::into_iter"]
DEBUGINFO = "limited"  # CARGO_PROFILE_RELEASE_DEBUG of the "-debug" fixtures (line-tables-only has no linkage names)
PARTIAL_SELFTEST = ('{"partial":true,"words":6,"smallvec":[11,1,441],"bumpalo":[30,1],"thread_local":30,'
                    '"time":["1999-12-25 00:00:00",true]}\n')


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
# Advisory-named functions: in the programs' sources, and named in a built file


def advisory_functions(vulnerable: list[dict]) -> list[str]:
    """The affects.functions paths of the fixture's advisories (for their crate)."""
    by_crate = load_advisories(osv_dir())
    out = set()
    for v in vulnerable:
        for rec, aff in by_crate.get(v["crate"], []):
            if rec["id"] == v["advisory"]:
                affects = (aff.get("ecosystem_specific") or {}).get("affects") or {}
                out.update(affects.get("functions") or [])
    return sorted(out)


def check_calls(functions: list[str]) -> None:
    """CALLS against the sources, textually: a program calls each path it lists (its last segment
    appears as `name(`) and no other advisory-named function's last segment is called. Cheap
    drift check, not a proof (the partial program's doc comment names them without a call)."""
    def code(rel):
        return "\n".join(line.split("//", 1)[0] for line in (SRC / rel).read_text().splitlines())
    for bin_name, rel in BIN_SOURCE.items():
        code_ = code(rel)
        called = {f for f in functions if re.search(rf"\b{re.escape(f.rsplit('::', 1)[1])}\s*\(", code_)}
        if unknown := set(CALLS[bin_name]) - set(functions):
            cl.die(f"CALLS[{bin_name!r}] names {sorted(unknown)}, which no advisory of the fixture names")
        for f in sorted(set(CALLS[bin_name]) - called):
            cl.die(f"CALLS[{bin_name!r}] says {rel} calls {f}, but no `{f.rsplit('::', 1)[1]}(` is in it")
        # An unlisted path sharing its last segment with a listed one is that call, read twice.
        segs = {f.rsplit("::", 1)[1] for f in CALLS[bin_name]}
        for f in sorted(called - set(CALLS[bin_name])):
            if f.rsplit("::", 1)[1] not in segs:
                cl.die(f"{rel} calls `{f.rsplit('::', 1)[1]}(` ({f}?), which CALLS[{bin_name!r}] does not list")
    if re.search(r"\bfor\s+\w+\s+in\s+&?\s*v\b", code(BIN_SOURCE[PARTIAL_BIN])):
        cl.die(f"{BIN_SOURCE[PARTIAL_BIN]}: a `for … in v` loop would call a bumpalo Vec's into_iter")


def elf_sections(path: Path) -> dict[str, bytes]:
    """Section name -> contents of a little-endian ELF64 file (SHT_NOBITS: empty)."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        cl.die(f"{path}: not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    def sh(i):  # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size
        return struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
    names_off, names_size = sh(shstrndx)[4:6]
    names = data[names_off:names_off + names_size]
    out = {}
    for i in range(shnum):
        n, typ, flags, _, off, size = sh(i)
        name = names[n:names.index(b"\0", n)].decode("latin-1")
        if flags & 0x800:  # SHF_COMPRESSED
            cl.die(f"{path}: section {name} is compressed; this recipe reads it raw")
        out[name] = b"" if typ == 8 else data[off:off + size]
    return out


def function_symbols(secs: dict[str, bytes]) -> list[str]:
    """Names of the defined STT_FUNC symbols of .symtab."""
    symtab, strtab = secs.get(".symtab", b""), secs.get(".strtab", b"")
    out = []
    for i in range(0, len(symtab) - 23, 24):
        st_name, st_info, _, st_shndx = struct.unpack_from("<IBBH", symtab, i)
        if st_info & 0xF == 2 and st_shndx != 0:
            out.append(strtab[st_name:strtab.index(b"\0", st_name)].decode("latin-1"))
    return out


_LEGACY_ESCAPES = {"SP": "@", "BP": "*", "RF": "&", "LT": "<", "GT": ">", "LP": "(", "RP": ")", "C": ","}


def _legacy_ident(s: str) -> str | None:
    if s.startswith("_$"):
        s = s[1:]
    out, i = [], 0
    while i < len(s):
        if s.startswith("..", i):
            out.append("::")
            i += 2
        elif s[i] == "$":
            j = s.find("$", i + 1)
            code = s[i + 1:j] if j > 0 else ""
            if code in _LEGACY_ESCAPES:
                out.append(_LEGACY_ESCAPES[code])
            elif re.fullmatch(r"u[0-9a-f]{1,6}", code):
                out.append(chr(int(code[1:], 16)))
            else:
                return None
            i = j + 1
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def demangle_legacy(sym: str) -> str | None:
    """Rust legacy mangling (_ZN<len><ident>…E) without its hash, or None."""
    sym = re.sub(r"\.llvm\.\d+$", "", sym)
    if not (sym.startswith("_ZN") and sym.endswith("E")):
        return None
    parts, i, end = [], 3, len(sym) - 1
    while i < end:
        m = re.compile(r"\d+").match(sym, i, end)
        if not m or int(m.group()) == 0 or m.end() + int(m.group()) > end:
            return None
        parts.append(sym[m.end():m.end() + int(m.group())])
        i = m.end() + int(m.group())
    if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
        parts.pop()
    idents = [_legacy_ident(x) for x in parts]
    return None if not idents or None in idents else "::".join(idents)


def normalise(name: str) -> str:
    """`<T as Trait>::m` -> `T::m`, `<T>::m` -> `T::m`, generic arguments dropped, a leading
    reference or pointer dropped: the form the advisories' paths have."""
    def close(s, i):  # index of the '>' matching s[i] == '<' ('->' is not a bracket)
        depth = 0
        for j in range(i, len(s)):
            if s[j] == "<":
                depth += 1
            elif s[j] == ">" and (j == 0 or s[j - 1] != "-"):
                depth -= 1
                if depth == 0:
                    return j
        return -1
    s = name.strip()
    for pre in ("&mut ", "&", "*const ", "*mut "):
        if s.startswith(pre):
            return normalise(s[len(pre):])
    if s.startswith("<") and (j := close(s, 0)) > 0:
        inner, depth, cut = s[1:j], 0, None
        for k, ch in enumerate(inner):
            depth += ch == "<"
            depth -= ch == ">" and (k == 0 or inner[k - 1] != "-")
            if depth == 0 and inner.startswith(" as ", k):
                cut = k
                break
        s = normalise(inner[:cut] if cut is not None else inner) + s[j + 1:]
    out, depth = [], 0
    for k, ch in enumerate(s):
        if ch == "<":
            depth += 1
        elif ch == ">" and (k == 0 or s[k - 1] != "-") and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def under(name: str, path: str) -> bool:
    """Whether a normalised name is the advisory path's function or inside it (closures, nested
    functions), allowing module segments (snake_case) between the crate and the rest of the path:
    advisories give the public path (`time::UtcOffset::try_local_offset_at`), symbols the
    definition path (`time::utc_offset::UtcOffset::try_local_offset_at`, re-exported by `pub use`)."""
    ns, ps = name.split("::"), path.split("::")
    rest = ps[1:]
    if ns[0] != ps[0]:
        return False
    for k in range(1, len(ns) - len(rest) + 1):
        if ns[k:k + len(rest)] == rest:
            return True
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", ns[k]):
            return False
    return False


def names_of(path: Path, functions: list[str]) -> dict:
    """For each advisory path: {"symtab": [the names of defined function symbols under it],
    "debug_str": [the linkage names in .debug_str under it] (None: no .debug_str)}, each name
    demangled (demangle_legacy) and normalised, `under` the path."""
    secs = elf_sections(path)
    crates = {f.split("::", 1)[0] for f in functions}

    def normalised(strings):
        out = set()
        for x in strings:
            if x.startswith("_R"):  # v0 mangling: only the precompiled std uses it here
                for m in re.finditer(r"C(?:s[0-9A-Za-z]*_)?(\d+)", x):
                    if x[m.end():m.end() + int(m.group(1))] in crates:
                        cl.die(f"{path}: v0-mangled name of an advisory crate ({x}); this check reads legacy names only")
            elif (d := demangle_legacy(x)) is not None:
                out.add(normalise(d))
        return out

    syms = normalised(function_symbols(secs))
    dbg = None
    if ".debug_str" in secs:
        dbg = normalised(x.decode("latin-1") for x in secs[".debug_str"].split(b"\0"))
        for c in sorted(crates):
            if not any(n.startswith(c + "::") for n in dbg):
                cl.die(f"{path}: .debug_str has no linkage name of crate {c}: its debug info is not there")
    return {f: {"symtab": sorted(n for n in syms if under(n, f)),
                "debug_str": None if dbg is None else sorted(n for n in dbg if under(n, f))} for f in functions}


def check_function_names(path: Path, bin_name: str, debuginfo: str | None, seen: dict) -> None:
    """What the fixture's truth ("calls") implies for the names in the file, where it is cheap."""
    def bad(f, what):
        cl.die(f"{path} ({bin_name}): {f}: {what}")
    for f in CALLS[bin_name]:
        if f in CALLED_WITHOUT_DEBUG_NAME:
            if seen[f]["symtab"] or seen[f]["debug_str"]:
                bad(f, f"named ({seen[f]}), but CALLED_WITHOUT_DEBUG_NAME says the call leaves no name: update it")
        elif debuginfo and not seen[f]["debug_str"]:
            bad(f, "called by the source, but no linkage name in .debug_str names it")
    if not CALLS[bin_name]:
        for f, s in seen.items():
            if s["symtab"]:
                bad(f, f"the program calls no advisory-named function, yet .symtab has {s['symtab']}")
        for f in PARTIAL_NO_DEBUG_NAME if debuginfo else []:
            if seen[f]["debug_str"]:
                bad(f, f"never called (and generic), yet .debug_str has {seen[f]['debug_str']}")


# ---------------------------------------------------------------------------------------------


def main() -> None:
    out_root = cl.corpus_dir() / GROUP
    info = deps.ensure_rust()
    auditable_exe = deps.ensure_cargo_auditable(info)
    cargo = cl.run(["rustup", "which", "--toolchain", TOOLCHAIN, "cargo"]).stdout.strip()
    # The plain/auditable fixtures are the main program: src/bin/ (the partial program) is not an
    # input of it (checked: from a cold target dir, with src/bin/vuln-rust-partial.rs present, both
    # builds are byte-identical to the fixtures built before it existed), so it stays out of their key.
    src_hash = deps.digest(SRC, ["Cargo.toml", "Cargo.lock"] + [f"src/{f}" for f in deps.tree_files(SRC / "src")
                                                                 if not f.startswith("bin/")])
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
    fn_fixtures, fn_built, fn_skipped = function_fixtures(info, auditable_exe, cargo, cc_ver, truth, vulnerable)
    fixtures += fn_fixtures
    built += fn_built
    skipped += fn_skipped
    m = cl.write_manifest(GROUP, fixtures)
    cl.log(f"{GROUP}: {len(fixtures)} fixtures ({built} builds done, {skipped} up to date); "
           f"vulnerable: {', '.join(sorted({v['crate'] + ' ' + v['version'] for v in vulnerable}))} -> {m}")


# (flavour, CARGO_PROFILE_RELEASE_DEBUG or None for the crate's own profile, programs it yields)
FUNCTION_BUILDS = [
    ("auditable-debug", DEBUGINFO, [MAIN_BIN, PARTIAL_BIN]),
    ("partial-auditable", None, [PARTIAL_BIN]),
]


def function_fixtures(info: dict, auditable_exe: Path, cargo: str, cc_ver: str, truth: dict,
                      vulnerable: list[dict]) -> tuple[list[dict], int, int]:
    """The function-level fixtures (see the docstring): `cargo auditable build` of both programs
    with DWARF, and of the partial one with the crate's own profile, each flavour in its own
    CARGO_TARGET_DIR."""
    functions = advisory_functions(vulnerable)
    check_calls(functions)
    src_hash = deps.digest(SRC, ["Cargo.toml", "Cargo.lock"] + [f"src/{f}" for f in deps.tree_files(SRC / "src")])
    rel_dir = Path(f"rust-{TOOLCHAIN}") / SHORT
    out = cl.corpus_dir() / GROUP / rel_dir
    fixtures, built, skipped = [], 0, 0
    for flavour, debuginfo, bins in FUNCTION_BUILDS:
        names = {b: f"{b}.{flavour.removeprefix('partial-')}" for b in bins}
        key = deps.key_of(RECIPE_VERSION, src_hash, info, TARGET, flavour, debuginfo, bins, deps.CARGO_AUDITABLE,
                          cc_ver, truth, {b: CALLS[b] for b in bins})
        stamp = out / f".{flavour}.stamp"
        profile = (f"CARGO_PROFILE_RELEASE_DEBUG={debuginfo} CARGO_PROFILE_RELEASE_STRIP=none "
                   if debuginfo else "")
        bin_args = [a for b in bins for a in ("--bin", b)]
        if deps.fresh(stamp, key, [out / n for n in names.values()]):
            skipped += 1
        else:
            cl.log(f"{profile}cargo +{TOOLCHAIN} auditable build --release --locked --target {TARGET} "
                   f"{' '.join(bin_args)} (vuln-rust, {flavour})")
            out.mkdir(parents=True, exist_ok=True)
            for n in names.values():
                (out / n).unlink(missing_ok=True)
            tdir = cl.tools_dir() / "cargo-target" / f"vuln-rust-{flavour}"
            env = {k: v for k, v in deps.rustup_env().items() if not k.startswith("CARGO_PROFILE_")}
            env.update({"CARGO_TARGET_DIR": str(tdir), "CARGO": cargo})
            if debuginfo:
                env.update({"CARGO_PROFILE_RELEASE_DEBUG": debuginfo, "CARGO_PROFILE_RELEASE_STRIP": "none"})
            cl.run(["rustup", "run", TOOLCHAIN, auditable_exe, "auditable", "build", "--release", "--locked",
                    "--target", TARGET, *bin_args, "--manifest-path", SRC / "Cargo.toml"], env=env)
            for b in bins:
                binary = tdir / TARGET / "release" / b
                if not binary.is_file():
                    cl.die(f"cargo build produced no {binary}")
                sections = deps.elf_section_names(binary)
                if ".dep-v0" not in sections:
                    cl.die(f"{flavour}: .dep-v0 section missing in {binary}")
                if ".symtab" not in sections:
                    cl.die(f"{binary}: no .symtab (the fixture is meant to be unstripped)")
                has_dwarf = {".debug_info", ".debug_str"} & sections
                if has_dwarf != ({".debug_info", ".debug_str"} if debuginfo else set()):
                    cl.die(f"{binary}: debug sections {sorted(has_dwarf)}, expected "
                           f"{'.debug_info and .debug_str' if debuginfo else 'none'}")
                if b"\0getaddrinfo\0" in binary.read_bytes():
                    cl.die(f"{binary} links getaddrinfo, but its truth says links_resolver=false")
                smoke = cl.run([binary, "selftest"]).stdout
                ok = smoke == PARTIAL_SELFTEST if b == PARTIAL_BIN else smoke.startswith('{"words":6,"smallvec":[11,1,')
                if not ok:
                    cl.die(f"{binary} selftest: unexpected output {smoke!r}")
                shutil.copy2(binary, out / names[b])
            stamp.write_text(key + "\n")
            built += 1
        for b in bins:
            seen = names_of(out / names[b], functions)
            check_function_names(out / names[b], b, debuginfo, seen)
            partial = "partial-" if b == PARTIAL_BIN else ""
            how = (f"rustup {TOOLCHAIN}; {profile}cargo +{TOOLCHAIN} auditable (cargo-auditable "
                   f"{deps.CARGO_AUDITABLE}) build --release --locked --target {TARGET} {' '.join(bin_args)} "
                   f"corpus/src/vuln-rust; the {b} program")
            fixtures.append({"id": f"vuln-rust-{TOOLCHAIN}-{SHORT}-{partial}{flavour.removeprefix('partial-')}",
                             "path": str(rel_dir / names[b]), "recipe": how, "real_world": False,
                             "truth": {**truth, "auditable": True, "vulnerable": vulnerable,
                                       "debuginfo": debuginfo, "calls": CALLS[b]},
                             "advisory_function_names": seen})
    return fixtures, built, skipped


if __name__ == "__main__":
    main()
