//! Program headers: the segment list, the interpreter, PT_GNU_STACK / PT_GNU_RELRO, and
//! virtual-address → file-offset translation through PT_LOAD.

use binsight_model::Segment;
use object::elf;
use object::read::elf::{FileHeader, ProgramHeader as _};
use object::Endianness;

use crate::strings::lossy;
use crate::Limits;

/// What the program headers say.
pub(crate) struct Segments<'a, H: FileHeader> {
    /// The headers read (at most `max_segments`).
    pub phdrs: &'a [H::ProgramHeader],
    pub list: Vec<Segment>,
    pub interpreter: Option<String>,
    /// Flags (`RW`, `RWX`) of PT_GNU_STACK, if there is one.
    pub gnu_stack: Option<String>,
    pub gnu_relro: bool,
}

/// `R`, `W`, `X` letters of a segment's `p_flags`.
fn flags_text(fl: u32) -> String {
    format!(
        "{}{}{}",
        if fl & elf::PF_R.0 != 0 { "R" } else { "" },
        if fl & elf::PF_W.0 != 0 { "W" } else { "" },
        if fl & elf::PF_X.0 != 0 { "X" } else { "" }
    )
}

/// Read the program headers; problems become `warnings`.
pub(crate) fn read<'a, H: FileHeader<Endian = Endianness>>(
    header: &H,
    endian: Endianness,
    data: &'a [u8],
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Segments<'a, H> {
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
    let mut out =
        Segments { phdrs, list: Vec::with_capacity(phdrs.len()), interpreter: None, gnu_stack: None, gnu_relro: false };
    for ph in phdrs {
        let pt = ph.p_type(endian);
        let flags = flags_text(ph.p_flags(endian).0);
        match pt {
            elf::PT_INTERP => match ph.interpreter(endian, data) {
                Ok(Some(i)) => out.interpreter = Some(lossy(i, limits)),
                Ok(None) => {}
                Err(e) => warnings.push(format!("PT_INTERP unreadable: {e}")),
            },
            elf::PT_GNU_STACK => out.gnu_stack = Some(flags.clone()),
            elf::PT_GNU_RELRO => out.gnu_relro = true,
            _ => {}
        }
        out.list.push(Segment {
            kind: segment_type_name(pt.0),
            flags,
            offset: ph.p_offset(endian).into(),
            vaddr: ph.p_vaddr(endian).into(),
            filesz: ph.p_filesz(endian).into(),
            memsz: ph.p_memsz(endian).into(),
        });
    }
    out
}

/// File offset of `addr` through the first of `loads` (vaddr, filesz, offset) that maps it
/// from file bytes; `None` when none does or the offset would overflow.
pub(crate) fn load_offset(loads: impl Iterator<Item = (u64, u64, u64)>, addr: u64) -> Option<u64> {
    let mut loads = loads;
    // A hostile p_offset near u64::MAX must not overflow.
    loads.find(|&(va, sz, _)| addr >= va && addr - va < sz).and_then(|(va, _, off)| off.checked_add(addr - va))
}

/// File offset of `addr` through raw PT_LOAD headers: unlike [`load_offset`], a segment whose
/// offset would overflow is passed over for the next one that maps `addr`.
pub(crate) fn vaddr_to_offset<H: FileHeader<Endian = Endianness>>(
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

/// The name binsight gives a segment type (`LOAD`, `GNU_STACK`), or its number in hex.
pub fn segment_type_name(pt: u32) -> String {
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
