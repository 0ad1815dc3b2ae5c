//! Static binaries into minimal, reproducible OCI images, without a container engine.
//!
//! An image is two layers: a base (`/etc/passwd` and `/etc/group` with a non-root user, `/tmp`
//! mode 1777, a CA bundle, optionally `/etc/services` and zoneinfo) and the binary at
//! `/app/<name>`, its entrypoint. Every byte is a function of the inputs and
//! `SOURCE_DATE_EPOCH`: tar entries sorted, owned by 0:0 with fixed modes and mtimes, gzip
//! headers without name or time, JSON with sorted keys. One platform gives an image manifest;
//! several give an image index. Each image can carry an SBOM as an OCI artifact whose
//! `subject` is the image manifest, and an OpenVEX document the same way, as an in-toto
//! attestation ([`Vex`]).
//!
//! Outputs: an OCI image layout directory, a `docker save`-style archive (which also holds the
//! OCI layout, so both `docker load` and OCI tools read it), or a push to a registry. Files
//! appear complete or not at all: they are written beside the target and renamed into place
//! (an archive onto a FIFO or `/dev/stdout` is written through: see [`dest`]); `--force`
//! replaces an existing archive file, or an existing OCI layout and nothing else
//! ([`layout_dest`]); a push uploads every blob before any manifest and the tag last.

#![warn(missing_docs, unreachable_pub)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use binsight_oci::json::canonical;
use binsight_oci::media::{ANNOTATION_CREATED, ANNOTATION_REF_NAME};
use binsight_oci::registry::{Client, ManifestUpload, Pushed, RegistryError, Upload};
pub use binsight_oci::Digest;
use binsight_oci::{DockerArchiveEntry, History, ImageConfig, ImageIndex, ImageManifest, RootFs, RunConfig};

pub mod dest;
mod error;

pub use error::{InputError, NotLayout, PackError, WriteError};

/// Media type of an OCI image manifest.
pub const MEDIA_MANIFEST: &str = binsight_oci::media::OCI_MANIFEST;
/// Media type of an OCI image index (several platforms, or referrers).
pub const MEDIA_INDEX: &str = binsight_oci::media::OCI_INDEX;
/// Media type of an OCI image config.
pub const MEDIA_CONFIG: &str = binsight_oci::media::OCI_CONFIG;
/// Media type of a gzip-compressed layer tar.
pub const MEDIA_LAYER: &str = binsight_oci::media::OCI_LAYER_GZIP;
/// Media type of the empty descriptor (`{}`), the config of an SBOM artifact.
pub const MEDIA_EMPTY: &str = binsight_oci::media::OCI_EMPTY;
/// Media type of a CycloneDX JSON SBOM, the layer of an SBOM artifact.
pub const MEDIA_CYCLONEDX: &str = binsight_oci::media::CYCLONEDX_JSON;
/// Media type of an in-toto statement: the artifact type and the layer of a VEX attestation
/// (the generic type Docker Scout publishes attestations under, which trivy's `--vex oci` reads).
pub const MEDIA_IN_TOTO: &str = "application/vnd.in-toto+json";
/// The `_type` of an in-toto Statement v1.
pub const IN_TOTO_STATEMENT: &str = "https://in-toto.io/Statement/v1";
/// The predicate type of an OpenVEX 0.2.0 document.
pub const PREDICATE_OPENVEX: &str = "https://openvex.dev/ns/v0.2.0";
/// Annotation naming an attestation's predicate type, so a reader picks the VEX among an image's
/// attestations without fetching them.
pub const ANNOTATION_PREDICATE_TYPE: &str = "in-toto.io/predicate-type";
/// Where the CA bundle goes, and what `SSL_CERT_FILE` says.
pub const CA_PATH: &str = "etc/ssl/certs/ca-certificates.crt";

/// An OCI platform (`os/architecture[/variant]`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Platform {
    /// Operating system: `linux`.
    pub os: String,
    /// OCI architecture name (`amd64`, `arm64`, …), not the ELF machine name.
    pub architecture: String,
    /// CPU variant (`v7` for 32-bit ARM); `None` when the architecture has none.
    pub variant: Option<String>,
}

impl Platform {
    /// The platform of an ELF machine name as binsight reports it (`x86_64`, `aarch64`, …);
    /// `None` for a machine with no OCI architecture name here.
    pub fn of_machine(machine: &str) -> Option<Platform> {
        let (arch, variant) = match machine {
            "x86_64" => ("amd64", None),
            "aarch64" => ("arm64", None),
            "x86" | "i386" | "i686" => ("386", None),
            "arm" => ("arm", Some("v7")),
            "riscv64" => ("riscv64", None),
            "powerpc64le" | "ppc64le" => ("ppc64le", None),
            "s390x" => ("s390x", None),
            "loongarch64" => ("loong64", None),
            _ => return None,
        };
        Some(Platform { os: "linux".into(), architecture: arch.into(), variant: variant.map(str::to_string) })
    }

    /// Parse `os/architecture[/variant]` (`--platform`); `None` when a part is missing or empty,
    /// or there are more than three.
    pub fn parse(s: &str) -> Option<Platform> {
        let mut it = s.split('/');
        let (os, arch, variant) = (it.next()?, it.next()?, it.next());
        if it.next().is_some() || os.is_empty() || arch.is_empty() {
            return None;
        }
        Some(Platform { os: os.into(), architecture: arch.into(), variant: variant.map(str::to_string) })
    }

