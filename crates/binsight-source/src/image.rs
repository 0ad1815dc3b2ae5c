//! Container images read without Docker and without extracting to disk: `docker save` archives,
//! OCI image layouts (a directory) and OCI archives (a tar of one). Layers (gzip, zstd or plain
//! tar) are streamed once each; ELF files are handed to the caller's analysis on a thread pool
//! while the next entries decompress. Whiteouts and opaque directories are applied afterwards,
//! so a file deleted in an upper layer is not reported. Nothing is ever written to disk.
//!
//! Every blob is found by digest or by a name checked against the archive's own index, never by
//! a path that could leave it; OCI blobs are checked against their sha256 as they stream.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::registry::{self, RegistryOptions};
use crate::ELF_MAGIC;
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

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{path}: cannot read: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: not a container image: {why}")]
    NotImage { path: String, why: String },
    #[error("{path}: {why}")]
    Bad { path: String, why: String },
    /// Already names the `registry:` reference.
    #[error("{why}")]
    Registry { why: String },
}

fn bad(path: &Path, why: impl Into<String>) -> ImageError {
    ImageError::Bad { path: path.display().to_string(), why: why.into() }
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

// ---------------------------------------------------------------------------------------------
// Blob stores: a directory (`blobs/<alg>/<hex>`) or a tar archive indexed once.

enum Store {
    Dir(PathBuf),
    /// Archive file and its entries: name → (data offset, size).
    Tar(PathBuf, HashMap<String, (u64, u64)>),
    /// A repository of a registry; members are `blobs/<alg>/<hex>` only.
    Registry(Box<registry::Client>),
}

/// How the limit on manifests, indexes and configs is raised (`ImageLimits::max_json`).
const METADATA_LIMIT: &str = "the limit for metadata, ImageLimits::max_json";

pub(crate) fn valid_digest(d: &str) -> Option<(&str, &str)> {
    let (alg, hex) = d.split_once(':')?;
    let ok = match alg {
        "sha256" => hex.len() == 64,
        "sha512" => hex.len() == 128,
        _ => false,
    };
    (ok && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))).then_some((alg, hex))
}

/// Normalise a name inside an archive (`./a//b` → `a/b`); `None` if it climbs out or is absolute.
fn clean_name(n: &str) -> Option<String> {
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
    fn open_tar(path: &Path) -> Result<Store, ImageError> {
        let f = open_regular(path)?;
        let mut a = tar::Archive::new(BufReader::new(f));
        let mut index = HashMap::new();
        // Seek over member data instead of reading it: indexing costs the headers only.
        let entries = a.entries_with_seek().map_err(|e| bad(path, format!("not a tar archive: {e}")))?;
        for e in entries {
            let e = e.map_err(|e| bad(path, format!("corrupt or truncated tar: {e}")))?;
            let kind = e.header().entry_type();
            if !kind.is_file() {
                continue;
            }
            let name = e.path().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
            if let Some(n) = clean_name(&name) {
                index.insert(n, (e.raw_file_position(), e.size()));
            }
            if index.len() > 1_000_000 {
                return Err(bad(path, "over a million entries: not an image archive"));
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

    /// A member's size, without opening it (unknown for registries until fetched).
    fn size(&self, name: &str) -> Option<u64> {
        let n = clean_name(name)?;
        match self {
            Store::Dir(root) => std::fs::symlink_metadata(root.join(n)).ok().filter(|m| m.is_file()).map(|m| m.len()),
            Store::Tar(_, idx) => idx.get(&n).map(|e| e.1),
            Store::Registry(_) => None,
        }
    }

    /// Open a member by (cleaned) name, with its size when known. A registry blob is read to
    /// at most `declared` bytes (its descriptor's size; more is an error), or `max` without one
    /// (`raise` says how to raise that limit).
    fn open(
        &self,
        name: &str,
        declared: Option<u64>,
        max: u64,
        raise: &str,
    ) -> Result<(Box<dyn Read + Send>, Option<u64>), String> {
        let n = clean_name(name).ok_or_else(|| format!("{name}: unsafe name (absolute or with ..)"))?;
        match self {
            Store::Dir(root) => {
                let p = root.join(&n);
                let meta = std::fs::symlink_metadata(&p).map_err(|e| format!("{n}: missing ({e})"))?;
                if !meta.is_file() {
                    return Err(format!("{n}: not a regular file (symlinks are not followed)"));
                }
                let f = crate::open_regular_file(&p).map_err(|e| format!("{n}: {e}"))?;
                Ok((Box::new(BufReader::with_capacity(256 << 10, f)), Some(meta.len())))
            }
            Store::Tar(path, idx) => {
                let &(off, size) = idx.get(&n).ok_or_else(|| format!("{n}: missing from the archive"))?;
                let mut f = crate::open_regular_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
                f.seek(SeekFrom::Start(off)).map_err(|e| format!("{n}: {e}"))?;
                Ok((Box::new(BufReader::with_capacity(256 << 10, f.take(size))), Some(size)))
            }
            Store::Registry(c) => {
                let digest = n
                    .strip_prefix("blobs/")
                    .and_then(|d| d.split_once('/'))
                    .map(|(alg, hex)| format!("{alg}:{hex}"))
                    .filter(|d| valid_digest(d).is_some())
                    .ok_or_else(|| format!("{n}: not a blob of the registry"))?;
                let (r, len) = c.blob(&digest, declared, max, raise)?;
                Ok((Box::new(BufReader::with_capacity(256 << 10, r)), len))
            }
        }
    }

    fn read_small(&self, name: &str, max: u64) -> Result<Vec<u8>, String> {
        read_metadata(self.open(name, None, max.saturating_add(1), METADATA_LIMIT)?, name, max)
    }

    /// Read a small blob and check its digest.
    fn read_blob(&self, digest: &str, max: u64) -> Result<Vec<u8>, String> {
        let (alg, hex) = valid_digest(digest).ok_or_else(|| format!("{digest:?}: not a valid digest"))?;
        let opened = self.open(&format!("blobs/{alg}/{hex}"), None, max.saturating_add(1), METADATA_LIMIT)?;
        let v = read_metadata(opened, digest, max)?;
        if digest.starts_with("sha256:") && format!("sha256:{:x}", Sha256::digest(&v)) != digest {
            return Err(format!("{digest}: content does not match its digest"));
        }
        Ok(v)
    }

    /// A manifest or index by digest (registries serve these from their own endpoint).
    fn read_manifest(&self, digest: &str, max: u64) -> Result<Vec<u8>, String> {
        match self {
            Store::Registry(c) => {
                valid_digest(digest).ok_or_else(|| format!("{digest:?}: not a valid digest"))?;
                c.manifest(digest, max).map(|(bytes, _)| bytes)
            }
            _ => self.read_blob(digest, max),
        }
    }
}

/// Read an opened member of at most `max` bytes (manifests, indexes, configs).
fn read_metadata((r, size): (Box<dyn Read + Send>, Option<u64>), what: &str, max: u64) -> Result<Vec<u8>, String> {
    if let Some(size) = size.filter(|s| *s > max) {
        return Err(format!("{what}: {size} bytes, over the {max}-byte limit for metadata"));
    }
    let mut v = Vec::new();
    r.take(max + 1).read_to_end(&mut v).map_err(|e| format!("{what}: {e}"))?;
    if v.len() as u64 > max {
        return Err(format!("{what}: over the {max}-byte limit for metadata"));
    }
    Ok(v)
}

/// Is this path an image, and which kind? Directories with an `oci-layout` file are OCI
/// layouts; tar files holding `oci-layout` are OCI archives, holding `manifest.json` docker
/// archives. Reads only tar headers.
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
        return Err(ImageError::NotImage {
            path: path.display().to_string(),
            why: "not a regular file (a FIFO, socket or device); give an image archive file".into(),
        });
    }
    // It could have been swapped since: the open does not block and checks what it opened.
    crate::open_regular_file(path).map_err(|e| match e.kind() {
        io::ErrorKind::InvalidInput => ImageError::NotImage { path: path.display().to_string(), why: e.to_string() },
        _ => io(e),
    })
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn platform_of(v: &Value) -> String {
    let os = v["os"].as_str().unwrap_or("?");
    let arch = v["architecture"].as_str().unwrap_or("?");
    match v["variant"].as_str() {
        Some(var) if !var.is_empty() => format!("{os}/{arch}/{var}"),
        _ => format!("{os}/{arch}"),
    }
}

/// Do two `os/arch[/variant]` strings name the same platform? As docker matches them: `arm64`
/// means `arm64/v8` and `arm` means `arm/v7` (Docker Hub's arm64 entries carry `v8`).
fn same_platform(a: &str, b: &str) -> bool {
    fn norm(p: &str) -> String {
        match p.split('/').collect::<Vec<_>>().as_slice() {
            [os, "arm64"] => format!("{os}/arm64/v8"),
            [os, "arm"] => format!("{os}/arm/v7"),
            _ => p.to_string(),
        }
    }
    norm(a) == norm(b)
}

/// The platform a scan picks from a multi-platform index when none is asked for.
pub fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        a => a,
    };
    format!("linux/{arch}")
}

