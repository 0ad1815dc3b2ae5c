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
    /// `schemaVersion` (2); `None` when absent.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u32>,
    /// The media type it states; `None` when absent.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// What an artifact manifest holds (an SBOM's media type); `None` for images.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// `None` when the manifest has no config descriptor.
    #[serde(default, deserialize_with = "json::present", skip_serializing_if = "Option::is_none")]
    pub config: Option<Descriptor>,
    /// `None` when the document has no `layers` (then it is no image manifest).
    #[serde(default, deserialize_with = "json::present_list", skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<Descriptor>>,
    /// The manifest an artifact is about; `None` for images.
    #[serde(default, deserialize_with = "json::present", skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// Annotations; `None` when absent.
    #[serde(default, deserialize_with = "json::string_map", skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// An image index or manifest list: manifests, each for a platform (or an artifact).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIndex {
    /// `schemaVersion` (2); `None` when absent.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u32>,
    /// The media type it states; `None` when absent.
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
    /// An image index or manifest list (it has `manifests`).
    Index(ImageIndex),
    /// An image manifest (it has `layers`).
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
        Ok(if manifest.layers.is_some() {
            ManifestOrIndex::Manifest(Box::new(manifest))
        } else {
            ManifestOrIndex::Neither
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{json, Digest, ImageConfig};

    /// What an image states is read as a field-by-field reader would: wrong types read as
    /// absent, never as a failed parse.
    #[test]
    fn documents_are_read_leniently() {
        let d = format!("sha256:{}", "a".repeat(64));
        let index = format!(
            r#"{{"manifests":[{{"digest":"{d}","size":"12","platform":null}},7,{{"digest":"../x","platform":{{"os":"linux","architecture":"arm64","variant":""}}}}]}}"#
        );
        let ManifestOrIndex::Index(i) = ManifestOrIndex::parse(index.as_bytes()).expect("json") else {
            panic!("an index")
        };
        let ms = i.manifests.expect("manifests");
        assert_eq!(ms.len(), 3, "every entry kept, in order");
        assert_eq!(ms[0].digest().expect("valid"), d.parse::<Digest>().expect("d"));
        assert_eq!((ms[0].size, ms[0].platform.as_ref().map(ToString::to_string)), (None, Some("?/?".into())));
        assert_eq!(ms[1], crate::Descriptor::default());
        assert!(ms[2].digest().is_err() && ms[2].raw_digest() == "../x");
        assert_eq!(ms[2].platform.as_ref().map(ToString::to_string).as_deref(), Some("linux/arm64"));
        // `layers` of the wrong type: still a manifest (with none), as its key says.
        let ManifestOrIndex::Manifest(m) = ManifestOrIndex::parse(br#"{"layers":5}"#).expect("json") else {
            panic!("a manifest")
        };
        assert_eq!(m.layers, Some(Vec::new()));
        assert_eq!(ManifestOrIndex::parse(b"[1]").ok(), Some(ManifestOrIndex::Neither));
        assert!(ManifestOrIndex::parse(b"{").is_err());
        let c: ImageConfig =
            json::parse_lenient(br#"{"os":"linux","config":{"Entrypoint":["/a",1],"Cmd":"x"}}"#).expect("json");
        assert_eq!(c.platform().to_string(), "linux/?");
        assert_eq!(c.config.as_ref().map(|r| (r.entrypoint.clone(), r.cmd.len())), Some((vec!["/a".to_string()], 0)));
    }

    /// What binsight writes has its keys sorted, whatever the field order of the types.
    #[test]
    fn output_is_canonical() {
        let desc = crate::Descriptor::of(crate::media::OCI_MANIFEST, b"{}").with_platform(crate::Platform::new(
            "linux",
            "arm",
            Some("v7"),
        ));
        let bytes = json::canonical(&ImageIndex::new(vec![desc]));
        let text = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(
            text,
            format!(
                r#"{{"manifests":[{{"digest":"{}","mediaType":"{}","platform":{{"architecture":"arm","os":"linux","variant":"v7"}},"size":2}}],"mediaType":"{}","schemaVersion":2}}"#,
                Digest::sha256(b"{}"),
                crate::media::OCI_MANIFEST,
                crate::media::OCI_INDEX
            )
        );
    }
}
