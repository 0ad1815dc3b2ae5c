//! Scores on distro-built fixtures (group `debian`): crates against the paths the binary names
//! and against the package's `X-Cargo-Built-Using`, Go modules against `Built-Using`, and the
//! completeness binsight claims.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use binsight_model::{BinaryReport, Completeness, ComponentKind};

use crate::FixtureResult;

/// Crate recovery on one Debian-built Rust fixture.
#[derive(Debug, Clone)]
pub struct DistroCrateScore {
    /// The fixture's id.
    pub id: String,
    /// `name@version` directories the binary's bytes name under `/usr/share/cargo/registry/`.
    pub paths: usize,
    /// Of those, found by binsight.
    pub paths_found: usize,
    /// Entries of `X-Cargo-Built-Using`.
    pub built_using: usize,
    /// Of those, found by binsight (matched by Debian's naming rule).
    pub built_using_found: usize,
    /// Crates binsight lists that neither the paths nor `X-Cargo-Built-Using` name.
    pub false_crates: Vec<String>,
}

/// Go module recovery on one Debian-built Go fixture.
#[derive(Debug, Clone)]
pub struct DistroGoScore {
    /// The fixture's id.
    pub id: String,
    /// `dep` lines Go's own tool reads in the build info.
    pub dep_lines: u64,
    /// The completeness binsight claims.
    pub completeness: Completeness,
    /// Go modules binsight lists (root excluded).
    pub modules: usize,
    /// `golang-*` packages of `Built-Using`/`Static-Built-Using`.
    pub built_using: usize,
    /// Of those, matched by a module binsight lists (Debian's naming rule, see
    /// [`debian_go_name`]).
    pub built_using_found: usize,
}

/// Does Debian package `pkg` at upstream version `ver` package crate `name` at `version`?
/// Debian's rule: `rust-` + the crate name lower-cased with `_` as `-`, sometimes with a semver
/// suffix (`rust-clap-2`, `rust-cfg-if-0.1`).
pub fn debian_crate_matches(pkg: &str, ver: &str, name: &str, version: &str) -> bool {
    let base = format!("rust-{}", name.to_ascii_lowercase().replace('_', "-"));
    let named = pkg == base
        || pkg.strip_prefix(&base).and_then(|s| s.strip_prefix('-')).is_some_and(|s| {
            !s.is_empty() && s.split('.').all(|p| p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty())
        });
    named && ver == version
}

/// Debian's Go naming habit (`github.com/pkg/sftp` → `golang-github-pkg-sftp`), as the package
/// attribution uses it.
pub use binsight_source::pkgdb::debian_go_name;

fn strs<'a>(v: Option<&'a serde_json::Value>, k: &'a str) -> impl Iterator<Item = (String, String)> + 'a {
    v.and_then(|v| v.as_array()).into_iter().flatten().map(move |e| {
        let s = |f: &str| e.get(f).and_then(|x| x.as_str()).unwrap_or("").to_string();
        (s(k), s("version"))
    })
}

fn crates(rep: &BinaryReport) -> BTreeSet<(String, String)> {
    rep.components
        .iter()
        .filter(|c| c.kind == ComponentKind::RustCrate && !c.root && !c.build_only)
        .map(|c| (c.name.clone(), c.version.clone().unwrap_or_default()))
        .collect()
}

/// Scores of every Debian-built Rust fixture (those whose truth has `debian_crates`).
pub fn crate_scores(results: &[FixtureResult]) -> Vec<DistroCrateScore> {
    let mut out = Vec::new();
    for r in results {
        let (Some(_), Ok(rep)) = (r.fixture.truth.get("debian_crates"), &r.report) else { continue };
        let paths: BTreeSet<(String, String)> = strs(r.fixture.truth.get("path_crates"), "name").collect();
        let debian: Vec<(String, String)> = strs(r.fixture.truth.get("debian_crates"), "package").collect();
        let found = crates(rep);
        let in_debian = |(n, v): &(String, String)| debian.iter().any(|(p, pv)| debian_crate_matches(p, pv, n, v));
        out.push(DistroCrateScore {
            id: r.fixture.id.clone(),
            paths: paths.len(),
            paths_found: paths.intersection(&found).count(),
            built_using: debian.len(),
            built_using_found: debian
                .iter()
                .filter(|(p, pv)| found.iter().any(|(n, v)| debian_crate_matches(p, pv, n, v)))
                .count(),
            false_crates: found
                .iter()
                .filter(|c| !paths.contains(*c) && !in_debian(c))
                .map(|(n, v)| format!("{n}@{v}"))
                .collect(),
        });
    }
    out
}

