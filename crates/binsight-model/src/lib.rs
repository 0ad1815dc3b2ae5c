//! The data binsight passes between its layers: plain, serde-serialisable types.
//! No I/O, no parsing. The JSON schema of `inspect`/`scan` is this crate's `BinaryReport`
//! (documented in `docs/json-schema.md`; bump [`SCHEMA_VERSION`] on any breaking change).

use serde::{Deserialize, Serialize};

/// Version of the JSON report schema. Bumped on any change a consumer could notice
/// (renamed or removed fields, changed meaning); adding fields does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// How complete or certain an answer is.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The file states it (interpreter name, symbol version, `.comment` string).
    Exact,
    /// Strong indirect evidence (signature tables, paths) that has no known false positive.
    Likely,
    /// Some evidence, but not enough to be sure; read the evidence.
    Partial,
    /// No usable evidence.
    Unknown,
}

/// One piece of evidence behind an identification: which signal, and where in the file.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// Stable signal name, e.g. `interpreter`, `verneed`, `comment`, `musl-strerror-table`.
    pub signal: String,
    /// Section the signal was found in, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub section: Option<String>,
    /// File offset of the signal, if it has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub offset: Option<u64>,
    /// What was seen, human readable (e.g. the matched string).
    pub detail: String,
}

impl Evidence {
    pub fn new(signal: &str, detail: impl Into<String>) -> Self {
        Evidence { signal: signal.to_string(), section: None, offset: None, detail: detail.into() }
    }
    pub fn in_section(mut self, section: impl Into<String>) -> Self {
        self.section = Some(section.into());
        self
    }
    pub fn at(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }
}

// ---------------------------------------------------------------------------------------------
// ELF facts
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Identifications
// ---------------------------------------------------------------------------------------------

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum LibcFamily {
    Musl,
    Glibc,
    Uclibc,
    Bionic,
    /// No libc at all (Go with CGO_ENABLED=0, freestanding code).
    None,
    Unknown,
}

