//! What a binary was built from: crates, Go modules, standard libraries, libc.

use serde::{Deserialize, Serialize};

use crate::Evidence;

names! {
    /// What sort of package a [`Component`] is.
    pub enum ComponentKind ("component kind") {
        /// A Rust crate (`pkg:cargo`), advisories from crates.io's RustSec/OSV data.
        RustCrate => "rust-crate",
        /// A Go module (`pkg:golang`).
        GoModule => "go-module",
        /// The Rust standard library of the rustc that built the binary.
        RustStd => "rust-std",
        /// The Go standard library of the Go release that built the binary.
        GoStdlib => "go-stdlib",
        /// The C library a static binary carries.
        Libc => "libc",
    }
}

impl ComponentKind {
    /// A Go module or the Go standard library.
    pub fn is_go(self) -> bool {
        matches!(self, ComponentKind::GoModule | ComponentKind::GoStdlib)
    }
}

/// How complete a component list is.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Completeness {
    /// The binary states its full dependency list (cargo-auditable, Go build info with module
    /// lines).
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
    /// Package name (crate, Go module path, `musl`, `glibc`, `rust-std`…).
    pub name: String,
    /// Exact version; `None` when only a range is known (see the evidence).
    pub version: Option<String>,
    /// `pkg:cargo/NAME@VERSION`, `pkg:golang/MODULE@VERSION`, `pkg:generic/musl@1.2.3`…
    pub purl: Option<String>,
    /// NVD CPE 2.3 name, where NVD tracks the component (libcs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// What sort of package this is (decides its purl type and advisory ecosystem).
    pub kind: ComponentKind,
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
    /// What it was recognised by.
    pub evidence: Vec<Evidence>,
}
