//! What can go wrong packing: bad inputs (the caller's to fix: usage errors), writing an
//! output (each error names the path the user gave, never a staging file beside it), and
//! pushing (a registry error, which names the reference).

use std::io;

use binsight_oci::registry::RegistryError;

use crate::dest::DestError;

#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error(transparent)]
    Input(#[from] InputError),
    /// `path` as the user gave it.
    #[error("{path}: {why}")]
    Write { path: String, why: WriteError },
    #[error(transparent)]
    Push(#[from] RegistryError),
}

/// What is wrong with what `build` was given.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("nothing to pack")]
    Nothing,
    #[error("two binaries for {platform}: one per platform")]
    TwoForPlatform { platform: String },
    #[error("{name:?}: not a usable file name for /app/")]
    BadName { name: String },
    #[error("SOURCE_DATE_EPOCH {epoch} is after 9999-12-31T23:59:59Z ({max}): RFC 3339 timestamps cannot say it")]
    EpochTooLate { epoch: u64, max: u64 },
    #[error("{path:?}: not a clean path inside the image")]
    UncleanPath { path: String },
    #[error("/{path} given twice")]
    Twice { path: String },
    #[error("/{path} is both a directory and a file")]
    DirAndFile { path: String },
    #[error("building a layer: {0}")]
    Layer(io::Error),
}

/// Why an output could not be written where the user asked.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("not a directory name; name the layout's directory, e.g. ./image")]
    NotADirName,
    #[error("is a symbolic link; name the directory itself")]
    Symlink,
    #[error("exists and is not a directory; choose another path")]
    NotADir,
    #[error("cannot resolve it: {0}")]
    Resolve(io::Error),
    /// `what`: the root directory, the current directory, or one above it.
    #[error(
        "is {what}: a layout is never written over it, even with --force; name a directory of its own, e.g. ./image"
    )]
    Protected { what: &'static str },
    #[error("cannot list it: {0}")]
    List(io::Error),
    #[error(
        "exists and is not empty, and {0}; --force replaces only an OCI image layout ({entries}/): choose another \
         directory or empty it yourself",
        entries = crate::LAYOUT_ENTRIES.join(", ")
    )]
    NotALayout(NotLayout),
    #[error("exists and is not empty (an OCI image layout); choose another directory or pass --force to replace it")]
    LayoutExists,
    #[error("cannot create it: {0}")]
    Create(io::Error),
    #[error("cannot write beside it: {0}")]
    Stage(io::Error),
    #[error("cannot write: {0}")]
    Mkdir(io::Error),
    #[error("writing {rel}: {source}")]
    File { rel: String, source: io::Error },
    #[error("cannot move the old layout aside: {0}")]
    MoveAside(io::Error),
    #[error("cannot put the new layout in place: {0}")]
    PutInPlace(io::Error),
    #[error("written, but the old layout beside it could not be removed: {0}")]
    RemoveOld(io::Error),
    #[error("exists; choose another file or pass --force")]
    FileExists,
    #[error(
        "a docker archive holds one platform and this build has {platforms}; use --oci-layout or --push for \
         multi-platform images"
    )]
    MultiPlatform { platforms: usize },
    #[error(
        "is a terminal: an image archive is binary; redirect it (e.g. --tarball /dev/stdout | docker load) or name a file"
    )]
    Terminal,
    #[error(transparent)]
    Dest(#[from] DestError),
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Why a non-empty directory is not an OCI image layout (what does not belong).
#[derive(Debug, thiserror::Error)]
pub enum NotLayout {
    #[error("cannot list {dir}: {source}")]
    ListDir { dir: String, source: io::Error },
    #[error("cannot list it: {0}")]
    ListEntry(io::Error),
    #[error("{name}: {source}")]
    EntryType { name: String, source: io::Error },
    #[error("it holds {name:?}, which is not part of an OCI image layout")]
    Foreign { name: String },
    #[error("it has no {need} file, so it is not an OCI image layout")]
    Missing { need: &'static str },
    #[error("cannot list blobs/: {0}")]
    ListBlobs(io::Error),
    #[error("it holds blobs/{alg:?}, which is not part of an OCI image layout")]
    ForeignAlgorithm { alg: String },
    #[error("cannot list blobs/{alg}: {source}")]
    ListAlgorithm { alg: String, source: io::Error },
    #[error("it holds blobs/{alg}/{name:?}, which is not a blob of an OCI image layout")]
    ForeignBlob { alg: String, name: String },
}
