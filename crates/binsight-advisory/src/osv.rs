//! The parts of the OSV schema (<https://ossf.github.io/osv-schema/>) binsight reads. Unknown
//! fields are ignored and missing optional ones default, so any valid OSV record parses.

use serde::Deserialize;

use crate::error::RecordError;

/// Largest advisory record imported or loaded: 1 MiB. Real OSV records are far smaller: the
/// largest of the project's frozen OSV copy (`shared/osv`, 5,497 crates.io and Go records) is
/// 12,875 bytes (GO-2024-2687), and the largest in the embedded snapshot 7,009 bytes compact;
/// 1 MiB leaves ~80× headroom and keeps a hostile store from costing gigabytes per `--audit`.
pub const MAX_RECORD: u64 = 1 << 20;

/// One OSV record.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Advisory {
    /// Its id (`RUSTSEC-2024-0001`, `GO-2024-1234`, `GHSA-…`).
    pub id: String,
    /// When it was last changed (RFC 3339); empty when the record does not say.
    #[serde(default)]
    pub modified: String,
    /// When it was published (RFC 3339); `None` when the record does not say.
    #[serde(default)]
    pub published: Option<String>,
    /// Set when the record was withdrawn: such records match nothing.
    #[serde(default)]
    pub withdrawn: Option<String>,
    /// Other ids of the same vulnerability (CVE, GHSA).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// One line; `None` when the record has none.
    #[serde(default)]
    pub summary: Option<String>,
    /// The long description (Markdown); `None` when the record has none.
    #[serde(default)]
    pub details: Option<String>,
    /// Severity scores (CVSS vectors).
    #[serde(default)]
    pub severity: Vec<Severity>,
    /// The packages and versions it affects.
    #[serde(default)]
    pub affected: Vec<Affected>,
    /// Links: advisory, report, fix.
    #[serde(default)]
    pub references: Vec<Reference>,
    /// What the source database adds (RustSec's `informational`, its categories); `None` when
    /// absent.
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// A severity score.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Severity {
    /// The scoring system (`CVSS_V3`, `CVSS_V4`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The score itself (a CVSS vector).
    pub score: String,
}

/// A link of a record.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Reference {
    /// What it links to (`ADVISORY`, `REPORT`, `FIX`, `WEB`…).
    #[serde(rename = "type")]
    pub kind: String,
    /// The URL.
    pub url: String,
}

/// A package an advisory is about.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Package {
    /// OSV ecosystem (`crates.io`, `Go`).
    pub ecosystem: String,
    /// The package's name in that ecosystem.
    pub name: String,
    /// Its package URL; `None` when the record has none.
    #[serde(default)]
    pub purl: Option<String>,
}

/// One affected package: which versions, and what the ecosystem adds (affected functions).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Affected {
    /// The package; `None` when the record names none (such entries match nothing).
    pub package: Option<Package>,
    /// Version ranges.
    #[serde(default)]
    pub ranges: Vec<Range>,
    /// Versions listed one by one.
    #[serde(default)]
    pub versions: Vec<String>,
    /// What the ecosystem adds (RustSec: affected functions; Go: affected symbols); `None` when
    /// absent.
    #[serde(default)]
    pub ecosystem_specific: Option<serde_json::Value>,
    /// What the source database adds; `None` when absent.
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// A version range: events in order (introduced, fixed, last affected, limit).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Range {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The events, in order.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// One event of a range: exactly one of its fields is set in a valid record.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct Event {
    /// Versions from this one on are affected (`0`: from the first).
    #[serde(default)]
    pub introduced: Option<String>,
    /// Versions from this one on are not affected.
    #[serde(default)]
    pub fixed: Option<String>,
    /// The last affected version (those after it are not).
    #[serde(default)]
    pub last_affected: Option<String>,
    /// Versions from this one on are outside the range (an upper bound, mostly of GIT ranges).
    #[serde(default)]
    pub limit: Option<String>,
}

impl Advisory {
    /// The advisory's own id and its aliases (CVE, GHSA…), for merging duplicates.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// One OSV record from untrusted bytes (a file, a zip entry): at most
/// [`MAX_RECORD`] bytes, valid JSON of the schema, a non-empty id. The error says
/// why, ending in "skipped" (callers report it beside the file's name and go on).
pub fn parse_record(bytes: &[u8]) -> Result<Advisory, RecordError> {
    if bytes.len() as u64 > MAX_RECORD {
        return Err(RecordError::TooLarge { limit: MAX_RECORD });
    }
    let a: Advisory = serde_json::from_slice(bytes).map_err(RecordError::NotOsv)?;
    if a.id.is_empty() {
        return Err(RecordError::NoId);
    }
    Ok(a)
}
