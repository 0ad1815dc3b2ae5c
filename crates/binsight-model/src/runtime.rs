//! What a binary needs and how it behaves at run time: hardening, portability, DNS.

use serde::{Deserialize, Serialize};

use crate::{Evidence, Fix};

/// The outcome of one hardening check.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The protection is on.
    Enabled,
    /// Partly on (e.g. RELRO without `BIND_NOW`).
    Partial,
    /// The protection is off.
    Disabled,
    /// The file does not let us tell (e.g. a stripped static binary's canary).
    Unknown,
    /// The check does not apply to this file (e.g. CET on aarch64).
    NotApplicable,
}

/// One hardening check: its status, why, and what showed it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// The outcome.
    pub status: Status,
    /// One line: why this status.
    pub reason: String,
    /// What the status was read from (empty when nothing specific).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub evidence: Vec<Evidence>,
}

impl Check {
    /// A check with this status and reason, and no evidence yet.
    pub fn new(status: Status, reason: impl Into<String>) -> Self {
        Check { status, reason: reason.into(), evidence: vec![] }
    }
    /// The check with `e` added to its evidence.
    pub fn with(mut self, e: Evidence) -> Self {
        self.evidence.push(e);
        self
    }
}

/// The hardening checks of one binary.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Hardening {
    /// Read-only relocations (`PT_GNU_RELRO`, full with `BIND_NOW`).
    pub relro: Check,
    /// Position-independent executable (loaded at a random address).
    pub pie: Check,
    /// Non-executable stack (`PT_GNU_STACK` without `X`).
    pub nx: Check,
    /// Stack protector (`__stack_chk_fail` and its kin).
    pub canary: Check,
    /// `_FORTIFY_SOURCE` (`__*_chk` functions).
    pub fortify: Check,
    /// x86 IBT+SHSTK or aarch64 BTI(+PAC).
    pub cfi: Check,
}

/// Whether the binary runs on hosts other than the one it was built on.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PortabilityVerdict {
    /// Runs on any Linux kernel new enough; carries everything it needs.
    Portable,
    /// Needs a matching libc on the host (dynamic binary): see `glibc_floor` and `distros`.
    NeedsHostLibc,
    /// Static, but still needs files from the host at run time (glibc NSS/iconv/dlopen).
    NotPortable,
    /// The file does not let binsight tell.
    Unknown,
}

/// The oldest release of a distribution whose libc meets the binary's floor.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DistroRelease {
    /// The distribution (`Debian`, `Ubuntu`, `Alpine`…).
    pub distro: String,
    /// Its release (`12 (bookworm)`).
    pub release: String,
    /// The libc that release ships, family and version (`glibc 2.36`).
    pub libc: String,
}

/// Where the binary can run, and what it needs from the host.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Portability {
    /// The verdict.
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
    /// What the verdict was read from.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub evidence: Vec<Evidence>,
}

names! {
    /// Which DNS resolver a binary's lookups go through.
    pub enum Resolver ("resolver") {
        /// musl's stub resolver (static: the one linked in; dynamic: the host's musl).
        Musl => "musl",
        /// glibc's resolver (through NSS).
        Glibc => "glibc",
        /// Go's own resolver, or the host's through cgo (Go decides at run time).
        Go => "go",
        /// A Rust resolver crate (hickory-dns / trust-dns) and no libc resolver.
        RustCrate => "rust-crate",
        /// No resolver is linked: the binary does no name lookups.
        None => "none",
        /// The binary does not let binsight tell.
        Unknown => "unknown",
    }
}

/// Which DNS resolver a binary carries and what that means.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Dns {
    /// The resolver that answers the binary's lookups.
    pub resolver: Resolver,
    /// Falls back to TCP for answers over 512 bytes (`None`: cannot tell).
    pub tcp_fallback: Option<bool>,
    /// One plain sentence.
    pub verdict: String,
    /// What fixes it, when something is wrong (e.g. "rebuild with Rust >= 1.93 …").
    pub fix: Option<Fix>,
    /// What the resolver was recognised by.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub evidence: Vec<Evidence>,
}

impl Default for Dns {
    fn default() -> Self {
        Dns {
            resolver: Resolver::Unknown,
            tcp_fallback: None,
            verdict: "not evaluated".into(),
            fix: None,
            evidence: vec![],
        }
    }
}