/// A layer to stream.
struct PlannedLayer {
    /// How to open it: a docker-archive member name, or a blob digest.
    name: String,
    /// Digest to verify the compressed stream against.
    verify: Option<String>,
    /// Digest to verify the uncompressed stream against (docker archives: the config's
    /// `rootfs.diff_ids`).
    diff_id: Option<String>,
    /// Size the manifest declares (OCI descriptors carry one).
    declared_size: Option<u64>,
}

struct Plan {
    info: ImageInfo,
    layers: Vec<PlannedLayer>,
    store: Store,
}

fn json(bytes: &[u8], what: &str) -> Result<Value, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("{what}: not valid JSON ({e})"))
}

/// A descriptor's digest, refused unless it is a valid `sha256:`/`sha512:` digest: it names
/// what is fetched (a registry URL, a path under `blobs/`), so nothing else may pass.
fn descriptor_digest(d: &Value, what: &str) -> Result<String, String> {
    let digest = d["digest"].as_str().unwrap_or("");
    if valid_digest(digest).is_none() {
        return Err(format!(
            "{what} has digest {digest:?}, not a valid digest (sha256:<64 hex digits> or sha512:<128>); \
             the image is damaged or was made to mislead"
        ));
    }
    Ok(digest.to_string())
}

/// Pick the manifest for `want` from an index: the descriptor, the other platforms the index
/// offers, and the descriptor's (checked) digest.
fn pick_manifest(current: &Value, want: &str, platform: Option<&str>) -> Result<(Value, Vec<String>, String), String> {
    let ms = current["manifests"].as_array().cloned().unwrap_or_default();
    if ms.is_empty() {
        return Err("index lists no manifests".into());
    }
    let pick = ms
        .iter()
        .find(|d| d.get("platform").is_some_and(|p| same_platform(&platform_of(p), want)))
        .or_else(|| {
            if ms.len() == 1 || platform.is_none() {
                ms.iter().find(|d| d.get("platform").is_none()).or(ms.first())
            } else {
                None
            }
        })
        .ok_or_else(|| {
            let have: Vec<String> = ms.iter().filter_map(|d| d.get("platform").map(platform_of)).collect();
            format!("no manifest for platform {want}; the image has {}", have.join(", "))
        })?
        .clone();
    let mut others = Vec::new();
    for d in &ms {
        if let Some(p) = d.get("platform") {
            let p = platform_of(p);
            if d != &pick && !others.contains(&p) && !p.starts_with("unknown") {
                others.push(p);
            }
        }
    }
    let entry = match pick.get("platform") {
        Some(p) => format!("the index entry for {}", platform_of(p)),
        None => "the index entry".to_string(),
    };
    let digest = descriptor_digest(&pick, &entry)?;
    Ok((pick, others, digest))
}

/// A layer descriptor: digest and declared size.
pub type Descriptor = (String, Option<u64>);

