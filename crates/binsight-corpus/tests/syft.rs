//! binsight's components against syft's, on the same files: every Rust and Go fixture of the
//! corpus, and every real-world fixture whose recipe does not know its toolchain (a Rust or Go
//! program or not: syft must find nothing binsight misses in any of them). `scripts/test.sh`
//! builds syft v1.57.2 from the Go module proxy (`scripts/peers.sh syft`) and sets
//! `BINSIGHT_SYFT`; without it this test fails.
//!
//! syft runs once, as `syft scan dir:DIR -o syft-json` over hard links of every fixture (one
//! start-up: a run per file cost about 1.2 s of CPU each, mostly syft starting), and each
//! package goes to the file syft found it in; offline: no update check, no enrichment, no remote license look-ups, `GOPROXY=off`, its own
//! home, config and cache in a temporary directory, and `HTTP(S)_PROXY` pointing at a loopback
//! listener that counts connections (the test fails if syft ever opened one).
//!
//! Compared: syft's `rust-crate` and `go-module` packages, by (name, version), with binsight's
//! components (`rust-crate`, `go-module`; syft's Go `stdlib` package, version `goX.Y.Z`, is
//! binsight's `go-stdlib` component `vX.Y.Z`). Every syft package must be one of binsight's, or
//! be explained by one of the narrow rules of [`Rule`]. The other way round, the test counts and
//! asserts what binsight reports that syft cannot: crates of Rust binaries without
//! cargo-auditable data, Go modules of builds without module lines, the Rust standard library,
//! the libc (family and version) and bundled C libraries.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use binsight_corpus::{corpus_dir, load_manifest, Fixture};
use binsight_model::{BinaryReport, Component, ComponentKind, LibcFamily};
use binsight_testkit::offline;

/// syft processes (and binsight analyses) at a time.
const THREADS: usize = 3;

/// A package syft reported.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Pkg {
    /// `rust-crate` or `go-module`.
    kind: String,
    name: String,
    version: String,
}

/// Why a package syft reports is not one of binsight's components, each narrow: it names the
/// binsight component that stands for the package.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rule {
    /// A Go main module built from a working tree (`mod PATH (devel)`, no VCS settings): syft
    /// drops `(devel)` (`golang/package.go`) and its JSON says `UNKNOWN`; binsight reports the
    /// root module with no version (a purl without `@`), as `(devel)` is no version of it.
    UnversionedMainModule,
    /// A Go main module built from a git checkout (`mod PATH (devel)` with `vcs.revision` and
    /// `vcs.time` settings): syft makes up a pseudo-version from the two
    /// (`v0.0.0-20250208030126-e9174d671b18`, `findMainModuleVersion`), binsight keeps what the
    /// build info states: no version (the revision and time are in its Go build settings).
    VcsPseudoVersion,
    /// A GOPATH build (Debian's): the build info has a `path` line (the main package) and no
    /// `mod` line; syft reports the main package's path as a module with version `UNKNOWN`,
    /// binsight the module that package belongs to (its root module, named from the pclntab's
    /// packages, or from the `path` line by its host's layout when the module has no package but
    /// `main`, as skopeo's), of which the path is a package.
    GopathMainPackage,
    /// A module replaced by a local directory (`=> ./dir`): syft keeps the module's path with
    /// version `UNKNOWN`, binsight names the directory it was built from (`./localmods/greeting`,
    /// no version, no purl), the module's path only in its `go-replace` evidence.
    LocalReplacement,
}

impl Rule {
    fn describe(self) -> &'static str {
        match self {
            Rule::UnversionedMainModule => {
                "Go main module built from a working tree: syft version UNKNOWN, binsight the root module without a version"
            }
            Rule::VcsPseudoVersion => {
                "Go main module from a git checkout: syft makes up a pseudo-version from vcs.time and vcs.revision, binsight states none"
            }
            Rule::GopathMainPackage => {
                "GOPATH build: syft names the main package (build info `path`), binsight its root module (pclntab packages, else the `path` line by host layout)"
            }
            Rule::LocalReplacement => {
                "module replaced by a local directory: syft keeps the module path (UNKNOWN), binsight names the directory"
            }
        }
    }
}

/// How one syft package is accounted for.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// The same (name, version) among binsight's components.
    Same,
    /// syft's Go `stdlib goX.Y.Z` is binsight's `go-stdlib` `vX.Y.Z`.
    Stdlib,
    /// A difference one of the rules explains.
    Explained(Rule),
}

