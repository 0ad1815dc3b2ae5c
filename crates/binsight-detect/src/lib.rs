//! Detectors: turn ELF facts and bytes into identifications, each with evidence and confidence.
//!
//! Detectors are plug-ins with a name ([`Detector`]); [`registry`] lists them in the order they
//! run, so a later one (portability) can read what an earlier one (libc, toolchain) decided.
//! Signatures and version tables are data (`data/*.tsv`, compiled in), not code.

use binsight_elf::Elf;
use binsight_model::{
    BinaryReport, Check, Dns, Hardening, Libc, Portability, PortabilityVerdict, Status, Toolchain, Unknown,
    SCHEMA_VERSION,
};

mod budget;
pub mod components;
mod dns;
pub mod go_buildinfo;
mod hardening;
mod libc;
mod libc_functions;
mod musl_code;
pub mod musl_version;
mod pipeline;
mod portability;
pub mod rust_releases;
mod signatures;
mod toolchain;
mod tsv;
pub mod version;
pub mod zig_releases;

pub use budget::{Budget, Exhausted, Meter};
pub use signatures::{Hits, Signature};

/// What a detector sees: the parsed file and the signature hits of one pass over its bytes.
pub use pipeline::{analyze_file, AnalyzeError};

pub struct Context<'a> {
    pub elf: &'a Elf<'a>,
    pub hits: &'a Hits,
}

/// The report under construction; detectors fill their part and may read earlier parts.
pub struct Findings {
    pub libc: Libc,
    pub toolchain: Toolchain,
    pub hardening: Hardening,
    pub portability: Portability,
    pub dns: Dns,
    /// Go dependencies from build info (the toolchain detector reads them; components uses them).
    pub go_modules: Vec<binsight_model::GoModule>,
    pub components: Vec<binsight_model::Component>,
    pub completeness: binsight_model::Completeness,
    pub unknowns: Vec<Unknown>,
}

pub trait Detector: Sync {
    /// Stable name, used in `unknowns[].origin`.
    fn name(&self) -> &'static str;
    /// Fill this detector's part of `out`. Work that grows with what a file holds (searches,
    /// lists) is charged to `meter`, a fresh [`Budget`] per detector and file; when it runs out
    /// the detector stops, keeps what it found, and the file is marked `partial`.
    fn run(&self, cx: &Context<'_>, out: &mut Findings, meter: &mut Meter);
}

/// All detectors, in run order.
pub fn registry(options: &Options) -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(toolchain::ToolchainDetector),
        Box::new(libc::LibcDetector),
        Box::new(musl_version::MuslVersionDetector { options: options.musl }),
        Box::new(libc_functions::LibcFunctionsDetector),
        Box::new(hardening::HardeningDetector),
        Box::new(portability::PortabilityDetector),
        Box::new(dns::DnsDetector),
        Box::new(components::ComponentsDetector),
    ]
}

/// How detectors run; the default is what users get.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub musl: musl_version::Options,
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

/// Run every detector over one parsed file and assemble its report.
pub fn analyze(path: &str, elf: &Elf<'_>) -> BinaryReport {
    analyze_with(path, elf, &Options::default())
}

/// [`analyze`] with options (the corpus evaluation switches provenance signals off).
pub fn analyze_with(path: &str, elf: &Elf<'_>, options: &Options) -> BinaryReport {
    // Machine code, unwind tables, relocations and Go's pclntab hold none of the signatures
    // (strings and data tables): skip them, about two thirds of a typical binary.
    // (SHF_EXECINSTR is 0x4; SHT_NOBITS, 8, has no bytes.)
    const NO_SIGNATURES: [&str; 8] = [
        ".eh_frame",
        ".eh_frame_hdr",
        ".gcc_except_table",
        ".gopclntab",
        ".rela.dyn",
        ".rela.plt",
        ".rel.dyn",
        ".rel.plt",
    ];
    let code: Vec<(u64, u64)> = elf
        .facts
        .sections
        .iter()
        .filter(|s| (s.flags & 0x4 != 0 || NO_SIGNATURES.contains(&s.name.as_str())) && s.kind != 8)
        .map(|s| (s.offset, s.size))
        .collect();
    let hits = signatures::scan_except(elf.data(), &code);
    let cx = Context { elf, hits: &hits };
    let unknown = || Check::new(Status::Unknown, "not evaluated");
    let mut out = Findings {
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
    };
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
        elf: elf.facts.clone(),
        libc: out.libc,
        toolchain: out.toolchain,
        hardening: out.hardening,
        portability: out.portability,
        dns: out.dns,
        components: out.components,
        components_completeness: out.completeness,
        findings: None,
        verdict: None,
        unknowns: out.unknowns,
        partial,
        go_functions: None,
    }
}

#[cfg(test)]
mod tests;
