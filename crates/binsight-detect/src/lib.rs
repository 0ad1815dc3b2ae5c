//! Detectors: turn ELF facts and bytes into identifications, each with evidence and confidence.
//!
//! Detectors are plug-ins with a name ([`Detector`]); [`registry`] lists them in the order they
//! run, so a later one (portability) can read what an earlier one (libc, toolchain) decided.
//! Signatures, version tables and the other facts detectors rely on are data (`data/*.tsv`,
//! compiled in, read by the one strict loader in `tsv.rs`), not code.
//!
//! Layers, lowest first: leaf helpers (`tsv`: the table loader; [`version`]; [`budget`]'s
//! [`Meter`]; [`signatures`]: the byte-signature scanner; the release tables
//! [`rust_releases`], [`zig_releases`]); then the detectors (`toolchain`, [`go`], `libc`,
//! [`musl`], `libc_functions`, `hardening`, `portability`, `dns`, [`components`], [`bundled`]); then this
//! file, which builds the scanner's pattern list and runs the detectors in order. A module
//! only uses modules of its own layer or below; `scripts/metrics/module_cycles.py` checks that
//! no import cycle forms.

#![warn(missing_docs, unreachable_pub)]

use std::sync::OnceLock;

use binsight_elf::{Elf, SectionFacts as _};
use binsight_model::{
    BinaryReport, Check, Dns, Hardening, Libc, Portability, PortabilityVerdict, Status, Toolchain, Unknown,
    SCHEMA_VERSION,
};

pub mod budget;
pub mod bundled;
pub mod components;
pub mod crate_paths;
mod dns;
pub mod glibc_version;
pub mod go;
mod hardening;
mod libc;
mod libc_functions;
pub mod musl;
mod pipeline;
mod portability;
pub mod rust_releases;
pub mod signatures;
mod symbols;
mod toolchain;
mod tsv;
pub mod version;
pub mod zig_releases;

pub use budget::{Budget, Exhausted, Meter};
/// Former path of [`go`] (build info and module info).
pub use go as go_buildinfo;
/// Former path of [`musl`] (`Range`, `RELEASES`, signal tables, options).
pub use musl as musl_version;
pub use signatures::{Hits, Scanner, Signature};
pub use tsv::{Problem, TableError};

pub use pipeline::{analyze_file, AnalyzeError};

/// What a detector sees: the parsed file and the signature hits of one pass over its bytes.
pub struct Context<'a> {
    /// The parsed file: its facts and its bytes.
    pub elf: &'a Elf<'a>,
    /// Where each signature of the [`Scanner`] matched in the file's bytes.
    pub hits: &'a Hits<'a>,
}

/// The report under construction; detectors fill their part and may read earlier parts.
pub struct ReportDraft {
    /// The C library and its version (the libc and musl detectors).
    pub libc: Libc,
    /// The compilers and languages that built the file (the toolchain and Go detectors).
    pub toolchain: Toolchain,
    /// The hardening checks and what each found.
    pub hardening: Hardening,
    /// The oldest distributions and kernel the file can run on.
    pub portability: Portability,
    /// How the file resolves names (the DNS detector).
    pub dns: Dns,
    /// Go dependencies from build info (the toolchain detector reads them; components uses them).
    pub go_modules: Vec<binsight_model::GoModule>,
    /// Components linked into the file (libc, Go modules, Rust crates), for the SBOM.
    pub components: Vec<binsight_model::Component>,
    /// Whether every detector finished (`partial` when one ran out of budget).
    pub completeness: binsight_model::Completeness,
    /// What a detector could not decide, and why.
    pub unknowns: Vec<Unknown>,
}

/// A detector: reads the [`Context`] and fills its part of the [`ReportDraft`].
pub trait Detector: Sync {
    /// Stable name, used in `unknowns[].origin`.
    fn name(&self) -> &'static str;
    /// Fill this detector's part of `out`. Work that grows with what a file holds (searches,
    /// lists) is charged to `meter`, a fresh [`Budget`] per detector and file; when it runs out
    /// the detector stops, keeps what it found, and the file is marked `partial`.
    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, meter: &mut Meter);
}

/// All detectors, in run order.
pub fn registry(options: &Options) -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(toolchain::ToolchainDetector),
        Box::new(go::GoDetector),
        Box::new(libc::LibcDetector),
        Box::new(glibc_version::GlibcVersionDetector),
        Box::new(musl::MuslVersionDetector { options: options.musl }),
        Box::new(libc_functions::LibcFunctionsDetector),
        Box::new(hardening::HardeningDetector),
        Box::new(portability::PortabilityDetector),
        Box::new(dns::DnsDetector),
        Box::new(components::ComponentsDetector),
        Box::new(bundled::BundledDetector),
    ]
}

/// How detectors run; the default is what users get.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// How the musl version engine runs.
    pub musl: musl::Options,
    /// What each detector may spend on one file.
    pub budget: Budget,
    /// [`analyze_file`] computes the file's SHA-256 (`sha256` in the report). Off when no
    /// output needs it.
    pub hash: bool,
    /// [`analyze_file`] indexes a Go binary's function names for the audit
    /// (`BinaryReport::go_functions`). Off when there is no audit.
    pub go_functions: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { musl: Default::default(), budget: Budget::default(), hash: true, go_functions: true }
    }
}

