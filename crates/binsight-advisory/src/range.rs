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
    semver::Version::parse(v).ok()
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
