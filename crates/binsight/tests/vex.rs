//! VEX out and back in, checked against what the fixtures' recipes say and against the real
//! consumers: every OpenVEX document validates against the OpenVEX 0.2.0 JSON schema
//! (`../shared/schemas/`) and loads in `github.com/openvex/go-vex` at the version grype pins
//! (`tools/vexcheck`, built from the Go module proxy into the cache), whose matching picks the
//! intended statement for each (vulnerability, product, subcomponent); `scan --vex` of binsight's
//! own OpenVEX (and CycloneDX VEX) suppresses exactly the `not_affected` findings.
//!
//! Fixtures (corpus, built by scripts/test.sh), and what their recipes say:
//! - `rust-1.85.0-x86_64-musl-iconv`: Rust 1.85 (musl 1.2.3, no backport), calls `iconv`:
//!   CVE-2025-26519 (musl's iconv) is in the binary.
//! - `rust-1.85.0-x86_64-musl-hello`: the same toolchain, never calls `iconv`: not linked.
//! - `vuln-rust-1.95.0-x86_64-musl-auditable`: pins smallvec 1.6.0, time 0.2.22… (RustSec) and
//!   calls them; Rust 1.95's musl carries the backports of the musl CVEs: `fixed`.
//! - `deps-go-1.15.15-amd64-plain`: Go 1.15.15's standard library, whose advisories name
//!   functions the program does not call (Go keeps every function name: `not_affected` is sound).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use binsight_testkit::cli::{json_lines, Binsight, Output};
use serde_json::{json, Value};

const FIXTURES: [(&str, &str); 4] = [
    ("rust-1.85.0-x86_64-musl-iconv", "musl-iconv"),
    ("rust-1.85.0-x86_64-musl-hello", "musl-hello"),
    ("vuln-rust-1.95.0-x86_64-musl-auditable", "rust-vuln"),
    ("deps-go-1.15.15-amd64-plain", "go-deps"),
];

fn bin() -> Binsight {
    Binsight::new(env!("CARGO_BIN_EXE_binsight"))
}

fn osv() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv");
    assert!(p.is_dir(), "the OSV snapshot is expected at {}", p.display());
    p
}

/// The four fixtures copied into `dir/scan` under short names.
fn scan_dir(dir: &Path) -> PathBuf {
    let d = dir.join("scan");
    std::fs::create_dir_all(&d).expect("mkdir");
    for (id, name) in FIXTURES {
        std::fs::copy(binsight_testkit::corpus::fixture(id), d.join(name)).expect("copy fixture");
    }
    d
}

/// `scan --audit --advisories OSV ARGS…`; the output (exit 0 or 4: the fixtures have findings).
fn scan(b: &Binsight, args: &[&str]) -> Output {
    let mut c = b.cmd();
    c.args(["scan", "--audit", "-q", "--advisories"]).arg(osv()).args(args);
    let o = binsight_testkit::cli::run(&mut c);
    assert!(matches!(o.code, Some(0 | 4)), "{}", o.snapshot());
    o
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).expect("JSON")
}

/// The binaries' JSON reports by path.
fn reports(o: &Output) -> Vec<Value> {
    json_lines(&o.stdout).into_iter().filter(|r| r.get("elf").is_some()).collect()
}

fn sha256_of(p: &Path) -> String {
    binsight_testkit::image::sha256_hex(&std::fs::read(p).expect("read"))
}

/// Every statement of `doc` for the binary with this sha256, by vulnerability name.
fn statements_of<'a>(doc: &'a Value, sha: &str) -> Vec<&'a Value> {
    let products = |s: &&Value| {
        s["products"].as_array().into_iter().flatten().any(|p| {
            p["hashes"]["sha-256"] == sha
                || p["subcomponents"].as_array().into_iter().flatten().any(|c| c["hashes"]["sha-256"] == sha)
        })
    };
    doc["statements"].as_array().expect("statements").iter().filter(products).collect()
}

