#!/usr/bin/env python3
"""Recipe group "bundled": programs that carry third-party C libraries statically, and look-alikes.

Fixtures (x86_64):

* `bundled-<suite>-<library>-static` (+ `-stripped`): a small program of `corpus/src/bundled/<library>.c`
  that really uses the library (compresses and decompresses, hashes and encrypts, runs SQL, parses
  XML, matches a regex, runs an SSH handshake, serialises HTTP/2 frames, reads a tar.gz...) and
  prints the library's runtime version, linked with the host gcc, `gcc -static -O2`, against the
  headers and `.a` files of Debian `-dev` packages of bullseye, bookworm and trixie. The `.debs`
  are pinned by version and sha256 (DEBS below), fetched through the private apt state of the c
  group (corpus/recipes/c.py: sources generated from the machine's own, suites added by the pins)
  and extracted with `dpkg-deb -x` (never installed). libc is the host's glibc (libc6-dev, static):
  only the library archives come from the other release. The archives are given to the linker by
  full path (no -L/-l), so nothing of the host's own copies can slip in.
* `bundled-neg-dynamic-<library>` (+ `-stripped`): the same programs for openssl, zlib, sqlite,
  zstd and xz, built with -DPRINT_HEADER_VERSION (they also print OPENSSL_VERSION_TEXT,
  ZLIB_VERSION, SQLITE_VERSION + SQLITE_SOURCE_ID, ZSTD_VERSION_STRING, LZMA_VERSION_STRING, so the
  version strings ARE in the file) and linked DYNAMICALLY against the shared objects of bookworm's
  runtime packages (libssl3, zlib1g, libsqlite3-0, libzstd1, liblzma5), passed by path. They only
  have to link, not run. Nothing is bundled.
* `bundled-neg-strings-static` (+ `-stripped`): corpus/src/bundled/neg-strings.c, static glibc,
  whose messages name OpenSSL, zlib, SQLite, libcurl and zstd with versions; none of their code.
* `rw-sentry-cli-3.8.0-x64` and `rw-cmake-4.4.5-x86_64-musl` (real_world): the npm package
  `@sentry/cli-linux-x64` 3.8.0 (`npm pack`, file package/bin/sentry-cli) and the PyPI wheel
  `cmake` 4.4.5 musllinux_1_2_x86_64 (`pip download`, file cmake/data/bin/cmake; ctest, cpack
  and ccmake are left out), pinned by version and sha256 (RW below).

Truth of the built fixtures comes from the build itself:
* `bundled`: one entry per library whose `.a` was linked AND of which at least one archive member
  was pulled in, as the linker's own map file (`-Wl,-Map`, section "Archive member included to
  satisfy reference by file") says: `{"library", "version", "via": "static-archive", "package",
  "package_version"}`. `version` is the upstream version of the `.deb`'s Version field (epoch,
  Debian revision and `+dfsg`/`.dfsg`/`+ds` suffixes dropped, `+reallyX` taken as X:
  `1:1.3.dfsg+really1.3.1-1+deb13u1` -> `1.3.1`). Every static program is run once after it is
  built and must print that version (its "version:" line), else the build fails. The map decides,
  so nothing is left in doubt and these fixtures have no `bundled_maybe`. The manifest entry (not
  the truth) has "link_members": the pulled archive members per archive, for cross-checks.
* `links_resolver`: glibc's getaddrinfo.o was pulled from libc.a (same map); `links_nss`: its NSS
  dispatcher nsswitch.o was (getpwnam, getgrnam… : the static program then loads NSS modules at
  run time, so it is not portable); `links_iconv`: its iconv_open.o was (iconv_open loads gconv
  modules from the host at run time: not portable either).
* Negatives: `"bundled": []` and `"not_bundled"` (the libraries the file names but does not
  carry); dynamic ones add `"dynamic_libraries"`: `{"library", "version", "package",
  "package_version", "sonames"}` (the DT_NEEDED entries, checked with readelf after the link).
* The usual machine/class/endian/linkage/libc_family/libc_version (static) or glibc_floor
  (dynamic)/stripped/toolchain/toolchain_version fields, as in the c group (host gcc, host glibc).

Release x library combinations that are NOT built (checked by linking with this recipe's flags
against the pinned .debs; SKIP below keeps them out, and their .debs are not downloaded):
* curl, all three releases (libcurl4-openssl-dev 7.74.0-1.3+deb11u13, 7.88.1-10+deb12u15,
  8.14.1-2+deb13u7): Debian's libcurl.a is built with GSS-API (MIT krb5), LDAP, RTMP, libpsl,
  libidn2 and brotli, and the objects any easy handle pulls in (http.c, the protocol table of
  url.c, version.c) reference all of them; libkrb5-dev ships no static archive (only
  libgssapi_krb5.so), so the link cannot be completed statically.
* libssh2 on bullseye (libssh2-1-dev 1.9.0-2+deb11u1): built with libgcrypt instead of OpenSSL
  (undefined gcry_* symbols); libgcrypt and libgpg-error are not in this group's library
  vocabulary, so the combination is left out rather than half described.
* openssl on trixie (libssl-dev 3.5.9-1~deb13u1): libcrypto.a calls __isoc23_strtol (glibc >=
  2.38; trixie builds with C23 strtol), which the host's glibc 2.36 libc.a does not define
  (it also references ZSTD_* and zlib: trixie's OpenSSL is built with zlib and zstd
  compression). libssh2 on trixie (1.11.1-1+deb13u2) needs that libcrypto.a and is skipped too.
The lz4 program uses the block API only: trixie's lz4frame.o calls XXH32 from libxxhash (a
separate package), the block and HC code does not. The libarchive program only reads: its
writers pull in archive_write_set_format.o, whose table references every writer (xar: libxml2,
zip and mtree: nettle, 7zip: bzip2/xz/zstd), which would drag those in.

Truth of the real-world binaries: what the package itself says, confirmed with a plain byte
search of the ELF (the recipe fails if a confirming string is missing). Neither package states
component versions in a manifest, so "truth_source" says for each library where the version
comes from (a license file in the wheel, or the library's own version string in the binary:
OpenSSL's OPENSSL_VERSION_TEXT, zlib's inflate_copyright, curl's "libcurl/X", libarchive's
"libarchive X", expat's "expat_X", bzip2's BZ2 version string). Libraries whose code is there but
whose version no such string confirms are in `bundled_maybe`. Their `bundled` entries are
`{"library", "version", "via"}`: via "vendored-source" where the package ships that library's
license under doc/cmake-4.4/cm<name>/ (CMake's vendored copy), else "static-link" (the code is
linked into the binary; how is not stated).

Besides the fixtures, `image/` (built like debian.py's, with its helpers): a root filesystem
(`rootfs/`) holding the five dynamic negatives at /usr/local/bin/bundled-neg-dynamic-<library>,
the pinned bookworm runtime .debs they load (libssl3, zlib1g, libsqlite3-0, libzstd1, liblzma5)
extracted at the .deb's own paths (zlib1g and liblzma5 under /lib/x86_64-linux-gnu, the others
under /usr/lib/x86_64-linux-gnu; no /lib -> usr/lib link is added) and recorded in a dpkg database
written from the .debs' control fields (`status`, with `Status: install ok installed` added) and
file lists (`info/NAME.list`), plus Debian's /etc/ld.so.conf (`include /etc/ld.so.conf.d/*.conf`)
and /etc/ld.so.conf.d/x86_64-linux-gnu.conf. No libc: libc.so.6 stays unresolved. The same tree
is `docker-archive.tar` (one layer, deterministic: sorted, owner root, mtime 0, modes normalised).
`truth.json`: per consumer its path in the image and `loads`, what each DT_NEEDED entry (readelf)
resolves to through ld.so.conf's directories then glibc's system ones: `{"library", "version",
"file", "target", "package", "soname"}` (`file` is the path the search finds, `target` the regular
file its symbolic links lead to, `package` the one whose info/*.list has both, `version` the
upstream version of that package's pin), and `unresolved` (libc.so.6); also which package
installed each ELF file (`files`) and the packages' versions.

Fixtures are rebuilt only when the hash of their inputs (source, flags, .deb hashes, gcc and
libc6-dev versions, strip) changes: stamps in <corpus>/bundled/.stamps/. The image has its own
stamp (image/.stamp: the runtime pins, the negatives' sha256, the ld.so.conf text).
"""
from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True  # no __pycache__ in the clone from importing c.py
import corpuslib as cl  # noqa: E402
import c as c_recipe  # noqa: E402  (private apt state + .deb download; its main() is not run)
import debian as debian_recipe  # noqa: E402  (image helpers; its main() is not run)

