//! Hand-crafted hostile ELF files, written byte by byte here, in all four formats (32/64-bit,
//! little/big endian). Each must give `Ok` (with warnings) or `Err`: never a panic, and fast.
//! Every accepted file also goes through every detector and JSON, like the real read side.
//!
//! `BINSIGHT_DUMP_HOSTILE=DIR cargo test -p binsight-elf --test hostile` also writes each file
//! to DIR (used to seed the fuzz corpus).

use std::time::{Duration, Instant};

use binsight_elf::{Elf, ElfError, Limits};
use binsight_model::{ElfFacts, Endian};

// ------------------------------------------------------------------------------------------
// A tiny ELF writer.
// ------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
struct Fmt {
    is64: bool,
    le: bool,
}

const FORMATS: [Fmt; 4] = [
    Fmt { is64: true, le: true },
    Fmt { is64: true, le: false },
    Fmt { is64: false, le: true },
    Fmt { is64: false, le: false },
];

impl Fmt {
    fn ehsize(self) -> usize {
        if self.is64 {
            64
        } else {
            52
        }
    }
    fn phentsize(self) -> usize {
        if self.is64 {
            56
        } else {
            32
        }
    }
    fn shentsize(self) -> usize {
        if self.is64 {
            64
        } else {
            40
        }
    }
    fn symsize(self) -> usize {
        if self.is64 {
            24
        } else {
            16
        }
    }
    fn dynsize(self) -> usize {
        if self.is64 {
            16
        } else {
            8
        }
    }
    /// A machine whose name we can assert: x86_64/i386 little, ppc64/ppc big.
    fn machine(self) -> (u16, &'static str) {
        match (self.is64, self.le) {
            (true, true) => (62, "x86_64"),
            (false, true) => (3, "i386"),
            (true, false) => (21, "ppc64"),
            (false, false) => (20, "ppc"),
        }
    }
    fn name(self) -> String {
        format!("elf{}{}", if self.is64 { 64 } else { 32 }, if self.le { "le" } else { "be" })
    }
}

/// Byte encoder for one format.
struct W {
    f: Fmt,
    b: Vec<u8>,
}