    /// As manifests state it.
    pub fn oci(&self) -> binsight_oci::Platform {
        binsight_oci::Platform::new(&self.os, &self.architecture, self.variant.as_deref())
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// A file of the base layer.
#[derive(Clone, Debug)]
pub enum Entry {
    /// A regular file: its path in the image (relative, no leading `/`), bytes and mode.
    File {
        /// Path in the image, without the leading `/`.
        path: String,
        /// Contents.
        data: Vec<u8>,
        /// Permission bits (`0o644`).
        mode: u32,
    },
    /// A directory and its mode.
    Dir {
        /// Path in the image, without the leading `/`.
        path: String,
        /// Permission bits (`0o755`, `0o1777` for `/tmp`).
        mode: u32,
    },
    /// A symbolic link.
    Symlink {
        /// Path in the image, without the leading `/`.
        path: String,
        /// What the link points to, as stored.
        target: String,
    },
}

impl Entry {
    fn path(&self) -> &str {
        match self {
            Entry::File { path, .. } | Entry::Dir { path, .. } | Entry::Symlink { path, .. } => path,
        }
    }
}

/// One binary to pack, for one platform.
#[derive(Clone, Debug)]
pub struct Binary {
    /// File name under `/app/`.
    pub name: String,
    /// The binary's contents.
    pub bytes: Vec<u8>,
    /// The platform its image is for.
    pub platform: Platform,
    /// CycloneDX JSON of the binary, attached to the image as an artifact (`None`: no SBOM).
    pub sbom: Option<Vec<u8>>,
    /// The binary's OpenVEX document, attached to the image as an in-toto attestation (`None`:
    /// no VEX).
    pub vex: Option<Vex>,
}

/// The image a VEX document is written for, known only once the image is built.
#[derive(Clone, Copy, Debug)]
pub struct VexImage<'a> {
    /// The image's name: the repository of the first tag, without tag or digest
    /// (`example.test/org/app`, `app`), `image` without tags. Also the in-toto subject's `name`.
    pub name: &'a str,
    /// The image manifest the document is attached to (the artifact's `subject`).
    pub manifest: &'a Digest,
    /// The image config (the image ID).
    pub config: &'a Digest,
}

/// How a binary's OpenVEX document is made: rendered by [`build`] for the [`VexImage`] once its
/// manifest digest is known, since the document names the image by that digest (the document
/// is no part of the image, so there is no cycle). The renderer must return an OpenVEX document
/// as a JSON object with at least one statement, and the same bytes for the same image.
///
/// [`build`] attaches it as an in-toto Statement v1 (`predicateType` OpenVEX 0.2.0, `subject`
/// the image manifest) in an artifact of type [`MEDIA_IN_TOTO`] annotated with
/// [`ANNOTATION_PREDICATE_TYPE`]: the layout trivy's `--vex oci` discovers.
#[derive(Clone)]
pub struct Vex(Arc<dyn Fn(&VexImage<'_>) -> String + Send + Sync>);

impl Vex {
    /// A VEX made by `render`.
    pub fn new(render: impl Fn(&VexImage<'_>) -> String + Send + Sync + 'static) -> Vex {
        Vex(Arc::new(render))
    }

    /// The OpenVEX document for `image`.
    pub fn render(&self, image: &VexImage<'_>) -> String {
        (self.0)(image)
    }
}

impl std::fmt::Debug for Vex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vex(..)")
    }
}

/// What goes around the binary.
#[derive(Clone, Debug)]
pub struct Options {
    /// `SOURCE_DATE_EPOCH`: every timestamp in the image.
    pub epoch: u64,
    /// Numeric user the entrypoint runs as (written to `/etc/passwd`).
    pub uid: u32,
    /// Numeric group the entrypoint runs as (written to `/etc/group`).
    pub gid: u32,
    /// A PEM bundle for `/etc/ssl/certs/ca-certificates.crt` (`None`: no bundle, no SSL_CERT_FILE).
    pub ca_bundle: Option<Vec<u8>>,
    /// More base files: `/etc/services`, zoneinfo.
    pub extra: Vec<Entry>,
    /// Tags recorded in the layout (`org.opencontainers.image.ref.name`) and the docker archive.
    pub tags: Vec<String>,
}

/// A content-addressed blob and how it is referred to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Descriptor {
    /// What the blob is (one of the `MEDIA_*` constants).
    pub media_type: String,
    /// SHA-256 of the blob's bytes.
    pub digest: Digest,
    /// Size of the blob in bytes.
    pub size: u64,
}

impl Descriptor {
    fn of(media_type: &str, bytes: &[u8]) -> Descriptor {
        Descriptor { media_type: media_type.into(), digest: digest(bytes), size: bytes.len() as u64 }
    }

    /// As a manifest or index states it.
    pub fn oci(&self) -> binsight_oci::Descriptor {
        binsight_oci::Descriptor::new(&self.media_type, &self.digest, self.size)
    }
}

/// The SHA-256 digest of `b`.
pub fn digest(b: &[u8]) -> Digest {
    Digest::sha256(b)
}

/// One platform's image inside a build.
#[derive(Clone, Debug)]
pub struct BuiltImage {
    /// The platform the image is for.
    pub platform: Platform,
    /// The image manifest.
    pub manifest: Descriptor,
    /// The image config.
    pub config: Descriptor,
    /// The layers, base first: (compressed layer, `diff_id`: digest of the uncompressed tar).
    pub layers: Vec<(Descriptor, Digest)>,
    /// The SBOM artifact manifest whose subject is `manifest` (`None`: the binary had no SBOM).
    pub sbom: Option<Descriptor>,
    /// The VEX attestation manifest whose subject is `manifest` (`None`: the binary had no VEX).
    pub vex: Option<Descriptor>,
}

impl BuiltImage {
    /// The artifacts whose subject is this image: the SBOM, then the VEX.
    pub fn referrers(&self) -> impl Iterator<Item = &Descriptor> {
        self.sbom.iter().chain(&self.vex)
    }
}

/// A whole build: blobs by digest (manifests and indexes included) and the root the tag names.
#[derive(Clone, Debug)]
pub struct Built {
    /// Every blob of the build by digest: layers, configs, manifests, SBOMs, VEX statements and
    /// the index.
    pub blobs: BTreeMap<Digest, Vec<u8>>,
    /// One image per platform, in platform order.
    pub images: Vec<BuiltImage>,
    /// The image manifest (one platform) or image index (several).
    pub root: Descriptor,
    /// Tags the root is recorded under ([`Options::tags`]).
    pub tags: Vec<String>,
}

impl Built {
    /// The bytes of the blob `d` names; empty when it is not part of this build.
    pub fn blob(&self, d: &Descriptor) -> &[u8] {
        self.blobs.get(&d.digest).map_or(&[], Vec::as_slice)
    }
}

fn clean(path: &str) -> Result<String, PackError> {
    let p = path.trim_start_matches('/');
    if p.is_empty() || p.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
        return Err(InputError::UncleanPath { path: path.into() }.into());
    }
    Ok(p.to_string())
}

/// A reproducible gzip tar of `entries` (parents added, sorted by path).
fn layer(entries: &[Entry], epoch: u64) -> Result<(Vec<u8>, Digest), PackError> {
    let mut map: BTreeMap<String, &Entry> = BTreeMap::new();
    let mut dirs: BTreeMap<String, u32> = BTreeMap::new();
    for e in entries {
        let p = clean(e.path())?;
        let mut parent = p.as_str();
        while let Some(i) = parent.rfind('/') {
            parent = &parent[..i];
            dirs.entry(parent.to_string()).or_insert(0o755);
        }
        if let Entry::Dir { mode, .. } = e {
            dirs.insert(p.clone(), *mode);
        } else if map.insert(p.clone(), e).is_some() {
            return Err(InputError::Twice { path: p }.into());
        }
    }
    // Directories and files in one sorted order, so parents precede children.
    let mut all: BTreeMap<String, Option<&Entry>> = dirs.keys().map(|d| (d.clone(), None)).collect();
    for (p, e) in &map {
        if all.insert(p.clone(), Some(e)).is_some() {
            return Err(InputError::DirAndFile { path: p.clone() }.into());
        }
    }
    let mut b = tar::Builder::new(Vec::new());
    b.mode(tar::HeaderMode::Deterministic);
    let io = |e: std::io::Error| PackError::from(InputError::Layer(e));
    for (p, e) in &all {
        let mut h = tar::Header::new_ustar();
        h.set_mtime(epoch);
        h.set_uid(0);
        h.set_gid(0);
        match e {
            None => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(dirs.get(p).copied().unwrap_or(0o755));
                h.set_size(0);
                b.append_data(&mut h, format!("{p}/"), &[][..]).map_err(io)?;
            }
            Some(Entry::File { data, mode, .. }) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(*mode);
                h.set_size(data.len() as u64);
                b.append_data(&mut h, p, data.as_slice()).map_err(io)?;
            }
            Some(Entry::Symlink { target, .. }) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_size(0);
                b.append_link(&mut h, p, target).map_err(io)?;
            }
            Some(Entry::Dir { .. }) => {}
        }
    }
    let t = b.into_inner().map_err(io)?;
    let diff_id = digest(&t);
    let mut gz = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::best());
    gz.write_all(&t).map_err(io)?;
    Ok((gz.finish().map_err(io)?, diff_id))
}