fn statement<'a>(doc: &'a Value, sha: &str, cve: &str) -> &'a Value {
    let all = statements_of(doc, sha);
    let hits: Vec<&&Value> = all.iter().filter(|s| s["vulnerability"]["name"] == cve).collect();
    assert_eq!(hits.len(), 1, "one statement for {cve} in {sha}: {all:#?}");
    hits[0]
}

/// `doc` against the OpenVEX 0.2.0 JSON schema (the validator of scripts/validate-sbom.py).
fn schema_check(doc: &Value) {
    let f = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(f.path(), doc.to_string()).expect("write");
    binsight_testkit::validate::assert_valid(binsight_testkit::validate::Kind::OpenVex, f.path());
}

#[test]
fn openvex_of_a_directory_says_what_the_recipes_say_and_validates() {
    let b = bin();
    let dir = scan_dir(b.home());
    let v = b.home().join("v.json");
    scan(&b, &[dir.to_str().expect("utf-8"), "-o", &format!("openvex={}", v.display())]);
    let doc = read_json(&v);
    schema_check(&doc);
    // The check can fail: a not_affected statement without a justification or impact statement.
    let mut broken = doc.clone();
    let first = broken["statements"].as_array_mut().and_then(|s| s.iter_mut().find(|s| s["status"] == "not_affected"));
    let first = first.and_then(Value::as_object_mut).expect("a not_affected statement");
    first.remove("justification");
    first.remove("impact_statement");
    assert!(std::panic::catch_unwind(|| schema_check(&broken)).is_err(), "the schema check rejects it");
    assert_eq!(doc["@context"], "https://openvex.dev/ns/v0.2.0");
    // SOURCE_DATE_EPOCH of the hermetic run.
    assert_eq!(doc["timestamp"], "2024-01-02T03:04:05Z");
    let sha = |name: &str| sha256_of(&dir.join(name));
    let iconv = statement(&doc, &sha("musl-iconv"), "CVE-2025-26519");
    assert_eq!(iconv["status"], "affected", "{iconv:#}");
    assert!(iconv["action_statement"].as_str().is_some_and(|a| a.contains("Rust >= ")), "{iconv:#}");
    assert_eq!(iconv["vulnerability"]["aliases"], json!(["BINSIGHT-MUSL-2025-26519"]));
    let hello = statement(&doc, &sha("musl-hello"), "CVE-2025-26519");
    assert_eq!(
        (&hello["status"], &hello["justification"]),
        (&json!("not_affected"), &json!("vulnerable_code_not_present"))
    );
    assert!(hello["impact_statement"].as_str().is_some_and(|s| s.contains("iconv: not linked")), "{hello:#}");
    let product = &hello["products"][0];
    assert_eq!(
        product["subcomponents"],
        json!([{"@id": "pkg:generic/musl@1.2.3", "identifiers": {"purl": "pkg:generic/musl@1.2.3"}}])
    );
    assert_eq!(statement(&doc, &sha("rust-vuln"), "CVE-2025-26519")["status"], "fixed");
    let smallvec = statement(&doc, &sha("rust-vuln"), "CVE-2021-25900");
    assert_eq!(smallvec["status"], "affected");
    assert_eq!(smallvec["products"][0]["subcomponents"][0]["@id"], "pkg:cargo/smallvec@1.6.0");
    let go = statements_of(&doc, &sha("go-deps"));
    assert!(go.iter().any(|s| s["status"] == "not_affected"), "{go:#?}");
    assert!(go.iter().all(|s| s["vulnerability"]["aliases"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x.as_str().is_some_and(|x| x.starts_with("GO-"))))
        || s["vulnerability"]["name"].as_str().is_some_and(|n| n.starts_with("GO-"))));
    // Every statement is about one of the four files, by their real hashes.
    let shas: BTreeSet<String> = FIXTURES.iter().map(|(_, n)| sha(n)).collect();
    for s in doc["statements"].as_array().expect("statements") {
        let h = s["products"][0]["hashes"]["sha-256"].as_str().expect("a hash");
        assert!(shas.contains(h), "{s:#}");
    }
}

