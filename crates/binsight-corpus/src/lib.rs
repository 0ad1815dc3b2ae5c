//! The ground-truth corpus, read back: the manifest written by `corpus/build`, and a comparison
//! of binsight's answers with the recipe's truth, field by field.

#![warn(missing_docs, unreachable_pub)]

pub mod bundled;
pub mod distro;
pub mod govulndb;
pub mod osvscanner;
pub mod rustsec;

/// The `*.json` OSV records of `dir`, sorted (what each peer-database writer converts).
pub(crate) fn osv_records(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context as _;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list the OSV records", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use binsight_model::{BinaryReport, ComponentKind, Linkage};
use serde::Deserialize;

/// The corpus manifest (`manifest.json`): every fixture `corpus/build` made.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    /// Manifest schema version (1).
    pub schema: u32,
    /// The fixtures, in build order.
    pub fixtures: Vec<Fixture>,
}

/// One binary of the corpus and the truth its recipe recorded.
#[derive(Debug, Deserialize, Clone)]
pub struct Fixture {
    /// Its id (unique in the manifest).
    pub id: String,
    /// Its path, relative to the corpus directory.
    pub path: String,
    /// SHA-256 of the file as built (hex).
    pub sha256: String,
    /// How it was built (toolchain, flags, image): the recipe as recorded.
    #[serde(default)]
    pub recipe: serde_json::Value,
    /// A binary taken from a real release rather than built from a recipe.
    #[serde(default)]
    pub real_world: bool,
    /// The true answer per field (see [`FIELDS`]), and package lists (`go_modules`, Cargo.lock's).
    pub truth: BTreeMap<String, serde_json::Value>,
    /// Other fields of the manifest entry (e.g. `go_version_m`: saved `go version -m` output).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// `$BINSIGHT_CORPUS_DIR`, else `$BINSIGHT_CACHE/corpus`, else `$XDG_CACHE_HOME/binsight/corpus`,
/// else `~/.cache/binsight/corpus` (the same rule as corpus/corpuslib.py).
pub fn corpus_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("BINSIGHT_CORPUS_DIR") {
        return d.into();
    }
    if let Some(d) = std::env::var_os("BINSIGHT_CACHE") {
        return PathBuf::from(d).join("corpus");
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"));
    cache.join("binsight").join("corpus")
}

/// Read `dir/manifest.json`. `Err` (naming what to run) when it is missing, not a manifest, of
/// another schema, or lists no fixture.
pub fn load_manifest(dir: &Path) -> Result<Manifest> {
    let p = dir.join("manifest.json");
    let text = std::fs::read_to_string(&p).with_context(|| {
        format!("{}: corpus manifest missing; build the corpus first: corpus/build (or scripts/test.sh)", p.display())
    })?;
    let m: Manifest = serde_json::from_str(&text).with_context(|| format!("{}: not a valid manifest", p.display()))?;
    if m.schema != 1 {
        bail!("{}: manifest schema {} (expected 1); rebuild the corpus", p.display(), m.schema);
    }
    if m.fixtures.is_empty() {
        bail!("{}: manifest lists no fixtures; rebuild the corpus", p.display());
    }
    Ok(m)
}

/// Fields compared, in table order.
pub const FIELDS: &[&str] = &[
    "machine",
    "class",
    "endian",
    "linkage",
    "stripped",
    "libc_family",
    "libc_version",
    "glibc_floor",
    "rustc_version",
    "rustc_commit",
    "go_version",
    "toolchain",
    "portability",
];

/// Outcome of one field on one fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// binsight's answer is the truth.
    Correct,
    /// A range that contains the truth (not a wrong answer, not exact either).
    Range(String),
    /// binsight said it does not know.
    Unknown(String),
    /// binsight gave a different answer.
    Wrong {
        /// The truth.
        expected: String,
        /// binsight's answer.
        found: String,
    },
}

