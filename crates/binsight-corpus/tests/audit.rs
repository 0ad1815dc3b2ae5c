//! Audit on corpus fixtures: libc advisories with applicability and backports, crate and Go
//! advisories from the shared OSV snapshot (read at test time from ../shared/osv).

use std::path::PathBuf;

use binsight_advisory::{audit, with_embedded, Database};
use binsight_corpus::{corpus_dir, load_manifest};
use binsight_model::{Applicability, BinaryReport, Component, LinkedFunction};

fn report(id: &str) -> BinaryReport {
    let dir = corpus_dir();
    let m = load_manifest(&dir).unwrap_or_else(|e| panic!("{e:#}"));
    let f =
        m.fixtures.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("fixture {id} missing: rebuild the corpus"));
    let data = std::fs::read(dir.join(&f.path)).expect("read fixture");
    binsight_detect::analyze_file(&f.path, &data, &without_go_functions()).expect("analyse")
}

/// Detection without the Go function index: Go reachability is then never claimed.
fn without_go_functions() -> binsight_detect::Options {
    binsight_detect::Options { go_functions: false, ..Default::default() }
}

fn finding<'a>(r: &'a BinaryReport, cve: &str) -> Option<&'a binsight_model::Finding> {
    r.findings.as_ref().and_then(|f| f.iter().find(|x| x.aliases.iter().any(|a| a == cve)))
}

#[test]
fn rust_before_1_93_musl_without_iconv_is_not_linked_and_with_iconv_must_rebuild() {
    let db = with_embedded(Database::default());
    // Rust 1.85 (musl 1.2.3, no backports), unstripped: symbols show iconv is not linked.
    let mut r = report("rust-1.85.0-x86_64-musl-hello");
    assert_eq!(r.libc.version.as_ref().map(ToString::to_string).as_deref(), Some("1.2.3"));
    audit(&mut r, &db);
    let f = finding(&r, "CVE-2025-26519").expect("CVE-2025-26519 listed");
    assert_eq!(f.applicability, Applicability::NotLinked);
    assert!(finding(&r, "CVE-2020-28928").is_none(), "1.2.3 has the wcsnrtombs fix");
    // The iconv program of the same toolchain links musl's iconv: affected, rebuild.
    let mut r2 = report("rust-1.85.0-x86_64-musl-iconv");
    audit(&mut r2, &db);
    assert_eq!(finding(&r2, "CVE-2025-26519").map(|f| f.applicability), Some(Applicability::Affected));
    let v = r2.verdict.as_ref().expect("verdict");
    assert_eq!(v.action.as_str(), "rebuild");
    // CVE-2026-6042 (also iconv) is fixed only from Rust 1.95: that is the rebuild to ask for.
    assert_eq!(v.fix.iter().map(ToString::to_string).collect::<Vec<_>>(), ["rebuild with Rust >= 1.95"]);
    // Stripped, iconv's charset table shows iconv code may be there, but not which function:
    // unknown, not a guess.
    let mut r3 = report("rust-1.85.0-x86_64-musl-iconv-stripped");
    audit(&mut r3, &db);
    assert_eq!(finding(&r3, "CVE-2025-26519").map(|f| f.applicability), Some(Applicability::Unknown));
    assert_eq!(r3.verdict.as_ref().map(|v| v.action.as_str()), Some("unknown"));
}

#[test]
fn backports_of_rust_1_95_clear_the_musl_findings() {
    let db = with_embedded(Database::default());
    let mut r = report("rust-1.95.0-x86_64-musl-hello");
    audit(&mut r, &db);
    // The version is affected, the build is not: `fixed`, with the backport as evidence (what
    // OpenVEX output states as `fixed`), never a reason to rebuild.
    for cve in ["CVE-2025-26519", "CVE-2026-6042", "CVE-2026-40200"] {
        let f = finding(&r, cve).unwrap_or_else(|| panic!("{cve} listed"));
        assert_eq!(f.applicability, Applicability::Fixed, "{cve} should be fixed by the toolchain's backport");
        assert!(f.evidence.iter().any(|e| e.signal == "backport"), "{f:?}");
    }
    assert_eq!(r.verdict.as_ref().map(|v| v.action.as_str()), Some("ok"));
    let v = r.verdict.as_ref().expect("verdict");
    assert!(v.reasons.iter().any(|x| x.contains("CVE-2026-40200") && x.contains("backport")), "{v:?}");
}

