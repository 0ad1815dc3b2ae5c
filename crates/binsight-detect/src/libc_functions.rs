//! Which tracked libc functions a static binary links (data/tracked-functions.tsv): from the
//! symbol table when there is one, else absent when a fingerprint of its data is missing,
//! else unknown. Advisories use it to tell "vulnerable code present" from "not linked".

use std::sync::OnceLock;

use binsight_model::{LibcFamily, LinkedFunction};

use crate::tsv::{self, TableError};
use crate::{Context, Detector, Meter, ReportDraft};

const TABLE: &str = include_str!("../data/tracked-functions.tsv");

/// A row of `data/tracked-functions.tsv`.
#[derive(Debug, Clone)]
pub(crate) struct Tracked {
    pub function: String,
    pub family: String,
    /// A libc-signatures.tsv id present whenever the function is linked.
    pub fingerprint: Option<String>,
}

pub(crate) fn parse_tracked(text: &str) -> Result<Vec<Tracked>, TableError> {
    tsv::load("tracked-functions.tsv", text, 3, |row| {
        Ok(Tracked {
            function: row.required(0, "function")?.into(),
            family: row.required(1, "family")?.into(),
            fingerprint: row.optional(2).map(str::to_string),
        })
    })
}

pub(crate) fn tracked() -> &'static [Tracked] {
    static T: OnceLock<Vec<Tracked>> = OnceLock::new();
    tsv::compiled(&T, || parse_tracked(TABLE))
}

pub(crate) struct LibcFunctionsDetector;

impl Detector for LibcFunctionsDetector {
    fn name(&self) -> &'static str {
        "libc-functions"
    }
    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, _meter: &mut Meter) {
        let f = &cx.elf.facts;
        if !f.linkage.is_static() || out.libc.family != LibcFamily::Musl {
            return;
        }
        for Tracked { function: name, family, fingerprint: sig } in tracked() {
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
        assert!(t.iter().any(|r| r.function == "iconv_open" && r.fingerprint.is_some()));
        for s in t.iter().filter_map(|r| r.fingerprint.as_ref()) {
            assert!(crate::signatures::table().iter().any(|x| &x.id == s), "{s} not in libc-signatures.tsv");
        }
    }
}
