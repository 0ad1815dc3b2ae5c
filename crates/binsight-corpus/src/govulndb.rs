//! Writes the Go vulnerability database's OSV records (one `GO-*.json` per advisory, as
//! `../shared/osv/Go` holds them) into the layout govulncheck reads from a directory
//! (`govulncheck -db file:///DIR`: the v1 schema of the Go vulnerability database), so that
//! govulncheck runs offline on exactly the data binsight reads:
//!
//! - `ID/<id>.json`: each record, byte for byte;
//! - `index/db.json`: `{"modified": …}`, the newest record's `modified`;
//! - `index/modules.json`: one entry per module path an `affected` entry names, sorted by path,
//!   each with its advisories sorted by id: `{"id", "modified", "fixed"}`, `fixed` being the
//!   latest fixed version that no later introduction supersedes (omitted when there is none);
//! - `index/vulns.json`: `{"id", "modified", "aliases"}` per advisory, sorted by id.
//!
//! govulncheck (golang.org/x/vuln v1.9.0, `internal/client`) reads `index/db.json` and
//! `index/modules.json`, uses `fixed` to decide which records to fetch for a module version
//! (`fixed` empty, or the version below it), then reads those records from `ID/`. `fixed` is
//! therefore computed as its `semver.NonSupersededFix` does.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

/// What [`write_db`] wrote.
#[derive(Debug, Default)]
pub struct Written {
    /// Records written under `ID/`.
    pub entries: usize,
    /// Module paths in `index/modules.json`.
    pub modules: usize,
}

/// One advisory as the module index lists it.
struct ModuleVuln {
    id: String,
    modified: String,
    fixed: Option<String>,
}

/// Convert every `*.json` OSV record under `osv_dir` into a govulncheck database at `out`.
/// A record that is not OSV, has no `id` or `modified`, or whose file is not named `<id>.json`
/// is an error (govulncheck refuses such a directory too).
pub fn write_db(osv_dir: &Path, out: &Path) -> Result<Written> {
    let files = crate::osv_records(osv_dir)?;
    std::fs::create_dir_all(out.join("ID"))?;
    std::fs::create_dir_all(out.join("index"))?;
    let mut modules: BTreeMap<String, Vec<ModuleVuln>> = BTreeMap::new();
    let mut vulns = Vec::new();
    let mut newest: Option<(TimeKey, String)> = None;
    for f in &files {
        let bytes = std::fs::read(f)?;
        let v: Value = serde_json::from_slice(&bytes).with_context(|| format!("{}", f.display()))?;
        let (id, modified) = match (v["id"].as_str(), v["modified"].as_str()) {
            (Some(i), Some(m)) => (i.to_string(), m.to_string()),
            _ => bail!("{}: no id or modified", f.display()),
        };
        if f.file_name().and_then(|n| n.to_str()) != Some(&format!("{id}.json")) {
            bail!("{}: a record's file must be named <id>.json ({id})", f.display());
        }
        let key = time_key(&modified).with_context(|| format!("{}: modified {modified:?}", f.display()))?;
        if newest.as_ref().is_none_or(|(k, _)| key > *k) {
            newest = Some((key, modified.clone()));
        }
        for a in v["affected"].as_array().into_iter().flatten() {
            let path = a["package"]["name"].as_str().with_context(|| format!("{}: affected without a package", id))?;
            let fixed = non_superseded_fix(a["ranges"].as_array().map(Vec::as_slice).unwrap_or_default());
            modules.entry(path.to_string()).or_default().push(ModuleVuln {
                id: id.clone(),
                modified: modified.clone(),
                fixed,
            });
        }
        vulns.push(
            json!({"id": id, "modified": modified, "aliases": v["aliases"].as_array().cloned().unwrap_or_default()}),
        );
        std::fs::write(out.join("ID").join(format!("{id}.json")), &bytes)?;
    }
    let Some((_, modified)) = newest else { bail!("{}: no OSV records", osv_dir.display()) };
    let index: Vec<Value> = modules
        .iter_mut()
        .map(|(path, list)| {
            list.sort_by(|a, b| a.id.cmp(&b.id));
            let vulns: Vec<Value> = list
                .iter()
                .map(|m| match &m.fixed {
                    Some(f) => json!({"id": m.id, "modified": m.modified, "fixed": f}),
                    None => json!({"id": m.id, "modified": m.modified}),
                })
                .collect();
            json!({"path": path, "vulns": vulns})
        })
        .collect();
    std::fs::write(out.join("index/db.json"), serde_json::to_vec(&json!({"modified": modified}))?)?;
    std::fs::write(out.join("index/modules.json"), serde_json::to_vec(&index)?)?;
    std::fs::write(out.join("index/vulns.json"), serde_json::to_vec(&vulns)?)?;
    Ok(Written { entries: files.len(), modules: modules.len() })
}

/// An RFC 3339 UTC time (`YYYY-MM-DDTHH:MM:SSZ`, optionally with a fraction) as a sortable key:
/// the seconds part and the fraction in nanoseconds.
type TimeKey = (String, u32);

fn time_key(t: &str) -> Result<TimeKey> {
    let Some(body) = t.strip_suffix('Z') else { bail!("not a UTC time (no Z)") };
    let (secs, frac) = body.split_once('.').unwrap_or((body, ""));
    let shape = secs.len() == 19
        && secs.as_bytes().iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            13 | 16 => *b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shape || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        bail!("not an RFC 3339 time");
    }
    let nanos = format!("{frac:0<9}").parse::<u32>()?;
    Ok((secs.to_string(), nanos))
}

