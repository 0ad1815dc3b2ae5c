//! Known vulnerabilities found in a binary's components.

use serde::{Deserialize, Serialize};

use crate::Evidence;

names! {
    /// How bad a vulnerability is, from the highest CVSS base score of its advisory (CVSS v3/v4
    /// bands). One ordering, used by the table, `--fail-on` and SARIF: `None < Low < … < Critical`.
    pub enum Severity ("severity") {
        /// Score 0.0.
        None => "none",
        /// 0.1–3.9.
        Low => "low",
        /// 4.0–6.9.
        Medium => "medium",
        /// 7.0–8.9.
        High => "high",
        /// 9.0–10.0.
        Critical => "critical",
    }
}

impl Severity {
    /// The CVSS band a base score falls in (scores outside 0–10 are clamped).
    pub fn from_cvss_score(score: f64) -> Severity {
        match score {
            s if s >= 9.0 => Severity::Critical,
            s if s >= 7.0 => Severity::High,
            s if s >= 4.0 => Severity::Medium,
            s if s > 0.0 => Severity::Low,
            _ => Severity::None,
        }
    }

    /// How a finding's optional severity is shown: its name, or `unrated` when there is none.
    pub fn text(severity: Option<Severity>) -> &'static str {
        severity.map_or("unrated", Severity::as_str)
    }
}

/// The kind of an informational advisory: a warning about a package, not a vulnerability
/// (RustSec's `informational` field). Kinds binsight does not know are kept as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Informational {
    /// The package is no longer maintained.
    Unmaintained,
    /// The package has unsound code (undefined behaviour reachable from safe code).
    Unsound,
    /// Anything else worth knowing about the package.
    Notice,
    /// A kind this version of binsight does not know (never empty).
    Other(String),
}

impl Informational {
    /// The kind as the advisory spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Informational::Unmaintained => "unmaintained",
            Informational::Unsound => "unsound",
            Informational::Notice => "notice",
            Informational::Other(s) => s,
        }
    }
}

impl std::fmt::Display for Informational {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Informational {
    type Err = crate::UnknownName;
    /// Any non-empty text: the three RustSec kinds, or [`Informational::Other`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "unmaintained" => Informational::Unmaintained,
            "unsound" => Informational::Unsound,
            "notice" => Informational::Notice,
            "" => {
                return Err(crate::UnknownName {
                    what: "informational kind",
                    given: String::new(),
                    expected: &["unmaintained", "unsound", "notice", "(any other non-empty kind)"],
                })
            }
            other => Informational::Other(other.to_string()),
        })
    }
}

serde_as_text!(Informational);

/// Is the vulnerable code in the binary?
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// The affected code is present (or the advisory names no function: the package is).
    Affected,
    /// The affected functions are absent from the link.
    NotLinked,
    /// Cannot tell (e.g. a stripped static binary, or a Go binary whose function names were not
    /// indexed); the evidence says why.
    Unknown,
    /// The version is affected, but this build carries the fix (a backport the detectors saw,
    /// e.g. a patched musl); the evidence says where. Never makes the verdict `rebuild`.
    Fixed,
}

impl Applicability {
    /// Whether the finding is a vulnerability this binary has (or may have): `affected` or
    /// `unknown`.
    pub fn counts(self) -> bool {
        matches!(self, Applicability::Affected | Applicability::Unknown)
    }
}

/// One known vulnerability in a component of a binary.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Advisory id (RUSTSEC-…, GO-…, or binsight's for libcs).
    pub id: String,
    /// Other ids of the same advisory (CVE, GHSA).
    pub aliases: Vec<String>,
    /// The advisory's one-line summary; `None` when it has none.
    pub summary: Option<String>,
    /// Component name.
    pub component: String,
    /// The component's purl, when it has one (how VEX documents and SBOMs name it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// The component's version in the binary (a range for a libc known only by range).
    pub installed: String,
    /// Versions that fix it (empty: no fixed release).
    pub fixed: Vec<String>,
    /// From the advisory's CVSS vectors; `None` when the advisory gives none (shown `unrated`).
    pub severity: Option<Severity>,
    /// Whether the vulnerable code is in the binary.
    pub applicability: Applicability,
    /// What the applicability was decided on (linked functions, symbols).
    pub evidence: Vec<Evidence>,
    /// Set for advisories that report no vulnerability but a warning about the component
    /// (RustSec's `unmaintained`, `unsound`, `notice`). They never make the verdict `rebuild`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<Informational>,
}

names! {
    /// Where a suppression came from.
    pub enum SuppressionSource ("suppression source") {
        /// A statement of an OpenVEX document (`--vex`).
        OpenVex => "openvex",
        /// A vulnerability analysis of a CycloneDX VEX document (`--vex`).
        CycloneDxVex => "cyclonedx-vex",
        /// An `[[ignore]]` entry of the config file.
        Ignore => "ignore",
    }
}

/// Why a finding was taken out of the verdict: the statement (or ignore entry) that matched it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// What kind of document said so.
    pub source: SuppressionSource,
    /// The file it came from (as given on the command line, or the config file).
    pub file: String,
    /// The status as the document says it: OpenVEX `not_affected`/`fixed`, CycloneDX
    /// `not_affected`/`false_positive`/`resolved`, `ignored` for the config.
    pub status: String,
    /// The document's justification (OpenVEX `vulnerable_code_not_present`, CycloneDX
    /// `code_not_present`…), when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// Who said so: the document's author (OpenVEX `author`, CycloneDX metadata), when named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Which statement: the document's `@id` or serial number and the statement's position
    /// or id (`…#statement-3`), or the ignore entry's position.
    pub statement: String,
    /// The document's words: impact statement, status notes, analysis detail, or the ignore
    /// entry's `reason`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For an ignore entry: the day it stops applying (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// A finding a VEX statement or an ignore entry suppressed: kept out of the findings and the
/// verdict, listed here with what suppressed it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Suppressed {
    /// The finding as the audit made it.
    pub finding: Finding,
    /// What suppressed it.
    pub by: Suppression,
}
