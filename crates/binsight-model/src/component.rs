//! What a binary was built from: crates, Go modules, standard libraries, libc.

use serde::{Deserialize, Serialize};

use crate::{Confidence, Evidence};

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
        /// A C library other than the libc compiled into the file (OpenSSL, zlib, SQLite…),
        /// vendored by a `-sys` crate, linked through cgo or from a static `.a`; see
        /// [`Component::bundle`].
        CLibrary => "c-library",
    }
}

names! {
    /// How a bundled C library got into a binary.
    pub enum BundleVia ("bundle via") {
        /// A Rust `-sys`/`-src` crate that compiles the library's sources (`openssl-src`).
        RustCrate => "rust-crate",
        /// A Go module whose cgo code carries the library (`github.com/mattn/go-sqlite3`).
        GoModule => "go-module",
        /// Not in the file at all: a shared library of the same image or root filesystem that
        /// the dynamic loader would load for it (`DT_NEEDED`), see [`Bundle::loaded_from`].
        SharedLibrary => "shared-library",
        /// Nothing in the file names its source: a C program's static `.a`, or a build that
        /// left no trace.
        Unknown => "unknown",
    }
}

/// What binsight knows about a C library compiled into a file (a [`ComponentKind::CLibrary`]).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// How sure the identification is (`exact` when the library's own version data was read
    /// and its code is linked; `likely` when only the `-sys` crate's version gives the version).
    pub confidence: Confidence,
    /// How it got in.
    pub via: BundleVia,
    /// The package that brought it, as a purl (`pkg:cargo/openssl-src@300.0.10%2B3.0.6`), when
    /// the file names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_purl: Option<String>,
    /// Every `-src`/`-sys` crate version that bundles exactly this library version, as
    /// `pkg:cargo` purls: how RustSec's advisories for those crates apply to any binary carrying
    /// the library, Rust or not. Empty when the version is unknown or no crate bundles it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crate_coordinates: Vec<String>,
    /// For [`BundleVia::SharedLibrary`]: the file the loader would load (`/usr/lib/…/libssl.so.3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loaded_from: Option<String>,
    /// The distribution package that installed the file it is in (`libssl3`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Whether the functions advisories name as this library's vulnerable code are defined in
    /// the file (`present` null: cannot tell, e.g. stripped).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_functions: Vec<crate::LinkedFunction>,
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
    /// For a [`ComponentKind::CLibrary`]: how sure, how it got in, which crate versions bundle it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<Bundle>,
}
