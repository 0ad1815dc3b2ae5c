//! Confidence and evidence: how sure an answer is and what it rests on.

use serde::{Deserialize, Serialize};

/// How complete or certain an answer is.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The file states it (interpreter name, symbol version, `.comment` string).
    Exact,
    /// Strong indirect evidence (signature tables, paths) that has no known false positive.
    Likely,
    /// Some evidence, but not enough to be sure; read the evidence.
    Partial,
    /// No usable evidence.
    Unknown,
}

/// One piece of evidence behind an identification: which signal, and where in the file.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// Stable signal name, e.g. `interpreter`, `verneed`, `comment`, `musl-strerror-table`.
    pub signal: String,
    /// Section the signal was found in, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub section: Option<String>,
    /// File offset of the signal, if it has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub offset: Option<u64>,
    /// What was seen, human readable (e.g. the matched string).
    pub detail: String,
}

impl Evidence {
    /// Evidence of `signal` (a short name of what was looked for), seen as `detail`, anywhere.
    pub fn new(signal: &str, detail: impl Into<String>) -> Self {
        Evidence { signal: signal.to_string(), section: None, offset: None, detail: detail.into() }
    }
    /// The same evidence, found in `section`.
    pub fn in_section(mut self, section: impl Into<String>) -> Self {
        self.section = Some(section.into());
        self
    }
    /// The same evidence, found at file offset `offset`.
    pub fn at(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }
}
