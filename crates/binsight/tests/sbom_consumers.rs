//! binsight's SBOMs read by other tools: the CycloneDX JSON and SPDX JSON that `binsight scan
//! --audit` writes for binaries with known crate and Go vulnerabilities, read back by
//! `syft convert` (every component, with its version and purl) and scanned by `osv-scanner`
//! v2.6.0 offline, against a local database written from the same OSV data binsight audited
//! with (`../shared/osv`): osv-scanner must find the same vulnerabilities as binsight's audit.
//!
//! `scripts/test.sh` builds syft from the Go module proxy (`scripts/peers.sh syft`) and sets
//! `BINSIGHT_SYFT`; the osv-scanner tests are compiled with the `peer-osv-scanner` feature only,
//! and `scripts/bench/run.sh` runs them with `BINSIGHT_OSV_SCANNER` (see [`osv_scanner`]).
//! Without its peer, a test fails. Here, not in binsight-corpus: what is checked is the document
//! the CLI writes.
//!
//! osv-scanner offline, as its v2.6.0 source does it: `--offline` (which sets
//! `--offline-vulnerabilities` and `--no-resolve`) makes the `vulnmatch/osvlocal` matcher read
//! `$OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY/osv-scalibr/<ecosystem>/all.zip` (a zip of OSV JSON
//! records; osv-scalibr's `setupLocalDBDirectory` and `newZippedDB`) and never download
//! (`download-offline-databases` unset): a missing zip is an error, checked below. Both peers
//! also get `HTTP(S)_PROXY` pointing at a loopback listener that counts connections: none may be
//! made.
//!
//! Compared: syft must read every component that has a purl back with the same name, version
//! and purl (a crate typed `rust-crate`, a module `go-module`), and nothing else; osv-scanner
//! must read the same crates and modules (ecosystem, name, version) and report, for each, the
//! vulnerabilities binsight's audit reports (by id, or an id of one is an alias of the other),
//! whatever binsight says of whether the vulnerable code is linked (osv-scanner cannot tell).
//! Explained, narrowly: syft's SPDX reader lowercases a Go purl's namespace
//! ([`lowercased_golang_namespace`]); osv-scanner's SPDX reader drops a purl's namespace from the
//! package name, and it files a vendored C library's RustSec advisory under the `-sys` crate
//! where binsight files it under the library ([`Rule`]). Findings on what has no OSV ecosystem
//! (`pkg:generic`: the libc, the Rust standard library, C libraries) are binsight's alone.
//!
//! Fixtures (corpus, built by scripts/test.sh):
//! - `vuln-rust-1.95.0-x86_64-musl-auditable`: crates pinned at versions RustSec advisories
//!   cover (smallvec 1.6.0, time 0.2.22…), cargo-auditable data.
//! - `rw-esbuild-0.25.0-x64`: esbuild's release (Go 1.23.5, golang.org/x/sys of 2022).
//! - `rw-turbo-1.10.8-go-turbo-x64`: turbo's Go binary with Rust linked in through cgo: Go
//!   modules (golang.org/x/net…), crates and libgit2 vendored by libgit2-sys.
//! - `deps-go-1.15.15-amd64-plain`: Go 1.15.15's standard library (over a hundred advisories).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use binsight_testkit::cli::{json_lines, Binsight};
use binsight_testkit::offline;
use serde_json::Value;

const FIXTURES: [(&str, &str); 4] = [
    ("vuln-rust-1.95.0-x86_64-musl-auditable", "vuln-rust"),
    ("rw-esbuild-0.25.0-x64", "esbuild"),
    ("rw-turbo-1.10.8-go-turbo-x64", "go-turbo"),
    ("deps-go-1.15.15-amd64-plain", "go-1.15-deps"),
];

/// The SBOM formats compared, as `-o` names them, with the file suffix their consumers require.
const FORMATS: [(&str, &str); 2] = [("cyclonedx-json", "cdx.json"), ("spdx-json", "spdx.json")];