/// The base files every image gets.
fn base_entries(o: &Options) -> Vec<Entry> {
    let (u, g) = (o.uid, o.gid);
    let mut v = vec![
        Entry::File {
            path: "etc/passwd".into(),
            data: format!(
                "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:{u}:{g}:nonroot:/home/nonroot:/sbin/nologin\n"
            )
            .into_bytes(),
            mode: 0o644,
        },
        Entry::File {
            path: "etc/group".into(),
            data: format!("root:x:0:\nnonroot:x:{g}:\n").into_bytes(),
            mode: 0o644,
        },
        Entry::Dir { path: "tmp".into(), mode: 0o1777 },
        Entry::Dir { path: "root".into(), mode: 0o700 },
        Entry::Dir { path: "home/nonroot".into(), mode: 0o755 },
    ];
    if let Some(ca) = &o.ca_bundle {
        v.push(Entry::File { path: CA_PATH.into(), data: ca.clone(), mode: 0o644 });
    }
    v.extend(o.extra.iter().cloned());
    v
}

/// Check what `build` is given: something to pack, one binary per platform, usable names,
/// an epoch RFC 3339 can say.
fn check_inputs(binaries: &[Binary], o: &Options) -> Result<(), PackError> {
    if binaries.is_empty() {
        return Err(InputError::Nothing.into());
    }
    let mut seen = std::collections::BTreeSet::new();
    for b in binaries {
        if !seen.insert(b.platform.to_string()) {
            return Err(InputError::TwoForPlatform { platform: b.platform.to_string() }.into());
        }
        if b.name.is_empty() || b.name.contains('/') || b.name.starts_with('.') {
            return Err(InputError::BadName { name: b.name.clone() }.into());
        }
    }
    if o.epoch > binsight_report::sbom::MAX_EPOCH {
        return Err(InputError::EpochTooLate { epoch: o.epoch, max: binsight_report::sbom::MAX_EPOCH }.into());
    }
    Ok(())
}

/// The `org.opencontainers.image.created` annotation.
fn created_annotation(created: &str) -> Option<BTreeMap<String, String>> {
    Some(BTreeMap::from([(ANNOTATION_CREATED.to_string(), created.to_string())]))
}

/// Put `bytes` among the blobs under their digest; their descriptor.
fn add_blob(blobs: &mut BTreeMap<Digest, Vec<u8>>, media_type: &str, bytes: Vec<u8>) -> Descriptor {
    let d = Descriptor::of(media_type, &bytes);
    blobs.insert(d.digest.clone(), bytes);
    d
}

/// The image config of one binary's image.
fn image_config(b: &Binary, o: &Options, created: &str, diff_ids: [&Digest; 2]) -> ImageConfig {
    let app_path = format!("/app/{}", b.name);
    let mut env = vec!["PATH=/app:/usr/local/bin:/usr/bin:/bin".to_string()];
    if o.ca_bundle.is_some() {
        env.push(format!("SSL_CERT_FILE=/{CA_PATH}"));
    }
    let step = |by: String| History { created: Some(created.into()), created_by: Some(by) };
    ImageConfig {
        created: Some(created.into()),
        architecture: Some(b.platform.architecture.clone()),
        os: Some(b.platform.os.clone()),
        variant: b.platform.variant.clone(),
        config: Some(RunConfig {
            entrypoint: vec![app_path.clone()],
            user: Some(format!("{}:{}", o.uid, o.gid)),
            env,
            working_dir: Some("/".into()),
            ..Default::default()
        }),
        rootfs: Some(RootFs { kind: "layers".into(), diff_ids: diff_ids.iter().map(ToString::to_string).collect() }),
        history: Some(vec![step("binsight pack: base files".into()), step(format!("binsight pack: {app_path}"))]),
    }
}

/// An artifact of an image: a manifest of type `artifact_type` whose subject is the image
/// manifest `md`, its config the empty descriptor, its one layer `layer`.
fn artifact(
    blobs: &mut BTreeMap<Digest, Vec<u8>>,
    artifact_type: &str,
    layer: binsight_oci::Descriptor,
    md: &Descriptor,
    annotations: BTreeMap<String, String>,
) -> Descriptor {
    let empty = add_blob(blobs, MEDIA_EMPTY, b"{}".to_vec());
    let config = empty.oci().with_data("e30=");
    let art = ImageManifest {
        schema_version: Some(2),
        media_type: Some(MEDIA_MANIFEST.into()),
        artifact_type: Some(artifact_type.into()),
        config: Some(config),
        layers: Some(vec![layer]),
        subject: Some(md.oci()),
        annotations: Some(annotations),
    };
    add_blob(blobs, MEDIA_MANIFEST, canonical(&art))
}

/// The SBOM artifact of an image: a manifest whose subject is the image manifest `md`.
fn sbom_artifact(blobs: &mut BTreeMap<Digest, Vec<u8>>, sbom: &[u8], md: &Descriptor, created: &str) -> Descriptor {
    let sd = add_blob(blobs, MEDIA_CYCLONEDX, sbom.to_vec());
    artifact(blobs, MEDIA_CYCLONEDX, sd.oci(), md, created_annotation(created).unwrap_or_default())
}

/// A bare in-toto Statement v1 about the image manifest `manifest` of the image `name`, with
/// the OpenVEX document `openvex` (a JSON object) as its predicate. Keys in sorted order, like
/// [`canonical`] writes them; the predicate as given.
fn in_toto_statement(name: &str, manifest: &Digest, openvex: &str) -> Vec<u8> {
    let q = |s: &str| String::from_utf8_lossy(&canonical(&s)).into_owned();
    format!(
        r#"{{"_type":{},"predicate":{},"predicateType":{},"subject":[{{"digest":{{"sha256":{}}},"name":{}}}]}}"#,
        q(IN_TOTO_STATEMENT),
        openvex.trim(),
        q(PREDICATE_OPENVEX),
        q(manifest.hex()),
        q(name)
    )
    .into_bytes()
}

/// The VEX attestation of an image: an in-toto statement (its layer, annotated with the
/// predicate type as Docker's attestations are) in an artifact of type [`MEDIA_IN_TOTO`] whose
/// subject is the image manifest `md`, annotated with its creation time and predicate type.
fn vex_artifact(
    blobs: &mut BTreeMap<Digest, Vec<u8>>,
    statement: Vec<u8>,
    md: &Descriptor,
    created: &str,
) -> Descriptor {
    let layer =
        add_blob(blobs, MEDIA_IN_TOTO, statement).oci().with_annotation(ANNOTATION_PREDICATE_TYPE, PREDICATE_OPENVEX);
    let mut annotations = created_annotation(created).unwrap_or_default();
    annotations.insert(ANNOTATION_PREDICATE_TYPE.into(), PREDICATE_OPENVEX.into());
    artifact(blobs, MEDIA_IN_TOTO, layer, md, annotations)
}

