//! Read-only ELF facts over the `object` crate, bounded by [`Limits`].
//!
//! `object` is zero-copy and bounds-checks every read, but it trusts counts and does the work
//! a header asks for; every entry point here caps the work (sections, symbols, notes, dynamic
//! entries, string lengths) so a hostile file costs bounded time and memory, and never panics.
//! Malformed parts that do not stop the whole read become `ElfFacts::warnings`.

use std::collections::HashSet;

use binsight_model::{AbiTag, ElfFacts, ElfType, Endian, GnuProperty, Linkage, Section, Segment, VersionNeed};
use object::elf;
use object::read::elf::{Dyn as _, FileHeader, ProgramHeader as _, SectionHeader as _, Sym as _};
use object::read::SectionIndex;
use object::{Endian as _, Endianness};

mod machine;
pub use machine::machine_name;

/// Caps on the work done for one file. Defaults are far above any real binary seen.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Sections read (section headers beyond this are ignored with a warning).
    pub max_sections: usize,
    pub max_segments: usize,
    /// Symbols read per table.
    pub max_symbols: usize,
    pub max_dynamic: usize,
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

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ElfError {
    #[error("not an ELF file (no \\x7fELF magic)")]
    NotElf,
    #[error("ELF header is unreadable: {0}; the file is truncated or corrupt")]
    BadHeader(String),
    #[error("unsupported ELF class or data encoding (e_ident bytes {0:#x}, {1:#x})")]
    Unsupported(u8, u8),
}

/// Magic check without parsing: cheap filter for directory walks.
pub fn is_elf(prefix: &[u8]) -> bool {
    prefix.len() >= 4 && &prefix[..4] == b"\x7fELF"
}

/// A parsed ELF file: the facts plus zero-copy access for detectors.
pub struct Elf<'a> {
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
            1 => parse_generic::<elf::FileHeader32<Endianness>>(data, limits),
            2 => parse_generic::<elf::FileHeader64<Endianness>>(data, limits),
            c => Err(ElfError::Unsupported(c, data[5])),
        }
    }

    /// The whole file.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Section header and contents by name (first match). `None` for NOBITS or out-of-file.
    pub fn section(&self, name: &str) -> Option<(&Section, &'a [u8])> {
        let s = self.facts.sections.iter().find(|s| s.name == name)?;
        Some((s, self.section_bytes(s)?))
    }

    /// Contents of a section (NOBITS sections have none).
    pub fn section_bytes(&self, s: &Section) -> Option<&'a [u8]> {
        if s.kind == elf::SHT_NOBITS.0 {
            return None;
        }
        self.data.get(usize::try_from(s.offset).ok()?..usize::try_from(s.offset.checked_add(s.size)?).ok()?)
    }

    /// Name of the section holding file offset `off`, for evidence.
    pub fn section_at(&self, off: u64) -> Option<&str> {
        self.facts
            .sections
            .iter()
            .filter(|s| s.kind != elf::SHT_NOBITS.0 && s.size > 0 && !s.name.is_empty())
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

fn lossy(b: &[u8], limits: &Limits) -> String {
    let b = &b[..b.len().min(limits.max_string)];
    String::from_utf8_lossy(b).into_owned()
}

/// A string table whose lookups look at most `max_string + 1` bytes ahead for the NUL.
///
/// `object`'s `StringTable::get` scans to the end of the table for the NUL, so a table without
/// one made every name lookup cost the whole table: quadratic time (symbols x table size).
#[derive(Clone, Copy, Default)]
struct Strings<'a> {
    bytes: &'a [u8],
    max: usize,
}

impl<'a> Strings<'a> {
    /// The table at `data[start..start + size]`; empty (every lookup fails) if out of file.
    fn new(data: &'a [u8], start: u64, size: u64, limits: &Limits) -> Self {
        let range = || {
            let end = usize::try_from(start.checked_add(size)?).ok()?;
            data.get(usize::try_from(start).ok()?..end)
        };
        Strings { bytes: range().unwrap_or_default(), max: limits.max_string }
    }

    /// The string table in section `index` (`object`'s rules: index 0 is an empty table, any
    /// other must be `SHT_STRTAB`).
    fn section<H: FileHeader<Endian = Endianness>>(
        table: &object::read::elf::SectionTable<'a, H, &'a [u8]>,
        endian: Endianness,
        data: &'a [u8],
        index: SectionIndex,
        limits: &Limits,
    ) -> Result<Self, String> {
        if index.0 == 0 {
            return Ok(Strings::default());
        }
        let sh = table.section(index).map_err(|e| e.to_string())?;
        if sh.sh_type(endian) != elf::SHT_STRTAB {
            return Err("Invalid ELF string section type".into());
        }
        Ok(Strings::new(data, sh.sh_offset(endian).into(), sh.sh_size(endian).into(), limits))
    }