GROUP = "bundled"
RECIPE_VERSION = "bundled-recipe-4"  # bump to force a rebuild of every fixture
SRC = cl.CORPUS_SRC / "src" / "bundled"
X86_64 = {"machine": "x86_64", "class": 64, "endian": "little"}
MULTIARCH = "x86_64-linux-gnu"
CFLAGS = ["-O2"]
HOST_LIBS = ["-lm", "-lpthread", "-ldl"]  # host glibc's (static: libm.a etc.)

# ---------------------------------------------------------------------------------------------
# Debian .debs (amd64), pinned by version and sha256: suite -> package -> (version, sha256).
# A point release can supersede a version: the download then fails loudly and the pin must move
# (`apt-cache policy` in the private state of c.py shows the current one).
DEBS = {
    "bullseye": {
        "libssl-dev": ("1.1.1w-0+deb11u1", "56aab36e214954ff19e55cb7ebc96921ebd6387c266c906649ad909933d455b7"),
        "zlib1g-dev": ("1:1.2.11.dfsg-2+deb11u2", "f49fc849870c4e64fed2794722841ee950c1788f7fe90b3a091e6a098a46cd33"),
        "libsqlite3-dev": ("3.34.1-3", "1880f26535eb1f7325017fb16bba3f1b9e54d74f3980fca0ec2ddda15acb1915"),
        "libzstd-dev": ("1.4.8+dfsg-2.1", "d95e92c8b24e36e5f230a645e447dd6b951e4eea9226c8f2a1d7cf8adbb7c4e1"),
        "liblz4-dev": ("1.9.3-2", "609def758169bf1b02227e3da3b3edfc75f39a32a4be7d58a85205bbfefa5a01"),
        "libbz2-dev": ("1.0.8-4", "88195859736fa4686d220736f4adfefea09638be4d04bc3b7804f67237c0c336"),
        "liblzma-dev": ("5.2.5-2.1~deb11u1", "f08f035253ce830662c9a0a21e6a481bba996f7fca80cc43355f7e1879904769"),
        "libpcre2-dev": ("10.36-2+deb11u1", "bd4bf9a13dc86c14b6ed8d822d5c8eb66b80418fe8a0484fe1cd6836a8381c49"),
        "libexpat1-dev": ("2.2.10-2+deb11u5", "ec82eb630c2c357ba99cc4a1480ff382b46bc5f2e867e36d186314d1f2081255"),
        "libnghttp2-dev": ("1.43.0-1+deb11u1", "8673383c6d6a395a811a0e54bc8f2f3ffadd6af5dc9ba858f91ae05d27017879"),
        "libjemalloc-dev": ("5.2.1-3", "1fc140aa8ba5de75daa50e5883c4dc1d2e5fb2a07775a06600dce63550bd61fe"),
        "libarchive-dev": ("3.4.3-2+deb11u1", "01c4dcfdac3848d54bac1ab4e6ab1e0327947b10bb8300abbd7b83c2cad8f2b6"),
    },
    "bookworm": {
        "libssl-dev": ("3.0.20-1~deb12u2", "43ef5c109056b1507a0972631ee8292e727029aeda1516b4672cb041730ae3af"),
        "zlib1g-dev": ("1:1.2.13.dfsg-1", "f9ce531f60cbd5df37996af9370e0171be96902a17ec2bdbd8d62038c354094f"),
        "libsqlite3-dev": ("3.40.1-2+deb12u2", "afb550eb103e717000a2c7adae2e06e3eebd2952bf7d243ae2f1ca8594307563"),
        "libzstd-dev": ("1.5.4+dfsg2-5", "5d079cf5f96b724c97a611630ea428a1ebe793746db7bbf6e1455803b962b4ea"),
        "liblz4-dev": ("1.9.4-1", "927f7f7fc4bc0afe49ec7860548d57515d0d1a79f793d2a433f70f899179e706"),
        "libbz2-dev": ("1.0.8-5+b1", "df7204e188f7514ceae9c6f57c6c8b25ce8a642746fe284c6e89122ef26b7e57"),
        "liblzma-dev": ("5.4.1-1+deb12u1", "0f30921b4b7ce6baa8565f2b83145158267fb77c654aa431a6fea1e239019e1f"),
        "libpcre2-dev": ("10.42-1", "f0ff485a26daae8f742a1566426f0d98f06cdaf19ee0cc24764e09eff1c99257"),
        "libexpat1-dev": ("2.5.0-1+deb12u2", "757279c1ce56ca88ca519e4c01cffd94e8480ce936f53fe9b0d61dc1bab20394"),
        "libssh2-1-dev": ("1.10.0-3+b1", "b8efa1c24353526637cd23a769162b870a546db22b287c22919bd70c7ea78717"),
        "libnghttp2-dev": ("1.52.0-1+deb12u3", "6a3271848f92406b002acf57babea070b7b5d15f035f3efd16adb12d25ea648f"),
        "libjemalloc-dev": ("5.3.0-1", "1a883483ac9cb9adb62e1359438fa49a84bfe0b526fb62c64285031530672665"),
        "libarchive-dev": ("3.6.2-1+deb12u4", "9d173c1490028e7e1bdf6738072c171eec50c90e46ab5f0e0367671fc24b37e8"),
        # runtime packages (shared objects) for the dynamic negatives
        "libssl3": ("3.0.20-1~deb12u2", "89be24b41bff568ee6e7caf5680a3d808e80315ed92e407056ce0fa7a5bda025"),
        "zlib1g": ("1:1.2.13.dfsg-1", "d7dd1d1411fedf27f5e27650a6eff20ef294077b568f4c8c5e51466dc7c08ce4"),
        "libsqlite3-0": ("3.40.1-2+deb12u2", "a8d78b40e9b4e422224aeebfe0e4dfc243f6acf3532490b0c05480d4283d41e2"),
        "libzstd1": ("1.5.4+dfsg2-5", "6315b5ac38b724a710fb96bf1042019398cb656718b1522279a5185ed39318fa"),
        "liblzma5": ("5.4.1-1+deb12u1", "f96d8876b53ec89d76a992bc199679b818cf518225a768954d9451fb556a4eb7"),
    },
    "trixie": {
        "zlib1g-dev": ("1:1.3.dfsg+really1.3.1-1+deb13u1", "88ebb839a7a54c97dceb647e2a2bfa2451d6f440801ceef3d56f654022637eb9"),
        "libsqlite3-dev": ("3.46.1-7+deb13u2", "56e1945d52292b506c1f0bcb77543fea289ccee857c478dcddded40226e1594d"),
        "libzstd-dev": ("1.5.7+dfsg-1", "de5f8aabcf4cb5cd1b441495ea4c24838e88ecbb30ae22c032a1b3b68a9d6f1e"),
        "liblz4-dev": ("1.10.0-4", "b56779767ce81a4648f9b78a5ebce8264f14af2ac28dccd6896eb0402c685b2a"),
        "libbz2-dev": ("1.0.8-6", "b395471bf69087a18a6baa04d68a9d50497b20f8a2602d9729c7069f820bbe6b"),
        "liblzma-dev": ("5.8.1-1+deb13u2", "7b5104b0418b2e958447f74c135841aefda555293ac7f7494cfc7a16b7180816"),
        "libpcre2-dev": ("10.46-1~deb13u3", "6740621a0062e4b4cdeaa12a51f03ed0a3de0a04b949c8fa6a92c5f4c3c6b127"),
        "libexpat1-dev": ("2.9.0-1~deb13u1", "f1fb8aa3165e8c8f20d9e37e1d421fe17eaeb647fcf8fe3305acf3afb315c677"),
        "libnghttp2-dev": ("1.64.0-1.1+deb13u2", "fa64365a556ef4843dc0a268b8dcdb8215ad4a5dd701f6982831fd57e763873a"),
        "libjemalloc-dev": ("5.3.0-3", "4f7f932b8c47904ddae51275d0ff50d45313ad14d4a3bafb431ae7c07d49524c"),
        "libarchive-dev": ("3.7.4-4+deb13u1", "50e36b476a0c31c90607e498a8ea2d8a17c78fa44d6f84b280d426fa6ddbfb82"),
    },
}
SUITES = ["bullseye", "bookworm", "trixie"]

