//! binsight's Go findings against `govulncheck -mode=binary -json` (v1.9.0), on every Go
//! fixture of the corpus and on the same data: the Go OSV snapshot in ../shared/osv/Go, written
//! into govulncheck's database layout (`binsight_corpus::govulndb`) and passed as
//! `-db file:///DIR`, so govulncheck runs offline. `scripts/test.sh` builds govulncheck
//! (`scripts/peers.sh govulncheck`) and sets `BINSIGHT_GOVULNCHECK`; without it this test fails.
//!
//! Compared, per binary: the (advisory id, module, version) triples of the Go modules and the
//! standard library, and whether the vulnerable code is in the binary. govulncheck reports a
//! vulnerability at the module level (a vulnerable version is linked), the package level (an
//! affected package is) or the symbol level (an affected function is: in binary mode its trace
//! reaches a function); binsight says `affected` (an affected function is among the binary's
//! function names), `not-linked` or `unknown`. Symbol level must meet `affected`; module or
//! package level only must meet `not-linked` (or `unknown`, counted apart).
//!
//! Every difference is either explained by a named rule below (each narrow: one known way the
//! two tools differ, checked on the binary and the data) or fails the test. A rule that covers a
//! gap in binsight is marked `binsight_gap` and stays visible in the summary until binsight
//! closes it (none is left: the two found, one finding per advisory per binary and the main
//! module never audited, are fixed in binsight-advisory).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use binsight_advisory::Database;
use binsight_corpus::{corpus_dir, load_manifest, Fixture};
use binsight_model::{Applicability, BinaryReport};

/// (advisory id, module path or `stdlib`, version as built: `v1.2.3`, the stdlib's `v1.22.12`).
type Key = (String, String, String);

/// Is the vulnerable code in the binary, as one tool says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// govulncheck: module or package level only; binsight: `not-linked`.
    NotCalled,
    /// binsight: `unknown`.
    Unknown,
    /// govulncheck: symbol level; binsight: `affected`.
    Called,
    /// binsight: `fixed` (a backport; never expected for Go).
    Fixed,
}

/// What govulncheck said of one binary.
#[derive(Debug)]
enum Theirs {
    /// Its findings, each at the deepest level reported.
    Scanned(BTreeMap<Key, Level>),
    /// It refused the binary: its error message.
    Refused(String),
}

/// Everything known about one fixture once both tools ran.
struct Outcome {
    fixture: Fixture,
    report: BinaryReport,
    ours: BTreeMap<Key, Level>,
    theirs: Theirs,
    /// The file has an ELF symbol table (`.symtab`).
    symtab: bool,
}

fn govulncheck(tool: &Path, db: &Path, bin: &Path) -> Theirs {
    let out = Command::new(tool)
        .args(["-mode=binary", "-json", "-db"])
        .arg(format!("file://{}", db.display()))
        .arg(bin)
        // Offline: no HTTP request can leave (the database is a directory), and no telemetry
        // sidecar process (x/telemetry's "child of a child" mode starts nothing).
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("NO_PROXY", "")
        .env("GOPROXY", "off")
        .env("GO_TELEMETRY_CHILD", "2")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", tool.display()));
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if !out.status.success() {
        return Theirs::Refused(stderr);
    }
    let mut found: BTreeMap<Key, Level> = BTreeMap::new();
    for msg in serde_json::Deserializer::from_slice(&out.stdout).into_iter::<serde_json::Value>() {
        let msg = msg.unwrap_or_else(|e| panic!("govulncheck JSON on {}: {e}", bin.display()));
        let f = &msg["finding"];
        let (Some(id), Some(top)) = (f["osv"].as_str(), f["trace"].get(0)) else { continue };
        let s = |k: &str| top[k].as_str().unwrap_or_default().to_string();
        let level = if s("function").is_empty() { Level::NotCalled } else { Level::Called };
        let e = found.entry((id.to_string(), s("module"), s("version"))).or_insert(level);
        *e = (*e).max(level);
    }
    Theirs::Scanned(found)
}

/// binsight's findings on the Go modules and standard library of `r`.
fn ours(r: &BinaryReport) -> BTreeMap<Key, Level> {
    r.findings
        .iter()
        .flatten()
        .filter(|x| r.components.iter().any(|c| c.kind.is_go() && c.name == x.component))
        .map(|x| {
            let level = match x.applicability {
                Applicability::Affected => Level::Called,
                Applicability::NotLinked => Level::NotCalled,
                Applicability::Unknown => Level::Unknown,
                Applicability::Fixed => Level::Fixed,
            };
            ((x.id.clone(), x.component.clone(), x.installed.clone()), level)
        })
        .collect()
}

