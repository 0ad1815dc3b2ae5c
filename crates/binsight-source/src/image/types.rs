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
    /// The inflation ratio above `ratio_floor` that marks a decompression bomb.
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
    /// The image file or directory cannot be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The image as the user named it.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The path is not a container image.
    #[error("{path}: not a container image: {why}")]
    NotImage {
        /// The image as the user named it.
        path: String,
        /// Why not.
        why: NotImage,
    },
    /// A problem of the image at `path` (a file, a layout, or `registry:REF`).
    #[error("{path}: {problem}")]
    Bad {
        /// The image as the user named it.
        path: String,
        /// What is wrong.
        problem: Problem,
    },
    /// Already names the `registry:` reference.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// Why a path is not an image.
#[derive(Debug, thiserror::Error)]
pub enum NotImage {
    /// A FIFO, socket or device.
    #[error("not a regular file (a FIFO, socket or device); give an image archive file")]
    Special,
    /// Opened, it was not a regular file (swapped since it was looked at).
    #[error("{0}")]
    Opened(io::Error),
}

/// What is wrong with an image as a whole.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// The archive is not a tar.
    #[error("not a tar archive: {0}")]
    NotTar(io::Error),
    /// The archive is a tar but damaged or cut short.
    #[error("corrupt or truncated tar: {0}")]
    CorruptTar(io::Error),
    /// The archive has over a million entries.
    #[error("over a million entries: not an image archive")]
    TooManyEntries,
    /// A member cannot be read.
    #[error(transparent)]
    Store(StoreError),
    /// A manifest, index or config is not JSON.
    #[error("{what}: not valid JSON ({source})")]
    NotJson {
        /// What was read (`manifest.json`, `index.json`, a blob's digest).
        what: String,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// A docker archive's `manifest.json` lists no image.
    #[error("manifest.json lists no image")]
    NoImage,
    /// A docker archive's image entry names no config.
    #[error("manifest.json: no Config")]
    NoConfig,
    /// An index lists no manifests.
    #[error("index lists no manifests")]
    NoManifests,
    /// An index has no manifest for the platform asked for.
    #[error("no manifest for platform {want}; the image has {}", have.join(", "))]
    NoPlatform {
        /// The platform asked for.
        want: String,
        /// The platforms it has.
        have: Vec<String>,
    },
    /// A descriptor's digest is not a valid digest.
    #[error(
        "{what} has digest {digest:?}, not a valid digest (sha256:<64 hex digits> or sha512:<128>); \
         the image is damaged or was made to mislead"
    )]
    InvalidDigest {
        /// Which descriptor.
        what: String,
        /// The digest as written.
        digest: String,
    },
    /// A document that is neither an index nor a manifest.
    #[error("{}neither an image index nor an image manifest", digest.as_ref().map(|d| format!("{d}: ")).unwrap_or_default())]
    Neither {
        /// Its digest; `None` for a layout's `index.json`.
        digest: Option<Digest>,
    },
    /// Indexes point at indexes too many levels deep.
    #[error("image indexes nest too deep")]
    NestTooDeep,
    /// More layers than [`ImageLimits::max_layers`].
    #[error("the image lists {count} layers, over the cap of {cap} (real images have tens)")]
    TooManyLayers {
        /// How many the image lists.
        count: usize,
        /// The cap.
        cap: usize,
    },
}

