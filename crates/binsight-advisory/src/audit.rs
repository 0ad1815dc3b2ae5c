//! Findings and a verdict for one binary: match its components against OSV data, decide
//! whether the vulnerable code is really in the binary, and say what fixes it.

use std::sync::OnceLock;

use binsight_model::{
    Action, AdvisoryData, Applicability, BinaryReport, Component, ComponentKind, Evidence, Finding, Fix, FixSubject,
    GoFunctionIndex, Informational, Severity, Suppressed, Verdict,
};

use crate::osv::Advisory;
use crate::range::{self, Decision};
use crate::Database;

const LIBC_ADVISORIES: &str = include_str!("../data/libc.json");
/// binsight's own advisories for the C libraries binaries bundle (ecosystem: the library's
/// name), each citing its source.
const C_LIBRARY_ADVISORIES: &str = include_str!("../data/c-libraries.json");
/// RustSec's Rust standard library advisories as OSV (scripts/gen-rust-toolchain-advisories.py).
const RUST_TOOLCHAIN_ADVISORIES: &str = include_str!("../data/rust-toolchain.json");

/// The compiled-in advisories: binsight's own for libcs (ecosystem `musl`) and the Rust
/// standard library's (ecosystem `rust-toolchain`), both OSV.
pub fn embedded() -> &'static [Advisory] {
    static A: OnceLock<Vec<Advisory>> = OnceLock::new();
    #[allow(clippy::expect_used)] // compiled-in data, checked by a unit test
    A.get_or_init(|| {
        let mut v: Vec<Advisory> = serde_json::from_str(LIBC_ADVISORIES).expect("data/libc.json is valid OSV");
        v.extend(
            serde_json::from_str::<Vec<Advisory>>(C_LIBRARY_ADVISORIES).expect("data/c-libraries.json is valid OSV"),
        );
        v.extend(
            serde_json::from_str::<Vec<Advisory>>(RUST_TOOLCHAIN_ADVISORIES)
                .expect("data/rust-toolchain.json is valid OSV"),
        );
        v
    })
}

/// Advisories limited to other operating systems do not apply to Linux binaries. The list is
/// `ecosystem_specific.os` in binsight's records and `ecosystem_specific.affects.os` in RustSec's.
fn applies_to_linux(a: &Advisory) -> bool {
    a.affected.iter().all(|x| {
        let es = x.ecosystem_specific.as_ref();
        let os = es.and_then(|e| e.get("os").or_else(|| e.get("affects").and_then(|f| f.get("os"))));
        os.and_then(|o| o.as_array()).is_none_or(|o| o.is_empty() || o.iter().any(|v| v.as_str() == Some("linux")))
    })
}

/// RustSec's informational kind (`unmaintained`, `unsound`, `notice`), when the record has one.
fn informational(a: &Advisory) -> Option<Informational> {
    a.affected.iter().find_map(|x| x.database_specific.as_ref()?.get("informational")?.as_str()?.parse().ok())
}

/// A database with binsight's built-in advisories (libcs, Rust standard library) plus whatever
/// `extra` holds. The OSV snapshot is not added: see [`crate::load_for_audit`].
pub fn with_embedded(mut extra: Database) -> Database {
    extra.add_source(crate::Origin::BuiltIn, embedded().to_vec(), None);
    extra
}

/// (ecosystem, package name) an OSV database files a component under; `None` for what is not
/// matched against advisories: the program itself when it has no released version (the root
/// crate, a main module built from its source tree: `(devel)`), local path dependencies and
/// `=> ./dir` replacements, and build-time-only crates. A Go main module built at a release
/// (`go install example.com/cmd@v1.0.0`) is that module's code: its advisories apply, as
/// govulncheck reports them.
fn osv_package(c: &Component) -> Option<(&str, &str)> {
    let local = c.source.as_deref() == Some("local");
    let released = c.version.as_deref().is_some_and(|v| v.starts_with('v') && range::parse(v).is_some());
    match c.kind {
        ComponentKind::RustCrate if !c.build_only && !c.root && !local => Some(("crates.io", c.name.as_str())),
        ComponentKind::GoModule if (!c.root || released) && !local => Some(("Go", c.name.as_str())),
        ComponentKind::GoStdlib => Some(("Go", "stdlib")),
        ComponentKind::RustStd => Some(("rust-toolchain", "std")),
        // binsight's own libc advisories are filed under the libc's name (`musl`); a libc with
        // none (glibc, uclibc…) is then an ecosystem without data, never a silent `ok`.
        ComponentKind::Libc | ComponentKind::CLibrary => Some((c.name.as_str(), c.name.as_str())),
        ComponentKind::RustCrate | ComponentKind::GoModule => None,
    }
}

/// The version a finding on `c` says is installed: its own, else (a libc) the report's libc
/// version range, else empty.
fn installed_version(c: &Component, report: &BinaryReport) -> String {
    c.version.clone().unwrap_or_else(|| report.libc.version.as_ref().map(ToString::to_string).unwrap_or_default())
}

