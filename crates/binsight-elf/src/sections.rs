//! Section headers: the section list (names read through a bounded string table), and what a
//! section's type and flags mean ([`SectionFacts`]).

use binsight_model::Section;
use object::elf;
use object::read::elf::{FileHeader, SectionHeader as _, SectionTable};
use object::read::SectionIndex;
use object::Endianness;

use crate::strings::{lossy, Strings};
use crate::Limits;

/// What a [`Section`]'s type and flags mean, without the ELF constants.
pub trait SectionFacts {
    /// `SHF_EXECINSTR`: the section holds machine code.
    fn is_executable(&self) -> bool;
    /// `SHT_NOBITS` (`.bss`, or any section of a separate debug file): no bytes in the file.
    fn is_nobits(&self) -> bool;
    /// `SHT_SYMTAB`: the static symbol table.
    fn is_symtab(&self) -> bool;
}

impl SectionFacts for Section {
    fn is_executable(&self) -> bool {
        self.flags & elf::SHF_EXECINSTR.0 != 0
    }
    fn is_nobits(&self) -> bool {
        self.kind == elf::SHT_NOBITS.0
    }
    fn is_symtab(&self) -> bool {
        self.kind == elf::SHT_SYMTAB.0
    }
}

/// The section table, if its headers are readable; a warning if not.
pub(crate) fn table<'a, H: FileHeader<Endian = Endianness>>(
    header: &H,
    endian: Endianness,
    data: &'a [u8],
    warnings: &mut Vec<String>,
) -> Option<SectionTable<'a, H, &'a [u8]>> {
    match header.sections(endian, data) {
        Ok(s) => Some(s),
        Err(e) => {
            warnings.push(format!("section headers unreadable: {e}"));
            None
        }
    }
}

/// The first `max_sections` sections, named.
pub(crate) fn read<'a, H: FileHeader<Endian = Endianness>>(
    header: &H,
    table: &SectionTable<'a, H, &'a [u8]>,
    endian: Endianness,
    data: &'a [u8],
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Vec<Section> {
    // Section names, read with a bounded scan (see `Strings`); `object` found this table the
    // same way when it built `table`.
    let names = header
        .shstrndx(endian, data)
        .ok()
        .and_then(|i| table.section(SectionIndex(i as usize)).ok())
        .and_then(|sh| sh.file_range(endian))
        .map(|(off, size)| Strings::new(data, off, size, limits))
        .unwrap_or_default();
    if table.len() > limits.max_sections {
        warnings.push(format!("{} sections; only the first {} read", table.len(), limits.max_sections));
    }
    table
        .iter()
        .take(limits.max_sections)
        .map(|sh| Section {
            name: names
                .get(sh.sh_name(endian).into())
                .map(|n| lossy(&n[..n.len().min(limits.max_section_name)], limits))
                .unwrap_or_default(),
            kind: sh.sh_type(endian).0,
            offset: sh.sh_offset(endian).into(),
            size: sh.sh_size(endian).into(),
            addr: sh.sh_addr(endian).into(),
            flags: sh.sh_flags(endian).0,
        })
        .collect()
}
