//! Pushing (`binsight pack --push`): blobs first (skipping those the repository already has),
//! then manifests by digest, then the tag, as the distribution spec orders it: an interrupted
//! push never leaves the tag naming an incomplete image.

use super::error::{ErrorKind, RegistryError};
use super::transport::{query_escape, Client, Req};
use crate::digest::Digest;

type Response = ureq::http::Response<ureq::Body>;

impl Client {
    fn refused(&self, what: &str, resp: &mut Response) -> RegistryError {
        let status = resp.status().as_u16();
        let body = resp.body_mut().with_config().limit(4096).read_to_string().unwrap_or_default();
        self.err(ErrorKind::PushRefused { what: what.into(), status, body: body.trim().to_string() })
    }

    /// Does the repository already hold this blob? `Err` for any answer but 200 or 404.
    pub fn has_blob(&self, digest: &Digest) -> Result<bool, RegistryError> {
        let url = self.url(&format!("blobs/{digest}"));
        let mut resp = self.request(&Req { method: "HEAD", url: &url, accept: "*/*", body: None }, "blob")?;
        match resp.status().as_u16() {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(self.refused(&format!("checking blob {digest}"), &mut resp)),
        }
    }

    /// Upload a blob in one request (POST for a session, then PUT with the digest).
    pub fn upload_blob(&self, digest: &Digest, bytes: &[u8]) -> Result<(), RegistryError> {
        let what = format!("uploading blob {digest}");
        let url = self.url("blobs/uploads/");
        let mut resp = self.request(&Req { method: "POST", url: &url, accept: "*/*", body: None }, &what)?;
        if resp.status().as_u16() != 202 {
            return Err(self.refused(&what, &mut resp));
        }
        let loc = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| self.err(ErrorKind::NoUploadLocation { what: what.clone() }))?
            .to_string();
        let loc = if loc.starts_with("http://") || loc.starts_with("https://") {
            loc
        } else if loc.starts_with('/') {
            format!("{}{loc}", self.base)
        } else {
            return Err(self.err(ErrorKind::UploadLocation { what, location: loc }));
        };
        let digest = digest.to_string();
        let put = format!("{loc}{}digest={}", if loc.contains('?') { '&' } else { '?' }, query_escape(&digest));
        let r = Req { method: "PUT", url: &put, accept: "*/*", body: Some(("application/octet-stream", bytes)) };
        let mut resp = self.request(&r, &what)?;
        if resp.status().as_u16() != 201 {
            return Err(self.refused(&what, &mut resp));
        }
        Ok(())
    }

    /// PUT a manifest or index under a tag or its digest.
    pub fn put_manifest(&self, reference: &str, media_type: &str, bytes: &[u8]) -> Result<(), RegistryError> {
        let what = format!("pushing manifest {reference}");
        let url = self.url(&format!("manifests/{reference}"));
        let r = Req { method: "PUT", url: &url, accept: "*/*", body: Some((media_type, bytes)) };
        let mut resp = self.request(&r, &what)?;
        if resp.status().as_u16() != 201 {
            return Err(self.refused(&what, &mut resp));
        }
        Ok(())
    }
}

/// A manifest or index to push: its media type and bytes (its digest is theirs).
#[derive(Clone, Copy, Debug)]
pub struct ManifestUpload<'a> {
    /// Its media type (the `Content-Type` it is put with).
    pub media_type: &'a str,
    /// Its bytes, sent as they are.
    pub bytes: &'a [u8],
}

/// Everything one push sends, in the order it goes.
#[derive(Clone, Debug, Default)]
pub struct Upload<'a> {
    /// Layers, configs and other blobs (not manifests), each sent unless already there.
    pub blobs: Vec<(Digest, &'a [u8])>,
    /// Image and artifact manifests, put by digest.
    pub manifests: Vec<ManifestUpload<'a>>,
    /// Indexes put under a tag of their own (the referrers tag schema: `sha256-<hex>`).
    pub tagged: Vec<(String, ManifestUpload<'a>)>,
    /// What the tag names, put by digest first when `root_by_digest` (an index), then under
    /// the client's tag, last.
    pub root: Option<ManifestUpload<'a>>,
    /// Put `root` by digest too, before the tag (for an index).
    pub root_by_digest: bool,
}

/// What a push did.
#[derive(Debug, Default)]
pub struct Pushed {
    /// Blobs sent.
    pub blobs_uploaded: usize,
    /// Blobs the registry already had (not sent).
    pub blobs_present: usize,
    /// Bytes of blobs sent.
    pub bytes_uploaded: u64,
    /// Manifests and indexes put (the root included).
    pub manifests: usize,
}

/// Push `up` to the client's repository: blobs first (those it lacks), manifests by digest,
/// tagged indexes, and the root under the tag last. `say` hears of each upload. Stops at the
/// first error, before anything that depends on what failed.
pub fn push(client: &Client, up: &Upload, say: &mut dyn FnMut(&str)) -> Result<Pushed, RegistryError> {
    let mut out = Pushed::default();
    for (digest, bytes) in &up.blobs {
        if client.has_blob(digest)? {
            out.blobs_present += 1;
            continue;
        }
        say(&format!("uploading {digest} ({} bytes)", bytes.len()));
        client.upload_blob(digest, bytes)?;
        out.blobs_uploaded += 1;
        out.bytes_uploaded += bytes.len() as u64;
    }
    for m in &up.manifests {
        client.put_manifest(&Digest::sha256(m.bytes).to_string(), m.media_type, m.bytes)?;
        out.manifests += 1;
    }
    for (tag, m) in &up.tagged {
        client.put_manifest(tag, m.media_type, m.bytes)?;
        out.manifests += 1;
    }
    if let Some(root) = &up.root {
        if up.root_by_digest {
            client.put_manifest(&Digest::sha256(root.bytes).to_string(), root.media_type, root.bytes)?;
        }
        // Last: the tag.
        client.put_manifest(&client.reference.reference, root.media_type, root.bytes)?;
        out.manifests += 1;
    }
    Ok(out)
}