/// Why an ecosystem's advisories are missing, and what to do about it.
fn no_data(eco: &str) -> String {
    if crate::update::DEFAULT_SOURCES.contains(&eco) {
        format!("no advisories for {eco} loaded: run `binsight db update` (or `binsight db import` offline)")
    } else {
        format!("binsight has no advisory data for {eco}: its vulnerabilities are not checked")
    }
}

/// Versions to test a component at: its version, or both ends of a libc version range.
fn versions_of(c: &Component, report: &BinaryReport) -> Vec<String> {
    if let Some(v) = &c.version {
        return vec![v.clone()];
    }
    if c.kind == ComponentKind::Libc {
        if let Some(r) = &report.libc.version {
            return r.ends().into_iter().filter(|v| range::parse(v).is_some()).map(str::to_string).collect();
        }
    }
    vec![]
}

fn fixed_versions(a: &Advisory, eco: &str, name: &str) -> Vec<String> {
    let mut v: Vec<String> = a
        .affected
        .iter()
        .filter(|x| {
            x.package.as_ref().is_some_and(|p| {
                p.ecosystem == eco && crate::db::package_key(eco, &p.name) == crate::db::package_key(eco, name)
            })
        })
        .flat_map(|x| &x.ranges)
        .flat_map(|r| &r.events)
        .filter_map(|e| e.fixed.clone())
        .collect();
    // By version, not as text (0.2.23 after 0.2.3).
    v.sort_by(|a, b| match (range::parse(a), range::parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.cmp(b),
    });
    v.dedup();
    v
}

/// The lowest fixed version above the installed one (the fix for the range it falls in).
fn next_fix<'a>(fixed: &'a [String], installed: Option<&str>) -> Option<&'a String> {
    let Some(inst) = installed.and_then(range::parse) else { return fixed.first() };
    fixed.iter().find(|f| range::parse(f).is_some_and(|v| v > inst))
}

fn affected_functions(a: &Advisory) -> Vec<String> {
    a.affected
        .iter()
        .filter_map(|x| x.ecosystem_specific.as_ref()?.get("affected_functions")?.as_array().cloned())
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_string))
        .collect()
}

/// The advisory's severity from its CVSS vectors (the highest), as `low`…`critical`.
fn severity(a: &Advisory) -> Option<Severity> {
    use std::str::FromStr;
    a.severity
        .iter()
        .filter_map(|s| match s.kind.as_str() {
            "CVSS_V3" => cvss::v3::Vector::from_str(&s.score).ok().map(|v| v.score().value()),
            "CVSS_V4" => cvss::v4::Vector::from_str(&s.score).ok().map(|v| v.score().value()),
            _ => None,
        })
        .max_by(f64::total_cmp)
        .map(Severity::from_cvss_score)
}

/// The function names (as they appear in a Go binary's pclntab: `path.Func\0`,
/// `path.Type.Method\0`, `path.(*Type).Method\0`, `path.Func[` for generics, or `path.` for a
/// whole package) that would show an advisory's affected code is linked: one list per affected
/// import that applies to the binary's GOOS/GOARCH. `None` when the record lists no imports.
fn go_candidate_names(a: &Advisory, c: &Component, report: &BinaryReport) -> Option<Vec<Vec<String>>> {
    let setting =
        |k: &str| report.toolchain.go.as_ref()?.settings.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let (goos, goarch) = (setting("GOOS"), setting("GOARCH"));
    let pkg = if c.kind == ComponentKind::GoStdlib { "stdlib" } else { c.name.as_str() };
    let imports: Vec<&serde_json::Value> = a
        .affected
        .iter()
        .filter(|x| x.package.as_ref().is_some_and(|p| p.ecosystem == "Go" && p.name == pkg))
        .filter_map(|x| x.ecosystem_specific.as_ref()?.get("imports")?.as_array())
        .flatten()
        .collect();
    if imports.is_empty() {
        return None;
    }
    let listed = |v: &serde_json::Value, k: &str, mine: &Option<String>| {
        let Some(list) = v.get(k).and_then(|l| l.as_array()).filter(|l| !l.is_empty()) else { return true };
        mine.as_ref().is_none_or(|m| list.iter().any(|x| x.as_str() == Some(m)))
    };
    let mut groups = Vec::new();
    for imp in imports {
        let Some(path) = imp.get("path").and_then(|p| p.as_str()) else { continue };
        if !listed(imp, "goos", &goos) || !listed(imp, "goarch", &goarch) {
            continue;
        }
        let symbols: Vec<&str> = imp
            .get("symbols")
            .and_then(|s| s.as_array())
            .map(|s| s.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        let mut names: Vec<String> = Vec::new();
        if symbols.is_empty() {
            names.push(format!("{path}."));
        }
        for sym in &symbols {
            match sym.split_once('.') {
                Some((ty, m)) => {
                    names.push(format!("{path}.{ty}.{m}\0"));
                    names.push(format!("{path}.(*{ty}).{m}\0"));
                }
                None => {
                    names.push(format!("{path}.{sym}\0"));
                    names.push(format!("{path}.{sym}["));
                }
            }
        }
        groups.push(names);
    }
    Some(groups)
}

/// Go: are the advisory's affected symbols among the binary's function names? Go keeps every
/// function name (inlined ones too) in its pclntab, stripped or not. `present` says whether a
/// candidate name is in the binary. `None` when the record lists no symbols.
fn go_reachability(
    a: &Advisory,
    c: &Component,
    report: &BinaryReport,
    present: &dyn Fn(&str) -> bool,
) -> Option<(Applicability, Vec<Evidence>)> {
    let groups = go_candidate_names(a, c, report)?;
    for names in &groups {
        if let Some(hit) = names.iter().find(|n| present(n)) {
            let shown = hit.trim_end_matches('\0').to_string();
            return Some((
                Applicability::Affected,
                vec![Evidence::new("go-symbol", format!("{shown} is in the binary's function names"))],
            ));
        }
    }
    let why = if groups.is_empty() {
        "the affected packages are only built for other GOOS/GOARCH".to_string()
    } else {
        format!("none of the affected functions of {} package(s) is in the binary's function names", groups.len())
    };
    Some((Applicability::NotLinked, vec![Evidence::new("go-symbol", why)]))
}

/// The paths of the functions a crate advisory names (RustSec's `affects.functions`).
fn rust_function_paths(a: &Advisory) -> Vec<String> {
    a.affected
        .iter()
        .filter_map(|x| x.ecosystem_specific.as_ref()?.get("affects")?.get("functions")?.as_array().cloned())
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_string))
        .collect()
}

