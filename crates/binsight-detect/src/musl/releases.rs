//! The musl releases binsight knows, ranges of them ([`Range`]), and the release that brought
//! each feature the detectors ask about (`data/musl-features.tsv`).

use std::sync::OnceLock;

use binsight_model::VersionRange;

use crate::tsv::{self, Problem, Row, TableError};

/// musl releases in order. The first stands for "1.1.24 or older"; the last is the newest
/// release the data knows (a newer musl would be reported as it: update the data then).
pub const RELEASES: &[&str] = &["1.1.24", "1.2.0", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5"];

const FEATURES: &str = include_str!("../../data/musl-features.tsv");

/// Index of release `v` in [`RELEASES`]; `None` when binsight does not know it.
fn index(v: &str) -> Option<usize> {
    RELEASES.iter().position(|r| *r == v)
}

/// Inclusive range of indices into [`RELEASES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    /// Index of the oldest release in the range.
    pub lo: usize,
    /// Index of the newest release in the range (inclusive).
    pub hi: usize,
}

impl Range {
    /// The range of the columns `lo` and `hi` of a table row: `None` when either is `-`, an
    /// error when an end is not a known release or the range is empty.
    pub(crate) fn from_columns(row: &Row<'_>, lo: usize, hi: usize) -> Result<Option<Range>, TableError> {
        let (Some(l), Some(h)) = (row.optional(lo), row.optional(hi)) else { return Ok(None) };
        let idx = |v: &str| index(v).ok_or_else(|| row.error(Problem::UnknownMusl { version: v.into() }));
        let r = Range { lo: idx(l)?, hi: idx(h)? };
        if r.lo > r.hi {
            return Err(row.error(Problem::EmptyRange { lo: l.into(), hi: h.into() }));
        }
        Ok(Some(r))
    }
    /// The one release `v`; `None` when binsight does not know it.
    pub fn of_release(v: &str) -> Option<Range> {
        index(v).map(|i| Range { lo: i, hi: i })
    }
    /// Every release binsight knows.
    pub fn all() -> Range {
        Range { lo: 0, hi: RELEASES.len() - 1 }
    }
    /// The releases in both; `None` when they have none in common.
    pub fn intersect(self, o: Range) -> Option<Range> {
        let r = Range { lo: self.lo.max(o.lo), hi: self.hi.min(o.hi) };
        (r.lo <= r.hi).then_some(r)
    }
    /// The range is one release, and not the first (which stands for "1.1.24 or older").
    pub fn exact(self) -> bool {
        self.lo == self.hi && self.lo != 0
    }
    /// The versions this range allows, with open ends where it reaches past the releases
    /// binsight knows (`<=1.1.24`, `>=1.2.3`).
    pub fn to_versions(self) -> VersionRange {
        let (lo, hi) = (RELEASES[self.lo].to_string(), RELEASES[self.hi].to_string());
        match (self.lo, self.hi) {
            (0, _) => VersionRange { lo: None, hi: Some(hi) },
            (l, h) if l == h => VersionRange::exact(lo),
            (_, h) if h == RELEASES.len() - 1 => VersionRange { lo: Some(lo), hi: None },
            _ => VersionRange { lo: Some(lo), hi: Some(hi) },
        }
    }
    /// `1.2.3`, `>=1.2.4, <=1.2.5`, `<=1.1.24`, `>=1.2.3`.
    pub fn render(self) -> String {
        self.to_versions().to_string()
    }
    /// The release indices a [`VersionRange`] stands for; `None` when an end is not a musl
    /// release binsight knows.
    pub fn from_versions(v: &VersionRange) -> Option<Range> {
        Some(Range {
            lo: v.lo.as_deref().map_or(Some(0), index)?,
            hi: v.hi.as_deref().map_or(Some(RELEASES.len() - 1), index)?,
        })
    }
}

/// The range a rendered version stands for (for callers that compare versions); `None` when
/// it is not one [`Range::render`] writes over known releases.
pub fn parse_rendered(s: &str) -> Option<Range> {
    let idx = |v: &str| index(v.trim());
    if let Some(hi) = s.strip_prefix("<=") {
        return Some(Range { lo: 0, hi: idx(hi)? });
    }
    if let Some(rest) = s.strip_prefix(">=") {
        return match rest.split_once(", <=") {
            Some((lo, hi)) => Some(Range { lo: idx(lo)?, hi: idx(hi)? }),
            None => Some(Range { lo: idx(rest)?, hi: RELEASES.len() - 1 }),
        };
    }
    let i = idx(s)?;
    Some(Range { lo: i, hi: i })
}

/// A row of `data/musl-features.tsv`: the first release with a feature.
#[derive(Debug, Clone)]
pub struct Feature {
    /// The feature's name, as the detectors ask for it (`dns-tcp-fallback`).
    pub id: String,
    /// Index into [`RELEASES`] of the first release that has it.
    pub first: usize,
    /// Where the fact comes from (release notes, a source file).
    pub source: String,
}

/// Parse `data/musl-features.tsv`; `Err` names the first bad row.
pub fn parse_features(text: &str) -> Result<Vec<Feature>, TableError> {
    tsv::load("musl-features.tsv", text, 3, |row| {
        let first = row.text(1);
        Ok(Feature {
            id: row.required(0, "feature")?.into(),
            first: index(first).ok_or_else(|| row.error(Problem::UnknownMusl { version: first.into() }))?,
            source: row.required(2, "source")?.into(),
        })
    })
}

/// The compiled-in `data/musl-features.tsv`.
pub fn features() -> &'static [Feature] {
    static F: OnceLock<Vec<Feature>> = OnceLock::new();
    tsv::compiled(&F, || parse_features(FEATURES))
}

/// Index into [`RELEASES`] of the first release with feature `id`; past the end when the
/// table does not name it (no known release has it).
pub fn first_with(id: &str) -> usize {
    features().iter().find(|f| f.id == id).map_or(RELEASES.len(), |f| f.first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_render_and_parse_back() {
        let r = |lo, hi| Range { lo, hi };
        assert_eq!(r(4, 4).render(), "1.2.3");
        assert_eq!(r(5, 6).render(), ">=1.2.4");
        assert_eq!(r(3, 5).render(), ">=1.2.2, <=1.2.4");
        assert_eq!(r(0, 0).render(), "<=1.1.24");
        assert_eq!(r(3, 6).render(), ">=1.2.2");
        for s in ["1.2.3", ">=1.2.2, <=1.2.4", "<=1.1.24", ">=1.2.2"] {
            assert_eq!(parse_rendered(s).map(Range::render).as_deref(), Some(s));
        }
        assert_eq!(r(2, 5).intersect(r(5, 6)), Some(r(5, 5)));
        assert_eq!(r(2, 4).intersect(r(5, 6)), None);
        assert_eq!(RELEASES[first_with("dns-tcp-fallback")], "1.2.4");
    }
}