/// Why a member of an image (a blob, `index.json`, a docker-archive file) cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An absolute name, or one with `..`.
    #[error("{name}: unsafe name (absolute or with ..)")]
    UnsafeName {
        /// The member's name (a path in the archive or layout, or a digest).
        name: String,
    },
    /// The member does not exist.
    #[error("{name}: missing ({source})")]
    Missing {
        /// The member's name (a path in the archive or layout, or a digest).
        name: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The member is not a regular file (symlinks are not followed).
    #[error("{name}: not a regular file (symlinks are not followed)")]
    NotRegular {
        /// The member's name (a path in the archive or layout, or a digest).
        name: String,
    },
    /// An archive has no member of that name.
    #[error("{name}: missing from the archive")]
    NotInArchive {
        /// The member's name (a path in the archive or layout, or a digest).
        name: String,
    },
    /// A name that is no blob digest, asked of a registry.
    #[error("{name}: not a blob of the registry")]
    NotRegistryBlob {
        /// The member's name (a path in the archive or layout, or a digest).
        name: String,
    },
    /// `name`: the member, or the archive file when it could not be opened.
    #[error("{name}: {source}")]
    Io {
        /// The member, or the archive file when it could not be opened.
        name: String,
        /// The underlying error.
        source: io::Error,
    },
    /// Metadata (JSON) whose stated size is over [`ImageLimits::max_json`].
    #[error("{what}: {size} bytes, over the {max}-byte limit for metadata")]
    TooLarge {
        /// What was read (`manifest.json`, `index.json`, a blob's digest).
        what: String,
        /// Its size.
        size: u64,
        /// The cap.
        max: u64,
    },
    /// Metadata (JSON) that grew over [`ImageLimits::max_json`] while read.
    #[error("{what}: over the {max}-byte limit for metadata")]
    OverLimit {
        /// What was read (`manifest.json`, `index.json`, a blob's digest).
        what: String,
        /// The cap.
        max: u64,
    },
    /// A member's bytes do not match its digest.
    #[error("{digest}: content does not match its digest")]
    DigestMismatch {
        /// The digest it should have.
        digest: Digest,
    },
    /// The registry could not give it.
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
    /// A `docker save` archive.
    DockerArchive,
    /// An OCI image layout directory.
    OciDir,
    /// An OCI image layout in a tar archive.
    OciArchive,
}

/// Where an image is read from.
#[derive(Clone, Debug)]
pub enum ImageSource {
    /// A file or directory, of the kind given.
    Path(PathBuf, ImageKind),
    /// A registry, with the options of the client.
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
    /// The entry's path inside the image; empty for a problem of a whole layer.
    pub path: String,
    /// The layer's digest; `None` when the problem is not tied to one layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// What went wrong.
    pub reason: String,
}

/// One ELF file visible in the final filesystem, with the caller's analysis of it.
#[derive(Debug)]
pub struct ImageFile<R> {
    /// Absolute path inside the image, e.g. `/usr/bin/ls`.
    pub path: String,
    /// Digest of the layer that brought it.
    pub layer: String,
    /// Its size in bytes.
    pub size: u64,
    /// The caller's analysis of it.
    pub result: R,
}

/// What a scan of an image yields.
#[derive(Debug)]
pub struct ImageScan<R> {
    /// The image: source, kind, digests, tags, platform, layers.
    pub info: ImageInfo,
    /// The ELF files of the final filesystem, with their analyses.
    pub files: Vec<ImageFile<R>>,
    /// Entries and layers that could not be read (the rest of the scan went on).
    pub errors: Vec<EntryError>,
    /// Regular files seen in the final filesystem that are not ELF.
    pub non_elf: u64,
    /// The package-database files of the final filesystem (path, bytes), for
    /// [`PackageDb::from_files`](crate::pkgdb::PackageDb::from_files).
    pub db_files: Vec<(String, Vec<u8>)>,
    /// The symbolic links of the final filesystem (path, target as written), for
    /// [`loader`](crate::loader) resolution; never followed to read a file.
    pub symlinks: Vec<(String, String)>,
}

/// Progress counters a caller may poll (bytes of layer data read, compressed).
#[derive(Debug, Default)]
pub struct Progress {
    /// Compressed layer bytes read so far.
    pub bytes: AtomicU64,
    /// Compressed layer bytes to read in all (as the manifest states them).
    pub total: AtomicU64,
    /// ELF files analysed so far.
    pub files: AtomicU64,
    /// Bytes of package-database files kept so far (capped at
    /// [`MAX_DB_TOTAL`](crate::pkgdb::MAX_DB_TOTAL) per image).
    pub db_bytes: AtomicU64,
}