/// binsight's answer for a field, as a string (`None`: binsight has no answer).
pub fn found(r: &BinaryReport, field: &str, truth: &BTreeMap<String, serde_json::Value>) -> Option<String> {
    match field {
        "machine" => Some(r.elf.machine.clone()),
        "class" => Some(r.elf.class.to_string()),
        "endian" => Some(match r.elf.endian {
            binsight_model::Endian::Little => "little".into(),
            binsight_model::Endian::Big => "big".into(),
        }),
        "linkage" => Some(
            match r.elf.linkage {
                Linkage::Static => "static",
                Linkage::StaticPie => "static-pie",
                Linkage::Dynamic => "dynamic",
                Linkage::None => "none",
            }
            .into(),
        ),
        "stripped" => Some(r.elf.stripped.to_string()),
        "libc_family" => match r.libc.family {
            binsight_model::LibcFamily::Unknown => None,
            f => Some(f.as_str().into()),
        },
        "libc_version" => r.libc.version.as_ref().map(ToString::to_string),
        "glibc_floor" => r.portability.glibc_floor.clone(),
        "portability" => Some(
            match r.portability.verdict {
                binsight_model::PortabilityVerdict::Portable => "portable",
                binsight_model::PortabilityVerdict::NeedsHostLibc => "needs-host-libc",
                binsight_model::PortabilityVerdict::NotPortable => "not-portable",
                binsight_model::PortabilityVerdict::Unknown => return None,
            }
            .into(),
        ),
        "rustc_version" => r.toolchain.rustc.as_ref().and_then(|x| x.version.clone()),
        "rustc_commit" => r.toolchain.rustc.as_ref().and_then(|x| x.commit.clone()),
        "go_version" => r.toolchain.go.as_ref().map(|g| g.version.clone()),
        "toolchain" => {
            // The recipe's compiler (and version, if recorded) must be among those found.
            let want = truth.get("toolchain")?.as_str()?.to_string();
            let want_ver = truth.get("toolchain_version").and_then(|v| v.as_str()).map(str::to_string);
            let mut names: Vec<(String, Option<String>)> =
                r.toolchain.cc.iter().map(|c| (c.name.clone(), c.version.clone())).collect();
            if let Some(rc) = &r.toolchain.rustc {
                names.push(("rustc".into(), rc.version.clone()));
            }
            if let Some(g) = &r.toolchain.go {
                names.push(("go".into(), Some(g.version.trim_start_matches("go").to_string())));
            }
            let hit = names.iter().find(|(n, v)| {
                n == &want
                    && want_ver
                        .as_ref()
                        .is_none_or(|w| v.as_deref().is_some_and(|v| v == w || v.starts_with(&format!("{w} "))))
            });
            match hit {
                Some(_) => Some(fmt_tool(&want, want_ver.as_deref())),
                None if names.is_empty() => None,
                None => Some(names.iter().map(|(n, v)| fmt_tool(n, v.as_deref())).collect::<Vec<_>>().join(",")),
            }
        }
        _ => None,
    }
}

fn fmt_tool(n: &str, v: Option<&str>) -> String {
    match v {
        Some(v) => format!("{n} {v}"),
        None => n.to_string(),
    }
}

fn flag(truth: &BTreeMap<String, serde_json::Value>, k: &str) -> Option<bool> {
    truth.get(k).and_then(serde_json::Value::as_bool)
}

fn expected(field: &str, truth: &BTreeMap<String, serde_json::Value>) -> Option<String> {
    let s = |k: &str| truth.get(k).and_then(|v| v.as_str());
    if field == "toolchain" {
        // A C compiler leaves its name only in .comment: not knowable once that is stripped.
        let tool = s("toolchain")?;
        if flag(truth, "comment_stripped") == Some(true) && tool != "rustc" && tool != "go" {
            return None;
        }
        return Some(fmt_tool(tool, s("toolchain_version")));
    }
    if field == "portability" {
        // Derived from the recipe: what it linked and whether the program resolves names.
        let verdict = match (s("linkage")?, s("libc_family")?) {
            ("dynamic", _) => "needs-host-libc",
            // A static glibc that resolves names or looks up users or groups loads NSS
            // modules at run time (`links_nss`: the recipe saw nsswitch.o linked), one that
            // calls iconv_open loads gconv modules (`links_iconv`: iconv_open.o).
            (_, "glibc") => match flag(truth, "links_resolver")?
                || flag(truth, "links_nss").unwrap_or(false)
                || flag(truth, "links_iconv").unwrap_or(false)
            {
                true => "not-portable",
                false => "portable",
            },
            _ => "portable",
        };
        return Some(verdict.into());
    }
    let v = truth.get(field)?;
    Some(match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => return None,
        other => other.to_string(),
    })
}