# Which library each static archive belongs to (truth names).
ARCHIVE_LIBRARY = {
    "libssl.a": "openssl", "libcrypto.a": "openssl", "libz.a": "zlib", "libsqlite3.a": "sqlite",
    "libzstd.a": "zstd", "liblz4.a": "lz4", "libbz2.a": "bzip2", "liblzma.a": "xz",
    "libpcre2-8.a": "pcre2", "libexpat.a": "expat", "libssh2.a": "libssh2",
    "libnghttp2.a": "nghttp2", "libjemalloc.a": "jemalloc", "libarchive.a": "libarchive",
}
# library -> static archives in link order, as (package, archive in usr/lib/x86_64-linux-gnu).
# The first entry is the library's own; the others are the dependencies its .a needs.
SSL = [("libssl-dev", "libssl.a"), ("libssl-dev", "libcrypto.a")]
ZLIB = [("zlib1g-dev", "libz.a")]
LIBRARIES = {
    "openssl": SSL,
    "zlib": ZLIB,
    "sqlite": [("libsqlite3-dev", "libsqlite3.a")],
    "zstd": [("libzstd-dev", "libzstd.a")],
    "lz4": [("liblz4-dev", "liblz4.a")],
    "bzip2": [("libbz2-dev", "libbz2.a")],
    "xz": [("liblzma-dev", "liblzma.a")],
    "pcre2": [("libpcre2-dev", "libpcre2-8.a")],
    "expat": [("libexpat1-dev", "libexpat.a")],
    "libssh2": [("libssh2-1-dev", "libssh2.a")] + SSL + ZLIB,
    "nghttp2": [("libnghttp2-dev", "libnghttp2.a")],
    "jemalloc": [("libjemalloc-dev", "libjemalloc.a")],
    "libarchive": [("libarchive-dev", "libarchive.a")] + ZLIB,
}
# (suite, library) -> why it is not built (see the module docstring).
SKIP = {
    ("bullseye", "libssh2"): "libssh2.a is built with libgcrypt (not in the library vocabulary)",
    ("trixie", "openssl"): "libcrypto.a needs __isoc23_strtol (glibc >= 2.38); host glibc is older",
    ("trixie", "libssh2"): "needs trixie's libcrypto.a, which needs __isoc23_strtol (glibc >= 2.38)",
}
# curl is left out of every release (libcurl.a needs GSS-API: krb5 has no static archives).
NOT_BUILT = {"curl": "libcurl.a needs GSS-API (MIT krb5), which Debian ships only as shared objects"}

