//! Image configs (OCI and Docker share the fields binsight reads and writes) and the
//! `manifest.json` entries of a `docker save` archive.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::descriptor::Platform;
use crate::json;

/// An image config. Read leniently: fields of the wrong type read as absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// When the image was built (RFC 3339); `None` when absent or not a string.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// CPU architecture (`amd64`, `arm64`…); `None` when absent.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// Operating system (`linux`); `None` when absent.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// CPU variant (`v7`, `v8`); `None` when absent.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// How a container runs; `None` when the config says nothing.
    #[serde(default, deserialize_with = "json::present", skip_serializing_if = "Option::is_none")]
    pub config: Option<RunConfig>,
    /// The layers by uncompressed digest; `None` when absent.
    #[serde(default, deserialize_with = "json::present", skip_serializing_if = "Option::is_none")]
    pub rootfs: Option<RootFs>,
    /// How each layer was made; `None` when absent.
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
    /// `Entrypoint`: the command a container runs.
    #[serde(rename = "Entrypoint", default, deserialize_with = "json::strings", skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
    /// `Cmd`: arguments to the entrypoint (or the command, without one).
    #[serde(rename = "Cmd", default, deserialize_with = "json::strings", skip_serializing_if = "Vec::is_empty")]
    pub cmd: Vec<String>,
    /// `User` a container runs as (`1000:1000`, a name); `None` when unset (root).
    #[serde(rename = "User", default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `Env`: `NAME=value` entries.
    #[serde(rename = "Env", default, deserialize_with = "json::strings", skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// `WorkingDir`; `None` when unset.
    #[serde(rename = "WorkingDir", default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// `Labels`; `None` when absent.
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
    /// `type` (`layers`; empty when absent).
    #[serde(rename = "type", default, deserialize_with = "json::string")]
    pub kind: String,
    /// Digests of the uncompressed layer tars, bottom first, as written.
    #[serde(default, deserialize_with = "json::strings")]
    pub diff_ids: Vec<String>,
}

/// One step of an image's history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// When the step ran (RFC 3339); `None` when absent.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The command of the step; `None` when absent.
    #[serde(default, deserialize_with = "json::opt", skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// One image of a `docker save` archive's `manifest.json` (which is a list of them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerArchiveEntry {
    /// The config's member name; `None` when the entry names none.
    #[serde(rename = "Config", default, deserialize_with = "json::opt")]
    pub config: Option<String>,
    /// `RepoTags`: the tags the image was saved with (`name:tag`).
    #[serde(rename = "RepoTags", default, deserialize_with = "json::strings")]
    pub repo_tags: Vec<String>,
    /// Layer member names, bottom first.
    #[serde(rename = "Layers", default, deserialize_with = "json::strings")]
    pub layers: Vec<String>,
}