/// Compare one report with its fixture's truth, for every field the truth states.
pub fn compare(r: &BinaryReport, f: &Fixture) -> Vec<(&'static str, Outcome)> {
    let mut out = Vec::new();
    for &field in FIELDS {
        let Some(want) = expected(field, &f.truth) else {
            continue;
        };
        let got = found(r, field, &f.truth);
        let outcome = match got {
            None => Outcome::Unknown(want),
            Some(g) if g == want => Outcome::Correct,
            Some(g) if field == "libc_version" && range_contains(&g, &want) => Outcome::Range(g),
            // The recipe knows the glibc it linked against, an upper bound of what is required.
            Some(g) if field == "glibc_floor" && binsight_detect::version::cmp(&g, &want).is_le() => Outcome::Correct,
            // A full commit matches the recipe's full commit only.
            Some(g) => Outcome::Wrong { expected: want, found: g },
        };
        out.push((field, outcome));
    }
    out
}

/// Does a musl version range as binsight renders it (`>=1.2.4, <=1.2.5`, `<=1.1.24`) contain
/// the recipe's version?
fn range_contains(found: &str, truth: &str) -> bool {
    use binsight_detect::musl_version::{Range, RELEASES};
    let Ok(range) = found.parse::<binsight_model::VersionRange>() else { return false };
    if let Some(t) = RELEASES.iter().position(|x| *x == truth) {
        // A musl release: by its place in the release list.
        let Some(r) = Range::from_versions(&range) else { return false };
        return r.lo <= t && t <= r.hi;
    }
    // Any other dotted version (glibc): numerically.
    use binsight_detect::version::cmp;
    range.lo.as_deref().is_none_or(|lo| cmp(lo, truth).is_le())
        && range.hi.as_deref().is_none_or(|hi| cmp(truth, hi).is_le())
}

/// Why a fixture has no report.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The file could not be read (the error names it).
    #[error(transparent)]
    Read(binsight_source::SourceError),
    /// The file is not the one the manifest describes.
    #[error("{}: sha256 {sha256} differs from the manifest; rebuild the corpus", path.display())]
    Changed {
        /// The fixture's file.
        path: std::path::PathBuf,
        /// What the file hashes to now.
        sha256: String,
    },
    /// binsight could not analyse it at all.
    #[error("{}: {source}", path.display())]
    Analyze {
        /// The fixture's file.
        path: std::path::PathBuf,
        /// Why.
        source: binsight_detect::AnalyzeError,
    },
}

/// Per-fixture result.
pub struct FixtureResult {
    /// The fixture.
    pub fixture: Fixture,
    /// binsight's report on it, or why there is none.
    pub report: std::result::Result<BinaryReport, FixtureError>,
    /// The outcome of each field that has a truth, in [`FIELDS`] order.
    pub outcomes: Vec<(&'static str, Outcome)>,
}

/// Run binsight over every fixture (checking each file's sha256 against the manifest first).
pub fn evaluate(dir: &Path, m: &Manifest) -> Vec<FixtureResult> {
    evaluate_with(dir, m, &binsight_detect::Options::default())
}

/// [`evaluate`] with detector options (e.g. provenance signals off).
pub fn evaluate_with(dir: &Path, m: &Manifest, options: &binsight_detect::Options) -> Vec<FixtureResult> {
    m.fixtures
        .iter()
        .map(|f| {
            let path = dir.join(&f.path);
            let report = binsight_source::read_file(&path, &binsight_source::Limits::default())
                .map_err(FixtureError::Read)
                .and_then(|data| {
                    let options = binsight_detect::Options { hash: true, ..*options };
                    let r = binsight_detect::analyze_file(&f.path, &data, &options)
                        .map_err(|source| FixtureError::Analyze { path: path.clone(), source })?;
                    if r.sha256 != f.sha256 {
                        return Err(FixtureError::Changed { path: path.clone(), sha256: r.sha256 });
                    }
                    Ok(r)
                });
            let outcomes = match &report {
                Ok(r) => compare(r, f),
                Err(_) => vec![],
            };
            FixtureResult { fixture: f.clone(), report, outcomes }
        })
        .collect()
}

/// Count one outcome into [n, correct, range, unknown, wrong].
fn tally(e: &mut [usize; 5], o: &Outcome) {
    e[0] += 1;
    e[match o {
        Outcome::Correct => 1,
        Outcome::Range(_) => 2,
        Outcome::Unknown(_) => 3,
        Outcome::Wrong { .. } => 4,
    }] += 1;
}

/// Counts per field: (with truth, correct, range containing the truth, unknown, wrong).
pub fn summary(results: &[FixtureResult]) -> BTreeMap<&'static str, [usize; 5]> {
    let mut s: BTreeMap<&'static str, [usize; 5]> = BTreeMap::new();
    for r in results {
        for (field, o) in &r.outcomes {
            let e = s.entry(field).or_default();
            tally(e, o);
        }
    }
    s
}

