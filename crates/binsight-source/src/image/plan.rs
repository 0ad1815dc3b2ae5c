//! What to read: the image's manifest for the platform (through nested indexes), its config,
//! and its layers with the digests to check them against. Every digest that names something
//! to fetch is checked first; nothing is streamed yet.

use binsight_oci::{Descriptor, Digest, DockerArchiveEntry, ImageConfig, ImageIndex, ImageManifest, ManifestOrIndex};

use super::store::Store;
use super::types::{ImageError, ImageInfo, ImageKind, ImageLimits, ImageSource, LayerInfo, Problem};
use binsight_oci::media::ANNOTATION_REF_NAME;
use binsight_oci::registry::Client;

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
pub(crate) struct PlannedLayer {
    /// How to open it: a docker-archive member name, or a blob digest (see
    /// [`PlannedLayer::member`]).
    pub name: String,
    /// Digest to verify the compressed stream against.
    pub verify: Option<Digest>,
    /// Digest to verify the uncompressed stream against (docker archives: the config's
    /// `rootfs.diff_ids`).
    pub diff_id: Option<Digest>,
    /// Size the manifest declares (OCI descriptors carry one).
    pub declared_size: Option<u64>,
}

impl PlannedLayer {
    /// The member it is opened by: a name that is a digest by its blob path, any other as
    /// written.
    pub(crate) fn member(&self) -> String {
        Digest::parse(&self.name).map_or_else(|_| self.name.clone(), |d| d.blob_path())
    }
}

pub(crate) struct Plan {
    pub info: ImageInfo,
    pub layers: Vec<PlannedLayer>,
    pub store: Store,
}

fn json<T: serde::de::DeserializeOwned + Default>(bytes: &[u8], what: &str) -> Result<T, Problem> {
    binsight_oci::json::parse_lenient(bytes).map_err(|source| Problem::NotJson { what: what.into(), source })
}

fn manifest_or_index(bytes: &[u8], what: &str) -> Result<ManifestOrIndex, Problem> {
    ManifestOrIndex::parse(bytes).map_err(|source| Problem::NotJson { what: what.into(), source })
}

/// A descriptor's digest, refused unless it is a valid `sha256:`/`sha512:` digest: it names
/// what is fetched (a registry URL, a path under `blobs/`), so nothing else may pass.
fn descriptor_digest(d: &Descriptor, what: &str) -> Result<Digest, Problem> {
    d.digest().map_err(|_| Problem::InvalidDigest { what: what.into(), digest: d.raw_digest().into() })
}

/// Pick the manifest for `want` from an index: the descriptor, the other platforms the index
/// offers, and the descriptor's (checked) digest.
fn pick_manifest<'a>(
    index: &'a ImageIndex,
    want: &str,
    platform: Option<&str>,
) -> Result<(&'a Descriptor, Vec<String>, Digest), Problem> {
    let ms = index.manifests.as_deref().unwrap_or_default();
    if ms.is_empty() {
        return Err(Problem::NoManifests);
    }
    let platform_of = |d: &Descriptor| d.platform.as_ref().map(ToString::to_string);
    let pick = ms
        .iter()
        .find(|d| platform_of(d).is_some_and(|p| same_platform(&p, want)))
        .or_else(|| {
            if ms.len() == 1 || platform.is_none() {
                ms.iter().find(|d| d.platform.is_none()).or(ms.first())
            } else {
                None
            }
        })
        .ok_or_else(|| Problem::NoPlatform { want: want.into(), have: ms.iter().filter_map(platform_of).collect() })?;
    let mut others = Vec::new();
    for d in ms {
        if let Some(p) = platform_of(d) {
            if d != pick && !others.contains(&p) && !p.starts_with("unknown") {
                others.push(p);
            }
        }
    }
    let entry = match platform_of(pick) {
        Some(p) => format!("the index entry for {p}"),
        None => "the index entry".to_string(),
    };
    let digest = descriptor_digest(pick, &entry)?;
    Ok((pick, others, digest))
}

/// A layer descriptor: digest and declared size (`None` when the manifest states none).
pub type LayerDescriptor = (Digest, Option<u64>);