# Dynamic negatives: library -> (runtime package, shared objects in it), linked against bookworm's.
NEG_SUITE = "bookworm"
NEG_DYNAMIC = {
    "openssl": ("libssl-dev", "libssl3", ["usr/lib/x86_64-linux-gnu/libssl.so.3",
                                          "usr/lib/x86_64-linux-gnu/libcrypto.so.3"]),
    "zlib": ("zlib1g-dev", "zlib1g", ["lib/x86_64-linux-gnu/libz.so.1"]),
    "sqlite": ("libsqlite3-dev", "libsqlite3-0", ["usr/lib/x86_64-linux-gnu/libsqlite3.so.0"]),
    "zstd": ("libzstd-dev", "libzstd1", ["usr/lib/x86_64-linux-gnu/libzstd.so.1"]),
    "xz": ("liblzma-dev", "liblzma5", ["lib/x86_64-linux-gnu/liblzma.so.5"]),
}
# What the compile-time macros put in the dynamic negatives (checked in the built file):
# library -> byte string that must occur, formatted with the upstream version.
NEG_MACRO_TEXT = {"openssl": "OpenSSL {v} ", "zlib": "{v}", "sqlite": "{v}", "zstd": "{v}",
                  "xz": "{v}"}
# The strings-only negative: what its messages name (corpus/src/bundled/neg-strings.c).
NEG_STRINGS_NAMES = ["openssl", "zlib", "sqlite", "curl", "zstd"]

# ---------------------------------------------------------------------------------------------
# Real-world binaries (npm, PyPI), pinned by version and sha256.
RW = [
    dict(id="rw-sentry-cli-3.8.0-x64", kind="npm", name="@sentry/cli-linux-x64", version="3.8.0",
         sha256="8ba8fae4afd2ac39939cba142d272d612fd9a1d60bbb73d314e7bbe58f2fd297",
         member="package/bin/sentry-cli", truth=dict(X86_64),
         # library -> (version, via, bytes that must be in the ELF, where the version comes from)
         bundled={
             "openssl": ("3.6.3", "static-link", [b"OpenSSL 3.6.3 9 Jun 2026"],
                         "OPENSSL_VERSION_TEXT 'OpenSSL 3.6.3 9 Jun 2026' in the binary (with "
                         "openssl-sys-0.9.117 crate paths and OpenSSL's 'compiler: x86_64-unknown-"
                         "linux-musl-gcc' build info)"),
             "zlib": ("1.2.13", "static-link", [b" inflate 1.2.13 Copyright 1995-2022 Mark Adler "],
                      "zlib's inflate_copyright ' inflate 1.2.13 Copyright 1995-2022 Mark Adler' "
                      "in the binary"),
             "libgit2": ("1.9.4", "rust-crate", [b"libgit2-sys-0.18.5+1.9.4/"],
                         "the crate source path 'libgit2-sys-0.18.5+1.9.4/' in the binary: the "
                         "crate's build metadata names the libgit2 release it vendors (libgit2 "
                         "itself keeps no version string here)"),
         },
         # library -> why it is only "maybe" (code present, version not confirmed)
         maybe={
             "curl": "libcurl code (curl-0.4.50 crate paths, 'curl/lib/vtls/openssl.c') but no "
                     "version string: curl_version is not linked",
             "bzip2": "BZ2_* code and a bzip2-sys-0.1.13+1.0.8 crate path, but no BZ2 version "
                      "string (whether the vendored or a system libbz2 was built is not stated)",
             "xz": "lzma_* code (xz2-0.1.7 crate) but no version string",
             "zstd": "ZSTD_* code (zstd-safe-7.2.4 crate) but no version string",
         },
         note="The npm package states no component versions (package.json, README.md only); "
              "the binary also carries the Rust zlib-rs 0.6.5, which is not a C library."),
    dict(id="rw-cmake-4.4.5-x86_64-musl", kind="pypi", name="cmake", version="4.4.5",
         platform="musllinux_1_2_x86_64",
         sha256="56851f57f3017d81187793fa61f269d583c500c2904aff99cf5208cd341dec79",
         member="cmake/data/bin/cmake", truth=dict(X86_64, libc_family="musl"),
         # wheel files that must contain the given text (what the package itself states)
         package_files={"cmake/_version.py": 'version = "4.4.5"',
                        "cmake/data/doc/cmake-4.4/cmzlib/Copyright.txt": "version 1.3.1, January 22nd, 2024",
                        "cmake/data/doc/cmake-4.4/cmcurl/COPYING": "Daniel Stenberg",
                        "cmake/data/doc/cmake-4.4/cmlibarchive/COPYING": "libarchive"},
         bundled={
             "openssl": ("3.5.9", "static-link", [b"OpenSSL 3.5.9 29 Sep 2026"],
                         "OPENSSL_VERSION_TEXT 'OpenSSL 3.5.9 29 Sep 2026' in the binary (no "
                         "license file in the wheel: linked by the wheel's build, not vendored "
                         "by CMake)"),
             "curl": ("8.20.0", "vendored-source", [b"libcurl/8.20.0"],
                      "'libcurl/8.20.0' in the binary; the wheel ships doc/cmake-4.4/cmcurl/COPYING"),
             "libarchive": ("3.8.6", "vendored-source", [b"libarchive 3.8.6"],
                            "'libarchive 3.8.6' (archive_version_string) in the binary; the wheel "
                            "ships doc/cmake-4.4/cmlibarchive/COPYING"),
             "expat": ("2.7.3", "static-link", [b"expat_2.7.3"],
                       "'expat_2.7.3' (XML_ExpatVersion) in the binary"),
             "zlib": ("1.3.1", "vendored-source", [b"\x001.3.1\x00"],
                      "the wheel's doc/cmake-4.4/cmzlib/Copyright.txt says 'version 1.3.1, "
                      "January 22nd, 2024'; ZLIB_VERSION '1.3.1' in the binary"),
             "bzip2": ("1.0.8", "static-link", [b"1.0.8, 13-Jul-2019"],
                       "bzip2's version string '1.0.8, 13-Jul-2019' in the binary"),
         },
         maybe={
             "zstd": "the wheel ships doc/cmake-4.4/cmzstd/LICENSE and the binary has zstd "
                     "messages; only a bare '1.5.7' string, not attributable by a byte search",
             "xz": "the wheel ships doc/cmake-4.4/cmliblzma/COPYING; only a bare '5.6.3' string",
             "nghttp2": "the wheel ships doc/cmake-4.4/cmnghttp2/COPYING and the binary has "
                        "nghttp2 messages; only a bare '1.65.0' string",
         },
         note="The wheel states no component versions except zlib's license header; the binary "
              "also carries CMake's vendored libuv, librhash, jsoncpp, cppdap and kwsys, which "
              "are not in this vocabulary. cmake is a dynamic (musl) PIE that links libstdc++ "
              "and libgcc_s from cmake.libs/ (auditwheel SBOM); linkage is not recorded."),
]


