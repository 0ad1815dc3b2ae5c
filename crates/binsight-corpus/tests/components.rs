//! Component recovery on the corpus (issue 4): Go build info agrees with Go's own
//! `go version -m` on every Go fixture; crates recovered from source paths are all in the
//! fixture's Cargo.lock (precision 100%); cargo-auditable lists match the Cargo.lock.
//! The corpus (and Debian's golang-go, which its Go recipe installs) must be there: a missing
//! one fails these tests.

use std::collections::BTreeSet;
use std::process::Command;

use binsight_corpus::{corpus_dir, crate_scores, evaluate, go_scores, load_manifest, render_components};

#[test]
fn go_build_info_agrees_with_go_version_m() {
    let dir = corpus_dir();
    let m = load_manifest(&dir).unwrap_or_else(|e| panic!("{e:#}"));
    let results = evaluate(&dir, &m);
    let mut checked = 0;
    for r in &results {
        if !r.fixture.truth.contains_key("go_version")
            && r.fixture.truth.get("toolchain").and_then(|t| t.as_str()) != Some("go")
        {
            continue;
        }
        let rep = r.report.as_ref().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join(&r.fixture.path);
        let out = Command::new("go").arg("version").arg("-m").arg(&path).output().unwrap_or_else(|e| {
            panic!("`go` is needed to cross-check Go build info (apt-get install golang-go; corpus/build installs it): {e}")
        });
        if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("could not read Go build info") {
            // A Go binary built without the build-info blob (esbuild 0.28.2 for arm64): Go's
            // tool reads nothing; binsight must say where its version came from and claim no
            // complete module list.
            let go = rep.toolchain.go.as_ref().unwrap_or_else(|| panic!("{}: Go not identified", r.fixture.id));
            assert_eq!(go.evidence[0].signal, "go-runtime-version", "{}", r.fixture.id);
            assert_ne!(rep.components_completeness, binsight_model::Completeness::Complete, "{}", r.fixture.id);
            continue;
        }
        assert!(out.status.success(), "go version -m {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        let go = rep.toolchain.go.as_ref().unwrap_or_else(|| panic!("{}: no Go build info found", r.fixture.id));
        // First line: "<file>: go1.19.8"
        let version = text.lines().next().and_then(|l| l.rsplit(": ").next()).unwrap_or("");
        assert_eq!(go.version, version.trim(), "{}", r.fixture.id);
        let mut want_deps = BTreeSet::new();
        let mut want_settings = Vec::new();
        let mut want_path = None;
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.trim_start().split('\t').collect();
            match f.as_slice() {
                ["path", p] => want_path = Some(p.to_string()),
                ["dep", p, v, ..] => {
                    want_deps.insert(format!("{p}@{v}"));
                }
                ["build", kv] => {
                    if let Some((k, v)) = kv.split_once('=') {
                        want_settings.push((k.to_string(), v.to_string()));
                    }
                }
                _ => {}
            }
        }
        assert_eq!(go.path, want_path, "{}", r.fixture.id);
        assert_eq!(go.settings, want_settings, "{}", r.fixture.id);
        let got: BTreeSet<String> = rep
            .components
            .iter()
            // Modules named from the pclntab (builds without module lines) are not build info.
            .filter(|c| c.kind.as_str() == "go-module" && !c.root && c.found_by == "go-buildinfo")
            .flat_map(|c| {
                // Compare the module as required (the dep line), not its replacement.
                let replaced = c.evidence.iter().find(|e| e.signal == "go-replace");
                match replaced {
                    Some(e) => e.detail.split(" => ").next().map(|s| s.replacen(' ', "@", 1)),
                    None => Some(format!("{}@{}", c.name, c.version.clone().unwrap_or_default())),
                }
            })
            .collect();
        assert_eq!(got, want_deps, "{}", r.fixture.id);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} Go fixtures cross-checked");
}

#[test]
fn crates_and_modules_against_the_recipes() {
    let dir = corpus_dir();
    let m = load_manifest(&dir).unwrap_or_else(|e| panic!("{e:#}"));
    let results = evaluate(&dir, &m);
    println!("{}", render_components(&dir, &results));
    let cs = crate_scores(&results);
    assert!(!cs.is_empty(), "no fixture records its Cargo.lock crates (corpus/recipes/deps.py)");
    for c in &cs {
        assert!(c.false_positives.is_empty(), "{}: crates not in Cargo.lock: {:?}", c.id, c.false_positives);
        if c.method == "cargo-auditable" {
            assert_eq!(c.recalled, c.truth_linked, "{}: cargo-auditable list incomplete", c.id);
        }
    }
    assert!(cs.iter().any(|c| c.method == "cargo-auditable"), "no cargo-auditable fixture");
    assert!(cs.iter().any(|c| c.method == "panic-path"), "no fixture without cargo-auditable");
    for g in go_scores(&dir, &results) {
        assert!(g.matches_recipe, "{}: {:?}", g.id, g.diff);
        assert_ne!(g.matches_go_tool, Some(false), "{}: {:?}", g.id, g.diff);
    }
}