/// The scanner for every pattern matched in the one pass over a file: the libc-family table,
/// then the musl-version signals (family `musl-version`, weight 0: they bound a version, they
/// do not vote for a family), then the literal signatures of the bundled C libraries (family
/// `bundled`, weight 0).
pub fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let mut v = signatures::table().to_vec();
        v.extend(musl::signals().iter().map(|m| Signature {
            id: m.id.clone(),
            family: "musl-version".into(),
            weight: 0,
            pattern: m.pattern.clone(),
        }));
        let mut seen = std::collections::HashSet::new();
        for r in bundled::table::signatures().iter().filter(|r| r.is_literal()) {
            let id = bundled_signature_id(r);
            if seen.insert(id.clone()) {
                v.push(Signature { id, family: "bundled".into(), weight: 0, pattern: r.pattern.clone() });
            }
        }
        // A few hundred short literal patterns always build (a unit test builds this one).
        Scanner::new(v).unwrap_or_else(|e| panic!("signature automaton: {e}"))
    })
}

/// The scanner id of a literal row of `data/bundled-libraries.tsv`: rows of different libraries
/// with the same bytes (OpenSSL's and LibreSSL's `OPENSSLDIR: "`) share one pattern.
pub(crate) fn bundled_signature_id(r: &bundled::table::Row) -> String {
    format!("bundled:{}", String::from_utf8_lossy(&r.pattern))
}

/// Byte ranges (offset, length) the signature scan skips: machine code, unwind tables,
/// relocations, Go's pclntab, the symbol table's entries and the DWARF sections of encoded
/// records hold none of the signatures (strings and data tables), about two thirds of a typical
/// binary. The string-bearing sections stay: `.strtab`, `.debug_str`, `.debug_line` (source
/// paths: the only trace of Rust in a Go binary linking a Rust library) and `.debug_line_str`.
/// Sections without file bytes are not skipped (they have none).
pub(crate) fn no_signature_ranges(elf: &Elf<'_>) -> Vec<(u64, u64)> {
    const NO_SIGNATURES: [&str; 21] = [
        ".symtab",
        ".debug_info",
        ".debug_abbrev",
        ".debug_aranges",
        ".debug_ranges",
        ".debug_rnglists",
        ".debug_loc",
        ".debug_loclists",
        ".debug_frame",
        ".debug_pubnames",
        ".debug_pubtypes",
        ".debug_addr",
        ".debug_str_offsets",
        ".eh_frame",
        ".eh_frame_hdr",
        ".gcc_except_table",
        ".gopclntab",
        ".rela.dyn",
        ".rela.plt",
        ".rel.dyn",
        ".rel.plt",
    ];
    elf.facts
        .sections
        .iter()
        .filter(|s| (s.is_executable() || NO_SIGNATURES.contains(&s.name.as_str())) && !s.is_nobits())
        .map(|s| (s.offset, s.size))
        .collect()
}

/// The findings before any detector ran: every check "not evaluated".
fn empty_draft() -> ReportDraft {
    let unknown = || Check::new(Status::Unknown, "not evaluated");
    ReportDraft {
        libc: Libc::default(),
        toolchain: Toolchain::default(),
        hardening: Hardening {
            relro: unknown(),
            pie: unknown(),
            nx: unknown(),
            canary: unknown(),
            fortify: unknown(),
            cfi: unknown(),
        },
        portability: Portability {
            verdict: PortabilityVerdict::Unknown,
            summary: "not evaluated".into(),
            glibc_floor: None,
            distros: vec![],
            min_kernel: None,
            runtime_needs: vec![],
            evidence: vec![],
        },
        dns: Dns::default(),
        go_modules: vec![],
        components: vec![],
        completeness: binsight_model::Completeness::None,
        unknowns: vec![],
    }
}

/// Run every detector over one parsed file and assemble its report (no hash, no Go function
/// index: [`analyze_file`] adds those). For callers that already hold a parsed [`Elf`].
pub fn analyze_elf(path: &str, elf: &Elf<'_>, options: &Options) -> BinaryReport {
    let hits = scanner().scan_except(elf.data(), &no_signature_ranges(elf));
    let cx = Context { elf, hits: &hits };
    let mut out = empty_draft();
    let mut partial = Vec::new();
    for d in registry(options) {
        let mut meter = Meter::new(options.budget);
        d.run(&cx, &mut out, &mut meter);
        if let Some(why) = meter.exceeded() {
            let reason = format!("{why}; its answer for this file is incomplete");
            out.unknowns.push(Unknown { origin: d.name().into(), message: format!("partial: {reason}") });
            partial.push(binsight_model::Partial { detector: d.name().into(), reason });
        }
    }
    for w in &elf.facts.warnings {
        out.unknowns.push(Unknown { origin: "elf".into(), message: w.clone() });
    }
    BinaryReport {
        schema_version: SCHEMA_VERSION,
        path: path.to_string(),
        size: elf.data().len() as u64,
        sha256: String::new(),
        layer: None,
        package: None,
        elf: elf.facts.clone(),
        libc: out.libc,
        toolchain: out.toolchain,
        hardening: out.hardening,
        portability: out.portability,
        dns: out.dns,
        components: out.components,
        components_completeness: out.completeness,
        findings: None,
        suppressed: Vec::new(),
        verdict: None,
        unknowns: out.unknowns,
        partial,
        go_functions: None,
        image: None,
    }
}

#[cfg(test)]
mod tests;
