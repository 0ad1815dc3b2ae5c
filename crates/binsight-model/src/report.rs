//! One report per file, per image, per unreadable file: the JSON lines of `scan`.

use serde::{Deserialize, Serialize};

use crate::*;

/// A problem tied to a location that did not stop the rest of the report.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// Detector or layer that hit it (`elf`, `libc`, `toolchain`…).
    pub origin: String,
    /// What went wrong, one line.
    pub message: String,
}

/// Everything binsight says about one ELF file. One JSON line per file.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BinaryReport {
    /// [`SCHEMA_VERSION`] of the report.
    pub schema_version: u32,
    /// The file's path: as given, or inside the image for image scans.
    pub path: String,
    /// File size in bytes.
    pub size: u64,
    /// SHA-256 of the file (hex), when the reader computed it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sha256: String,
    /// For files read from a container image: the digest of the layer that brought the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// For files of an image or root filesystem: the distribution package that installed it,
    /// from the package manager's database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<OsPackage>,
    /// What the ELF headers say.
    pub elf: ElfFacts,
    /// The C library it links or carries.
    pub libc: Libc,
    /// The compilers that built it.
    pub toolchain: Toolchain,
    /// Hardening checks.
    pub hardening: Hardening,
    /// Where it runs and what it needs from the host.
    pub portability: Portability,
    /// The DNS resolver it carries.
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
    /// Findings a VEX statement (`--vex`) or an ignore entry of the config took out of
    /// `findings` and the verdict, each with what suppressed it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Suppressed>,
    /// Rebuild or not (only with `--audit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Problems that left part of the report unanswered.
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
    /// For a file of a container image: the image, for VEX statements that name it (its
    /// `pkg:oci` purl and digests). Set before the audit that applies them; never in JSON (the
    /// image's own line says it).
    #[serde(skip)]
    pub image: Option<ImageRef>,
}

/// How VEX documents name a container image: digests and a `pkg:oci` purl.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageRef {
    /// The manifest digest (`sha256:…`), when the image has one.
    pub manifest_digest: Option<String>,
    /// The config digest: the image ID.
    pub config_digest: String,
    /// The image's name without tag or digest (`alpine`, `ghcr.io/org/app`), when known.
    pub name: Option<String>,
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
    /// The image as the user named it (path or reference).
    pub source: String,
    /// `docker-archive`, `oci-dir` or `oci-archive`.
    pub kind: String,
    /// Digest of the image manifest (OCI), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Digest of the image config: the image ID.
    pub config_digest: String,
    /// Tags the image carries (`RepoTags`, `org.opencontainers.image.ref.name`).
    pub tags: Vec<String>,
    /// `os/architecture[/variant]`.
    pub platform: String,
    /// The config's `Entrypoint`.
    pub entrypoint: Vec<String>,
    /// The config's `Cmd`.
    pub cmd: Vec<String>,
    /// Its layers, bottom first.
    pub layers: Vec<LayerInfo>,
    /// Other platforms in a multi-platform index (not scanned).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_platforms: Vec<String>,
}

impl ImageInfo {
    /// How VEX documents name this image: its digests, and its repository from its first tag
    /// (or the reference it was pulled by): `host:5000/org/app:1.0` or `…@sha256:…` →
    /// `host:5000/org/app`.
    pub fn image_ref(&self) -> ImageRef {
        let named = self.tags.first().map(String::as_str).or_else(|| self.source.strip_prefix("registry:"));
        ImageRef {
            manifest_digest: self.manifest_digest.clone(),
            config_digest: self.config_digest.clone(),
            name: named.map(repository_of).filter(|n| !n.is_empty()).map(str::to_string),
        }
    }
}

/// The repository of an image reference, without tag or digest: `host:5000/org/app:1.0` and
/// `app@sha256:…` → `host:5000/org/app`, `app`.
pub fn repository_of(reference: &str) -> &str {
    let r = reference.split('@').next().unwrap_or(reference);
    match r.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => repo,
        _ => r,
    }
}

/// One layer of a scanned image.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerInfo {
    /// The layer's digest as the image names it (OCI: the blob digest; docker-archive: the
    /// uncompressed diff_id).
    pub digest: String,
    /// `gzip`, `zstd` or `tar`.
    pub compression: String,
    /// Bytes read (compressed).
    pub size: u64,
    /// Bytes of tar (uncompressed).
    pub uncompressed_size: u64,
    /// Tar entries read.
    pub entries: u64,
}

/// A file that could not be reported on, with what the user can do. JSON: `{"path", "error"}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    /// [`SCHEMA_VERSION`] of the report.
    pub schema_version: u32,
    /// The file's path, as for [`BinaryReport::path`].
    pub path: String,
    /// What went wrong and what the user can do.
    pub error: String,
    /// The image layer (digest) the entry came from, for image scans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}