/// A version as Go's `semver` package sees it (`v` or `go` prefix optional); `None` when it is
/// not valid semver, which orders below every valid version.
fn go_semver(v: &str) -> Option<semver::Version> {
    let bare = v.strip_prefix('v').or_else(|| v.strip_prefix("go")).unwrap_or(v);
    semver::Version::parse(bare).ok()
}

/// Go's `semver.Compare` (build metadata ignored; invalid versions equal, below valid ones).
fn go_cmp(a: &str, b: &str) -> Ordering {
    match (go_semver(a), go_semver(b)) {
        (Some(x), Some(y)) => (x.major, x.minor, x.patch, &x.pre).cmp(&(y.major, y.minor, y.patch, &y.pre)),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// golang.org/x/vuln's `semver.NonSupersededFix`: the latest fixed version of the SEMVER
/// ranges, unless a later introduction re-opens it.
fn non_superseded_fix(ranges: &[Value]) -> Option<String> {
    let mut latest = String::new();
    for r in ranges.iter().filter(|r| r["type"].as_str() == Some("SEMVER")) {
        let events = r["events"].as_array().map(Vec::as_slice).unwrap_or_default();
        for f in events.iter().filter_map(|e| e["fixed"].as_str()).filter(|f| !f.is_empty()) {
            if go_cmp(&latest, f) == Ordering::Less {
                latest = f.to_string();
            }
        }
        let reopened = events
            .iter()
            .filter_map(|e| e["introduced"].as_str())
            .any(|i| !i.is_empty() && i != "0" && go_cmp(&latest, i) == Ordering::Less);
        if reopened {
            latest.clear();
        }
    }
    Some(latest).filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(events: Value) -> Vec<Value> {
        vec![json!({"type": "SEMVER", "events": events})]
    }

    #[test]
    fn the_fix_is_the_latest_unless_reintroduced() {
        let r =
            ranges(json!([{"introduced": "0"}, {"fixed": "1.18.6"}, {"introduced": "1.19.0"}, {"fixed": "1.19.1"}]));
        assert_eq!(non_superseded_fix(&r).as_deref(), Some("1.19.1"));
        let r = ranges(json!([{"introduced": "0"}, {"fixed": "0.0.0-20220906165146-f3363e06e74c"}]));
        assert_eq!(non_superseded_fix(&r).as_deref(), Some("0.0.0-20220906165146-f3363e06e74c"));
        // Re-opened after the last fix, or never fixed: no fix.
        let r = ranges(json!([{"introduced": "0"}, {"fixed": "1.2.0"}, {"introduced": "1.3.0"}]));
        assert_eq!(non_superseded_fix(&r), None);
        assert_eq!(non_superseded_fix(&ranges(json!([{"introduced": "0"}]))), None);
        // Pre-releases order below their release.
        let r = ranges(json!([{"introduced": "0"}, {"fixed": "1.21.0-rc.1"}, {"fixed": "1.20.5"}]));
        assert_eq!(non_superseded_fix(&r).as_deref(), Some("1.21.0-rc.1"));
    }

    #[test]
    fn times_order_by_their_instant_text() {
        let k = |t: &str| time_key(t).unwrap_or_else(|e| panic!("{t}: {e:#}"));
        assert!(k("2024-05-20T20:11:51Z") < k("2024-05-20T20:11:51.5Z"));
        assert!(k("2024-05-20T20:11:51.25Z") < k("2024-05-20T20:11:51.3Z"));
        assert!(k("2024-05-20T20:11:59Z") < k("2024-05-21T00:00:00Z"));
        assert!(time_key("2024-05-20 20:11:51Z").is_err() && time_key("2024-05-20T20:11:51+01:00").is_err());
    }

    #[test]
    fn writes_the_layout_govulncheck_reads() {
        let src = tempfile::tempdir().expect("tempdir");
        let out = tempfile::tempdir().expect("tempdir");
        let rec = |id: &str, modified: &str, module: &str, fixed: &str| {
            json!({"schema_version": "1.3.1", "id": id, "modified": modified, "aliases": ["CVE-1"],
                   "affected": [{"package": {"name": module, "ecosystem": "Go"},
                                 "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]})
        };
        for (id, m, module) in
            [("GO-2-0002", "2024-01-02T00:00:00Z", "b.example"), ("GO-1-0001", "2025-01-01T00:00:00Z", "b.example")]
        {
            std::fs::write(src.path().join(format!("{id}.json")), rec(id, m, module, "1.2.3").to_string())
                .expect("write");
        }
        let w = write_db(src.path(), out.path()).unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!((w.entries, w.modules), (2, 1));
        let read = |p: &str| {
            serde_json::from_slice::<Value>(&std::fs::read(out.path().join(p)).expect("written")).expect("JSON")
        };
        assert_eq!(read("index/db.json"), json!({"modified": "2025-01-01T00:00:00Z"}));
        assert_eq!(
            read("index/modules.json"),
            json!([{"path": "b.example", "vulns": [
                {"id": "GO-1-0001", "modified": "2025-01-01T00:00:00Z", "fixed": "1.2.3"},
                {"id": "GO-2-0002", "modified": "2024-01-02T00:00:00Z", "fixed": "1.2.3"}]}])
        );
        assert_eq!(read("index/vulns.json")[0]["aliases"], json!(["CVE-1"]));
        assert_eq!(read("ID/GO-1-0001.json")["id"], "GO-1-0001");
        // A file not named after its record is refused, as govulncheck refuses it.
        std::fs::write(
            src.path().join("GO-3-0003.json"),
            rec("GO-9-0009", "2024-01-01T00:00:00Z", "c", "1").to_string(),
        )
        .expect("write");
        assert!(write_db(src.path(), tempfile::tempdir().expect("tempdir").path()).is_err());
    }
}
