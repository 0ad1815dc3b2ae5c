//! Does an OSV `affected` entry cover a version? SEMVER and ECOSYSTEM ranges of ecosystems whose
//! versions are semver (crates.io, Go), and explicit version lists. GIT ranges need a commit,
//! which a binary does not state: they are reported as not decidable.

use crate::osv::{Affected, Event};

/// The answer for one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The version is affected.
    Affected,
    /// The version is not affected.
    NotAffected,
    /// A range that cannot be evaluated (GIT, or versions that are not semver).
    Undecidable,
}

/// Parse an ecosystem version as semver: Go's `v1.2.3` and `+incompatible`, OSV's `0` lower bound.
pub fn parse(v: &str) -> Option<semver::Version> {
    let v = v.trim().trim_start_matches('v');
    let v = v.strip_suffix("+incompatible").unwrap_or(v);
    if v == "0" {
        // OSV's "from the beginning": below every version, pre-releases of 0.0.0 included.
        return semver::Version::parse("0.0.0-0").ok();
    }
    if let Ok(x) = semver::Version::parse(v) {
        return Some(x);
    }
    c_library_version(v)
}

/// The versions of C libraries that are not semver: two numbers (PCRE2 `10.42`) and OpenSSL's
/// letter releases (`1.1.1w`, after `1.1.1` and before `1.1.2`: read as the pre-release
/// `1.1.2-0.w`).
fn c_library_version(v: &str) -> Option<semver::Version> {
    let nums = |s: &str| s.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    // One or two letters: 1.1.1w, then the extended-support 1.1.1za … 1.0.2zs (text order is
    // release order: "" < "a" < "z" < "za").
    let core = v.trim_end_matches(|c: char| c.is_ascii_lowercase());
    if core.len() != v.len() && v.len() - core.len() <= 2 {
        let letter = &v[core.len()..];
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        if let (Some(Some(a)), Some(Some(b)), Some(Some(c)), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        {
            return semver::Version::parse(&format!("{a}.{b}.{}-0.{letter}", c.checked_add(1)?)).ok();
        }
        return None;
    }
    (v.split('.').count() == 2 && nums(v)).then(|| semver::Version::parse(&format!("{v}.0")).ok()).flatten()
}

fn event_version(e: &Event) -> Option<&str> {
    e.introduced.as_deref().or(e.fixed.as_deref()).or(e.last_affected.as_deref()).or(e.limit.as_deref())
}

/// Whether `version` is covered by `affected` (explicit versions, then each range).
pub fn decide(affected: &Affected, version: &str) -> Decision {
    if affected.versions.iter().any(|v| v == version || v.trim_start_matches('v') == version.trim_start_matches('v')) {
        return Decision::Affected;
    }
    let Some(v) = parse(version) else { return Decision::Undecidable };
    let mut undecidable = false;
    for r in &affected.ranges {
        if r.kind != "SEMVER" && r.kind != "ECOSYSTEM" {
            undecidable = true;
            continue;
        }
        // Evaluate the events in version order (OSV's algorithm): an introduced at or below the
        // version opens the range, a fixed at or below closes it, a last_affected below closes it.
        let mut events: Vec<(semver::Version, &Event)> = Vec::new();
        for e in &r.events {
            match event_version(e).and_then(parse) {
                Some(ev) => events.push((ev, e)),
                None => undecidable = true,
            }
        }
        events.sort_by(|a, b| a.0.cmp(&b.0));
        let mut hit = false;
        for (ev, e) in &events {
            let closes = (e.fixed.is_some() && v >= *ev)
                || (e.last_affected.is_some() && v > *ev)
                || (e.limit.is_some() && v >= *ev);
            if e.introduced.is_some() && v >= *ev {
                hit = true;
            } else if closes {
                hit = false;
            }
        }
        if hit {
            return Decision::Affected;
        }
    }
    if undecidable {
        Decision::Undecidable
    } else {
        Decision::NotAffected
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osv::Range;

    fn affected(events: Vec<Event>) -> Affected {
        Affected {
            package: None,
            ranges: vec![Range { kind: "SEMVER".into(), events }],
            versions: vec![],
            ecosystem_specific: None,
            database_specific: None,
        }
    }
    fn intro(v: &str) -> Event {
        Event { introduced: Some(v.into()), ..Default::default() }
    }
    fn fixed(v: &str) -> Event {
        Event { fixed: Some(v.into()), ..Default::default() }
    }

    #[test]
    fn c_library_versions_order() {
        let p = |v: &str| parse(v).unwrap_or_else(|| panic!("{v}"));
        assert!(p("1.1.1") < p("1.1.1a") && p("1.1.1a") < p("1.1.1w") && p("1.1.1w") < p("1.1.2"));
        assert!(p("1.1.1t") < p("3.0.0"));
        assert!(p("10.40") < p("10.42") && p("10.42") < p("10.42.1"));
        assert!(p("1.1.1w") < p("1.1.1za") && p("1.1.1za") < p("1.1.1zh") && p("1.1.1zh") < p("1.1.2"));
        assert!(parse("1.1.1www").is_none() && parse("1.x").is_none());
    }

    #[test]
    fn ranges() {
        let a = affected(vec![intro("0.0.0-0"), fixed("0.8.2-0")]);
        assert_eq!(decide(&a, "0.8.1"), Decision::Affected);
        assert_eq!(decide(&a, "0.8.2"), Decision::NotAffected);
        // Two windows: [1.0, 1.2.3) and [2.0, 2.0.5)
        let a = affected(vec![intro("1.0.0"), fixed("1.2.3"), intro("2.0.0"), fixed("2.0.5")]);
        for (v, want) in [("0.9.0", false), ("1.2.2", true), ("1.2.3", false), ("2.0.4", true), ("2.1.0", false)] {
            assert_eq!(decide(&a, v) == Decision::Affected, want, "{v}");
        }
        let a = affected(vec![intro("0"), Event { last_affected: Some("1.4.0".into()), ..Default::default() }]);
        assert_eq!(decide(&a, "1.4.0"), Decision::Affected);
        assert_eq!(decide(&a, "1.4.1"), Decision::NotAffected);
        // Go versions.
        let a = affected(vec![intro("0"), fixed("0.3.8")]);
        assert_eq!(decide(&a, "v0.3.7"), Decision::Affected);
        assert_eq!(decide(&a, "v0.0.0-20220715151400-c0bba94af5f8"), Decision::Affected);
        assert_eq!(decide(&a, "(devel)"), Decision::Undecidable);
    }
}