/// Up to three names, then how many more: `a, b, c and 6 more`.
fn some_of(names: &[String]) -> String {
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}

/// A crate advisory that names functions: the package is in the binary, and binsight does not
/// claim more. Whether a Rust function is linked cannot be told soundly from the binary: one
/// inlined everywhere leaves no symbol, and even DWARF (`debug = "limited"`) may not name it
/// (corpus group `vuln`: `bumpalo`'s `Vec::into_iter`, called, has neither). `None` when the
/// advisory names no function.
fn rust_crate_functions(a: &Advisory, c: &Component) -> Option<(Applicability, Vec<Evidence>)> {
    let funcs = rust_function_paths(a);
    if c.kind != ComponentKind::RustCrate || funcs.is_empty() {
        return None;
    }
    let why = format!(
        "the package is in the binary; whether {} is linked is not told (a Rust function inlined everywhere \
         leaves no symbol)",
        some_of(&funcs)
    );
    Some((Applicability::Affected, vec![Evidence::new("component", why)]))
}

/// Is the advisory's vulnerable code in this (static) binary?
fn applicability(
    a: &Advisory,
    c: &Component,
    report: &BinaryReport,
    go_names: Option<&GoFunctionIndex>,
) -> (Applicability, Vec<Evidence>) {
    if let (Some(found), true) = (go_names, c.kind.is_go()) {
        if let Some(r) = go_reachability(a, c, report, &|n| found.present(n)) {
            return r;
        }
    }
    if let Some(r) = rust_crate_functions(a, c) {
        return r;
    }
    if c.kind == ComponentKind::GoStdlib {
        // Every Go binary has a standard library. Without its function names (not indexed), or
        // with a record that lists no imports, whether the vulnerable package is linked cannot be
        // told (the evidence's wording is part of the JSON output).
        return (
            Applicability::Unknown,
            vec![Evidence::new(
                "go-stdlib",
                "whether the affected standard-library package is linked is not checked yet",
            )],
        );
    }
    let funcs = affected_functions(a);
    if funcs.is_empty() {
        let what = match (&c.kind, c.bundle.as_ref().and_then(|b| b.loaded_from.as_deref())) {
            (ComponentKind::CLibrary, Some(f)) => format!("the binary loads {f}, which carries it (no function named)"),
            (ComponentKind::CLibrary, None) => {
                "the library's code is in the binary (the advisory names no function)".into()
            }
            _ => "the package is in the binary".into(),
        };
        return (Applicability::Affected, vec![Evidence::new("component", what)]);
    }
    if c.kind == ComponentKind::RustStd {
        return (
            Applicability::Unknown,
            vec![Evidence::new("rust-std", format!("whether {} is linked is not checked yet", funcs.join(", ")))],
        );
    }
    // A bundled C library's functions are recorded with it; the libc's with the libc.
    let linked = match (&c.kind, &c.bundle) {
        (ComponentKind::CLibrary, Some(b)) => &b.linked_functions,
        _ => &report.libc.linked_functions,
    };
    let tracked: Vec<_> = linked.iter().filter(|f| funcs.contains(&f.name)).collect();
    let mut ev = Vec::new();
    for f in &tracked {
        let state = match f.present {
            Some(true) => "linked",
            Some(false) => "not linked",
            None => "cannot tell (stripped, no fingerprint)",
        };
        ev.push(Evidence::new("linked-function", format!("{}: {state}", f.name)));
    }
    let app = if tracked.iter().any(|f| f.present == Some(true)) {
        Applicability::Affected
    } else if !tracked.is_empty() && tracked.len() == funcs.len() && tracked.iter().all(|f| f.present == Some(false)) {
        Applicability::NotLinked
    } else {
        Applicability::Unknown
    };
    (app, ev)
}