/// An image manifest's config digest and layers (digest, declared size), every digest checked.
fn manifest_descriptors(mdigest: &str, m: &Value) -> Result<(String, Vec<Descriptor>), String> {
    let config = descriptor_digest(&m["config"], &format!("manifest {mdigest}: the config"))?;
    let mut layers = Vec::new();
    for (i, l) in m["layers"].as_array().into_iter().flatten().enumerate() {
        layers.push((descriptor_digest(l, &format!("manifest {mdigest}: layer {}", i + 1))?, l["size"].as_u64()));
    }
    Ok((config, layers))
}

/// What the scan makes of one manifest or index a registry (or an OCI layout) answered.
#[derive(Debug)]
pub enum Answer {
    /// An index: the digest of the manifest picked for the platform.
    Index { digest: String, other_platforms: Vec<String> },
    /// An image manifest: its config digest and its layers (digest, declared size).
    Manifest { config: String, layers: Vec<Descriptor> },
}

/// Read one registry answer (manifest or index JSON) as [`scan_source`] does, for fuzzing and
/// tests: any bytes give an answer or an error, never a panic.
pub fn read_answer(bytes: &[u8], platform: Option<&str>) -> Result<Answer, String> {
    let v = json(bytes, "answer")?;
    if v.get("manifests").is_some() {
        let want = platform.map(str::to_string).unwrap_or_else(host_platform);
        let (_, other_platforms, digest) = pick_manifest(&v, &want, platform)?;
        Ok(Answer::Index { digest, other_platforms })
    } else if v.get("layers").is_some() {
        let (config, layers) = manifest_descriptors("answer", &v)?;
        Ok(Answer::Manifest { config, layers })
    } else {
        Err("neither an image index nor an image manifest".into())
    }
}

fn plan(src: &ImageSource, platform: Option<&str>, limits: &ImageLimits) -> Result<Plan, ImageError> {
    let shown = src.to_string();
    let path = Path::new(&shown);
    let (store, kind) = match src {
        ImageSource::Path(p, ImageKind::OciDir) => (Store::Dir(p.clone()), ImageKind::OciDir),
        ImageSource::Path(p, kind) => (Store::open_tar(p)?, *kind),
        ImageSource::Registry(r, opts) => {
            let c = registry::Client::new(r.clone(), opts).map_err(|why| ImageError::Registry { why })?;
            (Store::Registry(Box::new(c)), ImageKind::OciDir)
        }
    };
    let fail = |why: String| match &store {
        Store::Registry(_) if why.starts_with("registry:") => ImageError::Registry { why },
        Store::Registry(c) => ImageError::Registry { why: format!("registry:{}: {why}", c.reference) },
        _ => bad(path, why),
    };
    let mut info = ImageInfo {
        source: match src {
            ImageSource::Path(p, _) => p.display().to_string(),
            ImageSource::Registry(r, _) => r.to_string(),
        },
        kind: match (&store, kind) {
            (Store::Registry(_), _) => "registry",
            (_, ImageKind::DockerArchive) => "docker-archive",
            (_, ImageKind::OciDir) => "oci-dir",
            (_, ImageKind::OciArchive) => "oci-archive",
        }
        .into(),
        ..Default::default()
    };
    let mut layers = Vec::new();
    let config: Value;
    if kind == ImageKind::DockerArchive {
        let m =
            json(&store.read_small("manifest.json", limits.max_json).map_err(fail)?, "manifest.json").map_err(fail)?;
        let first = m.as_array().and_then(|a| a.first()).ok_or_else(|| fail("manifest.json lists no image".into()))?;
        if m.as_array().is_some_and(|a| a.len() > 1) {
            info.other_platforms.push(format!(
                "{} more images in the archive (the first is scanned)",
                m.as_array().map_or(0, |a| a.len() - 1)
            ));
        }
        let cfg_name = first["Config"].as_str().ok_or_else(|| fail("manifest.json: no Config".into()))?;
        let cfg_bytes = store.read_small(cfg_name, limits.max_json).map_err(fail)?;
        info.config_digest = format!("sha256:{:x}", Sha256::digest(&cfg_bytes));
        config = json(&cfg_bytes, cfg_name).map_err(fail)?;
        info.tags = strings(&first["RepoTags"]);
        let diff_ids = strings(&config["rootfs"]["diff_ids"]);
        for (i, l) in strings(&first["Layers"]).into_iter().enumerate() {
            // Newer docker saves name layers by blob digest; the diff_id is what `docker
            // inspect` shows, so it names the layer when there is one.
            let diff_id = diff_ids.get(i).filter(|d| valid_digest(d).is_some_and(|(alg, _)| alg == "sha256")).cloned();
            let digest = diff_id.clone().unwrap_or_else(|| format!("layer:{l}"));
            let verify = l.strip_prefix("blobs/sha256/").map(|h| format!("sha256:{h}"));
            layers.push(PlannedLayer { name: l.clone(), verify, diff_id, declared_size: None });
            info.layers.push(LayerInfo { digest, ..Default::default() });
        }
    } else {
        // The root: an OCI layout's index.json, or what a registry serves for the tag (an index
        // or a manifest).
        let (mut current, mut current_digest) = match &store {
            Store::Registry(c) => {
                let (bytes, digest) = c.manifest(&c.reference.reference, limits.max_json).map_err(fail)?;
                (json(&bytes, &digest).map_err(fail)?, Some(digest))
            }
            _ => (
                json(&store.read_small("index.json", limits.max_json).map_err(fail)?, "index.json").map_err(fail)?,
                None,
            ),
        };
        let want = platform.map(str::to_string).unwrap_or_else(host_platform);
        // Walk nested indexes (at most a few levels) to the manifest for the platform.
        let mut manifest: Option<(String, Value)> = None;
        for _ in 0..6 {
            if current.get("manifests").is_none() {
                if let Some(d) = current_digest.take() {
                    if current.get("layers").is_none() {
                        return Err(fail(format!("{d}: neither an image index nor an image manifest")));
                    }
                    manifest = Some((d, current));
                    break;
                }
            }
            let (pick, others, digest) = pick_manifest(&current, &want, platform).map_err(fail)?;
            for p in others {
                if !info.other_platforms.contains(&p) {
                    info.other_platforms.push(p);
                }
            }
            let bytes = store.read_manifest(&digest, limits.max_json).map_err(fail)?;
            let v = json(&bytes, &digest).map_err(fail)?;
            if let Some(name) = pick["annotations"]["org.opencontainers.image.ref.name"].as_str() {
                info.tags.push(name.to_string());
            }
            current = v;
            current_digest = Some(digest);
        }
        let (mdigest, m) = manifest.ok_or_else(|| fail("image indexes nest too deep".into()))?;
        let (cdigest, descriptors) = manifest_descriptors(&mdigest, &m).map_err(fail)?;
        info.manifest_digest = Some(mdigest);
        config = json(&store.read_blob(&cdigest, limits.max_json).map_err(fail)?, &cdigest).map_err(fail)?;
        info.config_digest = cdigest;
        if let Store::Registry(c) = &store {
            if !c.reference.reference.contains(':') {
                info.tags.push(format!("{}:{}", c.reference.repo, c.reference.reference));
            }
        }
        for (d, size) in descriptors {
            layers.push(PlannedLayer { name: d.clone(), verify: Some(d.clone()), diff_id: None, declared_size: size });
            info.layers.push(LayerInfo { digest: d, ..Default::default() });
        }
    }
    if layers.len() > limits.max_layers {
        return Err(fail(format!(
            "the image lists {} layers, over the cap of {} (real images have tens)",
            layers.len(),
            limits.max_layers
        )));
    }
    info.platform = platform_of(&config);
    info.entrypoint = strings(&config["config"]["Entrypoint"]);
    info.cmd = strings(&config["config"]["Cmd"]);
    Ok(Plan { info, layers, store })
}