/// An image manifest's config digest and layers, every digest checked.
fn manifest_descriptors(mdigest: &str, m: &ImageManifest) -> Result<(Digest, Vec<LayerDescriptor>), Problem> {
    let config = descriptor_digest(&m.config.clone().unwrap_or_default(), &format!("manifest {mdigest}: the config"))?;
    let mut layers = Vec::new();
    for (i, l) in m.layers.iter().flatten().enumerate() {
        layers.push((descriptor_digest(l, &format!("manifest {mdigest}: layer {}", i + 1))?, l.size));
    }
    Ok((config, layers))
}

/// What the scan makes of one manifest or index a registry (or an OCI layout) answered.
#[derive(Debug)]
pub enum Answer {
    /// An index: the digest of the manifest picked for the platform.
    Index {
        /// The manifest picked for the platform.
        digest: Digest,
        /// The index's other platforms (not scanned).
        other_platforms: Vec<String>,
    },
    /// An image manifest: its config digest and its layers (digest, declared size).
    Manifest {
        /// The config's digest.
        config: Digest,
        /// The layers, bottom first.
        layers: Vec<LayerDescriptor>,
    },
}

/// Read one registry answer (manifest or index JSON) as [`super::scan_source`] does, for
/// fuzzing and tests: any bytes give an answer or an error, never a panic.
pub fn read_answer(bytes: &[u8], platform: Option<&str>) -> Result<Answer, Problem> {
    match manifest_or_index(bytes, "answer")? {
        ManifestOrIndex::Index(index) => {
            let want = platform.map(str::to_string).unwrap_or_else(host_platform);
            let (_, other_platforms, digest) = pick_manifest(&index, &want, platform)?;
            Ok(Answer::Index { digest, other_platforms })
        }
        ManifestOrIndex::Manifest(m) => {
            let (config, layers) = manifest_descriptors("answer", &m)?;
            Ok(Answer::Manifest { config, layers })
        }
        ManifestOrIndex::Neither => Err(Problem::Neither { digest: None }),
    }
}

/// Where a plan fails: registry errors as they are, the rest as problems of the image.
struct Fail<'a> {
    shown: &'a str,
}

impl Fail<'_> {
    fn at(&self, problem: Problem) -> ImageError {
        match problem {
            Problem::Store(super::types::StoreError::Registry(e)) => ImageError::Registry(e),
            problem => ImageError::Bad { path: self.shown.to_string(), problem },
        }
    }
}

/// Plan a scan of `src`: open its store, read its manifest(s) and config.
pub(crate) fn plan(src: &ImageSource, platform: Option<&str>, limits: &ImageLimits) -> Result<Plan, ImageError> {
    let shown = src.to_string();
    let (store, kind) = match src {
        ImageSource::Path(p, ImageKind::OciDir) => (Store::Dir(p.clone()), ImageKind::OciDir),
        ImageSource::Path(p, kind) => (Store::open_tar(p)?, *kind),
        ImageSource::Registry(r, opts) => (Store::Registry(Box::new(Client::new(r.clone(), opts)?)), ImageKind::OciDir),
    };
    let fail = Fail { shown: &shown };
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
    let planned = if kind == ImageKind::DockerArchive {
        plan_docker_archive(&store, &mut info, limits)
    } else {
        plan_oci(&store, &mut info, platform, limits)
    };
    let (layers, config) = planned.map_err(|p| fail.at(p))?;
    if layers.len() > limits.max_layers {
        return Err(fail.at(Problem::TooManyLayers { count: layers.len(), cap: limits.max_layers }));
    }
    info.platform = config.platform().to_string();
    let run = config.config.unwrap_or_default();
    info.entrypoint = run.entrypoint;
    info.cmd = run.cmd;
    Ok(Plan { info, layers, store })
}

