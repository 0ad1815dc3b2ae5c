//! Small generators for hostile inputs: ELF files section by section, tar streams entry by
//! entry, image archives. Nothing stored; every case is built from its recipe here.
#![allow(dead_code)]

use std::io::Write;

/// Writes a section's `size` bytes.
pub type Fill = Box<dyn Fn(&mut dyn Write, u64) -> std::io::Result<()>>;

/// One ELF64 little-endian section: name, type, flags, contents (written to the file, or
/// streamed from a generator when large).
pub struct Section {
    pub name: &'static str,
    pub kind: u32,
    pub flags: u64,
    pub size: u64,
    pub fill: Fill,
}

pub const SHT_PROGBITS: u32 = 1;
pub const SHF_ALLOC: u64 = 2;
pub const SHF_EXECINSTR: u64 = 4;

impl Section {
    pub fn bytes(name: &'static str, kind: u32, flags: u64, data: Vec<u8>) -> Section {
        let size = data.len() as u64;
        Section { name, kind, flags, size, fill: Box::new(move |w, _| w.write_all(&data)) }
    }
}

/// Write a static x86_64 ELF64 executable (no interpreter, no dynamic section) with these
/// sections after the header; section headers at the end.
pub fn write_elf(path: &std::path::Path, sections: &[Section]) {
    let f = std::fs::File::create(path).expect("create ELF");
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    let mut shstrtab = vec![0u8];
    let mut names = Vec::new();
    for s in sections.iter().map(|s| s.name).chain([".shstrtab"]) {
        names.push(shstrtab.len() as u32);
        shstrtab.extend(s.as_bytes());
        shstrtab.push(0);
    }
    let mut offsets = Vec::new();
    let mut off = 64u64;
    for s in sections {
        offsets.push(off);
        off += s.size;
    }
    let shstr_off = off;
    off += shstrtab.len() as u64;
    let shoff = (off + 7) & !7;
    let shnum = sections.len() as u16 + 2;
    // ELF header.
    let mut h = Vec::with_capacity(64);
    h.extend(b"\x7fELF\x02\x01\x01\x00");
    h.extend([0u8; 8]);
    h.extend(2u16.to_le_bytes()); // ET_EXEC
    h.extend(62u16.to_le_bytes()); // EM_X86_64
    h.extend(1u32.to_le_bytes());
    h.extend(0x401000u64.to_le_bytes()); // entry
    h.extend(0u64.to_le_bytes()); // phoff
    h.extend(shoff.to_le_bytes());
    h.extend(0u32.to_le_bytes());
    h.extend(64u16.to_le_bytes());
    h.extend(56u16.to_le_bytes());
    h.extend(0u16.to_le_bytes()); // phnum
    h.extend(64u16.to_le_bytes());
    h.extend(shnum.to_le_bytes());
    h.extend((shnum - 1).to_le_bytes()); // shstrndx
    w.write_all(&h).expect("write");
    for s in sections {
        (s.fill)(&mut w, s.size).expect("write section");
    }
    w.write_all(&shstrtab).expect("write");
    w.write_all(&vec![0u8; (shoff - off) as usize]).expect("write");
    // Section headers: null, ours, .shstrtab.
    w.write_all(&[0u8; 64]).expect("write");
    let mut sh = |name: u32, kind: u32, flags: u64, addr: u64, offset: u64, size: u64| {
        let mut e = Vec::with_capacity(64);
        e.extend(name.to_le_bytes());
        e.extend(kind.to_le_bytes());
        e.extend(flags.to_le_bytes());
        e.extend(addr.to_le_bytes());
        e.extend(offset.to_le_bytes());
        e.extend(size.to_le_bytes());
        e.extend(0u32.to_le_bytes());
        e.extend(0u32.to_le_bytes());
        e.extend(16u64.to_le_bytes());
        e.extend(0u64.to_le_bytes());
        w.write_all(&e).expect("write");
    };
    for (i, s) in sections.iter().enumerate() {
        let addr = if s.flags & SHF_ALLOC != 0 { 0x400000 + offsets[i] } else { 0 };
        sh(names[i], s.kind, s.flags, addr, offsets[i], s.size);
    }
    sh(names[sections.len()], 3, 0, 0, shstr_off, shstrtab.len() as u64);
    w.flush().expect("flush");
}

/// The strings by which a static musl binary with its DNS resolver linked is recognised
/// (musl's strerror and gai_strerror messages, resolv.conf's path).
pub fn musl_rodata() -> Vec<u8> {
    let mut v = Vec::new();
    for s in [
        "No error information",
        "Illegal byte sequence",
        "Not a tty",
        "Name does not resolve",
        "Unrecognized address family or invalid length",
        "/etc/resolv.conf",
    ] {
        v.extend(s.as_bytes());
        v.push(0);
    }
    v
}

/// `size` bytes of x86_64 `lea disp32(%rsp),%rax` instructions whose displacements step by 280
/// (musl's qbuf step) and 4800 (its ABUF_SIZE): the musl code signal's worst case.
pub fn lea_flood() -> Fill {
    Box::new(|w, size| {
        let mut block = Vec::with_capacity(1 << 20);
        let mut d = 0x100u32;
        let mut left = size;
        while left > 0 {
            block.clear();
            while block.len() + 8 <= 1 << 20 {
                block.extend([0x48, 0x8d, 0x84, 0x24]);
                block.extend(d.to_le_bytes());
                d = match d % 3 {
                    0 => d + 280,
                    1 => d + 4800,
                    _ => d + 7,
                } % 0x10_0000;
            }
            let n = left.min(block.len() as u64) as usize;
            w.write_all(&block[..n])?;
            left -= n as u64;
        }
        Ok(())
    })
}

/// A small valid executable to sit beside hostile files: the scan must still report it.
pub fn good_elf(path: &std::path::Path) {
    write_elf(
        path,
        &[
            Section::bytes(".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, vec![0xc3; 64]),
            Section::bytes(".rodata", SHT_PROGBITS, SHF_ALLOC, musl_rodata()),
        ],
    );
}

pub use binsight_testkit::image::{put_blob, put_gzip_blob};
pub use binsight_testkit::rawtar::{tar_file, tar_header, tar_link, tar_long_name};

/// The ELF bytes of [`good_elf`].
pub fn good_elf_bytes() -> Vec<u8> {
    let d = tempfile::tempdir().expect("tmp");
    good_elf(&d.path().join("e"));
    std::fs::read(d.path().join("e")).expect("read")
}

pub fn sha256(b: &[u8]) -> String {
    binsight_testkit::image::digest(b)
}

/// An OCI image layout at `dir` whose manifest lists `layers` (blob digest, size) in order, as
/// uncompressed layers whose diff_ids are their digests; the blobs must already be in
/// `dir/blobs/sha256/`. Returns the layout path.
pub fn oci_layout(dir: &std::path::Path, layers: &[(String, u64)]) -> std::path::PathBuf {
    use binsight_testkit::image::{config_blob, oci_index, LAYER_TAR};
    let diff_ids: Vec<String> = layers.iter().map(|l| l.0.clone()).collect();
    let config = config_blob(&diff_ids, serde_json::json!({}));
    let descriptors: Vec<_> = layers.iter().map(|(d, n)| (d.clone(), *n, LAYER_TAR)).collect();
    oci_index(dir, &config, &descriptors, None);
    dir.to_path_buf()
}
