//! The data binsight passes between its layers: plain, serde-serialisable types.
//! No I/O, no parsing of binaries. The JSON schema of `inspect`/`scan` is this crate's
//! [`BinaryReport`] (documented in `docs/json-schema.md`; bump [`SCHEMA_VERSION`] on any
//! breaking change).
//!
//! Every closed set of values is an enum with one spelling (`as_str`, `Display`, `FromStr`
//! and serde all agree); values that carry structure (a libc version range, a fix) are types
//! whose `Display` is the text users and JSON consumers have always seen.
//!
//! | module | what it holds |
//! |---|---|
//! | [`evidence`] | [`Confidence`], [`Evidence`] |
//! | [`elf`] | [`ElfFacts`] and the header types it is made of; [`Linkage`] |
//! | [`libc`] | [`Libc`], [`LibcFamily`], [`VersionRange`], [`Patch`], [`LinkedFunction`] |
//! | [`package`] | [`OsPackage`], [`PackageManager`], [`BuiltUsing`] |
//! | [`toolchain`] | [`Toolchain`]: [`Rustc`], [`Go`], [`Compiler`] |
//! | [`component`] | [`Component`], [`ComponentKind`], [`Completeness`] |
//! | [`finding`] | [`Finding`], [`Severity`], [`Informational`], [`Applicability`], [`Suppressed`] |
//! | [`verdict`] | [`Verdict`], [`Action`], [`Fix`], advisory data context |
//! | [`runtime`] | [`Hardening`], [`Portability`], [`Dns`] and its [`Resolver`] |
//! | [`report`] | [`BinaryReport`], [`ImageInfo`], [`FileError`], [`Unknown`], [`Partial`] |

#![warn(missing_docs, unreachable_pub)]

#[macro_use]
mod name;
pub mod component;
pub mod date;
pub mod elf;
pub mod evidence;
pub mod finding;
pub mod libc;
pub mod package;
pub mod report;
pub mod runtime;
pub mod toolchain;
pub mod verdict;

pub use component::{Bundle, BundleVia, Completeness, Component, ComponentKind};
pub use elf::{AbiTag, ElfFacts, ElfType, Endian, GnuProperty, Linkage, Section, Segment, VersionNeed};
pub use evidence::{Confidence, Evidence};
pub use finding::{Applicability, Finding, Informational, Severity, Suppressed, Suppression, SuppressionSource};
pub use libc::{Libc, LibcFamily, LinkedFunction, Patch, VersionRange};
pub use name::UnknownName;
pub use package::{BuiltUsing, OsPackage, PackageManager};
pub use report::{repository_of, BinaryReport, FileError, ImageInfo, ImageRef, LayerInfo, Partial, Unknown};
pub use runtime::{Check, DistroRelease, Dns, Hardening, Portability, PortabilityVerdict, Resolver, Status};
pub use toolchain::{Compiler, Go, GoFunctionIndex, GoModule, LibcLinker, Rustc, Toolchain};
pub use verdict::{Action, AdvisoryContext, AdvisoryData, Fix, FixSubject, Verdict};

/// Version of the JSON report schema. Bumped on any change a consumer could notice
/// (renamed or removed fields, changed meaning); adding fields does not bump it.
pub const SCHEMA_VERSION: u32 = 1;