/// (path, advisory id) pairs.
type Pairs = BTreeSet<(String, String)>;

/// (path, id) of each finding the reports list, and of each they list as suppressed.
fn findings(rs: &[Value]) -> (Pairs, Pairs) {
    let pairs = |r: &Value, key: &str, inner: Option<&str>| -> Vec<(String, String)> {
        r[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| inner.map_or(f, |k| &f[k]))
            .map(|f| (r["path"].as_str().unwrap_or("").to_string(), f["id"].as_str().unwrap_or("").to_string()))
            .collect()
    };
    let kept = rs.iter().flat_map(|r| pairs(r, "findings", None)).collect();
    let gone = rs.iter().flat_map(|r| pairs(r, "suppressed", Some("finding"))).collect();
    (kept, gone)
}

fn not_linked(rs: &[Value]) -> Pairs {
    rs.iter()
        .flat_map(|r| {
            r["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["applicability"] == "not-linked")
                .map(|f| (r["path"].as_str().unwrap_or("").to_string(), f["id"].as_str().unwrap_or("").to_string()))
        })
        .collect()
}

#[test]
fn round_trip_suppresses_exactly_the_not_affected_findings() {
    let b = bin();
    let dir = scan_dir(b.home());
    let (v, c, s) = (b.home().join("v.json"), b.home().join("c.json"), b.home().join("sbom.json"));
    let d = dir.to_str().expect("utf-8");
    let first = scan(
        &b,
        &[
            d,
            "-o",
            "json",
            "-o",
            &format!("openvex={}", v.display()),
            "-o",
            &format!("cyclonedx-vex={}", c.display()),
            "-o",
            &format!("cyclonedx={}", s.display()),
        ],
    );
    let before = reports(&first);
    let (all, none) = findings(&before);
    assert!(none.is_empty());
    let expected = not_linked(&before);
    assert!(expected.len() >= 10, "the fixtures have not-linked findings: {expected:?}");
    let doc = read_json(&v);
    let not_affected =
        doc["statements"].as_array().expect("statements").iter().filter(|s| s["status"] == "not_affected").count();
    assert_eq!(not_affected, expected.len(), "one not_affected statement per not-linked finding");
    for vex in [&v, &c] {
        let o = scan(&b, &[d, "-o", "json", "--vex", vex.to_str().expect("utf-8")]);
        let after = reports(&o);
        let (kept, gone) = findings(&after);
        assert_eq!(gone, expected, "--vex {}: suppressed", vex.display());
        assert_eq!(kept, all.difference(&expected).cloned().collect(), "--vex {}: kept", vex.display());
        for r in &after {
            let n = r["suppressed"].as_array().map_or(0, Vec::len);
            let said = r["verdict"]["reasons"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|x| x.as_str().is_some_and(|x| x.contains("is suppressed by")))
                .count();
            assert_eq!(said, n, "the verdict says what it ignored: {r:#}");
        }
        // Verdicts do not change: not-linked findings never made one.
        let verdicts = |rs: &[Value]| rs.iter().map(|r| r["verdict"]["action"].clone()).collect::<Vec<_>>();
        assert_eq!(verdicts(&after), verdicts(&before));
    }
    // The CycloneDX VEX is a valid CycloneDX 1.6 document, and refers to the SBOM of the same
    // scan by BOM-link.
    binsight_testkit::validate::assert_valid(binsight_testkit::validate::Kind::CycloneDx, &c);
    binsight_testkit::validate::assert_valid(binsight_testkit::validate::Kind::CycloneDx, &s);
    let (cdx, sbom) = (read_json(&c), read_json(&s));
    let serial = sbom["serialNumber"].as_str().expect("serial").trim_start_matches("urn:uuid:");
    let refs: BTreeSet<String> = sbom["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter(|x| x["type"] == "application")
        .map(|x| x["bom-ref"].as_str().expect("ref").to_string())
        .collect();
    for vuln in cdx["vulnerabilities"].as_array().expect("vulnerabilities") {
        let r = vuln["affects"][0]["ref"].as_str().expect("ref");
        let (base, frag) = r.split_once('#').expect("a BOM-link");
        assert_eq!(base, format!("urn:cdx:{serial}/1"));
        assert!(refs.contains(&frag.replace("%2F", "/")), "{r} names a binary of the SBOM");
    }
    // The SBOM's own vulnerabilities name the binaries too.
    for vuln in sbom["vulnerabilities"].as_array().expect("vulnerabilities") {
        assert!(refs.contains(vuln["affects"][0]["ref"].as_str().expect("ref")), "{vuln:#}");
    }
    // SARIF keeps them as results with a suppression (code-scanning UIs show them dismissed).
    let sarif = b.home().join("out.sarif");
    scan(&b, &[d, "--vex", v.to_str().expect("utf-8"), "-o", &format!("sarif={}", sarif.display())]);
    let results = read_json(&sarif)["runs"][0]["results"].as_array().expect("results").clone();
    let dismissed = results.iter().filter(|r| r["suppressions"][0]["kind"] == "external").count();
    assert_eq!(dismissed, expected.len());
    assert_eq!(results.len(), all.len());
    // --show-suppressed lists them in the table; without it, a count.
    let table = scan(&b, &[d, "--vex", v.to_str().expect("utf-8")]);
    assert!(table.stdout.contains(&format!("suppressed: {} findings in ", expected.len())), "{}", table.stdout);
    let shown = scan(&b, &[d, "--vex", v.to_str().expect("utf-8"), "--show-suppressed"]);
    assert!(
        shown.stdout.contains("BINSIGHT-MUSL-2025-26519 in musl 1.2.3")
            && shown.stdout.contains("(not_affected: vulnerable_code_not_present)"),
        "{}",
        shown.stdout
    );
}

#[test]
fn go_vex_matches_every_statement_to_its_binary_and_component() {
    let b = bin();
    let dir = scan_dir(b.home());
    let v = b.home().join("v.json");
    let o = scan(&b, &[dir.to_str().expect("utf-8"), "-o", "json", "-o", &format!("openvex={}", v.display())]);
    // What each finding should come back as, from the JSON report: the consumer must pick it.
    let mut expect = Vec::new();
    for r in reports(&o) {
        let sha = r["sha256"].as_str().expect("sha256");
        let name = r["path"].as_str().expect("path").rsplit('/').next().expect("name").to_string();
        let product = format!("pkg:generic/{name}?checksum=sha256:{sha}");
        for f in r["findings"].as_array().into_iter().flatten().filter(|f| f.get("informational").is_none()) {
            let ids: Vec<&str> = std::iter::once(&f["id"])
                .chain(f["aliases"].as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .collect();
            let status = match f["applicability"].as_str() {
                Some("not-linked") => "not_affected",
                Some("affected") => "affected",
                Some("unknown") => "under_investigation",
                Some("fixed") => "fixed",
                other => panic!("{other:?}"),
            };
            // Asked by every id a scanner may key on: the CVE, the GHSA, RUSTSEC, GO- ids.
            for id in ids {
                expect.push(
                    json!({"vulnerability": id, "product": product, "subcomponents": [f["purl"]], "status": status}),
                );
            }
            // And by the file's hash alone.
            expect.push(
                json!({"vulnerability": f["id"], "product": sha, "subcomponents": [f["purl"]], "status": status}),
            );
        }
    }
    assert!(expect.len() > 100, "{}", expect.len());
    let (ok, out) = binsight_testkit::vexcheck::run_vexcheck(&v, &json!(expect));
    assert!(ok, "{out}");
    assert!(out.contains(&format!("{} expectations matched, 0 failed", expect.len())), "{out}");
}

/// An OCI layout holding the iconv fixture at /app/iconv, tagged `example.test/org/app:1`.
fn image(dir: &Path) -> (PathBuf, String, String) {
    use binsight_testkit::image::{files_tar, gzip_layer};
    let bytes = std::fs::read(binsight_testkit::corpus::fixture(FIXTURES[0].0)).expect("fixture");
    let sha = binsight_testkit::image::sha256_hex(&bytes);
    let layout = dir.join("layout");
    let digest = binsight_testkit::image::oci_dir(
        &layout,
        &[gzip_layer(&files_tar(&[("app/iconv", bytes)]))],
        json!({"Entrypoint": ["/app/iconv"]}),
        "example.test/org/app:1",
    );
    (layout, digest, sha)
}

#[test]
fn an_image_is_the_product_and_its_binary_a_subcomponent() {
    let b = bin();
    let (layout, digest, sha) = image(b.home());
    let v = b.home().join("v.json");
    let src = format!("oci-dir:{}", layout.display());
    scan(&b, &[&src, "-o", &format!("openvex={}", v.display())]);
    let doc = read_json(&v);
    schema_check(&doc);
    let hex = digest.trim_start_matches("sha256:");
    let purl = format!("pkg:oci/app@sha256%3A{hex}?repository_url=example.test/org/app");
    let s = statement(&doc, &sha, "CVE-2025-26519");
    assert_eq!(s["status"], "affected");
    assert_eq!(s["products"][0]["@id"], purl);
    assert_eq!(s["products"][0]["hashes"]["sha-256"], hex);
    assert_eq!(s["products"][0]["subcomponents"][0]["hashes"]["sha-256"], sha);
    // As trivy asks (image purl, package purl) and as grype does (the digest's hex).
    let expect = json!([
        {"vulnerability": "CVE-2025-26519", "product": purl, "subcomponents": ["pkg:generic/musl@1.2.3"], "status": "affected"},
        {"vulnerability": "CVE-2026-40200", "product": hex, "subcomponents": ["pkg:generic/musl@1.2.3"], "status": "not_affected"},
    ]);
    let (ok, out) = binsight_testkit::vexcheck::run_vexcheck(&v, &expect);
    assert!(ok, "{out}");
    // A statement about the image and its musl (not naming the binary) suppresses it there.
    let theirs = b.home().join("theirs.json");
    let stmt = json!({
        "@context": "https://openvex.dev/ns/v0.2.0", "@id": "urn:uuid:1", "author": "Sec Team",
        "timestamp": "2026-01-01T00:00:00Z", "version": 1,
        "statements": [{"vulnerability": {"name": "CVE-2025-26519"},
            "products": [{"@id": purl, "subcomponents": [{"@id": "pkg:generic/musl@1.2.3"}]}],
            "status": "not_affected", "justification": "vulnerable_code_cannot_be_controlled_by_adversary"}],
    });
    std::fs::write(&theirs, stmt.to_string()).expect("write");
    schema_check(&stmt);
    let o = scan(&b, &[&src, "-o", "json", "--vex", theirs.to_str().expect("utf-8")]);
    let r = reports(&o);
    let gone = &r[0]["suppressed"];
    assert_eq!(gone[0]["finding"]["id"], "BINSIGHT-MUSL-2025-26519", "{r:#?}");
    assert_eq!(gone[0]["by"]["author"], "Sec Team");
    // CVE-2026-6042 (also iconv) is still affected: the verdict stays rebuild.
    assert_eq!(r[0]["verdict"]["action"], "rebuild");
}

#[test]
fn config_ignore_entries_apply_until_they_expire() {
    let b = bin();
    let dir = scan_dir(b.home());
    let iconv = dir.join("musl-iconv");
    std::fs::write(
        b.home().join("binsight.toml"),
        format!(
            "[[ignore]]\nid = \"CVE-2025-26519\"\npath = \"{}\"\nreason = \"input is ASCII only\"\nexpires = 2999-12-31\n\n\
             [[ignore]]\nid = \"CVE-2026-6042\"\nreason = \"was tested\"\nexpires = \"2000-01-01\"\n",
            iconv.display()
        ),
    )
    .expect("write config");
    let o = scan(&b, &[iconv.to_str().expect("utf-8"), "-o", "json"]);
    assert!(o.stderr.contains("[[ignore]] entry 2 (CVE-2026-6042) expired on 2000-01-01"), "{}", o.stderr);
    let r = &reports(&o)[0];
    let gone = r["suppressed"].as_array().expect("suppressed");
    assert_eq!(gone.len(), 1, "{r:#}");
    assert_eq!(gone[0]["by"]["source"], "ignore");
    assert_eq!(gone[0]["by"]["note"], "input is ASCII only");
    assert!(r["findings"].as_array().expect("findings").iter().any(|f| f["id"] == "BINSIGHT-MUSL-2026-6042"));
    // A typo is refused, naming the entry and the valid keys.
    std::fs::write(b.home().join("binsight.toml"), "[[ignore]]\nid = \"CVE-1\"\nexpire = \"2030-01-01\"\n")
        .expect("write");
    let bad = b.run(["scan", "--audit", iconv.to_str().expect("utf-8")]);
    assert_eq!(bad.code, Some(2), "{}", bad.snapshot());
    assert!(
        bad.stderr.contains("[[ignore]] entry 1: unknown key `expire` (did you mean `expires`?)"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_vex_file_binsight_cannot_use_is_a_usage_error() {
    let b = bin();
    let f = b.home().join("v.json");
    std::fs::write(&f, "{\"statements\": []}").expect("write");
    let o = b.run(["scan", "--vex", f.to_str().expect("utf-8"), b.home().to_str().expect("utf-8")]);
    assert_eq!(o.code, Some(2), "{}", o.snapshot());
    assert!(o.stderr.contains("VEX file ") && o.stderr.contains("neither OpenVEX"), "{}", o.stderr);
}

/// The table and SARIF print no hash, so a scan for them computes none — unless a suppression
/// may name a binary by it: a statement whose only product is the binary's SHA-256 still
/// applies to a table-only scan. Every output that prints hashes still gets them.
#[test]
fn a_statement_naming_a_binary_by_hash_alone_applies_to_a_table_scan() {
    let b = bin();
    let dir = scan_dir(b.home());
    let iconv = dir.join("musl-iconv");
    let sha = sha256_of(&iconv);
    let vex = b.home().join("by-hash.json");
    let doc = json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "author": "test",
        "timestamp": "2026-01-01T00:00:00Z",
        "version": 1,
        "statements": [{
            "vulnerability": {"name": "CVE-2025-26519"},
            "products": [{"@id": "urn:example:some-product", "hashes": {"sha-256": sha}}],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path"
        }]
    });
    std::fs::write(&vex, doc.to_string()).expect("write");
    let path = iconv.to_str().expect("utf-8");
    let o = scan(&b, &[path, "--vex", vex.to_str().expect("utf-8")]);
    assert!(o.stdout.contains("suppressed: 1 finding in 1 binary"), "{}", o.snapshot());
    let plain = scan(&b, &[path]);
    assert!(!plain.stdout.contains("suppressed:") && !plain.stdout.contains(&sha), "{}", plain.snapshot());
    // The outputs that name binaries by hash carry it.
    let sbom = b.home().join("sbom.json");
    let o = scan(&b, &[path, "-o", "json", "-o", &format!("cyclonedx-json={}", sbom.display())]);
    assert_eq!(reports(&o)[0]["sha256"], sha);
    assert!(std::fs::read_to_string(&sbom).expect("sbom").contains(&sha));
}