impl LibcFamily {
    pub fn as_str(self) -> &'static str {
        match self {
            LibcFamily::Musl => "musl",
            LibcFamily::Glibc => "glibc",
            LibcFamily::Uclibc => "uclibc",
            LibcFamily::Bionic => "bionic",
            LibcFamily::None => "none",
            LibcFamily::Unknown => "unknown",
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Libc {
    pub family: LibcFamily,
    /// Exact version (`1.2.3`) or a range (`>=1.2.4, <=1.2.5`, `<=1.1.24`) when known.
    pub version: Option<String>,
    /// Confidence of the family.
    pub confidence: Confidence,
    /// Evidence of the family.
    pub evidence: Vec<Evidence>,
    /// Confidence of `version` (`unknown` when there is none).
    #[serde(default = "unknown_confidence")]
    pub version_confidence: Confidence,
    /// Every signal that bounded the version, with the range it allows in `detail`.
    #[serde(default)]
    pub version_evidence: Vec<Evidence>,
    /// Fixes the build carries beyond its version number (distro or toolchain backports), when
    /// known; empty means none known, not none applied.
    #[serde(default)]
    pub patches: Vec<Patch>,
    /// For static binaries: whether tracked libc functions (those advisories name) are linked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_functions: Vec<LinkedFunction>,
}

/// A fix applied on top of a libc release.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    /// Advisory id the fix is for (e.g. `CVE-2025-26519`).
    pub id: String,
    pub evidence: Evidence,
}

fn unknown_confidence() -> Confidence {
    Confidence::Unknown
}

impl Default for Libc {
    fn default() -> Self {
        Libc {
            family: LibcFamily::Unknown,
            version: None,
            confidence: Confidence::Unknown,
            evidence: vec![],
            version_confidence: Confidence::Unknown,
            version_evidence: vec![],
            patches: vec![],
            linked_functions: vec![],
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Rustc {
    /// `1.80.1`, or `None` when only an unknown commit was seen.
    pub version: Option<String>,
    /// Full or abbreviated commit hash of the compiler.
    pub commit: Option<String>,
    pub confidence: Confidence,
    pub evidence: Vec<Evidence>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Go {
    /// `go1.19.8`.
    pub version: String,
    pub confidence: Confidence,
    pub evidence: Vec<Evidence>,
    /// Main module path (`path` line of the build info), e.g. `github.com/x/tool/cmd/tool`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Main module (`mod` line): path and version (`(devel)` for local builds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main: Option<GoModule>,
    /// Build settings (`build` lines), e.g. `CGO_ENABLED=0`, `GOARCH=amd64`, `-trimpath=true`,
    /// `vcs.revision=…`, in the order Go wrote them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<(String, String)>,
}

/// A Go module named in build info.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct GoModule {
    pub path: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<String>,
    /// The module that replaced it (`=>` line), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace: Option<Box<GoModule>>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Compiler {
    /// `gcc`, `clang`, `zig`, `lld`, `gnu-ld`, `gold`, `mold`…
    pub name: String,
    pub version: Option<String>,
    /// Vendor string as found, e.g. `Debian 12.2.0-14+deb12u1`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vendor: Option<String>,
    pub evidence: Vec<Evidence>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Toolchain {
    pub rustc: Option<Rustc>,
    pub go: Option<Go>,
    /// C/C++ compilers and linkers that left a mark (`.comment`), most specific first.
    pub cc: Vec<Compiler>,
}

// ---------------------------------------------------------------------------------------------
// Hardening and portability
// ---------------------------------------------------------------------------------------------

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Enabled,
    Partial,
    Disabled,
    /// The file does not let us tell (e.g. a stripped static binary's canary).
    Unknown,
    /// The check does not apply to this file (e.g. CET on aarch64).
    NotApplicable,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub status: Status,
    /// One line: why this status.
    pub reason: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub evidence: Vec<Evidence>,
}

impl Check {
    pub fn new(status: Status, reason: impl Into<String>) -> Self {
        Check { status, reason: reason.into(), evidence: vec![] }
    }
    pub fn with(mut self, e: Evidence) -> Self {
        self.evidence.push(e);
        self
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Hardening {
    pub relro: Check,
    pub pie: Check,
    pub nx: Check,
    pub canary: Check,
    pub fortify: Check,
    /// x86 IBT+SHSTK or aarch64 BTI(+PAC).
    pub cfi: Check,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PortabilityVerdict {
    /// Runs on any Linux kernel new enough; carries everything it needs.
    Portable,
    /// Needs a matching libc on the host (dynamic binary): see `glibc_floor` and `distros`.
    NeedsHostLibc,
    /// Static, but still needs files from the host at run time (glibc NSS/iconv/dlopen).
    NotPortable,
    Unknown,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DistroRelease {
    pub distro: String,
    pub release: String,
    pub libc: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Portability {
    pub verdict: PortabilityVerdict,
    /// One plain sentence for people.
    pub summary: String,
    /// Highest `GLIBC_x.y` symbol version required (dynamic glibc binaries).
    pub glibc_floor: Option<String>,
    /// Oldest release of each tracked distro that meets the floor.
    pub distros: Vec<DistroRelease>,
    /// Minimum kernel (from `.note.ABI-tag` or the toolchain's documented floor).
    pub min_kernel: Option<String>,
    /// What the binary needs from the host at run time, beyond the kernel.
    pub runtime_needs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub evidence: Vec<Evidence>,
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

/// How complete a component list is.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Completeness {
    /// The binary states its full dependency list (cargo-auditable, Go build info).
    Complete,
    /// Recovered from traces (source paths): what is listed is there, more may be.
    Partial,
    /// No component information (not a Rust or Go binary, or nothing recoverable).
    #[default]
    None,
}

/// One thing a binary was built from, with a package URL for vulnerability data and SBOMs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Component {
    pub name: String,
    /// Exact version; `None` when only a range is known (see the evidence).
    pub version: Option<String>,
    /// `pkg:cargo/NAME@VERSION`, `pkg:golang/MODULE@VERSION`, `pkg:generic/musl@1.2.3`…
    pub purl: Option<String>,
    /// NVD CPE 2.3 name, where NVD tracks the component (libcs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// `rust-crate`, `go-module`, `rust-std`, `go-stdlib`, `libc`.
    pub kind: String,
    /// `cargo-auditable`, `panic-path`, `go-buildinfo`, `toolchain`, `libc-detector`.
    pub found_by: String,
    /// Where the package came from (`crates.io`, `git`, `registry`, `local`; Go: its sum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The root package of the build (the binary's own crate or main module).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub root: bool,
    /// Build-time only (e.g. a build-script dependency in cargo-auditable data): not in the code.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub build_only: bool,
    pub evidence: Vec<Evidence>,
}

/// Whether a static binary links a libc function (for advisories naming affected functions).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LinkedFunction {
    pub name: String,
    /// `Some(true)` present, `Some(false)` absent (symbols show it), `None` cannot tell (stripped).
    pub present: Option<bool>,
}

/// Is the vulnerable code in the binary?
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// The affected code is present (or the advisory names no function: the package is).
    Affected,
    /// The affected functions are absent from the link.
    NotLinked,
    /// Cannot tell (e.g. a stripped static binary, no fingerprint yet).
    Unknown,
}

/// One known vulnerability in a component of a binary.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Advisory id (RUSTSEC-…, GO-…, or binsight's for libcs) and its aliases (CVE, GHSA).
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    /// Component name and the version installed.
    pub component: String,
    pub installed: String,
    /// Versions that fix it (empty: no fixed release).
    pub fixed: Vec<String>,
    /// `low`, `medium`, `high`, `critical`, or `None` when the advisory gives none.
    pub severity: Option<String>,
    pub applicability: Applicability,
    pub evidence: Vec<Evidence>,
    /// Set for advisories that report no vulnerability but a warning about the component
    /// (RustSec's `unmaintained`, `unsound`, `notice`). They never make the verdict `rebuild`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
}

/// What to do about a binary.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// `rebuild`, `ok`, or `unknown` (with what is missing).
    pub action: String,
    pub reasons: Vec<String>,
    /// The concrete fix, e.g. "rebuild with Rust >= 1.93", "update crate X to >= Y then rebuild".
    pub fix: Vec<String>,
    /// The advisory data the verdict was decided with, for each ecosystem the binary's
    /// components belong to that has data (those without are named in `reasons`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<AdvisoryData>,
}

/// What a run's outputs say about advisory data: the date of the snapshot compiled into
/// binsight, and, when the run audited, the data it used (every source of the database).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct AdvisoryContext {
    /// `YYYY-MM-DD`: what the embedded OSV snapshot is as of.
    pub snapshot_date: String,
    /// `None` without `--audit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used: Option<Vec<AdvisoryData>>,
}

impl AdvisoryContext {
    /// One line: "crates.io, Go: snapshot 2026-08-21; musl, rust-toolchain: binsight 2026-11-24".
    pub fn used_summary(&self) -> Option<String> {
        let used = self.used.as_ref()?;
        // Group ecosystems by source and date, in first-seen order.
        let mut groups: Vec<(&str, Option<&str>, Vec<&str>)> = Vec::new();
        for d in used {
            let (src, date) = (d.source.as_str(), d.date.as_deref());
            match groups.iter_mut().find(|g| g.0 == src && g.1 == date) {
                Some(g) => g.2.push(&d.ecosystem),
                None => groups.push((src, date, vec![&d.ecosystem])),
            }
        }
        let parts: Vec<String> = groups
            .into_iter()
            .map(|(src, date, ecos)| format!("{}: {src} {}", ecos.join(", "), date.unwrap_or("(undated)")))
            .collect();
        Some(parts.join("; "))
    }
}

/// Advisory data used for one ecosystem: where it came from and what day it is as of.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AdvisoryData {
    /// OSV ecosystem: `crates.io`, `Go`, `musl`, `rust-toolchain`.
    pub ecosystem: String,
    /// `snapshot` (compiled in), `binsight` (built-in), `db:NAME` (imported), `dir:PATH`.
    pub source: String,
    /// `YYYY-MM-DD`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// Which DNS resolver a binary carries and what that means.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Dns {
    /// `musl`, `glibc`, `go`, `none` (no resolver linked), `unknown`.
    pub resolver: String,
    /// Falls back to TCP for answers over 512 bytes (`None`: cannot tell).
    pub tcp_fallback: Option<bool>,
    /// One plain sentence.
    pub verdict: String,
    /// What fixes it, when something is wrong (e.g. "rebuild with Rust >= 1.93").
    pub fix: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub evidence: Vec<Evidence>,
}

impl Default for Dns {
    fn default() -> Self {
        Dns {
            resolver: "unknown".into(),
            tcp_fallback: None,
            verdict: "not evaluated".into(),
            fix: None,
            evidence: vec![],
        }
    }
}

/// A problem tied to a location that did not stop the rest of the report.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// Detector or layer that hit it (`elf`, `libc`, `toolchain`…).
    pub origin: String,
    pub message: String,
}

/// Everything binsight says about one ELF file. One JSON line per file.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BinaryReport {
    pub schema_version: u32,
    pub path: String,
    pub size: u64,
    /// SHA-256 of the file (hex), when the reader computed it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sha256: String,
    /// For files read from a container image: the digest of the layer that brought the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    pub elf: ElfFacts,
    pub libc: Libc,
    pub toolchain: Toolchain,
    pub hardening: Hardening,
    pub portability: Portability,
    #[serde(default)]
    pub dns: Dns,
    /// What the binary was built from: crates, Go modules, the Rust or Go standard library, libc.
    #[serde(default)]
    pub components: Vec<Component>,
    /// How complete `components` is for the language's own packages.
    #[serde(default)]
    pub components_completeness: Completeness,
    /// Known vulnerabilities (only with `--audit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<Finding>>,
    /// Rebuild or not (only with `--audit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub unknowns: Vec<Unknown>,
    /// Detectors that stopped early on this file because it exceeded their work or memory
    /// budget: their answers are incomplete (each is also listed in `unknowns`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub partial: Vec<Partial>,
}