/// Markdown table of the summary plus every miss.
pub fn render(results: &[FixtureResult]) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let s = summary(results);
    let real = results.iter().filter(|r| r.fixture.real_world).count();
    let _ = writeln!(
        o,
        "Corpus: {} fixtures ({} built by recipes, {} real-world).\n",
        results.len(),
        results.len() - real,
        real
    );
    let _ = writeln!(o, "| field | fixtures with truth | correct | range containing truth | unknown | wrong | exact |");
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|");
    for &field in FIELDS {
        let Some([n, c, r, u, w]) = s.get(field) else {
            continue;
        };
        let _ =
            writeln!(o, "| {field} | {n} | {c} | {r} | {u} | {w} | {:.1}% |", 100.0 * *c as f64 / (*n).max(1) as f64);
    }
    o.push_str(&render_musl(results));
    let errors: Vec<&FixtureResult> = results.iter().filter(|r| r.report.is_err()).collect();
    let misses: Vec<(&FixtureResult, &str, &Outcome)> = results
        .iter()
        .flat_map(|r| {
            r.outcomes
                .iter()
                .filter(|(_, o)| matches!(o, Outcome::Unknown(_) | Outcome::Wrong { .. }))
                .map(move |(f, o)| (r, *f, o))
        })
        .collect();
    if !errors.is_empty() || !misses.is_empty() {
        let _ = writeln!(o, "\n| fixture | field | expected | found |");
        let _ = writeln!(o, "|---|---|---|---|");
        for r in errors {
            let _ = writeln!(
                o,
                "| {} | (read) | report | error: {} |",
                r.fixture.id,
                r.report.as_ref().err().map(ToString::to_string).unwrap_or_default()
            );
        }
        for (r, field, outcome) in misses {
            match outcome {
                Outcome::Unknown(want) => {
                    let _ = writeln!(o, "| {} | {field} | {want} | unknown |", r.fixture.id);
                }
                Outcome::Wrong { expected, found } => {
                    let _ = writeln!(o, "| {} | {field} | {expected} | **{found}** |", r.fixture.id);
                }
                Outcome::Correct | Outcome::Range(_) => {}
            }
        }
    }
    o
}

/// Lower-case hex SHA-256, to check a fixture is the one the manifest describes.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// musl fixtures: (truth version, machine, toolchain, links resolver) → [n, exact, range, unknown, wrong].
pub fn musl_breakdown(results: &[FixtureResult]) -> BTreeMap<(String, String, String, bool), [usize; 5]> {
    let mut m: BTreeMap<(String, String, String, bool), [usize; 5]> = BTreeMap::new();
    for r in results {
        let t = &r.fixture.truth;
        let s = |k: &str| t.get(k).and_then(|v| v.as_str()).unwrap_or("?").to_string();
        if s("libc_family") != "musl" {
            continue;
        }
        let Some((_, o)) = r.outcomes.iter().find(|(f, _)| *f == "libc_version") else { continue };
        let key = (s("libc_version"), s("machine"), s("toolchain"), flag(t, "links_resolver").unwrap_or(false));
        let e = m.entry(key).or_default();
        tally(e, o);
    }
    m
}

/// The bar: exact version on musl >= 1.2.3 fixtures that link the resolver, on x86_64
/// and aarch64 (stripped included) → (exact, total).
pub fn musl_bar(results: &[FixtureResult]) -> (usize, usize) {
    let (mut exact, mut total) = (0, 0);
    for ((v, machine, _, resolver), c) in musl_breakdown(results) {
        let newer = binsight_detect::version::cmp(&v, "1.2.3").is_ge();
        if newer && resolver && (machine == "x86_64" || machine == "aarch64") {
            total += c[0];
            exact += c[1];
        }
    }
    (exact, total)
}

