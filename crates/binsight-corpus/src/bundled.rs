//! Scores on bundled C libraries (group `bundled`): every library a fixture's recipe linked
//! (`truth.bundled`) against the `c-library` components binsight reports, and every component
//! binsight reports that the recipe did not link (a false "bundled").

use std::collections::BTreeMap;
use std::fmt::Write as _;

use binsight_model::ComponentKind;

use crate::FixtureResult;

/// How binsight's answer for one expected library compares with the recipe's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LibOutcome {
    /// Reported with the recipe's version.
    Exact,
    /// Reported, version unknown (allowed: counted, never wrong).
    NoVersion,
    /// Reported with another version.
    Wrong,
    /// Not reported.
    Missed,
}

impl LibOutcome {
    /// How the evaluation table names it.
    pub fn as_str(self) -> &'static str {
        match self {
            LibOutcome::Exact => "exact",
            LibOutcome::NoVersion => "no version",
            LibOutcome::Wrong => "WRONG",
            LibOutcome::Missed => "none",
        }
    }
}

/// One expected library of one fixture.
#[derive(Debug, Clone)]
pub struct LibScore {
    /// The fixture's id.
    pub id: String,
    /// The library (`openssl`).
    pub library: String,
    /// The recipe's version.
    pub expected: String,
    /// binsight's version, when it reported one.
    pub found: Option<String>,
    /// The comparison.
    pub outcome: LibOutcome,
}

/// A library binsight reports that the recipe did not link.
#[derive(Debug, Clone)]
pub struct FalseBundled {
    /// The fixture's id.
    pub id: String,
    /// The library and version binsight reported.
    pub library: String,
}

fn names(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Fixtures with a `bundled` truth (the group `bundled`, and any other that records one).
fn scored(results: &[FixtureResult]) -> impl Iterator<Item = &FixtureResult> {
    results.iter().filter(|r| r.fixture.truth.contains_key("bundled"))
}

/// Every expected library of every scored fixture, with binsight's answer.
pub fn scores(results: &[FixtureResult]) -> Vec<LibScore> {
    let mut out = Vec::new();
    for r in scored(results) {
        let Some(list) = r.fixture.truth.get("bundled").and_then(|v| v.as_array()) else { continue };
        for e in list {
            let (Some(lib), Some(ver)) =
                (e.get("library").and_then(|v| v.as_str()), e.get("version").and_then(|v| v.as_str()))
            else {
                continue;
            };
            let found = r.report.as_ref().ok().and_then(|rep| {
                rep.components
                    .iter()
                    .find(|c| c.kind == ComponentKind::CLibrary && c.name == lib)
                    .map(|c| c.version.clone())
            });
            let outcome = match &found {
                None => LibOutcome::Missed,
                Some(None) => LibOutcome::NoVersion,
                Some(Some(v)) if v == ver => LibOutcome::Exact,
                Some(Some(_)) => LibOutcome::Wrong,
            };
            out.push(LibScore {
                id: r.fixture.id.clone(),
                library: lib.to_string(),
                expected: ver.to_string(),
                found: found.flatten(),
                outcome,
            });
        }
    }
    out
}

/// Libraries binsight reports in scored fixtures that the recipe neither linked nor left open
/// (`bundled_maybe`: a dependency whose objects may or may not have been pulled in).
pub fn false_bundled(results: &[FixtureResult]) -> Vec<FalseBundled> {
    let mut out = Vec::new();
    for r in scored(results) {
        let Ok(rep) = &r.report else { continue };
        let linked: Vec<&str> = r
            .fixture
            .truth
            .get("bundled")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|e| e.get("library")?.as_str()).collect())
            .unwrap_or_default();
        let maybe = names(r.fixture.truth.get("bundled_maybe"));
        for c in rep.components.iter().filter(|c| c.kind == ComponentKind::CLibrary) {
            if !linked.contains(&c.name.as_str()) && !maybe.contains(&c.name) {
                out.push(FalseBundled {
                    id: r.fixture.id.clone(),
                    library: format!("{} {}", c.name, c.version.as_deref().unwrap_or("(no version)")),
                });
            }
        }
    }
    out
}

/// The evaluation table per library, then the false "bundled" list.
pub fn render(results: &[FixtureResult]) -> String {
    let s = scores(results);
    let mut o = String::new();
    if s.is_empty() {
        return o;
    }
    let _ = writeln!(o, "\nBundled C libraries (expected = the recipe's `.deb`, crate or module, or registry pin; groups `bundled` and `bundledsys`):\n");
    let _ = writeln!(o, "| library | expected | exact | no version | wrong | none |");
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|");
    let mut per: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for x in &s {
        let row = per.entry(x.library.as_str()).or_default();
        row[x.outcome as usize] += 1;
    }
    for (lib, [exact, nov, wrong, none]) in &per {
        let _ = writeln!(o, "| {lib} | {} | {exact} | {nov} | {wrong} | {none} |", exact + nov + wrong + none);
    }
    let bad: Vec<&LibScore> = s.iter().filter(|x| x.outcome != LibOutcome::Exact).collect();
    if !bad.is_empty() {
        let _ = writeln!(o, "\n| fixture | library | expected | found | outcome |\n|---|---|---|---|---|");
        for x in bad {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                x.id,
                x.library,
                x.expected,
                x.found.as_deref().unwrap_or("-"),
                x.outcome.as_str()
            );
        }
    }
    let fp = false_bundled(results);
    let negatives = scored(results).filter(|r| r.fixture.truth.contains_key("not_bundled")).count();
    let _ = writeln!(
        o,
        "\nFalse \"bundled\": {} (over {} fixtures, {negatives} of them negatives that name a library without its code)",
        fp.len(),
        scored(results).count()
    );
    for f in fp {
        let _ = writeln!(o, "- {}: {}", f.id, f.library);
    }
    o
}
