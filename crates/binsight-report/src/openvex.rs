//! OpenVEX 0.2.0: one statement per (vulnerability, binary, component) of an audited scan, so
//! other scanners (grype, trivy) can take binsight's "is the vulnerable code linked" as theirs.
//!
//! The product is the binary: `pkg:generic/NAME?checksum=sha256:HEX` (with its SHA-256 in
//! `hashes`, its path as the purl's subpath when it is a plain relative path) — or, for a file
//! of a container image, the image (`pkg:oci/NAME@sha256:DIGEST?repository_url=…`) with the
//! binary as a subcomponent. The finding's component (its purl) is a subcomponent too. The
//! vulnerability is named by its CVE when it has one, every other id an alias.
//!
//! Status from the finding: `not-linked` → `not_affected` + `vulnerable_code_not_present` (the
//! evidence as the impact statement), `affected` → `affected` + the fix as the action
//! statement, `unknown` → `under_investigation`, `fixed` (a detected backport) → `fixed`.
//! Informational advisories (unmaintained, unsound) are not vulnerabilities and get no
//! statement. Findings a `--vex` statement suppressed keep binsight's own analysis here.
//!
//! Reproducible: the timestamp is `SOURCE_DATE_EPOCH` when set, and the document's `@id` a
//! name-based UUID of its content.

use binsight_model::{Applicability, BinaryReport, Finding, ImageRef};
use serde_json::{json, Value};

/// The OpenVEX context this module writes.
pub const CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

