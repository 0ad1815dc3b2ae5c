//! Facts read from the ELF headers: machine, linkage, dynamic section, notes, segments.

use serde::{Deserialize, Serialize};

/// Byte order of the file (`EI_DATA`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Endian {
    /// Little-endian.
    Little,
    /// Big-endian.
    Big,
}

/// What kind of ELF file it is (`e_type`).
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
    /// Any other `e_type` (OS- or processor-specific).
    Other,
}

/// How the binary gets the code it links: carried in the file, or loaded at run time.
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

/// One program header (segment).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// `p_type` without its `PT_` prefix (`LOAD`, `INTERP`, `GNU_STACK`…), or the number in hex.
    #[serde(rename = "type")]
    pub kind: String,
    /// `R`, `W`, `X` letters.
    pub flags: String,
    /// Offset of its bytes in the file.
    pub offset: u64,
    /// Virtual address it is mapped at.
    pub vaddr: u64,
    /// Bytes it takes in the file.
    pub filesz: u64,
    /// Bytes it takes in memory (more than `filesz` for `.bss`).
    pub memsz: u64,
}

/// One section header, kept for detectors (not in JSON).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Its name (`.text`, `.rodata`…).
    pub name: String,
    /// `sh_type`, raw.
    #[serde(rename = "type")]
    pub kind: u32,
    /// Offset of its bytes in the file.
    pub offset: u64,
    /// Size in bytes (in the file, unless `SHT_NOBITS`).
    pub size: u64,
    /// Virtual address when loaded, 0 when not loaded.
    pub addr: u64,
    /// `sh_flags`, raw.
    pub flags: u64,
}

/// `.note.ABI-tag`: the OS and minimum kernel the C library was built for (glibc's crt1.o).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AbiTag {
    /// The OS the note names (`Linux`, `GNU`, `Solaris`, `FreeBSD`…).
    pub os: String,
    /// Minimum kernel version, dotted (`3.2.0`).
    pub kernel: String,
}

/// `.note.gnu.property` control-flow protection bits.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct GnuProperty {
    /// x86 indirect branch tracking (`GNU_PROPERTY_X86_FEATURE_1_IBT`).
    pub x86_ibt: bool,
    /// x86 shadow stack (`GNU_PROPERTY_X86_FEATURE_1_SHSTK`).
    pub x86_shstk: bool,
    /// AArch64 branch target identification (`GNU_PROPERTY_AARCH64_FEATURE_1_BTI`).
    pub aarch64_bti: bool,
    /// AArch64 pointer authentication (`GNU_PROPERTY_AARCH64_FEATURE_1_PAC`).
    pub aarch64_pac: bool,
}

/// Versions required from one shared library (DT_VERNEED).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct VersionNeed {
    /// The library's file name (`libc.so.6`).
    pub file: String,
    /// The version names needed from it (`GLIBC_2.34`…).
    pub versions: Vec<String>,
}

/// What the ELF container itself says, before any interpretation.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ElfFacts {
    /// `x86_64`, `aarch64`, `arm`, `i386`, `riscv64`, `mips`, `ppc64le`… (see `machine_name`).
    pub machine: String,
    /// 32 or 64.
    pub class: u8,
    /// Byte order.
    pub endian: Endian,
    /// `e_type`.
    #[serde(rename = "type")]
    pub elf_type: ElfType,
    /// Static, static-PIE, dynamic, or none (not runnable).
    pub linkage: Linkage,
    /// True for a shared library (ET_DYN that is not an executable).
    pub shared_library: bool,
    /// Entry point address (`e_entry`).
    pub entry: u64,
    /// The dynamic linker (`PT_INTERP`); `None` when there is none (static binaries, libraries).
    pub interpreter: Option<String>,
    /// Shared libraries it needs (`DT_NEEDED`), in order.
    pub needed: Vec<String>,
    /// `DT_SONAME`; `None` when absent.
    pub soname: Option<String>,
    /// `DT_RPATH` entries, split on `:`.
    pub rpath: Vec<String>,
    /// `DT_RUNPATH` entries, split on `:`.
    pub runpath: Vec<String>,
    /// Symbols resolved at load time (`DF_BIND_NOW` or `DF_1_NOW`, or `DT_BIND_NOW`).
    pub bind_now: bool,
    /// DT_FLAGS and DT_FLAGS_1 values, raw.
    pub dt_flags: u64,
    /// `DT_FLAGS_1`, raw (0 when absent).
    pub dt_flags_1: u64,
    /// Relocations write to text (`DT_TEXTREL` or `DF_TEXTREL`).
    pub textrel: bool,
    /// `.note.gnu.build-id` as hex; `None` when there is none.
    pub build_id: Option<String>,
    /// `.note.ABI-tag`; `None` when there is none.
    pub abi_tag: Option<AbiTag>,
    /// Control-flow protection bits of `.note.gnu.property` (all false when there is none).
    pub gnu_property: GnuProperty,
    /// Symbol versions needed, per library (`DT_VERNEED`).
    pub version_needs: Vec<VersionNeed>,
    /// No `.symtab`.
    pub stripped: bool,
    /// `.debug_info` (or compressed) present.
    pub debug_info: bool,
    /// A separate debug-info file (`.text` is NOBITS): describes a binary, cannot run.
    pub separate_debug: bool,
    /// PT_GNU_STACK flags, `None` when there is no PT_GNU_STACK.
    pub gnu_stack: Option<String>,
    /// A `PT_GNU_RELRO` segment is present.
    pub gnu_relro: bool,
    /// Program headers, in file order.
    pub segments: Vec<Segment>,
    /// Number of section headers.
    pub section_count: usize,
    /// Symbol counts (symtab, dynsym), capped by limits.
    pub symbols: usize,
    /// Dynamic symbol count (`.dynsym`), capped by limits.
    pub dynamic_symbols: usize,
    /// Problems found while reading (malformed but partly readable parts).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub warnings: Vec<String>,
    /// Sections are kept for detectors but left out of JSON (too large for line output).
    #[serde(skip)]
    pub sections: Vec<Section>,
}
