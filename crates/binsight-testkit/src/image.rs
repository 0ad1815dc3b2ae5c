//! Container images built here, byte by byte: layer tars, gzip layers, OCI image layouts, OCI
//! archives and `docker save` archives. Every builder is deterministic (mtime 0, fixed modes,
//! JSON with sorted keys): the same inputs give the same digests, run after run.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A layer as an image lists it: (the blob as stored, possibly compressed; its diff_id, the
/// `sha256:` digest of the uncompressed tar).
pub type Layer = (Vec<u8>, String);

/// Lower-case hex SHA-256 of `b`.
pub fn sha256_hex(b: &[u8]) -> String {
    format!("{:x}", Sha256::digest(b))
}

/// `sha256:HEX` of `b`, as OCI descriptors and diff_ids name it.
pub fn digest(b: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(b))
}

/// `b` gzipped (fast level).
pub fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).expect("gzip");
    e.finish().expect("gzip")
}

/// A stand-in ELF file: the magic and a marker (for readers that only route bytes).
pub fn fake_elf(marker: &str) -> Vec<u8> {
    let mut v = b"\x7fELF".to_vec();
    v.extend_from_slice(marker.as_bytes());
    v
}

/// One entry of a layer tar.
pub enum Entry<'a> {
    /// A regular file (mode 0755) and its bytes.
    File(&'a str, Vec<u8>),
    /// A directory (mode 0755).
    Dir(&'a str),
    /// A symbolic link: path, target.
    Symlink(&'a str, &'a str),
    /// A hard link: path, target.
    Link(&'a str, &'a str),
    /// A FIFO.
    Fifo(&'a str),
    /// A regular file written with a raw name, bypassing the tar crate's path checks.
    RawName(&'a [u8], Vec<u8>),
}

/// A layer tar holding `entries` in order (GNU headers, mode 0755, mtime 0).
pub fn layer_tar(entries: &[Entry]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o755);
        h.set_mtime(0);
        match e {
            Entry::File(p, data) => {
                h.set_size(data.len() as u64);
                h.set_entry_type(tar::EntryType::Regular);
                b.append_data(&mut h, p, data.as_slice()).expect("append");
            }
            Entry::Dir(p) => {
                h.set_size(0);
                h.set_entry_type(tar::EntryType::Directory);
                b.append_data(&mut h, p, &[][..]).expect("append");
            }
            Entry::Symlink(p, t) | Entry::Link(p, t) => {
                h.set_size(0);
                let kind = if matches!(e, Entry::Link(..)) { tar::EntryType::Link } else { tar::EntryType::Symlink };
                h.set_entry_type(kind);
                b.append_link(&mut h, p, t).expect("append");
            }
            Entry::Fifo(p) => {
                h.set_size(0);
                h.set_entry_type(tar::EntryType::Fifo);
                b.append_data(&mut h, p, &[][..]).expect("append");
            }
            Entry::RawName(name, data) => {
                h.set_size(data.len() as u64);
                h.set_entry_type(tar::EntryType::Regular);
                h.as_old_mut().name[..name.len()].copy_from_slice(name);
                h.set_cksum();
                b.append(&h, data.as_slice()).expect("append");
            }
        }
    }
    b.into_inner().expect("tar")
}

/// A layer tar of regular files (image path → bytes).
pub fn files_tar(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let entries: Vec<Entry> = files.iter().map(|(p, d)| Entry::File(p, d.clone())).collect();
    layer_tar(&entries)
}

/// `tar` gzipped, with its diff_id.
pub fn gzip_layer(tar: &[u8]) -> Layer {
    (gzip(tar), digest(tar))
}

/// `tar` stored uncompressed, with its diff_id.
pub fn plain_layer(tar: &[u8]) -> Layer {
    (tar.to_vec(), digest(tar))
}

/// An image config (linux/amd64) whose rootfs lists `diff_ids`; `config` is its `config`
/// object (entrypoint, cmd…).
pub fn config_blob(diff_ids: &[String], config: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux", "config": config,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .expect("json")
}

/// The diff_ids of `layers`.
pub fn diff_ids(layers: &[Layer]) -> Vec<String> {
    layers.iter().map(|l| l.1.clone()).collect()
}

/// Store `blob` in the layout at `dir` (`blobs/sha256/HEX`); its (digest, size).
pub fn put_blob(dir: &Path, blob: &[u8]) -> (String, u64) {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).expect("mkdir");
    let d = digest(blob);
    std::fs::write(blobs.join(d.trim_start_matches("sha256:")), blob).expect("blob");
    (d, blob.len() as u64)
}