fn render_musl(results: &[FixtureResult]) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let b = musl_breakdown(results);
    if b.is_empty() {
        return o;
    }
    let (e, t) = musl_bar(results);
    let _ = writeln!(o, "\nmusl version, by fixture group (exact / range containing the truth / unknown / wrong):\n");
    let _ = writeln!(o, "| musl | arch | toolchain | resolver linked | fixtures | exact | range | unknown | wrong |");
    let _ = writeln!(o, "|---|---|---|---|---:|---:|---:|---:|---:|");
    for ((v, m, tc, res), [n, ex, r, u, w]) in &b {
        let _ =
            writeln!(o, "| {v} | {m} | {tc} | {} | {n} | {ex} | {r} | {u} | {w} |", if *res { "yes" } else { "no" });
    }
    let _ = writeln!(
        o,
        "\nBar (musl >= 1.2.3, x86_64/aarch64, resolver linked): {e}/{t} exact ({:.1}%).",
        100.0 * e as f64 / t.max(1) as f64
    );
    o
}

/// Crate recovery on one fixture whose recipe recorded its Cargo.lock packages.
#[derive(Debug, Clone)]
pub struct CrateScore {
    /// The fixture's id.
    pub id: String,
    /// How binsight found the crates (`found_by` of the first crate: `cargo-auditable`,
    /// `panic-path`), `none` when it found none.
    pub method: String,
    /// Packages compiled into the binary (kind "normal", root excluded).
    pub truth_linked: usize,
    /// Crates binsight found (root and build-only ones excluded).
    pub found: usize,
    /// Found crates that are in the Cargo.lock at all (any kind).
    pub true_positives: usize,
    /// Linked crates that were found.
    pub recalled: usize,
    /// Found crates that are not in the Cargo.lock (`name@version`).
    pub false_positives: Vec<String>,
}

fn key(name: &str, version: &str) -> String {
    format!("{name}@{version}")
}

/// Precision and recall of the crate list against the recipe's Cargo.lock.
pub fn crate_scores(results: &[FixtureResult]) -> Vec<CrateScore> {
    let mut out = Vec::new();
    for r in results {
        let (Some(crates), Ok(rep)) = (r.fixture.truth.get("crates").and_then(|v| v.as_array()), &r.report) else {
            continue;
        };
        let root = r.fixture.truth.get("root_package").and_then(|p| p.get("name")).and_then(|n| n.as_str());
        let field = |c: &serde_json::Value, k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let all: std::collections::BTreeSet<String> =
            crates.iter().map(|c| key(&field(c, "name"), &field(c, "version"))).collect();
        let linked: std::collections::BTreeSet<String> = crates
            .iter()
            .filter(|c| field(c, "kind") == "normal" && Some(field(c, "name").as_str()) != root)
            .map(|c| key(&field(c, "name"), &field(c, "version")))
            .collect();
        let found: std::collections::BTreeSet<String> = rep
            .components
            .iter()
            .filter(|c| c.kind == ComponentKind::RustCrate && !c.root && !c.build_only)
            .map(|c| key(&c.name, c.version.as_deref().unwrap_or("")))
            .collect();
        let method = rep
            .components
            .iter()
            .find(|c| c.kind == ComponentKind::RustCrate)
            .map_or("none".to_string(), |c| c.found_by.clone());
        out.push(CrateScore {
            id: r.fixture.id.clone(),
            method,
            truth_linked: linked.len(),
            found: found.len(),
            true_positives: found.intersection(&all).count(),
            recalled: found.intersection(&linked).count(),
            false_positives: found.difference(&all).cloned().collect(),
        });
    }
    out
}

/// Go modules on one fixture: binsight vs the recipe's go.mod and vs `go version -m`.
#[derive(Debug, Clone)]
pub struct GoScore {
    /// The fixture's id.
    pub id: String,
    /// Dependencies in the recipe's go.mod.
    pub truth: usize,
    /// Dependencies binsight found (the main module excluded).
    pub found: usize,
    /// binsight found exactly the recipe's dependencies.
    pub matches_recipe: bool,
    /// `None` when the fixture has no saved `go version -m` output.
    pub matches_go_tool: Option<bool>,
    /// Each dependency found on one side only, with the two sides named.
    pub diff: Vec<String>,
}

/// (path, version) of each dependency as built (replacement applied).
fn found_go(rep: &BinaryReport) -> std::collections::BTreeSet<String> {
    rep.components
        .iter()
        .filter(|c| c.kind == ComponentKind::GoModule && !c.root)
        .map(|c| key(&c.name, c.version.as_deref().unwrap_or("(devel)")))
        .collect()
}