/// Scores of every Debian-built Go fixture (those whose truth has `debian_go_packages`).
pub fn go_scores(results: &[FixtureResult]) -> Vec<DistroGoScore> {
    let mut out = Vec::new();
    for r in results {
        let (Some(_), Ok(rep)) = (r.fixture.truth.get("debian_go_packages"), &r.report) else { continue };
        let golang: Vec<String> = strs(r.fixture.truth.get("debian_go_packages"), "package")
            .map(|(p, _)| p)
            .filter(|p| p.starts_with("golang-"))
            .collect();
        let names: BTreeSet<String> = rep
            .components
            .iter()
            .filter(|c| c.kind == ComponentKind::GoModule && !c.root)
            .map(|c| debian_go_name(&c.name))
            .collect();
        out.push(DistroGoScore {
            id: r.fixture.id.clone(),
            dep_lines: r.fixture.truth.get("go_dep_lines").and_then(serde_json::Value::as_u64).unwrap_or(0),
            completeness: rep.components_completeness,
            modules: names.len(),
            built_using: golang.len(),
            built_using_found: golang.iter().filter(|p| names.contains(*p)).count(),
        });
    }
    out
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        return "n/a".into();
    }
    format!("{:.1}%", 100.0 * n as f64 / d as f64)
}

/// Markdown tables of the distro-built fixtures (empty when there are none).
pub fn render(results: &[FixtureResult]) -> String {
    let mut o = String::new();
    let cs = crate_scores(results);
    if !cs.is_empty() {
        let _ = writeln!(
            o,
            "\nDistro-built Rust: crates vs the paths the binary names and vs the package's `X-Cargo-Built-Using`:\n"
        );
        let _ =
            writeln!(o, "| fixture | paths | found | recall | X-Cargo-Built-Using | found | recall | false crates |");
        let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---|");
        let (mut p, mut pf, mut b, mut bf, mut fc) = (0, 0, 0, 0, 0);
        for c in &cs {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                c.id,
                c.paths,
                c.paths_found,
                pct(c.paths_found, c.paths),
                c.built_using,
                c.built_using_found,
                pct(c.built_using_found, c.built_using),
                if c.false_crates.is_empty() { "0".to_string() } else { c.false_crates.join(", ") }
            );
            (p, pf, b, bf, fc) = (
                p + c.paths,
                pf + c.paths_found,
                b + c.built_using,
                bf + c.built_using_found,
                fc + c.false_crates.len(),
            );
        }
        let _ = writeln!(o, "| **all** | {p} | {pf} | {} | {b} | {bf} | {} | {fc} |", pct(pf, p), pct(bf, b));
    }
    let gs = go_scores(results);
    if !gs.is_empty() {
        let _ = writeln!(o, "\nDistro-built Go (GOPATH builds): completeness claimed, modules vs the package's `Built-Using` (`golang-*`, by Debian's naming habit):\n");
        let _ = writeln!(
            o,
            "| fixture | dep lines | completeness | modules | golang-* in Built-Using | matched | recall |"
        );
        let _ = writeln!(o, "|---|---:|---|---:|---:|---:|---:|");
        for g in &gs {
            let claim = match g.completeness {
                Completeness::Complete if g.dep_lines == 0 => "**complete (wrong)**",
                Completeness::Complete => "complete",
                Completeness::Partial => "partial",
                Completeness::None => "none",
            };
            let _ = writeln!(
                o,
                "| {} | {} | {claim} | {} | {} | {} | {} |",
                g.id,
                g.dep_lines,
                g.modules,
                g.built_using,
                g.built_using_found,
                pct(g.built_using_found, g.built_using)
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_names() {
        assert!(debian_crate_matches("rust-aho-corasick", "0.7.19", "aho-corasick", "0.7.19"));
        assert!(debian_crate_matches("rust-encoding-rs", "0.8.31", "encoding_rs", "0.8.31"));
        assert!(debian_crate_matches("rust-clap-2", "2.34.0", "clap", "2.34.0"));
        assert!(debian_crate_matches("rust-cfg-if-0.1", "0.1.10", "cfg-if", "0.1.10"));
        assert!(!debian_crate_matches("rust-clap-complete", "4.0.7", "clap", "4.0.7"));
        assert!(!debian_crate_matches("rust-clap", "4.0.29", "clap", "4.0.28"));
        assert_eq!(debian_go_name("github.com/pkg/sftp"), "golang-github-pkg-sftp");
        assert_eq!(debian_go_name("golang.org/x/net"), "golang-golang-x-net");
        assert_eq!(debian_go_name("google.golang.org/grpc"), "golang-google-grpc");
        assert_eq!(debian_go_name("gopkg.in/yaml.v3"), "golang-gopkg-yaml.v3");
    }
}
