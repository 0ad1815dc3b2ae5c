//! The parts of the OSV schema (https://ossf.github.io/osv-schema/) binsight reads. Unknown
//! fields are ignored and missing optional ones default, so any valid OSV record parses.

use serde::Deserialize;

use crate::error::RecordError;

/// Largest advisory record imported or loaded: 1 MiB. Real OSV records are far smaller: the
/// largest of the project's frozen OSV copy (`shared/osv`, 5,497 crates.io and Go records) is
/// 12,875 bytes (GO-2024-2687), and the largest in the embedded snapshot 7,009 bytes compact;
/// 1 MiB leaves ~80× headroom and keeps a hostile store from costing gigabytes per `--audit`.
pub const MAX_RECORD: u64 = 1 << 20;

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Advisory {
    pub id: String,
    #[serde(default)]
    pub modified: String,
    #[serde(default)]
    pub published: Option<String>,
    /// Set when the record was withdrawn: such records match nothing.
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub severity: Vec<Severity>,
    #[serde(default)]
    pub affected: Vec<Affected>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Severity {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Package {
    pub ecosystem: String,
    pub name: String,
    #[serde(default)]
    pub purl: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Affected {
    pub package: Option<Package>,
    #[serde(default)]
    pub ranges: Vec<Range>,
    #[serde(default)]
    pub versions: Vec<String>,
    #[serde(default)]
    pub ecosystem_specific: Option<serde_json::Value>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Range {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct Event {
    #[serde(default)]
    pub introduced: Option<String>,
    #[serde(default)]
    pub fixed: Option<String>,
    #[serde(default)]
    pub last_affected: Option<String>,
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
