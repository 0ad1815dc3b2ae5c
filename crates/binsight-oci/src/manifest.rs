//! Image manifests (OCI, Docker v2 schema 2), image indexes (OCI) and manifest lists (Docker):
//! the two share their fields, so one type reads both formats of each.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::descriptor::Descriptor;
use crate::json;

/// An image manifest: a config and layers (or, for an artifact, a subject it is about).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u32>,
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// `None` when the manifest has no config descriptor.
    #[serde(default, deserialize_with = "json::present", skip_serializing_if = "Option::is_none")]
    pub config: Option<Descriptor>,
    /// `None` when the document has no `layers` (then it is no image manifest).
    #[serde(default, deserialize_with = "json::present_list", skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<Descriptor>>,
    #[serde(default, deserialize_with = "json::present", skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, deserialize_with = "json::string_map", skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// An image index or manifest list: manifests, each for a platform (or an artifact).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIndex {
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u32>,
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// `None` when the document has no `manifests` (then it is no index).
    #[serde(default, deserialize_with = "json::present_list", skip_serializing_if = "Option::is_none")]
    pub manifests: Option<Vec<Descriptor>>,
}

impl ImageIndex {
    /// An index of `manifests` (schema version 2, OCI media type).
    pub fn new(manifests: Vec<Descriptor>) -> ImageIndex {
        ImageIndex {
            schema_version: Some(2),
            media_type: Some(crate::media::OCI_INDEX.into()),
            manifests: Some(manifests),
        }
    }
}

/// What a manifest endpoint (or a layout's blob) holds: which of the two a document is goes by
/// its fields (`manifests` makes an index, `layers` a manifest), not by what it says it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManifestOrIndex {
    Index(ImageIndex),
    Manifest(Box<ImageManifest>),
    /// JSON, but neither.
    Neither,
}

impl ManifestOrIndex {
    /// Read a manifest or index. `Err` only when the bytes are not JSON.
    pub fn parse(bytes: &[u8]) -> Result<ManifestOrIndex, serde_json::Error> {
        let index: ImageIndex = json::parse_lenient(bytes)?;
        if index.manifests.is_some() {
            return Ok(ManifestOrIndex::Index(index));
        }
        let manifest: ImageManifest = json::parse_lenient(bytes)?;
        Ok(if manifest.layers.is_some() { ManifestOrIndex::Manifest(Box::new(manifest)) } else { ManifestOrIndex::Neither })
    }
}
