//! The C library a binary links or carries: family, version (exact or a range), backports.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Confidence, Evidence};

/// Which C library.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum LibcFamily {
    /// musl.
    Musl,
    /// GNU C library.
    Glibc,
    /// uClibc or uClibc-ng.
    Uclibc,
    /// Android's bionic.
    Bionic,
    /// No libc at all (Go with CGO_ENABLED=0, freestanding code).
    None,
    /// The binary does not let binsight tell.
    Unknown,
}

impl LibcFamily {
    /// The lowercase name, as in JSON (`musl`, `glibc`…).
    pub fn as_str(self) -> &'static str {
        match self {
            LibcFamily::Musl => "musl",
            LibcFamily::Glibc => "glibc",
            LibcFamily::Uclibc => "uclibc",
            LibcFamily::Bionic => "bionic",
            LibcFamily::None => "none",
            LibcFamily::Unknown => "unknown",
        }
    }
}

/// The C library of a binary: which one, which version, and how sure.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Libc {
    /// Which C library (`none` when there is none, `unknown` when it cannot be told).
    pub family: LibcFamily,
    /// Exact version (`1.2.3`) or a range (`>=1.2.4, <=1.2.5`, `<=1.1.24`) when known.
    pub version: Option<VersionRange>,
    /// Confidence of the family.
    pub confidence: Confidence,
    /// Evidence of the family.
    pub evidence: Vec<Evidence>,
    /// Confidence of `version` (`unknown` when there is none).
    #[serde(default = "unknown_confidence")]
    pub version_confidence: Confidence,
    /// Every signal that bounded the version, with the range it allows in `detail`.
    #[serde(default)]
    pub version_evidence: Vec<Evidence>,
    /// Fixes the build carries beyond its version number (distro or toolchain backports), when
    /// known; empty means none known, not none applied.
    #[serde(default)]
    pub patches: Vec<Patch>,
    /// For static binaries: whether tracked libc functions (those advisories name) are linked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_functions: Vec<LinkedFunction>,
}

/// A fix applied on top of a libc release.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    /// Advisory id the fix is for (e.g. `CVE-2025-26519`).
    pub id: String,
    /// Where the patch was seen.
    pub evidence: Evidence,
}

fn unknown_confidence() -> Confidence {
    Confidence::Unknown
}

impl Default for Libc {
    fn default() -> Self {
        Libc {
            family: LibcFamily::Unknown,
            version: None,
            confidence: Confidence::Unknown,
            evidence: vec![],
            version_confidence: Confidence::Unknown,
            version_evidence: vec![],
            patches: vec![],
            linked_functions: vec![],
        }
    }
}

/// Whether a static binary links a libc function (for advisories naming affected functions).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LinkedFunction {
    /// The function's name (`iconv`, `getaddrinfo`…).
    pub name: String,
    /// `Some(true)` present, `Some(false)` absent (symbols show it), `None` cannot tell (stripped).
    pub present: Option<bool>,
}

/// The versions a build may be: both ends inclusive, `None` for an open end. `lo == hi` is an
/// exact version. Shown and serialised as `1.2.3`, `>=1.2.4`, `<=1.1.24` or `>=1.2.4, <=1.2.5`
/// (the text binsight has always written in `libc.version`); that text parses back.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VersionRange {
    /// The oldest version it may be (`None`: older than anything known).
    pub lo: Option<String>,
    /// The newest version it may be (`None`: any newer release too).
    pub hi: Option<String>,
}

impl VersionRange {
    /// Exactly `v`.
    pub fn exact(v: impl Into<String>) -> VersionRange {
        let v = v.into();
        VersionRange { lo: Some(v.clone()), hi: Some(v) }
    }

    /// The one version it is, when `lo == hi`; `None` for a range.
    pub fn as_exact(&self) -> Option<&str> {
        match (&self.lo, &self.hi) {
            (Some(l), Some(h)) if l == h => Some(l),
            _ => None,
        }
    }

    /// The known ends (one for an exact version or a half-open range, two for a closed one):
    /// the versions to check advisories at.
    pub fn ends(&self) -> Vec<&str> {
        match (self.lo.as_deref(), self.hi.as_deref()) {
            (Some(l), Some(h)) if l == h => vec![l],
            (l, h) => l.into_iter().chain(h).collect(),
        }
    }
}

impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(v) = self.as_exact() {
            return f.write_str(v);
        }
        match (&self.lo, &self.hi) {
            (Some(l), Some(h)) => write!(f, ">={l}, <={h}"),
            (Some(l), None) => write!(f, ">={l}"),
            (None, Some(h)) => write!(f, "<={h}"),
            (None, None) => f.write_str("*"),
        }
    }
}

/// Text that is not a [`VersionRange`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAVersionRange(pub String);

impl fmt::Display for NotAVersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a version range: {:?} (expected 1.2.3, >=1.2.3, <=1.2.3 or >=1.2.3, <=1.2.5)", self.0)
    }
}

impl std::error::Error for NotAVersionRange {}

impl FromStr for VersionRange {
    type Err = NotAVersionRange;
    fn from_str(s: &str) -> Result<VersionRange, NotAVersionRange> {
        let version = |v: &str| {
            let v = v.trim();
            let ok = !v.is_empty() && !v.contains(|c: char| c.is_whitespace() || matches!(c, ',' | '<' | '>' | '='));
            ok.then(|| v.to_string())
        };
        let err = || NotAVersionRange(s.to_string());
        if s.trim() == "*" {
            return Ok(VersionRange { lo: None, hi: None });
        }
        if let Some(hi) = s.strip_prefix("<=") {
            return Ok(VersionRange { lo: None, hi: Some(version(hi).ok_or_else(err)?) });
        }
        if let Some(rest) = s.strip_prefix(">=") {
            return Ok(match rest.split_once(", <=") {
                Some((lo, hi)) => {
                    VersionRange { lo: Some(version(lo).ok_or_else(err)?), hi: Some(version(hi).ok_or_else(err)?) }
                }
                None => VersionRange { lo: Some(version(rest).ok_or_else(err)?), hi: None },
            });
        }
        version(s).map(VersionRange::exact).ok_or_else(err)
    }
}

serde_as_text!(VersionRange);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_render_and_parse_back() {
        let r = |lo: Option<&str>, hi: Option<&str>| VersionRange { lo: lo.map(Into::into), hi: hi.map(Into::into) };
        for (range, text) in [
            (VersionRange::exact("1.2.3"), "1.2.3"),
            (r(Some("1.2.4"), None), ">=1.2.4"),
            (r(None, Some("1.1.24")), "<=1.1.24"),
            (r(Some("1.2.4"), Some("1.2.5")), ">=1.2.4, <=1.2.5"),
        ] {
            assert_eq!(range.to_string(), text);
            assert_eq!(text.parse::<VersionRange>(), Ok(range.clone()));
        }
        assert_eq!(r(Some("1.2.4"), Some("1.2.5")).ends(), ["1.2.4", "1.2.5"]);
        assert_eq!(VersionRange::exact("2.36").ends(), ["2.36"]);
        assert_eq!(VersionRange::exact("2.36").as_exact(), Some("2.36"));
        assert_eq!(r(Some("1.2.4"), None).as_exact(), None);
        for bad in ["", ">=", "<=1.2, x", ">=1.2.3, <=", "1.2.3 beta"] {
            assert!(bad.parse::<VersionRange>().is_err(), "{bad}");
        }
    }
}
