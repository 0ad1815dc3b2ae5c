//! CycloneDX VEX (a BOM whose `vulnerabilities` carry an `analysis`, standalone or inside an
//! SBOM) to [`Rule`]s, through typed records. `affects[].ref` may be a BOM-link into another BOM
//! (`urn:cdx:SERIAL/VERSION#REF`) or a `bom-ref` of this one; a component of this BOM stands for
//! its purl and hashes too.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;

use super::{parse_timestamp, Document, Ident, Product, Rule, Said, Scope, MAX_STATEMENTS};
use binsight_model::SuppressionSource;

#[derive(Deserialize)]
struct Bom {
    #[serde(rename = "serialNumber")]
    serial: Option<String>,
    metadata: Option<Metadata>,
    #[serde(default)]
    components: Vec<BomComponent>,
    vulnerabilities: Option<Vec<Vulnerability>>,
}

#[derive(Deserialize)]
struct Metadata {
    timestamp: Option<String>,
    #[serde(default)]
    authors: Vec<Named>,
    supplier: Option<Named>,
    manufacturer: Option<Named>,
    component: Option<BomComponent>,
}

#[derive(Deserialize)]
struct Named {
    name: Option<String>,
}

#[derive(Deserialize)]
struct BomComponent {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    purl: Option<String>,
    #[serde(default)]
    hashes: Vec<Hash>,
    #[serde(default)]
    components: Vec<BomComponent>,
}

#[derive(Deserialize)]
struct Hash {
    alg: String,
    content: String,
}

#[derive(Deserialize)]
struct Vulnerability {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    id: Option<String>,
    #[serde(default)]
    references: Vec<Reference>,
    analysis: Option<Analysis>,
    #[serde(default)]
    affects: Vec<Affects>,
    updated: Option<String>,
}

#[derive(Deserialize)]
struct Reference {
    id: Option<String>,
}

#[derive(Deserialize)]
struct Analysis {
    state: Option<String>,
    justification: Option<String>,
    detail: Option<String>,
    #[serde(rename = "firstIssued")]
    first_issued: Option<String>,
    #[serde(rename = "lastUpdated")]
    last_updated: Option<String>,
}

#[derive(Deserialize)]
struct Affects {
    #[serde(rename = "ref")]
    target: Option<String>,
}

/// The analysed vulnerabilities of the BOM in `bytes` (those without an `analysis.state` say
/// nothing and are passed over). An analysis with a state CycloneDX does not define is an error
/// naming it.
pub(super) fn rules(bytes: &[u8], shown: &str) -> Result<Vec<Rule>, String> {
    let bom: Bom = serde_json::from_slice(bytes).map_err(|e| format!("not a CycloneDX VEX binsight reads: {e}"))?;
    let vulns = bom.vulnerabilities.unwrap_or_default();
    if vulns.len() > MAX_STATEMENTS {
        return Err(format!("more than {MAX_STATEMENTS} vulnerabilities"));
    }
    let mut components = HashMap::new();
    for c in bom.components.iter().chain(bom.metadata.as_ref().and_then(|m| m.component.as_ref())) {
        component_names(c, &mut components);
    }
    let doc_time = bom.metadata.as_ref().and_then(|m| m.timestamp.as_deref()).and_then(parse_timestamp);
    let meta = Arc::new(Document {
        source: SuppressionSource::CycloneDxVex,
        file: shown.to_string(),
        id: bom.serial.unwrap_or_else(|| shown.to_string()),
        author: bom.metadata.and_then(authors),
    });
    let n = vulns.len();
    let mut out = Vec::new();
    for (i, v) in vulns.into_iter().enumerate() {
        let at = |why: &str| format!("vulnerability {} (of {n}): {why}", i + 1);
        let Some(analysis) = v.analysis else { continue };
        let Some(state) = analysis.state else { continue };
        let suppresses = match state.as_str() {
            "not_affected" | "false_positive" | "resolved" | "resolved_with_pedigree" => true,
            "exploitable" | "in_triage" => false,
            other => {
                return Err(at(&format!(
                    "analysis.state {:?} is none of resolved, resolved_with_pedigree, exploitable, in_triage, \
                     false_positive, not_affected",
                    other.chars().take(40).collect::<String>()
                )))
            }
        };
        let mut names: Vec<String> = v.id.into_iter().chain(v.references.into_iter().filter_map(|r| r.id)).collect();
        names.retain(|n| !n.trim().is_empty());
        if names.is_empty() {
            return Err(at("no \"id\""));
        }
        let products: Vec<Product> = v
            .affects
            .into_iter()
            .filter_map(|a| a.target)
            .map(|r| Product { ids: resolve(&r, &components), subcomponents: Vec::new() })
            .collect();
        if products.is_empty() {
            return Err(at("no \"affects\" (what it applies to)"));
        }
        let when = analysis.last_updated.or(analysis.first_issued).or(v.updated);
        out.push(Rule {
            vulnerabilities: names.iter().map(|n| n.trim().to_ascii_uppercase()).collect(),
            scope: Scope::Products(products),
            suppresses,
            timestamp: when.as_deref().and_then(parse_timestamp).or(doc_time),
            said: Said {
                doc: meta.clone(),
                status: state,
                justification: analysis.justification,
                statement: match v.bom_ref {
                    Some(r) => format!("{}#{r}", meta.id),
                    None => format!("{}#vulnerability-{}", meta.id, i + 1),
                },
                note: analysis.detail,
                expires: None,
            },
        });
    }
    Ok(out)
}

/// Who wrote it: `metadata.authors[].name`, else the supplier or manufacturer.
fn authors(m: Metadata) -> Option<String> {
    let mut n: Vec<String> = m.authors.into_iter().filter_map(|a| a.name).collect();
    if n.is_empty() {
        n.extend(m.supplier.and_then(|s| s.name).or(m.manufacturer.and_then(|s| s.name)));
    }
    (!n.is_empty()).then(|| n.join(", "))
}

/// Each component's names by its `bom-ref` (its purl and hashes), nested components too
/// (their depth is bounded by the JSON parser's).
fn component_names(c: &BomComponent, out: &mut HashMap<String, Vec<Ident>>) {
    if let Some(r) = &c.bom_ref {
        let mut ids = vec![Ident::parse(r)];
        ids.extend(c.purl.as_deref().map(Ident::parse));
        ids.extend(c.hashes.iter().filter_map(|h| Ident::hash(&h.alg, &h.content)));
        out.insert(r.clone(), ids);
    }
    for sub in &c.components {
        component_names(sub, out);
    }
}

/// What an `affects[].ref` names: the component of this BOM it refers to, else what the
/// reference itself says (binsight's `binary:PATH`, a purl).
fn resolve(r: &str, components: &HashMap<String, Vec<Ident>>) -> Vec<Ident> {
    let local = r.strip_prefix("urn:cdx:").and_then(|x| x.split_once('#')).map_or(r, |(_, f)| f);
    match components.get(local) {
        Some(ids) => ids.clone(),
        None => vec![Ident::parse(r)],
    }
}