/// A detector that ran out of its per-file budget: what it says about the file is incomplete.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Partial {
    /// The detector's name (`musl-version`, `components`…).
    pub detector: String,
    /// Which budget ran out and how much was spent, e.g. `work budget of 1073741824 units spent
    /// after 12345678 of 419430400 code bytes`.
    pub reason: String,
}

/// A container image a scan read (JSON: a `{"image": …}` line before its binaries).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageInfo {
    pub source: String,
    /// `docker-archive`, `oci-dir` or `oci-archive`.
    pub kind: String,
    /// Digest of the image manifest (OCI), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Digest of the image config: the image ID.
    pub config_digest: String,
    pub tags: Vec<String>,
    /// `os/architecture[/variant]`.
    pub platform: String,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub layers: Vec<LayerInfo>,
    /// Other platforms in a multi-platform index (not scanned).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_platforms: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerInfo {
    /// The layer's digest as the image names it (OCI: the blob digest; docker-archive: the
    /// uncompressed diff_id).
    pub digest: String,
    /// `gzip`, `zstd` or `tar`.
    pub compression: String,
    /// Bytes read (compressed) and bytes of tar (uncompressed).
    pub size: u64,
    pub uncompressed_size: u64,
    pub entries: u64,
}

/// A file that could not be reported on, with what the user can do. JSON: `{"path", "error"}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub schema_version: u32,
    pub path: String,
    pub error: String,
    /// The image layer (digest) the entry came from, for image scans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

/// Calendar dates without a date library (proleptic Gregorian, H. Hinnant's algorithms).
pub mod date {
    /// Days since 1970-01-01 to (year, month, day).
    pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        (yoe + era * 400 + i64::from(m <= 2), m, d)
    }

    /// (year, month, day) to days since 1970-01-01 (the inverse of [`civil_from_days`]).
    pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn round_trip() {
            for days in [-1_000_000, -1, 0, 11_016, 20_686, 1_000_000] {
                let (y, m, d) = super::civil_from_days(days);
                assert_eq!(super::days_from_civil(y, m, d), days);
            }
            assert_eq!(super::civil_from_days(0), (1970, 1, 1));
            assert_eq!(super::civil_from_days(11_016), (2000, 2, 29));
        }
    }
}
