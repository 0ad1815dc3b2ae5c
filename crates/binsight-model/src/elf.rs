//! Facts read from the ELF headers: machine, linkage, dynamic section, notes, segments.

use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Endian {
    Little,
    Big,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ElfType {
    /// ET_REL: object file.
    Rel,
    /// ET_EXEC: fixed-address executable.
    Exec,
    /// ET_DYN: PIE executable or shared library.
    Dyn,
    /// ET_CORE.
    Core,
    Other,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Linkage {
    /// No interpreter, fixed address.
    Static,
    /// No interpreter, position independent, relocates itself.
    StaticPie,
    /// Loaded by a dynamic linker (PT_INTERP) or a shared library.
    Dynamic,
    /// Object files and other non-runnable ELF files.
    None,
}

impl Linkage {
    /// Carries its own libc and everything else it links: [`Static`](Linkage::Static) or
    /// [`StaticPie`](Linkage::StaticPie).
    pub fn is_static(self) -> bool {
        matches!(self, Linkage::Static | Linkage::StaticPie)
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    #[serde(rename = "type")]
    pub kind: String,
    /// `R`, `W`, `X` letters.
    pub flags: String,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: u32,
    pub offset: u64,
    pub size: u64,
    pub addr: u64,
    pub flags: u64,
}

/// `.note.ABI-tag`: the OS and minimum kernel the C library was built for (glibc's crt1.o).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AbiTag {
    pub os: String,
    pub kernel: String,
}

/// `.note.gnu.property` control-flow protection bits.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct GnuProperty {
    pub x86_ibt: bool,
    pub x86_shstk: bool,
    pub aarch64_bti: bool,
    pub aarch64_pac: bool,
}

/// Versions required from one shared library (DT_VERNEED).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct VersionNeed {
    pub file: String,
    pub versions: Vec<String>,
}

/// What the ELF container itself says, before any interpretation.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ElfFacts {
    /// `x86_64`, `aarch64`, `arm`, `i386`, `riscv64`, `mips`, `ppc64le`… (see `machine_name`).
    pub machine: String,
    /// 32 or 64.
    pub class: u8,
    pub endian: Endian,
    #[serde(rename = "type")]
    pub elf_type: ElfType,
    pub linkage: Linkage,
    /// True for a shared library (ET_DYN that is not an executable).
    pub shared_library: bool,
    pub entry: u64,
    pub interpreter: Option<String>,
    pub needed: Vec<String>,
    pub soname: Option<String>,
    pub rpath: Vec<String>,
    pub runpath: Vec<String>,
    pub bind_now: bool,
    /// DT_FLAGS and DT_FLAGS_1 values, raw.
    pub dt_flags: u64,
    pub dt_flags_1: u64,
    pub textrel: bool,
    pub build_id: Option<String>,
    pub abi_tag: Option<AbiTag>,
    pub gnu_property: GnuProperty,
    pub version_needs: Vec<VersionNeed>,
    /// No `.symtab`.
    pub stripped: bool,
    /// `.debug_info` (or compressed) present.
    pub debug_info: bool,
    /// A separate debug-info file (`.text` is NOBITS): describes a binary, cannot run.
    pub separate_debug: bool,
    /// PT_GNU_STACK flags, `None` when there is no PT_GNU_STACK.
    pub gnu_stack: Option<String>,
    pub gnu_relro: bool,
    pub segments: Vec<Segment>,
    pub section_count: usize,
    /// Symbol counts (symtab, dynsym), capped by limits.
    pub symbols: usize,
    pub dynamic_symbols: usize,
    /// Problems found while reading (malformed but partly readable parts).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub warnings: Vec<String>,
    /// Sections are kept for detectors but left out of JSON (too large for line output).
    #[serde(skip)]
    pub sections: Vec<Section>,
}