// ---------------------------------------------------------------------------------------------
// Layer streaming.

/// Counts the compressed bytes as they pass (for the bomb ratio and progress) and hashes them
/// (to check the blob's digest without reading it twice).
struct Tap<'a, R> {
    inner: R,
    compressed: &'a AtomicU64,
    progress: &'a AtomicU64,
    hash: Option<&'a Mutex<Sha256>>,
}

impl<R: Read> Read for Tap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.compressed.fetch_add(k as u64, Ordering::Relaxed);
        self.progress.fetch_add(k as u64, Ordering::Relaxed);
        if let Some(h) = self.hash {
            h.lock().unwrap_or_else(|e| e.into_inner()).update(&buf[..k]);
        }
        Ok(k)
    }
}

/// Stops a decompression bomb: at most `max` bytes, and at most `ratio` times what the
/// compressed side has delivered once past `floor`.
struct Capped<'a, R> {
    inner: R,
    n: u64,
    max: u64,
    floor: u64,
    ratio: u64,
    compressed: &'a AtomicU64,
    /// SHA-256 of the uncompressed stream, when a `diff_id` is to be checked.
    hash: Option<Sha256>,
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        if let Some(h) = &mut self.hash {
            h.update(&buf[..k]);
        }
        if self.n > self.max {
            return Err(io::Error::other(format!("layer inflates past {} bytes (the --max-layer-size cap)", self.max)));
        }
        let c = self.compressed.load(Ordering::Relaxed).max(1);
        if self.n > self.floor && self.n / c > self.ratio {
            return Err(io::Error::other(format!(
                "layer inflates {}x ({} bytes from {c}): a decompression bomb; not scanned further",
                self.n / c,
                self.n
            )));
        }
        Ok(k)
    }
}

/// File buffers handed back after analysis and reused: allocating and freeing one per file on
/// different threads fragmented the allocator's arenas (peak RSS grew with the image). Buffers
/// over 32 MiB are not kept (the allocator maps and unmaps those), nor more than 8.
#[derive(Default)]
struct BufferPool {
    free: Mutex<Vec<Vec<u8>>>,
}

impl BufferPool {
    fn take(&self, size: u64) -> Vec<u8> {
        let mut v = self.free.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
        v.clear();
        v.reserve(usize::try_from(size).unwrap_or(0));
        v
    }
    fn give(&self, v: Vec<u8>) {
        if v.capacity() <= 32 << 20 {
            let mut f = self.free.lock().unwrap_or_else(|e| e.into_inner());
            if f.len() < 8 {
                f.push(v);
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    File,
    Dir,
    Other,
}

/// What a layer says about paths, for squashing.
#[derive(Default)]
struct LayerView {
    /// Path → kind of the entry this layer puts there (the last one wins).
    entries: HashMap<String, Kind>,
    whiteouts: HashSet<String>,
    opaque: HashSet<String>,
}

/// Image path of a tar entry name, or why it is refused.
fn image_path(raw: &str) -> Result<String, &'static str> {
    if raw.starts_with('/') {
        return Err("absolute path in a layer entry; skipped");
    }
    if raw.split('/').any(|c| c == "..") {
        return Err("path with '..' in a layer entry; skipped (it would escape the image root)");
    }
    Ok(format!("/{}", clean_name(raw).unwrap_or_default()))
}

fn parent(p: &str) -> &str {
    match p.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &p[..i],
    }
}

/// A layer's decompressor over its raw stream, concrete so the raw stream can be taken back:
/// after a decompression error the rest of the blob is still read (hashed, not inflated) so its
/// digest can be checked.
enum Decoder<R: Read> {
    Gzip(Box<flate2::read::MultiGzDecoder<BufReader<Head<R>>>>),
    Zstd(zstd::stream::read::Decoder<'static, BufReader<Head<R>>>),
    Plain(Head<R>),
}

/// The raw stream with its first bytes (read to sniff the compression) put back in front.
type Head<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Zstd(d) => d.read(buf),
            Decoder::Plain(d) => d.read(buf),
        }
    }
}