/// Fill `report.findings` and `report.verdict` from `db`. Works on the report alone: a Go
/// binary's function names come from `report.go_functions` (filled by detection); without
/// them, whether a Go advisory's functions are linked is `unknown`.
pub fn audit(report: &mut BinaryReport, db: &Database) {
    let mut m = Matcher {
        report,
        db,
        findings: Vec::new(),
        suppressed: Vec::new(),
        reasons: Vec::new(),
        fixes: Vec::new(),
        missing: Vec::new(),
        used: Vec::new(),
        uncovered: Vec::new(),
    };
    // Bundled C libraries first: binsight's record of a CVE (with the functions it names) is
    // kept over RustSec's record of the same CVE for the crate that vendors the library.
    let (libs, rest): (Vec<&Component>, Vec<&Component>) =
        report.components.iter().partition(|c| c.kind == ComponentKind::CLibrary);
    for c in libs.into_iter().chain(rest) {
        m.component(c);
    }
    let (findings, suppressed, verdict) = m.verdict();
    report.findings = Some(findings);
    report.suppressed = suppressed;
    report.verdict = Some(verdict);
}

/// One binary's audit under way: what matched, what could not be checked, what fixes it.
struct Matcher<'r> {
    report: &'r BinaryReport,
    db: &'r Database,
    findings: Vec<Finding>,
    /// Findings a VEX statement or an ignore entry took out.
    suppressed: Vec<Suppressed>,
    /// Backports and warnings, then the verdict's own reasons.
    reasons: Vec<String>,
    fixes: Vec<Fix>,
    /// What could not be checked, and why.
    missing: Vec<String>,
    /// Ecosystems matched against data / without data (each named once).
    used: Vec<&'r str>,
    uncovered: Vec<&'r str>,
}

impl<'r> Matcher<'r> {
    /// Match one component against the advisories of its ecosystem.
    fn component(&mut self, c: &'r Component) {
        if c.kind == ComponentKind::CLibrary {
            return self.c_library(c);
        }
        let (report, db) = (self.report, self.db);
        let Some((eco, name)) = osv_package(c) else { return };
        if !db.covers(eco) {
            self.uncovered_ecosystem(eco);
            return;
        }
        self.used_ecosystem(eco);
        let versions = versions_of(c, report);
        if versions.is_empty() {
            self.missing.push(format!("{} version unknown: its advisories cannot be matched", c.name));
            return;
        }
        self.match_versions(c, (eco, name), &versions);
    }

    fn uncovered_ecosystem(&mut self, eco: &'r str) {
        if !self.uncovered.contains(&eco) {
            self.uncovered.push(eco);
            self.missing.push(no_data(eco));
        }
    }

    fn used_ecosystem(&mut self, eco: &'r str) {
        if !self.used.contains(&eco) {
            self.used.push(eco);
        }
    }

    /// A bundled C library: binsight's own advisories for it (ecosystem: its name), and
    /// RustSec's for the `-src`/`-sys` crate versions that vendor the same release, whether or
    /// not the binary was built with that crate (the C code is the same).
    fn c_library(&mut self, c: &'r Component) {
        let Some(v) = c.version.clone() else {
            self.missing.push(format!("{} version unknown: its advisories cannot be matched", c.name));
            return;
        };
        let db = self.db;
        let coordinates = crate_coordinates(c);
        let own = db.covers(&c.name);
        if !own && (coordinates.is_empty() || !db.covers("crates.io")) {
            self.uncovered_ecosystem(&c.name);
            return;
        }
        if own {
            self.used_ecosystem(&c.name);
            self.match_versions(c, (&c.name, &c.name), std::slice::from_ref(&v));
        }
        if db.covers("crates.io") {
            for (krate, version) in coordinates {
                self.used_ecosystem("crates.io");
                self.match_versions(c, ("crates.io", &krate), &[version]);
            }
        }
    }

    /// Every advisory of `(eco, name)` that covers one of `versions`, once (by id and alias).
    fn match_versions(&mut self, c: &Component, (eco, name): (&str, &str), versions: &[String]) {
        let db = self.db;
        let mut seen: Vec<String> = Vec::new();
        for v in versions {
            for m in db.query(eco, name, v) {
                let a = m.advisory;
                if !applies_to_linux(a) {
                    continue;
                }
                // The same vulnerability from two sources (binsight's record and RustSec's for
                // the crate that vendors the library) is one finding: the first, binsight's.
                // An advisory naming two components (a Go one filed under golang.org/x/net and
                // stdlib) is a finding for each: only a finding of this component (same name
                // and version) or of the library this one vendors or is vendored by counts.
                let report = self.report;
                let installed = installed_version(c, report);
                let known = |f: &Finding| {
                    let same = f.component == c.name && f.installed == installed;
                    let kin = same || (f.component != c.name && related(report, &f.component, &c.name));
                    kin && (f.id == a.id
                        || a.aliases.contains(&f.id)
                        || a.aliases.iter().any(|x| f.aliases.contains(x)))
                };
                if seen.contains(&a.id)
                    || self.findings.iter().any(known)
                    || self.suppressed.iter().any(|s| known(&s.finding))
                {
                    continue;
                }
                seen.push(a.id.clone());
                self.advisory(c, (eco, name), versions, a, m.decision);
            }
        }
    }

