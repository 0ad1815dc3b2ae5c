//! VEX statements read back in (`--vex FILE`, the config's `[[ignore]]`): which findings they
//! take out of the verdict.
//!
//! A statement names vulnerabilities (an id and aliases) and products (purls, hashes, paths,
//! image digests, each with optional subcomponents). It applies to a finding when one of its
//! names is the finding's id or an alias, and one of its products is the binary (its SHA-256 or
//! path), the image the binary is in (`pkg:oci/…@sha256:…`, a digest), or the finding's
//! component (its purl) — and, when the product lists subcomponents, one of them is the binary
//! or the component. Of the statements that apply, the latest (by timestamp, then by position:
//! later files and later statements win) decides, as OpenVEX says: `not_affected` and `fixed`
//! (CycloneDX `not_affected`, `false_positive`, `resolved`) suppress the finding; `affected`
//! and `under_investigation` (`exploitable`, `in_triage`) keep it. An ignore entry of the config
//! suppresses what no statement decided.
//!
//! Documents are untrusted: read under [`MAX_DOCUMENT`] bytes and [`MAX_STATEMENTS`]
//! statements, every problem an error naming the file.

mod cyclonedx;
mod ident;
mod openvex;

use std::path::Path;

use binsight_model::{BinaryReport, Finding, Suppression, SuppressionSource};

pub use ident::Ident;

/// Largest VEX document read (bytes). A VEX document states one supplier's view of its
/// products: 16 MiB is some 150,000 statements. Loading one costs about 10 times its size in
/// memory (measured: `tests/hostile/vex.rs`).
pub const MAX_DOCUMENT: u64 = 16 << 20;
/// Most statements (OpenVEX statements, CycloneDX vulnerability entries) read from one document.
pub const MAX_STATEMENTS: usize = 250_000;

/// A VEX file binsight cannot use, naming the file and what to do.
#[derive(Debug, thiserror::Error)]
#[error("VEX file {file}: {reason}")]
pub struct VexError {
    /// The file as given.
    pub file: String,
    /// What is wrong with it and what to do.
    pub reason: String,
}

/// A product a statement is about, and the subcomponents it narrows it to (empty: all of it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Product {
    /// Every name the product goes by.
    pub ids: Vec<Ident>,
    /// Each subcomponent's names.
    pub subcomponents: Vec<Vec<Ident>>,
}

/// What a statement applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every binary (an ignore entry with neither `purl` nor `path`).
    Everywhere,
    /// These products (a statement with none applies to nothing).
    Products(Vec<Product>),
}

/// One statement (or ignore entry): the vulnerability names, the products, and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The vulnerability's id and aliases, upper case.
    pub vulnerabilities: Vec<String>,
    /// Where it applies.
    pub scope: Scope,
    /// Whether its status takes the finding out (`not_affected`, `fixed`…).
    pub suppresses: bool,
    /// Seconds since the epoch of the statement (or its document), when it gives one: the
    /// latest statement that applies decides.
    pub timestamp: Option<i64>,
    /// What it says (the finding's [`Suppression`] when it applies).
    pub said: Said,
}

/// The document a statement came from: shared by its statements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// What kind of document.
    pub source: SuppressionSource,
    /// The file, as given.
    pub file: String,
    /// Its `@id` or serial number (the file when it has none).
    pub id: String,
    /// Its author, when named.
    pub author: Option<String>,
}

/// What one statement says: with its [`Document`], a [`Suppression`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    /// The document.
    pub doc: std::sync::Arc<Document>,
    /// The status, as written.
    pub status: String,
    /// The justification, when given.
    pub justification: Option<String>,
    /// Which statement (its `@id`, or the document's id and its position).
    pub statement: String,
    /// The document's words about it.
    pub note: Option<String>,
    /// For an ignore entry: its last day.
    pub expires: Option<String>,
}

impl Said {
    /// The suppression a finding records.
    pub fn suppression(&self) -> Suppression {
        Suppression {
            source: self.doc.source,
            file: self.doc.file.clone(),
            status: self.status.clone(),
            justification: self.justification.clone(),
            author: self.doc.author.clone(),
            statement: self.statement.clone(),
            note: self.note.clone(),
            expires: self.expires.clone(),
        }
    }
}

