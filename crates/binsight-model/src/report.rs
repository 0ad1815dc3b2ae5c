//! One report per file, per image, per unreadable file: the JSON lines of `scan`.

use serde::{Deserialize, Serialize};

use crate::*;

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
    /// A Go binary's function names, for the audit to tell whether vulnerable functions are
    /// linked (`None`: not a Go binary, or detection was not asked to index them). Never in
    /// JSON.
    #[serde(skip)]
    pub go_functions: Option<GoFunctionIndex>,
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
