//! Push a build to a registry over the OCI distribution API. Blobs go first (skipping those the
//! repository already has), then the platform manifests and SBOM artifacts by digest, then the
//! tag: an interrupted push never leaves the tag naming an incomplete image.
//!
//! SBOM artifacts name their image in `subject`. Registries that predate the referrers API
//! (like distribution 2.x) are served the spec's fallback as well: an index of the referrers
//! under the tag `sha256-<hex of the image manifest>`.

use binsight_source::registry::Client;
use serde_json::json;

use crate::{canonical, Built, PackError, MEDIA_CYCLONEDX, MEDIA_INDEX};

/// What a push did.
#[derive(Debug, Default)]
pub struct Pushed {
    pub blobs_uploaded: usize,
    pub blobs_present: usize,
    pub bytes_uploaded: u64,
    pub manifests: usize,
}

pub fn push(b: &Built, client: &Client, say: &mut dyn FnMut(&str)) -> Result<Pushed, PackError> {
    let p = |e: String| PackError::Push(e);
    let mut manifests: Vec<&crate::Descriptor> = Vec::new();
    for i in &b.images {
        manifests.push(&i.manifest);
        if let Some(s) = &i.sbom {
            manifests.push(s);
        }
    }
    let is_manifest = |d: &str| manifests.iter().any(|m| m.digest == d) || b.root.digest == d;
    let mut out = Pushed::default();
    for (digest, bytes) in &b.blobs {
        if is_manifest(digest) {
            continue;
        }
        if client.has_blob(digest).map_err(p)? {
            out.blobs_present += 1;
            continue;
        }
        say(&format!("uploading {digest} ({} bytes)", bytes.len()));
        client.upload_blob(digest, bytes).map_err(p)?;
        out.blobs_uploaded += 1;
        out.bytes_uploaded += bytes.len() as u64;
    }
    for m in &manifests {
        client.put_manifest(&m.digest, &m.media_type, b.blob(m)).map_err(p)?;
        out.manifests += 1;
    }
    // The referrers tag schema, for registries without the referrers API.
    for i in &b.images {
        if let Some(s) = &i.sbom {
            let idx = referrers_index(s);
            let tag = i.manifest.digest.replacen(':', "-", 1);
            client.put_manifest(&tag, MEDIA_INDEX, &idx).map_err(p)?;
            out.manifests += 1;
        }
    }
    if b.images.len() > 1 {
        client.put_manifest(&b.root.digest, &b.root.media_type, b.blob(&b.root)).map_err(p)?;
    }
    // Last: the tag.
    client.put_manifest(&client.reference.reference, &b.root.media_type, b.blob(&b.root)).map_err(p)?;
    out.manifests += 1;
    Ok(out)
}

/// The referrers tag schema's index for one SBOM artifact.
pub(crate) fn referrers_index(s: &crate::Descriptor) -> Vec<u8> {
    let mut d = s.json();
    d["artifactType"] = json!(MEDIA_CYCLONEDX);
    canonical(&json!({"schemaVersion": 2, "mediaType": MEDIA_INDEX, "manifests": [d]}))
}