/// The name images are known by in VEX documents: the repository of the first tag, without
/// its tag or digest (`host:5000/org/app:1.0` → `host:5000/org/app`); `image` without tags.
fn image_name(tags: &[String]) -> String {
    let name = tags.first().map(|t| binsight_model::repository_of(t));
    name.filter(|n| !n.is_empty()).unwrap_or("image").to_string()
}

/// One binary's image: its layer, config, manifest, SBOM artifact and VEX attestation, over the
/// shared base.
fn build_image(
    blobs: &mut BTreeMap<Digest, Vec<u8>>,
    b: &Binary,
    o: &Options,
    created: &str,
    base: &(Descriptor, Digest),
) -> Result<BuiltImage, PackError> {
    let app_path = format!("/app/{}", b.name);
    let (app_gz, app_diff) = layer(&[Entry::File { path: app_path, data: b.bytes.clone(), mode: 0o755 }], o.epoch)?;
    let app = add_blob(blobs, MEDIA_LAYER, app_gz);
    let config = image_config(b, o, created, [&base.1, &app_diff]);
    let config_d = add_blob(blobs, MEDIA_CONFIG, canonical(&config));
    let manifest = ImageManifest {
        schema_version: Some(2),
        media_type: Some(MEDIA_MANIFEST.into()),
        config: Some(config_d.oci()),
        layers: Some(vec![base.0.oci(), app.oci()]),
        annotations: created_annotation(created),
        ..Default::default()
    };
    let md = add_blob(blobs, MEDIA_MANIFEST, canonical(&manifest));
    let sbom = b.sbom.as_ref().map(|s| sbom_artifact(blobs, s, &md, created));
    let vex = b.vex.as_ref().map(|v| {
        let name = image_name(&o.tags);
        let doc = v.render(&VexImage { name: &name, manifest: &md.digest, config: &config_d.digest });
        vex_artifact(blobs, in_toto_statement(&name, &md.digest, &doc), &md, created)
    });
    Ok(BuiltImage {
        platform: b.platform.clone(),
        manifest: md,
        config: config_d,
        layers: vec![base.clone(), (app, app_diff)],
        sbom,
        vex,
    })
}

/// Build the image(s): one per binary, each for its platform. `Err` ([`PackError::Input`]) when
/// the inputs cannot make an image: no binary, two for one platform, a bad name or path, an
/// epoch past year 9999.
pub fn build(binaries: &[Binary], o: &Options) -> Result<Built, PackError> {
    check_inputs(binaries, o)?;
    let created = binsight_report::sbom::rfc3339(i64::try_from(o.epoch).unwrap_or(i64::MAX));
    let mut blobs = BTreeMap::new();
    let (base_gz, base_diff) = layer(&base_entries(o), o.epoch)?;
    let base = (add_blob(&mut blobs, MEDIA_LAYER, base_gz), base_diff);
    let images =
        binaries.iter().map(|b| build_image(&mut blobs, b, o, &created, &base)).collect::<Result<Vec<_>, _>>()?;
    let root = if images.len() == 1 {
        images[0].manifest.clone()
    } else {
        let ms = images.iter().map(|i| i.manifest.oci().with_platform(i.platform.oci())).collect();
        add_blob(&mut blobs, MEDIA_INDEX, canonical(&ImageIndex::new(ms)))
    };
    Ok(Built { blobs, images, root, tags: o.tags.clone() })
}

/// An SBOM artifact's descriptor as an index lists it (with its artifact type).
fn sbom_entry(s: &Descriptor) -> binsight_oci::Descriptor {
    s.oci().with_artifact_type(MEDIA_CYCLONEDX)
}

/// A VEX attestation's descriptor as an index lists it: with its artifact type and, as the
/// referrers API lists a referrer, the annotations of its manifest (the predicate type among
/// them, which readers pick the VEX by).
fn vex_entry(b: &Built, v: &Descriptor) -> binsight_oci::Descriptor {
    let m: ImageManifest = binsight_oci::json::parse_lenient(b.blob(v)).unwrap_or_default();
    let mut d = v.oci().with_artifact_type(MEDIA_IN_TOTO);
    d.annotations = m.annotations;
    d
}

/// The referrers of one image as an index lists them: its SBOM, then its VEX.
fn referrer_entries(b: &Built, i: &BuiltImage) -> Vec<binsight_oci::Descriptor> {
    i.sbom.iter().map(sbom_entry).chain(i.vex.iter().map(|v| vex_entry(b, v))).collect()
}

/// The layout's `index.json`: the root (once per tag, named by it) and each image's
/// referrers (SBOM and VEX artifacts).
fn layout_index(b: &Built) -> Vec<u8> {
    let mut ms: Vec<binsight_oci::Descriptor> =
        b.tags.iter().map(|t| b.root.oci().with_annotation(ANNOTATION_REF_NAME, t)).collect();
    if ms.is_empty() {
        ms.push(b.root.oci());
    }
    ms.extend(b.images.iter().flat_map(|i| referrer_entries(b, i)));
    canonical(&ImageIndex::new(ms))
}

/// The referrers tag schema's index of one image's referrers, its SBOM and VEX (registries
/// without the referrers API find an image's referrers under the tag `sha256-<hex of the image
/// manifest>`); `None` when it has none.
fn referrers_index(b: &Built, i: &BuiltImage) -> Option<Vec<u8>> {
    let entries = referrer_entries(b, i);
    (!entries.is_empty()).then(|| canonical(&ImageIndex::new(entries)))
}

/// Push a build to `client`'s repository: blobs first (skipping those it has), then the
/// platform manifests and their SBOM and VEX artifacts by digest, the referrers indexes, and
/// the tag last: an interrupted push never leaves the tag naming an incomplete image.
///
/// SBOM and VEX artifacts name their image in `subject`. Registries that predate the referrers
/// API (like distribution 2.x) are served the spec's fallback as well: an index of the
/// referrers (both) under the tag `sha256-<hex of the image manifest>`.
pub fn push(b: &Built, client: &Client, say: &mut dyn FnMut(&str)) -> Result<Pushed, RegistryError> {
    fn upload<'a>(b: &'a Built, d: &'a Descriptor) -> ManifestUpload<'a> {
        ManifestUpload { media_type: &d.media_type, bytes: b.blob(d) }
    }
    let mut manifests: Vec<&Descriptor> = Vec::new();
    for i in &b.images {
        manifests.push(&i.manifest);
        manifests.extend(i.referrers());
    }
    let is_manifest = |d: &Digest| manifests.iter().any(|m| m.digest == *d) || b.root.digest == *d;
    let referrers: Vec<(String, Vec<u8>)> = b
        .images
        .iter()
        .filter_map(|i| Some((format!("sha256-{}", i.manifest.digest.hex()), referrers_index(b, i)?)))
        .collect();
    let up = Upload {
        blobs: b.blobs.iter().filter(|(d, _)| !is_manifest(d)).map(|(d, v)| (d.clone(), v.as_slice())).collect(),
        manifests: manifests.iter().map(|m| upload(b, m)).collect(),
        tagged: referrers
            .iter()
            .map(|(tag, idx)| (tag.clone(), ManifestUpload { media_type: MEDIA_INDEX, bytes: idx }))
            .collect(),
        root: Some(upload(b, &b.root)),
        root_by_digest: b.images.len() > 1,
    };
    binsight_oci::registry::push(client, &up, say)
}

