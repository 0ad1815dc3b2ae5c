//! Go build info (`\xff Go buildinf:` blob): the toolchain version and the module info text.
//! Both layouts: Go >= 1.18 stores the strings inline; older Go stores pointers to Go string
//! headers. Works on `-s -w` and section-less files (the blob is found by its magic).
//! Everything is bounded.

use binsight_elf::VirtAddr;

use crate::Context;

/// Longest Go version string accepted (vendor builds add experiments and CL numbers, e.g.
/// `go1.22-20231128-RC00 cl/586077234 +5d8aa2b11c X:fieldtrack,boringcrypto`).
const MAX_VERSION: usize = 256;
/// Largest module-info text accepted (real ones are a few KiB to a few hundred KiB).
const MAX_MODINFO: usize = 4 << 20;

/// A build-info blob: the Go version, the module info text (sentinels stripped; `None` when
/// unreadable) and the blob's file offset.
pub struct BuildInfo {
    /// The Go version that built the file (`go1.22.1`).
    pub version: String,
    /// The module info text, sentinels stripped; `None` when it is missing or unreadable.
    pub modinfo: Option<String>,
    /// File offset of the blob.
    pub offset: u64,
}

/// The first well-formed build-info blob in the file.
pub fn read(cx: &Context<'_>) -> Option<BuildInfo> {
    let data = cx.elf.data();
    for &off in cx.hits.of("go-buildinfo") {
        let Ok(o) = usize::try_from(off) else { continue };
        // Go aligns the blob to 16 bytes.
        if o % 16 != 0 {
            continue;
        }
        let Some(hdr) = data.get(o..o + 32) else { continue };
        let ptr_size = hdr[14] as usize;
        let flags = hdr[15];
        let (version, modinfo) = if flags & 2 != 0 {
            // Go >= 1.18: two varint-length-prefixed strings after the 32-byte header.
            let Some((v, next)) = read_varint_string(data, o + 32, MAX_VERSION) else { continue };
            (v, read_varint_bytes(data, next, MAX_MODINFO).map(|(m, _)| m))
        } else if ptr_size == 4 || ptr_size == 8 {
            // Go < 1.18: pointers to Go string headers {ptr, len}.
            let big = flags & 1 != 0;
            let Some(v) =
                read_go_string(cx, o + 16, ptr_size, big, MAX_VERSION).and_then(|b| String::from_utf8(b.to_vec()).ok())
            else {
                continue;
            };
            (v, read_go_string(cx, o + 16 + ptr_size, ptr_size, big, MAX_MODINFO))
        } else {
            continue;
        };
        if version.starts_with("go") || version.starts_with("devel") {
            return Some(BuildInfo { version, modinfo: modinfo.map(strip_sentinels), offset: off });
        }
    }
    None
}

/// Go wraps module info in 16 binary sentinel bytes on each side (not UTF-8); without them the
/// text is kept only if it looks like module info.
fn strip_sentinels(b: &[u8]) -> String {
    let inner = if b.len() >= 33 && b[b.len() - 17] == b'\n' { &b[16..b.len() - 16] } else { b };
    if inner.starts_with(b"path\t") || inner.starts_with(b"mod\t") {
        String::from_utf8_lossy(inner).into_owned()
    } else {
        String::new()
    }
}

fn read_ptr(data: &[u8], at: usize, size: usize, big: bool) -> Option<u64> {
    let b = data.get(at..at.checked_add(size)?)?;
    Some(match (size, big) {
        (8, false) => u64::from_le_bytes(b.try_into().ok()?),
        (8, true) => u64::from_be_bytes(b.try_into().ok()?),
        (_, false) => u64::from(u32::from_le_bytes(b.try_into().ok()?)),
        (_, true) => u64::from(u32::from_be_bytes(b.try_into().ok()?)),
    })
}

/// The bytes of a Go string whose header pointer is stored at file offset `at`.
fn read_go_string<'a>(cx: &Context<'a>, at: usize, size: usize, big: bool, max: usize) -> Option<&'a [u8]> {
    let data = cx.elf.data();
    let hdr_va = read_ptr(data, at, size, big)?;
    let hdr = usize::try_from(cx.elf.vaddr_to_offset(VirtAddr(hdr_va))?.0).ok()?;
    let str_va = read_ptr(data, hdr, size, big)?;
    let len = usize::try_from(read_ptr(data, hdr.checked_add(size)?, size, big)?).ok()?;
    if len > max {
        return None;
    }
    let s = usize::try_from(cx.elf.vaddr_to_offset(VirtAddr(str_va))?.0).ok()?;
    data.get(s..s.checked_add(len)?)
}

/// A uvarint-length-prefixed UTF-8 string at `at`; returns it and the offset after it.
pub(crate) fn read_varint_string(data: &[u8], at: usize, max: usize) -> Option<(String, usize)> {
    let (b, end) = read_varint_bytes(data, at, max)?;
    Some((std::str::from_utf8(b).ok()?.to_string(), end))
}

/// uvarint-length-prefixed bytes at `at`; returns them and the offset after them.
fn read_varint_bytes(data: &[u8], mut at: usize, max: usize) -> Option<(&[u8], usize)> {
    let mut len: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *data.get(at)?;
        at += 1;
        len |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
    }
    let len = usize::try_from(len).ok().filter(|l| *l <= max)?;
    let end = at.checked_add(len)?;
    Some((data.get(at..end)?, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_strings_are_bounded() {
        assert_eq!(read_varint_string(b"\x08go1.22.0", 0, MAX_VERSION), Some(("go1.22.0".into(), 9)));
        assert_eq!(read_varint_string(b"\xff\xff\xff\xff\x0f", 0, MAX_VERSION), None);
        assert_eq!(read_varint_string(b"\x09go1.22.0", 0, MAX_VERSION), None);
        assert_eq!(read_varint_string(b"\x81\x02", 0, MAX_VERSION), None);
    }
}
