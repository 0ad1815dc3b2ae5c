//! Descriptors (what a manifest or index says about a blob it names) and platforms.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::digest::{Digest, DigestError};
use crate::json;

/// A content descriptor: media type, digest, size and what an index adds (platform,
/// annotations, artifact type). Read leniently (see [`crate::json`]); the digest is kept as
/// written and checked by [`Descriptor::digest`], so an error can quote it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// What the blob is; empty when the descriptor states none.
    #[serde(default, deserialize_with = "json::string")]
    pub media_type: String,
    #[serde(default, deserialize_with = "json::string")]
    digest: String,
    /// The blob's size in bytes; `None` when the descriptor states none (or not as a number).
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The platform an index entry is for; `None` when the entry names none.
    #[serde(default, deserialize_with = "json::present", skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Annotations (`org.opencontainers.image.ref.name`…); `None` when absent.
    #[serde(default, deserialize_with = "json::string_map", skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// The artifact type of the manifest it points to (SBOMs); `None` when absent.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// The blob itself, base64, for tiny ones (the empty config `{}`).
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

impl Descriptor {
    /// A descriptor of a blob of `size` bytes.
    pub fn new(media_type: &str, digest: &Digest, size: u64) -> Descriptor {
        Descriptor { media_type: media_type.into(), digest: digest.to_string(), size: Some(size), ..Default::default() }
    }

    /// The descriptor of `bytes` (their SHA-256 and length).
    pub fn of(media_type: &str, bytes: &[u8]) -> Descriptor {
        Descriptor::new(media_type, &Digest::sha256(bytes), bytes.len() as u64)
    }

    /// The same descriptor for an index entry of `platform`.
    pub fn with_platform(self, platform: Platform) -> Descriptor {
        Descriptor { platform: Some(platform), ..self }
    }

    /// The same descriptor with an artifact type (an index entry of an artifact).
    pub fn with_artifact_type(self, artifact_type: &str) -> Descriptor {
        Descriptor { artifact_type: Some(artifact_type.into()), ..self }
    }

    /// The same descriptor with one more annotation.
    pub fn with_annotation(mut self, key: &str, value: &str) -> Descriptor {
        self.annotations.get_or_insert_with(BTreeMap::new).insert(key.into(), value.into());
        self
    }

    /// The same descriptor with its blob inline (base64 `data`).
    pub fn with_data(self, base64: &str) -> Descriptor {
        Descriptor { data: Some(base64.into()), ..self }
    }

    /// The digest it names. `Err` when it states none or one that is not valid
    /// (`sha256:<64 hex>`, `sha512:<128 hex>`): nothing may be fetched by it.
    pub fn digest(&self) -> Result<Digest, DigestError> {
        Digest::parse(&self.digest)
    }

    /// The digest as written (`""` when absent), for messages.
    pub fn raw_digest(&self) -> &str {
        &self.digest
    }

    /// An annotation's value; `None` when the descriptor has no such annotation.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.as_ref()?.get(key).map(String::as_str)
    }
}

/// An OCI platform as manifests and configs state it. Fields of the wrong type read as absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    /// CPU architecture (`amd64`, `arm64`…); `None` when absent.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// Operating system (`linux`); `None` when absent.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// CPU variant (`v7`, `v8`); `None` when absent.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    /// The platform `os/architecture[/variant]`.
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Platform {
        Platform { architecture: Some(architecture.into()), os: Some(os.into()), variant: variant.map(str::to_string) }
    }
}

/// `os/arch[/variant]`, `?` for a missing os or architecture; an empty variant is left out.
impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let os = self.os.as_deref().unwrap_or("?");
        let arch = self.architecture.as_deref().unwrap_or("?");
        match self.variant.as_deref() {
            Some(v) if !v.is_empty() => write!(f, "{os}/{arch}/{v}"),
            _ => write!(f, "{os}/{arch}"),
        }
    }
}
