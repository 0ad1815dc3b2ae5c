//! Read-only ELF facts over the `object` crate, bounded by [`Limits`].
//!
//! `object` is zero-copy and bounds-checks every read, but it trusts counts and does the work
//! a header asks for; every entry point here caps the work (sections, symbols, notes, dynamic
//! entries, string lengths) so a hostile file costs bounded time and memory, and never panics.
//! Malformed parts that do not stop the whole read become `ElfFacts::warnings`.

//!
//! One structure per file, `object`'s `read/elf/` style: [`segments`] (program headers),
//! `sections` (section headers; [`SectionFacts`] says what a section's type and flags mean),
//! `symbols`, `verneed`, `dynamic`, `notes`, `strings` (bounded string tables), `machine`;
//! `parse` puts them together.

#![warn(missing_docs, unreachable_pub)]

use std::collections::HashSet;

use binsight_model::{ElfFacts, Section};
use object::elf;
use object::Endianness;

mod dynamic;
mod machine;
mod notes;
mod parse;
mod sections;
pub mod segments;
mod strings;
mod symbols;
mod verneed;

pub use machine::machine_name;
pub use sections::SectionFacts;
pub use strings::StringTableError;

/// Caps on the work done for one file. Defaults are far above any real binary seen.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Sections read (section headers beyond this are ignored with a warning).
    pub max_sections: usize,
    /// Program headers read (beyond this, ignored with a warning).
    pub max_segments: usize,
    /// Symbols read per table.
    pub max_symbols: usize,
    /// Dynamic entries read (beyond this, ignored with a warning).
    pub max_dynamic: usize,
    /// Notes read, over all note sections (or segments), and GNU properties per note.
    pub max_notes: usize,
    /// Entries of DT_NEEDED/RPATH/verneed kept.
    pub max_list: usize,
    /// Longest string kept (names, paths); longer ones are cut.
    pub max_string: usize,
    /// Longest section name kept (real ones are short; 65,536 long ones would cost 256 MiB).
    pub max_section_name: usize,
    /// Total bytes of symbol names indexed per file: names may overlap in a hostile string
    /// table, so `max_symbols * max_string` alone is no bound on hashing time.
    pub max_symbol_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sections: 65_536,
            max_segments: 4_096,
            max_symbols: 4_000_000,
            max_dynamic: 65_536,
            max_notes: 4_096,
            max_list: 4_096,
            max_string: 4_096,
            max_section_name: 256,
            max_symbol_bytes: 512 << 20,
        }
    }
}

/// Why a file could not be parsed at all (anything less becomes a warning).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ElfError {
    /// The file does not start with the `\x7fELF` magic.
    #[error("not an ELF file (no \\x7fELF magic)")]
    NotElf,
    #[error("ELF header is unreadable: {0}; the file is truncated or corrupt")]
    /// The magic is there but `object` cannot read the ELF header; holds `object`'s message.
    BadHeader(String),
    #[error("unsupported ELF class or data encoding (e_ident bytes {0:#x}, {1:#x})")]
    /// `e_ident[EI_CLASS]` or `e_ident[EI_DATA]` (the two bytes held, in that order) is
    /// neither 32/64-bit nor little/big-endian.
    Unsupported(u8, u8),
}

/// A virtual address, as the program headers and dynamic entries give them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VirtAddr(pub u64);

/// A byte offset into the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileOffset(pub u64);

/// Magic check without parsing: cheap filter for directory walks.
pub fn is_elf(prefix: &[u8]) -> bool {
    prefix.len() >= 4 && &prefix[..4] == b"\x7fELF"
}

/// A parsed ELF file: the facts plus zero-copy access for detectors.
pub struct Elf<'a> {
    /// What the headers say (sections, segments, dynamic entries, notes, warnings), as the
    /// report carries it.
    pub facts: ElfFacts,
    data: &'a [u8],
    /// Names in `.symtab` (defined or not).
    symtab: HashSet<&'a [u8]>,
    /// Undefined names in `.dynsym` (imports).
    imports: HashSet<&'a [u8]>,
    /// Defined names in `.dynsym` (exports).
    exports: HashSet<&'a [u8]>,
}

