//! Distro-built binaries (corpus group `debian`: Debian bookworm's own .debs, truth from their
//! control fields): crates from Debian's registry paths, rustc from its std source paths, Go
//! builds without module lines, static glibc versions. The corpus must be built (a missing
//! group fails these tests).

use binsight_corpus::distro::{crate_scores, go_scores};
use binsight_corpus::{corpus_dir, evaluate, load_manifest, FixtureResult, Outcome};
use binsight_model::Completeness;

fn debian_results() -> Vec<FixtureResult> {
    let dir = corpus_dir();
    let mut m = load_manifest(&dir).unwrap_or_else(|e| panic!("{e:#}"));
    m.fixtures.retain(|f| f.path.starts_with("debian/"));
    assert!(
        m.fixtures.len() >= 13,
        "only {} debian fixtures: rebuild the corpus (corpus/build debian)",
        m.fixtures.len()
    );
    evaluate(&dir, &m)
}

#[test]
fn debian_rust_crates_are_found_from_registry_paths_with_no_false_crate() {
    let results = debian_results();
    let scores = crate_scores(&results);
    assert!(scores.len() >= 5, "want >= 5 Debian Rust programs, have {}", scores.len());
    let (paths, found): (usize, usize) = scores.iter().fold((0, 0), |(p, f), s| (p + s.paths, f + s.paths_found));
    for s in &scores {
        assert!(s.false_crates.is_empty(), "{}: crates Debian's build does not name: {:?}", s.id, s.false_crates);
        assert!(s.paths_found * 10 >= s.paths * 9, "{}: {} of {} path crates", s.id, s.paths_found, s.paths);
    }
    assert!(found * 10 >= paths * 9, "recall vs paths {found}/{paths}");
}

#[test]
fn debian_go_builds_without_module_lines_are_never_complete() {
    let results = debian_results();
    let scores = go_scores(&results);
    assert!(scores.len() >= 5, "want >= 5 Debian Go programs, have {}", scores.len());
    for s in &scores {
        assert!(s.dep_lines > 0 || s.completeness != Completeness::Complete, "{}: complete without module lines", s.id);
        // Modules named from the pclntab: most of what Built-Using lists (by Debian's naming
        // habit, which some packages do not follow).
        assert!(s.built_using_found * 2 >= s.built_using, "{}: {} of {}", s.id, s.built_using_found, s.built_using);
    }
}

#[test]
fn debian_versions_are_right_or_honest_ranges() {
    let results = debian_results();
    let mut checked = 0;
    for r in &results {
        for (field, outcome) in &r.outcomes {
            if !["rustc_version", "go_version", "libc_version"].contains(field) {
                continue;
            }
            checked += 1;
            match outcome {
                Outcome::Correct => {}
                // Static glibc without a version string: a range containing the truth.
                Outcome::Range(_) if *field == "libc_version" => {}
                other => panic!("{} {field}: {other:?}", r.fixture.id),
            }
        }
    }
    assert!(checked >= 15, "only {checked} versions checked");
}
