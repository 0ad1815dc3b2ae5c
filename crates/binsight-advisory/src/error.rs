//! Why advisory data could not be used: one OSV record ([`RecordError`], reported beside the
//! file or zip entry it came from, the rest goes on) or the compiled-in snapshot
//! ([`SnapshotError`]). Importing and storing have their own [`crate::store::StoreError`].

/// What to do about a stored record or source over a limit.
pub(crate) const REIMPORT: &str =
    "re-import the data with `binsight db import` or `binsight db update`, or remove the file";

/// Why one OSV record was skipped. The message ends in "skipped"; the caller names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// More bytes than one advisory may have ([`crate::osv::MAX_RECORD`]).
    #[error("over the {limit}-byte limit for one advisory; skipped")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A stored record file over the limit: the store was written by something else.
    #[error("over the {limit}-byte limit for one advisory; skipped: {REIMPORT}")]
    StoredTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// Not JSON of the OSV schema.
    #[error("not a valid OSV record ({0}); skipped")]
    NotOsv(#[source] serde_json::Error),
    /// The record has no `id`.
    #[error("OSV record without an id; skipped")]
    NoId,
    /// An id longer than any real one ([`crate::store::MAX_ID`]).
    #[error("id of {len} bytes is over the {limit}-byte limit (real ids are under 40); skipped")]
    IdTooLong {
        /// The id's length, in bytes.
        len: usize,
        /// The limit, in bytes.
        limit: usize,
    },
    /// An id with control characters (it would reach terminals and file names).
    #[error("id holds control characters; skipped")]
    IdControl,
    /// An id whose encoded file name is too long for file systems.
    #[error("id is too long to store ({len} bytes once encoded for a file name); skipped")]
    FileNameTooLong {
        /// The encoded name's length, in bytes.
        len: usize,
    },
    /// A FIFO, socket or device where a record file was expected.
    #[error("not a regular file; skipped")]
    NotRegular,
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Read(#[source] std::io::Error),
}

/// The compiled-in OSV snapshot is damaged (a unit test decodes it: a build bug, not bad input).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// Its zstd stream does not decode.
    #[error("snapshot {ecosystem}: {source}")]
    Decode {
        /// The ecosystem whose records these are.
        ecosystem: String,
        /// What the decoder said.
        source: std::io::Error,
    },
    /// It decompresses to more than it may.
    #[error("snapshot {ecosystem}: over {limit} bytes decompressed")]
    TooLarge {
        /// The ecosystem whose records these are.
        ecosystem: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// It is not a JSON array of OSV records.
    #[error("snapshot {ecosystem}: {source}")]
    Json {
        /// The ecosystem whose records these are.
        ecosystem: String,
        /// What the parser said.
        source: serde_json::Error,
    },
}
