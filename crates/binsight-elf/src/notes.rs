//! GNU notes: build id, ABI tag (minimum kernel), and `.note.gnu.property` (CET, BTI/PAC); from
//! `SHT_NOTE` sections, else `PT_NOTE` segments.

use binsight_model::{AbiTag, GnuProperty};
use object::elf;
use object::read::elf::{FileHeader, NoteIterator, ProgramHeader as _, SectionHeader as _, SectionTable};
use object::{Endian as _, Endianness};

use crate::Limits;

/// What the GNU notes say.
#[derive(Default)]
pub(crate) struct NoteInfo {
    pub build_id: Option<String>,
    pub abi_tag: Option<AbiTag>,
    pub property: GnuProperty,
}

/// Read the notes (at most `max_notes`): from the SHT_NOTE sections if there are any, else the
/// PT_NOTE segments. Problems become `warnings`.
pub(crate) fn read<'a, H: FileHeader<Endian = Endianness>>(
    data: &'a [u8],
    endian: Endianness,
    table: Option<&SectionTable<'a, H, &'a [u8]>>,
    phdrs: &'a [H::ProgramHeader],
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> NoteInfo {
    let mut reader = Reader { notes: NoteInfo::default(), count: 0, endian, limits };
    let mut from_sections = false;
    if let Some(table) = table {
        for sh in table.iter().take(limits.max_sections) {
            if sh.sh_type(endian) == elf::SHT_NOTE {
                from_sections = true;
                reader.read(sh.notes(endian, data), warnings);
            }
        }
    }
    if !from_sections {
        for ph in phdrs {
            if ph.p_type(endian) == elf::PT_NOTE {
                reader.read(ph.notes(endian, data), warnings);
            }
        }
    }
    reader.notes
}

/// Notes read so far, and how many (all sections and segments count towards `max_notes`).
struct Reader<'l> {
    notes: NoteInfo,
    count: usize,
    endian: Endianness,
    limits: &'l Limits,
}

impl Reader<'_> {
    fn read<H: FileHeader<Endian = Endianness>>(
        &mut self,
        iter: object::read::Result<Option<NoteIterator<'_, H>>>,
        warnings: &mut Vec<String>,
    ) {
        let mut it = match iter {
            Ok(Some(it)) => it,
            Ok(None) => return,
            Err(e) => {
                warnings.push(format!("note unreadable: {e}"));
                return;
            }
        };
        loop {
            if self.count >= self.limits.max_notes {
                return;
            }
            match it.next() {
                Ok(Some(note)) => {
                    self.count += 1;
                    self.notes.add::<H>(&note, self.endian, self.limits);
                }
                Ok(None) => return,
                Err(e) => {
                    warnings.push(format!("note unreadable: {e}"));
                    return;
                }
            }
        }
    }
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
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