#[test]
fn stripped_without_fingerprint_is_unknown() {
    let db = with_embedded(Database::default());
    let mut r = report("rust-1.85.0-x86_64-musl-hello-stripped");
    audit(&mut r, &db);
    // qsort has no fingerprint yet: a stripped binary cannot say.
    assert_eq!(finding(&r, "CVE-2026-40200").map(|f| f.applicability), Some(Applicability::Unknown));
    // iconv has one: not linked even though stripped.
    assert_eq!(finding(&r, "CVE-2025-26519").map(|f| f.applicability), Some(Applicability::NotLinked));
    assert_eq!(r.verdict.as_ref().map(|v| v.action.as_str()), Some("unknown"));
    let _ = LinkedFunction { name: String::new(), present: None };
}

#[test]
fn vulnerable_crate_from_the_osv_snapshot() {
    let osv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv/crates.io");
    assert!(osv.is_dir(), "OSV snapshot expected at {}", osv.display());
    let (db, warnings) = Database::load(&[&osv]);
    assert!(warnings.is_empty());
    let db = with_embedded(db);
    let plant = |r: &mut BinaryReport, name: &str, version: &str| {
        r.components.push(Component {
            name: name.into(),
            version: Some(version.into()),
            purl: Some(format!("pkg:cargo/{name}@{version}")),
            cpe: None,
            kind: binsight_model::ComponentKind::RustCrate,
            found_by: "cargo-auditable".into(),
            source: Some("crates.io".into()),
            root: false,
            build_only: false,
            bundle: None,
            evidence: vec![],
        })
    };
    // An unmaintained crate (RUSTSEC-2016-0006: cassandra) is a warning, not a reason to rebuild.
    let mut r = report("deps-rust-1.95.0-x86_64-musl-auditable");
    plant(&mut r, "cassandra", "0.8.1");
    audit(&mut r, &db);
    let f = r.findings.as_ref().and_then(|f| f.iter().find(|x| x.id == "RUSTSEC-2016-0006")).expect("finding");
    assert_eq!(
        (f.installed.as_str(), f.informational.as_ref().map(binsight_model::Informational::as_str)),
        ("0.8.1", Some("unmaintained"))
    );
    let v = r.verdict.as_ref().expect("verdict");
    assert_eq!(v.action.as_str(), "ok", "{v:?}");
    assert!(v.reasons.iter().any(|x| x.contains("cassandra 0.8.1 is unmaintained")), "{v:?}");
    // A vulnerable version (RUSTSEC-2021-0003: smallvec 1.6.0, fixed 0.6.14 and 1.6.1) is.
    plant(&mut r, "smallvec", "1.6.0");
    audit(&mut r, &db);
    let v = r.verdict.as_ref().expect("verdict");
    assert_eq!(v.action.as_str(), "rebuild");
    assert!(v.fix.iter().any(|x| x.to_string() == "update crate smallvec to >= 1.6.1 then rebuild"), "{v:?}");
}

#[test]
fn rust_standard_library_advisories_match_the_rustc_version() {
    let db = with_embedded(Database::default());
    // Rust 1.69's std has every RustSec std fix (the newest is 1.58.1): no std finding.
    let mut r = report("rust-1.69.0-x86_64-musl-hello");
    audit(&mut r, &db);
    assert!(r.findings.iter().flatten().all(|f| f.component != "rust-std"), "{:?}", r.findings);
    // The same binary claimed by an older rustc: CVE-2022-21658 (remove_dir_all, fixed 1.58.1).
    let mut old = report("rust-1.69.0-x86_64-musl-hello");
    for c in &mut old.components {
        if c.kind.as_str() == "rust-std" {
            c.version = Some("1.57.0".into());
        }
    }
    audit(&mut old, &db);
    let f = finding(&old, "CVE-2022-21658").expect("std finding");
    assert_eq!(f.component, "rust-std");
    assert_eq!(f.fixed, ["1.58.1"]);
    // The function-level check for std is not done: it is reported as unknown, not affected.
    assert_eq!(f.applicability, Applicability::Unknown);
}

