//! The OSV snapshot in ../shared/osv (read at test time, never copied into the repo).

use std::path::PathBuf;

use binsight_advisory::range::Decision;
use binsight_advisory::Database;

fn shared_osv() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv");
    assert!(p.is_dir(), "the OSV snapshot is expected at {} (the project's shared/ folder)", p.display());
    p
}

#[test]
fn loads_the_snapshot_and_matches_by_semver() {
    let osv = shared_osv();
    let (db, warnings) = Database::load(&[&osv.join("crates.io"), &osv.join("Go")]);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(db.len() >= 1206 + 4000, "{} advisories", db.len());
    // RUSTSEC-2016-0006: cassandra < 0.8.2 (the record's own range is the ground truth).
    let ids = |v: &str| db.query("crates.io", "cassandra", v).iter().map(|m| m.advisory.id.clone()).collect::<Vec<_>>();
    assert!(ids("0.8.1").contains(&"RUSTSEC-2016-0006".to_string()));
    assert!(!ids("0.8.2").contains(&"RUSTSEC-2016-0006".to_string()));
    // Go module versions with a v prefix.
    let go = db.query("Go", "golang.org/x/sys", "v0.0.0-20220715151400-c0bba94af5f8");
    assert!(go.iter().all(|m| m.decision != Decision::NotAffected));
}

#[test]
fn every_fixed_version_is_not_affected_and_every_introduced_is() {
    // Property over the whole crates.io snapshot: for each single-window SEMVER range, the
    // introduced version is affected and the fixed version is not.
    let osv = shared_osv();
    let (db, _) = Database::load(&[&osv.join("crates.io")]);
    let mut checked = 0;
    for a in db.advisories.iter().filter(|a| a.withdrawn.is_none()) {
        for aff in &a.affected {
            let Some(p) = &aff.package else { continue };
            for r in aff.ranges.iter().filter(|r| r.kind == "SEMVER" && r.events.len() == 2) {
                let (Some(i), Some(f)) = (r.events[0].introduced.as_deref(), r.events[1].fixed.as_deref()) else {
                    continue;
                };
                let ids = |v: &str| db.query(&p.ecosystem, &p.name, v).iter().any(|m| m.advisory.id == a.id);
                let i = if i == "0" { "0.0.0" } else { i };
                // Another record sharing an alias may stand for it after merging: check by id or alias.
                let hit = |v: &str| {
                    ids(v)
                        || db
                            .query(&p.ecosystem, &p.name, v)
                            .iter()
                            .any(|m| m.advisory.ids().any(|x| a.ids().any(|y| x == y)))
                };
                assert!(hit(i), "{}: introduced {i} not affected", a.id);
                let others_cover_fixed =
                    aff.ranges.len() > 1 || a.affected.iter().filter(|x| x.package == aff.package).count() > 1;
                if !others_cover_fixed {
                    assert!(!ids(f), "{}: fixed {f} still affected", a.id);
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn malformed_and_withdrawn_records() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("bad.json"), "{ not json").expect("write");
    std::fs::write(d.path().join("noid.json"), r#"{"id": "", "affected": []}"#).expect("write");
    std::fs::write(
        d.path().join("w.json"),
        r#"{"id":"X-1","withdrawn":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"foo"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}"#,
    )
    .expect("write");
    std::fs::write(
        d.path().join("a.json"),
        r#"{"id":"X-2","aliases":["CVE-1"],"affected":[{"package":{"ecosystem":"crates.io","name":"foo"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}]}"#,
    )
    .expect("write");
    std::fs::write(
        d.path().join("b.json"),
        r#"{"id":"GHSA-1","aliases":["CVE-1"],"affected":[{"package":{"ecosystem":"crates.io","name":"foo"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}]}"#,
    )
    .expect("write");
    let (db, warnings) = Database::load(&[d.path()]);
    let names: Vec<String> =
        warnings.iter().map(|w| w.path.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["bad.json", "noid.json"], "{warnings:?}");
    assert!(warnings[0].message.contains("not a valid OSV record"));
    let m = db.query("crates.io", "foo", "1.0.0");
    // Withdrawn X-1 ignored; X-2 and GHSA-1 share CVE-1: one finding.
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].advisory.id, "X-2");
    assert!(db.query("crates.io", "foo", "2.0.0").is_empty());
}
