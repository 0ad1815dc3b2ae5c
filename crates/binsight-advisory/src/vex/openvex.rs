//! OpenVEX documents (0.2.0, and the 0.0.x form whose vulnerability and products are plain
//! strings) to [`Rule`]s.

use serde_json::Value;

use super::{parse_timestamp, Ident, Product, Rule, Scope};
use binsight_model::{Suppression, SuppressionSource};

/// Every statement of `doc` (its document-level timestamp for those without one). A statement
/// without a vulnerability name, a product or a known status is an error naming it.
pub(super) fn rules(doc: Value, shown: &str) -> Result<Vec<Rule>, String> {
    let str_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let doc_id = str_of(&doc, "@id").unwrap_or_else(|| shown.to_string());
    let author = str_of(&doc, "author");
    let doc_time = ["last_updated", "timestamp"].iter().find_map(|k| str_of(&doc, k)).and_then(|t| parse_timestamp(&t));
    let statements = super::statements(&doc, "statements")?;
    let mut out = Vec::with_capacity(statements.len());
    for (i, s) in statements.iter().enumerate() {
        let at = |why: &str| format!("statement {} (of {}): {why}", i + 1, statements.len());
        let vulnerabilities = vulnerability_names(s.get("vulnerability")).ok_or_else(|| at("no vulnerability name"))?;
        let products: Vec<Product> = match s.get("products") {
            Some(Value::Array(ps)) => ps.iter().filter_map(product).collect(),
            _ => Vec::new(),
        };
        if products.is_empty() {
            return Err(at("no product it applies to (\"products\")"));
        }
        let status = str_of(s, "status").ok_or_else(|| at("no \"status\""))?;
        let suppresses = match status.as_str() {
            "not_affected" | "fixed" => true,
            "affected" | "under_investigation" => false,
            other => {
                return Err(at(&format!(
                    "status {:?} is none of not_affected, affected, fixed, under_investigation",
                    other.chars().take(40).collect::<String>()
                )))
            }
        };
        let timestamp = ["last_updated", "timestamp"]
            .iter()
            .find_map(|k| str_of(s, k))
            .and_then(|t| parse_timestamp(&t))
            .or(doc_time);
        let note = ["impact_statement", "status_notes", "action_statement"].iter().find_map(|k| str_of(s, k));
        let statement = match str_of(s, "@id") {
            Some(id) => id,
            None => format!("{doc_id}#statement-{}", i + 1),
        };
        out.push(Rule {
            vulnerabilities,
            scope: Scope::Products(products),
            suppresses,
            timestamp,
            said: Suppression {
                source: SuppressionSource::OpenVex,
                file: shown.to_string(),
                status,
                justification: str_of(s, "justification"),
                author: author.clone(),
                statement,
                note,
                expires: None,
            },
        });
    }
    Ok(out)
}

/// `{"name", "@id", "aliases"}` (0.2.0) or a plain string (0.0.x), upper case.
fn vulnerability_names(v: Option<&Value>) -> Option<Vec<String>> {
    let mut names: Vec<String> = match v? {
        Value::String(s) => vec![s.clone()],
        Value::Object(o) => {
            let mut n: Vec<String> =
                ["name", "@id"].iter().filter_map(|k| o.get(*k)?.as_str().map(str::to_string)).collect();
            if let Some(Value::Array(a)) = o.get("aliases") {
                n.extend(a.iter().filter_map(|x| x.as_str().map(str::to_string)));
            }
            n
        }
        _ => return None,
    };
    names.retain(|n| !n.trim().is_empty());
    for n in &mut names {
        *n = n.trim().to_ascii_uppercase();
    }
    (!names.is_empty()).then_some(names)
}

/// A product (or subcomponent): `{"@id", "identifiers", "hashes", "subcomponents"}` or a string.
fn product(v: &Value) -> Option<Product> {
    let ids = names_of(v);
    if ids.is_empty() {
        return None;
    }
    let subcomponents = match v.get("subcomponents") {
        Some(Value::Array(a)) => a.iter().map(names_of).filter(|n| !n.is_empty()).collect(),
        _ => Vec::new(),
    };
    Some(Product { ids, subcomponents })
}

/// Every name of a product or subcomponent.
fn names_of(v: &Value) -> Vec<Ident> {
    let mut ids = Vec::new();
    match v {
        Value::String(s) => ids.push(Ident::parse(s)),
        Value::Object(o) => {
            if let Some(s) = o.get("@id").and_then(Value::as_str) {
                ids.push(Ident::parse(s));
            }
            if let Some(Value::Object(idents)) = o.get("identifiers") {
                ids.extend(idents.values().filter_map(Value::as_str).map(Ident::parse));
            }
            if let Some(Value::Object(hashes)) = o.get("hashes") {
                ids.extend(hashes.iter().filter_map(|(alg, h)| Ident::hash(alg, h.as_str()?)));
            }
        }
        _ => {}
    }
    ids.dedup();
    ids
}
