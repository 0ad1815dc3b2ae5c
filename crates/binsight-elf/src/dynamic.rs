//! The dynamic section: DT_NEEDED, SONAME, RPATH/RUNPATH, flags; from `SHT_DYNAMIC`, or from
//! `PT_DYNAMIC` (strings found through DT_STRTAB) in a section-less file.

use object::elf;
use object::read::elf::{Dyn as _, FileHeader, ProgramHeader as _, SectionTable};
use object::Endianness;

use crate::segments::vaddr_to_offset;
use crate::strings::{lossy, Strings};
use crate::Limits;

#[derive(Default)]
/// What the dynamic entries say.
pub(crate) struct DynInfo {
    pub needed: Vec<String>,
    pub soname: Option<String>,
    pub rpath: Vec<String>,
    pub runpath: Vec<String>,
    pub flags: u64,
    pub flags_1: u64,
    pub bind_now_tag: bool,
    pub textrel: bool,
}

/// Dynamic entries and the string table their names index.
type DynamicView<'a, H> = (&'a [<H as FileHeader>::Dyn], Strings<'a>);

/// Read the dynamic entries: from SHT_DYNAMIC if there are sections, else from PT_DYNAMIC.
/// A file without either has none (all fields empty); problems become `warnings`.
pub(crate) fn read<'a, H: FileHeader<Endian = Endianness>>(
    data: &'a [u8],
    endian: Endianness,
    table: Option<&SectionTable<'a, H, &'a [u8]>>,
    phdrs: &'a [H::ProgramHeader],
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> DynInfo {
    let mut out = DynInfo::default();
    let found = match table.and_then(|t| from_sections(t, endian, data, limits, warnings)) {
        Some(f) => Some(f),
        None => from_segment::<H>(data, endian, phdrs, limits, warnings),
    };
    if let Some((dyns, strings)) = found {
        apply::<H>(dyns, strings, endian, limits, &mut out, warnings);
    }
    out
}

/// The entries of the SHT_DYNAMIC section and its linked string table.
fn from_sections<'a, H: FileHeader<Endian = Endianness>>(
    table: &SectionTable<'a, H, &'a [u8]>,
    endian: Endianness,
    data: &'a [u8],
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Option<DynamicView<'a, H>> {
    match table.dynamic(endian, data) {
        Ok(Some((dyns, link))) => match Strings::section(table, endian, data, link, limits) {
            Ok(s) => Some((dyns, s)),
            Err(e) => {
                warnings.push(format!("dynamic strings unreadable: {e}"));
                None
            }
        },
        Ok(None) => None,
        Err(e) => {
            warnings.push(format!("dynamic section unreadable: {e}"));
            None
        }
    }
}

/// Section-less file (e.g. sstrip): PT_DYNAMIC, strings located through DT_STRTAB (an empty
/// table when they cannot be).
fn from_segment<'a, H: FileHeader<Endian = Endianness>>(
    data: &'a [u8],
    endian: Endianness,
    phdrs: &'a [H::ProgramHeader],
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Option<DynamicView<'a, H>> {
    let ph = phdrs.iter().find(|p| p.p_type(endian) == elf::PT_DYNAMIC)?;
    let dyns = match ph.dynamic(endian, data) {
        Ok(Some(dyns)) => dyns,
        Ok(None) => return None,
        Err(e) => {
            warnings.push(format!("PT_DYNAMIC unreadable: {e}"));
            return None;
        }
    };
    let get = |tag| dyns.iter().find(|d| d.d_tag(endian) == tag).map(|d| d.d_val(endian).into());
    if let (Some(addr), Some(size)) = (get(elf::DT_STRTAB), get(elf::DT_STRSZ)) {
        if let Some(off) = vaddr_to_offset::<H>(phdrs, endian, addr) {
            // Cut at the end of the file, as a too-large DT_STRSZ would be.
            let size = size.min((data.len() as u64).saturating_sub(off));
            return Some((dyns, Strings::new(data, off, size, limits)));
        }
    }
    Some((dyns, Strings::default()))
}

/// Record what the entries (up to DT_NULL, at most `max_dynamic`) say.
fn apply<H: FileHeader<Endian = Endianness>>(
    dyns: &[H::Dyn],
    strings: Strings<'_>,
    endian: Endianness,
    limits: &Limits,
    out: &mut DynInfo,
    warnings: &mut Vec<String>,
) {
    let string = |val: u64| -> Option<String> { strings.get(val).map(|s| lossy(s, limits)) };
    if dyns.len() > limits.max_dynamic {
        warnings.push(format!("{} dynamic entries; only the first {} read", dyns.len(), limits.max_dynamic));
    }
    for d in dyns.iter().take(limits.max_dynamic) {
        let tag = d.d_tag(endian);
        let val: u64 = d.d_val(endian).into();
        match tag {
            elf::DT_NULL => break,
            elf::DT_NEEDED if out.needed.len() < limits.max_list => out.needed.extend(string(val)),
            elf::DT_SONAME => out.soname = string(val),
            // Each entry can name the same long "a:a:a:…" string: keep `max_list` paths.
            elf::DT_RPATH if out.rpath.len() < limits.max_list => {
                out.rpath.extend(string(val).map(split_paths).unwrap_or_default());
                out.rpath.truncate(limits.max_list);
            }
            elf::DT_RUNPATH if out.runpath.len() < limits.max_list => {
                out.runpath.extend(string(val).map(split_paths).unwrap_or_default());
                out.runpath.truncate(limits.max_list);
            }
            elf::DT_FLAGS => out.flags = val,
            elf::DT_FLAGS_1 => out.flags_1 = val,
            elf::DT_BIND_NOW => out.bind_now_tag = true,
            elf::DT_TEXTREL => out.textrel = true,
            _ => {}
        }
    }
}

fn split_paths(s: String) -> Vec<String> {
    s.split(':').filter(|p| !p.is_empty()).map(str::to_string).collect()
}
