//! What can go wrong packing: bad inputs (the caller's to fix: usage errors), writing an
//! output (each error names the path the user gave, never a staging file beside it), and
//! pushing (a registry error, which names the reference).

use std::io;

use binsight_oci::registry::RegistryError;

use crate::dest::DestError;

/// What can go wrong packing: bad inputs, an output that cannot be written, a failed push.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// What `build` was given cannot make an image (a usage error).
    #[error(transparent)]
    Input(#[from] InputError),
    /// An output could not be written.
    #[error("{path}: {why}")]
    Write {
        /// The output path as the user gave it.
        path: String,
        /// What went wrong there.
        why: WriteError,
    },
    /// The push to a registry failed.
    #[error(transparent)]
    Push(#[from] RegistryError),
}

/// What is wrong with what `build` was given.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// No binary was given.
    #[error("nothing to pack")]
    Nothing,
    /// Two binaries were given for one platform.
    #[error("two binaries for {platform}: one per platform")]
    TwoForPlatform {
        /// The platform, `os/architecture[/variant]`.
        platform: String,
    },
    /// A binary's name is not a plain file name under `/app/` (empty, with a `/`, or starting with
    /// `.`).
    #[error("{name:?}: not a usable file name for /app/")]
    BadName {
        /// The name as given.
        name: String,
    },
    /// `SOURCE_DATE_EPOCH` is past what RFC 3339 can write.
    #[error("SOURCE_DATE_EPOCH {epoch} is after 9999-12-31T23:59:59Z ({max}): RFC 3339 timestamps cannot say it")]
    EpochTooLate {
        /// The epoch given.
        epoch: u64,
        /// The last second RFC 3339 can write (9999-12-31T23:59:59Z).
        max: u64,
    },
    /// A base entry's path is empty or has `.`, `..` or empty parts.
    #[error("{path:?}: not a clean path inside the image")]
    UncleanPath {
        /// The path as given.
        path: String,
    },
    /// Two base entries have the same path.
    #[error("/{path} given twice")]
    Twice {
        /// The path, without its leading `/`.
        path: String,
    },
    /// A path is a file in one entry and a directory of another's.
    #[error("/{path} is both a directory and a file")]
    DirAndFile {
        /// The path, without its leading `/`.
        path: String,
    },
    /// A layer tar could not be written (in memory: an I/O error of the tar or gzip writer).
    #[error("building a layer: {0}")]
    Layer(io::Error),
}

/// Why an output could not be written where the user asked.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The layout path, where nothing is, has no file name (it ends in `..`, or is `/`).
    #[error("not a directory name; name the layout's directory, e.g. ./image")]
    NotADirName,
    /// The layout path is a symbolic link.
    #[error("is a symbolic link; name the directory itself")]
    Symlink,
    /// Something other than a directory is at the layout path.
    #[error("exists and is not a directory; choose another path")]
    NotADir,
    /// The layout path could not be made canonical.
    #[error("cannot resolve it: {0}")]
    Resolve(io::Error),
    /// The layout path is the root, the current directory or one of its parents.
    #[error(
        "is {what}: a layout is never written over it, even with --force; name a directory of its own, e.g. ./image"
    )]
    Protected {
        /// `the root directory`, `the current directory` or `a directory above the current one`.
        what: &'static str,
    },
    /// The directory at the layout path could not be listed.
    #[error("cannot list it: {0}")]
    List(io::Error),
    /// A non-empty directory that is not an OCI image layout is at the layout path.
    #[error(
        "exists and is not empty, and {0}; --force replaces only an OCI image layout ({entries}/): choose another \
         directory or empty it yourself",
        entries = crate::LAYOUT_ENTRIES.join(", ")
    )]
    NotALayout(NotLayout),
    /// An OCI image layout is at the path and replacing it was not asked for.
    #[error("exists and is not empty (an OCI image layout); choose another directory or pass --force to replace it")]
    LayoutExists,
    /// The layout's staging directory could not be created.
    #[error("cannot create it: {0}")]
    Create(io::Error),
    /// The staging file or directory beside the output could not be written.
    #[error("cannot write beside it: {0}")]
    Stage(io::Error),
    /// A directory inside the staged layout could not be created.
    #[error("cannot write: {0}")]
    Mkdir(io::Error),
    /// A file inside the staged layout could not be written.
    #[error("writing {rel}: {source}")]
    File {
        /// Its path inside the layout.
        rel: String,
        /// The error.
        source: io::Error,
    },
    /// The old layout could not be renamed aside.
    #[error("cannot move the old layout aside: {0}")]
    MoveAside(io::Error),
    /// The staged layout could not be renamed into place (the old one is put back).
    #[error("cannot put the new layout in place: {0}")]
    PutInPlace(io::Error),
    /// The new layout is in place but the old one, renamed aside, could not be removed.
    #[error("written, but the old layout beside it could not be removed: {0}")]
    RemoveOld(io::Error),
    /// A file is at the archive path and replacing it was not asked for.
    #[error("exists; choose another file or pass --force")]
    FileExists,
    /// A docker archive was asked for a build of several platforms.
    #[error(
        "a docker archive holds one platform and this build has {platforms}; use --oci-layout or --push for \
         multi-platform images"
    )]
    MultiPlatform {
        /// How many platforms the build has.
        platforms: usize,
    },
    /// The archive path is a terminal.
    #[error(
        "is a terminal: an image archive is binary; redirect it (e.g. --tarball /dev/stdout | docker load) or name a file"
    )]
    Terminal,
    /// The archive path cannot be written (see [`DestError`]).
    #[error(transparent)]
    Dest(#[from] DestError),
    /// Writing the archive failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Why a non-empty directory is not an OCI image layout (what does not belong).
#[derive(Debug, thiserror::Error)]
pub enum NotLayout {
    /// A directory of the layout could not be listed.
    #[error("cannot list {dir}: {source}")]
    ListDir {
        /// The directory, relative to the layout.
        dir: String,
        /// The error.
        source: io::Error,
    },
    /// An entry of the directory could not be read.
    #[error("cannot list it: {0}")]
    ListEntry(io::Error),
    /// The type of an entry could not be read.
    #[error("{name}: {source}")]
    EntryType {
        /// The entry's name.
        name: String,
        /// The error.
        source: io::Error,
    },
    /// An entry that is not `oci-layout`, `index.json` or `blobs`.
    #[error("it holds {name:?}, which is not part of an OCI image layout")]
    Foreign {
        /// The entry's name.
        name: String,
    },
    /// A file every layout has is missing.
    #[error("it has no {need} file, so it is not an OCI image layout")]
    Missing {
        /// Its name (`oci-layout` or `index.json`).
        need: &'static str,
    },
    /// `blobs/` could not be listed.
    #[error("cannot list blobs/: {0}")]
    ListBlobs(io::Error),
    /// A directory of `blobs/` that is not a digest algorithm.
    #[error("it holds blobs/{alg:?}, which is not part of an OCI image layout")]
    ForeignAlgorithm {
        /// Its name.
        alg: String,
    },
    /// A `blobs/ALG` directory could not be listed.
    #[error("cannot list blobs/{alg}: {source}")]
    ListAlgorithm {
        /// The algorithm.
        alg: String,
        /// The error.
        source: io::Error,
    },
    /// A file of `blobs/ALG` whose name is not a hex digest.
    #[error("it holds blobs/{alg}/{name:?}, which is not a blob of an OCI image layout")]
    ForeignBlob {
        /// The algorithm.
        alg: String,
        /// The file's name.
        name: String,
    },
}