impl<R: Read> Decoder<R> {
    fn name(&self) -> &'static str {
        match self {
            Decoder::Gzip(_) => "gzip",
            Decoder::Zstd(_) => "zstd",
            Decoder::Plain(_) => "tar",
        }
    }

    /// The raw stream, positioned after what the decoder consumed.
    fn into_raw(self) -> R {
        match self {
            Decoder::Gzip(d) => (*d).into_inner().into_inner().into_inner().1,
            Decoder::Zstd(d) => d.finish().into_inner().into_inner().1,
            Decoder::Plain(d) => d.into_inner().1,
        }
    }
}

/// Open a layer for reading, choosing the decompressor by the stream's magic bytes.
fn decompress<R: Read>(mut r: R) -> io::Result<Decoder<R>> {
    let mut magic = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match r.read(&mut magic[got..])? {
            0 => break,
            n => got += n,
        }
    }
    let head = io::Cursor::new(magic[..got].to_vec()).chain(r);
    Ok(if got >= 2 && magic[..2] == [0x1f, 0x8b] {
        Decoder::Gzip(Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(256 << 10, head))))
    } else if got == 4 && magic == [0x28, 0xb5, 0x2f, 0xfd] {
        Decoder::Zstd(zstd::stream::read::Decoder::with_buffer(BufReader::with_capacity(256 << 10, head))?)
    } else {
        Decoder::Plain(head)
    })
}

/// Scan an image file or layout: see [`scan_source`].
pub fn scan<R, F>(
    path: &Path,
    kind: ImageKind,
    platform: Option<&str>,
    limits: &ImageLimits,
    progress: &Progress,
    analyze: F,
) -> Result<ImageScan<R>, ImageError>
where
    R: Send + Clone,
    F: Fn(&str, &[u8]) -> R + Sync,
{
    scan_source(&ImageSource::Path(path.to_path_buf(), kind), platform, limits, progress, analyze)
}

/// What one layer's tar stream held.
struct LayerRead<R> {
    view: LayerView,
    /// (path, size, analysis) of the ELF files.
    files: Vec<(String, u64, R)>,
    non_elf: Vec<String>,
    /// Hard links: (link path, target path).
    links: Vec<(String, String)>,
    errors: Vec<EntryError>,
    /// Why the layer could not be read to its end, if it could not.
    stopped: Option<String>,
    entries: u64,
}

/// The extension records (GNU long name/link, PAX) that describe the next entry, each read
/// whole only when under the cap: the tar crate would read any size (a 1 GiB long name cost
/// 2.7 GB), so entries come raw and these are handled here.
#[derive(Default)]
struct Pending {
    name: Option<Vec<u8>>,
    link: Option<Vec<u8>>,
    pax: Option<Vec<u8>>,
    /// The first refused record: the entry it describes is skipped with this reason.
    refused: Option<String>,
}

impl Pending {
    fn take(&mut self) -> Pending {
        std::mem::take(self)
    }
}