# ---------------------------------------------------------------------------------------------
# helpers

def upstream(debver: str) -> str:
    """Debian version -> upstream version: no epoch, no revision, `+reallyX` -> X, no
    +dfsg/.dfsg/+ds/~ds suffix. '1:1.3.dfsg+really1.3.1-1+deb13u1' -> '1.3.1'."""
    v = debver.split(":", 1)[-1]
    v = v.rsplit("-", 1)[0] if "-" in v else v
    m = re.search(r"\+really(.+)$", v)
    if m:
        v = m.group(1)
    return re.split(r"[+.~](?:dfsg|ds)", v)[0]


def deb_key(suite: str, pkg: str) -> str:
    return f"bundled-{suite}-{pkg}"


def register_debs() -> None:
    """Make the pins known to c.py's apt machinery (its DEBS decides the suites it fetches)."""
    for suite, pkgs in DEBS.items():
        for pkg, (ver, sha) in pkgs.items():
            c_recipe.DEBS[deb_key(suite, pkg)] = {"suite": suite, "package": pkg, "version": ver,
                                                  "sha256": sha}


def deb_root(suite: str, pkg: str) -> Path:
    if pkg not in DEBS[suite]:
        cl.die(f"no pin for {pkg} in {suite} (corpus/recipes/bundled.py DEBS)")
    # apt-get download fetched `pkg=version` and c.py checked the sha256: the version is the pin's.
    return c_recipe.ensure_deb_root(deb_key(suite, pkg))


def parse_map(text: str) -> dict[str, list[str]]:
    """Archive members the linker pulled in: {archive path: [member, ...]} from a GNU ld map's
    "Archive member included to satisfy reference by file (symbol)" section (lines that start
    at column 0 with `/path/lib.a(member.o)`)."""
    out: dict[str, list[str]] = {}
    in_section = False
    for line in text.splitlines():
        if line.startswith("Archive member included"):
            in_section = True
            continue
        if in_section and line and not line[0].isspace() and not line.startswith("/"):
            break  # next heading (Discarded input sections, Memory Configuration...)
        m = re.match(r"(/\S+?\.a)\(([^)]+)\)", line) if in_section else None
        if m:
            out.setdefault(m.group(1), [])
            if m.group(2) not in out[m.group(1)]:
                out[m.group(1)].append(m.group(2))
    if not in_section:
        cl.die("linker map has no 'Archive member included' section")
    return out


