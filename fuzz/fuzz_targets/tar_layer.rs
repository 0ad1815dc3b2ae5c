//! One layer blob of arbitrary bytes (gzip, zstd or plain tar, chosen by its magic) in an
//! otherwise valid OCI archive: tar headers, GNU long names and links, PAX records, sparse and
//! odd entry types, whiteouts, hard links, truncation, bombs. The first byte picks whether the
//! manifest states the blob's true digest and size (so entries are reported) or a wrong one
//! (so none may be). No panic, no unbounded memory or time.
#![no_main]

#[path = "common/oci.rs"]
mod oci;

use binsight_source::image::ImageKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, blob)) = data.split_first() else { return };
    let digest = if mode & 1 == 0 { oci::sha256(blob) } else { oci::sha256(b"something else") };
    let size = if mode & 2 == 0 { blob.len() as u64 } else { blob.len() as u64 / 2 };
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [digest]}
    }))
    .expect("json");
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": oci::sha256(&config), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": size}]
    }))
    .expect("json");
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": oci::sha256(&manifest), "size": manifest.len()}]
    }))
    .expect("json");
    let blob_name = |d: &str| format!("blobs/sha256/{}", d.trim_start_matches("sha256:"));
    let members = vec![
        ("oci-layout".to_string(), br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec()),
        ("index.json".to_string(), index),
        (blob_name(&oci::sha256(&manifest)), manifest),
        (blob_name(&oci::sha256(&config)), config),
        (blob_name(&digest), blob.to_vec()),
    ];
    oci::scan(&members, ImageKind::OciArchive);
});
