//! Where an image's members come from: a directory (`blobs/<alg>/<hex>`, an OCI layout), a tar
//! archive indexed once (OCI archive, docker archive), or a repository of a registry. Members
//! are found by digest or by a name checked against the archive's own index, never by a path
//! that could leave it; symlinks are not followed.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use binsight_oci::registry::Client;
use binsight_oci::Digest;

use super::types::{ImageError, ImageKind, NotImage, Problem, StoreError};

pub(crate) enum Store {
    Dir(PathBuf),
    /// Archive file and its entries: name → (data offset, size).
    Tar(PathBuf, HashMap<String, (u64, u64)>),
    /// A repository of a registry; members are `blobs/<alg>/<hex>` only.
    Registry(Box<Client>),
}

/// A member opened for reading, with its size when known.
pub(crate) type Opened = (Box<dyn Read + Send>, Option<u64>);

/// How the limit on manifests, indexes and configs is raised (`ImageLimits::max_json`).
const METADATA_LIMIT: &str = "the limit for metadata, ImageLimits::max_json";

/// Normalise a name inside an archive (`./a//b` → `a/b`); `None` if it climbs out or is absolute.
pub(crate) fn clean_name(n: &str) -> Option<String> {
    if n.starts_with('/') {
        return None;
    }
    let mut parts = Vec::new();
    for c in n.split('/') {
        match c {
            "" | "." => {}
            ".." => return None,
            c => parts.push(c),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

impl Store {
    pub(crate) fn open_tar(path: &Path) -> Result<Store, ImageError> {
        let bad = |problem| ImageError::Bad { path: path.display().to_string(), problem };
        let f = open_regular(path)?;
        let mut a = tar::Archive::new(BufReader::new(f));
        let mut index = HashMap::new();
        // Seek over member data instead of reading it: indexing costs the headers only.
        let entries = a.entries_with_seek().map_err(|e| bad(Problem::NotTar(e)))?;
        for e in entries {
            let e = e.map_err(|e| bad(Problem::CorruptTar(e)))?;
            let kind = e.header().entry_type();
            if !kind.is_file() {
                continue;
            }
            let name = e.path().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
            if let Some(n) = clean_name(&name) {
                index.insert(n, (e.raw_file_position(), e.size()));
            }
            if index.len() > 1_000_000 {
                return Err(bad(Problem::TooManyEntries));
            }
        }
        Ok(Store::Tar(path.to_path_buf(), index))
    }

    fn has(&self, name: &str) -> bool {
        match self {
            Store::Dir(root) => clean_name(name).is_some_and(|n| root.join(n).is_file()),
            Store::Tar(_, idx) => clean_name(name).is_some_and(|n| idx.contains_key(&n)),
            Store::Registry(_) => false,
        }
    }

    /// A member's size, without opening it; `None` when it is not there, or for a registry
    /// (unknown until fetched).
    pub(crate) fn size(&self, name: &str) -> Option<u64> {
        let n = clean_name(name)?;
        match self {
            Store::Dir(root) => {
                std::fs::symlink_metadata(root.join(n)).ok().filter(std::fs::Metadata::is_file).map(|m| m.len())
            }
            Store::Tar(_, idx) => idx.get(&n).map(|e| e.1),
            Store::Registry(_) => None,
        }
    }

    /// Open a member by (cleaned) name, with its size when known. A registry blob is read to
    /// at most `declared` bytes (its descriptor's size; more is an error), or `max` without one
    /// (`raise` says how to raise that limit).
    pub(crate) fn open(&self, name: &str, declared: Option<u64>, max: u64, raise: &str) -> Result<Opened, StoreError> {
        let n = clean_name(name).ok_or_else(|| StoreError::UnsafeName { name: name.into() })?;
        match self {
            Store::Dir(root) => {
                let p = root.join(&n);
                let meta =
                    std::fs::symlink_metadata(&p).map_err(|source| StoreError::Missing { name: n.clone(), source })?;
                if !meta.is_file() {
                    return Err(StoreError::NotRegular { name: n });
                }
                let f = crate::open_regular_file(&p).map_err(|source| StoreError::Io { name: n.clone(), source })?;
                Ok((Box::new(BufReader::with_capacity(256 << 10, f)), Some(meta.len())))
            }
            Store::Tar(path, idx) => {
                let &(off, size) = idx.get(&n).ok_or_else(|| StoreError::NotInArchive { name: n.clone() })?;
                let mut f = crate::open_regular_file(path)
                    .map_err(|source| StoreError::Io { name: path.display().to_string(), source })?;
                f.seek(SeekFrom::Start(off)).map_err(|source| StoreError::Io { name: n.clone(), source })?;
                Ok((Box::new(BufReader::with_capacity(256 << 10, f.take(size))), Some(size)))
            }
            Store::Registry(c) => {
                let digest = n
                    .strip_prefix("blobs/")
                    .and_then(|d| d.split_once('/'))
                    .and_then(|(alg, hex)| Digest::parse(&format!("{alg}:{hex}")).ok())
                    .ok_or_else(|| StoreError::NotRegistryBlob { name: n.clone() })?;
                let (r, len) = c.blob(&digest, declared, max, raise)?;
                Ok((Box::new(BufReader::with_capacity(256 << 10, r)), len))
            }
        }
    }

    /// A small member (manifest, index, config) of at most `max` bytes, by name.
    pub(crate) fn read_small(&self, name: &str, max: u64) -> Result<Vec<u8>, StoreError> {
        read_metadata(self.open(name, None, max.saturating_add(1), METADATA_LIMIT)?, name, max)
    }

    /// A small blob of at most `max` bytes, its digest checked.
    pub(crate) fn read_blob(&self, digest: &Digest, max: u64) -> Result<Vec<u8>, StoreError> {
        let opened = self.open(&digest.blob_path(), None, max.saturating_add(1), METADATA_LIMIT)?;
        let v = read_metadata(opened, &digest.to_string(), max)?;
        if !digest.matches(&v) {
            return Err(StoreError::DigestMismatch { digest: digest.clone() });
        }
        Ok(v)
    }

    /// A manifest or index by digest (registries serve these from their own endpoint).
    pub(crate) fn read_manifest(&self, digest: &Digest, max: u64) -> Result<Vec<u8>, StoreError> {
        match self {
            Store::Registry(c) => Ok(c.manifest(&digest.to_string(), max)?.0),
            _ => self.read_blob(digest, max),
        }
    }
}

/// Read an opened member of at most `max` bytes (manifests, indexes, configs).
fn read_metadata((r, size): Opened, what: &str, max: u64) -> Result<Vec<u8>, StoreError> {
    if let Some(size) = size.filter(|s| *s > max) {
        return Err(StoreError::TooLarge { what: what.into(), size, max });
    }
    let mut v = Vec::new();
    r.take(max + 1).read_to_end(&mut v).map_err(|source| StoreError::Io { name: what.into(), source })?;
    if v.len() as u64 > max {
        return Err(StoreError::OverLimit { what: what.into(), max });
    }
    Ok(v)
}

/// Is this path an image, and which kind? Directories with an `oci-layout` file are OCI
/// layouts; tar files holding `oci-layout` are OCI archives, holding `manifest.json` docker
/// archives. Reads only tar headers. `None`: not an image (or not readable).
pub fn detect(path: &Path) -> Option<ImageKind> {
    if path.is_dir() {
        return path.join("oci-layout").is_file().then_some(ImageKind::OciDir);
    }
    let mut f = open_regular(path).ok()?;
    let mut head = [0u8; 512];
    f.read_exact(&mut head).ok()?;
    if &head[257..262] != b"ustar" {
        return None;
    }
    let store = Store::open_tar(path).ok()?;
    if store.has("oci-layout") && store.has("index.json") && !store.has("manifest.json") {
        Some(ImageKind::OciArchive)
    } else if store.has("manifest.json") {
        Some(ImageKind::DockerArchive)
    } else if store.has("oci-layout") {
        Some(ImageKind::OciArchive)
    } else {
        None
    }
}

/// Open a file that must be a regular one (following symlinks: the user named it). A FIFO,
/// socket or device is refused before it is opened: opening a FIFO waits for a writer forever.
fn open_regular(path: &Path) -> Result<File, ImageError> {
    let io = |e| ImageError::Io { path: path.display().to_string(), source: e };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(ImageError::NotImage { path: path.display().to_string(), why: NotImage::Special });
    }
    // It could have been swapped since: the open does not block and checks what it opened.
    crate::open_regular_file(path).map_err(|e| match e.kind() {
        io::ErrorKind::InvalidInput => {
            ImageError::NotImage { path: path.display().to_string(), why: NotImage::Opened(e) }
        }
        _ => io(e),
    })
}
