//! The public types of image scanning: what it is given (source, limits), what it yields
//! (files, per-entry errors, progress) and how it fails.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;

use binsight_oci::registry::{self, RegistryError, RegistryOptions};
use binsight_oci::Digest;
use serde::Serialize;

pub use binsight_model::{ImageInfo, LayerInfo};

/// Caps on what an image may cost.
#[derive(Clone, Debug)]
pub struct ImageLimits {
    /// Largest single file read from a layer for analysis (larger ones get an entry error).
    pub max_file_size: u64,
    /// Largest uncompressed size of one layer.
    pub max_layer_size: u64,
    /// Above this many uncompressed bytes, a layer that inflates more than `max_ratio`
    /// times its compressed size is treated as a decompression bomb.
    pub ratio_floor: u64,
    pub max_ratio: u64,
    /// Largest manifest, index or config JSON.
    pub max_json: u64,
    /// Bytes of file contents waiting for analysis at once (bounds memory).
    pub in_flight: u64,
    /// Most layers an image may list (a blob listed many times is still read once).
    pub max_layers: usize,
    /// Largest GNU long name or PAX header record of a tar entry (real ones are a few hundred
    /// bytes; Linux paths are at most 4 KiB).
    pub max_tar_extension: u64,
    /// Deepest path (in directories) an entry may have; deeper ones are skipped with an error.
    pub max_path_depth: usize,
    /// Hard links to ELF files reported per image (each is its target's report again).
    pub max_link_reports: usize,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            max_file_size: 1 << 30,
            max_layer_size: 64 << 30,
            ratio_floor: 256 << 20,
            max_ratio: 200,
            max_json: 16 << 20,
            in_flight: 64 << 20,
            max_layers: 1000,
            max_tar_extension: 64 << 10,
            max_path_depth: 256,
            max_link_reports: 10_000,
        }
    }
}

/// Why an image cannot be scanned at all (problems of single entries or layers are
/// [`EntryError`]s instead).
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{path}: cannot read: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: not a container image: {why}")]
    NotImage { path: String, why: NotImage },
    /// A problem of the image at `path` (a file, a layout, or `registry:REF`).
    #[error("{path}: {problem}")]
    Bad { path: String, problem: Problem },
    /// Already names the `registry:` reference.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// Why a path is not an image.
#[derive(Debug, thiserror::Error)]
pub enum NotImage {
    #[error("not a regular file (a FIFO, socket or device); give an image archive file")]
    Special,
    /// Opened, it was not a regular file (swapped since it was looked at).
    #[error("{0}")]
    Opened(io::Error),
}

/// What is wrong with an image as a whole.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("not a tar archive: {0}")]
    NotTar(io::Error),
    #[error("corrupt or truncated tar: {0}")]
    CorruptTar(io::Error),
    #[error("over a million entries: not an image archive")]
    TooManyEntries,
    #[error(transparent)]
    Store(StoreError),
    #[error("{what}: not valid JSON ({source})")]
    NotJson { what: String, source: serde_json::Error },
    #[error("manifest.json lists no image")]
    NoImage,
    #[error("manifest.json: no Config")]
    NoConfig,
    #[error("index lists no manifests")]
    NoManifests,
    #[error("no manifest for platform {want}; the image has {}", have.join(", "))]
    NoPlatform { want: String, have: Vec<String> },
    #[error(
        "{what} has digest {digest:?}, not a valid digest (sha256:<64 hex digits> or sha512:<128>); \
         the image is damaged or was made to mislead"
    )]
    InvalidDigest { what: String, digest: String },
    #[error("{}neither an image index nor an image manifest", digest.as_ref().map(|d| format!("{d}: ")).unwrap_or_default())]
    Neither { digest: Option<Digest> },
    #[error("image indexes nest too deep")]
    NestTooDeep,
    #[error("the image lists {count} layers, over the cap of {cap} (real images have tens)")]
    TooManyLayers { count: usize, cap: usize },
}

/// Why a member of an image (a blob, `index.json`, a docker-archive file) cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{name}: unsafe name (absolute or with ..)")]
    UnsafeName { name: String },
    #[error("{name}: missing ({source})")]
    Missing { name: String, source: io::Error },
    #[error("{name}: not a regular file (symlinks are not followed)")]
    NotRegular { name: String },
    #[error("{name}: missing from the archive")]
    NotInArchive { name: String },
    #[error("{name}: not a blob of the registry")]
    NotRegistryBlob { name: String },
    /// `name`: the member, or the archive file when it could not be opened.
    #[error("{name}: {source}")]
    Io { name: String, source: io::Error },
    #[error("{what}: {size} bytes, over the {max}-byte limit for metadata")]
    TooLarge { what: String, size: u64, max: u64 },
    #[error("{what}: over the {max}-byte limit for metadata")]
    OverLimit { what: String, max: u64 },
    #[error("{digest}: content does not match its digest")]
    DigestMismatch { digest: Digest },
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        Problem::Store(e)
    }
}

/// What kind of image container a path holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    DockerArchive,
    OciDir,
    OciArchive,
}

/// Where an image is read from.
#[derive(Clone, Debug)]
pub enum ImageSource {
    Path(PathBuf, ImageKind),
    Registry(registry::Reference, RegistryOptions),
}

impl std::fmt::Display for ImageSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageSource::Path(p, _) => write!(f, "{}", p.display()),
            ImageSource::Registry(r, _) => write!(f, "registry:{r}"),
        }
    }
}

/// A problem tied to one entry (or a whole layer); the rest of the scan goes on.
#[derive(Clone, Debug, Serialize)]
pub struct EntryError {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    pub reason: String,
}

/// One ELF file visible in the final filesystem, with the caller's analysis of it.
#[derive(Debug)]
pub struct ImageFile<R> {
    /// Absolute path inside the image, e.g. `/usr/bin/ls`.
    pub path: String,
    /// Digest of the layer that brought it.
    pub layer: String,
    pub size: u64,
    pub result: R,
}

/// What a scan of an image yields.
#[derive(Debug)]
pub struct ImageScan<R> {
    pub info: ImageInfo,
    pub files: Vec<ImageFile<R>>,
    pub errors: Vec<EntryError>,
    /// Regular files seen in the final filesystem that are not ELF.
    pub non_elf: u64,
}

/// Progress counters a caller may poll (bytes of layer data read, compressed).
#[derive(Debug, Default)]
pub struct Progress {
    pub bytes: AtomicU64,
    pub total: AtomicU64,
    pub files: AtomicU64,
}
