#!/usr/bin/env python3
"""Distro-built binaries nobody here compiled: Debian bookworm's own .debs.

Debian builds Rust programs against its packaged crates (`/usr/share/cargo/registry/NAME-VERSION/`,
no cargo-auditable data, its own rustc under `/usr/src/rustc-X.Y.Z/`), Go programs as GOPATH
builds from `/usr/share/gocode/src/` (build info with no `dep` lines), and a few programs
statically against glibc. None of these layouts is in the other groups.

Each .deb is pinned by package, version and sha256, fetched with `apt-get download` through the
private apt state of the c group (corpus/recipes/c.py: sources generated from the machine's own,
suite bookworm added here), extracted with `dpkg-deb -x` (never installed), and only the ELF
named in the pin is kept. A Debian point release can supersede a pinned version: the download
then fails loudly and the pin must move to the new version and sha256.

Truth comes from the .deb's own control fields, never from binsight:
- `Built-Using` (or `Static-Built-Using`, which newer Go packages use): `rustc (= 1.63.0+dfsg1-2)` -> rustc_version "1.63.0", toolchain "rustc";
  `golang-1.19 (= 1.19.8-2)` -> go_version "go1.19.8", toolchain "go";
  `glibc (= 2.36-9+deb12u14)` (or, for libc-bin, the package's own source glibc and version)
  -> libc_family "glibc", libc_version "2.36".
- `X-Cargo-Built-Using` -> "debian_crates": [{"package": "rust-aho-corasick", "version": "0.7.19"}]
  (Debian's names: crate name lower-cased, `_` as `-`, sometimes a semver suffix such as
  `rust-clap-2`; versions without the Debian revision). Compared in binsight-eval by that naming
  rule (`debian_crate_matches`).
- `Built-Using` and `Static-Built-Using` entries other than the toolchain -> "debian_go_packages":
  the Go library packages (`golang-github-pkg-sftp`, also `docker.io`, `gojq`…) statically linked in.
- `Depends` naming `libc6` -> libc_family "glibc" for the dynamic Rust and Go programs.
Plus, for the Rust programs, "path_crates": the `NAME-VERSION` directories under
`/usr/share/cargo/registry/` that the binary's bytes name (a plain regular expression here; the
issue measures binsight's recall against "what the paths show"), and for Go programs the saved
`go version -m` output (extra field "go_version_m", cross-check only) and "go_dep_lines": how
many `dep` lines Go's own tool reads in the build info.

Besides the fixtures, `image/`: a root filesystem (`rootfs/`) of five of these packages plus
base-files, extracted and recorded in a dpkg database written from the .debs' own control fields
(`status`, with `Status: install ok installed` added) and file lists (`info/NAME.list`), and the
same tree as a one-layer docker-archive (`docker-archive.tar`, deterministic). `truth.json` says
which package installed each ELF file and what each package's control fields list.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True
import corpuslib as cl  # noqa: E402
import c as c_recipe  # noqa: E402  (private apt state + .deb download; its main() is not run)

GROUP = "debian"
RECIPE_VERSION = "debian-recipe-1"  # bump to force re-extraction of every fixture
SUITE = "bookworm"

X86_64 = {"machine": "x86_64", "class": 64, "endian": "little"}

# (package, version, sha256, path of the ELF inside the .deb, kind)
PINS = [
    # Rust programs: dynamic, glibc, crates from Debian's registry, rustc 1.63 of bookworm.
    ("ripgrep", "13.0.0-4+b2", "feba1aea6022d84c67293686fe82132f7283d3c485a2cbd5af5c0e210615ecc2",
     "usr/bin/rg", "rust"),
    ("fd-find", "8.6.0-3", "1c0af4b1c6727ee8a8cc3a674cce7919aeb070d7017620d8fdc528739cefb333",
     "usr/lib/cargo/bin/fd", "rust"),
    ("bat", "0.22.1-4", "edf6fd2340051da870a9d3e9f47100f66dc8442c51f9e3c805bdee060478d3f4",
     "usr/bin/batcat", "rust"),
    ("hyperfine", "1.15.0-2", "a652add8d272fa0635f9bb38cfeab49df4d218a5c328dde3618166feedec076c",
     "usr/bin/hyperfine", "rust"),
    ("exa", "0.10.1-4+b1", "c8fc9e44ca3969ebdcff2a0c2772365350c7dbda75f8e0d3c971b66c4133c301",
     "usr/bin/exa", "rust"),
    ("tealdeer", "1.5.0-2+b1", "91969008facc3012a7aceaabec165a9a02806e24c28a950a94f1802ceb4197b2",
     "usr/bin/tldr", "rust"),
    # Go programs: GOPATH builds from /usr/share/gocode, build info without dep lines.
    ("restic", "0.14.0-1+b5", "9d7e8c210736f3f15ed7cf425ab56aa5259b07d8422b958494bfd4359b5024d1",
     "usr/bin/restic", "go"),
    ("gh", "2.23.0+dfsg1-1", "2d5f52d15924b03f2df906bf587e578244d5db2d789d980cd8151895d1c9795b",
     "usr/bin/gh", "go"),
    ("docker-registry", "2.8.2+ds1-1", "a9bd06c0e006854608f8469b4371743f40604ad90975532bb3b7ceeb72fe2913",
     "usr/bin/docker-registry", "go"),
    ("skopeo", "1.9.3+ds1-1+b10", "5c1978f6a95577b143be772bbe50c247a28132a5cc961c74d4d2a6f2b1ab4f3d",
     "usr/bin/skopeo", "go"),
    ("rclone", "1.60.1+dfsg-2+b5", "703722dcab0c487322690fe68c7f8d6787e54e1ecd1297800d1382687ddbd81a",
     "usr/bin/rclone", "go"),
    ("hugo", "0.111.3-1", "6c3508f7b0f0009e6f774806dcb061d9ad24782d71b1688c700c016772df586e",
     "usr/bin/hugo", "go"),
    # Static glibc programs (e2fsck-static is left out: its control fields do not name the glibc).
    ("busybox-static", "1:1.35.0-4+deb12u1+b1",
     "3d3fdbe91d4660c873e14b092c213fe81c1da6362daa236eb25d0171eb108744", "bin/busybox", "glibc-static"),
    ("sash", "3.8-5+b28", "017e5f667fdb1961366e5fdab66e32a9c3b0cf4147c048c5a373aaed3966bdfe",
     "bin/sash", "glibc-static"),
    ("zsh-static", "5.9-4+b15", "d5cb242b3a4d7a536540c30b4ea003d2e7f3d18a30fc2721f6ba11fbac99bfa8",
     "bin/zsh-static", "glibc-static"),
    ("bash-static", "5.2.15-2+b13", "f62e37fc6c2c14417f270323066b4c621db5dc151a26f7a1f58e3fc24111d1c8",
     "bin/bash-static", "glibc-static"),
    ("libc-bin", "2.36-9+deb12u14", "e667401af91fad95f15b3ebd25d1abd8373fd18b00dc32219678413170544e84",
     "sbin/ldconfig", "glibc-static"),
]

CARGO_PATH = re.compile(rb"/usr/share/cargo/registry/([A-Za-z0-9_-]+?)-([0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+-]*)/")


def upstream(debver: str) -> str:
    """Debian version -> upstream version: no epoch, no revision, no repack suffix."""
    v = debver.split(":", 1)[-1]
    v = v.rsplit("-", 1)[0] if "-" in v else v
    return re.split(r"\+(dfsg|ds)", v)[0]


def relations(field: str) -> list[tuple[str, str]]:
    """`a (= 1.0-1), b (= 2)` -> [(a, 1.0-1), (b, 2)]; entries without `=` keep an empty version."""
    out = []
    for part in field.split(","):
        m = re.match(r"\s*([a-z0-9][a-z0-9.+-]*)\s*(?:\(\s*=\s*([^)\s]+)\s*\))?", part)
        if m:
            out.append((m.group(1), m.group(2) or ""))
    return out


def control(deb: Path) -> dict[str, str]:
    p = cl.run(["dpkg-deb", "-f", deb])
    fields, last = {}, None
    for line in p.stdout.splitlines():
        if line[:1] in (" ", "\t") and last:
            fields[last] += " " + line.strip()
            continue
        k, _, v = line.partition(":")
        last = k.strip()
        fields[last] = v.strip()
    return fields


def truth_for(kind: str, ctl: dict[str, str], elf: bytes) -> dict:
    t = dict(X86_64)
    built = relations(ctl.get("Built-Using", "") + "," + ctl.get("Static-Built-Using", ""))
    depends = [n for n, _ in relations(ctl.get("Depends", "").replace("|", ","))]
    if kind in ("rust", "go") and "libc6" in depends:
        t["libc_family"] = "glibc"
    if kind == "rust":
        rustc = [v for n, v in built if n == "rustc"]
        if len(rustc) != 1:
            cl.die(f"{ctl['Package']}: Built-Using names no single rustc: {ctl.get('Built-Using')}")
        t.update(toolchain="rustc", rustc_version=upstream(rustc[0]))
        t["debian_crates"] = [{"package": n, "version": upstream(v)}
                              for n, v in relations(ctl.get("X-Cargo-Built-Using", ""))]
        seen = sorted({(m.group(1).decode(), m.group(2).decode()) for m in CARGO_PATH.finditer(elf)})
        t["path_crates"] = [{"name": n, "version": v} for n, v in seen]
    elif kind == "go":
        go = [(n, v) for n, v in built if re.fullmatch(r"golang-1\.[0-9]+", n)]
        if len(go) != 1:
            cl.die(f"{ctl['Package']}: Built-Using names no single Go toolchain: {ctl.get('Built-Using')}")
        t.update(toolchain="go", go_version="go" + upstream(go[0][1]))
        t["debian_go_packages"] = [{"package": n, "version": upstream(v)} for n, v in built
                                   if (n, v) != go[0]]
    else:
        if ctl.get("Source", "").split(" ")[0] == "glibc" or ctl["Package"] == "libc-bin":
            ver = upstream(ctl["Version"])
        else:
            g = [v for n, v in built if n == "glibc"]
            if len(g) != 1:
                cl.die(f"{ctl['Package']}: Built-Using names no single glibc: {ctl.get('Built-Using')}")
            ver = upstream(g[0])
        t.update(libc_family="glibc", libc_version=ver)
    return t


def go_version_m(path: Path) -> str:
    """Go's own reading of the build info (the machine's Go, cross-check only)."""
    go = shutil.which("go") or "/usr/local/go/bin/go"
    p = subprocess.run([go, "version", "-m", str(path)], capture_output=True, text=True)
    if p.returncode != 0:
        cl.die(f"go version -m {path} failed: {p.stderr}")
    return p.stdout


# The image: a root filesystem of some of the packages above plus base-files (for os-release),
# each .deb extracted (not installed) and recorded in a dpkg database written from the .debs'
# own control fields and file lists, as dpkg itself would record them.
BASE_FILES = ("base-files", "12.4+deb12u15", "3eb1ea6d85488f488cc2a163b98ad640ef88cee4c79287cf14e361aaf6206f47")
IMAGE_PACKAGES = ["ripgrep", "bat", "restic", "busybox-static", "sash"]
IMAGE_VERSION = "debian-image-1"


def deb_files(deb: Path) -> list[str]:
    """Paths a .deb installs, as dpkg's info/*.list writes them (`/.`, directories, files)."""
    out = ["/."]
    for line in cl.run(["dpkg-deb", "-c", deb]).stdout.splitlines():
        name = line.split(None, 5)[5].split(" -> ")[0]
        name = "/" + name.lstrip("./").rstrip("/")
        if name != "/":
            out.append(name)
    return out


