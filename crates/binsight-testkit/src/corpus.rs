//! The ground-truth corpus, built into the cache by `corpus/build` (run by `scripts/test.sh`):
//! `$BINSIGHT_CORPUS_DIR`, else `${BINSIGHT_CACHE:-${XDG_CACHE_HOME:-~/.cache}/binsight}/corpus`.
//! A missing fixture is a failed test that says what to run, never a skipped one.

use std::path::PathBuf;

/// How to get the corpus, for failure messages.
pub const BUILD_HINT: &str = "build the corpus: scripts/test.sh (or corpus/build)";

/// The corpus directory (it may not exist yet).
pub fn dir() -> PathBuf {
    binsight_corpus::corpus_dir()
}

/// A corpus file by its path under the corpus directory, e.g. `rust/1.95.0/x86_64-musl/hello`.
pub fn file(rel: &str) -> PathBuf {
    let p = dir().join(rel);
    assert!(p.is_file(), "{} missing: {BUILD_HINT}", p.display());
    p
}

/// The bytes of [`file()`].
pub fn read(rel: &str) -> Vec<u8> {
    let p = file(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A fixture of the corpus manifest by id, e.g. `vuln-rust-1.95.0-x86_64-musl-auditable`.
pub fn fixture(id: &str) -> PathBuf {
    let d = dir();
    let m = binsight_corpus::load_manifest(&d).unwrap_or_else(|e| panic!("{e:#}: {BUILD_HINT}"));
    let f = m
        .fixtures
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("fixture {id} is not in {}/manifest.json: {BUILD_HINT}", d.display()));
    let p = d.join(&f.path);
    assert!(p.is_file(), "{} (fixture {id}) missing: {BUILD_HINT}", p.display());
    p
}

/// The manifest path of the fixture `id` (relative to [`dir`]).
pub fn fixture_rel(id: &str) -> String {
    let p = fixture(id);
    p.strip_prefix(dir()).unwrap_or(&p).display().to_string()
}