    /// One advisory that matched one of `c`'s versions: a finding, or a backport's reason.
    fn advisory(
        &mut self,
        c: &Component,
        (eco, name): (&str, &str),
        versions: &[String],
        a: &Advisory,
        decision: Decision,
    ) {
        let (report, db) = (self.report, self.db);
        let installed = installed_version(c, report);
        let mut fixed = fixed_versions(a, eco, name);
        if c.kind == ComponentKind::CLibrary && eco == "crates.io" {
            // The crate's fixed versions as the library releases they vendor.
            fixed = fixed.iter().filter_map(|f| library_release(&c.name, name, f)).collect();
        }
        let mut aliases = a.aliases.clone();
        aliases.sort();
        aliases.dedup();
        let mut finding = Finding {
            id: a.id.clone(),
            aliases,
            summary: a.summary.clone(),
            component: c.name.clone(),
            purl: c.purl.clone(),
            installed,
            fixed,
            severity: severity(a),
            applicability: Applicability::Unknown,
            evidence: Vec::new(),
            informational: informational(a),
        };
        // A backport the build is known to carry: the version is affected, the build is not.
        if c.kind == ComponentKind::Libc {
            if let Some(p) = report.libc.patches.iter().find(|p| a.ids().any(|i| i == p.id)) {
                self.reasons.push(format!("{} is fixed in this build by a backport ({})", p.id, p.evidence.detail));
                finding.applicability = Applicability::Fixed;
                finding.evidence.push(Evidence::new("backport", p.evidence.detail.clone()));
                self.findings.push(finding);
                return;
            }
        }
        // A libc version range that straddles the fix is not a confident finding.
        let all_hit = versions.iter().all(|x| {
            db.query(eco, name, x).iter().any(|mm| mm.advisory.id == a.id && mm.decision == Decision::Affected)
        });
        let (mut app, mut ev) = applicability(a, c, report, report.go_functions.as_ref());
        if !all_hit || decision == Decision::Undecidable {
            app = Applicability::Unknown;
            ev.push(Evidence::new("version", format!("{name} {} may or may not be affected", versions.join(" to "))));
        }
        finding.applicability = app;
        finding.evidence = ev;
        if let Some(by) = db.suppressions.decide(report, &finding) {
            self.suppressed.push(Suppressed { finding, by });
            return;
        }
        if app == Applicability::Affected && finding.informational.is_none() {
            self.fixes.push(fix_for(c, a, &finding.fixed, report));
        }
        self.findings.push(finding);
    }

    /// The findings and what to do: rebuild when a vulnerability's code is in, unknown when
    /// something could not be checked, else ok; the fixes one per subject.
    fn verdict(mut self) -> (Vec<Finding>, Vec<Suppressed>, Verdict) {
        let action = self.action();
        for s in &self.suppressed {
            let by = &s.by;
            let how = match &by.justification {
                Some(j) => format!("{}: {j}", by.status),
                None => by.status.clone(),
            };
            self.reasons.push(format!(
                "{} in {} {} is suppressed by {} {} ({how}{}): not counted",
                s.finding.id,
                s.finding.component,
                s.finding.installed,
                by.source,
                by.file,
                by.author.as_ref().map(|a| format!(", author {a}")).unwrap_or_default()
            ));
        }
        // In the order of their sentences, one per subject.
        self.fixes.sort_by_cached_key(ToString::to_string);
        self.fixes.dedup();
        let mut fixes = keep_highest(self.fixes);
        if let Some(pkg) = &self.report.package {
            package_fix(&mut fixes, pkg);
        }
        self.used.sort_unstable();
        let db = self.db;
        let data = self
            .used
            .iter()
            .flat_map(|eco| {
                db.sources_for(eco).map(|s| AdvisoryData {
                    ecosystem: (*eco).to_string(),
                    source: s.origin.to_string(),
                    date: s.date.clone(),
                })
            })
            .collect();
        (self.findings, self.suppressed, Verdict { action, reasons: self.reasons, fix: fixes, data })
    }