/// Read the decompressed tar stream of layer `li`, handing each ELF file to `analyze` on the
/// rayon pool (memory bounded by `budget`).
#[allow(clippy::too_many_arguments)]
fn stream_layer<R, F, T>(
    tar_stream: T,
    layer: &str,
    limits: &ImageLimits,
    budget: &crate::ByteBudget,
    pool: &BufferPool,
    progress: &Progress,
    analyze: &F,
) -> (LayerRead<R>, T)
where
    R: Send,
    F: Fn(&str, &[u8]) -> R + Sync,
    T: Read + Send,
{
    let mut out = LayerRead {
        view: LayerView::default(),
        files: Vec::new(),
        non_elf: Vec::new(),
        links: Vec::new(),
        errors: Vec::new(),
        stopped: None,
        entries: 0,
    };
    let files: Mutex<Vec<(String, u64, R)>> = Mutex::new(Vec::new());
    let mut archive = tar::Archive::new(tar_stream);
    let entry_err = |path: String, reason: String| EntryError { path, layer: Some(layer.to_string()), reason };
    rayon::scope(|s| {
        let entries = match archive.entries() {
            Ok(e) => e.raw(true),
            Err(e) => {
                out.stopped = Some(format!("not a tar layer: {e}"));
                return;
            }
        };
        let mut pending = Pending::default();
        for entry in entries {
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    out.stopped = Some(format!("layer truncated or corrupt after {} entries ({e})", out.entries));
                    break;
                }
            };
            out.entries += 1;
            let et = entry.header().entry_type();
            if et.is_gnu_longname() || et.is_gnu_longlink() || et.is_pax_local_extensions() {
                let what = if et.is_pax_local_extensions() { "PAX header" } else { "GNU long name" };
                let size = entry.size();
                if size > limits.max_tar_extension {
                    // The tar reader skips the unread data before the next header.
                    pending.refused.get_or_insert(format!(
                        "{what} of {size} bytes, over the {}-byte cap; entry skipped",
                        limits.max_tar_extension
                    ));
                    continue;
                }
                let mut v = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                if let Err(e) = entry.read_to_end(&mut v) {
                    out.stopped = Some(format!("{what} truncated: {e}"));
                    break;
                }
                let slot = if et.is_pax_local_extensions() {
                    &mut pending.pax
                } else if et.is_gnu_longname() {
                    &mut pending.name
                } else {
                    &mut pending.link
                };
                if slot.replace(v).is_some() {
                    pending.refused.get_or_insert(format!("two {what} records for one entry; entry skipped"));
                }
                continue;
            }
            if et.is_pax_global_extensions() {
                continue;
            }
            let ext = pending.take();
            let header_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            if let Some(why) = ext.refused {
                out.errors.push(entry_err(header_name, why));
                continue;
            }
            let (mut name, mut link) = (ext.name.map(trim_nul), ext.link.map(trim_nul));
            if let Some(pax) = &ext.pax {
                for rec in tar::PaxExtensions::new(pax) {
                    let Ok(rec) = rec else {
                        out.errors.push(entry_err(header_name.clone(), "malformed PAX record; entry skipped".into()));
                        name = None;
                        break;
                    };
                    match rec.key() {
                        Ok("path") => name = Some(rec.value_bytes().to_vec()),
                        Ok("linkpath") => link = Some(rec.value_bytes().to_vec()),
                        Ok("size") => {
                            // The tar reader sized the entry by its header; a different PAX size
                            // would desynchronise the stream (and could hide entries).
                            let header_size = entry.header().entry_size().unwrap_or(u64::MAX);
                            if rec.value().ok().and_then(|v| v.parse::<u64>().ok()) != Some(header_size) {
                                out.stopped = Some(format!(
                                    "{header_name}: PAX size record disagrees with the header's size ({header_size})"
                                ));
                            }
                        }
                        _ => {}
                    }
                }
                if out.stopped.is_some() {
                    break;
                }
            }
            if et.is_gnu_sparse() {
                out.stopped = Some(format!("{header_name}: GNU sparse entry (not used by image builders)"));
                break;
            }
            let raw = name.map_or(header_name, |n| String::from_utf8_lossy(&n).into_owned());
            let p = match image_path(&raw) {
                Ok(p) => p,
                Err(why) => {
                    out.errors.push(entry_err(raw, why.into()));
                    continue;
                }
            };
            if p == "/" {
                continue;
            }
            let depth = p.bytes().filter(|b| *b == b'/').count() - 1; // directories above the entry
            if depth > limits.max_path_depth {
                let why =
                    format!("path nested {depth} levels deep, over the cap of {}; skipped", limits.max_path_depth);
                out.errors.push(entry_err(shorten(&p), why));
                continue;
            }
            let base = &p[p.rfind('/').map_or(0, |i| i + 1)..];
            if let Some(rest) = base.strip_prefix(".wh.") {
                if rest == ".wh..opq" {
                    out.view.opaque.insert(parent(&p).to_string());
                } else if !rest.is_empty() {
                    let dir = parent(&p);
                    out.view.whiteouts.insert(if dir == "/" { format!("/{rest}") } else { format!("{dir}/{rest}") });
                }
                continue;
            }
            let kind = if et.is_dir() {
                Kind::Dir
            } else if et.is_file() || et == tar::EntryType::Continuous || et.is_hard_link() {
                Kind::File
            } else {
                Kind::Other
            };
            out.view.entries.insert(p.clone(), kind);
            if et.is_hard_link() {
                let target = link
                    .or_else(|| entry.link_name_bytes().map(|t| t.into_owned()))
                    .map(|t| String::from_utf8_lossy(&t).into_owned());
                match target.as_deref().map(image_path) {
                    Some(Ok(t)) => out.links.push((p, t)),
                    _ => out
                        .errors
                        .push(entry_err(p, "hard link with a missing, absolute or '..' target; skipped".into())),
                }
                continue;
            }
            if kind != Kind::File {
                continue;
            }
            let size = entry.size();
            if size < 4 {
                continue;
            }
            let mut magic = [0u8; 4];
            if let Err(e) = entry.read_exact(&mut magic) {
                out.errors.push(entry_err(p, format!("cannot read: {e}")));
                continue;
            }
            if &magic != ELF_MAGIC {
                out.non_elf.push(p);
                continue;
            }
            if size > limits.max_file_size {
                let why = format!(
                    "{size} bytes is over the {}-byte limit; raise it with --max-file-size",
                    limits.max_file_size
                );
                out.errors.push(entry_err(p, why));
                continue;
            }
            // The analyses are queued on this pool: run them here while waiting.
            budget.acquire_helping_pool(size);
            let mut data = pool.take(size);
            data.extend_from_slice(&magic);
            if let Err(e) = entry.by_ref().take(size - 4).read_to_end(&mut data) {
                budget.release(size);
                out.stopped = Some(format!("{p}: truncated in the layer ({e})"));
                break;
            }
            let files = &files;
            s.spawn(move |_| {
                let r = analyze(&p, &data);
                pool.give(data);
                budget.release(size);
                progress.files.fetch_add(1, Ordering::Relaxed);
                files.lock().unwrap_or_else(|e| e.into_inner()).push((p, size, r));
            });
        }
    });
    out.files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    (out, archive.into_inner())
}

fn trim_nul(mut v: Vec<u8>) -> Vec<u8> {
    while v.last() == Some(&0) {
        v.pop();
    }
    v
}

/// A path shown in an error, cut to its first and last 100 bytes when longer.
fn shorten(p: &str) -> String {
    if p.len() <= 240 {
        return p.to_string();
    }
    let mut a = 100;
    while !p.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = p.len() - 100;
    while !p.is_char_boundary(b) {
        b += 1;
    }
    format!("{}…{} ({} bytes)", &p[..a], &p[b..], p.len())
}

