use super::*;
use binsight_model::{Applicability, BinaryReport, Finding, ImageRef};
use serde_json::json;

/// A real report (a Rust musl hello, its findings and evidence dropped) at `path` with `sha`.
fn report(path: &str, sha: &str) -> BinaryReport {
    let mut r: BinaryReport = serde_json::from_str(include_str!("testdata/report.json")).expect("a report");
    r.path = path.into();
    r.sha256 = sha.into();
    r
}

fn finding(id: &str, aliases: &[&str], purl: &str) -> Finding {
    Finding {
        id: id.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        summary: None,
        component: "musl".into(),
        purl: Some(purl.into()),
        installed: "1.2.3".into(),
        fixed: vec![],
        severity: None,
        applicability: Applicability::Affected,
        evidence: vec![],
        informational: None,
    }
}

const SHA_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const SHA_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn openvex(statements: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "@context": "https://openvex.dev/ns/v0.2.0", "@id": "urn:uuid:x", "author": "Jane Doe <jane@example.test>",
        "timestamp": "2026-01-01T00:00:00Z", "version": 1, "statements": statements,
    }))
    .expect("json")
}

#[test]
fn openvex_statements_match_by_alias_and_by_binary_hash_only() {
    let mut s = Suppressions::default();
    let doc = openvex(json!([{
        "vulnerability": {"name": "CVE-2025-26519", "aliases": ["BINSIGHT-MUSL-2025-26519"]},
        "products": [{"@id": format!("pkg:generic/a?checksum=sha256:{SHA_A}"),
            "subcomponents": [{"@id": "pkg:generic/musl@1.2.3"}]}],
        "status": "not_affected", "justification": "vulnerable_code_not_present",
    }]));
    let loaded = s.load_bytes(&doc, "v.json").expect("loads");
    assert_eq!((loaded.format, loaded.statements, loaded.suppressing), ("openvex", 1, 1));
    let f = finding("BINSIGHT-MUSL-2025-26519", &["CVE-2025-26519"], "pkg:generic/musl@1.2.3");
    let by = s.decide(&report("bin/a", SHA_A), &f).expect("suppressed in binary a");
    assert_eq!(
        (by.status.as_str(), by.justification.as_deref()),
        ("not_affected", Some("vulnerable_code_not_present"))
    );
    assert_eq!(by.author.as_deref(), Some("Jane Doe <jane@example.test>"));
    assert_eq!(by.statement, "urn:uuid:x#statement-1");
    // The same crate in another binary: not this statement's product.
    assert!(s.decide(&report("bin/b", SHA_B), &f).is_none());
    // Another component of binary a: not its subcomponent.
    let other = finding("BINSIGHT-MUSL-2025-26519", &["CVE-2025-26519"], "pkg:generic/musl@1.2.4");
    assert!(s.decide(&report("bin/a", SHA_A), &other).is_none());
    // Another vulnerability: no.
    assert!(s.decide(&report("bin/a", SHA_A), &finding("CVE-2020-28928", &[], "pkg:generic/musl@1.2.3")).is_none());
}

#[test]
fn the_latest_statement_decides_and_affected_keeps_the_finding() {
    let product = json!([{"@id": format!("sha256:{SHA_A}")}]);
    let mut s = Suppressions::default();
    let doc = openvex(json!([
        {"vulnerability": {"name": "CVE-1"}, "products": product, "status": "not_affected",
         "impact_statement": "x", "timestamp": "2026-03-01T00:00:00+02:00"},
        {"vulnerability": {"name": "CVE-1"}, "products": product, "status": "affected",
         "action_statement": "rebuild", "timestamp": "2026-02-28T23:00:00Z"},
    ]));
    s.load_bytes(&doc, "v.json").expect("loads");
    // 2026-03-01T00:00+02:00 is 2026-02-28T22:00Z: the `affected` statement is later.
    assert!(s.decide(&report("a", SHA_A), &finding("CVE-1", &[], "pkg:x/y@1")).is_none());
    let mut later = Suppressions::default();
    later.load_bytes(&doc, "v.json").expect("loads");
    later
        .load_bytes(
            &openvex(json!([{"vulnerability": "CVE-1", "products": [format!("sha256:{SHA_A}")], "status": "fixed",
                "timestamp": "2026-06-01T00:00:00Z"}])),
            "w.json",
        )
        .expect("a 0.0.x-style statement loads");
    assert_eq!(
        later.decide(&report("a", SHA_A), &finding("CVE-1", &[], "pkg:x/y@1")).map(|b| b.file),
        Some("w.json".to_string())
    );
}