#[test]
fn vulnerable_crates_fixture_findings_equal_the_recipe() {
    let osv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv/crates.io");
    let (db, _) = Database::load(&[&osv]);
    let db = with_embedded(db);
    let dir = corpus_dir();
    let m = load_manifest(&dir).unwrap_or_else(|e| panic!("{e:#}"));
    let fixtures: Vec<_> = m.fixtures.iter().filter(|f| f.truth.contains_key("vulnerable")).collect();
    assert!(fixtures.len() >= 2, "no vulnerable-crate fixtures (corpus/recipes/vuln.py)");
    for f in fixtures {
        let mut r = report(&f.id);
        audit(&mut r, &db);
        let want: std::collections::BTreeSet<String> = f.truth["vulnerable"]
            .as_array()
            .expect("list")
            .iter()
            .map(|v| {
                format!(
                    "{}@{} {}",
                    v["crate"].as_str().unwrap_or(""),
                    v["version"].as_str().unwrap_or(""),
                    v["advisory"].as_str().unwrap_or("")
                )
            })
            .collect();
        let got: std::collections::BTreeSet<String> = r
            .findings
            .iter()
            .flatten()
            .filter(|x| x.id.starts_with("RUSTSEC-"))
            .map(|x| format!("{}@{} {}", x.component, x.installed, x.id))
            .collect();
        assert_eq!(got, want, "{}", f.id);
        assert_eq!(r.verdict.as_ref().map(|v| v.action.as_str()), Some("rebuild"), "{}", f.id);
        // Never "not linked" for a crate's function: the `-debug` fixtures (DWARF at
        // debug = "limited") call `bumpalo::collections::vec::Vec::into_iter` (truth "calls"),
        // yet neither a symbol nor the debug information names it; the `partial` programs call
        // none of the named functions, and binsight still cannot tell that soundly.
        let calls: Vec<&str> =
            f.truth.get("calls").and_then(|c| c.as_array()).into_iter().flatten().filter_map(|c| c.as_str()).collect();
        for x in r.findings.iter().flatten().filter(|x| x.id.starts_with("RUSTSEC-")) {
            assert_eq!(x.applicability, Applicability::Affected, "{} {} (calls {calls:?})", f.id, x.id);
        }
        // Severity comes from the record's CVSS vector (RUSTSEC-2021-0003: 9.8, critical).
        let smallvec = r.findings.iter().flatten().find(|x| x.id == "RUSTSEC-2021-0003").expect("smallvec finding");
        assert_eq!(smallvec.severity.map(binsight_model::Severity::as_str), Some("critical"));
    }
}

#[test]
fn go_findings_look_at_the_binary_function_names_and_platform() {
    let osv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv/Go");
    let (db, _) = Database::load(&[&osv]);
    let db = with_embedded(db);
    let dir = corpus_dir();
    let m = load_manifest(&dir).unwrap_or_else(|e| panic!("{e:#}"));
    let f = m.fixtures.iter().find(|f| f.id == "rw-esbuild-0.25.0-x64").expect("esbuild fixture");
    let data = std::fs::read(dir.join(&f.path)).expect("read");
    let mut r = binsight_detect::analyze_file(&f.path, &data, &Default::default()).expect("analyse");
    binsight_advisory::audit(&mut r, &db);
    let by_id = |id: &str| r.findings.iter().flatten().find(|x| x.id == id).cloned();
    // GO-2025-3447 only affects crypto/internal/nistec on ppc64le; this is an amd64 build.
    let ppc = by_id("GO-2025-3447").expect("GO-2025-3447 matched by version");
    assert_eq!(ppc.applicability, Applicability::NotLinked, "{ppc:?}");
    // Every stdlib finding is decided from the function names, none left unknown.
    assert!(r
        .findings
        .iter()
        .flatten()
        .filter(|x| x.component == "stdlib")
        .all(|x| x.applicability != Applicability::Unknown));
    // Without the function index, stdlib reachability is not claimed.
    let mut r2 = binsight_detect::analyze_file(&f.path, &data, &without_go_functions()).expect("analyse");
    audit(&mut r2, &db);
    assert!(r2
        .findings
        .iter()
        .flatten()
        .filter(|x| x.component == "stdlib")
        .all(|x| x.applicability == Applicability::Unknown));
}