/// Dependencies in `go version -m` output, replacement applied.
fn parse_go_version_m(text: &str) -> std::collections::BTreeSet<String> {
    let mut deps: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.trim_start().split('\t').collect();
        match f.as_slice() {
            ["dep", path, version, ..] => deps.push((path.to_string(), version.to_string())),
            ["dep", path] => deps.push((path.to_string(), "(devel)".into())),
            ["=>", path, version, ..] if !deps.is_empty() => {
                let v = if version.is_empty() { "(devel)" } else { version };
                if let Some(last) = deps.last_mut() {
                    *last = (path.to_string(), v.to_string());
                }
            }
            _ => {}
        }
    }
    deps.into_iter().map(|(p, v)| key(&p, &v)).collect()
}

/// Score Go module recovery on each fixture that records its go.mod modules (`dir`: the corpus
/// directory, where the saved `go version -m` outputs are).
pub fn go_scores(dir: &Path, results: &[FixtureResult]) -> Vec<GoScore> {
    let mut out = Vec::new();
    for r in results {
        let (Some(mods), Ok(rep)) = (r.fixture.truth.get("go_modules").and_then(|v| v.as_array()), &r.report) else {
            continue;
        };
        let s = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let truth: std::collections::BTreeSet<String> = mods
            .iter()
            .map(|m| match m.get("replace").filter(|x| !x.is_null()) {
                Some(rep) => {
                    let v = s(rep, "version");
                    key(&s(rep, "path"), if v.is_empty() { "(devel)" } else { &v })
                }
                None => key(&s(m, "path"), &s(m, "version")),
            })
            .collect();
        let found = found_go(rep);
        let tool = r
            .fixture
            .recipe_extra("go_version_m")
            .and_then(|p| std::fs::read_to_string(dir.join(p)).ok())
            .map(|t| parse_go_version_m(&t));
        let mut diff: Vec<String> =
            truth.symmetric_difference(&found).map(|d| format!("recipe/binsight: {d}")).collect();
        if let Some(t) = &tool {
            diff.extend(t.symmetric_difference(&found).map(|d| format!("go version -m/binsight: {d}")));
        }
        out.push(GoScore {
            id: r.fixture.id.clone(),
            truth: truth.len(),
            found: found.len(),
            matches_recipe: truth == found,
            matches_go_tool: tool.map(|t| t == found),
            diff,
        });
    }
    out
}

impl Fixture {
    /// A top-level string field of the manifest entry beyond the fixed ones (e.g. `go_version_m`).
    pub fn recipe_extra(&self, k: &str) -> Option<String> {
        self.extra.get(k).and_then(|v| v.as_str()).map(str::to_string)
    }
}

/// Markdown tables of crate and Go module recovery.
pub fn render_components(dir: &Path, results: &[FixtureResult]) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let cs = crate_scores(results);
    if !cs.is_empty() {
        let _ =
            writeln!(o, "\nRust crates vs the fixture's Cargo.lock (root package and build-only crates left out):\n");
        let _ = writeln!(o, "| fixture | found by | crates linked (Cargo.lock) | found | precision | recall |");
        let _ = writeln!(o, "|---|---|---:|---:|---:|---:|");
        for c in &cs {
            let p = 100.0 * c.true_positives as f64 / c.found.max(1) as f64;
            let rc = 100.0 * c.recalled as f64 / c.truth_linked.max(1) as f64;
            let _ = writeln!(o, "| {} | {} | {} | {} | {p:.1}% | {rc:.1}% |", c.id, c.method, c.truth_linked, c.found);
        }
    }
    let gs = go_scores(dir, results);
    if !gs.is_empty() {
        let _ = writeln!(o, "\nGo modules vs the recipe's go.mod and vs `go version -m`:\n");
        let _ = writeln!(o, "| fixture | modules (recipe) | found | = recipe | = go version -m |");
        let _ = writeln!(o, "|---|---:|---:|---|---|");
        for g in &gs {
            let tool = g.matches_go_tool.map_or("n/a", |b| if b { "yes" } else { "NO" });
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {tool} |",
                g.id,
                g.truth,
                g.found,
                if g.matches_recipe { "yes" } else { "NO" }
            );
        }
    }
    o.push_str(&distro::render(results));
    o.push_str(&bundled::render(results));
    o
}
