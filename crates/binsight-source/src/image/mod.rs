//! Container images read without Docker and without extracting to disk: `docker save` archives,
//! OCI image layouts (a directory) and OCI archives (a tar of one), and registries. Layers
//! (gzip, zstd or plain tar) are streamed once each; ELF files are handed to the caller's
//! analysis on a thread pool while the next entries decompress. Whiteouts and opaque
//! directories are applied afterwards, so a file deleted in an upper layer is not reported.
//! Nothing is ever written to disk.
//!
//! Every blob is found by digest or by a name checked against the archive's own index, never by
//! a path that could leave it; OCI blobs are checked against their sha256 as they stream.
//!
//! By job: [`store`] (where members come from), [`plan`] (manifest, config and layers to read),
//! `decode` (decompression and caps), `layer` (a layer's tar entries), `squash` (the final
//! filesystem), [`types`] (what goes in and out).

mod decode;
mod layer;
pub mod plan;
mod squash;
pub mod store;
pub mod types;

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use binsight_oci::Digest;
use sha2::{Digest as _, Sha256};

use self::decode::{decompress, Capped, Tap};
use self::layer::{BufferPool, LayerRead, Streamer};
pub use self::plan::{host_platform, read_answer, Answer, LayerDescriptor};
use self::plan::{Plan, PlannedLayer};
pub use self::store::detect;
pub use self::types::{
    EntryError, ImageError, ImageFile, ImageInfo, ImageKind, ImageLimits, ImageScan, ImageSource, LayerInfo, NotImage,
    Problem, Progress, StoreError,
};

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
    scan_source(&ImageSource::Path(path.to_path_buf(), kind), platform, limits, progress, |_, p, d| analyze(p, d))
}

/// What a layer read needs besides the layer: limits, memory budget, buffers, progress and the
/// analysis.
struct Reader<'a, F> {
    limits: &'a ImageLimits,
    budget: &'a crate::ByteBudget,
    pool: &'a BufferPool,
    progress: &'a Progress,
    analyze: &'a F,
}

/// Scan an image: every visible ELF file goes through `analyze(image, path, bytes)` on the rayon
/// pool, `image` naming the image (its digests and name, known before any layer is read: what
/// VEX statements about the image need).
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
    F: Fn(&binsight_model::ImageRef, &str, &[u8]) -> R + Sync,
{
    let Plan { mut info, layers, store } = plan::plan(src, platform, limits)?;
    let image = info.image_ref();
    let analyze = |path: &str, data: &[u8]| analyze(&image, path, data);
    let mut errors: Vec<EntryError> = Vec::new();
    let mut reads: Vec<Option<LayerRead<R>>> = Vec::new();
    let budget = crate::ByteBudget::new(limits.in_flight);
    let pool = BufferPool::default();
    let reader = Reader { limits, budget: &budget, pool: &pool, progress, analyze: &analyze };
    // The topmost place of each blob.
    let mut top: HashMap<&str, usize> = HashMap::new();
    for (li, l) in layers.iter().enumerate() {
        top.insert(&l.name, li);
    }
    for (li, l) in layers.iter().enumerate() {
        if top.get(l.name.as_str()) == Some(&li) {
            let size = l.declared_size.or_else(|| store.size(&l.member()));
            progress.total.fetch_add(size.unwrap_or(0), Ordering::Relaxed);
        }
    }
    for (li, l) in layers.iter().enumerate() {
        if top.get(l.name.as_str()) != Some(&li) {
            reads.push(None);
            continue;
        }
        let digest = info.layers[li].digest.clone();
        let layer_err = |reason: String| EntryError { path: String::new(), layer: Some(digest.clone()), reason };
        let opened = match open_layer(&store, l, limits) {
            Ok(x) => x,
            Err(e) => {
                errors.push(layer_err(e.to_string()));
                reads.push(None);
                continue;
            }
        };
        let (read, outcome) = reader.read_layer(opened, l, &digest, &mut info.layers[li]);
        reads.push(judge(read, outcome, &layer_err, &mut errors));
    }
    let (files, non_elf, link_errors, db_files) = squash::squash(&info, &reads, limits);
    errors.extend(link_errors);
    let symlinks = squash::symlinks(&reads);
    Ok(ImageScan { info, files, errors, non_elf, db_files, symlinks })
}

/// Why a layer's blob could not be opened (its files are not reported).
#[derive(Debug, thiserror::Error)]
enum OpenLayerError {
    #[error(
        "layer blob is {got} bytes but the manifest says {declared}: the image is damaged; its files are not reported"
    )]
    SizeMismatch { got: u64, declared: u64 },
    #[error("layer blob {0}; its files are not reported")]
    Open(StoreError),
}

/// A layer's blob, opened, with its size (the store's or the manifest's).
fn open_layer(
    store: &store::Store,
    l: &PlannedLayer,
    limits: &ImageLimits,
) -> Result<(Box<dyn Read + Send>, Option<u64>), OpenLayerError> {
    let (r, got) = store
        .open(&l.member(), l.declared_size, limits.max_layer_size, "raise it with --max-layer-size")
        .map_err(OpenLayerError::Open)?;
    if let (Some(got), Some(declared)) = (got, l.declared_size) {
        if got != declared {
            return Err(OpenLayerError::SizeMismatch { got, declared });
        }
    }
    Ok((r, got.or(l.declared_size)))
}

/// How a layer read ended: why its files cannot be trusted (if they cannot), and whether
/// nothing checked it.
struct Outcome {
    distrust: Option<String>,
    unverified: bool,
}

