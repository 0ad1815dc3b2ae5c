//! What a binary needs and how it behaves at run time: hardening, portability, DNS.

use serde::{Deserialize, Serialize};

use crate::{Evidence, Fix};

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
