//! Bundled C libraries, against the corpus groups `bundled` (static C programs linked against
//! the `.a` files of three Debian releases' `-dev` packages, dynamic consumers and name-only
//! negatives, registry binaries) and `bundledsys` (a Rust program vendoring zlib, bzip2, zstd,
//! xz and SQLite through their `-sys` crates at two pin sets, plain, stripped and
//! cargo-auditable; Go programs with cgo SQLite at two `go-sqlite3` versions). Never a wrong
//! version, never a library the recipe did not link, and the version wherever the file holds
//! the library's own version data or names the crate that vendored it. The corpus must be built
//! (a missing group fails these tests).

use binsight_corpus::bundled::{false_bundled, scores, LibOutcome, LibScore};
use binsight_corpus::{corpus_dir, evaluate, load_manifest, FixtureResult};

fn results() -> Vec<FixtureResult> {
    let dir = corpus_dir();
    let mut m = load_manifest(&dir).unwrap_or_else(|e| panic!("{e:#}"));
    m.fixtures.retain(|f| f.path.starts_with("bundled/") || f.path.starts_with("bundledsys/"));
    for group in ["bundled/", "bundledsys/"] {
        let n = m.fixtures.iter().filter(|f| f.path.starts_with(group)).count();
        assert!(n >= 10, "only {n} fixtures under {group}: rebuild the corpus (corpus/build bundled bundledsys)");
    }
    assert!(m.fixtures.len() >= 40, "only {} fixtures", m.fixtures.len());
    evaluate(&dir, &m)
}

fn under<'s>(s: &'s [LibScore], results: &[FixtureResult], group: &str) -> Vec<&'s LibScore> {
    s.iter().filter(|x| results.iter().any(|r| r.fixture.id == x.id && r.fixture.path.starts_with(group))).collect()
}

/// Libraries whose only version data is a bare `1.5.4` string that nothing anchors (their
/// version functions return a literal): their version comes from a crate, else stays unknown.
const BARE_VERSION: [&str; 4] = ["zstd", "lz4", "xz", "nghttp2"];

#[test]
fn never_a_wrong_version_nor_a_library_that_is_not_linked() {
    let results = results();
    let s = scores(&results);
    assert!(s.len() >= 40, "want >= 40 expected libraries, have {}", s.len());
    let wrong: Vec<_> = s.iter().filter(|x| x.outcome == LibOutcome::Wrong).collect();
    assert!(wrong.is_empty(), "wrong versions: {wrong:#?}");
    let negatives = results.iter().filter(|r| r.fixture.truth.contains_key("not_bundled")).count();
    assert!(negatives >= 5, "want >= 5 negative fixtures, have {negatives}");
    let fp = false_bundled(&results);
    assert!(fp.is_empty(), "reported but not linked: {fp:#?}");
}

#[test]
fn static_c_programs_every_library_found_and_versions_exact() {
    let results = results();
    let s = scores(&results);
    let c = under(&s, &results, "bundled/");
    let missed: Vec<_> = c.iter().filter(|x| x.outcome == LibOutcome::Missed).collect();
    assert!(missed.is_empty(), "libraries linked but not reported: {missed:#?}");
    let carries: Vec<_> = c.iter().filter(|x| !BARE_VERSION.contains(&x.library.as_str())).collect();
    let exact = carries.iter().filter(|x| x.outcome == LibOutcome::Exact).count();
    assert!(exact * 10 >= carries.len() * 9, "exact {exact} of {}: {carries:#?}", carries.len());
}

#[test]
fn rust_and_go_builds_get_versions_from_the_library_or_its_crate() {
    let results = results();
    let s = scores(&results);
    let sys = under(&s, &results, "bundledsys/");
    assert!(sys.len() >= 30, "{} expected libraries in bundledsys", sys.len());
    for x in &sys {
        let auditable = x.id.contains("auditable");
        // SQLite keeps its source id and bzip2 its dated version string in every build; with
        // cargo-auditable data, every crate names the release it vendors.
        if auditable || x.library == "sqlite" || x.library == "bzip2" {
            assert_eq!(x.outcome, LibOutcome::Exact, "{x:?}");
        }
    }
    let go: Vec<_> = sys.iter().filter(|x| x.id.contains("-go-")).collect();
    assert!(go.len() >= 4 && go.iter().all(|x| x.outcome == LibOutcome::Exact), "{go:#?}");
}