impl<F> Reader<'_, F> {
    /// Stream one opened layer, then read the blob to its end so its digests are checked:
    /// through the decompressor while it works, then the raw rest (hashed, not inflated).
    fn read_layer<R>(
        &self,
        (raw, size): (Box<dyn Read + Send>, Option<u64>),
        l: &PlannedLayer,
        digest: &str,
        li: &mut LayerInfo,
    ) -> (Option<LayerRead<R>>, Outcome)
    where
        R: Send,
        F: Fn(&str, &[u8]) -> R + Sync,
    {
        let limits = self.limits;
        li.size = size.unwrap_or(0);
        let compressed = AtomicU64::new(0);
        let check = l.verify.as_ref().filter(|d| d.algorithm() == binsight_oci::Algorithm::Sha256);
        let hash = Mutex::new(Sha256::new());
        // Never read past the size the manifest or store states (an endless blob ends there).
        let cap = size.unwrap_or(limits.max_layer_size).saturating_add(1);
        let tap = Tap {
            inner: raw.take(cap),
            compressed: &compressed,
            progress: &self.progress.bytes,
            hash: check.map(|_| &hash),
        };
        let decoder = match decompress(tap) {
            Ok(x) => x,
            Err(e) => {
                let why = format!("cannot read the layer: {e}; its files are not reported");
                return (None, Outcome { distrust: Some(why), unverified: false });
            }
        };
        li.compression = decoder.name().into();
        let capped = Capped {
            inner: decoder,
            n: 0,
            max: limits.max_layer_size,
            floor: limits.ratio_floor,
            ratio: limits.max_ratio,
            compressed: &compressed,
            hash: l.diff_id.as_ref().map(|_| Sha256::new()),
        };
        let streamer = Streamer {
            layer: digest,
            limits,
            budget: self.budget,
            pool: self.pool,
            progress: self.progress,
            analyze: self.analyze,
            files: Mutex::new(Vec::new()),
        };
        let (mut read, mut capped) = streamer.stream(capped);
        if read.stopped.is_none() {
            if let Err(e) = io::copy(&mut capped, &mut io::sink()) {
                read.stopped = Some(format!("cannot read to the end of the layer: {e}"));
            }
        }
        li.uncompressed_size = capped.n;
        li.entries = read.entries;
        let inflated_ok = read.stopped.is_none();
        let diff_hash = capped.hash.take();
        let mut tap = capped.inner.into_raw();
        let drained = io::copy(&mut tap, &mut io::sink());
        let blob_len = compressed.load(Ordering::Relaxed);
        let blob_hash =
            check.map(|_| Digest::from_sha256(hash.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)));
        let checks =
            Checks { size, blob_len, drained, check, blob_hash, diff_id: l.diff_id.as_ref(), diff_hash, inflated_ok };
        (Some(read), checks.outcome())
    }
}

/// What is known of a layer once it is read to its end.
struct Checks<'a> {
    size: Option<u64>,
    blob_len: u64,
    drained: io::Result<u64>,
    check: Option<&'a Digest>,
    blob_hash: Option<Digest>,
    diff_id: Option<&'a Digest>,
    diff_hash: Option<Sha256>,
    inflated_ok: bool,
}

impl Checks<'_> {
    /// Why the layer's files cannot be trusted, if they cannot.
    fn outcome(self) -> Outcome {
        let mut distrust: Option<String> = None;
        if self.size.is_some_and(|s| self.blob_len > s) {
            distrust = Some(format!(
                "layer blob is longer than the {} bytes the manifest states",
                self.size.map_or("?".into(), |s| s.to_string())
            ));
        } else if let Err(e) = &self.drained {
            distrust = Some(format!("cannot read the layer blob to its end ({e})"));
        } else if let (Some(d), Some(got)) = (self.check, &self.blob_hash) {
            if got != d {
                distrust = Some(format!(
                    "layer blob does not match its digest (got {got}): the image is corrupt or was tampered with"
                ));
            }
        }
        if let (None, Some(want), Some(h)) = (&distrust, self.diff_id, self.diff_hash) {
            if self.inflated_ok {
                let got = Digest::from_sha256(h);
                if &got != want {
                    distrust = Some(format!(
                        "layer does not match its diff_id {want} (got {got}): the image is corrupt or was tampered with"
                    ));
                }
            } else if self.check.is_none() {
                distrust = Some("layer could not be read to its end, so its diff_id could not be checked".into());
            }
        }
        let unverified = self.check.is_none() && self.diff_id.is_none() && distrust.is_none();
        Outcome { distrust, unverified }
    }
}

/// Whether a layer's files are reported, with its errors added to `errors`.
fn judge<R>(
    read: Option<LayerRead<R>>,
    outcome: Outcome,
    layer_err: &dyn Fn(String) -> EntryError,
    errors: &mut Vec<EntryError>,
) -> Option<LayerRead<R>> {
    let Some(mut read) = read else {
        // Not even decompressed: the reason is whole already.
        errors.extend(outcome.distrust.map(layer_err));
        return None;
    };
    if outcome.unverified {
        errors.push(layer_err(
            "no digest to check this layer against (no diff_id in the config); its files are reported unverified"
                .into(),
        ));
    }
    match (outcome.distrust, read.stopped.take()) {
        (Some(why), stopped) => {
            let also = stopped.map(|s| format!(" (reading stopped: {s})")).unwrap_or_default();
            errors.push(layer_err(format!("{why}{also}; its files are not reported")));
            errors.append(&mut read.errors);
            None
        }
        (None, Some(stopped)) => {
            errors.push(layer_err(format!(
                "{stopped}; the {} before it are reported (the blob matches its digest)",
                if read.entries == 1 { "entry" } else { "entries" }
            )));
            errors.append(&mut read.errors);
            Some(read)
        }
        (None, None) => {
            errors.append(&mut read.errors);
            Some(read)
        }
    }
}