def run_program(path: Path) -> str:
    p = subprocess.run([str(path)], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        cl.die(f"{path} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p.stdout


def needed(path: Path) -> list[str]:
    out = cl.run(["readelf", "-dW", path]).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


class Builder:
    def __init__(self) -> None:
        self.out = cl.corpus_dir() / GROUP
        self.stamps = self.out / ".stamps"
        self.stamps.mkdir(parents=True, exist_ok=True)
        self.fixtures: list[dict] = []
        self.built = self.reused = 0
        self.strip_v = c_recipe.tool_version(["strip", "--version"]).splitlines()[0]

    def stamp(self, fid: str) -> Path:
        return self.stamps / f"{fid}.json"

    def fresh(self, fid: str, path: Path, key: str) -> dict | None:
        st = self.stamp(fid)
        if path.is_file() and st.is_file():
            data = json.loads(st.read_text())
            if data.get("key") == key:
                return data
        return None

    def build(self, fid: str, rel: str, key: str, fn) -> dict:
        """Build (unless fresh) <group>/rel with fn(tmp) -> info dict; returns the info."""
        path = self.out / rel
        data = self.fresh(fid, path, key)
        if data is not None:
            self.reused += 1
            return data["info"]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        if tmp.exists():
            tmp.unlink()
        t0 = time.time()
        info = fn(tmp) or {}
        if not tmp.is_file():
            cl.die(f"{fid}: build produced no file")
        tmp.replace(path)
        self.stamp(fid).write_text(json.dumps({"key": key, "info": info}, indent=1, sort_keys=True))
        self.built += 1
        cl.log(f"built {fid} ({time.time() - t0:.1f}s)")
        return info

    def add(self, fid: str, rel: str, recipe: str, truth: dict, real_world=False, **extra) -> None:
        self.fixtures.append({"id": fid, "path": rel, "recipe": recipe, "real_world": real_world,
                              "truth": truth, **extra})

    def with_stripped(self, fid: str, rel: str, recipe: str, truth: dict, key: str, **extra) -> None:
        """Record the plain fixture (already built) and build + record its stripped copy."""
        self.add(fid, rel, recipe, dict(truth, stripped=False), **extra)
        base = self.out / rel
        srel = rel + ".stripped"
        self.build(f"{fid}-stripped", srel, c_recipe.key_of(key, self.strip_v),
                   lambda tmp: cl.run(["strip", "-o", tmp, base]) and None)
        self.add(f"{fid}-stripped", srel, f"{recipe}; strip", dict(truth, stripped=True), **extra)

    def prune(self) -> None:
        keep = {self.out / f["path"] for f in self.fixtures} | {self.out / "manifest.json"}
        ids = {f["id"] for f in self.fixtures}
        image = self.out / IMAGE_DIR  # build_image's, kept up to date by its own stamp
        for p in sorted(self.out.rglob("*"), reverse=True):
            if p == image or image in p.parents:
                continue
            if p.is_file() and p.parent == self.stamps:
                if p.name[:-5] not in ids:
                    p.unlink()
            elif p.is_file() and p not in keep:
                cl.log(f"removing stale {p}")
                p.unlink()
            elif p.is_dir() and p != self.stamps and not any(p.iterdir()):
                p.rmdir()


# ---------------------------------------------------------------------------------------------
# fixtures

def host_toolchain() -> dict:
    gcc_ver = c_recipe.tool_version(["gcc", "-dumpfullversion"])
    libc_deb = c_recipe.need_dpkg_version("libc6-dev")
    return {"gcc": gcc_ver, "libc6-dev": libc_deb, "glibc": upstream(libc_deb)}


def static_truth(tc: dict) -> dict:
    return dict(X86_64, linkage="static", libc_family="glibc", libc_version=tc["glibc"],
                comment_stripped=False, toolchain="gcc", toolchain_version=tc["gcc"])


def build_static(b: Builder, tc: dict, suite: str, lib: str) -> None:
    archives = LIBRARIES[lib]
    pkgs = list(dict.fromkeys(p for p, _ in archives))
    roots = {p: deb_root(suite, p) for p in pkgs}
    paths = []
    for pkg, ar in archives:
        a = roots[pkg] / "usr/lib" / MULTIARCH / ar
        if not a.is_file():
            cl.die(f"{pkg} {DEBS[suite][pkg][0]} ({suite}): {a} missing")
        paths.append(a)
    incs = []
    for pkg in pkgs:
        incs += ["-I", roots[pkg] / "usr/include", "-I", roots[pkg] / "usr/include" / MULTIARCH]
    src = SRC / f"{lib}.c"
    flags = ["-static", *CFLAGS]
    fid = f"bundled-{suite}-{lib}-static"
    rel = f"{suite}/{lib}"
    key = c_recipe.key_of(RECIPE_VERSION, "static", tc, flags, HOST_LIBS, cl.sha256_file(src),
                          [(p, a, DEBS[suite][p]) for p, a in archives])
    want = upstream(DEBS[suite][archives[0][0]][0])

    def link(tmp: Path) -> dict:
        with tempfile.TemporaryDirectory() as t:
            mapf = Path(t) / "link.map"
            cl.run(["gcc", *flags, *incs, "-o", tmp, src.name, *paths, *HOST_LIBS,
                    f"-Wl,-Map={mapf}"], cwd=SRC)
            pulled = parse_map(mapf.read_text())
        stdout = run_program(tmp)
        vline = next((ln for ln in stdout.splitlines() if ln.startswith("version: ")), "")
        if want not in vline:
            cl.die(f"{fid}: the program prints {vline!r}, but {archives[0][0]} "
                   f"{DEBS[suite][archives[0][0]][0]} means version {want}")
        members = {f"{pkg}/{ar}": sorted(pulled.get(str(path), []))
                   for (pkg, ar), path in zip(archives, paths)}
        libc = next((v for k, v in pulled.items() if k.endswith("/libc.a")), [])
        return {"members": members, "resolver": "getaddrinfo.o" in libc, "nss": "nsswitch.o" in libc,
                "iconv": "iconv_open.o" in libc, "stdout": stdout}

    info = b.build(fid, rel, key, link)
    bundled, seen = [], set()
    for pkg, ar in archives:
        name = ARCHIVE_LIBRARY[ar]
        if not info["members"][f"{pkg}/{ar}"] or name in seen:
            continue
        seen.add(name)
        ver = DEBS[suite][pkg][0]
        bundled.append({"library": name, "version": upstream(ver), "via": "static-archive",
                        "package": pkg, "package_version": ver})
    if not bundled or bundled[0]["library"] != lib:
        cl.die(f"{fid}: the linker pulled nothing from {archives[0][1]}")
    truth = dict(static_truth(tc), links_resolver=info["resolver"], links_nss=info["nss"],
                 links_iconv=info["iconv"], bundled=bundled)
    debs = ", ".join(f"{p} {DEBS[suite][p][0]}" for p in pkgs)
    recipe = (f"gcc {tc['gcc']} {' '.join(flags)} -I<extracted -dev headers> -o {lib} "
              f"src/bundled/{lib}.c {' '.join(a for _, a in archives)} {' '.join(HOST_LIBS)} "
              f"(Debian {suite}: {debs}, extracted; host libc6-dev {tc['libc6-dev']})")
    link_members = {k: len(v) for k, v in info["members"].items()}
    b.with_stripped(fid, rel, recipe, truth, key, link_members=link_members)


def build_neg_dynamic(b: Builder, tc: dict, lib: str) -> None:
    dev, rt, sos = NEG_DYNAMIC[lib]
    droot, rroot = deb_root(NEG_SUITE, dev), deb_root(NEG_SUITE, rt)
    so_paths = []
    for so in sos:
        p = rroot / so
        if not p.exists():
            cl.die(f"{rt} {DEBS[NEG_SUITE][rt][0]}: {so} missing")
        so_paths.append(p)
    incs = ["-I", droot / "usr/include", "-I", droot / "usr/include" / MULTIARCH]
    src = SRC / f"{lib}.c"
    flags = [*CFLAGS, "-DPRINT_HEADER_VERSION"]
    dev_ver, rt_ver = DEBS[NEG_SUITE][dev][0], DEBS[NEG_SUITE][rt][0]
    v = upstream(dev_ver)
    fid = f"bundled-neg-dynamic-{lib}"
    rel = f"neg/dynamic/{lib}"
    key = c_recipe.key_of(RECIPE_VERSION, "dynamic", tc, flags, cl.sha256_file(src),
                          DEBS[NEG_SUITE][dev], DEBS[NEG_SUITE][rt], sos)
    sonames = sorted({Path(s).name for s in sos})

    def link(tmp: Path) -> dict:
        rpath = sorted({str(p.parent) for p in so_paths})
        cl.run(["gcc", *flags, *incs, "-o", tmp, src.name, *so_paths,
                *[f"-Wl,-rpath-link,{d}" for d in rpath]], cwd=SRC)
        got = needed(tmp)
        if not set(sonames) <= set(got):
            cl.die(f"{fid}: DT_NEEDED {got} lacks {sonames}")
        text = NEG_MACRO_TEXT[lib].format(v=v).encode()
        if text not in tmp.read_bytes():
            cl.die(f"{fid}: the compile-time version text {text!r} is not in the file")
        return {"needed": got}

    info = b.build(fid, rel, key, link)
    truth = dict(X86_64, linkage="dynamic", libc_family="glibc", glibc_floor=tc["glibc"],
                 comment_stripped=False, toolchain="gcc", toolchain_version=tc["gcc"],
                 links_resolver=False, bundled=[], not_bundled=[lib],
                 dynamic_libraries=[{"library": lib, "version": upstream(rt_ver), "package": rt,
                                     "package_version": rt_ver,
                                     "sonames": [s for s in info["needed"] if s in sonames]}])
    recipe = (f"gcc {tc['gcc']} {' '.join(flags)} -I<{dev} {dev_ver} headers> -o {lib} "
              f"src/bundled/{lib}.c {' '.join(sonames)} (shared objects of {rt} {rt_ver}, Debian "
              f"{NEG_SUITE}, extracted; host libc6-dev {tc['libc6-dev']})")
    b.with_stripped(fid, rel, recipe, truth, key)


# ---------------------------------------------------------------------------------------------
# the image

IMAGE_DIR = "image"
IMAGE_VERSION = "bundled-image-1"  # bump to force a rebuild of the image
IMAGE_BIN = "usr/local/bin"
IMAGE_TAG = "binsight-corpus/bundled:bookworm"
# Debian's own files (bookworm: /etc/ld.so.conf of libc-bin, the .conf of libc6:amd64).
LD_SO_CONF = {
    "etc/ld.so.conf": "include /etc/ld.so.conf.d/*.conf\n\n",
    "etc/ld.so.conf.d/x86_64-linux-gnu.conf": "# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n"
                                              "/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n",
}
# glibc's system directories on Debian x86_64, searched after those of ld.so.conf.
LD_SYSTEM_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"]


def ld_search_dirs() -> list[str]:
    """ld.so.conf's directories (the include expanded: there is one .conf), then the system ones."""
    dirs = [ln.strip() for text in LD_SO_CONF.values() for ln in text.splitlines()
            if ln.strip().startswith("/")]
    return list(dict.fromkeys(dirs + LD_SYSTEM_DIRS))


def in_root(root: Path, path: str) -> Path | None:
    """`path` (absolute in the image) with symbolic links followed inside `root`: the regular
    file it names, or None."""
    p = path
    for _ in range(40):
        f = root / p.lstrip("/")
        if f.is_symlink():
            target = f.readlink().as_posix()
            p = posixpath.normpath(target if target.startswith("/") else posixpath.join(posixpath.dirname(p), target))
            continue
        return f if f.is_file() else None
    return None


def normalize_modes(root: Path) -> None:
    """Modes independent of the umask: directories 0755, files 0755 if executable else 0644."""
    for p in [root, *root.rglob("*")]:
        if p.is_symlink():
            continue
        if p.is_dir():
            p.chmod(0o755)
        else:
            p.chmod(0o755 if p.stat().st_mode & 0o111 else 0o644)


def docker_archive(layer: bytes, dest: Path, tag: str) -> None:
    """A one-layer docker-archive (`docker save` layout), deterministic (as debian.py's)."""
    import hashlib
    import io
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [diff_id]}}, sort_keys=True).encode()
    cfg_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": cfg_name, "RepoTags": [tag], "Layers": ["layer.tar"]}]).encode()
    with tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as t:
        for n, data in [("manifest.json", manifest), (cfg_name, config), ("layer.tar", layer)]:
            info = tarfile.TarInfo(n)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            t.addfile(info, io.BytesIO(data))