/// An empty local database: what a fresh install has.
fn fresh_install_db() -> (Database, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("tempdir");
    let (db, warnings) = binsight_advisory::load_for_audit(data.path(), &[]);
    assert!(warnings.is_empty(), "{warnings:?}");
    (db, data)
}

#[test]
fn a_fresh_install_finds_the_recipe_vulnerable_crates_from_the_embedded_snapshot() {
    let (db, _data) = fresh_install_db();
    let snap = binsight_advisory::snapshot::info();
    let dir = corpus_dir();
    let m = load_manifest(&dir).unwrap_or_else(|e| panic!("{e:#}"));
    let fixtures: Vec<_> = m.fixtures.iter().filter(|f| f.truth.contains_key("vulnerable")).collect();
    assert!(fixtures.len() >= 2, "no vulnerable-crate fixtures (corpus/recipes/vuln.py)");
    for f in fixtures {
        let mut r = report(&f.id);
        audit(&mut r, &db);
        // Truth: the recipe's advisories, derived from shared/osv (the snapshot's source).
        let want: std::collections::BTreeSet<String> = f.truth["vulnerable"]
            .as_array()
            .expect("list")
            .iter()
            .map(|v| v["advisory"].as_str().unwrap_or("").to_string())
            .collect();
        let got: std::collections::BTreeSet<String> =
            r.findings.iter().flatten().filter(|x| x.id.starts_with("RUSTSEC-")).map(|x| x.id.clone()).collect();
        assert_eq!(got, want, "{}", f.id);
        let v = r.verdict.as_ref().expect("verdict");
        assert_eq!(v.action.as_str(), "rebuild", "{}: {v:?}", f.id);
        let crates_io = v.data.iter().find(|d| d.ecosystem == "crates.io").expect("crates.io data named");
        assert_eq!(crates_io.source, "snapshot");
        let date = snap.ecosystems.iter().find(|e| e.ecosystem == "crates.io").map(|e| e.date.clone());
        assert_eq!(crates_io.date, date);
    }
}

#[test]
fn without_advisory_data_for_an_ecosystem_the_verdict_is_unknown_never_ok() {
    // Built-in advisories only (musl, Rust std): crates.io is not covered.
    let db = with_embedded(Database::default());
    let id = "vuln-rust-1.95.0-x86_64-musl-auditable";
    let mut r = report(id);
    assert!(r.components.iter().any(|c| c.kind.as_str() == "rust-crate"), "{id} has crates");
    audit(&mut r, &db);
    let v = r.verdict.as_ref().expect("verdict");
    assert_eq!(v.action.as_str(), "unknown", "{v:?}");
    assert!(
        v.reasons.iter().any(|x| x.contains("no advisories for crates.io loaded") && x.contains("binsight db update")),
        "{v:?}"
    );
    assert!(v.data.iter().all(|d| d.ecosystem != "crates.io"), "{v:?}");
}