def tar_rootfs(root: Path, dest: Path) -> bytes:
    """A deterministic layer tar of `root` (sorted, owner root, mtime 0)."""
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for p in sorted(root.rglob("*")):
            info = t.gettarinfo(str(p), arcname=str(p.relative_to(root)))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = 0
            if info.isreg():
                with open(p, "rb") as f:
                    t.addfile(info, f)
            else:
                t.addfile(info)
    return buf.getvalue()


def build_image(out: Path, debs: dict[str, Path]) -> None:
    """<group>/image/rootfs/ and <group>/image/docker-archive.tar, with truth.json beside."""
    import hashlib
    idir = out / "image"
    stamp = idir / ".stamp"
    want = IMAGE_VERSION + " " + " ".join(f"{n}={cl.sha256_file(d)}" for n, d in sorted(debs.items()))
    if stamp.is_file() and stamp.read_text() == want:
        return
    if idir.exists():
        shutil.rmtree(idir)
    root = idir / "rootfs"
    (root / "var/lib/dpkg/info").mkdir(parents=True)
    status, truth = [], {"packages": {}, "files": {}}
    for name, deb in sorted(debs.items()):
        cl.run(["dpkg-deb", "-x", deb, root])
        ctl = cl.run(["dpkg-deb", "-f", deb]).stdout.rstrip("\n")
        lines = ctl.splitlines()
        lines.insert(1, "Status: install ok installed")
        status.append("\n".join(lines))
        files = deb_files(deb)
        (root / f"var/lib/dpkg/info/{name}.list").write_text("\n".join(files) + "\n")
        fields = control(deb)
        truth["packages"][name] = {"version": fields["Version"],
                                   "built_using": relations(fields.get("Built-Using", "") + "," + fields.get("Static-Built-Using", "")),
                                   "x_cargo_built_using": relations(fields.get("X-Cargo-Built-Using", ""))}
        for f in files:
            p = root / f.lstrip("/")
            if p.is_file() and not p.is_symlink() and p.read_bytes()[:4] == b"\x7fELF":
                truth["files"][f] = name
    (root / "var/lib/dpkg/status").write_text("\n\n".join(status) + "\n")
    layer = tar_rootfs(root, idir)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [diff_id]}}, sort_keys=True).encode()
    cfg_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": cfg_name, "RepoTags": ["binsight-corpus/debian:bookworm"],
                            "Layers": ["layer.tar"]}]).encode()
    import io
    import tarfile
    with tarfile.open(idir / "docker-archive.tar", "w", format=tarfile.PAX_FORMAT) as t:
        for n, b in [("manifest.json", manifest), (cfg_name, config), ("layer.tar", layer)]:
            info = tarfile.TarInfo(n)
            info.size, info.mtime, info.mode = len(b), 0, 0o644
            t.addfile(info, io.BytesIO(b))
    (idir / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True))
    stamp.write_text(want)
    cl.log(f"built image/docker-archive.tar ({len(debs)} packages, {len(truth['files'])} ELF files)")