/// The files of an OCI layout, by path.
fn layout_files(b: &Built) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    files.insert("oci-layout".to_string(), br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
    files.insert("index.json".to_string(), layout_index(b));
    for (d, bytes) in &b.blobs {
        files.insert(d.blob_path(), bytes.clone());
    }
    files
}

fn werr(path: &Path, why: impl Into<WriteError>) -> PackError {
    PackError::Write { path: path.display().to_string(), why: why.into() }
}

/// What is at an `--oci-layout` path, and so what writing there does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayoutDest {
    /// Nothing yet: the layout is staged beside and renamed to this path.
    New(PathBuf),
    /// An empty directory (this canonical path), replaced by the staged layout.
    Empty(PathBuf),
    /// An OCI image layout (this canonical path), replaced only when asked.
    Layout(PathBuf),
}

/// What an OCI image layout holds at its top: `oci-layout`, `index.json`, `blobs/ALG/HEX`.
pub(crate) const LAYOUT_ENTRIES: [&str; 3] = ["oci-layout", "index.json", "blobs"];

/// Whether `dir` (a directory) is an OCI image layout and nothing else: `oci-layout` and
/// `index.json` files, and `blobs/` holding only directories of regular files. The error
/// names what does not belong.
fn is_layout(dir: &Path) -> Result<(), NotLayout> {
    let rd =
        |d: &Path| std::fs::read_dir(d).map_err(|source| NotLayout::ListDir { dir: d.display().to_string(), source });
    let mut seen = Vec::new();
    for e in rd(dir)? {
        let e = e.map_err(NotLayout::ListEntry)?;
        let name = e.file_name().to_string_lossy().into_owned();
        let ft = e.file_type().map_err(|source| NotLayout::EntryType { name: name.clone(), source })?;
        let fits = match name.as_str() {
            "oci-layout" | "index.json" => ft.is_file(),
            "blobs" => ft.is_dir(),
            _ => false,
        };
        if !fits {
            return Err(NotLayout::Foreign { name });
        }
        seen.push(name);
    }
    for need in ["oci-layout", "index.json"] {
        if !seen.iter().any(|n| n == need) {
            return Err(NotLayout::Missing { need });
        }
    }
    if seen.iter().any(|n| n == "blobs") {
        for alg in rd(&dir.join("blobs"))? {
            let alg = alg.map_err(NotLayout::ListBlobs)?;
            let an = alg.file_name().to_string_lossy().into_owned();
            if !alg.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                return Err(NotLayout::ForeignAlgorithm { alg: an });
            }
            for b in rd(&alg.path())? {
                let b = b.map_err(|source| NotLayout::ListAlgorithm { alg: an.clone(), source })?;
                if !b.file_type().map(|t| t.is_file()).unwrap_or(false) {
                    let bn = b.file_name().to_string_lossy().into_owned();
                    return Err(NotLayout::ForeignBlob { alg: an, name: bn });
                }
            }
        }
    }
    Ok(())
}

/// Where a layout at `dir` may go. Refused whatever `replace` says: the current directory, any
/// directory above it (`.`, `..`, `/`), a symbolic link, something that is not a directory,
/// and a non-empty directory that is not an OCI image layout (`oci-layout`, `index.json`,
/// `blobs/` and nothing else). An existing layout is replaced only with `replace` (`--force`).
pub fn layout_dest(dir: &Path, replace: bool) -> Result<LayoutDest, PackError> {
    // Not there, or not reachable (a file on the way, no permission): a new layout, whose
    // writing then fails with the reason (a run-time failure, not a refusal).
    let Ok(m) = std::fs::symlink_metadata(dir) else {
        if dir.file_name().is_none() {
            return Err(werr(dir, WriteError::NotADirName));
        }
        return Ok(LayoutDest::New(dir.to_path_buf()));
    };
    if m.file_type().is_symlink() {
        return Err(werr(dir, WriteError::Symlink));
    }
    if !m.is_dir() {
        return Err(werr(dir, WriteError::NotADir));
    }
    let canon = std::fs::canonicalize(dir).map_err(|e| werr(dir, WriteError::Resolve(e)))?;
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    if canon.parent().is_none() || cwd.as_ref().is_some_and(|c| c.starts_with(&canon)) {
        let what = if canon.parent().is_none() {
            "the root directory"
        } else if cwd.as_ref().is_some_and(|c| c == &canon) {
            "the current directory"
        } else {
            "a directory above the current one"
        };
        return Err(werr(dir, WriteError::Protected { what }));
    }
    let empty =
        std::fs::read_dir(&canon).map(|mut d| d.next().is_none()).map_err(|e| werr(dir, WriteError::List(e)))?;
    if empty {
        return Ok(LayoutDest::Empty(canon));
    }
    is_layout(&canon).map_err(|why| werr(dir, WriteError::NotALayout(why)))?;
    if !replace {
        return Err(werr(dir, WriteError::LayoutExists));
    }
    Ok(LayoutDest::Layout(canon))
}

