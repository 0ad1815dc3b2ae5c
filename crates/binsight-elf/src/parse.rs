//! One ELF file's facts, read part by part (header, program headers, sections, symbols,
//! version needs, dynamic entries, notes), then the linkage they add up to.

use std::collections::HashSet;

use binsight_model::{ElfFacts, ElfType, Endian, Linkage, Section};
use object::elf;
use object::read::elf::FileHeader;
use object::{Endian as _, Endianness};

use crate::dynamic::DynInfo;
use crate::sections::SectionFacts as _;
use crate::symbols::Symbols;
use crate::{dynamic, machine_name, notes, sections, segments, symbols, verneed, Elf, ElfError, Limits};

/// What the section table holds (all empty in a section-less file).
#[derive(Default)]
struct SectionParts<'a> {
    list: Vec<Section>,
    symbols: Symbols<'a>,
    version_needs: Vec<binsight_model::VersionNeed>,
}

/// Parse a file of class `H` (32 or 64 bit). Fails only when the header is unreadable.
pub(crate) fn parse<'a, H>(data: &'a [u8], limits: &Limits) -> Result<Elf<'a>, ElfError>
where
    H: FileHeader<Endian = Endianness>,
{
    let header = H::parse(data).map_err(|e| ElfError::BadHeader(e.to_string()))?;
    let endian = header.endian().map_err(|e| ElfError::BadHeader(e.to_string()))?;
    let mut warnings = Vec::new();
    let elf_type = elf_type(header.e_type(endian));
    let class = if header.is_class_64() { 64 } else { 32 };
    let machine = machine_name(header.e_machine(endian).0, class, endian.is_little_endian());
    let segs = segments::read(header, endian, data, limits, &mut warnings);
    let table = sections::table(header, endian, data, &mut warnings);
    let mut parts = SectionParts::default();
    if let Some(table) = &table {
        parts.list = sections::read(header, table, endian, data, limits, &mut warnings);
        parts.symbols = symbols::read(table, endian, data, limits, &mut warnings);
        parts.version_needs = verneed::read(table, endian, data, limits, &mut warnings);
    }
    let dynamic = dynamic::read::<H>(data, endian, table.as_ref(), segs.phdrs, limits, &mut warnings);
    let notes = notes::read::<H>(data, endian, table.as_ref(), segs.phdrs, limits, &mut warnings);
    let entry: u64 = header.e_entry(endian).into();
    let (linkage, shared_library) =
        linkage(elf_type, segs.interpreter.is_some(), &dynamic, entry, &parts.symbols.exports);

    // A separate debug file keeps the headers of its binary but not the contents, so reads of
    // PT_INTERP and the like fail by design: not worth a warning.
    let separate_debug = parts.list.iter().any(|s| s.name == ".text" && s.is_nobits());
    if separate_debug {
        warnings.retain(|w| !w.starts_with("PT_INTERP") && !w.starts_with("PT_DYNAMIC") && !w.starts_with("note"));
    }
    let facts = ElfFacts {
        machine,
        class,
        endian: if endian.is_little_endian() { Endian::Little } else { Endian::Big },
        elf_type,
        linkage,
        shared_library,
        entry,
        interpreter: segs.interpreter,
        bind_now: dynamic.flags & elf::DF_BIND_NOW.0 != 0
            || dynamic.flags_1 & elf::DF_1_NOW.0 != 0
            || dynamic.bind_now_tag,
        dt_flags: dynamic.flags,
        dt_flags_1: dynamic.flags_1,
        textrel: dynamic.textrel || dynamic.flags & elf::DF_TEXTREL.0 != 0,
        needed: dynamic.needed,
        soname: dynamic.soname,
        rpath: dynamic.rpath,
        runpath: dynamic.runpath,
        build_id: notes.build_id,
        abi_tag: notes.abi_tag,
        gnu_property: notes.property,
        version_needs: parts.version_needs,
        stripped: !parts.list.iter().any(|s| s.is_symtab()),
        debug_info: parts.list.iter().any(|s| s.name == ".debug_info" || s.name == ".zdebug_info"),
        separate_debug,
        gnu_stack: segs.gnu_stack,
        gnu_relro: segs.gnu_relro,
        segments: segs.list,
        section_count: parts.list.len(),
        symbols: parts.symbols.symtab_count,
        dynamic_symbols: parts.symbols.dynsym_count,
        warnings,
        sections: parts.list,
    };
    let Symbols { symtab, imports, exports, .. } = parts.symbols;
    Ok(Elf { facts, data, symtab, imports, exports })
}

fn elf_type(e_type: elf::FileType) -> ElfType {
    match e_type {
        elf::ET_REL => ElfType::Rel,
        elf::ET_EXEC => ElfType::Exec,
        elf::ET_DYN => ElfType::Dyn,
        elf::ET_CORE => ElfType::Core,
        _ => ElfType::Other,
    }
}

/// (linkage, is a shared library) of a file of `elf_type`.
fn linkage(
    elf_type: ElfType,
    has_interpreter: bool,
    dynamic: &DynInfo,
    entry: u64,
    exports: &HashSet<&[u8]>,
) -> (Linkage, bool) {
    let pie_flag = dynamic.flags_1 & elf::DF_1_PIE.0 != 0;
    match elf_type {
        ElfType::Exec if has_interpreter => (Linkage::Dynamic, false),
        ElfType::Exec => (Linkage::Static, false),
        ElfType::Dyn if has_interpreter => (Linkage::Dynamic, false),
        ElfType::Dyn if pie_flag => (Linkage::StaticPie, false),
        // No interpreter, no DF_1_PIE: a static-pie from an older linker has no DT_NEEDED and
        // no SONAME but an entry point; anything else is a shared library.
        ElfType::Dyn
            if dynamic.needed.is_empty()
                && dynamic.soname.is_none()
                && entry != 0
                && !exports_look_like_library(exports) =>
        {
            (Linkage::StaticPie, false)
        }
        ElfType::Dyn => (Linkage::Dynamic, true),
        _ => (Linkage::None, false),
    }
}

/// A shared library exports many symbols; a static-pie exports none or a handful.
fn exports_look_like_library(exports: &HashSet<&[u8]>) -> bool {
    exports.len() > 16
}
