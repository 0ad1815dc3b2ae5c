//! One file's bytes to its report: parse the ELF (bounded by the default
//! [`binsight_elf::Limits`]), run
//! every detector (each within its [`crate::Budget`]), hash the bytes, and index a Go binary's
//! function names for the audit. The command line, the corpus evaluation, the benchmarks and
//! the fuzz targets all go through [`analyze_file`]; matching advisories is the next step
//! (`binsight_advisory::audit`), which works on the report alone.

use binsight_elf::{Elf, ElfError};
use binsight_model::{BinaryReport, GoFunctionIndex};
use sha2::Digest as _;

use crate::Options;

/// Why a file has no report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnalyzeError {
    /// No ELF magic: not a Linux executable, shared library or object.
    #[error("not an ELF file (no \\x7fELF magic); binsight reads Linux executables and shared libraries")]
    NotElf,
    /// ELF magic, but a header binsight cannot read (the error says which and why).
    #[error(transparent)]
    Elf(ElfError),
}

impl From<ElfError> for AnalyzeError {
    fn from(e: ElfError) -> Self {
        match e {
            ElfError::NotElf => AnalyzeError::NotElf,
            e => AnalyzeError::Elf(e),
        }
    }
}

/// Everything binsight can say about one file from its bytes, before advisories: `path` is
/// how the report names it. `Err` only when the bytes are not an ELF file binsight can read;
/// a damaged file past its header still gets a report (problems in `unknowns` and
/// `elf.warnings`), and a detector over its budget marks the report `partial`.
pub fn analyze_file(path: &str, data: &[u8], options: &Options) -> Result<BinaryReport, AnalyzeError> {
    let elf = Elf::parse(data, &binsight_elf::Limits::default())?;
    let mut report = crate::analyze_elf(path, &elf, options);
    if options.hash {
        report.sha256 = format!("{:x}", sha2::Sha256::digest(data));
    }
    if options.go_functions && report.components.iter().any(|c| c.kind.is_go()) {
        // Go keeps every function name in its pclntab: index that section, or the whole file
        // when the section headers do not name it.
        let names = elf.section(".gopclntab").map(|(_, b)| b).filter(|b| !b.is_empty()).unwrap_or(data);
        report.go_functions = Some(GoFunctionIndex::from_name_table(names));
    }
    Ok(report)
}