    /// The action, with its reasons added.
    fn action(&mut self) -> Action {
        let findings = &self.findings;
        let reasons = &mut self.reasons;
        let missing = std::mem::take(&mut self.missing);
        let vulns = || findings.iter().filter(|f| f.informational.is_none());
        let affected: Vec<&Finding> = vulns().filter(|f| f.applicability == Applicability::Affected).collect();
        let unknown: Vec<&Finding> = vulns().filter(|f| f.applicability == Applicability::Unknown).collect();
        for f in findings.iter().filter(|f| f.informational.is_some() && f.applicability != Applicability::NotLinked) {
            let kind = f.informational.as_ref().map(Informational::as_str).unwrap_or_default();
            reasons.push(format!("warning, not a vulnerability: {} {} is {kind} ({})", f.component, f.installed, f.id));
        }
        if !affected.is_empty() {
            for f in &affected {
                reasons.push(format!("{} ({}) affects {} {}", f.id, f.aliases.join(", "), f.component, f.installed));
            }
            // Still worth knowing: what could not be checked.
            reasons.extend(missing);
            return Action::Rebuild;
        }
        if !unknown.is_empty() || !missing.is_empty() {
            reasons.extend(missing);
            for f in &unknown {
                let why = f.evidence.iter().map(|e| e.detail.clone()).collect::<Vec<_>>().join("; ");
                reasons.push(format!("cannot tell whether {} applies to {} {}: {why}", f.id, f.component, f.installed));
            }
            return Action::Unknown;
        }
        if self.report.components.is_empty() {
            reasons.push("no components identified: nothing to match".into());
        }
        if self.report.components_completeness == binsight_model::Completeness::Partial {
            reasons.push(
                "the crate list is partial (recovered from source paths; no cargo-auditable data): \
                 only the crates found were checked"
                    .into(),
            );
        }
        Action::Ok
    }
}

/// A file a distribution package installed is fixed by that package's rebuild: say that first
/// (once); the fixes after it are what the rebuild needs. Nothing to fix, nothing added.
pub fn package_fix(fixes: &mut Vec<Fix>, pkg: &binsight_model::OsPackage) {
    if fixes.is_empty() || fixes.iter().any(|f| matches!(f.subject, FixSubject::OsPackage(_))) {
        return;
    }
    let note = format!("installed by {} {} {}", pkg.manager, pkg.name, pkg.version);
    fixes.insert(0, Fix::no_release(FixSubject::OsPackage(pkg.name.clone())).with_note(note));
}

/// One fix per toolchain and per package: "rebuild with Rust >= 1.93" and ">= 1.95" become
/// ">= 1.95"; "update crate X to >= 0.5.6 …" and "… >= 0.6.1 …" become the higher one. A fix
/// with no fixed release stands on its own.
fn keep_highest(fixes: Vec<Fix>) -> Vec<Fix> {
    // "1.95" is not semver: read it as 1.95.0.
    let ver = |v: &str| range::parse(v).or_else(|| range::parse(&format!("{v}.0")));
    let mut out: Vec<Fix> = Vec::new();
    for f in fixes {
        let Some(v) = f.at_least.as_deref() else {
            out.push(f);
            continue;
        };
        match out.iter_mut().find(|o| o.at_least.is_some() && o.subject == f.subject) {
            Some(o) if ver(v) > o.at_least.as_deref().and_then(ver) => *o = f,
            Some(_) => {}
            None => out.push(f),
        }
    }
    out
}

/// The concrete fix for an affected finding.
fn fix_for(c: &Component, a: &Advisory, fixed: &[String], report: &BinaryReport) -> Fix {
    let next = next_fix(fixed, c.version.as_deref());
    let fix = |subject: FixSubject, version: Option<&String>| match version {
        Some(v) => Fix::at_least(subject, v.as_str()),
        None => Fix::no_release(subject),
    };
    match c.kind {
        ComponentKind::RustCrate => fix(FixSubject::Crate(c.name.clone()), next),
        ComponentKind::GoModule => fix(FixSubject::Module(c.name.clone()), next),
        ComponentKind::GoStdlib => fix(FixSubject::Go, next.map(|v| v.trim_start_matches('v').to_string()).as_ref()),
        ComponentKind::RustStd => fix(FixSubject::Rust, next),
        ComponentKind::CLibrary => c_library_fix(c, next),
        ComponentKind::Libc => {
            let by_tool = a.database_specific.as_ref().and_then(|d| d.get("fixed_by_toolchain"));
            let rustc = by_tool.and_then(|t| t.get("rustc")).and_then(|v| v.as_str());
            let zig = by_tool.and_then(|t| t.get("zig")).and_then(|v| v.as_str());
            // The toolchain that brought the libc decides the rebuild (`Toolchain::libc_linker`).
            match report.toolchain.libc_linker() {
                binsight_model::LibcLinker::Zig => match zig {
                    Some(v) => Fix::at_least(FixSubject::Zig, v),
                    None => {
                        fix(FixSubject::Musl, next).with_note("its musl came with zig: use a zig release bundling it")
                    }
                },
                binsight_model::LibcLinker::Rustc => match rustc {
                    Some(v) => Fix::at_least(FixSubject::Rust, v.trim_end_matches(".0")),
                    None => fix(FixSubject::Musl, next).with_note("its musl came with rustc's self-contained target"),
                },
                binsight_model::LibcLinker::Other => {
                    match report.toolchain.cc.iter().find(|c| c.name == "gcc" || c.name == "clang") {
                        Some(c) => {
                            let by = [Some(c.name.as_str()), c.vendor.as_deref(), c.version.as_deref()]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(" ");
                            fix(FixSubject::Musl, next)
                                .with_note(format!("linked by {by}: the musl it was given, e.g. a distro's musl-dev"))
                        }
                        None => fix(FixSubject::Musl, next).with_note("the toolchain that linked it is unknown"),
                    }
                }
            }
        }
    }
}