fn has_symtab(data: &[u8]) -> bool {
    let elf = binsight_elf::Elf::parse(data, &Default::default()).expect("an ELF file");
    elf.section(".symtab").is_some()
}

/// Both tools on every fixture, `threads` at a time.
fn run_all(fixtures: Vec<Fixture>, tool: &Path, govulndb: &Path, db: &Database) -> Vec<Outcome> {
    let dir = corpus_dir();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 4);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(f) = fixtures.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let path = dir.join(&f.path);
                    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    let mut report =
                        binsight_detect::analyze_file(&f.path, &data, &Default::default()).expect("analyse");
                    binsight_advisory::audit(&mut report, db);
                    let outcome = Outcome {
                        ours: ours(&report),
                        theirs: govulncheck(tool, govulndb, &path),
                        symtab: has_symtab(&data),
                        fixture: f.clone(),
                        report,
                    };
                    results.lock().expect("no thread panicked").push(outcome);
                }
            });
        }
    });
    let mut out = results.into_inner().expect("no thread panicked");
    out.sort_by(|a, b| a.fixture.id.cmp(&b.fixture.id));
    out
}

/// One triple on which the tools differ (`None`: that tool has no finding for it).
struct Diff<'a> {
    o: &'a Outcome,
    key: &'a Key,
    ours: Option<Level>,
    theirs: Option<Level>,
}

/// What the rules may look at beyond one binary: the other binaries and the advisory data.
struct Ctx<'a> {
    by_id: BTreeMap<&'a str, &'a Outcome>,
    osv: &'a Path,
}

/// A known, narrow way the two tools differ on a triple.
struct Rule {
    name: &'static str,
    /// A gap in binsight, reported to be fixed (the rule goes with the fix), rather than a
    /// difference in what the tools can see.
    binsight_gap: bool,
    applies: fn(&Diff, &Ctx) -> bool,
}

const RULES: &[Rule] = &[
    // Without an ELF symbol table (`-ldflags=-s`, strip) govulncheck v1.9.0 does not read the
    // pclntab's names ("we currently cannot detect inlined symbols for stripped binaries",
    // golang/go#57764) and reports every affected symbol of every vulnerable module version as
    // found; binsight reads the function names from the pclntab, which stripping keeps.
    // Checked: govulncheck put every finding of the binary at the symbol level (its fallback),
    // and the corpus has the same build with its symbol table, on which govulncheck says not
    // called, as binsight does on both.
    Rule {
        name: "govulncheck-stripped-fallback (unstripped twin agrees)",
        binsight_gap: false,
        applies: stripped_twin,
    },
    // The same, for a stripped binary the corpus has no unstripped build of (Debian's, esbuild's).
    Rule { name: "govulncheck-stripped-fallback (no twin)", binsight_gap: false, applies: stripped_alone },
    // An advisory whose affected packages are all built only for other platforms (a GOOS or
    // GOARCH list without the binary's): govulncheck drops it, binsight reports it not linked
    // ("the affected packages are only built for other GOOS/GOARCH").
    Rule { name: "other-platforms-only", binsight_gap: false, applies: other_platforms_only },
];

/// govulncheck's fallback on a binary without a symbol table: binsight says not linked,
/// govulncheck called, and govulncheck has nothing below the symbol level on the binary.
fn stripped_fallback(d: &Diff) -> bool {
    let Theirs::Scanned(theirs) = &d.o.theirs else { return false };
    !d.o.symtab
        && d.theirs == Some(Level::Called)
        && d.ours == Some(Level::NotCalled)
        && theirs.values().all(|l| *l == Level::Called)
}

/// The same build with its symbol table (`-sw` / `-stripped` -> `-plain`, `modcache-sw` ->
/// `modcache`), when the corpus has it.
fn twin<'a>(o: &Outcome, cx: &Ctx<'a>) -> Option<&'a Outcome> {
    let id = o.fixture.id.as_str();
    let twins = [
        id.strip_suffix("-sw").map(|b| format!("{b}-plain")),
        id.strip_suffix("-sw").map(str::to_string),
        id.strip_suffix("-stripped").map(|b| format!("{b}-plain")),
    ];
    twins.iter().flatten().find_map(|t| cx.by_id.get(t.as_str()).copied())
}

fn stripped_twin(d: &Diff, cx: &Ctx) -> bool {
    stripped_fallback(d)
        && twin(d.o, cx).is_some_and(|t| {
            t.symtab
                && t.ours.get(d.key) == Some(&Level::NotCalled)
                && matches!(&t.theirs, Theirs::Scanned(f) if f.get(d.key) == Some(&Level::NotCalled))
        })
}

fn stripped_alone(d: &Diff, cx: &Ctx) -> bool {
    stripped_fallback(d) && twin(d.o, cx).is_none()
}