/// A `docker save` archive: the first image of `manifest.json`, layers by member name, each
/// checked against its `diff_id` (and its blob digest when the name is one).
fn plan_docker_archive(
    store: &Store,
    info: &mut ImageInfo,
    limits: &ImageLimits,
) -> Result<(Vec<PlannedLayer>, ImageConfig), Problem> {
    let entries: Vec<DockerArchiveEntry> =
        binsight_oci::json::parse_list(&store.read_small("manifest.json", limits.max_json)?)
            .map_err(|source| Problem::NotJson { what: "manifest.json".into(), source })?;
    let first = entries.first().ok_or(Problem::NoImage)?;
    if entries.len() > 1 {
        info.other_platforms.push(format!("{} more images in the archive (the first is scanned)", entries.len() - 1));
    }
    let cfg_name = first.config.as_deref().ok_or(Problem::NoConfig)?;
    let cfg_bytes = store.read_small(cfg_name, limits.max_json)?;
    info.config_digest = Digest::sha256(&cfg_bytes).to_string();
    let config: ImageConfig = json(&cfg_bytes, cfg_name)?;
    info.tags = first.repo_tags.clone();
    let diff_ids = config.diff_ids();
    let mut layers = Vec::new();
    for (i, l) in first.layers.iter().enumerate() {
        // Newer docker saves name layers by blob digest; the diff_id is what `docker
        // inspect` shows, so it names the layer when there is one.
        let diff_id = diff_ids
            .get(i)
            .and_then(|d| Digest::parse(d).ok())
            .filter(|d| d.algorithm() == binsight_oci::Algorithm::Sha256);
        let digest = diff_id.as_ref().map_or_else(|| format!("layer:{l}"), ToString::to_string);
        let verify = l.strip_prefix("blobs/sha256/").and_then(|h| Digest::parse(&format!("sha256:{h}")).ok());
        layers.push(PlannedLayer { name: l.clone(), verify, diff_id, declared_size: None });
        info.layers.push(LayerInfo { digest, ..Default::default() });
    }
    Ok((layers, config))
}

/// An OCI layout or archive, or a registry: from the root (`index.json`, or what the registry
/// serves for the tag) through nested indexes to the manifest for the platform.
fn plan_oci(
    store: &Store,
    info: &mut ImageInfo,
    platform: Option<&str>,
    limits: &ImageLimits,
) -> Result<(Vec<PlannedLayer>, ImageConfig), Problem> {
    let (mdigest, m) = find_manifest(store, info, platform, limits)?;
    let (cdigest, descriptors) = manifest_descriptors(&mdigest.to_string(), &m)?;
    info.manifest_digest = Some(mdigest.to_string());
    let config: ImageConfig = json(&store.read_blob(&cdigest, limits.max_json)?, &cdigest.to_string())?;
    info.config_digest = cdigest.to_string();
    if let Store::Registry(c) = store {
        if !c.reference.reference.contains(':') {
            info.tags.push(format!("{}:{}", c.reference.repo, c.reference.reference));
        }
    }
    let mut layers = Vec::new();
    for (d, size) in descriptors {
        layers.push(PlannedLayer { name: d.to_string(), verify: Some(d.clone()), diff_id: None, declared_size: size });
        info.layers.push(LayerInfo { digest: d.to_string(), ..Default::default() });
    }
    Ok((layers, config))
}

/// Walk nested indexes (at most a few levels) to the image manifest for the platform,
/// noting the other platforms and the tags index entries name.
fn find_manifest(
    store: &Store,
    info: &mut ImageInfo,
    platform: Option<&str>,
    limits: &ImageLimits,
) -> Result<(Digest, ImageManifest), Problem> {
    let (mut current, mut current_digest) = match store {
        Store::Registry(c) => {
            let (bytes, digest) =
                c.manifest(&c.reference.reference, limits.max_json).map_err(super::types::StoreError::from)?;
            (manifest_or_index(&bytes, &digest.to_string())?, Some(digest))
        }
        _ => (manifest_or_index(&store.read_small("index.json", limits.max_json)?, "index.json")?, None),
    };
    let want = platform.map(str::to_string).unwrap_or_else(host_platform);
    for _ in 0..6 {
        let index = match current {
            ManifestOrIndex::Index(index) => index,
            other => match current_digest.take() {
                Some(d) => match other {
                    ManifestOrIndex::Manifest(m) => return Ok((d, *m)),
                    _ => return Err(Problem::Neither { digest: Some(d) }),
                },
                // The root of a layout must be an index.
                None => ImageIndex::default(),
            },
        };
        let (pick, others, digest) = pick_manifest(&index, &want, platform)?;
        for p in others {
            if !info.other_platforms.contains(&p) {
                info.other_platforms.push(p);
            }
        }
        let bytes = store.read_manifest(&digest, limits.max_json)?;
        current = manifest_or_index(&bytes, &digest.to_string())?;
        if let Some(name) = pick.annotation(ANNOTATION_REF_NAME) {
            info.tags.push(name.to_string());
        }
        current_digest = Some(digest);
    }
    Err(Problem::NestTooDeep)
}
