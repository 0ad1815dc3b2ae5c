//! Raw tar records, written byte by byte: names and sizes the `tar` crate would refuse or
//! rewrite (hostile cases), streamed into any `Vec`.

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

/// A symbolic link entry (target up to 100 bytes).
pub fn tar_symlink(out: &mut Vec<u8>, name: &str, target: &str) {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    h.set_entry_type(tar::EntryType::Symlink);
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
