//! Image configs (OCI and Docker share the fields binsight reads and writes) and the
//! `manifest.json` entries of a `docker save` archive.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::descriptor::Platform;
use crate::json;

/// An image config. Read leniently: fields of the wrong type read as absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// How a container runs; `None` when the config says nothing.
    #[serde(default, deserialize_with = "json::present", skip_serializing_if = "Option::is_none")]
    pub config: Option<RunConfig>,
    #[serde(default, deserialize_with = "json::present", skip_serializing_if = "Option::is_none")]
    pub rootfs: Option<RootFs>,
    #[serde(default, deserialize_with = "json::present_list", skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<History>>,
}

impl ImageConfig {
    /// The platform the config states (`?` parts where it states none).
    pub fn platform(&self) -> Platform {
        Platform { architecture: self.architecture.clone(), os: self.os.clone(), variant: self.variant.clone() }
    }

    /// The layers' uncompressed digests as written (possibly not valid digests); empty when the
    /// config lists none.
    pub fn diff_ids(&self) -> &[String] {
        self.rootfs.as_ref().map_or(&[], |r| r.diff_ids.as_slice())
    }
}

/// The `config` of an image config: how a container of it runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    #[serde(rename = "Entrypoint", default, deserialize_with = "json::strings", skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
    #[serde(rename = "Cmd", default, deserialize_with = "json::strings", skip_serializing_if = "Vec::is_empty")]
    pub cmd: Vec<String>,
    #[serde(rename = "User", default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(rename = "Env", default, deserialize_with = "json::strings", skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    #[serde(rename = "WorkingDir", default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(
        rename = "Labels",
        default,
        deserialize_with = "json::string_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub labels: Option<BTreeMap<String, String>>,
}

/// The layers of the root filesystem, by uncompressed digest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type", default, deserialize_with = "json::string")]
    pub kind: String,
    #[serde(default, deserialize_with = "json::strings")]
    pub diff_ids: Vec<String>,
}

/// One step of an image's history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// One image of a `docker save` archive's `manifest.json` (which is a list of them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerArchiveEntry {
    /// The config's member name; `None` when the entry names none.
    #[serde(rename = "Config", default, deserialize_with = "json::opt")]
    pub config: Option<String>,
    #[serde(rename = "RepoTags", default, deserialize_with = "json::strings")]
    pub repo_tags: Vec<String>,
    /// Layer member names, bottom first.
    #[serde(rename = "Layers", default, deserialize_with = "json::strings")]
    pub layers: Vec<String>,
}