/// Scan an image: every visible ELF file goes through `analyze(path, bytes)` on the rayon pool.
/// A hard link to an ELF file is reported under its own path too, with the same result.
///
/// Only layers whose content was checked against its digest (the blob digest for OCI, the
/// `diff_id` for docker archives) contribute files; a layer that fails the check is reported as
/// an error and left out. A blob listed more than once is read once, at its topmost place
/// (the lower copies change nothing the top one does not).
pub fn scan_source<R, F>(
    src: &ImageSource,
    platform: Option<&str>,
    limits: &ImageLimits,
    progress: &Progress,
    analyze: F,
) -> Result<ImageScan<R>, ImageError>
where
    R: Send + Clone,
    F: Fn(&str, &[u8]) -> R + Sync,
{
    let Plan { mut info, layers, store } = plan(src, platform, limits)?;
    let mut errors: Vec<EntryError> = Vec::new();
    let mut reads: Vec<Option<LayerRead<R>>> = Vec::new();
    let budget = crate::ByteBudget::new(limits.in_flight);
    let pool = BufferPool::default();
    // The topmost place of each blob.
    let mut top: HashMap<&str, usize> = HashMap::new();
    for (li, l) in layers.iter().enumerate() {
        top.insert(&l.name, li);
    }
    for (li, l) in layers.iter().enumerate() {
        if top.get(l.name.as_str()) == Some(&li) {
            let size = l.declared_size.or_else(|| store.size(&layer_name(&l.name)));
            progress.total.fetch_add(size.unwrap_or(0), Ordering::Relaxed);
        }
    }
    for (li, PlannedLayer { name, verify, diff_id, declared_size }) in layers.iter().enumerate() {
        let digest = info.layers[li].digest.clone();
        let layer_err = |reason: String| EntryError { path: String::new(), layer: Some(digest.clone()), reason };
        if top.get(name.as_str()) != Some(&li) {
            reads.push(None);
            continue;
        }
        let opened =
            store.open(&layer_name(name), *declared_size, limits.max_layer_size, "raise it with --max-layer-size");
        let (raw, size) = match opened {
            Ok((r, got)) => {
                if let (Some(g), Some(d)) = (got, *declared_size) {
                    if g != d {
                        errors.push(layer_err(format!(
                            "layer blob is {g} bytes but the manifest says {d}: the image is damaged; its files are not reported"
                        )));
                        reads.push(None);
                        continue;
                    }
                }
                (r, got.or(*declared_size))
            }
            Err(e) => {
                errors.push(layer_err(format!("layer blob {e}; its files are not reported")));
                reads.push(None);
                continue;
            }
        };
        info.layers[li].size = size.unwrap_or(0);
        let compressed = AtomicU64::new(0);
        let check = verify.as_ref().filter(|d| d.starts_with("sha256:"));
        let hash = Mutex::new(Sha256::new());
        // Never read past the size the manifest or store states (an endless blob ends there).
        let cap = size.unwrap_or(limits.max_layer_size).saturating_add(1);
        let tap = Tap {
            inner: raw.take(cap),
            compressed: &compressed,
            progress: &progress.bytes,
            hash: check.map(|_| &hash),
        };
        let decoder = match decompress(tap) {
            Ok(x) => x,
            Err(e) => {
                errors.push(layer_err(format!("cannot read the layer: {e}; its files are not reported")));
                reads.push(None);
                continue;
            }
        };
        info.layers[li].compression = decoder.name().into();
        let capped = Capped {
            inner: decoder,
            n: 0,
            max: limits.max_layer_size,
            floor: limits.ratio_floor,
            ratio: limits.max_ratio,
            compressed: &compressed,
            hash: diff_id.as_ref().map(|_| Sha256::new()),
        };
        let (mut read, mut capped) = stream_layer(capped, &digest, limits, &budget, &pool, progress, &analyze);
        // Read to the end so the digests cover the whole blob: through the decompressor while
        // it works, then the raw rest (hashed, not inflated).
        if read.stopped.is_none() {
            if let Err(e) = io::copy(&mut capped, &mut io::sink()) {
                read.stopped = Some(format!("cannot read to the end of the layer: {e}"));
            }
        }
        info.layers[li].uncompressed_size = capped.n;
        info.layers[li].entries = read.entries;
        let inflated_ok = read.stopped.is_none();
        let diff_hash = capped.hash.take();
        let mut tap = capped.inner.into_raw();
        let drained = io::copy(&mut tap, &mut io::sink());
        let blob_len = compressed.load(Ordering::Relaxed);
        let over = size.is_some_and(|s| blob_len > s);
        // Why its files cannot be trusted, if they cannot.
        let mut distrust: Option<String> = None;
        if over {
            distrust = Some(format!(
                "layer blob is longer than the {} bytes the manifest states",
                size.map_or("?".into(), |s| s.to_string())
            ));
        } else if let Err(e) = drained {
            distrust = Some(format!("cannot read the layer blob to its end ({e})"));
        } else if let Some(d) = check {
            let got = format!("sha256:{:x}", hash.into_inner().unwrap_or_else(|e| e.into_inner()).finalize());
            if &got != d {
                distrust = Some(format!(
                    "layer blob does not match its digest (got {got}): the image is corrupt or was tampered with"
                ));
            }
        }
        if let (None, Some(want), Some(h)) = (&distrust, diff_id, diff_hash) {
            if inflated_ok {
                let got = format!("sha256:{:x}", h.finalize());
                if &got != want {
                    distrust = Some(format!(
                        "layer does not match its diff_id {want} (got {got}): the image is corrupt or was tampered with"
                    ));
                }
            } else if check.is_none() {
                distrust = Some("layer could not be read to its end, so its diff_id could not be checked".into());
            }
        }
        if check.is_none() && diff_id.is_none() && distrust.is_none() {
            errors.push(layer_err(
                "no digest to check this layer against (no diff_id in the config); its files are reported unverified"
                    .into(),
            ));
        }
        match (distrust, read.stopped.take()) {
            (Some(why), stopped) => {
                let also = stopped.map(|s| format!(" (reading stopped: {s})")).unwrap_or_default();
                errors.push(layer_err(format!("{why}{also}; its files are not reported")));
                errors.append(&mut read.errors);
                reads.push(None);
            }
            (None, Some(stopped)) => {
                errors.push(layer_err(format!(
                    "{stopped}; the {} before it are reported (the blob matches its digest)",
                    if read.entries == 1 { "entry" } else { "entries" }
                )));
                errors.append(&mut read.errors);
                reads.push(Some(read));
            }
            (None, None) => {
                errors.append(&mut read.errors);
                reads.push(Some(read));
            }
        }
    }
    let (files, non_elf, link_errors) = squash(&info, reads, limits);
    errors.extend(link_errors);
    Ok(ImageScan { info, files, errors, non_elf })
}

/// Paths of an image interned by (parent, name), so a path costs its length once, however
/// deep it is nested; per path, the highest layer that sets or hides it and the highest layer
/// that hides what is under it.
#[derive(Default)]
struct Tree {
    ids: HashMap<(u32, String), u32>,
    parent: Vec<u32>,
    /// Highest layer (+1; 0 = none) with an entry or whiteout at this path.
    set_at: Vec<u32>,
    /// Highest layer (+1) that hides this path's descendants: a whiteout, an opaque marker or a
    /// non-directory here.
    hides_below: Vec<u32>,
}

