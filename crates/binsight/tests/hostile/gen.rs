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

/// A raw tar header (GNU format) for an entry of `kind` claiming `size` bytes; the caller
/// writes the data and [`pad`]s it.
pub fn tar_header(kind: u8, name: &str, size: u64) -> [u8; 512] {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    h.set_mode(0o755);
    h.set_size(size);
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_cksum();
    let mut out = [0u8; 512];
    out.copy_from_slice(h.as_bytes());
    out
}

/// Zero bytes up to the next 512-byte boundary after `len` bytes of data.
pub fn pad(len: u64) -> Vec<u8> {
    vec![0; ((512 - len % 512) % 512) as usize]
}

/// A regular file entry with its data.
pub fn tar_file(out: &mut Vec<u8>, name: &str, data: &[u8]) {
    out.extend(tar_header(b'0', name, data.len() as u64));
    out.extend(data);
    out.extend(pad(data.len() as u64));
}

/// A hard link entry.
pub fn tar_link(out: &mut Vec<u8>, name: &str, target: &str) {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    h.set_entry_type(tar::EntryType::Link);
    h.set_size(0);
    h.set_link_name(target).expect("link name");
    h.set_cksum();
    out.extend(h.as_bytes());
}

/// A GNU long name record for the next entry.
pub fn tar_long_name(out: &mut Vec<u8>, name: &str) {
    out.extend(tar_header(b'L', "././@LongLink", name.len() as u64));
    out.extend(name.as_bytes());
    out.extend(pad(name.len() as u64));
}

/// The ELF bytes of [`good_elf`].
pub fn good_elf_bytes() -> Vec<u8> {
    let d = tempfile::tempdir().expect("tmp");
    good_elf(&d.path().join("e"));
    std::fs::read(d.path().join("e")).expect("read")
}

pub fn sha256(b: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{:x}", sha2::Sha256::digest(b))
}

/// An OCI image layout at `dir` whose manifest lists `layers` (blob digest, size) in order;
/// the blobs must already be in `dir/blobs/sha256/`. Returns the layout path.
pub fn oci_layout(dir: &std::path::Path, layers: &[(String, u64)]) -> std::path::PathBuf {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).expect("mkdir");
    let put = |b: &[u8]| {
        let d = sha256(b);
        std::fs::write(blobs.join(d.trim_start_matches("sha256:")), b).expect("blob");
        (d, b.len())
    };
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.0.clone()).collect::<Vec<_>>()}
    });
    let (cd, cl) = put(&serde_json::to_vec(&config).expect("json"));
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cl},
        "layers": layers.iter().map(|(d, n)| serde_json::json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": n
        })).collect::<Vec<_>>()
    });
    let (md, ml) = put(&serde_json::to_vec(&manifest).expect("json"));
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ml,
        "platform": {"architecture": "amd64", "os": "linux"}
    }]});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).expect("json")).expect("index");
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).expect("oci-layout");
    dir.to_path_buf()
}

/// Store `blob` in the layout at `dir`; its (digest, size) for [`oci_layout`].
pub fn put_blob(dir: &std::path::Path, blob: &[u8]) -> (String, u64) {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).expect("mkdir");
    let d = sha256(blob);
    std::fs::write(blobs.join(d.trim_start_matches("sha256:")), blob).expect("blob");
    (d, blob.len() as u64)
}

/// Gzip `parts` (streamed: written as generated) into the layout at `dir` as one blob.
pub fn put_gzip_blob(dir: &std::path::Path, write: impl FnOnce(&mut dyn Write)) -> (String, u64) {
    let tmp = dir.join("blob.tmp");
    std::fs::create_dir_all(dir).expect("mkdir");
    let f = std::fs::File::create(&tmp).expect("create");
    let mut gz = flate2::write::GzEncoder::new(std::io::BufWriter::new(f), flate2::Compression::fast());
    write(&mut gz);
    gz.finish().expect("gzip").flush().expect("flush");
    let bytes = std::fs::read(&tmp).expect("read");
    std::fs::remove_file(&tmp).expect("rm");
    put_blob(dir, &bytes)
}
