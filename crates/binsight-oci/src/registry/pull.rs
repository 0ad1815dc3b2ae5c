//! Pulling: manifests and indexes by tag or digest (digest checked), blobs streamed by digest
//! at most to their declared size, at the minimum rate and by their deadline. Nothing is
//! written to disk.

use std::io::Read;
use std::time::Duration;

use super::error::{ErrorKind, RegistryError};
use super::paced::Paced;
use super::transport::{Client, Req};
use crate::digest::Digest;

/// Manifest media types asked for, newest first (Docker schema 1 is not supported).
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.v2+json";

type Response = ureq::http::Response<ureq::Body>;

impl Client {
    /// GET `path` under `/v2/<repo>/`; anything but 200 is an error.
    fn get(&self, path: &str, accept: &str, what: &str, deadline: Option<Duration>) -> Result<Response, RegistryError> {
        let url = self.url(path);
        let resp = self.request_with(&Req { method: "GET", url: &url, accept, body: None }, what, deadline)?;
        let what = what.to_string();
        match resp.status().as_u16() {
            200 => Ok(resp),
            404 => Err(self.err(ErrorKind::NotFound { what })),
            403 => Err(self.err(ErrorKind::Forbidden { what })),
            status => Err(self.err(ErrorKind::Status { what, status })),
        }
    }

    /// A manifest or index by tag or digest: its bytes and digest. The digest is checked when
    /// one was asked for, or when the registry states one; `Err` when it does not match, when
    /// the body is over `max` bytes or late, or when the registry has only a schema 1 manifest.
    pub fn manifest(&self, reference: &str, max: u64) -> Result<(Vec<u8>, Digest), RegistryError> {
        let what = format!("manifest {reference}");
        let mut resp =
            self.get(&format!("manifests/{reference}"), MANIFEST_ACCEPT, &what, Some(self.metadata_deadline))?;
        let stated = resp.headers().get("docker-content-digest").and_then(|v| v.to_str().ok()).map(str::to_string);
        let ctype = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        if ctype.contains(crate::media::DOCKER_SCHEMA1_MARKER) {
            return Err(self.err(ErrorKind::SchemaV1));
        }
        let secs = self.metadata_deadline.as_secs();
        let body = resp
            .body_mut()
            .with_config()
            .limit(max)
            .read_to_vec()
            .map_err(|source| self.err(ErrorKind::ManifestRead { what: what.clone(), source, max, secs }))?;
        let digest = Digest::sha256(&body);
        let want = if reference.contains(':') { Some(reference.to_string()) } else { stated };
        if let Some(w) = want.filter(|w| w.starts_with("sha256:")) {
            if w != digest.to_string() {
                let (reference, got) = (reference.to_string(), digest.to_string());
                return Err(self.err(ErrorKind::ManifestDigest { reference, want: w, got }));
            }
        }
        Ok((body, digest))
    }

    /// A blob by digest, streamed; with its length when the registry states it. At most
    /// `declared` bytes are read (the size its descriptor states: more is an error), or `max`
    /// when no size is declared (`raise` says how to raise it, for the error); the transfer must
    /// keep the minimum rate and end by its deadline (errors while reading name the blob).
    pub fn blob(
        &self,
        digest: &Digest,
        declared: Option<u64>,
        max: u64,
        raise: &str,
    ) -> Result<(Box<dyn Read + Send>, Option<u64>), RegistryError> {
        let what = format!("blob {digest}");
        let resp = self.get(&format!("blobs/{digest}"), "*/*", &what, None)?;
        let len: Option<u64> =
            resp.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        let cap = declared.unwrap_or(max);
        let limit = match declared {
            Some(d) => format!("the {d} bytes the manifest declares"),
            None => format!("the {max}-byte limit ({raise}; the manifest declares no size)"),
        };
        if let Some(stated) = len.filter(|l| *l > cap) {
            return Err(self.err(ErrorKind::BlobTooLarge { what, stated, limit }));
        }
        let shown = format!("registry:{}: {what}", self.reference);
        let deadline = self.metadata_deadline + Duration::from_secs(cap / self.min_rate).max(self.rate_window);
        let reader =
            Paced::new(resp.into_body().into_reader(), shown, limit, cap, self.min_rate, self.rate_window, deadline);
        Ok((Box::new(reader), len))
    }
}