/// syft's packages of one binary: its `rust-crate` and `go-module` packages, and how many of
/// other types (by type).
#[derive(Default)]
struct SyftFound {
    pkgs: Vec<Pkg>,
    other: BTreeMap<String, usize>,
}

/// One `syft scan dir:` over every fixture (hard links, or copies across file systems, at
/// `INDEX/NAME`: syft starts once, not once per file), its packages split by the file each
/// was found in.
fn syft_all(tool: &Path, home: &Path, proxy: &str, dir: &Path, fixtures: &[&Fixture]) -> Vec<SyftFound> {
    let bins = home.join("bins");
    std::fs::create_dir_all(&bins).expect("mkdir");
    for (i, f) in fixtures.iter().enumerate() {
        // Under its own name: syft's binary classifiers go by file name (busybox…).
        let from = dir.join(&f.path);
        let to = bins.join(format!("{i:04}")).join(from.file_name().expect("a file name"));
        std::fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
        if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("copying {}: {e}", from.display()));
        }
    }
    let out = offline::command(tool, home, proxy)
        .arg("scan")
        .arg(format!("dir:{}", bins.display()))
        .args(["-o", "syft-json", "-q"])
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", tool.display()));
    assert!(out.status.success(), "syft failed: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("syft JSON: {e}"));
    let mut found: Vec<SyftFound> = fixtures.iter().map(|_| SyftFound::default()).collect();
    for a in v["artifacts"].as_array().unwrap_or_else(|| panic!("no artifacts in syft's JSON: {v}")) {
        let field = |k: &str| a[k].as_str().unwrap_or_else(|| panic!("syft artifact without {k}: {a}")).to_string();
        let kind = field("type");
        for loc in a["locations"].as_array().into_iter().flatten() {
            let path = loc["path"].as_str().unwrap_or_else(|| panic!("syft location without a path: {a}"));
            let index = path.trim_start_matches('/').split('/').next().and_then(|i| i.parse::<usize>().ok());
            let i = index.unwrap_or_else(|| panic!("syft path {path}"));
            let f = &mut found[i];
            if kind == "rust-crate" || kind == "go-module" {
                f.pkgs.push(Pkg { kind: kind.clone(), name: field("name"), version: field("version") });
            } else {
                *f.other.entry(kind.clone()).or_default() += 1;
            }
        }
    }
    for f in &mut found {
        f.pkgs.sort();
    }
    found
}

/// What syft and binsight said about one fixture.
struct Row {
    id: String,
    syft: Vec<Pkg>,
    syft_other: BTreeMap<String, usize>,
    report: BinaryReport,
}

/// syft on every fixture (one directory scan), then binsight's analysis of each, `THREADS` at
/// a time, in manifest order; and how long syft and binsight took.
fn run_all(tool: &Path, proxy: &str, dir: &Path, fixtures: &[&Fixture]) -> (Vec<Row>, Duration, Duration) {
    let home = tempfile::tempdir().expect("tempdir");
    let t0 = Instant::now();
    let mut syft = syft_all(tool, home.path(), proxy, dir, fixtures);
    let (syft_time, t1) = (t0.elapsed(), Instant::now());
    let next = AtomicUsize::new(0);
    let reports: Mutex<Vec<Option<BinaryReport>>> = Mutex::new((0..fixtures.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(f) = fixtures.get(i) else { break };
                let path = dir.join(&f.path);
                let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let report = binsight_detect::analyze_file(&f.path, &data, &Default::default())
                    .unwrap_or_else(|e| panic!("analysing {}: {e}", f.id));
                reports.lock().expect("lock")[i] = Some(report);
            });
        }
    });
    let reports = reports.into_inner().expect("lock");
    let rows = fixtures
        .iter()
        .zip(reports)
        .zip(syft.iter_mut())
        .map(|((f, r), s)| Row {
            id: f.id.clone(),
            syft: std::mem::take(&mut s.pkgs),
            syft_other: std::mem::take(&mut s.other),
            report: r.expect("every fixture analysed"),
        })
        .collect();
    (rows, syft_time, t1.elapsed())
}

fn lang(r: &BinaryReport, kind: ComponentKind) -> impl Iterator<Item = &Component> {
    r.components.iter().filter(move |c| c.kind == kind)
}