#[test]
fn a_go_program_and_its_local_replacements_are_never_a_reason_for_unknown() {
    let dir = corpus_dir();
    let m = load_manifest(&dir).unwrap_or_else(|e| panic!("{e:#}"));
    // deps-go replaces example.com/greeting with ./localmods/greeting (the recipe's go.mod).
    let f = m
        .fixtures
        .iter()
        .find(|f| {
            f.id.starts_with("deps-go-")
                && f.truth.get("go_modules").and_then(|v| v.as_array()).is_some_and(|mods| {
                    mods.iter().any(|m| m["replace"].is_object() && m["replace"]["version"].is_null())
                })
        })
        .expect("a deps-go fixture with a directory replacement");
    let data = std::fs::read(dir.join(&f.path)).expect("read");
    let mut r = binsight_detect::analyze_file(&f.path, &data, &Default::default()).expect("analyse");
    assert!(r.components.iter().any(|c| c.name.starts_with("./")), "local replacement reported as a component");
    let (db, _data) = fresh_install_db();
    binsight_advisory::audit(&mut r, &db);
    let v = r.verdict.as_ref().expect("verdict");
    let main = f.truth["go_main"].as_str().expect("go_main");
    for reason in &v.reasons {
        assert!(!reason.contains("./localmods"), "{reason}");
        assert!(!reason.starts_with(main), "{reason}");
    }
    assert!(v.data.iter().any(|d| d.ecosystem == "Go" && d.source == "snapshot"), "{v:?}");
    // Without Go data the same binary is unknown, and the reason says which data is missing.
    let mut r2 = binsight_detect::analyze_file(&f.path, &data, &Default::default()).expect("analyse");
    binsight_advisory::audit(&mut r2, &with_embedded(Database::default()));
    let v2 = r2.verdict.as_ref().expect("verdict");
    assert_eq!(v2.action.as_str(), "unknown");
    assert!(v2.reasons.iter().any(|x| x.contains("no advisories for Go loaded")), "{v2:?}");
}

#[test]
fn imported_data_supersedes_the_snapshot_for_its_ecosystem_only() {
    let data = tempfile::tempdir().expect("tempdir");
    let src = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        src.path().join("X-1.json"),
        r#"{"id":"X-1","modified":"2026-11-30T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"foo"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}"#,
    )
    .expect("write");
    binsight_advisory::store::import(data.path(), "crates.io", src.path()).expect("import");
    let (db, _) = binsight_advisory::load_for_audit(data.path(), &[]);
    let origins = |eco: &str| db.sources_for(eco).map(|s| s.origin.to_string()).collect::<Vec<_>>();
    assert_eq!(origins("crates.io"), ["db:crates.io"]);
    assert_eq!(origins("Go"), ["snapshot"]);
    assert_eq!(origins("musl"), ["binsight"]);
    // The snapshot's smallvec advisory is gone with it: the imported data is what counts.
    assert!(db.query("crates.io", "smallvec", "1.6.0").is_empty());
    assert_eq!(db.query("crates.io", "foo", "0.9.0").len(), 1);
}

#[test]
fn every_built_in_advisory_carries_the_cvss_vector_of_its_cve_record() {
    let tsv = include_str!("../../binsight-advisory/data/cve-severity.tsv");
    let vectors: std::collections::BTreeMap<&str, &str> = tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut it = l.split('\t');
            Some((it.next()?, it.next()?))
        })
        .collect();
    for a in binsight_advisory::embedded() {
        let cves: Vec<&String> = a.aliases.iter().filter(|x| x.starts_with("CVE-")).collect();
        assert!(!cves.is_empty(), "{} has no CVE alias", a.id);
        let scores: Vec<&str> = a.severity.iter().map(|s| s.score.as_str()).collect();
        for c in cves {
            let v = vectors.get(c.as_str()).unwrap_or_else(|| panic!("{c} missing from cve-severity.tsv"));
            if *v == "-" {
                // No CVSS v3 vector in the records read: the advisory claims none either.
                assert!(a.severity.iter().all(|s| s.kind != "CVSS_V3"), "{}: a vector {c}'s records lack", a.id);
                continue;
            }
            assert!(scores.contains(v), "{}: {scores:?} lacks {c}'s {v}", a.id);
        }
    }
}

#[test]
fn the_fix_names_the_toolchain_that_linked_the_libc() {
    let db = with_embedded(Database::default());
    let fixes = |r: &BinaryReport| -> Vec<String> {
        r.verdict.as_ref().expect("verdict").fix.iter().map(ToString::to_string).collect()
    };
    // Rust code linked by zig (cargo-zigbuild, or a Rust library inside a Go cgo binary): the
    // musl is zig's, so the rebuild is zig's, never Rust's.
    let mut r = report("rust-1.85.0-x86_64-musl-iconv");
    r.toolchain.cc.push(binsight_model::Compiler {
        name: "zig".into(),
        version: Some("0.10.1".into()),
        vendor: None,
        evidence: vec![],
    });
    audit(&mut r, &db);
    let f = fixes(&r);
    assert!(f.contains(&"rebuild with zig >= 0.14.0".to_string()), "{f:?}");
    assert!(f.iter().all(|x| !x.contains("Rust")), "{f:?}");
    assert!(f.iter().any(|x| x.contains("its musl came with zig")), "{f:?}");
    // No toolchain known: the fix says so instead of naming one.
    let mut r = report("rust-1.85.0-x86_64-musl-iconv");
    r.toolchain.rustc = None;
    r.toolchain.cc.clear();
    audit(&mut r, &db);
    let f = fixes(&r);
    assert!(
        f.iter().all(|x| x.starts_with("rebuild against") && x.contains("the toolchain that linked it is unknown")),
        "{f:?}"
    );
}