/// Every statement loaded, in the order given (later ones win ties), and the ignore entries.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    statements: Vec<Rule>,
    ignores: Vec<Rule>,
}

/// How much a document held: for the run's debug log and its summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    /// `openvex` or `cyclonedx-vex`.
    pub format: &'static str,
    /// Statements read.
    pub statements: usize,
    /// Of those, how many suppress (`not_affected`, `fixed`…).
    pub suppressing: usize,
}

impl Suppressions {
    /// Whether nothing was loaded.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty() && self.ignores.is_empty()
    }

    /// Read an OpenVEX or CycloneDX VEX document (told apart by content); `shown` names it in
    /// errors and suppressions.
    pub fn load_file(&mut self, path: &Path, shown: &str) -> Result<Loaded, VexError> {
        let err = |reason: String| VexError { file: shown.to_string(), reason };
        let bytes = read_capped(path).map_err(err)?;
        self.load_bytes(&bytes, shown)
    }

    /// [`Suppressions::load_file`] for a document already read.
    pub fn load_bytes(&mut self, bytes: &[u8], shown: &str) -> Result<Loaded, VexError> {
        let err = |reason: String| VexError { file: shown.to_string(), reason };
        // Which format, without building the document's tree: two fields, the rest skipped.
        #[derive(serde::Deserialize)]
        struct Probe {
            #[serde(rename = "@context")]
            context: Option<serde_json::Value>,
            #[serde(rename = "bomFormat")]
            bom_format: Option<serde_json::Value>,
        }
        let probe: Probe = serde_json::from_slice(bytes)
            .map_err(|e| err(format!("not JSON ({e}); give an OpenVEX document or a CycloneDX VEX (JSON) document")))?;
        let openvex =
            probe.context.as_ref().and_then(|c| c.as_str()).is_some_and(|c| c.starts_with("https://openvex.dev/ns"));
        let (format, rules) = if probe.bom_format.as_ref().and_then(|b| b.as_str()) == Some("CycloneDX") {
            ("cyclonedx-vex", cyclonedx::rules(bytes, shown).map_err(err)?)
        } else if openvex {
            ("openvex", openvex::rules(bytes, shown).map_err(err)?)
        } else {
            return Err(err(
                "neither OpenVEX (an \"@context\" of https://openvex.dev/ns/…) nor CycloneDX (\"bomFormat\": \
                 \"CycloneDX\"); binsight reads those two VEX formats"
                    .into(),
            ));
        };
        let loaded =
            Loaded { format, statements: rules.len(), suppressing: rules.iter().filter(|r| r.suppresses).count() };
        self.statements.extend(rules);
        Ok(loaded)
    }

    /// Add an ignore entry of the config (`[[ignore]]`): suppress `id` (or an alias) in the
    /// binaries `purl` and `path` narrow it to (neither: everywhere).
    pub fn add_ignore(&mut self, entry: IgnoreEntry) {
        let mut product = Product::default();
        if let Some(p) = &entry.purl {
            product.ids.push(Ident::parse(p));
        }
        if let Some(p) = &entry.path {
            product.ids.push(Ident::Path(p.clone()));
        }
        let scope = if product.ids.is_empty() { Scope::Everywhere } else { Scope::Products(vec![product]) };
        let doc =
            Document { source: SuppressionSource::Ignore, id: entry.file.clone(), file: entry.file, author: None };
        self.ignores.push(Rule {
            vulnerabilities: vec![entry.id.to_ascii_uppercase()],
            scope,
            suppresses: true,
            timestamp: None,
            said: Said {
                doc: std::sync::Arc::new(doc),
                status: "ignored".into(),
                justification: None,
                statement: entry.statement,
                note: entry.reason,
                expires: entry.expires,
            },
        });
    }

    /// What takes `f` (found in `report`) out of the verdict, if anything: the latest statement
    /// that applies, when it suppresses; else the first ignore entry that applies.
    pub fn decide(&self, report: &BinaryReport, f: &Finding) -> Option<Suppression> {
        if self.is_empty() {
            return None;
        }
        let names = Names::of(report, f);
        let mut latest: Option<&Rule> = None;
        for r in self.statements.iter().filter(|r| names.applies(r)) {
            // Later wins ties: a statement without a timestamp counts as its position only.
            if latest.is_none_or(|l| r.timestamp.unwrap_or(i64::MIN) >= l.timestamp.unwrap_or(i64::MIN)) {
                latest = Some(r);
            }
        }
        match latest {
            Some(r) if r.suppresses => Some(r.said.suppression()),
            Some(_) => None,
            None => self.ignores.iter().find(|r| names.applies(r)).map(|r| r.said.suppression()),
        }
    }
}

