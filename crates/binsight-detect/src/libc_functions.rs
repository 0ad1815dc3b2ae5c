//! Which tracked libc functions a static binary links (data/tracked-functions.tsv): from the
//! symbol table when there is one, else absent when a fingerprint of its data is missing,
//! else unknown. Advisories use it to tell "vulnerable code present" from "not linked".

use std::sync::OnceLock;

use binsight_model::{LibcFamily, LinkedFunction};

use crate::{Context, Detector, Findings, Meter};

const TABLE: &str = include_str!("../data/tracked-functions.tsv");

/// (function, family, fingerprint signature id).
fn tracked() -> &'static [(String, String, Option<String>)] {
    static T: OnceLock<Vec<(String, String, Option<String>)>> = OnceLock::new();
    T.get_or_init(|| {
        crate::tsv::rows(TABLE)
            .filter_map(|(_, c)| {
                let [name, family, sig] = c[..] else { return None };
                Some((name.to_string(), family.to_string(), (sig != "-").then(|| sig.to_string())))
            })
            .collect()
    })
}

pub struct LibcFunctionsDetector;

impl Detector for LibcFunctionsDetector {
    fn name(&self) -> &'static str {
        "libc-functions"
    }
    fn run(&self, cx: &Context<'_>, out: &mut Findings, _meter: &mut Meter) {
        let f = &cx.elf.facts;
        if !f.linkage.is_static() || out.libc.family != LibcFamily::Musl {
            return;
        }
        for (name, family, sig) in tracked() {
            if family != out.libc.family.as_str() {
                continue;
            }
            let present = if !f.stripped {
                Some(cx.elf.has_symbol(name))
            } else {
                // A fingerprint's absence proves the function absent; its presence proves nothing.
                sig.as_ref().and_then(|s| cx.hits.of(s).is_empty().then_some(false))
            };
            out.libc.linked_functions.push(LinkedFunction { name: name.clone(), present });
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_parses() {
        let t = super::tracked();
        assert!(t.iter().any(|(n, _, s)| n == "iconv_open" && s.is_some()));
        for (_, _, s) in t {
            if let Some(s) = s {
                assert!(crate::signatures::signatures().iter().any(|x| &x.id == s), "{s} not in libc-signatures.tsv");
            }
        }
    }
}
