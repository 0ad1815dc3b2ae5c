//! CycloneDX VEX (a BOM whose `vulnerabilities` carry an `analysis`, standalone or inside an
//! SBOM) to [`Rule`]s. `affects[].ref` may be a BOM-link into another BOM
//! (`urn:cdx:SERIAL/VERSION#REF`) or a `bom-ref` of this one; a component of this BOM stands for
//! its purl and hashes too.

use std::collections::HashMap;

use serde_json::Value;

use super::{parse_timestamp, statements, Ident, Product, Rule, Scope};
use binsight_model::{Suppression, SuppressionSource};

/// The analysed vulnerabilities of `doc` (those without an `analysis.state` say nothing and are
/// passed over). An analysis with a state CycloneDX does not define is an error naming it.
pub(super) fn rules(doc: Value, shown: &str) -> Result<Vec<Rule>, String> {
    let str_at = |v: &Value, path: &[&str]| {
        path.iter().try_fold(v, |v, k| v.get(*k)).and_then(Value::as_str).map(str::to_string)
    };
    let serial = str_at(&doc, &["serialNumber"]).unwrap_or_else(|| shown.to_string());
    let doc_time = str_at(&doc, &["metadata", "timestamp"]).and_then(|t| parse_timestamp(&t));
    let author = authors(&doc);
    let components = component_names(&doc);
    let vulns = statements(&doc, "vulnerabilities")?;
    let mut out = Vec::new();
    for (i, v) in vulns.iter().enumerate() {
        let at = |why: &str| format!("vulnerability {} (of {}): {why}", i + 1, vulns.len());
        let Some(state) = str_at(v, &["analysis", "state"]) else { continue };
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
        let mut names: Vec<String> = str_at(v, &["id"]).into_iter().collect();
        if let Some(Value::Array(refs)) = v.get("references") {
            names.extend(refs.iter().filter_map(|r| str_at(r, &["id"])));
        }
        names.retain(|n| !n.trim().is_empty());
        if names.is_empty() {
            return Err(at("no \"id\""));
        }
        let products: Vec<Product> = match v.get("affects") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|x| str_at(x, &["ref"]))
                .map(|r| Product { ids: resolve(&r, &components), subcomponents: Vec::new() })
                .collect(),
            _ => Vec::new(),
        };
        if products.is_empty() {
            return Err(at("no \"affects\" (what it applies to)"));
        }
        let timestamp = ["lastUpdated", "firstIssued"]
            .iter()
            .find_map(|k| str_at(v, &["analysis", k]))
            .or_else(|| str_at(v, &["updated"]))
            .and_then(|t| parse_timestamp(&t))
            .or(doc_time);
        let statement = match str_at(v, &["bom-ref"]) {
            Some(r) => format!("{serial}#{r}"),
            None => format!("{serial}#vulnerability-{}", i + 1),
        };
        out.push(Rule {
            vulnerabilities: names.iter().map(|n| n.trim().to_ascii_uppercase()).collect(),
            scope: Scope::Products(products),
            suppresses,
            timestamp,
            said: Suppression {
                source: SuppressionSource::CycloneDxVex,
                file: shown.to_string(),
                status: state,
                justification: str_at(v, &["analysis", "justification"]),
                author: author.clone(),
                statement,
                note: str_at(v, &["analysis", "detail"]),
                expires: None,
            },
        });
    }
    Ok(out)
}

/// Who wrote it: `metadata.authors[].name`, else the supplier or manufacturer, else the tool.
fn authors(doc: &Value) -> Option<String> {
    let m = doc.get("metadata")?;
    let names = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::Array(a)) => {
                a.iter().filter_map(|x| x.get("name").and_then(Value::as_str).map(str::to_string)).collect()
            }
            _ => Vec::new(),
        }
    };
    let mut n = names(m.get("authors"));
    for k in ["supplier", "manufacturer"] {
        if n.is_empty() {
            n.extend(m.get(k).and_then(|s| s.get("name")).and_then(Value::as_str).map(str::to_string));
        }
    }
    if n.is_empty() {
        n = names(m.get("tools").and_then(|t| t.get("components")));
    }
    (!n.is_empty()).then(|| n.join(", "))
}

/// Each component's names by its `bom-ref` (its purl and hashes), nested components too.
fn component_names(doc: &Value) -> HashMap<String, Vec<Ident>> {
    let mut out = HashMap::new();
    let mut stack: Vec<&Value> = doc.get("components").into_iter().collect();
    if let Some(c) = doc.get("metadata").and_then(|m| m.get("component")) {
        stack.push(c);
    }
    // Bounded by the document's size (already capped); iterative, so no deep recursion.
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(a) => stack.extend(a),
            Value::Object(o) => {
                if let Some(r) = o.get("bom-ref").and_then(Value::as_str) {
                    let mut ids = vec![Ident::parse(r)];
                    ids.extend(o.get("purl").and_then(Value::as_str).map(Ident::parse));
                    if let Some(Value::Array(hs)) = o.get("hashes") {
                        ids.extend(
                            hs.iter().filter_map(|h| Ident::hash(h.get("alg")?.as_str()?, h.get("content")?.as_str()?)),
                        );
                    }
                    out.insert(r.to_string(), ids);
                }
                stack.extend(o.get("components"));
            }
            _ => {}
        }
    }
    out
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
