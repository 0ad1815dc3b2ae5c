//! Bounded string tables: lookups that never scan past `max_string + 1` bytes.

use object::elf;
use object::read::elf::{FileHeader, SectionHeader as _, SectionTable};
use object::read::SectionIndex;
use object::Endianness;

use crate::Limits;

/// A string table that could not be found.
#[derive(Debug, thiserror::Error)]
pub enum StringTableError {
    /// The section index is out of range or its header unreadable (`object`'s message).
    #[error("{0}")]
    Section(object::read::Error),
    /// The linked section is not `SHT_STRTAB`.
    #[error("Invalid ELF string section type")]
    NotStringTable,
}

/// `b`, cut at `max_string` bytes, as text (invalid UTF-8 replaced).
pub(crate) fn lossy(b: &[u8], limits: &Limits) -> String {
    let b = &b[..b.len().min(limits.max_string)];
    String::from_utf8_lossy(b).into_owned()
}

/// A string table whose lookups look at most `max_string + 1` bytes ahead for the NUL.
///
/// `object`'s `StringTable::get` scans to the end of the table for the NUL, so a table without
/// one made every name lookup cost the whole table: quadratic time (symbols x table size).
#[derive(Clone, Copy, Default)]
pub(crate) struct Strings<'a> {
    bytes: &'a [u8],
    max: usize,
}

impl<'a> Strings<'a> {
    /// The table at `data[start..start + size]`; empty (every lookup fails) if out of file.
    pub(crate) fn new(data: &'a [u8], start: u64, size: u64, limits: &Limits) -> Self {
        let range = || {
            let end = usize::try_from(start.checked_add(size)?).ok()?;
            data.get(usize::try_from(start).ok()?..end)
        };
        Strings { bytes: range().unwrap_or_default(), max: limits.max_string }
    }

    /// The string table in section `index` (`object`'s rules: index 0 is an empty table, any
    /// other must be `SHT_STRTAB`).
    pub(crate) fn section<H: FileHeader<Endian = Endianness>>(
        table: &SectionTable<'a, H, &'a [u8]>,
        endian: Endianness,
        data: &'a [u8],
        index: SectionIndex,
        limits: &Limits,
    ) -> Result<Self, StringTableError> {
        if index.0 == 0 {
            return Ok(Strings::default());
        }
        let sh = table.section(index).map_err(StringTableError::Section)?;
        if sh.sh_type(endian) != elf::SHT_STRTAB {
            return Err(StringTableError::NotStringTable);
        }
        Ok(Strings::new(data, sh.sh_offset(endian).into(), sh.sh_size(endian).into(), limits))
    }

    /// The NUL-terminated string at `off`. A string longer than `max_string` comes back as its
    /// first `max_string + 1` bytes (callers cut or skip it); `None` if the table ends first.
    pub(crate) fn get(&self, off: u64) -> Option<&'a [u8]> {
        let rest = self.bytes.get(usize::try_from(off).ok()?..)?;
        let window = &rest[..rest.len().min(self.max.saturating_add(1))];
        match std::ffi::CStr::from_bytes_until_nul(window) {
            Ok(s) => Some(s.to_bytes()),
            Err(_) if window.len() > self.max => Some(window),
            Err(_) => None,
        }
    }
}