/// The same component, or a C library and the crate that vendors it (in either order): a CVE
/// found on one is the same finding on the other.
fn related(report: &BinaryReport, a: &str, b: &str) -> bool {
    let vendors = |krate: &str, lib: &str| {
        report.components.iter().any(|c| {
            c.kind == ComponentKind::CLibrary
                && c.name == lib
                && c.bundle
                    .as_ref()
                    .and_then(|x| x.via_purl.as_deref())
                    .is_some_and(|p| p.strip_prefix("pkg:cargo/").and_then(|r| r.split('@').next()) == Some(krate))
        })
    };
    a == b || vendors(a, b) || vendors(b, a)
}

/// (crate, its highest version) for each crate among a C library's crate coordinates
/// (`pkg:cargo/openssl-src@300.0.12%2B3.0.8`): the most recent packaging of the same C code.
fn crate_coordinates(c: &Component) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for p in c.bundle.iter().flat_map(|b| &b.crate_coordinates) {
        let Some((name, v)) = p.strip_prefix("pkg:cargo/").and_then(|r| r.split_once('@')) else { continue };
        let v = v.replace("%2B", "+");
        match out.iter_mut().find(|(n, _)| n == name) {
            Some(o) if range::parse(&v) > range::parse(&o.1) => o.1 = v,
            Some(_) => {}
            None => out.push((name.to_string(), v)),
        }
    }
    out
}

/// The release of `library` that crate `krate` vendors at `version` (`300.0.12` →
/// `3.0.8`, by `sys-crates.tsv`, build metadata or not).
fn library_release(library: &str, krate: &str, version: &str) -> Option<String> {
    binsight_detect::bundled::table::sys_crates()
        .iter()
        .find(|r| {
            r.library == library
                && r.krate == krate
                && (r.crate_version == version
                    || r.crate_version.strip_prefix(version).is_some_and(|m| m.starts_with('+')))
        })
        .map(|r| r.library_version.clone())
}

/// The lowest version of `krate` that vendors `library` at `at_least` or later in the same
/// major release line (OpenSSL 3.0.8 from `openssl-src`'s 300 line, not its 111 line).
fn crate_release_for(library: &str, krate: &str, at_least: &str) -> Option<(String, String)> {
    let want = range::parse(at_least)?;
    binsight_detect::bundled::table::sys_crates()
        .iter()
        .filter(|r| r.library == library && r.krate == krate)
        .filter_map(|r| Some((range::parse(&r.crate_version)?, range::parse(&r.library_version)?, r)))
        .filter(|(_, lib, _)| lib.major == want.major && *lib >= want)
        .min_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, _, r)| (r.crate_version.clone(), r.library_version.clone()))
}