fn other_platforms_only(d: &Diff, cx: &Ctx) -> bool {
    if d.theirs.is_some() || d.ours != Some(Level::NotCalled) {
        return false;
    }
    let setting = |k: &str| {
        let go = d.o.report.toolchain.go.as_ref()?;
        go.settings.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone())
    };
    let (Some(goos), Some(goarch)) = (setting("GOOS"), setting("GOARCH")) else { return false };
    let path = cx.osv.join(format!("{}.json", d.key.0));
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
            .expect("an OSV record");
    let imports: Vec<&serde_json::Value> = record["affected"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["package"]["name"].as_str() == Some(d.key.1.as_str()))
        .flat_map(|a| a["ecosystem_specific"]["imports"].as_array().into_iter().flatten())
        .collect();
    let excludes = |list: &serde_json::Value, mine: &str| {
        list.as_array().is_some_and(|l| !l.is_empty() && !l.iter().any(|x| x.as_str() == Some(mine)))
    };
    !imports.is_empty() && imports.iter().all(|i| excludes(&i["goos"], &goos) || excludes(&i["goarch"], &goarch))
}

/// Why govulncheck may refuse a binary binsight reads: `None` when nothing explains it.
fn refusal_rule(o: &Outcome) -> Option<&'static str> {
    let Theirs::Refused(msg) = &o.theirs else { return None };
    if msg != "govulncheck: unrecognized binary format" {
        return None;
    }
    let go = o.report.toolchain.go.as_ref()?;
    // govulncheck reads function names only from Go >= 1.18 binaries (gosym.FuncSymName knows
    // no older layout) and then refuses the file as a whole.
    let minor = go.version.strip_prefix("go1.").and_then(|v| v.split('.').next()?.parse::<u32>().ok());
    if minor.is_some_and(|m| m < 18) {
        return Some("govulncheck-needs-go-1.18");
    }
    // No build-info blob at all (.go.buildinfo): govulncheck has no module or Go version to
    // start from (binsight takes the Go version from the runtime and the modules from the
    // pclntab).
    let data = std::fs::read(corpus_dir().join(&o.fixture.path)).expect("read fixture");
    let elf = binsight_elf::Elf::parse(&data, &Default::default()).expect("an ELF file");
    elf.section(".go.buildinfo").is_none().then_some("govulncheck-needs-build-info")
}

/// Counts for the summary.
#[derive(Default)]
struct Tally {
    compared: usize,
    with_findings: usize,
    agreed_called: usize,
    agreed_not_called: usize,
    agreed_unknown: usize,
    /// Binaries govulncheck refused, by the rule that explains it.
    refused: BTreeMap<&'static str, usize>,
    /// binsight's Go findings on the binaries govulncheck refused (compared with nothing).
    uncompared: usize,
    /// Triples, by the rule that explains the difference.
    explained: BTreeMap<&'static str, usize>,
    unexplained: Vec<String>,
}

impl Tally {
    fn print(&self, binaries: usize, secs: f64) {
        eprintln!(
            "govulncheck -mode=binary vs binsight: {binaries} Go binaries, {} compared ({} with findings), {} refused \
             by govulncheck",
            self.compared,
            self.with_findings,
            binaries - self.compared
        );
        for (rule, n) in &self.refused {
            eprintln!("  refused, explained by {rule}: {n} binaries");
        }
        eprintln!("  binsight findings on the refused binaries, compared with nothing: {}", self.uncompared);
        eprintln!(
            "  (id, module, version) triples agreed: {} called/affected, {} not called/not-linked, {} not \
             called/unknown",
            self.agreed_called, self.agreed_not_called, self.agreed_unknown
        );
        for (rule, n) in &self.explained {
            let gap = RULES.iter().any(|r| r.name == *rule && r.binsight_gap);
            eprintln!("  differences explained by {rule}{}: {n}", if gap { " (a binsight gap, reported)" } else { "" });
        }
        eprintln!("  differences unexplained: {}; {secs:.1}s", self.unexplained.len());
    }