def main() -> None:
    out = cl.corpus_dir() / GROUP
    out.mkdir(parents=True, exist_ok=True)
    fixtures = []
    for pkg, ver, sha, member, kind in PINS:
        name = f"debian-{pkg}"
        c_recipe.DEBS[name] = {"suite": SUITE, "package": pkg, "version": ver, "sha256": sha}
    for pkg, ver, sha, member, kind in PINS:
        fid = f"debian-{SUITE}-{pkg}-{Path(member).name}"
        rel = f"{pkg}/{Path(member).name}"
        dest = out / rel
        stamp = out / f"{pkg}/.stamp"
        want = f"{RECIPE_VERSION} {sha} {member}"
        deb = c_recipe.ensure_deb(f"debian-{pkg}")
        if not (dest.is_file() and stamp.is_file() and stamp.read_text() == want):
            with tempfile.TemporaryDirectory() as t:
                cl.run(["dpkg-deb", "-x", deb, t])
                src = Path(t) / member
                if not src.is_file() or src.is_symlink():
                    cl.die(f"{pkg} {ver}: {member} is not a regular file in the .deb")
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
            stamp.write_text(want)
            cl.log(f"extracted {fid}")
        ctl = control(deb)
        if ctl.get("Version") != ver or ctl.get("Package") != pkg:
            cl.die(f"{deb}: control says {ctl.get('Package')} {ctl.get('Version')}, pinned {pkg} {ver}")
        elf = dest.read_bytes()
        fx = {"id": fid, "path": rel, "real_world": True,
              "recipe": f"apt-get download {pkg}={ver} ({SUITE}); dpkg-deb -x; {member}",
              "truth": truth_for(kind, ctl, elf)}
        if kind == "go":
            vm = out / f"{pkg}/go-version-m.txt"
            vm.write_text(go_version_m(dest))
            fx["go_version_m"] = f"{GROUP}/{pkg}/go-version-m.txt"
            fx["truth"]["go_dep_lines"] = sum(1 for l in vm.read_text().splitlines()
                                              if l.strip().startswith("dep\t"))
        fixtures.append(fx)
    c_recipe.DEBS["debian-base-files"] = {"suite": SUITE, "package": BASE_FILES[0], "version": BASE_FILES[1],
                                          "sha256": BASE_FILES[2]}
    debs = {p: c_recipe.ensure_deb(f"debian-{p}") for p in IMAGE_PACKAGES + ["base-files"]}
    build_image(out, debs)
    m = cl.write_manifest(GROUP, fixtures)
    cl.log(f"wrote {m} ({len(fixtures)} fixtures)")


if __name__ == "__main__":
    main()
