//! Symbol names of `.symtab` and `.dynsym`, indexed for lookups (bounded in count and bytes).

use std::collections::HashSet;

use object::elf;
use object::read::elf::{FileHeader, SectionTable, Sym as _};
use object::Endianness;

use crate::strings::Strings;
use crate::Limits;

/// The names of both symbol tables (borrowed from the file).
#[derive(Default)]
pub(crate) struct Symbols<'a> {
    /// Names in `.symtab` (defined or not).
    pub symtab: HashSet<&'a [u8]>,
    /// Undefined names in `.dynsym` (imports).
    pub imports: HashSet<&'a [u8]>,
    /// Defined names in `.dynsym` (exports).
    pub exports: HashSet<&'a [u8]>,
    /// Entries read from `.symtab` and from `.dynsym`.
    pub symtab_count: usize,
    pub dynsym_count: usize,
}

/// Read both symbol tables; problems and limits reached become `warnings`.
pub(crate) fn read<'a, H: FileHeader<Endian = Endianness>>(
    table: &SectionTable<'a, H, &'a [u8]>,
    endian: Endianness,
    data: &'a [u8],
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Symbols<'a> {
    let mut out = Symbols::default();
    let mut symbol_bytes = 0usize;
    for (which, set_all) in [(elf::SHT_SYMTAB, true), (elf::SHT_DYNSYM, false)] {
        let syms = match table.symbols(endian, data, which) {
            Ok(s) => s,
            Err(e) => {
                warnings.push(format!("symbol table unreadable: {e}"));
                continue;
            }
        };
        // `object` checked that this is a string table when it parsed `syms`.
        let strings = Strings::section(table, endian, data, syms.string_section(), limits).unwrap_or_default();
        let mut n = 0usize;
        for sym in syms.iter().take(limits.max_symbols) {
            n += 1;
            let Some(name) = strings.get(sym.st_name(endian).into()) else {
                continue;
            };
            if name.is_empty() || name.len() > limits.max_string {
                continue;
            }
            symbol_bytes += name.len();
            if symbol_bytes > limits.max_symbol_bytes {
                warnings
                    .push(format!("symbol names exceed {} bytes; the rest are not indexed", limits.max_symbol_bytes));
                break;
            }
            if set_all {
                out.symtab.insert(name);
            } else if sym.is_undefined(endian) {
                out.imports.insert(name);
            } else {
                out.exports.insert(name);
            }
        }
        if syms.len() > limits.max_symbols {
            warnings.push(format!("{} symbols; only the first {} read", syms.len(), limits.max_symbols));
        }
        if set_all {
            out.symtab_count = n;
        } else {
            out.dynsym_count = n;
        }
    }
    out
}