    /// The NUL-terminated string at `off`. A string longer than `max_string` comes back as its
    /// first `max_string + 1` bytes (callers cut or skip it); `None` if the table ends first.
    fn get(&self, off: u64) -> Option<&'a [u8]> {
        let rest = self.bytes.get(usize::try_from(off).ok()?..)?;
        let window = &rest[..rest.len().min(self.max.saturating_add(1))];
        match std::ffi::CStr::from_bytes_until_nul(window) {
            Ok(s) => Some(s.to_bytes()),
            Err(_) if window.len() > self.max => Some(window),
            Err(_) => None,
        }
    }
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn parse_generic<'a, H>(data: &'a [u8], limits: &Limits) -> Result<Elf<'a>, ElfError>
where
    H: FileHeader<Endian = Endianness>,
{
    let header = H::parse(data).map_err(|e| ElfError::BadHeader(e.to_string()))?;
    let endian = header.endian().map_err(|e| ElfError::BadHeader(e.to_string()))?;
    let mut warnings = Vec::new();

    let e_type = header.e_type(endian);
    let elf_type = match e_type {
        elf::ET_REL => ElfType::Rel,
        elf::ET_EXEC => ElfType::Exec,
        elf::ET_DYN => ElfType::Dyn,
        elf::ET_CORE => ElfType::Core,
        _ => ElfType::Other,
    };
    let class = if header.is_class_64() { 64 } else { 32 };
    let machine = machine_name(header.e_machine(endian).0, class, endian.is_little_endian());

    // Program headers.
    let phdrs = match header.program_headers(endian, data) {
        Ok(p) => p,
        Err(e) => {
            warnings.push(format!("program headers unreadable: {e}"));
            &[]
        }
    };
    if phdrs.len() > limits.max_segments {
        warnings.push(format!("{} program headers; only the first {} read", phdrs.len(), limits.max_segments));
    }
    let phdrs = &phdrs[..phdrs.len().min(limits.max_segments)];

    let mut segments = Vec::with_capacity(phdrs.len());
    let mut interpreter = None;
    let mut gnu_stack = None;
    let mut gnu_relro = false;
    for ph in phdrs {
        let pt = ph.p_type(endian);
        let fl = ph.p_flags(endian).0;
        let flags = format!(
            "{}{}{}",
            if fl & elf::PF_R.0 != 0 { "R" } else { "" },
            if fl & elf::PF_W.0 != 0 { "W" } else { "" },
            if fl & elf::PF_X.0 != 0 { "X" } else { "" }
        );
        match pt {
            elf::PT_INTERP => match ph.interpreter(endian, data) {
                Ok(Some(i)) => interpreter = Some(lossy(i, limits)),
                Ok(None) => {}
                Err(e) => warnings.push(format!("PT_INTERP unreadable: {e}")),
            },
            elf::PT_GNU_STACK => gnu_stack = Some(flags.clone()),
            elf::PT_GNU_RELRO => gnu_relro = true,
            _ => {}
        }
        segments.push(Segment {
            kind: segment_type_name(pt.0),
            flags,
            offset: ph.p_offset(endian).into(),
            vaddr: ph.p_vaddr(endian).into(),
            filesz: ph.p_filesz(endian).into(),
            memsz: ph.p_memsz(endian).into(),
        });
    }

    // Section headers.
    let section_table = match header.sections(endian, data) {
        Ok(s) => Some(s),
        Err(e) => {
            warnings.push(format!("section headers unreadable: {e}"));
            None
        }
    };
    let mut sections = Vec::new();
    let mut symtab = HashSet::new();
    let mut imports = HashSet::new();
    let mut exports = HashSet::new();
    let (mut nsyms, mut ndynsyms) = (0usize, 0usize);
    let mut version_needs = Vec::new();
    let mut debug_info = false;
    let mut has_symtab = false;
    if let Some(table) = &section_table {
        // Section names, read with a bounded scan (see `Strings`); `object` found this table
        // the same way when it built `table`.
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
        for sh in table.iter().take(limits.max_sections) {
            let name = names
                .get(sh.sh_name(endian).into())
                .map(|n| lossy(&n[..n.len().min(limits.max_section_name)], limits))
                .unwrap_or_default();
            let kind = sh.sh_type(endian);
            if kind == elf::SHT_SYMTAB {
                has_symtab = true;
            }
            if name == ".debug_info" || name == ".zdebug_info" {
                debug_info = true;
            }
            sections.push(Section {
                name,
                kind: kind.0,
                offset: sh.sh_offset(endian).into(),
                size: sh.sh_size(endian).into(),
                addr: sh.sh_addr(endian).into(),
                flags: sh.sh_flags(endian).0,
            });
        }
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
                    warnings.push(format!(
                        "symbol names exceed {} bytes; the rest are not indexed",
                        limits.max_symbol_bytes
                    ));
                    break;
                }
                if set_all {
                    symtab.insert(name);
                } else if sym.is_undefined(endian) {
                    imports.insert(name);
                } else {
                    exports.insert(name);
                }
            }
            if syms.len() > limits.max_symbols {
                warnings.push(format!("{} symbols; only the first {} read", syms.len(), limits.max_symbols));
            }
            if set_all {
                nsyms = n;
            } else {
                ndynsyms = n;
            }
        }
        match table.gnu_verneed(endian, data) {
            Ok(Some((mut iter, link))) => match Strings::section(table, endian, data, link, limits) {
                Ok(strings) => read_verneed::<H>(&mut iter, endian, strings, limits, &mut version_needs, &mut warnings),
                Err(e) => warnings.push(format!("verneed strings unreadable: {e}")),
            },
            Ok(None) => {}
            Err(e) => warnings.push(format!("verneed unreadable: {e}")),
        }
    }

    // Dynamic section: from SHT_DYNAMIC if there are sections, else from PT_DYNAMIC.
    let mut dynamic = DynInfo::default();
    read_dynamic::<H>(data, endian, section_table.as_ref(), phdrs, limits, &mut dynamic, &mut warnings);

    // Notes: from SHT_NOTE sections, else PT_NOTE segments.
    let mut notes = NoteInfo::default();
    let mut note_count = 0usize;
    let mut read_notes = |iter: object::read::Result<Option<object::read::elf::NoteIterator<'a, H>>>,
                          warnings: &mut Vec<String>| {
        let mut it = match iter {
            Ok(Some(it)) => it,
            Ok(None) => return,
            Err(e) => {
                warnings.push(format!("note unreadable: {e}"));
                return;
            }
        };
        loop {
            if note_count >= limits.max_notes {
                return;
            }
            match it.next() {
                Ok(Some(note)) => {
                    note_count += 1;
                    notes.add::<H>(&note, endian, limits);
                }
                Ok(None) => return,
                Err(e) => {
                    warnings.push(format!("note unreadable: {e}"));
                    return;
                }
            }
        }
    };
    let mut from_sections = false;
    if let Some(table) = &section_table {
        for sh in table.iter().take(limits.max_sections) {
            if sh.sh_type(endian) == elf::SHT_NOTE {
                from_sections = true;
                read_notes(sh.notes(endian, data), &mut warnings);
            }
        }
    }
    if !from_sections {
        for ph in phdrs {
            if ph.p_type(endian) == elf::PT_NOTE {
                read_notes(ph.notes(endian, data), &mut warnings);
            }
        }
    }

    // Linkage.
    let pie_flag = dynamic.flags_1 & elf::DF_1_PIE.0 != 0;
    let (linkage, shared_library) = match elf_type {
        ElfType::Exec if interpreter.is_some() => (Linkage::Dynamic, false),
        ElfType::Exec => (Linkage::Static, false),
        ElfType::Dyn if interpreter.is_some() => (Linkage::Dynamic, false),
        ElfType::Dyn if pie_flag => (Linkage::StaticPie, false),
        // No interpreter, no DF_1_PIE: a static-pie from an older linker has no DT_NEEDED and
        // no SONAME but an entry point; anything else is a shared library.
        ElfType::Dyn
            if dynamic.needed.is_empty()
                && dynamic.soname.is_none()
                && header.e_entry(endian).into() != 0
                && !exports_look_like_library(&exports) =>
        {
            (Linkage::StaticPie, false)
        }
        ElfType::Dyn => (Linkage::Dynamic, true),
        _ => (Linkage::None, false),
    };

    // A separate debug file keeps the headers of its binary but not the contents, so reads of
    // PT_INTERP and the like fail by design: not worth a warning.
    let separate_debug = sections.iter().any(|s| s.name == ".text" && s.kind == elf::SHT_NOBITS.0);
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
        entry: header.e_entry(endian).into(),
        interpreter,
        needed: dynamic.needed,
        soname: dynamic.soname,
        rpath: dynamic.rpath,
        runpath: dynamic.runpath,
        bind_now: dynamic.flags & elf::DF_BIND_NOW.0 != 0
            || dynamic.flags_1 & elf::DF_1_NOW.0 != 0
            || dynamic.bind_now_tag,
        dt_flags: dynamic.flags,
        dt_flags_1: dynamic.flags_1,
        textrel: dynamic.textrel || dynamic.flags & elf::DF_TEXTREL.0 != 0,
        build_id: notes.build_id,
        abi_tag: notes.abi_tag,
        gnu_property: notes.property,
        version_needs,
        stripped: !has_symtab,
        debug_info,
        separate_debug,
        gnu_stack,
        gnu_relro,
        segments,
        section_count: sections.len(),
        symbols: nsyms,
        dynamic_symbols: ndynsyms,
        warnings,
        sections,
    };
    Ok(Elf { facts, data, symtab, imports, exports })
}