def build_image(b: Builder) -> bool:
    """<group>/image/: rootfs/ (the dynamic negatives at /usr/local/bin/<fixture id>, the
    runtime .debs they load extracted at their own paths and recorded in a dpkg database written
    from the .debs' control fields and file lists, Debian's ld.so.conf), docker-archive.tar (that
    tree as one layer) and truth.json (what each negative's DT_NEEDED entries resolve to).
    Returns whether it was (re)built."""
    idir = b.out / IMAGE_DIR
    stamp = idir / ".stamp"
    consumers = {f"bundled-neg-dynamic-{lib}": (lib, b.out / f"neg/dynamic/{lib}") for lib in NEG_DYNAMIC}
    runtime = {rt: lib for lib, (_, rt, _) in NEG_DYNAMIC.items()}  # package -> library
    key = c_recipe.key_of(IMAGE_VERSION, {rt: DEBS[NEG_SUITE][rt] for rt in sorted(runtime)},
                          {fid: cl.sha256_file(p) for fid, (_, p) in consumers.items()},
                          LD_SO_CONF, LD_SYSTEM_DIRS, IMAGE_TAG)
    outputs = [idir / "docker-archive.tar", idir / "truth.json", idir / "rootfs"]
    if stamp.is_file() and stamp.read_text() == key and all(p.exists() for p in outputs):
        return False
    tmp = b.out / (IMAGE_DIR + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    tmp.chmod(0o755)
    root = tmp / "rootfs"
    (root / "var/lib/dpkg/info").mkdir(parents=True)
    status, owner = [], {}  # owner: path in the image -> package
    packages = {}
    for pkg in sorted(runtime):
        ver = DEBS[NEG_SUITE][pkg][0]
        deb = c_recipe.ensure_deb(deb_key(NEG_SUITE, pkg))
        fields = debian_recipe.control(deb)
        if (fields.get("Package"), fields.get("Version")) != (pkg, ver):
            cl.die(f"{deb}: control says {fields.get('Package')} {fields.get('Version')}, pinned {pkg} {ver}")
        cl.run(["dpkg-deb", "-x", deb, root])
        lines = cl.run(["dpkg-deb", "-f", deb]).stdout.rstrip("\n").splitlines()
        lines.insert(1, "Status: install ok installed")
        status.append("\n".join(lines))
        files = debian_recipe.deb_files(deb)
        (root / f"var/lib/dpkg/info/{pkg}.list").write_text("\n".join(files) + "\n")
        for f in files:
            owner.setdefault(f, pkg)
        packages[pkg] = {"version": ver, "library": runtime[pkg], "library_version": upstream(ver),
                         "multi_arch": fields.get("Multi-Arch", "")}
    (root / "var/lib/dpkg/status").write_text("\n\n".join(status) + "\n")
    for rel, text in LD_SO_CONF.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    bindir = root / IMAGE_BIN
    bindir.mkdir(parents=True, exist_ok=True)
    dirs = ld_search_dirs()
    truth = {"image": f"{GROUP}/{IMAGE_DIR}/docker-archive.tar", "repo_tag": IMAGE_TAG,
             "ld_search_dirs": dirs, "packages": packages, "consumers": [], "files": {}}
    for fid, (lib, src) in sorted(consumers.items()):
        if not src.is_file():
            cl.die(f"image: {src} missing (fixture {fid} not built)")
        shutil.copyfile(src, bindir / fid)
        (bindir / fid).chmod(0o755)
        dyn = cl.run(["readelf", "-dW", src]).stdout
        if re.search(r"\((RPATH|RUNPATH)\)", dyn):
            cl.die(f"image: {fid} has a DT_RPATH/DT_RUNPATH; the resolution here assumes none")
        loads, unresolved = [], []
        for name in needed(src):
            found = next((f"{d}/{name}" for d in dirs if in_root(root, f"{d}/{name}")), None)
            if found is None:
                unresolved.append(name)  # libc.so.6: the image carries no libc
                continue
            target = in_root(root, found)
            target_path = "/" + target.relative_to(root).as_posix()
            pkg = owner.get(found)
            if pkg is None or owner.get(target_path) != pkg:
                cl.die(f"image: {fid}: {name} -> {found} ({target_path}) is not one package's file")
            loads.append({"library": runtime[pkg], "version": upstream(DEBS[NEG_SUITE][pkg][0]),
                          "file": found, "target": target_path, "package": pkg, "soname": name})
        if sorted({x["library"] for x in loads}) != [lib]:
            cl.die(f"image: {fid} resolves to {loads}, expected {lib} only")
        truth["consumers"].append({"id": fid, "path": f"/{IMAGE_BIN}/{fid}", "library": lib,
                                   "loads": loads, "unresolved": unresolved})
    for f, pkg in sorted(owner.items()):
        p = root / f.lstrip("/")
        if p.is_file() and not p.is_symlink() and p.read_bytes()[:4] == b"\x7fELF":
            truth["files"][f] = pkg
    normalize_modes(root)
    docker_archive(debian_recipe.tar_rootfs(root, tmp), tmp / "docker-archive.tar", IMAGE_TAG)
    (tmp / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")
    (tmp / ".stamp").write_text(key)
    cl.swap_in(tmp, idir)
    cl.log(f"built {IMAGE_DIR}/docker-archive.tar ({len(consumers)} consumers, "
           f"{len(packages)} packages, {len(truth['files'])} ELF files of packages)")
    return True


def build_neg_strings(b: Builder, tc: dict) -> None:
    src = SRC / "neg-strings.c"
    flags = ["-static", *CFLAGS]
    fid = "bundled-neg-strings-static"
    rel = "neg/strings"
    key = c_recipe.key_of(RECIPE_VERSION, "neg-strings", tc, flags, cl.sha256_file(src))

    def link(tmp: Path) -> dict:
        with tempfile.TemporaryDirectory() as t:
            mapf = Path(t) / "link.map"
            cl.run(["gcc", *flags, "-o", tmp, src.name, f"-Wl,-Map={mapf}"], cwd=SRC)
            pulled = parse_map(mapf.read_text())
        foreign = [a for a in pulled if not re.search(r"/lib(c|gcc|gcc_eh)\.a$", a)]
        if foreign:
            cl.die(f"{fid}: pulled archives other than glibc/libgcc: {foreign}")
        libc = next((v for k, v in pulled.items() if k.endswith("/libc.a")), [])
        return {"resolver": "getaddrinfo.o" in libc, "nss": "nsswitch.o" in libc, "iconv": "iconv_open.o" in libc}

    info = b.build(fid, rel, key, link)
    truth = dict(static_truth(tc), links_resolver=info["resolver"], links_nss=info["nss"],
                 links_iconv=info["iconv"], bundled=[],
                 not_bundled=NEG_STRINGS_NAMES)
    recipe = (f"gcc {tc['gcc']} {' '.join(flags)} -o strings src/bundled/neg-strings.c "
              f"(host libc6-dev {tc['libc6-dev']}; messages only name libraries)")
    b.with_stripped(fid, rel, recipe, truth, key)


def fetch_rw(pin: dict) -> Path:
    if pin["kind"] == "pypi":
        return cl.pypi_wheel(pin["name"], pin["version"], pin["platform"], pin["sha256"])
    if shutil.which("npm") is None:
        cl.die(f"npm not found: needed to fetch {pin['name']}@{pin['version']}")
    return cl.npm_tarball(pin["name"], pin["version"], pin["sha256"])


def build_rw(b: Builder, pin: dict) -> None:
    rel = f"rw/{pin['id'][3:]}/{Path(pin['member']).name}"
    key = c_recipe.key_of(RECIPE_VERSION, {k: v for k, v in pin.items() if k != "note"})

    def extract(tmp: Path) -> dict:
        archive = fetch_rw(pin)
        for member, text in pin.get("package_files", {}).items():
            if text not in cl.read_member(archive, member).decode("utf-8", "replace"):
                cl.die(f"{pin['id']}: {member} in {archive.name} does not say {text!r}")
        data = cl.read_member(archive, pin["member"])
        if not data.startswith(b"\x7fELF"):
            cl.die(f"{pin['id']}: {pin['member']} in {archive.name} is not an ELF file")
        for lib, (ver, _, needles, _) in pin["bundled"].items():
            for n in needles:
                if n not in data:
                    cl.die(f"{pin['id']}: {lib} {ver}: {n!r} not found in {pin['member']}")
        tmp.write_bytes(data)
        tmp.chmod(0o755)
        return {}

    b.build(pin["id"], rel, key, extract)
    bundled = [{"library": lib, "version": ver, "via": via}
               for lib, (ver, via, _, _) in pin["bundled"].items()]
    source = "; ".join(f"{lib} {ver}: {why}" for lib, (ver, _, _, why) in pin["bundled"].items())
    source += "; maybe: " + "; ".join(f"{lib}: {why}" for lib, why in pin["maybe"].items())
    source += ". " + pin["note"]
    truth = dict(pin["truth"], bundled=bundled, bundled_maybe=sorted(pin["maybe"]),
                 truth_source=source)
    where = (f"PyPI wheel {pin['name']}=={pin['version']} ({pin['platform']})"
             if pin["kind"] == "pypi" else f"npm package {pin['name']}@{pin['version']}")
    b.add(pin["id"], rel, f"{where}, sha256 {pin['sha256']}: file {pin['member']}", truth,
          real_world=True)


def main() -> None:
    t0 = time.time()
    for tool in ("gcc", "strip", "readelf", "dpkg-deb", "apt-get"):
        if not shutil.which(tool):
            cl.die(f"{tool} not found on PATH")
    register_debs()
    tc = host_toolchain()
    b = Builder()
    for suite in SUITES:
        for lib in LIBRARIES:
            if (suite, lib) not in SKIP:
                build_static(b, tc, suite, lib)
    for lib in NEG_DYNAMIC:
        build_neg_dynamic(b, tc, lib)
    image_built = build_image(b)
    build_neg_strings(b, tc)
    for pin in RW:
        build_rw(b, pin)
    b.prune()
    m = cl.write_manifest(GROUP, b.fixtures)
    cl.log(f"{GROUP}: {len(b.fixtures)} fixtures ({b.built} built, {b.reused} up to date), image "
           f"{'built' if image_built else 'up to date'} -> {m} in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