impl<'a> Elf<'a> {
    /// Parse `data` (the whole file). Fails only when not even the header can be read;
    /// everything after that degrades into warnings.
    pub fn parse(data: &'a [u8], limits: &Limits) -> Result<Elf<'a>, ElfError> {
        if !is_elf(data) {
            return Err(ElfError::NotElf);
        }
        if data.len() < 16 {
            return Err(ElfError::BadHeader("file shorter than e_ident".into()));
        }
        match data[4] {
            1 => parse::parse::<elf::FileHeader32<Endianness>>(data, limits),
            2 => parse::parse::<elf::FileHeader64<Endianness>>(data, limits),
            c => Err(ElfError::Unsupported(c, data[5])),
        }
    }

    /// The whole file.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Section header and contents by name (first match). `None` when there is no such
    /// section, or it has no bytes in the file (NOBITS, or out of file).
    pub fn section(&self, name: &str) -> Option<(&Section, &'a [u8])> {
        let s = self.facts.sections.iter().find(|s| s.name == name)?;
        Some((s, self.section_bytes(s)?))
    }

    /// Contents of a section; `None` when it has none in the file (NOBITS, or its range is
    /// outside the file).
    pub fn section_bytes(&self, s: &Section) -> Option<&'a [u8]> {
        if s.is_nobits() {
            return None;
        }
        self.data.get(usize::try_from(s.offset).ok()?..usize::try_from(s.offset.checked_add(s.size)?).ok()?)
    }

    /// File offset of virtual address `va`, through the PT_LOAD segments read (the first that
    /// maps it from file bytes). `None` when no loaded segment maps `va` to bytes of the file
    /// (unmapped, or in the zero-filled `p_memsz` tail), or the offset would overflow.
    pub fn vaddr_to_offset(&self, va: VirtAddr) -> Option<FileOffset> {
        segments::load_offset(
            self.facts.segments.iter().filter(|s| s.kind == "LOAD").map(|s| (s.vaddr, s.filesz, s.offset)),
            va.0,
        )
        .map(FileOffset)
    }

    /// (file offset, bytes) of every executable section that has bytes in the file.
    pub fn executable_sections(&self) -> impl Iterator<Item = (u64, &'a [u8])> + '_ {
        self.facts
            .sections
            .iter()
            .filter(|s| s.is_executable())
            .filter_map(|s| Some((s.offset, self.section_bytes(s)?)))
    }

    /// Name of the section holding file offset `off`, for evidence; `None` when no named
    /// section with file bytes holds it.
    pub fn section_at(&self, off: u64) -> Option<&str> {
        self.facts
            .sections
            .iter()
            .filter(|s| !s.is_nobits() && s.size > 0 && !s.name.is_empty())
            .find(|s| off >= s.offset && off - s.offset < s.size)
            .map(|s| s.name.as_str())
    }

    /// Is `name` in `.symtab` (any binding)?
    pub fn has_symbol(&self, name: &str) -> bool {
        self.symtab.contains(name.as_bytes())
    }
    /// Is `name` imported through `.dynsym`?
    pub fn imports(&self, name: &str) -> bool {
        self.imports.contains(name.as_bytes())
    }
    /// Is `name` defined in `.dynsym`?
    pub fn exports(&self, name: &str) -> bool {
        self.exports.contains(name.as_bytes())
    }
    /// Is `name` anywhere: symtab, imports or exports?
    pub fn mentions_symbol(&self, name: &str) -> bool {
        self.has_symbol(name) || self.imports(name) || self.exports(name)
    }
    /// All `.symtab` and `.dynsym` names, for prefix searches (unordered).
    pub fn symbol_names(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.symtab.iter().chain(self.imports.iter()).chain(self.exports.iter()).copied()
    }

    /// NUL-separated strings of `.comment`, with their file offsets.
    pub fn comment_strings(&self) -> impl Iterator<Item = (u64, &'a str)> + 'a {
        // An iterator, not a list: a hostile `.comment` of empty strings would make a list of
        // hundreds of millions of entries. Callers take what they need.
        let (base, bytes) = self.section(".comment").map_or((0, &[][..]), |(s, b)| (s.offset, b));
        let mut pos = 0usize;
        bytes.split(|b| *b == 0).filter_map(move |part| {
            let at = base + pos as u64;
            pos += part.len() + 1;
            let t = std::str::from_utf8(part).ok()?.trim();
            (!t.is_empty()).then_some((at, t))
        })
    }
}

#[cfg(test)]
mod tests;