/// An `[[ignore]]` entry of the config file, checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IgnoreEntry {
    /// The advisory id or an alias (`CVE-…`, `RUSTSEC-…`, `GHSA-…`, `GO-…`).
    pub id: String,
    /// Only in binaries with this component, or this binary or image (a purl).
    pub purl: Option<String>,
    /// Only in the binary at this path (as the scan shows it).
    pub path: Option<String>,
    /// Why (shown with the suppressed finding).
    pub reason: Option<String>,
    /// `YYYY-MM-DD`: the entry's last day (the caller drops expired entries, with a warning).
    pub expires: Option<String>,
    /// The config file.
    pub file: String,
    /// Which entry (`ignore[2]`).
    pub statement: String,
}

/// Everything a finding in a binary goes by.
struct Names {
    vulnerabilities: Vec<String>,
    binary: Vec<Ident>,
    image: Vec<Ident>,
    component: Vec<Ident>,
}

impl Names {
    fn of(report: &BinaryReport, f: &Finding) -> Names {
        let vulnerabilities = std::iter::once(&f.id).chain(&f.aliases).map(|s| s.to_ascii_uppercase()).collect();
        let mut binary = vec![Ident::Path(report.path.clone())];
        if !report.sha256.is_empty() {
            binary.push(Ident::Sha256(report.sha256.to_ascii_lowercase()));
        }
        let mut image = Vec::new();
        if let Some(i) = &report.image {
            for d in i.manifest_digest.iter().chain([&i.config_digest]) {
                if let Some(hex) = d.strip_prefix("sha256:") {
                    image.push(Ident::Image(hex.to_ascii_lowercase()));
                }
            }
        }
        let component = f.purl.as_deref().map(Ident::parse).into_iter().collect();
        Names { vulnerabilities, binary, image, component }
    }

    fn applies(&self, r: &Rule) -> bool {
        if !r.vulnerabilities.iter().any(|v| self.vulnerabilities.contains(v)) {
            return false;
        }
        let Scope::Products(products) = &r.scope else { return true };
        let any = |ids: &[Ident], of: &[&Vec<Ident>]| ids.iter().any(|i| of.iter().any(|o| o.contains(i)));
        products.iter().any(|p| {
            any(&p.ids, &[&self.binary, &self.image, &self.component])
                && (p.subcomponents.is_empty()
                    || p.subcomponents.iter().any(|s| any(s, &[&self.binary, &self.component])))
        })
    }
}

/// The whole file under [`MAX_DOCUMENT`] bytes, or why not.
fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let f = std::fs::File::open(path).map_err(|e| format!("cannot open it: {e}"))?;
    if f.metadata().is_ok_and(|m| m.is_dir()) {
        return Err("is a directory; give a VEX document (JSON file)".into());
    }
    let mut bytes = Vec::new();
    f.take(MAX_DOCUMENT + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > MAX_DOCUMENT {
        return Err(format!("larger than {} MiB: not a VEX document binsight reads", MAX_DOCUMENT >> 20));
    }
    Ok(bytes)
}

/// An RFC 3339 timestamp (`2026-12-03T10:00:00Z`, `…+01:00`, fractions ignored) as seconds since
/// the epoch; `None` when it is not one.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |a: usize, b: usize| -> Option<i64> {
        let t = s.get(a..b)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let seps = s.as_bytes();
    if seps.get(4) != Some(&b'-') || seps.get(7) != Some(&b'-') || !matches!(seps.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) && &rest[3..4] == ":" => {
            let (oh, om): (i64, i64) = (rest[1..3].parse().ok()?, rest[4..6].parse().ok()?);
            let o = oh * 3600 + om * 60;
            if rest.starts_with('-') {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    Some(binsight_model::date::days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

#[cfg(test)]
mod tests;