impl W {
    fn new(f: Fmt) -> Self {
        W { f, b: Vec::new() }
    }
    fn u8(&mut self, x: u8) -> &mut Self {
        self.b.push(x);
        self
    }
    fn u16(&mut self, x: u16) -> &mut Self {
        let a = if self.f.le { x.to_le_bytes() } else { x.to_be_bytes() };
        self.b.extend_from_slice(&a);
        self
    }
    fn u32(&mut self, x: u32) -> &mut Self {
        let a = if self.f.le { x.to_le_bytes() } else { x.to_be_bytes() };
        self.b.extend_from_slice(&a);
        self
    }
    fn u64(&mut self, x: u64) -> &mut Self {
        let a = if self.f.le { x.to_le_bytes() } else { x.to_be_bytes() };
        self.b.extend_from_slice(&a);
        self
    }
    /// An address-sized word; 32-bit files keep the low half (callers pass what fits).
    fn word(&mut self, x: u64) -> &mut Self {
        if self.f.is64 {
            self.u64(x)
        } else {
            self.u32(x as u32)
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Ph {
    p_type: u32,
    flags: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
    memsz: u64,
    align: u64,
}

#[derive(Clone, Copy, Default)]
struct Sh {
    name: u32,
    sh_type: u32,
    flags: u64,
    addr: u64,
    offset: u64,
    size: u64,
    link: u32,
    info: u32,
    align: u64,
    entsize: u64,
}

/// Header fields; `None` counts/offsets are filled from the tables `Builder::finish` writes.
#[derive(Clone, Copy)]
struct Hdr {
    e_type: u16,
    entry: u64,
    phnum: Option<u16>,
    shnum: Option<u16>,
    shstrndx: u16,
    phentsize: Option<u16>,
    shentsize: Option<u16>,
}

impl Default for Hdr {
    fn default() -> Self {
        Hdr {
            e_type: 3, // ET_DYN
            entry: 0x1000,
            phnum: None,
            shnum: None,
            shstrndx: 0,
            phentsize: None,
            shentsize: None,
        }
    }
}

/// Lays a file out as: header, blobs (each 8-aligned), program headers, section headers.
struct Builder {
    f: Fmt,
    body: Vec<u8>,
}

impl Builder {
    fn new(f: Fmt) -> Self {
        Builder { f, body: vec![0; f.ehsize()] }
    }
    /// Append raw bytes; returns their file offset.
    fn blob(&mut self, bytes: &[u8]) -> u64 {
        while self.body.len() % 8 != 0 {
            self.body.push(0);
        }
        let off = self.body.len() as u64;
        self.body.extend_from_slice(bytes);
        off
    }
    fn w(&self) -> W {
        W::new(self.f)
    }
    fn phdrs(&self, phs: &[Ph]) -> Vec<u8> {
        let mut w = self.w();
        for p in phs {
            if self.f.is64 {
                w.u32(p.p_type).u32(p.flags).u64(p.offset).u64(p.vaddr).u64(p.vaddr);
                w.u64(p.filesz).u64(p.memsz).u64(p.align);
            } else {
                w.u32(p.p_type).u32(p.offset as u32).u32(p.vaddr as u32);
                w.u32(p.vaddr as u32).u32(p.filesz as u32).u32(p.memsz as u32);
                w.u32(p.flags).u32(p.align as u32);
            }
        }
        w.b
    }
    fn shdrs(&self, shs: &[Sh]) -> Vec<u8> {
        let mut w = self.w();
        for s in shs {
            w.u32(s.name).u32(s.sh_type).word(s.flags).word(s.addr).word(s.offset);
            w.word(s.size).u32(s.link).u32(s.info).word(s.align).word(s.entsize);
        }
        w.b
    }
    /// Write the program and section header tables and the ELF header.
    fn finish(mut self, h: Hdr, phs: &[Ph], shs: &[Sh]) -> Vec<u8> {
        let phoff = if phs.is_empty() {
            0
        } else {
            let t = self.phdrs(phs);
            self.blob(&t)
        };
        let shoff = if shs.is_empty() {
            0
        } else {
            let t = self.shdrs(shs);
            self.blob(&t)
        };
        self.finish_at(h, phoff, phs.len(), shoff, shs.len())
    }
    /// Write only the ELF header, with explicit table offsets and counts.
    fn finish_at(mut self, h: Hdr, phoff: u64, phn: usize, shoff: u64, shn: usize) -> Vec<u8> {
        let f = self.f;
        let mut w = self.w();
        w.b.extend_from_slice(b"\x7fELF");
        w.u8(if f.is64 { 2 } else { 1 }).u8(if f.le { 1 } else { 2 }).u8(1);
        w.b.resize(16, 0);
        w.u16(h.e_type).u16(f.machine().0).u32(1).word(h.entry);
        w.word(phoff).word(shoff).u32(0).u16(f.ehsize() as u16);
        w.u16(h.phentsize.unwrap_or(f.phentsize() as u16));
        w.u16(h.phnum.unwrap_or(phn as u16));
        w.u16(h.shentsize.unwrap_or(f.shentsize() as u16));
        w.u16(h.shnum.unwrap_or(shn as u16));
        w.u16(h.shstrndx);
        assert_eq!(w.b.len(), f.ehsize());
        self.body[..f.ehsize()].copy_from_slice(&w.b);
        self.body
    }
}

/// A string table: `\0` then each name NUL-terminated; returns (bytes, offsets).
fn strtab(names: &[&str]) -> (Vec<u8>, Vec<u32>) {
    let mut b = vec![0u8];
    let mut offs = Vec::new();
    for n in names {
        offs.push(b.len() as u32);
        b.extend_from_slice(n.as_bytes());
        b.push(0);
    }
    (b, offs)
}

fn sym(f: Fmt, name: u32, shndx: u16) -> Vec<u8> {
    let mut w = W::new(f);
    if f.is64 {
        w.u32(name).u8(0x12).u8(0).u16(shndx).u64(0x1000).u64(0);
    } else {
        w.u32(name).u32(0x1000).u32(0).u8(0x12).u8(0).u16(shndx);
    }
    w.b
}

fn dyn_entry(f: Fmt, tag: u64, val: u64) -> Vec<u8> {
    let mut w = W::new(f);
    w.word(tag).word(val);
    w.b
}

fn note(f: Fmt, namesz: u32, descsz: u32, n_type: u32, name: &[u8], desc: &[u8]) -> Vec<u8> {
    let mut w = W::new(f);
    w.u32(namesz).u32(descsz).u32(n_type);
    w.b.extend_from_slice(name);
    while w.b.len() % 4 != 0 {
        w.b.push(0);
    }
    w.b.extend_from_slice(desc);
    while w.b.len() % 4 != 0 {
        w.b.push(0);
    }
    w.b
}

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const PT_NOTE: u32 = 4;
const PT_GNU_STACK: u32 = 0x6474_e551;
const SHT_PROGBITS: u32 = 1;
const SHT_SYMTAB: u32 = 2;
const SHT_STRTAB: u32 = 3;
const SHT_DYNAMIC: u32 = 6;
const SHT_NOTE: u32 = 7;
const SHT_DYNSYM: u32 = 11;
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;
const DT_NEEDED: u64 = 1;
const DT_STRTAB: u64 = 5;
const DT_STRSZ: u64 = 10;
const DT_RPATH: u64 = 15;
const DT_RUNPATH: u64 = 29;

// ------------------------------------------------------------------------------------------
// The harness.
// ------------------------------------------------------------------------------------------

/// Wall-clock budget for one file (debug build). The whole file runs in well under a second.
const BUDGET: Duration = Duration::from_secs(2);

/// Parse and analyse `data` like the CLI does; panics only through the test's own asserts.
fn check(case: &str, data: &[u8]) -> Result<ElfFacts, ElfError> {
    if let Some(dir) = std::env::var_os("BINSIGHT_DUMP_HOSTILE") {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(std::path::Path::new(&dir).join(format!("hostile-{case}")), data);
    }
    let start = Instant::now();
    let limits = Limits::default();
    let out = match Elf::parse(data, &limits) {
        Ok(elf) => {
            let report = binsight_detect::analyze_elf(case, &elf, &binsight_detect::Options::default());
            let json = serde_json::to_string(&report).expect("report serialises");
            assert!(json.len() < 64 << 20, "{case}: report is {} bytes", json.len());
            let f = elf.facts.clone();
            // The lists a header can inflate stay within the limits.
            assert!(f.needed.len() <= limits.max_list, "{case}: needed");
            assert!(f.rpath.len() <= limits.max_list, "{case}: rpath");
            assert!(f.runpath.len() <= limits.max_list, "{case}: runpath");
            assert!(f.version_needs.len() <= limits.max_list, "{case}: verneed");
            let vers: usize = f.version_needs.iter().map(|v| v.versions.len()).sum();
            assert!(vers <= limits.max_list, "{case}: vernaux");
            assert!(f.sections.len() <= limits.max_sections, "{case}: sections");
            assert!(f.segments.len() <= limits.max_segments, "{case}: segments");
            for s in f.interpreter.iter().chain(&f.needed).chain(&f.rpath) {
                assert!(s.len() <= limits.max_string * 3, "{case}: long string kept");
            }
            Ok(f)
        }
        Err(e) => Err(e),
    };
    let took = start.elapsed();
    assert!(took < BUDGET, "{case}: took {took:?}");
    out
}

/// Like `check`, for a file that must parse.
fn facts(case: &str, data: &[u8]) -> ElfFacts {
    match check(case, data) {
        Ok(f) => f,
        Err(e) => panic!("{case}: expected Ok, got {e}"),
    }
}

fn has_warning(f: &ElfFacts, needle: &str) -> bool {
    f.warnings.iter().any(|w| w.contains(needle))
}

fn assert_header(case: &str, f: &ElfFacts, fmt: Fmt) {
    assert_eq!(f.class, if fmt.is64 { 64 } else { 32 }, "{case}");
    assert_eq!(f.endian, if fmt.le { Endian::Little } else { Endian::Big }, "{case}");
    assert_eq!(f.machine, fmt.machine().1, "{case}");
}

// ------------------------------------------------------------------------------------------
// Cases.
// ------------------------------------------------------------------------------------------

#[test]
fn minimal_headers_in_every_format() {
    for fmt in FORMATS {
        let case = format!("minimal-{}", fmt.name());
        let data = Builder::new(fmt).finish(Hdr::default(), &[], &[]);
        let f = facts(&case, &data);
        assert_header(&case, &f, fmt);
        assert!(f.sections.is_empty() && f.segments.is_empty(), "{case}");
        assert!(f.warnings.is_empty(), "{case}: {:?}", f.warnings);
    }
}

#[test]
fn truncated_and_bad_idents() {
    for fmt in FORMATS {
        let data = Builder::new(fmt).finish(Hdr::default(), &[], &[]);
        for len in 0..data.len() {
            let r = check(&format!("trunc{len}-{}", fmt.name()), &data[..len]);
            assert!(r.is_err(), "{len}: a cut header must not parse");
        }
    }
    let mut d = Builder::new(FORMATS[0]).finish(Hdr::default(), &[], &[]);
    d[4] = 3;
    assert_eq!(check("class3", &d).err(), Some(ElfError::Unsupported(3, 1)));
    d[4] = 2;
    d[5] = 7;
    assert!(check("data7", &d).is_err());
}

#[test]
fn huge_e_phnum_and_e_shnum() {
    for fmt in FORMATS {
        // 0xffff headers claimed, tables at the end of a small file.
        let h = Hdr { phnum: Some(0xfffe), shnum: Some(0xfffe), shstrndx: 1, ..Hdr::default() };
        let b = Builder::new(fmt);
        let end = b.body.len() as u64;
        let data = b.finish_at(h, end - 8, 0, end - 8, 0);
        let case = format!("huge-counts-{}", fmt.name());
        let f = facts(&case, &data);
        assert_header(&case, &f, fmt);
        assert!(has_warning(&f, "program headers unreadable"), "{case}");
        assert!(has_warning(&f, "section headers unreadable"), "{case}");

        // Wrong entry sizes.
        let h = Hdr { phentsize: Some(1), shentsize: Some(0xffff), ..Hdr::default() };
        let mut b = Builder::new(fmt);
        let off = b.blob(&[0u8; 256]);
        let data = b.finish_at(h, off, 2, off, 2);
        let f = facts(&format!("bad-entsize-{}", fmt.name()), &data);
        assert!(f.warnings.len() >= 2);
    }
}

#[test]
fn extended_numbering_from_section_zero() {
    for fmt in FORMATS {
        // e_shnum = 0, e_phnum = PN_XNUM, e_shstrndx = SHN_XINDEX: all three come from section 0.
        let sec0 = Sh { size: 0xffff_ffff, link: 0xffff_ffff, info: 0xffff_ffff, ..Sh::default() };
        let h = Hdr { phnum: Some(0xffff), shnum: Some(0), shstrndx: 0xffff, ..Hdr::default() };
        // Program headers claimed right after the ELF header.
        let mut b = Builder::new(fmt);
        let phoff = b.body.len() as u64;
        let shdr = b.shdrs(&[sec0]);
        let shoff = b.blob(&shdr);
        let data = b.finish_at(h, phoff, 0, shoff, 0);
        let case = format!("xnum-{}", fmt.name());
        let f = facts(&case, &data);
        assert_header(&case, &f, fmt);
        assert!(has_warning(&f, "section headers unreadable"), "{case}");
        assert!(has_warning(&f, "program headers unreadable"), "{case}");

        // Extended counts that are plausible but still past EOF.
        let sec0 = Sh { size: 70_000, link: 1, info: 5_000, ..Sh::default() };
        let data = Builder::new(fmt).finish(h, &[], &[sec0]);
        let f = facts(&format!("xnum-70000-{}", fmt.name()), &data);
        assert!(has_warning(&f, "section headers unreadable"));
    }
}

#[test]
fn many_real_section_headers_are_capped() {
    // 70,000 real (empty) section headers: more than `max_sections`, all named by a name
    // table without a NUL. (Names that do end keep up to `max_string` bytes each: 65,536 of
    // 4 KiB is the 256 MiB the limits allow, too slow for this test in a debug build.)
    for fmt in [FORMATS[0], FORMATS[3]] {
        let mut b = Builder::new(fmt);
        let names = b.blob(&[b'A'; 64]);
        let n = 70_000usize;
        let mut shs = vec![Sh::default(); n];
        shs[1] = Sh { sh_type: SHT_STRTAB, offset: names, size: 64, ..Sh::default() };
        let h = Hdr { shnum: Some(0), shstrndx: 1, ..Hdr::default() };
        shs[0].size = n as u64;
        let case = format!("70000-sections-{}", fmt.name());
        let f = facts(&case, &b.finish(h, &[], &shs));
        assert!(has_warning(&f, "only the first"), "{case}: {:?}", f.warnings);
        assert_eq!(f.sections.len(), Limits::default().max_sections);
        assert!(f.sections.iter().all(|s| s.name.is_empty()));
    }
}

#[test]
fn sections_pointing_past_eof() {
    for fmt in FORMATS {
        let mut b = Builder::new(fmt);
        let (names, o) = strtab(&[".shstrtab", ".comment", ".symtab", ".dynamic", ".note"]);
        let names_off = b.blob(&names);
        let far = if fmt.is64 { u64::MAX - 8 } else { 0xffff_fff0 };
        let huge = if fmt.is64 { u64::MAX } else { 0xffff_ffff };
        let shs = [
            Sh::default(),
            Sh { name: o[0], sh_type: SHT_STRTAB, offset: names_off, size: names.len() as u64, ..Sh::default() },
            Sh { name: o[1], sh_type: SHT_PROGBITS, offset: far, size: huge, ..Sh::default() },
            Sh {
                name: o[2],
                sh_type: SHT_SYMTAB,
                offset: far,
                size: huge,
                link: 1,
                entsize: fmt.symsize() as u64,
                ..Sh::default()
            },
            Sh { name: o[3], sh_type: SHT_DYNAMIC, offset: 16, size: huge, link: 99, ..Sh::default() },
            Sh { name: o[4], sh_type: SHT_NOTE, offset: far, size: 64, ..Sh::default() },
        ];
        let h = Hdr { shstrndx: 1, ..Hdr::default() };
        let case = format!("sections-past-eof-{}", fmt.name());
        let f = facts(&case, &b.finish(h, &[], &shs));
        assert_header(&case, &f, fmt);
        assert_eq!(f.section_count, 6);
        assert_eq!(f.sections[2].name, ".comment");
        assert!(has_warning(&f, "symbol table unreadable"), "{case}");
        assert!(has_warning(&f, "dynamic section unreadable"), "{case}");
        assert!(has_warning(&f, "note unreadable"), "{case}");

        // The section-header table itself at a huge offset.
        let b = Builder::new(fmt);
        let data = b.finish_at(Hdr::default(), far, 1, far, 1);
        let f = facts(&format!("tables-at-{far:#x}-{}", fmt.name()), &data);
        assert_eq!(f.warnings.len(), 2, "{:?}", f.warnings);
    }
}

#[test]
fn overlapping_and_wrapping_segments() {
    for fmt in FORMATS {
        let top = if fmt.is64 { u64::MAX } else { 0xffff_ffff };
        let mut b = Builder::new(fmt);
        let (strs, o) = strtab(&["libc.so.6"]);
        b.blob(&strs);
        let mut dynamic = Vec::new();
        dynamic.extend(dyn_entry(fmt, DT_NEEDED, u64::from(o[0])));
        // DT_STRTAB = 0x10 (inside the header) with DT_STRSZ = the whole address space; below,
        // the load holding 0x10 has a file offset at the top, so translating it must not
        // overflow.
        dynamic.extend(dyn_entry(fmt, DT_STRTAB, 0x10));
        dynamic.extend(dyn_entry(fmt, DT_STRSZ, top));
        dynamic.extend(dyn_entry(fmt, 0, 0));
        let dyn_off = b.blob(&dynamic);
        let len = b.body.len() as u64 + 4096;
        let phs = [
            // Two loads covering the whole file, overlapping each other and the headers.
            Ph { p_type: PT_LOAD, flags: 5, offset: 0, vaddr: 0, filesz: len, memsz: len, align: 0x1000 },
            Ph { p_type: PT_LOAD, flags: 6, offset: 0, vaddr: 0, filesz: len, memsz: top, align: 3 },
            // A load at the top: offset + size wraps.
            Ph { p_type: PT_LOAD, flags: 7, offset: top - 4, vaddr: top - 4, filesz: top, memsz: top, align: 0 },
            Ph {
                p_type: PT_DYNAMIC,
                offset: dyn_off,
                vaddr: dyn_off,
                filesz: dynamic.len() as u64,
                memsz: dynamic.len() as u64,
                ..Ph::default()
            },
            Ph { p_type: PT_GNU_STACK, flags: 6, ..Ph::default() },
        ];
        let case = format!("overlapping-segments-{}", fmt.name());
        let f = facts(&case, &b.finish(Hdr::default(), &phs, &[]));
        assert_header(&case, &f, fmt);
        assert_eq!(f.segments.len(), 5);
        assert_eq!(f.gnu_stack.as_deref(), Some("RW"));

        // The same, but the only PT_LOAD that holds DT_STRTAB maps it past u64::MAX.
        let mut b = Builder::new(fmt);
        let dyn_off = b.blob(&dynamic);
        let phs = [
            Ph { p_type: PT_LOAD, offset: top, vaddr: 0, filesz: top, memsz: top, ..Ph::default() },
            Ph { p_type: PT_DYNAMIC, offset: dyn_off, filesz: dynamic.len() as u64, ..Ph::default() },
        ];
        let case = format!("strtab-offset-wraps-{}", fmt.name());
        let f = facts(&case, &b.finish(Hdr::default(), &phs, &[]));
        assert!(f.needed.is_empty(), "{case}: {:?}", f.needed);
    }
}

#[test]
fn pt_dynamic_claiming_a_million_entries() {
    for fmt in FORMATS {
        // Claimed: 10^6 entries; present: a few.
        let mut b = Builder::new(fmt);
        let dyn_off = b.blob(&dyn_entry(fmt, DT_NEEDED, 1));
        let phs =
            [Ph { p_type: PT_DYNAMIC, offset: dyn_off, filesz: 1_000_000 * fmt.dynsize() as u64, ..Ph::default() }];
        let case = format!("dynamic-1e6-claimed-{}", fmt.name());
        let f = facts(&case, &b.finish(Hdr::default(), &phs, &[]));
        assert!(has_warning(&f, "PT_DYNAMIC unreadable"), "{case}");
    }
    for fmt in [FORMATS[0], FORMATS[3]] {
        // Present: 100,000 entries (more than `max_dynamic`), all DT_NEEDED, DT_RPATH or
        // DT_RUNPATH naming one long ':'-separated list: the lists stay within `max_list`.
        let mut b = Builder::new(fmt);
        let mut strs = b"\0libc.so.6\0".to_vec();
        strs.extend(b":a".repeat(2047));
        strs.push(0);
        let strs_off = b.blob(&strs);
        let mut dynamic = Vec::new();
        dynamic.extend(dyn_entry(fmt, DT_STRTAB, strs_off));
        dynamic.extend(dyn_entry(fmt, DT_STRSZ, strs.len() as u64));
        for i in 0..100_000u64 {
            let (tag, val) = [(DT_NEEDED, 1), (DT_RPATH, 11), (DT_RUNPATH, 11)][(i % 3) as usize];
            dynamic.extend(dyn_entry(fmt, tag, val));
        }
        let dyn_off = b.blob(&dynamic);
        let len = b.body.len() as u64;
        let phs = [
            Ph { p_type: PT_LOAD, filesz: len, memsz: len, ..Ph::default() },
            Ph { p_type: PT_DYNAMIC, offset: dyn_off, vaddr: dyn_off, filesz: dynamic.len() as u64, ..Ph::default() },
        ];
        let case = format!("dynamic-100000-{}", fmt.name());
        let f = facts(&case, &b.finish(Hdr::default(), &phs, &[]));
        assert!(has_warning(&f, "dynamic entries; only the first"), "{case}");
        assert!(!f.needed.is_empty() && !f.rpath.is_empty() && !f.runpath.is_empty());
        assert_eq!(f.rpath[0], "a");
        assert_eq!(f.needed[0], "libc.so.6");
        assert_eq!(f.needed.len(), Limits::default().max_list);
        assert_eq!(f.rpath.len(), Limits::default().max_list);
    }
}

/// A symbol table section of `count` symbols (all naming `name_off`) over `strs`.
fn symbols_file(fmt: Fmt, which: u32, strs: &[u8], count: usize, name_off: u32) -> Vec<u8> {
    let mut b = Builder::new(fmt);
    let (names, o) = strtab(&[".shstrtab", ".symtab", ".strtab"]);
    let names_off = b.blob(&names);
    let strs_off = b.blob(strs);
    let mut syms = vec![0u8; fmt.symsize()];
    let one = sym(fmt, name_off, 1);
    for _ in 1..count {
        syms.extend_from_slice(&one);
    }
    let syms_off = b.blob(&syms);
    let shs = [
        Sh::default(),
        Sh { name: o[0], sh_type: SHT_STRTAB, offset: names_off, size: names.len() as u64, ..Sh::default() },
        Sh {
            name: o[1],
            sh_type: which,
            offset: syms_off,
            size: syms.len() as u64,
            link: 3,
            entsize: fmt.symsize() as u64,
            ..Sh::default()
        },
        Sh { name: o[2], sh_type: SHT_STRTAB, offset: strs_off, size: strs.len() as u64, ..Sh::default() },
    ];
    let h = Hdr { shstrndx: 1, ..Hdr::default() };
    b.finish(h, &[], &shs)
}

#[test]
fn symbol_table_claiming_2_pow_32_symbols() {
    for fmt in FORMATS {
        let mut data = symbols_file(fmt, SHT_SYMTAB, b"\0main\0", 2, 1);
        // Patch .symtab's sh_size to 2^32 symbols (32-bit: the largest size there is).
        let f = facts(&format!("symtab-ok-{}", fmt.name()), &data);
        assert_eq!(f.symbols, 2);
        assert!(!f.stripped);
        let claimed = if fmt.is64 { (1u64 << 32) * fmt.symsize() as u64 } else { 0xffff_fff0 };
        let shoff = data.len() - 4 * fmt.shentsize();
        let size_at = shoff + 2 * fmt.shentsize() + if fmt.is64 { 32 } else { 20 };
        let mut w = W::new(fmt);
        w.word(claimed);
        data[size_at..size_at + w.b.len()].copy_from_slice(&w.b);
        let case = format!("symtab-2pow32-{}", fmt.name());
        let f = facts(&case, &data);
        assert!(has_warning(&f, "symbol table unreadable"), "{case}");
        assert_eq!(f.symbols, 0);
    }
}

#[test]
fn string_tables_without_nul() {
    for fmt in FORMATS {
        // 50,000 symbols and a section-name table, all naming offset 0 of 4 MiB with no NUL
        // (before names were read with a bounded scan: 50,000 x 4 MiB = 200 GB of scanning).
        let strs = vec![b'x'; 4 << 20];
        for which in [SHT_SYMTAB, SHT_DYNSYM] {
            let mut data = symbols_file(fmt, which, &strs, 50_000, 0);
            let case = format!("strtab-no-nul-{which}-{}", fmt.name());
            let f = facts(&case, &data);
            assert_eq!(f.symbols + f.dynamic_symbols, 50_000, "{case}");
            // Now the same for .shstrtab: point it at the NUL-less table.
            let shoff = data.len() - 4 * fmt.shentsize();
            let (a, b) = (shoff + fmt.shentsize(), shoff + 3 * fmt.shentsize());
            let sh3 = data[b..b + fmt.shentsize()].to_vec();
            data[a..a + fmt.shentsize()].copy_from_slice(&sh3);
            let case = format!("shstrtab-no-nul-{which}-{}", fmt.name());
            let f = facts(&case, &data);
            assert!(f.sections.iter().all(|s| s.name.len() <= 4096), "{case}");
        }
        // Every symbol naming a different suffix of one long "__…_chk" string: distinct,
        // fortify-looking names whose total length is quadratic in the table size.
        let mut strs = b"\0__".to_vec();
        strs.extend(std::iter::repeat_n(b'_', 4000));
        strs.extend(b"_chk\0");
        let mut data = symbols_file(fmt, SHT_SYMTAB, &strs, 4000, 1);
        let syms_at = {
            // First symbol after the null one.
            let shoff = data.len() - 4 * fmt.shentsize();
            let sh = &data[shoff + 2 * fmt.shentsize()..];
            let off_at = if fmt.is64 { 24 } else { 16 };
            let mut a = [0u8; 8];
            let n = if fmt.is64 { 8 } else { 4 };
            a[..n].copy_from_slice(&sh[off_at..off_at + n]);
            let v = if fmt.le {
                u64::from_le_bytes(a)
            } else if fmt.is64 {
                u64::from_be_bytes(a)
            } else {
                u64::from(u32::from_be_bytes([a[0], a[1], a[2], a[3]]))
            };
            v as usize + fmt.symsize()
        };
        for i in 0..3999 {
            let at = syms_at + i * fmt.symsize();
            let mut w = W::new(fmt);
            w.u32(1 + i as u32);
            data[at..at + 4].copy_from_slice(&w.b);
        }
        let case = format!("fortify-suffixes-{}", fmt.name());
        let f = facts(&case, &data);
        assert_eq!(f.symbols, 4000, "{case}");
    }
}

#[test]
fn notes_with_huge_sizes() {
    for fmt in FORMATS {
        let mut b = Builder::new(fmt);
        let bad = note(fmt, 0xffff_ffff, 0xffff_ffff, 3, b"GNU\0", &[]);
        let bad_off = b.blob(&bad);
        let bad2 = note(fmt, 4, 0xffff_fff0, 3, b"GNU\0", &[]);
        let bad2_off = b.blob(&bad2);
        let phs = [
            Ph { p_type: PT_NOTE, offset: bad_off, filesz: bad.len() as u64, align: 4, ..Ph::default() },
            Ph { p_type: PT_NOTE, offset: bad2_off, filesz: bad2.len() as u64, align: 4, ..Ph::default() },
            // Odd alignments.
            Ph { p_type: PT_NOTE, offset: bad2_off, filesz: bad2.len() as u64, align: 3, ..Ph::default() },
            Ph {
                p_type: PT_NOTE,
                offset: bad2_off,
                filesz: bad2.len() as u64,
                align: if fmt.is64 { u64::MAX } else { 0xffff_ffff },
                ..Ph::default()
            },
        ];
        let case = format!("note-huge-{}", fmt.name());
        let f = facts(&case, &b.finish(Hdr::default(), &phs, &[]));
        assert!(has_warning(&f, "note unreadable"), "{case}");
        assert!(f.build_id.is_none());
    }
    for fmt in FORMATS {
        // 100,000 valid empty notes and a 1 MiB build-id: the counts and the hex are capped.
        let mut b = Builder::new(fmt);
        let mut notes = Vec::new();
        notes.extend(note(fmt, 4, 1 << 20, 3, b"GNU\0", &vec![0xab; 1 << 20]));
        let one = note(fmt, 4, 0, 1, b"GNU\0", &[]);
        for _ in 0..100_000 {
            notes.extend_from_slice(&one);
        }
        let off = b.blob(&notes);
        let phs = [Ph { p_type: PT_NOTE, offset: off, filesz: notes.len() as u64, align: 4, ..Ph::default() }];
        let case = format!("note-many-{}", fmt.name());
        let f = facts(&case, &b.finish(Hdr::default(), &phs, &[]));
        let id = f.build_id.expect("build-id read");
        assert!(id.len() <= 4096 && id.starts_with("abab"), "{case}");
    }
}

/// A file with a `.gnu.version_r` section holding `verneed` over `.dynstr` `strs`.
fn verneed_file(fmt: Fmt, verneed: &[u8], strs: &[u8]) -> Vec<u8> {
    let mut b = Builder::new(fmt);
    let (names, o) = strtab(&[".shstrtab", ".gnu.version_r", ".dynstr"]);
    let names_off = b.blob(&names);
    let strs_off = b.blob(strs);
    let vn_off = b.blob(verneed);
    let shs = [
        Sh::default(),
        Sh { name: o[0], sh_type: SHT_STRTAB, offset: names_off, size: names.len() as u64, ..Sh::default() },
        Sh {
            name: o[1],
            sh_type: SHT_GNU_VERNEED,
            offset: vn_off,
            size: verneed.len() as u64,
            link: 3,
            ..Sh::default()
        },
        Sh { name: o[2], sh_type: SHT_STRTAB, offset: strs_off, size: strs.len() as u64, ..Sh::default() },
    ];
    let h = Hdr { shstrndx: 1, ..Hdr::default() };
    b.finish(h, &[], &shs)
}

fn verneed_entry(fmt: Fmt, cnt: u16, file: u32, aux: u32, next: u32) -> Vec<u8> {
    let mut w = W::new(fmt);
    w.u16(1).u16(cnt).u32(file).u32(aux).u32(next);
    w.b
}

fn vernaux_entry(fmt: Fmt, name: u32, next: u32) -> Vec<u8> {
    let mut w = W::new(fmt);
    w.u32(0x0d69_6914).u16(0).u16(2).u32(name).u32(next);
    w.b
}

#[test]
fn verneed_loops_terminate() {
    for fmt in FORMATS {
        let (strs, o) = strtab(&["libc.so.6", "GLIBC_2.34"]);
        // A well-formed entry first.
        let mut vn = verneed_entry(fmt, 1, o[0], 16, 0);
        vn.extend(vernaux_entry(fmt, o[1], 0));
        let case = format!("verneed-ok-{}", fmt.name());
        let f = facts(&case, &verneed_file(fmt, &vn, &strs));
        assert_eq!(f.version_needs.len(), 1, "{case}: {:?}", f.warnings);
        assert_eq!(f.version_needs[0].file, "libc.so.6");
        assert_eq!(f.version_needs[0].versions, ["GLIBC_2.34"]);

        // vna_next = 0 with vn_cnt = 0xffff: the aux entry points back at itself.
        let mut vn = verneed_entry(fmt, 0xffff, o[0], 16, 0);
        vn.extend(vernaux_entry(fmt, o[1], 0));
        let case = format!("vernaux-self-loop-{}", fmt.name());
        let f = facts(&case, &verneed_file(fmt, &vn, &strs));
        assert_eq!(f.version_needs.len(), 1, "{case}");
        let kept = f.version_needs[0].versions.len();
        assert!(kept <= Limits::default().max_list, "{case}: {kept}");
        assert!(has_warning(&f, "version needs; list cut"), "{case}");

        // vn_aux = 0: the aux list starts at the verneed entry itself.
        let vn = verneed_entry(fmt, 0xffff, o[0], 0, 0);
        let f = facts(&format!("vn-aux-self-{}", fmt.name()), &verneed_file(fmt, &vn, &strs));
        assert_eq!(f.version_needs.len(), 1);

        // vn_next = 0xffffffff (wraps back, in a parser that adds): an error, not a loop.
        let vn = verneed_entry(fmt, 0, o[0], 16, 0xffff_ffff);
        let f = facts(&format!("vn-next-wrap-{}", fmt.name()), &verneed_file(fmt, &vn, &strs));
        assert!(has_warning(&f, "verneed unreadable"), "{:?}", f.warnings);

        // 10,000 entries with no aux (none counts as a version): the list of files is capped
        // like the list of versions.
        let vn = verneed_entry(fmt, 0, o[0], 0, 16).repeat(10_000);
        let case = format!("verneed-10000-{}", fmt.name());
        let f = facts(&case, &verneed_file(fmt, &vn, &strs));
        assert_eq!(f.version_needs.len(), Limits::default().max_list, "{case}");
        assert!(has_warning(&f, "version needs; list cut"), "{case}");

        // vn_next = 1: entries read at every byte, overlapping each other.
        let vn = verneed_entry(fmt, 0, o[0], 0, 1).repeat(4096);
        let f = facts(&format!("verneed-step1-{}", fmt.name()), &verneed_file(fmt, &vn, &strs));
        assert!(!f.version_needs.is_empty());
    }
}

#[test]
fn pt_interp_without_nul() {
    for fmt in FORMATS {
        let mut b = Builder::new(fmt);
        let path = b"/lib/ld-linux.so.2";
        let off = b.blob(path);
        let phs = [Ph { p_type: PT_INTERP, offset: off, filesz: path.len() as u64, ..Ph::default() }];
        let case = format!("interp-no-nul-{}", fmt.name());
        let f = facts(&case, &b.finish(Hdr::default(), &phs, &[]));
        assert_header(&case, &f, fmt);
        assert!(f.interpreter.is_none());
        assert!(has_warning(&f, "PT_INTERP unreadable"), "{case}");

        // 1 MiB interpreter path: kept, cut to `max_string`.
        let mut b = Builder::new(fmt);
        let mut path = vec![b'/'; 1 << 20];
        path.push(0);
        let off = b.blob(&path);
        let phs = [Ph { p_type: PT_INTERP, offset: off, filesz: path.len() as u64, ..Ph::default() }];
        let f = facts(&format!("interp-1mib-{}", fmt.name()), &b.finish(Hdr::default(), &phs, &[]));
        assert_eq!(f.interpreter.map(|i| i.len()), Some(4096));
    }
}

#[test]
fn comment_section_with_many_distinct_compilers() {
    // 60,000 distinct "GCC: (x) N" strings in .comment.
    let fmt = FORMATS[0];
    let mut b = Builder::new(fmt);
    let (names, o) = strtab(&[".shstrtab", ".comment"]);
    let names_off = b.blob(&names);
    let mut comment = Vec::new();
    for i in 0..60_000 {
        comment.extend(format!("GCC: (x) {i}\0").bytes());
    }
    let c_off = b.blob(&comment);
    let shs = [
        Sh::default(),
        Sh { name: o[0], sh_type: SHT_STRTAB, offset: names_off, size: names.len() as u64, ..Sh::default() },
        Sh { name: o[1], sh_type: SHT_PROGBITS, offset: c_off, size: comment.len() as u64, ..Sh::default() },
    ];
    let h = Hdr { shstrndx: 1, ..Hdr::default() };
    let f = facts("comment-60000", &b.finish(h, &[], &shs));
    assert_eq!(f.sections[2].name, ".comment");
}

#[test]
fn go_buildinfo_pointers_at_the_top_of_the_address_space() {
    // Old-style (Go < 1.18) build info: a pointer to a string header, through a PT_LOAD whose
    // file offset is near u64::MAX. Following it must not overflow.
    for fmt in [FORMATS[0], FORMATS[1]] {
        let mut b = Builder::new(fmt);
        let mut blob = b"\xff Go buildinf:".to_vec();
        blob.push(8); // pointer size
        blob.push(if fmt.le { 0 } else { 1 }); // flags: pointers, endianness
        let mut w = W::new(fmt);
        w.u64(0x10).u64(0x10);
        blob.extend(w.b);
        // Keep it 16-aligned.
        while b.body.len() % 16 != 0 {
            b.body.push(0);
        }
        b.blob(&blob);
        let phs = [Ph {
            p_type: PT_LOAD,
            offset: u64::MAX - 4,
            vaddr: 0,
            filesz: u64::MAX,
            memsz: u64::MAX,
            ..Ph::default()
        }];
        let case = format!("go-buildinfo-wrap-{}", fmt.name());
        let f = facts(&case, &b.finish(Hdr::default(), &phs, &[]));
        assert_header(&case, &f, fmt);
    }
}