    fn binary(&mut self, o: &Outcome, cx: &Ctx) {
        let Theirs::Scanned(theirs) = &o.theirs else {
            match refusal_rule(o) {
                Some(rule) => {
                    *self.refused.entry(rule).or_default() += 1;
                    self.uncompared += o.ours.len();
                }
                None => self.unexplained.push(format!("{}: govulncheck refused it: {:?}", o.fixture.id, o.theirs)),
            }
            return;
        };
        self.compared += 1;
        self.with_findings += usize::from(!theirs.is_empty() || !o.ours.is_empty());
        let keys: BTreeSet<&Key> = theirs.keys().chain(o.ours.keys()).collect();
        for key in keys {
            let (ours, theirs) = (o.ours.get(key).copied(), theirs.get(key).copied());
            match (ours, theirs) {
                (Some(Level::Called), Some(Level::Called)) => self.agreed_called += 1,
                (Some(Level::NotCalled), Some(Level::NotCalled)) => self.agreed_not_called += 1,
                (Some(Level::Unknown), Some(Level::NotCalled)) => self.agreed_unknown += 1,
                _ => {
                    let d = Diff { o, key, ours, theirs };
                    match RULES.iter().find(|r| (r.applies)(&d, cx)) {
                        Some(r) => *self.explained.entry(r.name).or_default() += 1,
                        None => self
                            .unexplained
                            .push(format!("{}: {key:?}: binsight {ours:?}, govulncheck {theirs:?}", o.fixture.id)),
                    }
                }
            }
        }
    }
}

/// The database written for govulncheck holds what the records say: on the module-proxy
/// programs (amd64, with their symbol tables), govulncheck finds the same on it as on the
/// directory of records itself (which it also reads, building the index in memory with its own
/// code).
fn same_findings_from_the_flat_directory(outcomes: &[Outcome], tool: &Path, osv: &Path) {
    let mut checked = 0;
    for o in outcomes.iter().filter(|o| o.fixture.id.starts_with("goproxy-") && o.fixture.id.ends_with("-amd64-plain"))
    {
        let flat = govulncheck(tool, osv, &corpus_dir().join(&o.fixture.path));
        match (&o.theirs, &flat) {
            (Theirs::Scanned(a), Theirs::Scanned(b)) => {
                assert_eq!(a, b, "{}: written database vs records", o.fixture.id)
            }
            other => panic!("{}: govulncheck failed: {other:?}", o.fixture.id),
        }
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} amd64 module-proxy binaries: rebuild the corpus (corpus/build goproxy)");
}

#[test]
fn go_findings_agree_with_govulncheck_binary_mode() {
    let tool = PathBuf::from(std::env::var_os("BINSIGHT_GOVULNCHECK").unwrap_or_else(|| {
        panic!(
            "BINSIGHT_GOVULNCHECK is not set: run scripts/test.sh, which builds govulncheck \
             (scripts/peers.sh govulncheck)"
        )
    }));
    assert!(tool.is_file(), "{} is missing: run scripts/test.sh (scripts/peers.sh govulncheck)", tool.display());
    let t0 = Instant::now();
    let osv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv/Go");
    let govulndb = tempfile::tempdir().expect("tempdir");
    let written = binsight_corpus::govulndb::write_db(&osv, govulndb.path()).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(written.entries > 4000, "{written:?}");
    let (db, warnings) = Database::load(&[&osv]);
    assert!(warnings.is_empty(), "{warnings:?}");

    let m = load_manifest(&corpus_dir()).unwrap_or_else(|e| panic!("{e:#}"));
    let go: Vec<Fixture> =
        m.fixtures.into_iter().filter(|f| f.truth.get("toolchain").and_then(|t| t.as_str()) == Some("go")).collect();
    let groups: BTreeSet<&str> = go.iter().filter_map(|f| f.path.split('/').next()).collect();
    for g in ["go", "goold", "goreleases", "deps", "bundledsys", "realworld", "debian", "goproxy"] {
        assert!(groups.contains(g), "no Go fixture of group {g}: rebuild the corpus (corpus/build)");
    }
    let outcomes = run_all(go, &tool, govulndb.path(), &db);
    let cx = Ctx { by_id: outcomes.iter().map(|o| (o.fixture.id.as_str(), o)).collect(), osv: &osv };
    let mut t = Tally::default();
    for o in &outcomes {
        t.binary(o, &cx);
    }
    same_findings_from_the_flat_directory(&outcomes, &tool, &osv);
    // What the stripped-fallback rule leans on: stripping (`-s -w`, strip) changes nothing binsight
    // finds, so the unstripped twin's comparison with govulncheck stands for both.
    for o in outcomes.iter().filter(|o| !o.symtab) {
        if let Some(twin) = twin(o, &cx) {
            assert_eq!(o.ours, twin.ours, "{}: binsight's findings differ from {}'s", o.fixture.id, twin.fixture.id);
        }
    }

    t.print(outcomes.len(), t0.elapsed().as_secs_f64());
    assert!(t.unexplained.is_empty(), "differences no rule explains:\n{}", t.unexplained.join("\n"));
    // Not vacuous: the module-proxy programs, Debian's and the old releases have findings, at
    // both levels.
    assert!(t.with_findings >= 8, "only {} binaries with findings", t.with_findings);
    assert!(t.agreed_called >= 10 && t.agreed_not_called >= 10, "too few agreed triples at one level");
}