/// Gzip what `write` writes (streamed: written as generated) into the layout at `dir` as one
/// blob; its (digest, size).
pub fn put_gzip_blob(dir: &Path, write: impl FnOnce(&mut dyn Write)) -> (String, u64) {
    let tmp = dir.join("blob.tmp");
    std::fs::create_dir_all(dir).expect("mkdir");
    let f = std::fs::File::create(&tmp).expect("create");
    let mut gz = flate2::write::GzEncoder::new(std::io::BufWriter::new(f), flate2::Compression::fast());
    write(&mut gz);
    gz.finish().expect("gzip").flush().expect("flush");
    let bytes = std::fs::read(&tmp).expect("read");
    std::fs::remove_file(&tmp).expect("rm");
    put_blob(dir, &bytes)
}

/// A layer descriptor of a manifest: (digest, size, media type).
pub type Descriptor<'a> = (String, u64, &'a str);

/// Media type of a gzip layer.
pub const LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// Media type of an uncompressed layer.
pub const LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";

/// Finish an OCI image layout at `dir` whose blobs (the layers) are already stored: the config
/// blob, a manifest listing `layers` in order, `index.json` (linux/amd64, the ref name
/// annotation when given) and `oci-layout`. Returns the manifest digest.
pub fn oci_index(dir: &Path, config: &[u8], layers: &[Descriptor], ref_name: Option<&str>) -> String {
    let (cd, cl) = put_blob(dir, config);
    let ls: Vec<Value> =
        layers.iter().map(|(d, n, media)| json!({"mediaType": media, "digest": d, "size": n})).collect();
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cl},
        "layers": ls,
    }))
    .expect("json");
    let (md, ml) = put_blob(dir, &manifest);
    let mut desc = json!({
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ml,
        "platform": {"os": "linux", "architecture": "amd64"},
    });
    if let Some(r) = ref_name {
        desc["annotations"] = json!({"org.opencontainers.image.ref.name": r});
    }
    let index = json!({"schemaVersion": 2, "manifests": [desc]});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).expect("json")).expect("index");
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).expect("oci-layout");
    md
}

/// An OCI layout at `dir` holding `layers` as gzip layers, with the config `config` (see
/// [`config_blob`]) and ref name `ref_name`. Returns the manifest digest.
pub fn oci_dir(dir: &Path, layers: &[Layer], config: Value, ref_name: &str) -> String {
    std::fs::create_dir_all(dir).expect("mkdir");
    let cfg = config_blob(&diff_ids(layers), config);
    let ls: Vec<Descriptor> = layers
        .iter()
        .map(|(b, _)| {
            let (d, n) = put_blob(dir, b);
            (d, n, LAYER_GZIP)
        })
        .collect();
    oci_index(dir, &cfg, &ls, Some(ref_name))
}

/// A `docker save` archive at `path`: the config (see [`config_blob`]), the layer blobs as
/// `layer{i}/layer.tar` (classic docker's directory names) and `manifest.json` tagging `tag`.
pub fn docker_archive(path: &Path, layers: &[Layer], config: Value, tag: &str) {
    let cfg = config_blob(&diff_ids(layers), config);
    let mut b = tar::Builder::new(std::fs::File::create(path).expect("create"));
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        b.append_data(&mut h, name, data).expect("append");
    };
    let cfg_name = format!("{}.json", sha256_hex(&cfg));
    add(&cfg_name, &cfg);
    let mut names = Vec::new();
    for (i, (blob, _)) in layers.iter().enumerate() {
        let n = format!("layer{i}/layer.tar");
        add(&n, blob);
        names.push(n);
    }
    let m = json!([{"Config": cfg_name, "RepoTags": [tag], "Layers": names}]);
    add("manifest.json", &serde_json::to_vec(&m).expect("json"));
    b.into_inner().expect("finish").flush().expect("flush");
}

/// Tar up a directory (an OCI archive from an OCI layout).
pub fn tar_dir(dir: &Path, to: &Path) {
    let mut b = tar::Builder::new(std::fs::File::create(to).expect("create"));
    b.append_dir_all(".", dir).expect("append");
    b.finish().expect("finish");
}
