//! Named lists of symbols the detectors look for (`data/symbols.tsv`): the NSS functions of
//! static glibc, the DNS resolver's entry points, the stack protector's symbols.

use std::sync::OnceLock;

use crate::tsv::{self, Problem, TableError};

const TABLE: &str = include_str!("../data/symbols.tsv");

/// The lists the table may hold.
const LISTS: &str = "nss, resolver, canary";

/// A row of `data/symbols.tsv`.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    pub list: String,
    pub symbol: String,
}

pub(crate) fn parse_symbols(text: &str) -> Result<Vec<Listed>, TableError> {
    tsv::load("symbols.tsv", text, 3, |row| {
        row.required(2, "source")?;
        let list = row.required(0, "list")?;
        if !LISTS.split(", ").any(|l| l == list) {
            return Err(row.error(Problem::Word { column: "list", text: list.into(), allowed: LISTS }));
        }
        Ok(Listed { list: list.into(), symbol: row.required(1, "symbol")?.into() })
    })
}

fn table() -> &'static [Listed] {
    static T: OnceLock<Vec<Listed>> = OnceLock::new();
    tsv::compiled(&T, || parse_symbols(TABLE))
}

/// The symbols of list `name`, in table order.
pub(crate) fn list(name: &'static str) -> impl Iterator<Item = &'static str> {
    table().iter().filter(move |r| r.list == name).map(|r| r.symbol.as_str())
}