#[test]
fn a_zig_linked_go_binary_with_rust_inside_is_rebuilt_with_zig() {
    // turbo 1.10.8's Go half: zig 0.10.1 linked it (musl 1.2.3); a Rust library is inside.
    let db = with_embedded(Database::default());
    let mut r = report("rw-turbo-1.10.8-go-turbo-x64");
    assert!(r.toolchain.cc.iter().any(|c| c.name == "zig"), "{:?}", r.toolchain.cc);
    assert!(r.toolchain.rustc.is_some() && r.toolchain.go.is_some());
    let dns_fix = r.dns.fix.as_ref().map(ToString::to_string).unwrap_or_default();
    assert!(dns_fix.starts_with("rebuild with zig"), "{dns_fix}");
    audit(&mut r, &db);
    let fixes: Vec<String> = r.verdict.as_ref().expect("verdict").fix.iter().map(ToString::to_string).collect();
    assert!(fixes.iter().all(|f| !f.contains("Rust")), "{fixes:?}");
    assert!(finding(&r, "CVE-2026-40200").is_some(), "musl 1.2.3's qsort finding");
}

#[test]
fn a_bundled_openssl_gets_rustsecs_openssl_src_advisories_for_the_same_release() {
    let osv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv/crates.io");
    let (db, warnings) = Database::load(&[&osv]);
    assert!(warnings.is_empty());
    let db = with_embedded(db);
    // A C program statically linked against Debian bullseye's libcrypto.a (OpenSSL 1.1.1w):
    // its library read back as 1.1.1q, a release RustSec's openssl-src advisories cover.
    let mut r = report("bundled-bullseye-openssl-static");
    let c = r
        .components
        .iter_mut()
        .find(|c| c.kind == binsight_model::ComponentKind::CLibrary && c.name == "openssl")
        .expect("openssl found");
    assert_eq!(c.version.as_deref(), Some("1.1.1w"));
    c.version = Some("1.1.1q".into());
    let b = c.bundle.as_mut().expect("bundle");
    b.crate_coordinates = binsight_detect::bundled::crate_coordinates("openssl", "1.1.1q");
    assert!(!b.crate_coordinates.is_empty(), "openssl-src vendors 1.1.1q");
    audit(&mut r, &db);
    // RustSec's openssl-src record (CVE-2022-4304) applies to this non-Rust binary, its fixed
    // crate versions given as the OpenSSL releases they vendor.
    let f = finding(&r, "CVE-2022-4304").expect("RUSTSEC-2023-0007 through openssl-src");
    assert_eq!((f.id.as_str(), f.component.as_str(), f.installed.as_str()), ("RUSTSEC-2023-0007", "openssl", "1.1.1q"));
    assert!(f.fixed.contains(&"1.1.1t".to_string()), "{:?}", f.fixed);
    // A CVE both binsight and RustSec record is one finding, binsight's (it names the function).
    let f = finding(&r, "CVE-2023-0286").expect("CVE-2023-0286");
    assert_eq!(f.id, "BINSIGHT-OPENSSL-2023-0286");
    assert!(f.evidence.iter().any(|e| e.detail.starts_with("GENERAL_NAME_cmp")), "{:?}", f.evidence);
    assert_eq!(
        r.findings.as_ref().map(|v| v.iter().filter(|x| x.aliases.iter().any(|a| a == "CVE-2023-0286")).count()),
        Some(1)
    );
}