/// The fix for a bundled C library: the crate that vendors it at a fixed release, else the
/// library release (with how it got in as a note).
fn c_library_fix(c: &Component, next: Option<&String>) -> Fix {
    let lib = FixSubject::Library(c.name.clone());
    let Some(v) = next else { return Fix::no_release(lib) };
    let bundle = c.bundle.as_ref();
    let via = bundle.and_then(|b| b.via_purl.as_deref());
    match (bundle.map(|b| b.via), via) {
        (Some(binsight_model::BundleVia::RustCrate), Some(p)) => {
            let krate = p.strip_prefix("pkg:cargo/").and_then(|r| r.split('@').next()).unwrap_or(p);
            match crate_release_for(&c.name, krate, v) {
                Some((cv, lv)) => Fix::at_least(FixSubject::Crate(krate.to_string()), cv)
                    .with_note(format!("bundles {} {lv}", c.name)),
                None => Fix::at_least(lib, v.as_str()).with_note(format!("vendored by crate {krate}")),
            }
        }
        (Some(binsight_model::BundleVia::SharedLibrary), _) => {
            let from = bundle.and_then(|b| b.loaded_from.as_deref()).unwrap_or("a shared library");
            let why = format!("{from} carries {} {}; fixed in {v}", c.name, c.version.as_deref().unwrap_or("?"));
            match bundle.and_then(|b| b.package.clone()) {
                Some(pkg) => Fix::no_release(FixSubject::OsPackage(pkg)).with_note(why),
                None => Fix::at_least(lib, v.as_str()).with_note(why),
            }
        }
        (Some(binsight_model::BundleVia::GoModule), Some(p)) => Fix::at_least(lib, v.as_str())
            .with_note(format!("bundled by {p}: update it to a version bundling that release")),
        _ => Fix::at_least(lib, v.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_from_cvss() {
        let a: Advisory = serde_json::from_str(
            r#"{"id":"X","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}]}"#,
        )
        .expect("parses");
        assert_eq!(severity(&a), Some(Severity::High));
        let none: Advisory = serde_json::from_str(r#"{"id":"Y"}"#).expect("parses");
        assert_eq!(severity(&none), None);
    }

    #[test]
    fn one_fix_per_toolchain_and_package() {
        let f = keep_highest(
            [
                "rebuild with Rust >= 1.93",
                "rebuild with Rust >= 1.95",
                "update crate x to >= 1.0.1 then rebuild",
                "update crate x to >= 1.0.10 then rebuild",
                "update crate x to >= 1.0.9 then rebuild",
                "update crate xy to >= 0.1.0 then rebuild",
            ]
            .iter()
            .map(|s| s.parse().expect("a fix"))
            .collect(),
        );
        assert_eq!(
            f.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "rebuild with Rust >= 1.95",
                "update crate x to >= 1.0.10 then rebuild",
                "update crate xy to >= 0.1.0 then rebuild"
            ]
        );
    }

    /// A real report (a Rust musl hello) holding only the given Go components.
    fn go_report(components: &[(&str, &str, bool)]) -> BinaryReport {
        let mut r: BinaryReport = serde_json::from_str(include_str!("vex/testdata/report.json")).expect("a report");
        r.components = components
            .iter()
            .map(|&(name, version, root)| {
                let kind = if name == "stdlib" { ComponentKind::GoStdlib } else { ComponentKind::GoModule };
                serde_json::from_value(serde_json::json!({
                    "name": name, "version": version, "purl": null, "kind": kind.as_str(),
                    "found_by": "go-buildinfo", "root": root, "evidence": []
                }))
                .expect("a component")
            })
            .collect();
        r
    }

    fn go_db(records: serde_json::Value) -> Database {
        let mut db = Database::default();
        db.add_source(crate::Origin::BuiltIn, serde_json::from_value(records).expect("advisories"), None);
        db
    }

    fn go_affected(pkg: &str, fixed: &str) -> serde_json::Value {
        serde_json::json!({"package": {"ecosystem": "Go", "name": pkg},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": fixed}]}]})
    }

    fn found(r: &BinaryReport) -> Vec<(String, String)> {
        r.findings.iter().flatten().map(|f| (f.id.clone(), f.component.clone())).collect()
    }

    /// An advisory filed under two modules (x/net and the standard library's bundled copy) is
    /// a finding for each, as govulncheck reports it.
    #[test]
    fn an_advisory_naming_two_components_is_a_finding_for_each() {
        let db = go_db(serde_json::json!([{"id": "GO-2024-2687", "aliases": ["CVE-2023-45288"],
            "affected": [go_affected("golang.org/x/net", "0.23.0"), go_affected("stdlib", "1.21.9")]}]));
        let mut r = go_report(&[("golang.org/x/net", "v0.17.0", false), ("stdlib", "v1.20.14", false)]);
        audit(&mut r, &db);
        let mut f = found(&r);
        f.sort();
        assert_eq!(f, [("GO-2024-2687".into(), "golang.org/x/net".into()), ("GO-2024-2687".into(), "stdlib".into())]);
    }

    /// A main module built at a release is audited; one built from its tree (`(devel)`) is not.
    #[test]
    fn a_released_main_module_is_audited() {
        let db =
            go_db(serde_json::json!([{"id": "GO-2024-3344", "affected": [go_affected("filippo.io/age", "1.2.1")]}]));
        let mut r = go_report(&[("filippo.io/age", "v1.0.0", true)]);
        audit(&mut r, &db);
        assert_eq!(found(&r), [("GO-2024-3344".into(), "filippo.io/age".into())]);
        let mut devel = go_report(&[("filippo.io/age", "(devel)", true)]);
        audit(&mut devel, &db);
        assert!(found(&devel).is_empty(), "{:?}", devel.findings);
    }

    #[test]
    fn the_fix_is_for_the_installed_range() {
        let fixed: Vec<String> = ["0.6.14", "1.6.1"].iter().map(std::string::ToString::to_string).collect();
        assert_eq!(next_fix(&fixed, Some("1.6.0")).map(String::as_str), Some("1.6.1"));
        assert_eq!(next_fix(&fixed, Some("0.6.5")).map(String::as_str), Some("0.6.14"));
        assert_eq!(next_fix(&fixed, Some("2.0.0")), None);
    }

    #[test]
    fn every_function_a_c_library_advisory_names_is_tracked() {
        let tracked = binsight_detect::bundled::table::tracked_functions();
        let mut n = 0;
        for a in embedded() {
            for x in &a.affected {
                let Some(p) = &x.package else { continue };
                if !binsight_detect::bundled::table::libraries().iter().any(|l| l.name == p.ecosystem) {
                    continue;
                }
                for f in affected_functions(a) {
                    n += 1;
                    assert!(
                        tracked.iter().any(|t| t.library == p.ecosystem && t.function == f),
                        "{}: {f} of {} is not in binsight-detect's data/c-library-functions.tsv",
                        a.id,
                        p.ecosystem
                    );
                }
            }
        }
        assert!(n >= 10, "{n} functions named");
    }

    #[test]
    fn embedded_advisories_parse() {
        let e = embedded();
        let musl: Vec<_> = e
            .iter()
            .filter(|a| a.affected.iter().any(|x| x.package.as_ref().is_some_and(|p| p.ecosystem == "musl")))
            .collect();
        assert!(musl.len() >= 4);
        assert!(musl.iter().all(|a| !affected_functions(a).is_empty()));
        assert!(e.iter().any(|a| a.aliases.iter().any(|x| x == "CVE-2022-21658")));
    }
}
