//! OpenVEX documents (0.2.0, and the 0.0.x form whose vulnerability and products are plain
//! strings) to [`Rule`]s, through typed records (no JSON tree of the whole document is built).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use super::{parse_timestamp, Document, Ident, Product, Rule, Said, Scope, MAX_STATEMENTS};
use binsight_model::SuppressionSource;

#[derive(Deserialize)]
struct Doc {
    #[serde(rename = "@id")]
    id: Option<String>,
    author: Option<String>,
    timestamp: Option<String>,
    last_updated: Option<String>,
    statements: Option<Vec<Statement>>,
}

#[derive(Deserialize)]
struct Statement {
    #[serde(rename = "@id")]
    id: Option<String>,
    vulnerability: Option<Vulnerability>,
    products: Option<Vec<Component>>,
    status: Option<String>,
    justification: Option<String>,
    impact_statement: Option<String>,
    status_notes: Option<String>,
    action_statement: Option<String>,
    timestamp: Option<String>,
    last_updated: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Vulnerability {
    Name(String),
    Full {
        name: Option<String>,
        #[serde(rename = "@id")]
        id: Option<String>,
        #[serde(default)]
        aliases: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Component {
    Id(String),
    Full {
        #[serde(rename = "@id")]
        id: Option<String>,
        #[serde(default)]
        identifiers: BTreeMap<String, String>,
        #[serde(default)]
        hashes: BTreeMap<String, String>,
        #[serde(default)]
        subcomponents: Vec<Component>,
    },
}

/// Every statement of the document in `bytes` (its document-level timestamp for those without
/// one). A statement without a vulnerability name, a product or a known status is an error
/// naming it.
pub(super) fn rules(bytes: &[u8], shown: &str) -> Result<Vec<Rule>, String> {
    let doc: Doc = serde_json::from_slice(bytes).map_err(|e| format!("not an OpenVEX document binsight reads: {e}"))?;
    let statements = doc.statements.unwrap_or_default();
    if statements.len() > MAX_STATEMENTS {
        return Err(format!("more than {MAX_STATEMENTS} statements"));
    }
    let meta = Arc::new(Document {
        source: SuppressionSource::OpenVex,
        file: shown.to_string(),
        id: doc.id.unwrap_or_else(|| shown.to_string()),
        author: doc.author,
    });
    let doc_time = doc.last_updated.or(doc.timestamp).and_then(|t| parse_timestamp(&t));
    let n = statements.len();
    let mut out = Vec::with_capacity(n);
    for (i, s) in statements.into_iter().enumerate() {
        let at = |why: &str| format!("statement {} (of {n}): {why}", i + 1);
        let vulnerabilities = s.vulnerability.and_then(names).ok_or_else(|| at("no vulnerability name"))?;
        let products: Vec<Product> = s.products.unwrap_or_default().into_iter().filter_map(product).collect();
        if products.is_empty() {
            return Err(at("no product it applies to (\"products\")"));
        }
        let status = s.status.ok_or_else(|| at("no \"status\""))?;
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
        out.push(Rule {
            vulnerabilities,
            scope: Scope::Products(products),
            suppresses,
            timestamp: s.last_updated.or(s.timestamp).and_then(|t| parse_timestamp(&t)).or(doc_time),
            said: Said {
                doc: meta.clone(),
                status,
                justification: s.justification,
                statement: s.id.unwrap_or_else(|| format!("{}#statement-{}", meta.id, i + 1)),
                note: s.impact_statement.or(s.status_notes).or(s.action_statement),
                expires: None,
            },
        });
    }
    Ok(out)
}

/// The vulnerability's name, `@id` and aliases, upper case; `None` when it has none.
fn names(v: Vulnerability) -> Option<Vec<String>> {
    let mut names = match v {
        Vulnerability::Name(s) => vec![s],
        Vulnerability::Full { name, id, aliases } => name.into_iter().chain(id).chain(aliases).collect(),
    };
    names.retain(|n| !n.trim().is_empty());
    for n in &mut names {
        *n = n.trim().to_ascii_uppercase();
    }
    (!names.is_empty()).then_some(names)
}

/// A product (or subcomponent) with every name it goes by; `None` when it has none.
fn product(c: Component) -> Option<Product> {
    let (ids, subs) = names_of(c);
    if ids.is_empty() {
        return None;
    }
    let subcomponents = subs.into_iter().map(|s| names_of(s).0).filter(|n| !n.is_empty()).collect();
    Some(Product { ids, subcomponents })
}

/// The names of a component (its `@id`, identifiers and hashes), and its subcomponents.
fn names_of(c: Component) -> (Vec<Ident>, Vec<Component>) {
    match c {
        Component::Id(s) => (vec![Ident::parse(&s)], Vec::new()),
        Component::Full { id, identifiers, hashes, subcomponents } => {
            let mut ids: Vec<Ident> = id.iter().map(|s| Ident::parse(s)).collect();
            ids.extend(identifiers.values().map(|s| Ident::parse(s)));
            ids.extend(hashes.iter().filter_map(|(alg, h)| Ident::hash(alg, h)));
            ids.dedup();
            (ids, subcomponents)
        }
    }
}
