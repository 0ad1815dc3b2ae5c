//! The data signals of the musl version (`data/musl-signals.tsv`: bytes that changed between
//! releases), and what toolchains say about the musl they bundle: which release
//! (`data/musl-provenance.tsv`) and which fixes they apply to it (`data/musl-patches.tsv`).

use std::sync::OnceLock;

use super::releases::Range;
use crate::tsv::{self, Problem, TableError};
use crate::version;

const SIGNALS: &str = include_str!("../../data/musl-signals.tsv");
const PROVENANCE: &str = include_str!("../../data/musl-provenance.tsv");
const PATCHES: &str = include_str!("../../data/musl-patches.tsv");

/// One data signal: where present it bounds the version to `present`; where its anchor is
/// present and it is not, to `absent`.
#[derive(Debug, Clone)]
pub struct Signal {
    /// The signal's name, used in evidence.
    pub id: String,
    /// The id of the signal whose presence makes this one's absence mean something; `None`
    /// when absence says nothing.
    pub anchor: Option<String>,
    /// The releases the version is bounded to where the pattern is found; `None` when
    /// presence does not bound it.
    pub present: Option<Range>,
    /// The releases the version is bounded to where the anchor is found and this pattern is
    /// not; `None` when absence does not bound it.
    pub absent: Option<Range>,
    /// The bytes searched for.
    pub pattern: Vec<u8>,
}

/// Parse a signal table (the compiled-in one, or one learnt by the corpus evaluation).
pub fn parse_signals(text: &str) -> Result<Vec<Signal>, TableError> {
    tsv::load("musl-signals.tsv", text, 8, |row| {
        Ok(Signal {
            id: row.required(0, "id")?.into(),
            anchor: row.optional(1).map(str::to_string),
            present: Range::from_columns(row, 2, 3)?,
            absent: Range::from_columns(row, 4, 5)?,
            pattern: row.pattern(6)?,
        })
    })
}

/// The compiled-in `data/musl-signals.tsv`.
pub fn signals() -> &'static [Signal] {
    static S: OnceLock<Vec<Signal>> = OnceLock::new();
    tsv::compiled(&S, || parse_signals(SIGNALS))
}

/// Toolchain → bundled musl. Columns: toolchain, first version, last version (`-`: open),
/// machines (`*` or comma list), musl_lo, musl_hi, source.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The toolchain (`rustc`).
    pub toolchain: String,
    /// The first toolchain version the row covers.
    pub first: String,
    /// The last toolchain version the row covers; `None` when it is open (every later one).
    pub last: Option<String>,
    /// The target machines the row covers; `None` for all of them.
    pub machines: Option<Vec<String>>,
    /// The musl releases those toolchains bundle.
    pub range: Range,
    /// Where the fact comes from.
    pub source: String,
}

/// Parse `data/musl-provenance.tsv`; `Err` names the first bad row.
pub fn parse_provenance(text: &str) -> Result<Vec<Provenance>, TableError> {
    tsv::load("musl-provenance.tsv", text, 7, |row| {
        let machines = row.required(3, "machines")?;
        Ok(Provenance {
            toolchain: row.required(0, "toolchain")?.into(),
            first: row.required(1, "first version")?.into(),
            last: row.optional(2).map(str::to_string),
            machines: (machines != "*").then(|| machines.split(',').map(str::to_string).collect()),
            range: Range::from_columns(row, 4, 5)?.ok_or_else(|| row.error(Problem::NoRange))?,
            source: row.required(6, "source")?.into(),
        })
    })
}

/// The compiled-in `data/musl-provenance.tsv`.
pub fn provenance() -> &'static [Provenance] {
    static P: OnceLock<Vec<Provenance>> = OnceLock::new();
    tsv::compiled(&P, || parse_provenance(PROVENANCE))
}

/// The musl a rustc release bundles for a target machine; `None` when the table has no row
/// for that release and machine.
pub fn rustc_musl(rustc: &str, machine: &str) -> Option<&'static Provenance> {
    provenance().iter().find(|p| {
        p.toolchain == "rustc"
            && version::cmp(rustc, &p.first).is_ge()
            && p.last.as_deref().is_none_or(|l| version::cmp(rustc, l).is_le())
            && p.machines.as_ref().is_none_or(|m| m.iter().any(|x| x == machine))
    })
}

/// A row of data/musl-patches.tsv: a fix a toolchain applies to the musl it bundles.
#[derive(Debug, Clone)]
pub struct PatchRow {
    /// The toolchain (`rustc`).
    pub toolchain: String,
    /// The first toolchain version that applies the fix.
    pub first: String,
    /// The last toolchain version that applies it; `None` when it is open (every later one).
    pub last: Option<String>,
    /// The fix's name.
    pub id: String,
    /// Where the fact comes from.
    pub source: String,
}

/// Parse `data/musl-patches.tsv`; `Err` names the first bad row.
pub fn parse_patches(text: &str) -> Result<Vec<PatchRow>, TableError> {
    tsv::load("musl-patches.tsv", text, 5, |row| {
        Ok(PatchRow {
            toolchain: row.required(0, "toolchain")?.into(),
            first: row.required(1, "first version")?.into(),
            last: row.optional(2).map(str::to_string),
            id: row.required(3, "fix id")?.into(),
            source: row.required(4, "source")?.into(),
        })
    })
}

/// The compiled-in `data/musl-patches.tsv`.
pub fn patch_rows() -> &'static [PatchRow] {
    static P: OnceLock<Vec<PatchRow>> = OnceLock::new();
    tsv::compiled(&P, || parse_patches(PATCHES))
}

/// The fixes rustc `v` applies to the musl it bundles.
pub fn rustc_patches(v: &str) -> impl Iterator<Item = &'static PatchRow> + '_ {
    patch_rows().iter().filter(move |p| {
        p.toolchain == "rustc"
            && version::cmp(v, &p.first).is_ge()
            && p.last.as_deref().is_none_or(|l| version::cmp(v, l).is_le())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load() {
        assert!(signals().len() >= 4);
        assert!(provenance().iter().any(|p| p.toolchain == "rustc"));
    }

    #[test]
    fn rust_provenance() {
        assert_eq!(rustc_musl("1.69.0", "x86_64").map(|p| p.range.render()).as_deref(), Some("<=1.1.24"));
        assert_eq!(rustc_musl("1.80.1", "x86_64").map(|p| p.range.render()).as_deref(), Some("1.2.3"));
        assert_eq!(rustc_musl("1.93.0", "aarch64").map(|p| p.range.render()).as_deref(), Some("1.2.5"));
    }

    #[test]
    fn patch_rows_parse_and_start_at_verified_releases() {
        let rows = patch_rows();
        assert!(rows.iter().any(|r| r.toolchain == "rustc" && r.first == "1.93.0" && r.id == "CVE-2025-26519"));
        assert!(rows.iter().filter(|r| r.first == "1.95.0").count() >= 2);
        // 1.71-1.92 bundles are claimed unpatched (scripts/check-rust-musl-patches.py).
        assert!(!rows.iter().any(|r| version::cmp(&r.first, "1.93.0").is_lt()));
    }
}