/// How binsight accounts for syft's package `p`; `None`: it does not.
fn account(p: &Pkg, r: &BinaryReport) -> Option<Outcome> {
    let kind = if p.kind == "rust-crate" { ComponentKind::RustCrate } else { ComponentKind::GoModule };
    if lang(r, kind).any(|c| c.name == p.name && c.version.as_deref() == Some(p.version.as_str())) {
        return Some(Outcome::Same);
    }
    if kind != ComponentKind::GoModule {
        return None;
    }
    if p.name == "stdlib" {
        let v = p.version.strip_prefix("go")?;
        let same = lang(r, ComponentKind::GoStdlib).any(|c| c.version.as_deref() == Some(&format!("v{v}")));
        return same.then_some(Outcome::Stdlib);
    }
    go_rule(p, r).map(Outcome::Explained)
}

/// The rule that explains syft's Go module `p` missing from binsight's components, if one does.
fn go_rule(p: &Pkg, r: &BinaryReport) -> Option<Rule> {
    let go = r.toolchain.go.as_ref()?;
    let unversioned_root =
        |name: &str| lang(r, ComponentKind::GoModule).any(|c| c.root && c.version.is_none() && c.name == name);
    let devel_main = go.main.as_ref().is_some_and(|m| m.path == p.name && m.version == "(devel)");
    if devel_main && unversioned_root(&p.name) {
        if p.version == "UNKNOWN" {
            return Some(Rule::UnversionedMainModule);
        }
        let setting = |k: &str| go.settings.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let (time, rev) = (setting("vcs.time")?, setting("vcs.revision")?);
        let stamp: String = time.chars().filter(char::is_ascii_digit).collect();
        let made_up = format!("v0.0.0-{stamp}-{}", rev.get(..12)?);
        return (p.version == made_up).then_some(Rule::VcsPseudoVersion);
    }
    if p.version != "UNKNOWN" {
        return None;
    }
    let gopath_root = lang(r, ComponentKind::GoModule)
        .any(|c| c.root && c.version.is_none() && p.name.starts_with(&format!("{}/", c.name)));
    if go.main.is_none() && go.path.as_deref() == Some(p.name.as_str()) && (gopath_root || unversioned_root(&p.name)) {
        return Some(Rule::GopathMainPackage);
    }
    let replaced_locally = lang(r, ComponentKind::GoModule).any(|c| {
        let dir = c.name.starts_with("./") || c.name.starts_with("../") || c.name.starts_with('/');
        dir && c.version.is_none()
            && c.evidence.iter().any(|e| {
                e.signal == "go-replace"
                    && e.detail.starts_with(&format!("{} ", p.name))
                    && e.detail.contains(&format!(" => {} ", c.name))
            })
    });
    replaced_locally.then_some(Rule::LocalReplacement)
}

/// What binsight reports that syft cannot, summed over the fixtures: (binaries, items) by what.
type Beyond = BTreeMap<String, (usize, usize)>;

const RUST_CRATES: &str = "Rust crates of binaries without cargo-auditable data (syft: no crate)";
const GO_PCLNTAB: &str =
    "Go modules named from the pclntab: build info without module lines (syft: the main package or nothing)";
const RUST_STD: &str = "the Rust standard library (rust-std at the rustc version)";
const C_LIBRARIES: &str = "bundled C libraries (c-library components)";

fn beyond(rows: &[Row]) -> Beyond {
    fn add(b: &mut Beyond, what: String, binary: bool, n: usize) {
        if binary {
            let e = b.entry(what).or_default();
            e.0 += 1;
            e.1 += n;
        }
    }
    let mut b = Beyond::new();
    for row in rows {
        let r = &row.report;
        let crates = lang(r, ComponentKind::RustCrate).filter(|c| !c.root).count();
        let syft_crates = row.syft.iter().filter(|p| p.kind == "rust-crate").count();
        add(&mut b, RUST_CRATES.into(), syft_crates == 0 && crates > 0, crates);
        let go = lang(r, ComponentKind::GoModule).filter(|c| !c.root && c.found_by == "go-pclntab").count();
        add(&mut b, GO_PCLNTAB.into(), go > 0, go);
        let std = lang(r, ComponentKind::RustStd).count();
        add(&mut b, RUST_STD.into(), std > 0, std);
        let libs = lang(r, ComponentKind::CLibrary).count();
        add(&mut b, C_LIBRARIES.into(), libs > 0, libs);
        let known = !matches!(r.libc.family, LibcFamily::Unknown | LibcFamily::None);
        add(&mut b, libc_row(r.libc.family), known, usize::from(r.libc.version.is_some()));
    }
    b
}

/// The summary row of binaries whose libc binsight named (items: those with a version or range).
fn libc_row(family: LibcFamily) -> String {
    format!("libc {} named (items: with a version or range)", family.as_str())
}