/// A shared library exports many symbols; a static-pie exports none or a handful.
fn exports_look_like_library(exports: &HashSet<&[u8]>) -> bool {
    exports.len() > 16
}

fn read_verneed<'a, H: FileHeader<Endian = Endianness>>(
    iter: &mut object::read::elf::VerneedIterator<'a, H>,
    endian: Endianness,
    strings: Strings<'a>,
    limits: &Limits,
    out: &mut Vec<VersionNeed>,
    warnings: &mut Vec<String>,
) {
    let mut total = 0usize;
    loop {
        match iter.next() {
            Ok(Some((need, mut aux))) => {
                // Entries without versions do not count towards `total`: cap the entries too
                // (vn_next can step through the section a few bytes at a time).
                if out.len() >= limits.max_list {
                    warnings.push("too many version needs; list cut".into());
                    return;
                }
                let file = strings.get(need.vn_file.get(endian).into()).map(|f| lossy(f, limits)).unwrap_or_default();
                let mut versions = Vec::new();
                loop {
                    match aux.next() {
                        Ok(Some(a)) => {
                            total += 1;
                            if total > limits.max_list {
                                warnings.push("too many version needs; list cut".into());
                                break;
                            }
                            if let Some(n) = strings.get(a.vna_name.get(endian).into()) {
                                versions.push(lossy(n, limits));
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            warnings.push(format!("vernaux unreadable: {e}"));
                            break;
                        }
                    }
                }
                out.push(VersionNeed { file, versions });
                if total > limits.max_list {
                    return;
                }
            }
            Ok(None) => return,
            Err(e) => {
                warnings.push(format!("verneed unreadable: {e}"));
                return;
            }
        }
    }
}

#[derive(Default)]
struct DynInfo {
    needed: Vec<String>,
    soname: Option<String>,
    rpath: Vec<String>,
    runpath: Vec<String>,
    flags: u64,
    flags_1: u64,
    bind_now_tag: bool,
    textrel: bool,
}

/// Translate a virtual address to a file offset through the PT_LOAD segments.
fn vaddr_to_offset<H: FileHeader<Endian = Endianness>>(
    phdrs: &[H::ProgramHeader],
    endian: Endianness,
    addr: u64,
) -> Option<u64> {
    phdrs.iter().filter(|p| p.p_type(endian) == elf::PT_LOAD).find_map(|p| {
        let va: u64 = p.p_vaddr(endian).into();
        let sz: u64 = p.p_filesz(endian).into();
        let off: u64 = p.p_offset(endian).into();
        // A hostile p_offset near u64::MAX must not overflow.
        (addr >= va && addr - va < sz).then(|| off.checked_add(addr - va))?
    })
}

/// Dynamic entries and the string table their names index.
type DynamicView<'a, H> = (&'a [<H as FileHeader>::Dyn], Strings<'a>);

fn read_dynamic<'a, H: FileHeader<Endian = Endianness>>(
    data: &'a [u8],
    endian: Endianness,
    table: Option<&object::read::elf::SectionTable<'a, H, &'a [u8]>>,
    phdrs: &'a [H::ProgramHeader],
    limits: &Limits,
    out: &mut DynInfo,
    warnings: &mut Vec<String>,
) {
    let mut found: Option<DynamicView<'a, H>> = None;
    if let Some(table) = table {
        match table.dynamic(endian, data) {
            Ok(Some((dyns, link))) => match Strings::section(table, endian, data, link, limits) {
                Ok(s) => found = Some((dyns, s)),
                Err(e) => warnings.push(format!("dynamic strings unreadable: {e}")),
            },
            Ok(None) => {}
            Err(e) => warnings.push(format!("dynamic section unreadable: {e}")),
        }
    }
    if found.is_none() {
        // Section-less file (e.g. sstrip): PT_DYNAMIC, strings located through DT_STRTAB.
        if let Some(ph) = phdrs.iter().find(|p| p.p_type(endian) == elf::PT_DYNAMIC) {
            match ph.dynamic(endian, data) {
                Ok(Some(dyns)) => {
                    let get = |tag| dyns.iter().find(|d| d.d_tag(endian) == tag).map(|d| d.d_val(endian).into());
                    if let (Some(addr), Some(size)) = (get(elf::DT_STRTAB), get(elf::DT_STRSZ)) {
                        if let Some(off) = vaddr_to_offset::<H>(phdrs, endian, addr) {
                            // Cut at the end of the file, as a too-large DT_STRSZ would be.
                            let size = size.min((data.len() as u64).saturating_sub(off));
                            found = Some((dyns, Strings::new(data, off, size, limits)));
                        }
                    }
                    if found.is_none() {
                        found = Some((dyns, Strings::default()));
                    }
                }
                Ok(None) => {}
                Err(e) => warnings.push(format!("PT_DYNAMIC unreadable: {e}")),
            }
        }
    }
    let Some((dyns, strings)) = found else { return };
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

#[derive(Default)]
struct NoteInfo {
    build_id: Option<String>,
    abi_tag: Option<AbiTag>,
    property: GnuProperty,
}

impl NoteInfo {
    fn add<H: FileHeader<Endian = Endianness>>(
        &mut self,
        note: &object::read::elf::Note<'_, H>,
        endian: Endianness,
        limits: &Limits,
    ) {
        if note.name() != elf::ELF_NOTE_GNU {
            return;
        }
        let desc = note.desc();
        match note.n_type(endian) {
            elf::NT_GNU_BUILD_ID if self.build_id.is_none() => {
                self.build_id = Some(to_hex(&desc[..desc.len().min(limits.max_string / 2)]));
            }
            elf::NT_GNU_ABI_TAG if desc.len() >= 16 => {
                let w = |i: usize| {
                    let b = [desc[i], desc[i + 1], desc[i + 2], desc[i + 3]];
                    if endian.is_little_endian() {
                        u32::from_le_bytes(b)
                    } else {
                        u32::from_be_bytes(b)
                    }
                };
                let os = match w(0) {
                    0 => "linux".to_string(),
                    1 => "gnu".to_string(),
                    2 => "solaris".to_string(),
                    3 => "freebsd".to_string(),
                    n => format!("os-{n}"),
                };
                self.abi_tag = Some(AbiTag { os, kernel: format!("{}.{}.{}", w(4), w(8), w(12)) });
            }
            elf::NT_GNU_PROPERTY_TYPE_0 => {
                let Some(mut props) = note.gnu_properties(endian) else {
                    return;
                };
                for _ in 0..limits.max_notes {
                    let Ok(Some(p)) = props.next() else { break };
                    let Ok(bits) = p.data_u32(endian) else {
                        continue;
                    };
                    match p.pr_type() {
                        elf::GNU_PROPERTY_X86_FEATURE_1_AND => {
                            self.property.x86_ibt |= bits & elf::GNU_PROPERTY_X86_FEATURE_1_IBT != 0;
                            self.property.x86_shstk |= bits & elf::GNU_PROPERTY_X86_FEATURE_1_SHSTK != 0;
                        }
                        elf::GNU_PROPERTY_AARCH64_FEATURE_1_AND => {
                            self.property.aarch64_bti |= bits & elf::GNU_PROPERTY_AARCH64_FEATURE_1_BTI != 0;
                            self.property.aarch64_pac |= bits & elf::GNU_PROPERTY_AARCH64_FEATURE_1_PAC != 0;
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

fn segment_type_name(pt: u32) -> String {
    match pt {
        0 => "NULL".into(),
        1 => "LOAD".into(),
        2 => "DYNAMIC".into(),
        3 => "INTERP".into(),
        4 => "NOTE".into(),
        5 => "SHLIB".into(),
        6 => "PHDR".into(),
        7 => "TLS".into(),
        0x6474_e550 => "GNU_EH_FRAME".into(),
        0x6474_e551 => "GNU_STACK".into(),
        0x6474_e552 => "GNU_RELRO".into(),
        0x6474_e553 => "GNU_PROPERTY".into(),
        0x6474_e554 => "GNU_SFRAME".into(),
        n => format!("{n:#x}"),
    }
}

#[cfg(test)]
mod tests;
