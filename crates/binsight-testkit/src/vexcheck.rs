//! `tools/vexcheck`: a Go program that loads an OpenVEX document with github.com/openvex/go-vex
//! (the library grype and trivy read VEX with, at the version grype pins) and checks that go-vex's
//! own matching finds the expected statements. [`vexcheck()`] builds it once into the cache,
//! [`run_vexcheck()`] runs it.
//!
//! The binary lives in `<cache>/tools/vexcheck-<hash>/vexcheck`, where `<cache>` is
//! `${BINSIGHT_CACHE:-${XDG_CACHE_HOME:-~/.cache}/binsight}` (the corpus's rule) and `<hash>` is
//! over the tool's `go.mod`, `go.sum` and `main.go`, so an edit rebuilds it. Go's module cache is
//! `<cache>/tools/gomodcache`: nothing is written into the clone. A missing `go` or a failed build
//! panics, naming what is missing: these checks fail loudly, never skip.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// The tool's source directory.
const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/vexcheck");

/// The files whose contents name the build.
const SOURCES: [&str; 3] = ["go.mod", "go.sum", "main.go"];

/// Where Go is looked for after `PATH`.
const GO_FALLBACK: &str = "/usr/local/go/bin/go";

/// What to do when Go is missing, for failure messages.
const GO_HINT: &str = "the machine's Go toolchain (Go 1.26 or later) is needed: install it into /usr/local/go \
     (the official Go tarball) or put `go` on PATH";

/// `${BINSIGHT_CACHE:-${XDG_CACHE_HOME:-~/.cache}/binsight}`: the cache root that
/// `binsight_corpus::corpus_dir()` puts the corpus under.
fn binsight_cache() -> PathBuf {
    if let Some(d) = std::env::var_os("BINSIGHT_CACHE") {
        return d.into();
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"));
    cache.join("binsight")
}

/// `go` on `PATH`, else [`GO_FALLBACK`]; panics when neither is a file.
fn find_go() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("go"))
        .find(|p| p.is_file());
    if let Some(p) = on_path {
        return p;
    }
    let fallback = PathBuf::from(GO_FALLBACK);
    assert!(fallback.is_file(), "vexcheck: `go` not found on PATH nor at {GO_FALLBACK}: {GO_HINT}");
    fallback
}

/// The first 16 hex digits of a SHA-256 over the tool's sources (each name, then its contents).
fn source_hash(src: &Path) -> String {
    let mut h = Sha256::new();
    for name in SOURCES {
        let p = src.join(name);
        let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("vexcheck source {}: {e}", p.display()));
        h.update(name.as_bytes());
        h.update([0]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    format!("{:x}", h.finalize())[..16].to_string()
}

/// The path of the `vexcheck` binary, built from `tools/vexcheck` into the cache on first use (once
/// per process; a binary already in the cache is reused). Panics, naming what to install, when Go
/// is missing or the build fails.
pub fn vexcheck() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(build).clone()
}

fn build() -> PathBuf {
    let src = PathBuf::from(SRC);
    let tools = binsight_cache().join("tools");
    let dir = tools.join(format!("vexcheck-{}", source_hash(&src)));
    let bin = dir.join("vexcheck");
    if bin.is_file() {
        return bin;
    }
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("vexcheck: create {}: {e}", dir.display()));
    let go = find_go();
    // A name of this process's own: test processes build in parallel; the rename is atomic.
    let tmp = dir.join(format!("vexcheck.tmp-{}", std::process::id()));
    let out = Command::new(&go)
        .args(["build", "-trimpath", "-o"])
        .arg(&tmp)
        .arg(".")
        .current_dir(&src)
        // -mod=mod: go.mod/go.sum decide, whatever the caller's GOFLAGS; -modcacherw: the module
        // cache stays deletable with a plain `rm -r`.
        .env("GOFLAGS", "-mod=mod -modcacherw")
        .env("GOWORK", "off")
        .env("GOTOOLCHAIN", "local")
        // Pure Go: no C compiler needed.
        .env("CGO_ENABLED", "0")
        .env("GOMODCACHE", tools.join("gomodcache"))
        .output()
        .unwrap_or_else(|e| panic!("vexcheck: run {}: {e}: {GO_HINT}", go.display()));
    if !out.status.success() {
        let _ = std::fs::remove_file(&tmp);
        panic!(
            "vexcheck: `{} build` in {} failed ({}): {}{}\n{GO_HINT}; its modules come from the Go module proxy \
             (the default GOPROXY), so the first build needs it",
            go.display(),
            src.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::rename(&tmp, &bin)
        .unwrap_or_else(|e| panic!("vexcheck: rename {} to {}: {e}", tmp.display(), bin.display()));
    bin
}

/// Run `vexcheck doc EXPECT` where EXPECT is `expect` (a JSON array of `{"vulnerability",
/// "product", "subcomponents"?, "status", "justification"?}`) written to a temporary file.
/// Returns whether it succeeded, and its stdout then stderr.
pub fn run_vexcheck(doc: &Path, expect: &serde_json::Value) -> (bool, String) {
    let bin = vexcheck();
    let mut f = tempfile::Builder::new()
        .prefix("vexcheck-expect-")
        .suffix(".json")
        .tempfile()
        .unwrap_or_else(|e| panic!("vexcheck: temporary file: {e}"));
    serde_json::to_writer_pretty(&mut f, expect).unwrap_or_else(|e| panic!("vexcheck: write expectations: {e}"));
    let out = Command::new(&bin)
        .arg(doc)
        .arg(f.path())
        .output()
        .unwrap_or_else(|e| panic!("vexcheck: run {}: {e}", bin.display()));
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}