impl Tree {
    fn new() -> Tree {
        Tree { parent: vec![0], set_at: vec![0], hides_below: vec![0], ..Default::default() }
    }

    fn intern(&mut self, path: &str) -> u32 {
        let mut id = 0u32;
        for c in path.split('/').filter(|c| !c.is_empty()) {
            id = match self.ids.get(&(id, c.to_string())) {
                Some(&k) => k,
                None => {
                    let k = self.parent.len() as u32;
                    self.ids.insert((id, c.to_string()), k);
                    self.parent.push(id);
                    self.set_at.push(0);
                    self.hides_below.push(0);
                    k
                }
            };
        }
        id
    }
}

/// Apply whiteouts, opaque directories and later layers: which files of which layers are in the
/// final filesystem. Linear in the total length of the paths.
fn squash<R: Clone>(
    info: &ImageInfo,
    reads: Vec<Option<LayerRead<R>>>,
    limits: &ImageLimits,
) -> (Vec<ImageFile<R>>, u64, Vec<EntryError>) {
    let mut tree = Tree::new();
    for (li, read) in reads.iter().enumerate() {
        let Some(r) = read else { continue };
        let at = li as u32 + 1;
        for (p, kind) in &r.view.entries {
            let id = tree.intern(p) as usize;
            tree.set_at[id] = at;
            if *kind != Kind::Dir {
                tree.hides_below[id] = at;
            }
        }
        for p in &r.view.whiteouts {
            let id = tree.intern(p) as usize;
            tree.set_at[id] = at;
            tree.hides_below[id] = at;
        }
        for p in &r.view.opaque {
            let id = tree.intern(p) as usize;
            tree.hides_below[id] = tree.hides_below[id].max(at);
        }
    }
    // Highest layer hiding each path from above (through any ancestor); parents come first.
    let mut above = vec![0u32; tree.parent.len()];
    for id in 1..tree.parent.len() {
        let p = tree.parent[id] as usize;
        above[id] = above[p].max(tree.hides_below[p]);
    }
    let lookup = |tree: &Tree, path: &str| -> Option<usize> {
        let mut id = 0u32;
        for c in path.split('/').filter(|c| !c.is_empty()) {
            id = *tree.ids.get(&(id, c.to_string()))?;
        }
        Some(id as usize)
    };
    // A path of layer li is visible if no higher layer sets it or hides it from above (an
    // opaque marker of li itself hides only lower layers).
    let visible = |li: usize, id: usize| tree.set_at[id] <= li as u32 + 1 && above[id] <= li as u32 + 1;
    let mut files: Vec<ImageFile<R>> = Vec::new();
    let mut non_elf = 0u64;
    for (li, read) in reads.iter().enumerate() {
        let Some(r) = read else { continue };
        non_elf += r.non_elf.iter().filter(|p| lookup(&tree, p).is_some_and(|id| visible(li, id))).count() as u64;
        for (p, size, result) in &r.files {
            if lookup(&tree, p).is_some_and(|id| visible(li, id)) {
                files.push(ImageFile {
                    path: p.clone(),
                    layer: info.layers[li].digest.clone(),
                    size: *size,
                    result: result.clone(),
                });
            }
        }
    }
    // A path written twice in one layer: the later entry wins; keep one report.
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    // Hard links: the ELF file their target named in that layer or below (found by hash, not by
    // scanning), reported under the link's own path; at most `max_link_reports` per image.
    let mut elf_at: HashMap<&str, Vec<(usize, usize)>> = HashMap::new(); // path → (layer, file index)
    let mut link_at: HashMap<&str, Vec<(usize, &str)>> = HashMap::new(); // path → (layer, target)
    for (li, read) in reads.iter().enumerate() {
        let Some(r) = read else { continue };
        for (k, (p, ..)) in r.files.iter().enumerate() {
            elf_at.entry(p).or_default().push((li, k));
        }
        for (p, t) in &r.links {
            link_at.entry(p).or_default().push((li, t));
        }
    }
    let at_or_below = |v: &[(usize, usize)], li: usize| v.iter().rev().find(|(l, _)| *l <= li).copied();
    let mut linked = Vec::new();
    let mut skipped = 0u64;
    for (li, read) in reads.iter().enumerate() {
        let Some(r) = read else { continue };
        for (p, target) in &r.links {
            if !lookup(&tree, p).is_some_and(|id| visible(li, id)) {
                continue;
            }
            let mut resolved: &str = target;
            for _ in 0..8 {
                match link_at.get(resolved).and_then(|v| v.iter().rev().find(|(l, _)| *l <= li)) {
                    Some((_, t)) if *t != resolved => resolved = t,
                    _ => break,
                }
            }
            let Some((tl, k)) = elf_at.get(resolved).and_then(|v| at_or_below(v, li)) else { continue };
            if linked.len() >= limits.max_link_reports {
                skipped += 1;
                continue;
            }
            let Some(Some(tr)) = reads.get(tl) else { continue };
            let (_, size, result) = &tr.files[k];
            linked.push(ImageFile {
                path: p.clone(),
                layer: info.layers[li].digest.clone(),
                size: *size,
                result: result.clone(),
            });
        }
    }
    let mut errors = Vec::new();
    if skipped > 0 {
        errors.push(EntryError {
            path: String::new(),
            layer: None,
            reason: format!(
                "{skipped} more hard links to ELF files not reported (over the cap of {} per image; each shares its target's report)",
                limits.max_link_reports
            ),
        });
    }
    let linked_paths: HashSet<String> = linked.iter().map(|f| f.path.clone()).collect();
    files.retain(|f| !linked_paths.contains(&f.path));
    files.extend(linked);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, non_elf, errors)
}

/// The name a layer is opened by: docker-archive layer paths as written, OCI blobs by digest.
fn layer_name(name: &str) -> String {
    match valid_digest(name) {
        Some((alg, hex)) => format!("blobs/{alg}/{hex}"),
        None => name.to_string(),
    }
}