/// The fixtures compared: Rust and Go ones, and real-world ones whose toolchain is not recorded.
fn selected(fixtures: &[Fixture]) -> Vec<&Fixture> {
    fixtures
        .iter()
        .filter(|f| match f.truth.get("toolchain").and_then(|t| t.as_str()) {
            Some(t) => t == "rustc" || t == "go",
            None => f.real_world,
        })
        .collect()
}

#[test]
fn binsight_finds_every_package_syft_finds() {
    let tool = offline::peer("BINSIGHT_SYFT", "syft");
    let dir = corpus_dir();
    let m = load_manifest(&dir).unwrap_or_else(|e| panic!("{e:#}"));
    let fixtures = selected(&m.fixtures);
    assert!(fixtures.len() >= 150, "only {} Rust/Go fixtures: rebuild the corpus", fixtures.len());
    let tripwire = offline::Tripwire::new();
    let (rows, syft_time, binsight_time) = run_all(&tool, tripwire.addr(), &dir, &fixtures);
    assert_eq!(tripwire.hits(), 0, "syft tried to reach the network (through the proxy variables)");

    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut explained: BTreeMap<Rule, Vec<String>> = BTreeMap::new();
    let mut missing = Vec::new();
    let mut other: BTreeMap<String, usize> = BTreeMap::new();
    for row in &rows {
        for (k, n) in &row.syft_other {
            *other.entry(k.clone()).or_default() += n;
        }
        for p in &row.syft {
            *counts.entry(format!("syft {}", p.kind)).or_default() += 1;
            match account(p, &row.report) {
                Some(Outcome::Same) => *counts.entry("found by binsight".into()).or_default() += 1,
                Some(Outcome::Stdlib) => *counts.entry("found by binsight (Go stdlib)".into()).or_default() += 1,
                Some(Outcome::Explained(rule)) => {
                    explained.entry(rule).or_default().push(format!("{}: {} {}", row.id, p.name, p.version))
                }
                None => missing.push(format!("{}: {} {} {}", row.id, p.kind, p.name, p.version)),
            }
        }
    }
    let with = |k: &str| rows.iter().filter(|r| r.syft.iter().any(|p| p.kind == k)).count();
    eprintln!(
        "syft v1.57.2 vs binsight: {} binaries compared; syft found crates in {}, Go modules in {}",
        rows.len(),
        with("rust-crate"),
        with("go-module")
    );
    eprintln!(
        "  syft's directory scan {:.1} s; binsight's analysis {:.1} s ({THREADS} threads, this test's build)",
        syft_time.as_secs_f64(),
        binsight_time.as_secs_f64()
    );
    for (k, n) in &counts {
        eprintln!("  {k}: {n}");
    }
    for (rule, cases) in &explained {
        eprintln!("  explained, {} ({}): {:?}", cases.len(), rule.describe(), rule);
        for c in cases.iter().take(3) {
            eprintln!("      e.g. {c}");
        }
    }
    eprintln!("  syft's other package types (not compared): {other:?}");
    let b = beyond(&rows);
    eprintln!("binsight beyond syft (binaries: items):");
    for (what, (binaries, items)) in &b {
        eprintln!("  {what}: {binaries} binaries: {items}");
    }
    assert!(missing.is_empty(), "syft packages binsight does not report ({}):\n{}", missing.len(), missing.join("\n"));
    // Not vacuous: syft found crates and modules, and binsight matched them.
    assert!(counts.get("syft rust-crate").copied().unwrap_or(0) >= 250, "{counts:?}");
    assert!(counts.get("syft go-module").copied().unwrap_or(0) >= 200, "{counts:?}");
    assert!(counts.get("found by binsight (Go stdlib)").copied().unwrap_or(0) >= 50, "{counts:?}");
    let at_least = |what: &str, binaries: usize, items: usize| {
        let (b_, i) = b.get(what).copied().unwrap_or_default();
        assert!(b_ >= binaries && i >= items, "{what}: {b_} binaries, {i} items; expected >= {binaries}, {items}");
    };
    at_least(RUST_CRATES, 30, 1000);
    at_least(GO_PCLNTAB, 6, 300);
    at_least(RUST_STD, 80, 80);
    at_least(C_LIBRARIES, 20, 50);
    at_least(&libc_row(LibcFamily::Musl), 60, 50);
    at_least(&libc_row(LibcFamily::Glibc), 10, 1);
}