/// The OpenVEX document of `reports` (audited; unaudited reports give no statements), by
/// `author`, issued at `created` (RFC 3339).
pub fn openvex(reports: &[BinaryReport], author: &str, created: &str) -> String {
    let mut statements: Vec<Value> = Vec::new();
    for r in reports {
        let product = product(r);
        let mut seen: Vec<(String, Option<&str>)> = Vec::new();
        for f in stated(r) {
            let (name, aliases) = names(f);
            // One statement per vulnerability and component (a CVE found twice stays one).
            if seen.contains(&(name.clone(), f.purl.as_deref())) {
                continue;
            }
            seen.push((name.clone(), f.purl.as_deref()));
            statements.push(statement(r, f, &product, name, aliases));
        }
    }
    let mut seed = created.as_bytes().to_vec();
    seed.extend_from_slice(author.as_bytes());
    seed.extend_from_slice(serde_json::to_string(&statements).unwrap_or_default().as_bytes());
    let doc = json!({
        "@context": CONTEXT,
        "@id": format!("urn:uuid:{}", crate::sbom::uuid_of(&seed)),
        "author": author,
        "role": "automated binary analysis",
        "timestamp": created,
        "version": 1,
        "tooling": format!("binsight {}", env!("CARGO_PKG_VERSION")),
        "statements": statements,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The findings of `r` that get a statement: every vulnerability, suppressed or not (binsight's
/// own analysis); informational advisories (unmaintained, unsound) are not vulnerabilities.
pub fn stated(r: &BinaryReport) -> impl Iterator<Item = &Finding> {
    let all = r.findings.iter().flatten().chain(r.suppressed.iter().map(|s| &s.finding));
    all.filter(|f| f.informational.is_none())
}

/// The name a statement gives a finding's vulnerability: its CVE when it has one (the lowest),
/// else its id.
pub fn vulnerability_name(f: &Finding) -> &str {
    f.aliases.iter().filter(|a| a.starts_with("CVE-")).min().unwrap_or(&f.id)
}

/// The vulnerability's `name` ([`vulnerability_name`]) and its other ids.
fn names(f: &Finding) -> (String, Vec<String>) {
    let name = vulnerability_name(f).to_string();
    let mut aliases: Vec<String> = std::iter::once(&f.id).chain(&f.aliases).filter(|a| **a != name).cloned().collect();
    aliases.sort();
    aliases.dedup();
    (name, aliases)
}

/// What a scanner names the binary by: the image it is in (with the binary a subcomponent), or
/// the binary itself.
struct ProductOf {
    top: Value,
    binary: Option<Value>,
}

fn product(r: &BinaryReport) -> ProductOf {
    let binary = binary_id(r);
    match r.image.as_ref().and_then(oci_purl) {
        Some(image) => {
            let mut top = json!({"@id": image, "identifiers": {"purl": image}});
            // The image digest's hex as a hash: how grype names an image product.
            let i = r.image.as_ref();
            if let Some(hex) =
                i.and_then(|i| i.manifest_digest.as_deref().unwrap_or(&i.config_digest).strip_prefix("sha256:"))
            {
                top["hashes"] = json!({"sha-256": hex});
            }
            ProductOf { top, binary: Some(binary) }
        }
        None => ProductOf { top: binary, binary: None },
    }
}

/// The binary as a product or subcomponent: a generic purl with its checksum (and path), and
/// its SHA-256.
fn binary_id(r: &BinaryReport) -> Value {
    let name = r.path.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("binary");
    let mut purl = format!("pkg:generic/{}", encode(name));
    if !r.sha256.is_empty() {
        purl.push_str(&format!("?checksum=sha256:{}", r.sha256));
    }
    // The path as the purl's subpath, when it is one (no `.`/`..`/empty segments).
    let rel = r.path.trim_start_matches('/');
    if !rel.is_empty() && rel.split('/').all(|s| !s.is_empty() && s != "." && s != "..") {
        purl.push('#');
        purl.push_str(&rel.split('/').map(encode).collect::<Vec<_>>().join("/"));
    }
    let mut v = json!({"@id": purl, "identifiers": {"purl": purl}});
    if !r.sha256.is_empty() {
        v["hashes"] = json!({"sha-256": r.sha256});
    }
    v
}

/// `pkg:oci/NAME@sha256:DIGEST?repository_url=REPO` of an image: its manifest digest (else its
/// config digest), its name's last segment, the repository when the name has a registry.
pub fn oci_purl(i: &ImageRef) -> Option<String> {
    let digest = i.manifest_digest.as_deref().unwrap_or(&i.config_digest);
    if !digest.starts_with("sha256:") {
        return None;
    }
    let repo = i.name.as_deref().unwrap_or("image").to_ascii_lowercase();
    let last = repo.rsplit('/').next().unwrap_or(&repo);
    let mut p = format!("pkg:oci/{}@{}", encode(last), digest.replace(':', "%3A"));
    if repo.contains('/') {
        p.push_str(&format!("?repository_url={}", encode_qualifier(&repo)));
    }
    Some(p)
}

/// A purl name or subpath segment percent-encoded (everything but unreserved characters).
fn encode(s: &str) -> String {
    crate::percent_encode(s, b"")
}

/// A qualifier value: `/` and `:` may stay (purl spec), the rest as [`encode`].
fn encode_qualifier(s: &str) -> String {
    crate::percent_encode(s, b"/:")
}

/// One statement.
fn statement(r: &BinaryReport, f: &Finding, p: &ProductOf, name: String, aliases: Vec<String>) -> Value {
    let mut product = p.top.clone();
    let mut subs: Vec<Value> = p.binary.iter().cloned().collect();
    if let Some(purl) = &f.purl {
        subs.push(json!({"@id": purl, "identifiers": {"purl": purl}}));
    }
    if !subs.is_empty() {
        product["subcomponents"] = json!(subs);
    }
    let mut vulnerability = json!({"name": name});
    if !aliases.is_empty() {
        vulnerability["aliases"] = json!(aliases);
    }
    let evidence = f.evidence.iter().map(|e| e.detail.clone()).collect::<Vec<_>>().join("; ");
    let what = format!("{} {} in {}", f.component, f.installed, r.path);
    let mut s = json!({"vulnerability": vulnerability, "products": [product]});
    match f.applicability {
        Applicability::NotLinked => {
            s["status"] = json!("not_affected");
            s["justification"] = json!("vulnerable_code_not_present");
            s["impact_statement"] = json!(format!("the vulnerable code of {what} is not linked: {evidence}"));
        }
        Applicability::Affected => {
            s["status"] = json!("affected");
            s["action_statement"] = json!(action(r, f));
            if !evidence.is_empty() {
                s["status_notes"] = json!(format!("{what}: {evidence}"));
            }
        }
        Applicability::Unknown => {
            s["status"] = json!("under_investigation");
            s["status_notes"] =
                json!(format!("binsight cannot tell whether {what} has the vulnerable code: {evidence}"));
        }
        Applicability::Fixed => {
            s["status"] = json!("fixed");
            s["status_notes"] = json!(format!("{what} carries the fix: {evidence}"));
        }
    }
    s
}

/// What to do about an affected finding: the verdict's fixes that name its component, else all
/// of them, else its fixed versions.
fn action(r: &BinaryReport, f: &Finding) -> String {
    let fixes: Vec<String> = r.verdict.iter().flat_map(|v| &v.fix).map(ToString::to_string).collect();
    let own: Vec<&String> = fixes.iter().filter(|x| x.contains(&f.component)).collect();
    match (own.is_empty(), fixes.is_empty(), f.fixed.is_empty()) {
        (false, _, _) => own.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; "),
        (true, false, _) => fixes.join("; "),
        (true, true, false) => {
            format!("update {} to a fixed version ({}) and rebuild", f.component, f.fixed.join(", "))
        }
        (true, true, true) => format!("no fixed release of {}: remove or replace it, then rebuild", f.component),
    }
}
