//! What binsight says about itself: help texts, `version`, and the advisory database's status
//! before and after an import.

use crate::common::{binsight, filters, snap, transcript};

#[test]
fn help_texts() {
    let b = binsight();
    let runs: Vec<(String, _)> = [
        &["--help"][..],
        &["inspect", "--help"],
        &["scan", "--help"],
        &["pack", "--help"],
        &["db", "--help"],
        &["db", "update", "--help"],
    ]
    .iter()
    .map(|args| (format!("binsight {}", args.join(" ")), b.run(*args)))
    .collect();
    snap!(filters(&b), "help", transcript(&runs));
}

#[test]
fn version() {
    let b = binsight();
    let runs: Vec<(String, _)> = [&["--version"][..], &["version"], &["version", "-o", "json"]]
        .iter()
        .map(|args| (format!("binsight {}", args.join(" ")), b.run(*args)))
        .collect();
    let mut f = filters(&b);
    // The commit binsight was built from (and whether the tree was dirty): `[COMMIT]`.
    f.add(r#"(commit"?:? *"?)[0-9a-f]{7,40}(-dirty)?"#, "${1}[COMMIT]");
    // `version -o json` names binsight's version alone: `"version":"X.Y.Z"`.
    f.add(
        &format!(r#""version":"{}""#, binsight_testkit::filters::escape(env!("CARGO_PKG_VERSION"))),
        r#""version":"[VERSION]""#,
    );
    snap!(f, "version", transcript(&runs));
}

/// An OSV record of a crates.io advisory.
const RECORD: &str = r#"{"id": "TEST-2024-0001", "modified": "2024-01-02T00:00:00Z", "published": "2024-01-01T00:00:00Z",
"summary": "A test advisory", "affected": [{"package": {"ecosystem": "crates.io", "name": "smallvec"},
"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.6.1"}]}]}]}"#;

#[test]
fn db_status_and_import() {
    let b = binsight();
    let osv = b.home().join("crates.io");
    std::fs::create_dir_all(&osv).expect("mkdir");
    std::fs::write(osv.join("TEST-2024-0001.json"), RECORD).expect("write");
    std::fs::write(osv.join("broken.json"), "{not json").expect("write");
    let runs = vec![
        ("binsight db status".to_string(), b.run(["db", "status"])),
        ("binsight db import crates.io".to_string(), b.run(["db", "import", "crates.io"])),
        ("binsight db status".to_string(), b.run(["db", "status"])),
    ];
    snap!(filters(&b), "db-status-and-import", transcript(&runs));
}