fn osv() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv");
    assert!(p.is_dir(), "the OSV snapshot is expected at {}", p.display());
    p
}

/// What binsight wrote for one fixture: its JSON report and its SBOMs by format.
struct Written {
    name: &'static str,
    report: Value,
    sboms: Vec<(&'static str, PathBuf)>,
}

/// binsight's report and SBOMs of every fixture, written once for all the tests of this file
/// (in a directory of the target dir, emptied first).
fn written() -> &'static [Written] {
    static W: OnceLock<Vec<Written>> = OnceLock::new();
    W.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sbom_consumers");
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).expect("mkdir");
        let b = Binsight::new(env!("CARGO_BIN_EXE_binsight"));
        FIXTURES.iter().map(|&(id, name)| write_one(&b, &out, id, name)).collect()
    })
}

fn write_one(b: &Binsight, out: &Path, id: &str, name: &'static str) -> Written {
    let file = out.join(name);
    std::fs::copy(binsight_testkit::corpus::fixture(id), &file).expect("copy fixture");
    let json = out.join(format!("{name}.json"));
    let mut c = b.cmd();
    c.args(["scan", "--audit", "-q", "--advisories"]).arg(osv());
    c.arg("-o").arg(format!("json={}", json.display()));
    let mut sboms = Vec::new();
    for (format, suffix) in FORMATS {
        let p = out.join(format!("{name}.{suffix}"));
        c.arg("-o").arg(format!("{format}={}", p.display()));
        sboms.push((format, p));
    }
    let o = binsight_testkit::cli::run(c.arg(&file));
    assert_eq!(o.code, Some(0), "{}", o.snapshot());
    let lines = json_lines(std::fs::read(&json).expect("read JSON"));
    let report = lines.into_iter().find(|r| r.get("elf").is_some()).expect("a report line");
    Written { name, report, sboms }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// A purl as consumers compare it: `%2B` and a literal `+` in a version are the same character
/// (binsight writes `+`, syft re-encodes SPDX purls with `%2B`).
fn purl_key(p: &str) -> String {
    p.replace("%2B", "+").replace("%2b", "+")
}

/// (name, version, purl) of the report's components that have a purl, by purl.
fn components(report: &Value) -> BTreeMap<String, (String, String)> {
    let all = report["components"].as_array().expect("components");
    all.iter().filter_map(|c| Some((purl_key(c["purl"].as_str()?), (text(&c["name"]), text(&c["version"]))))).collect()
}

/// syft's packages of `sbom` (read with `syft convert`): (name, version, type) by purl.
fn syft_convert(tool: &Path, home: &Path, proxy: &str, sbom: &Path) -> BTreeMap<String, (String, String, String)> {
    let o = offline::command(tool, home, proxy)
        .arg("convert")
        .arg(sbom)
        .args(["-o", "syft-json", "-q"])
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", tool.display()));
    assert!(o.status.success(), "syft convert {}: {}", sbom.display(), String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("syft JSON");
    let artifacts = v["artifacts"].as_array().expect("artifacts");
    artifacts
        .iter()
        .filter(|a| a["purl"].as_str().is_some_and(|p| !p.is_empty()))
        .map(|a| (purl_key(&text(&a["purl"])), (text(&a["name"]), text(&a["version"]), text(&a["type"]))))
        .collect()
}

/// `purl` with its namespace lowercased when it is a `pkg:golang` purl with one: how syft reads
/// a Go module's purl from an SPDX document (packageurl-go's `typeAdjustNamespace` lowercases
/// golang namespaces; `github.com/DataDog/zstd` becomes `github.com/datadog/zstd`), though Go
/// module paths are case-sensitive. Its CycloneDX reader keeps the purl as written.
fn lowercased_golang_namespace(purl: &str) -> Option<String> {
    let rest = purl.strip_prefix("pkg:golang/")?;
    let (path, version) = rest.split_once('@').unwrap_or((rest, ""));
    let (ns, name) = path.rsplit_once('/')?;
    let at = if version.is_empty() { String::new() } else { format!("@{version}") };
    let lower = format!("pkg:golang/{}/{name}{at}", ns.to_lowercase());
    (lower != purl).then_some(lower)
}

/// How syft read back each of binsight's components from one SBOM: the problems, and how
/// many purls it only found with their Go namespace lowercased (SPDX).
fn read_back(
    ours: &BTreeMap<String, (String, String)>,
    theirs: &BTreeMap<String, (String, String, String)>,
    format: &str,
) -> (Vec<String>, usize) {
    let (mut problems, mut lowered, mut seen) = (Vec::new(), 0, BTreeSet::new());
    for (purl, (name, version)) in ours {
        let lower = lowercased_golang_namespace(purl).filter(|_| format == "spdx-json");
        let hit = match (theirs.get(purl), lower) {
            (Some(t), _) => Some((purl.clone(), t)),
            (None, Some(l)) => theirs.get(&l).map(|t| (l, t)),
            (None, None) => None,
        };
        let Some((key, (n, v, kind))) = hit else {
            problems.push(format!("{purl}: not read by syft"));
            continue;
        };
        lowered += usize::from(&key != purl);
        if n != name || v != version {
            problems.push(format!("{purl}: binsight {name} {version}, syft {n} {v}"));
        }
        // syft types what it recognises: a crate or a module is never a generic package.
        let want = match purl.split('/').next() {
            Some("pkg:cargo") => "rust-crate",
            Some("pkg:golang") => "go-module",
            _ => kind.as_str(),
        };
        if kind != want {
            problems.push(format!("{purl}: syft type {kind}, expected {want}"));
        }
        seen.insert(key);
    }
    let extra: Vec<_> = theirs.keys().filter(|p| !seen.contains(*p)).collect();
    if !extra.is_empty() {
        problems.push(format!("syft read packages binsight did not write: {extra:?}"));
    }
    (problems, lowered)
}

#[test]
fn syft_reads_back_every_component_of_both_sboms() {
    let tool = offline::peer("BINSIGHT_SYFT", "syft");
    let (home, tripwire) = (tempfile::tempdir().expect("tempdir"), offline::Tripwire::new());
    let (mut checked, mut lowered_all) = (0, 0);
    let mut problems = Vec::new();
    for w in written() {
        let ours = components(&w.report);
        assert!(ours.len() >= 3, "{}: {ours:?}", w.name);
        for (format, sbom) in &w.sboms {
            let theirs = syft_convert(&tool, home.path(), tripwire.addr(), sbom);
            let (p, lowered) = read_back(&ours, &theirs, format);
            eprintln!(
                "{} {format}: {} components with purls, {} problems ({lowered} read with the Go namespace lowercased)",
                w.name,
                ours.len(),
                p.len()
            );
            problems.extend(p.into_iter().map(|x| format!("{} {format}: {x}", w.name)));
            checked += ours.len();
            lowered_all += lowered;
        }
    }
    eprintln!("syft convert: {checked} components checked; explained: {lowered_all} Go purls whose namespace syft lowercased reading SPDX");
    assert_eq!(tripwire.hits(), 0, "syft tried to reach the network");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 200, "only {checked} components checked");
}

/// osv-scanner's half: compiled with the `peer-osv-scanner` feature only. osv-scanner is the
/// slowest of the Go peers to build (~170 CPU seconds) and the issue that brought it in makes it
/// optional for the README's test command, whose cold run must stay under 30 minutes; the
/// benchmark, which builds it anyway, runs these tests (`scripts/bench/run.sh`:
/// `cargo test -p binsight --features peer-osv-scanner --test sbom_consumers`). Without the
/// feature they do not exist (nothing is skipped); with it, a missing osv-scanner fails them.
#[cfg(feature = "peer-osv-scanner")]
mod osv_scanner {
    use super::*;

    /// The OSV ecosystems osv-scanner matches the SBOMs' purls in (`pkg:cargo`, `pkg:golang`).
    const ECOSYSTEMS: [&str; 2] = ["crates.io", "Go"];

    /// osv-scanner's local database under `root`, from `../shared/osv` (the record count).
    fn write_local_db(root: &Path) -> usize {
        binsight_corpus::osvscanner::write_db(&osv(), &ECOSYSTEMS, root).unwrap_or_else(|e| panic!("{e:#}"))
    }

    /// `osv-scanner scan source --offline -L SBOM` with its local database in `db`: exit code,
    /// JSON output, standard error.
    fn osv_scanner(tool: &Path, home: &Path, proxy: &str, db: &Path, sbom: &Path) -> (Option<i32>, String, String) {
        let o = offline::command(tool, home, proxy)
            .env("OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY", db)
            .args(["scan", "source", "--offline", "--all-vulns", "--all-packages", "--format", "json", "-L"])
            .arg(sbom)
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", tool.display()));
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }

    /// One vulnerability of one package.
    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Vuln {
        package: String,
        version: String,
        id: String,
        aliases: BTreeSet<String>,
    }

    impl Vuln {
        /// The same vulnerability: one's id is the other's id or alias, or they share an alias.
        fn same_as(&self, o: &Vuln) -> bool {
            self.id == o.id
                || self.aliases.contains(&o.id)
                || o.aliases.contains(&self.id)
                || !self.aliases.is_disjoint(&o.aliases)
        }
    }

    /// What osv-scanner's JSON lists: the packages it read (ecosystem, name, version) and their
    /// vulnerabilities.
    fn osv_results(json: &str) -> (BTreeSet<(String, String, String)>, Vec<Vuln>) {
        let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("osv-scanner JSON: {e}: {json}"));
        let (mut packages, mut vulns) = (BTreeSet::new(), Vec::new());
        for p in
            v["results"].as_array().into_iter().flatten().flat_map(|r| r["packages"].as_array().into_iter().flatten())
        {
            let (package, version) = (text(&p["package"]["name"]), text(&p["package"]["version"]));
            packages.insert((text(&p["package"]["ecosystem"]), package.clone(), version.clone()));
            for x in p["vulnerabilities"].as_array().into_iter().flatten() {
                let aliases = x["aliases"].as_array().into_iter().flatten().map(text).collect();
                vulns.push(Vuln { package: package.clone(), version: version.clone(), id: text(&x["id"]), aliases });
            }
        }
        (packages, vulns)
    }

    /// binsight's findings on components of `kinds`.
    fn findings(report: &Value, kinds: &[&str]) -> Vec<Vuln> {
        let kind_of = |name: &str| {
            report["components"].as_array().into_iter().flatten().find(|c| c["name"] == name).map(|c| text(&c["kind"]))
        };
        let all = report["findings"].as_array().expect("an audited report has findings");
        all.iter()
            .filter(|f| {
                kind_of(f["component"].as_str().unwrap_or_default()).is_some_and(|k| kinds.contains(&k.as_str()))
            })
            .map(|f| Vuln {
                package: text(&f["component"]),
                version: text(&f["installed"]),
                id: text(&f["id"]),
                aliases: f["aliases"].as_array().into_iter().flatten().map(text).collect(),
            })
            .collect()
    }

    /// Why a vulnerability osv-scanner reports is not among binsight's findings on the same
    /// package, each narrow.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum Rule {
        /// A C library vendored by a `-sys` crate (libgit2 by libgit2-sys): osv-scanner files
        /// RustSec's advisory under the crate, binsight under the library it found compiled in
        /// (`pkg:generic/libgit2@1.5.1`, its `bundle.via_purl` the crate), as the same id or alias.
        /// As in tests/cargo_audit.rs of binsight-corpus.
        VendoredLibrary,
        /// osv-scanner's SPDX reader names a package by its purl's name alone, without the
        /// namespace (osv-scalibr `extractor/filesystem/sbom/spdx`: `pkg.Name = packageURL.Name`):
        /// `golang.org/x/net` is `net`, `example.com/checksum/v2` is `v2`. Its CycloneDX reader keeps
        /// the component's name. The package is binsight's when the name is the last segment of
        /// binsight's and the version is the same.
        SpdxPurlName,
    }

    /// Whether osv-scanner's package `theirs` (read from an SBOM in `format`) is binsight's
    /// component `ours`: `Some(None)` by the same name, `Some(Some(rule))` by a rule.
    fn same_package(format: &str, ours: &str, theirs: &str) -> Option<Option<Rule>> {
        if ours == theirs {
            return Some(None);
        }
        let last = ours.rsplit_once('/').map(|(_, n)| n);
        (format == "spdx-json" && last == Some(theirs)).then_some(Some(Rule::SpdxPurlName))
    }

    /// The c-library components of `report` that the crate `krate` at `version` vendors.
    fn vendored_by<'a>(report: &'a Value, krate: &str, version: &str) -> Vec<&'a str> {
        let via = format!("pkg:cargo/{krate}@{version}");
        let all = report["components"].as_array().into_iter().flatten();
        all.filter(|c| c["kind"] == "c-library")
            .filter(|c| c["bundle"]["via_purl"].as_str().is_some_and(|p| purl_key(p) == purl_key(&via)))
            .filter_map(|c| c["name"].as_str())
            .collect()
    }

    /// osv-scanner's vulnerabilities (read from an SBOM in `format`) against binsight's findings
    /// on the same binary: the differences (none expected), the explained ones by rule, and how
    /// many matched.
    fn compare(report: &Value, format: &str, theirs: &[Vuln]) -> (Vec<String>, BTreeMap<Rule, Vec<String>>, usize) {
        let ours = findings(report, &["rust-crate", "go-module", "go-stdlib"]);
        let libraries = findings(report, &["c-library"]);
        let same = |f: &Vuln, v: &Vuln| {
            f.version == v.version && f.same_as(v) && same_package(format, &f.package, &v.package).is_some()
        };
        let (mut differences, mut explained, mut matched) = (Vec::new(), BTreeMap::<Rule, Vec<String>>::new(), 0);
        for f in ours.iter().filter(|f| !theirs.iter().any(|v| same(f, v))) {
            differences.push(format!("only binsight: {} {} {}", f.package, f.version, f.id));
        }
        for v in theirs {
            if let Some(f) = ours.iter().find(|f| same(f, v)) {
                matched += 1;
                if let Some(Some(rule)) = same_package(format, &f.package, &v.package) {
                    explained.entry(rule).or_default().push(format!("{} as {} {}", f.package, v.package, v.id));
                }
                continue;
            }
            let libs = vendored_by(report, &v.package, &v.version);
            if libraries.iter().any(|f| libs.contains(&f.package.as_str()) && f.same_as(v)) {
                explained
                    .entry(Rule::VendoredLibrary)
                    .or_default()
                    .push(format!("{} {} {}", v.package, v.version, v.id));
                continue;
            }
            differences.push(format!("only osv-scanner: {} {} {} {:?}", v.package, v.version, v.id, v.aliases));
        }
        (differences, explained, matched)
    }

    /// The (ecosystem, name, version) of the report's crates and Go modules osv-scanner can match
    /// (components with a `pkg:cargo` or `pkg:golang` purl), named as osv-scanner names them when
    /// reading `format` (see [`Rule::SpdxPurlName`]).
    fn matchable(report: &Value, format: &str) -> BTreeSet<(String, String, String)> {
        let all = report["components"].as_array().into_iter().flatten();
        all.filter_map(|c| {
            let purl = c["purl"].as_str()?;
            let eco = if purl.starts_with("pkg:cargo/") {
                "crates.io"
            } else if purl.starts_with("pkg:golang/") {
                "Go"
            } else {
                return None;
            };
            let name = text(&c["name"]);
            let name = match name.rsplit_once('/') {
                Some((_, last)) if format == "spdx-json" => last.to_string(),
                _ => name,
            };
            Some((eco.to_string(), name, text(&c["version"])))
        })
        .collect()
    }

    #[test]
    fn osv_scanner_offline_finds_what_binsight_finds_in_its_sboms() {
        let tool = offline::peer("BINSIGHT_OSV_SCANNER", "osv-scanner");
        let (home, db, tripwire) =
            (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"), offline::Tripwire::new());
        let records = write_local_db(db.path());
        assert!(records > 5000, "only {records} OSV records in ../shared/osv");
        let (mut matched, mut explained_all, mut failures) = (0, BTreeMap::<Rule, usize>::new(), Vec::new());
        for w in written() {
            for (format, sbom) in &w.sboms {
                let (code, out, err) = osv_scanner(&tool, home.path(), tripwire.addr(), db.path(), sbom);
                // 0: no vulnerability, 1: some; anything else is an error (127: the database).
                assert!(matches!(code, Some(0 | 1)), "{} {format}: osv-scanner exit {code:?}:\n{err}", w.name);
                for eco in ECOSYSTEMS {
                    let loaded = format!(
                        "Loaded {eco} local db from {}",
                        db.path().join("osv-scalibr").join(eco).join("all.zip").display()
                    );
                    let used = matchable(&w.report, format).iter().any(|(e, _, _)| e == eco);
                    assert!(!used || err.contains(&loaded), "{} {format}: no `{loaded}` in:\n{err}", w.name);
                }
                let (packages, vulns) = osv_results(&out);
                let read: BTreeSet<_> =
                    packages.into_iter().filter(|(e, _, _)| ECOSYSTEMS.contains(&e.as_str())).collect();
                let written = matchable(&w.report, format);
                if read != written {
                    failures.push(format!(
                        "{} {format}: packages osv-scanner read differ: only binsight {:?}, only osv-scanner {:?}",
                        w.name,
                        written.difference(&read).collect::<Vec<_>>(),
                        read.difference(&written).collect::<Vec<_>>()
                    ));
                }
                let (differences, explained, n) = compare(&w.report, format, &vulns);
                matched += n;
                eprintln!(
                    "{} {format}: {} packages, {} vulnerabilities from osv-scanner, {n} also binsight's",
                    w.name,
                    read.len(),
                    vulns.len()
                );
                for (rule, cases) in &explained {
                    *explained_all.entry(*rule).or_default() += cases.len();
                    eprintln!("  explained, {rule:?} ({}), e.g. {:?}", cases.len(), &cases[..cases.len().min(3)]);
                }
                failures.extend(differences.into_iter().map(|d| format!("{} {format}: {d}", w.name)));
            }
        }
        eprintln!("osv-scanner v2.6.0 vs binsight: {matched} vulnerabilities matched; explained: {explained_all:?}");
        assert_eq!(tripwire.hits(), 0, "osv-scanner tried to reach the network");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // Not vacuous: crate, module and standard library vulnerabilities were all compared.
        assert!(matched >= 300, "only {matched} vulnerabilities matched");
    }

    #[test]
    fn osv_scanner_without_its_local_database_fails_and_fetches_nothing() {
        let tool = offline::peer("BINSIGHT_OSV_SCANNER", "osv-scanner");
        let (home, db, tripwire) =
            (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"), offline::Tripwire::new());
        let w = &written()[0];
        let sbom = &w.sboms[0].1;
        let (code, _, err) = osv_scanner(&tool, home.path(), tripwire.addr(), db.path(), sbom);
        assert_eq!(code, Some(127), "osv-scanner must fail without its database:\n{err}");
        assert!(err.contains("no offline version of the OSV database is available"), "{err}");
        let zips: Vec<_> =
            walk(db.path()).into_iter().chain(walk(home.path())).filter(|p| p.ends_with("all.zip")).collect();
        assert!(zips.is_empty(), "osv-scanner wrote a database: {zips:?}");
        assert_eq!(tripwire.hits(), 0, "osv-scanner tried to reach the network");
    }

    /// Every file under `dir`.
    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