#[test]
fn image_products_need_the_image_and_narrow_to_subcomponents() {
    let digest = format!("sha256:{SHA_B}");
    let mut s = Suppressions::default();
    let doc = openvex(json!([{
        "vulnerability": {"name": "CVE-1"},
        "products": [{"@id": format!("pkg:oci/app@sha256%3A{SHA_B}?repository_url=example.test/org/app"),
            "subcomponents": [{"@id": "pkg:cargo/time@0.2.22"}]}],
        "status": "not_affected", "justification": "vulnerable_code_not_present",
    }]));
    s.load_bytes(&doc, "v.json").expect("loads");
    let f = finding("RUSTSEC-2020-0071", &["CVE-1"], "pkg:cargo/time@0.2.22");
    let mut r = report("/app/a", SHA_A);
    assert!(s.decide(&r, &f).is_none(), "the image is not known yet");
    r.image = Some(ImageRef { manifest_digest: Some(digest), config_digest: "sha256:c".into(), name: None });
    assert!(s.decide(&r, &f).is_some());
    assert!(s.decide(&r, &finding("RUSTSEC-2020-0071", &["CVE-1"], "pkg:cargo/time@0.3.0")).is_none());
}

#[test]
fn cyclonedx_vex_by_bom_link_and_by_local_component() {
    let doc = serde_json::to_vec(&json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": "urn:uuid:v", "version": 1,
        "metadata": {"timestamp": "2026-01-01T00:00:00Z", "authors": [{"name": "Sec Team"}]},
        "components": [{"type": "application", "bom-ref": "app-1", "name": "a",
            "hashes": [{"alg": "SHA-256", "content": SHA_B}]}],
        "vulnerabilities": [
            {"id": "CVE-1", "analysis": {"state": "not_affected", "justification": "code_not_present", "detail": "d"},
             "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#binary:bin%2Fa"}]},
            {"id": "GHSA-xxxx", "references": [{"id": "CVE-2", "source": {"name": "NVD"}}],
             "analysis": {"state": "resolved"}, "affects": [{"ref": "app-1"}]},
            {"id": "CVE-3", "affects": [{"ref": "app-1"}]},
        ],
    }))
    .expect("json");
    let mut s = Suppressions::default();
    let loaded = s.load_bytes(&doc, "cdx.json").expect("loads");
    assert_eq!((loaded.format, loaded.statements), ("cyclonedx-vex", 2), "no analysis: no statement");
    let by = s.decide(&report("bin/a", SHA_A), &finding("CVE-1", &[], "pkg:x/y@1")).expect("by path");
    assert_eq!((by.justification.as_deref(), by.author.as_deref()), (Some("code_not_present"), Some("Sec Team")));
    assert!(s.decide(&report("bin/b", SHA_B), &finding("CVE-1", &[], "pkg:x/y@1")).is_none());
    assert!(s.decide(&report("bin/b", SHA_B), &finding("RUSTSEC-1", &["CVE-2"], "pkg:x/y@1")).is_some());
}

#[test]
fn ignore_entries_apply_where_no_statement_decided() {
    let mut s = Suppressions::default();
    s.add_ignore(IgnoreEntry {
        id: "cve-1".into(),
        path: Some("bin/a".into()),
        reason: Some("tested".into()),
        file: "binsight.toml".into(),
        statement: "ignore[1]".into(),
        ..Default::default()
    });
    s.add_ignore(IgnoreEntry { id: "CVE-2".into(), file: "binsight.toml".into(), ..Default::default() });
    let by = s.decide(&report("bin/a", SHA_A), &finding("X", &["CVE-1"], "pkg:x/y@1")).expect("ignored");
    assert_eq!((by.source, by.note.as_deref()), (binsight_model::SuppressionSource::Ignore, Some("tested")));
    assert!(s.decide(&report("bin/b", SHA_A), &finding("X", &["CVE-1"], "pkg:x/y@1")).is_none());
    assert!(s.decide(&report("anything", SHA_B), &finding("CVE-2", &[], "pkg:x/y@1")).is_some());
}

#[test]
fn bad_documents_are_errors_that_name_the_file() {
    let mut s = Suppressions::default();
    let cases: [(&[u8], &str); 5] = [
        (b"not json", "not JSON"),
        (b"{\"hello\": 1}", "neither OpenVEX"),
        (&openvex(json!([{"vulnerability": {"name": "CVE-1"}, "products": ["x"], "status": "maybe"}])), "status"),
        (&openvex(json!([{"vulnerability": {"name": " "}, "products": ["x"], "status": "fixed"}])), "no vulnerability"),
        (&openvex(json!([{"vulnerability": {"name": "CVE-1"}, "status": "fixed"}])), "no product"),
    ];
    for (doc, want) in cases {
        let e = s.load_bytes(doc, "bad.json").expect_err(want).to_string();
        assert!(e.starts_with("VEX file bad.json: ") && e.contains(want), "{e}");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let e = s.load_file(dir.path(), "dir").expect_err("a directory").to_string();
    assert!(e.contains("directory"), "{e}");
    assert!(s.is_empty());
}

#[test]
fn timestamps() {
    assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(parse_timestamp("2026-12-03T10:00:00.123456789+01:00"), parse_timestamp("2026-12-03T09:00:00Z"));
    for bad in ["", "2026-12-03", "2026-13-01T00:00:00Z", "2026-12-03T00:00:00", "2026-12-03T00:00:00+0100"] {
        assert_eq!(parse_timestamp(bad), None, "{bad}");
    }
}
