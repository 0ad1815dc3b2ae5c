//! Writes OSV records of the crates.io ecosystem back into RustSec's advisory-database layout
//! (`crates/<package>/<id>.md`, a TOML front block plus a Markdown title and body), so
//! `cargo audit bin --db DIR --no-fetch` can be run on exactly the data binsight reads.
//!
//! The OSV ranges are turned into RustSec's `patched`/`unaffected` requirements that match the
//! same set of versions: with affected intervals `[i1, f1) ∪ [i2, f2) ∪ …` (sorted), the
//! versions below `i1` are `unaffected`, and `[f1, i2)`, `[f2, i3)`, …, `[fn, ∞)` are `patched`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// What [`write_db`] wrote.
#[derive(Debug, Default)]
pub struct Written {
    /// Advisories written.
    pub advisories: usize,
    /// Records not representable in RustSec's form (`(file, reason)`), left out.
    pub skipped: Vec<(String, String)>,
}

/// Convert every `*.json` OSV record under `osv_dir` into a RustSec database at `out`.
pub fn write_db(osv_dir: &Path, out: &Path) -> Result<Written> {
    let mut written = Written::default();
    let files = crate::osv_records(osv_dir)?;
    for f in files {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let v: Value = serde_json::from_slice(&std::fs::read(&f)?).with_context(|| format!("{}", f.display()))?;
        match to_markdown(&v) {
            Ok((package, id, md)) => {
                let dir = out.join("crates").join(&package);
                std::fs::create_dir_all(&dir)?;
                std::fs::write(dir.join(format!("{id}.md")), md)?;
                written.advisories += 1;
            }
            Err(e) => written.skipped.push((name, format!("{e:#}"))),
        }
    }
    Ok(written)
}

fn toml_str(s: &str) -> String {
    // A TOML basic string; serde_json's escaping is a subset TOML accepts.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn toml_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<String> = items.into_iter().map(toml_str).collect();
    format!("[{}]", v.join(", "))
}

fn strs(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

/// (package, id, advisory file text) for one OSV record.
fn to_markdown(v: &Value) -> Result<(String, String, String)> {
    let id = v["id"].as_str().context("no id")?.to_string();
    let affected = v["affected"].as_array().context("no affected[]")?;
    let [a] = affected.as_slice() else { bail!("{} packages in one record; RustSec files one", affected.len()) };
    if a["package"]["ecosystem"].as_str() != Some("crates.io") {
        bail!("not a crates.io record");
    }
    let package = a["package"]["name"].as_str().context("no package name")?.to_string();
    let mut intervals: Vec<(semver::Version, Option<semver::Version>)> = Vec::new();
    for r in a["ranges"].as_array().into_iter().flatten() {
        if r["type"].as_str() != Some("SEMVER") {
            bail!("range type {:?} has no RustSec form", r["type"]);
        }
        let mut open: Option<semver::Version> = None;
        for e in r["events"].as_array().into_iter().flatten() {
            if let Some(i) = e["introduced"].as_str() {
                open = Some(semver::Version::parse(i).with_context(|| format!("introduced {i}"))?);
            } else if let Some(f) = e["fixed"].as_str() {
                let fixed = semver::Version::parse(f).with_context(|| format!("fixed {f}"))?;
                let start = open.take().context("fixed without introduced")?;
                intervals.push((start, Some(fixed)));
            } else {
                bail!("event {e} has no RustSec form");
            }
        }
        if let Some(start) = open {
            intervals.push((start, None));
        }
    }
    if intervals.is_empty() {
        bail!("no SEMVER ranges");
    }
    intervals.sort();
    let zero = semver::Version::parse("0.0.0-0")?;
    let mut unaffected = Vec::new();
    if intervals[0].0 > zero {
        unaffected.push(format!("< {}", intervals[0].0));
    }
    let mut patched = Vec::new();
    for (k, (_, fixed)) in intervals.iter().enumerate() {
        let Some(fixed) = fixed else { continue };
        match intervals.get(k + 1) {
            Some((next, _)) => patched.push(format!(">= {fixed}, < {next}")),
            None => patched.push(format!(">= {fixed}")),
        }
    }
    let ds = &a["database_specific"];
    let es = &a["ecosystem_specific"];
    let mut t = String::new();
    let _ = writeln!(t, "```toml\n[advisory]");
    let _ = writeln!(t, "id = {}", toml_str(&id));
    let _ = writeln!(t, "package = {}", toml_str(&package));
    let date = v["published"].as_str().unwrap_or("1970-01-01T00:00:00Z");
    let _ = writeln!(t, "date = {}", toml_str(date.get(..10).unwrap_or(date)));
    if let Some(url) = v["references"].as_array().into_iter().flatten().find_map(|r| r["url"].as_str()) {
        let _ = writeln!(t, "url = {}", toml_str(url));
    }
    let _ = writeln!(t, "categories = {}", toml_list(strs(ds.get("categories"))));
    let _ = writeln!(t, "aliases = {}", toml_list(strs(v.get("aliases"))));
    if let Some(c) = ds["cvss"].as_str().filter(|c| c.starts_with("CVSS:3")) {
        let _ = writeln!(t, "cvss = {}", toml_str(c));
    }
    if let Some(i) = ds["informational"].as_str() {
        let _ = writeln!(t, "informational = {}", toml_str(i));
    }
    if let Some(w) = v["withdrawn"].as_str() {
        let _ = writeln!(t, "withdrawn = {}", toml_str(w.get(..10).unwrap_or(w)));
    }
    let (os, arch) = (strs(es["affects"].get("os")), strs(es["affects"].get("arch")));
    if !os.is_empty() || !arch.is_empty() {
        let _ = writeln!(t, "\n[affected]\nos = {}\narch = {}", toml_list(os), toml_list(arch));
    }
    let _ = writeln!(t, "\n[versions]");
    let _ = writeln!(t, "patched = {}", toml_list(patched.iter().map(String::as_str)));
    let _ = writeln!(t, "unaffected = {}", toml_list(unaffected.iter().map(String::as_str)));
    let _ = writeln!(t, "```\n");
    let summary = v["summary"].as_str().filter(|s| !s.is_empty()).unwrap_or(&id);
    let _ = writeln!(t, "# {}\n", summary.replace('\n', " "));
    let _ = writeln!(t, "{}", v["details"].as_str().unwrap_or(""));
    Ok((package, id, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_become_requirements_for_the_same_versions() {
        let v: Value = serde_json::from_str(
            r#"{"id":"RUSTSEC-0000-0001","summary":"s","aliases":["CVE-1"],"affected":[{"package":{"ecosystem":"crates.io","name":"x"},
            "ranges":[{"type":"SEMVER","events":[{"introduced":"1.2.0"},{"fixed":"1.2.5"},{"introduced":"0.3.0"},{"fixed":"0.3.9"}]}]}]}"#,
        )
        .unwrap_or_default();
        let (pkg, id, md) = to_markdown(&v).unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!((pkg.as_str(), id.as_str()), ("x", "RUSTSEC-0000-0001"));
        assert!(md.contains(r#"patched = [">= 0.3.9, < 1.2.0", ">= 1.2.5"]"#), "{md}");
        assert!(md.contains(r#"unaffected = ["< 0.3.0"]"#), "{md}");
    }
}