/// Write an OCI image layout at `dir` ([`layout_dest`] says where that is allowed): staged
/// beside it, then renamed into place; an old layout is renamed aside first and removed only
/// once the new one is in place (put back if that fails). Errors name `dir`, never the
/// staging directory beside it.
pub fn write_layout(b: &Built, dir: &Path, replace: bool) -> Result<(), PackError> {
    let dest = layout_dest(dir, replace)?;
    let target = match &dest {
        LayoutDest::New(p) | LayoutDest::Empty(p) | LayoutDest::Layout(p) => p.clone(),
    };
    let tmp = dest::staging(&target, "partial");
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| {
        if let Some(parent) = tmp.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| werr(dir, WriteError::Create(e)))?;
        }
        std::fs::create_dir(&tmp).map_err(|e| werr(dir, WriteError::Stage(e)))?;
        for (rel, bytes) in layout_files(b) {
            let p = tmp.join(&rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| werr(dir, WriteError::Mkdir(e)))?;
            }
            std::fs::write(&p, bytes).map_err(|source| werr(dir, WriteError::File { rel: rel.clone(), source }))?;
        }
        match &dest {
            // rename(2) puts a directory over an empty one.
            LayoutDest::New(_) | LayoutDest::Empty(_) => std::fs::rename(&tmp, &target).map_err(|e| werr(dir, e)),
            LayoutDest::Layout(_) => {
                let old = dest::staging(&target, "old");
                let _ = std::fs::remove_dir_all(&old);
                std::fs::rename(&target, &old).map_err(|e| werr(dir, WriteError::MoveAside(e)))?;
                if let Err(e) = std::fs::rename(&tmp, &target) {
                    let _ = std::fs::rename(&old, &target);
                    return Err(werr(dir, WriteError::PutInPlace(e)));
                }
                std::fs::remove_dir_all(&old).map_err(|e| werr(dir, WriteError::RemoveOld(e)))
            }
        }
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// Write a `docker save`-style archive: `manifest.json` (docker load) plus the OCI layout
/// (OCI tools), members sorted, times fixed. One platform only. Where it goes is [`dest`]'s
/// rule: a file is staged and renamed (an existing one replaced only with `replace`), a FIFO
/// or `/dev/stdout` written through (never a terminal). Errors name `file`, never the staging
/// file beside it.
pub fn write_tarball(b: &Built, file: &Path, epoch: u64, replace: bool) -> Result<(), PackError> {
    match dest::classify(file).map_err(|e| werr(file, e))? {
        dest::Dest::Replace { exists: true, .. } if !replace => {
            return Err(werr(file, WriteError::FileExists));
        }
        _ => {}
    }
    let [img] = b.images.as_slice() else {
        return Err(werr(file, WriteError::MultiPlatform { platforms: b.images.len() }));
    };
    let mut files = layout_files(b);
    let m = [DockerArchiveEntry {
        config: Some(img.config.digest.blob_path()),
        repo_tags: b.tags.clone(),
        layers: img.layers.iter().map(|(d, _)| d.digest.blob_path()).collect(),
    }];
    files.insert("manifest.json".into(), canonical(&m));
    (|| {
        let mut sink = dest::Sink::open(file).map_err(|e| werr(file, e))?;
        if sink.is_terminal() {
            return Err(werr(file, WriteError::Terminal));
        }
        let mut t = tar::Builder::new(&mut sink);
        let mut dirs = std::collections::BTreeSet::new();
        for rel in files.keys() {
            let mut p = rel.as_str();
            while let Some(i) = p.rfind('/') {
                p = &p[..i];
                dirs.insert(p.to_string());
            }
        }
        let mut all: BTreeMap<String, Option<&Vec<u8>>> = dirs.into_iter().map(|d| (d, None)).collect();
        for (k, v) in &files {
            all.insert(k.clone(), Some(v));
        }
        for (rel, data) in all {
            let mut h = tar::Header::new_ustar();
            h.set_mtime(epoch);
            h.set_uid(0);
            h.set_gid(0);
            match data {
                None => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_mode(0o755);
                    h.set_size(0);
                    t.append_data(&mut h, format!("{rel}/"), &[][..]).map_err(|e| werr(file, e))?;
                }
                Some(d) => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(0o644);
                    h.set_size(d.len() as u64);
                    t.append_data(&mut h, &rel, d.as_slice()).map_err(|e| werr(file, e))?;
                }
            }
        }
        t.into_inner().map_err(|e| werr(file, e))?;
        sink.commit().map_err(|e| werr(file, e))
    })()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_of(built: &Built, img: &BuiltImage) -> ImageConfig {
        binsight_oci::json::parse_lenient(built.blob(&img.config)).expect("config")
    }

    fn opts() -> Options {
        Options {
            epoch: 1_700_000_000,
            uid: 65532,
            gid: 65532,
            ca_bundle: Some(b"PEM".to_vec()),
            extra: vec![],
            tags: vec!["t:1".into()],
        }
    }

    fn bin(arch: &str) -> Binary {
        Binary {
            name: "app".into(),
            bytes: b"\x7fELF-pretend".to_vec(),
            platform: Platform::of_machine(arch).expect("platform"),
            sbom: Some(b"{\"bomFormat\":\"CycloneDX\"}".to_vec()),
            vex: None,
        }
    }

    #[test]
    fn same_inputs_same_digests() {
        let a = build(&[bin("x86_64"), bin("aarch64")], &opts()).expect("build");
        let b = build(&[bin("x86_64"), bin("aarch64")], &opts()).expect("build");
        assert_eq!(a.root, b.root);
        assert_eq!(a.blobs, b.blobs);
        assert_eq!(a.root.media_type, MEDIA_INDEX);
        let mut later = opts();
        later.epoch += 1;
        assert_ne!(
            build(&[bin("x86_64")], &later).expect("build").root,
            build(&[bin("x86_64")], &opts()).expect("b").root
        );
    }

    /// Every byte of what pack writes, pinned: blobs (manifests, configs, indexes, layers), the
    /// layout's `index.json`, the docker archive and the referrers index of a push. A change
    /// here changes every image digest pack has ever printed.
    #[test]
    fn output_bytes_are_pinned() {
        let sha = |b: &[u8]| digest(b);
        let mut lines = Vec::new();
        for bins in [vec![bin("x86_64")], vec![bin("x86_64"), bin("arm")]] {
            let built = build(&bins, &opts()).expect("build");
            lines.push(format!("root {}", built.root.digest));
            lines.extend(built.blobs.keys().map(|k| format!("blob {k}")));
            lines.push(format!("index.json {}", sha(&layout_index(&built))));
            for i in &built.images {
                if let Some(r) = referrers_index(&built, i) {
                    lines.push(format!("referrers {}", sha(&r)));
                }
            }
            if built.images.len() == 1 {
                let t = tempfile::tempdir().expect("tmp");
                let f = t.path().join("img.tar");
                write_tarball(&built, &f, 1_700_000_000, false).expect("tarball");
                lines.push(format!("tarball {}", sha(&std::fs::read(&f).expect("read"))));
            }
        }
        let want = include_str!("../tests/pinned-digests.txt");
        assert_eq!(lines.join("\n") + "\n", want);
    }

    #[test]
    fn layer_contents_and_modes() {
        let built = build(&[bin("x86_64")], &opts()).expect("build");
        let img = &built.images[0];
        let base = built.blob(&img.layers[0].0);
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(base));
        let mut seen = Vec::new();
        for e in tar.entries().expect("entries") {
            let e = e.expect("entry");
            let h = e.header();
            assert_eq!(
                (h.uid().expect("uid"), h.gid().expect("gid"), h.mtime().expect("mtime")),
                (0, 0, 1_700_000_000)
            );
            seen.push((e.path().expect("path").display().to_string(), h.mode().expect("mode")));
        }
        let names: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "sorted entries");
        assert!(seen.contains(&("tmp/".into(), 0o1777)), "{seen:?}");
        assert!(names.contains(&CA_PATH));
        let cfg = config_of(&built, img);
        let run = cfg.config.clone().expect("config");
        assert_eq!(run.user.as_deref(), Some("65532:65532"));
        assert_eq!(run.entrypoint, ["/app/app"]);
        assert_eq!(cfg.created.as_deref(), Some("2023-11-14T22:13:20Z"));
    }

    #[test]
    fn outputs_are_not_overwritten_and_errors_name_the_target() {
        let t = tempfile::tempdir().expect("tmp");
        let mut o = opts();
        o.tags = vec!["a/b:1".into(), "reg.example/c:2".into()];
        let built = build(&[bin("x86_64")], &o).expect("build");
        let f = t.path().join("img.tar");
        write_tarball(&built, &f, 0, false).expect("first write");
        let e = write_tarball(&built, &f, 0, false).expect_err("exists").to_string();
        assert!(e.contains("img.tar") && e.contains("--force"), "{e}");
        write_tarball(&built, &f, 0, true).expect("replaced");
        let mut a = tar::Archive::new(std::fs::File::open(&f).expect("open"));
        let mut manifest = Vec::new();
        for e in a.entries().expect("entries") {
            let mut e = e.expect("entry");
            if e.path().expect("path").to_str() == Some("manifest.json") {
                std::io::Read::read_to_end(&mut e, &mut manifest).expect("read");
            }
        }
        let m: Vec<DockerArchiveEntry> = binsight_oci::json::parse_list(&manifest).expect("manifest.json");
        assert_eq!(m[0].repo_tags, ["a/b:1", "reg.example/c:2"]);
        // Every tag names the image in the layout.
        let dir = t.path().join("layout");
        write_layout(&built, &dir, false).expect("layout");
        let idx: ImageIndex =
            binsight_oci::json::parse_lenient(&std::fs::read(dir.join("index.json")).expect("index")).expect("json");
        let names: Vec<&str> =
            idx.manifests.iter().flatten().filter_map(|d| d.annotation(ANNOTATION_REF_NAME)).collect();
        assert_eq!(names, ["a/b:1", "reg.example/c:2"]);
        // Failures name the user's path, not the staging file or directory beside it.
        let e = write_tarball(&built, &t.path().join("no/such/img.tar"), 0, true).expect_err("no dir").to_string();
        assert!(e.contains("no/such/img.tar") && !e.contains("partial"), "{e}");
        std::fs::write(t.path().join("file"), b"x").expect("w");
        let e = write_layout(&built, &t.path().join("file/sub"), false).expect_err("not a dir").to_string();
        assert!(e.contains("file/sub") && !e.contains("partial"), "{e}");
        let left: Vec<String> = std::fs::read_dir(t.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("partial"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn force_replaces_only_a_layout_and_never_the_working_directory() {
        // Checked without writing: the working directory, its parents and / are refused
        // whatever --force says.
        let cwd = std::env::current_dir().expect("cwd");
        for p in [Path::new("."), Path::new(".."), Path::new("/"), cwd.as_path()] {
            let e = layout_dest(p, true).expect_err("refused").to_string();
            assert!(e.contains("never written over it, even with --force"), "{}: {e}", p.display());
        }
        let t = tempfile::tempdir().expect("tmp");
        let built = build(&[bin("x86_64")], &opts()).expect("build");
        // An empty directory takes a layout without --force.
        let empty = t.path().join("empty");
        std::fs::create_dir(&empty).expect("mkdir");
        write_layout(&built, &empty, false).expect("into an empty dir");
        assert!(empty.join("oci-layout").is_file() && empty.join("index.json").is_file());
        // A layout is replaced only with --force, and then in full.
        let e = write_layout(&built, &empty, false).expect_err("no --force").to_string();
        assert!(e.contains("--force"), "{e}");
        std::fs::write(empty.join("blobs/sha256/stale"), b"old").expect("w");
        let mut later = opts();
        later.epoch += 1;
        let newer = build(&[bin("x86_64")], &later).expect("build");
        write_layout(&newer, &empty, true).expect("replaced");
        assert!(!empty.join("blobs/sha256/stale").exists(), "the old layout is gone");
        let idx = std::fs::read_to_string(empty.join("index.json")).expect("index");
        assert!(idx.contains(&newer.root.digest.to_string()), "{idx}");
        // A directory that is not a layout is never replaced, even with --force.
        let mine = t.path().join("mine");
        std::fs::create_dir_all(mine.join("blobs")).expect("mkdir");
        for f in ["oci-layout", "index.json", "thesis.tex"] {
            std::fs::write(mine.join(f), b"x").expect("w");
        }
        let e = write_layout(&built, &mine, true).expect_err("not a layout").to_string();
        assert!(e.contains("\"thesis.tex\"") && e.contains("not part of an OCI image layout"), "{e}");
        assert!(mine.join("thesis.tex").is_file());
        std::fs::remove_file(mine.join("thesis.tex")).expect("rm");
        std::fs::write(mine.join("blobs/notes"), b"x").expect("w");
        let e = write_layout(&built, &mine, true).expect_err("a file in blobs/").to_string();
        assert!(e.contains("blobs/\"notes\""), "{e}");
        let e = write_layout(&built, &t.path().join("no-index"), true);
        assert!(e.is_ok(), "a new directory: {e:?}");
        // A symbolic link and a file are refused.
        std::os::unix::fs::symlink(&empty, t.path().join("link")).expect("symlink");
        let e = write_layout(&built, &t.path().join("link"), true).expect_err("symlink").to_string();
        assert!(e.contains("symbolic link"), "{e}");
        std::fs::write(t.path().join("file"), b"x").expect("w");
        let e = write_layout(&built, &t.path().join("file"), true).expect_err("file").to_string();
        assert!(e.contains("not a directory"), "{e}");
        let left: Vec<String> = std::fs::read_dir(t.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(left.is_empty(), "nothing staged is left: {left:?}");
    }

    /// A binary whose VEX renderer records what it was asked for and writes a document naming
    /// the image it is for.
    fn bin_with_vex(arch: &str, seen: &Arc<std::sync::Mutex<Vec<String>>>) -> Binary {
        let seen = seen.clone();
        let vex = Vex::new(move |i: &VexImage<'_>| {
            let line = format!("{} {} {}", i.name, i.manifest, i.config);
            seen.lock().map(|mut s| s.push(line)).ok();
            format!(r#" {{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{{"product":"{}"}}]}} "#, i.manifest)
        });
        Binary { vex: Some(vex), ..bin(arch) }
    }

    fn manifest_of(built: &Built, d: &Descriptor) -> ImageManifest {
        binsight_oci::json::parse_lenient(built.blob(d)).expect("artifact manifest")
    }

    /// The VEX is an in-toto attestation of the image manifest, beside the SBOM: rendered for
    /// the manifest it is attached to, listed in the layout and in the referrers tag's index
    /// with the predicate type, and no part of the image (its digest is the same without it).
    #[test]
    fn vex_is_an_in_toto_attestation_of_the_image_manifest() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut o = opts();
        o.tags = vec!["reg.example:5000/org/app:1.0".into(), "other/app:2".into()];
        let built = build(&[bin_with_vex("x86_64", &seen), bin_with_vex("aarch64", &seen)], &o).expect("build");
        let plain = build(&[bin("x86_64"), bin("aarch64")], &o).expect("build");
        assert_eq!(built.root, plain.root, "the VEX is no part of the image");
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        let want: Vec<String> = built
            .images
            .iter()
            .map(|i| format!("reg.example:5000/org/app {} {}", i.manifest.digest, i.config.digest))
            .collect();
        assert_eq!(seen, want, "rendered once per image, for its manifest");
        for img in &built.images {
            let v = img.vex.as_ref().expect("a VEX");
            let m = manifest_of(&built, v);
            assert_eq!(v.media_type, MEDIA_MANIFEST);
            assert_eq!(m.artifact_type.as_deref(), Some(MEDIA_IN_TOTO));
            assert_eq!(
                m.subject.as_ref().map(binsight_oci::Descriptor::raw_digest),
                Some(&*img.manifest.digest.to_string())
            );
            let config = m.config.clone().expect("config");
            assert_eq!((config.media_type.as_str(), config.data.as_deref()), (MEDIA_EMPTY, Some("e30=")));
            let annotations = m.annotations.clone().unwrap_or_default();
            assert_eq!(annotations.get(ANNOTATION_PREDICATE_TYPE).map(String::as_str), Some(PREDICATE_OPENVEX));
            assert_eq!(annotations.get(ANNOTATION_CREATED).map(String::as_str), Some("2023-11-14T22:13:20Z"));
            let [layer] = m.layers.as_deref().unwrap_or_default() else { panic!("one layer: {m:?}") };
            assert_eq!(layer.media_type, MEDIA_IN_TOTO);
            assert_eq!(layer.annotation(ANNOTATION_PREDICATE_TYPE), Some(PREDICATE_OPENVEX));
            let statement = built.blobs.get(&layer.digest().expect("digest")).expect("statement blob");
            let want = format!(
                r#"{{"_type":"https://in-toto.io/Statement/v1","predicate":{{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{{"product":"{}"}}]}},"predicateType":"https://openvex.dev/ns/v0.2.0","subject":[{{"digest":{{"sha256":"{}"}},"name":"reg.example:5000/org/app"}}]}}"#,
                img.manifest.digest,
                img.manifest.digest.hex()
            );
            assert_eq!(String::from_utf8_lossy(statement), want);
            // The referrers tag's index: the SBOM, then the VEX with its annotations.
            let idx: ImageIndex =
                binsight_oci::json::parse_lenient(&referrers_index(&built, img).expect("referrers")).expect("json");
            let entries = idx.manifests.unwrap_or_default();
            let types: Vec<Option<&str>> = entries.iter().map(|d| d.artifact_type.as_deref()).collect();
            assert_eq!(types, [Some(MEDIA_CYCLONEDX), Some(MEDIA_IN_TOTO)]);
            assert_eq!(entries[1].raw_digest(), v.digest.to_string());
            assert_eq!(entries[1].annotations, m.annotations);
        }
        // The layout lists the root per tag, then each image's SBOM and VEX.
        let idx: ImageIndex = binsight_oci::json::parse_lenient(&layout_index(&built)).expect("json");
        let types: Vec<Option<&str>> = idx.manifests.iter().flatten().map(|d| d.artifact_type.as_deref()).collect();
        let (sbom, vex) = (Some(MEDIA_CYCLONEDX), Some(MEDIA_IN_TOTO));
        assert_eq!(types, [None, None, sbom, vex, sbom, vex]);
        // Same inputs, same bytes; no tag: the image is named `image`.
        let again = Arc::new(std::sync::Mutex::new(Vec::new()));
        let twice = build(&[bin_with_vex("x86_64", &again), bin_with_vex("aarch64", &again)], &o).expect("build");
        assert_eq!(twice.blobs, built.blobs);
        o.tags.clear();
        let unnamed = Arc::new(std::sync::Mutex::new(Vec::new()));
        build(&[bin_with_vex("x86_64", &unnamed)], &o).expect("build");
        assert!(unnamed.lock().map(|s| s[0].starts_with("image sha256:")).unwrap_or(false));
    }

    /// The bytes a VEX adds, pinned like `output_bytes_are_pinned` pins the rest (which has no
    /// VEX, so its pins hold): the statement, the attestation manifest, the layout's
    /// `index.json`, the referrers tag's index and the docker archive.
    #[test]
    fn vex_bytes_are_pinned() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let built = build(&[bin_with_vex("x86_64", &seen)], &opts()).expect("build");
        let img = &built.images[0];
        let v = img.vex.as_ref().expect("VEX");
        let layer = manifest_of(&built, v).layers.unwrap_or_default().remove(0);
        let t = tempfile::tempdir().expect("tmp");
        let f = t.path().join("img.tar");
        write_tarball(&built, &f, 1_700_000_000, false).expect("tarball");
        let lines = [
            format!("root {}", built.root.digest),
            format!("statement {}", layer.raw_digest()),
            format!("vex {}", v.digest),
            format!("index.json {}", digest(&layout_index(&built))),
            format!("referrers {}", digest(&referrers_index(&built, img).unwrap_or_default())),
            format!("tarball {}", digest(&std::fs::read(&f).expect("read"))),
        ];
        assert_eq!(lines.join("\n"), PINNED_VEX);
    }

    /// `root` is the image of `output_bytes_are_pinned`'s single platform: a VEX leaves it as
    /// it is.
    const PINNED_VEX: &str = "root sha256:83e32fcbe920030e118a2db55409a056a910c5fae04337beab78d7748eebecfd
statement sha256:12ebfdc77e617be9b7d05d53e38d1041291d09ceb77a0b3f4731b70d27e24819
vex sha256:103524339397b5e7a7c1013aee4f5cb439cce335f738366138e16c7cba998989
index.json sha256:800fe62833c9bff521eecf521896ff077aaddaff7cb2861c999a94807a9f5b49
referrers sha256:e493054301adfd78624b9172dfe07c49143ec92f84d0a8940dfa1cf709ba261e
tarball sha256:b019535a36a8cab86944512ff29febdc9141893c4fcd880be6ac66de2051c04b";

    #[test]
    fn image_names_are_repositories_without_tag() {
        let name = |t: &[&str]| image_name(&t.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(name(&["app:1"]), "app");
        assert_eq!(name(&["example.test/org/app:latest", "b:2"]), "example.test/org/app");
        assert_eq!(name(&["host:5000/org/app"]), "host:5000/org/app");
        assert_eq!(name(&["host:5000/app:1@sha256:abc"]), "host:5000/app");
        assert_eq!(name(&[]), "image");
    }

    #[test]
    fn refuses_bad_inputs() {
        let mut b = bin("x86_64");
        b.name = "../x".into();
        assert!(build(&[b], &opts()).is_err());
        assert!(build(&[bin("x86_64"), bin("x86_64")], &opts()).is_err());
        let mut o = opts();
        o.extra.push(Entry::File { path: "../../etc/x".into(), data: vec![], mode: 0o644 });
        assert!(build(&[bin("x86_64")], &o).is_err());
        // SOURCE_DATE_EPOCH: up to the last second of 9999, in the config and every tar header.
        let mut o = opts();
        o.epoch = binsight_report::sbom::MAX_EPOCH + 1;
        let e = build(&[bin("x86_64")], &o).expect_err("year 10000").to_string();
        assert!(e.contains("SOURCE_DATE_EPOCH") && e.contains("9999-12-31T23:59:59Z"), "{e}");
        o.epoch = binsight_report::sbom::MAX_EPOCH;
        let built = build(&[bin("x86_64")], &o).expect("the last second of 9999");
        let cfg = config_of(&built, &built.images[0]);
        assert_eq!(cfg.created.as_deref(), Some("9999-12-31T23:59:59Z"));
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(built.blob(&built.images[0].layers[1].0)));
        for e in tar.entries().expect("entries") {
            assert_eq!(e.expect("entry").header().mtime().expect("mtime"), o.epoch);
        }
    }
}
