//! The toolchains that built a binary: rustc, Go (with its build info), C compilers.

use serde::{Deserialize, Serialize};

use crate::{Confidence, Evidence};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Rustc {
    /// `1.80.1`, or `None` when only an unknown commit was seen.
    pub version: Option<String>,
    /// Full or abbreviated commit hash of the compiler.
    pub commit: Option<String>,
    pub confidence: Confidence,
    pub evidence: Vec<Evidence>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Go {
    /// `go1.19.8`.
    pub version: String,
    pub confidence: Confidence,
    pub evidence: Vec<Evidence>,
    /// Main module path (`path` line of the build info), e.g. `github.com/x/tool/cmd/tool`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Main module (`mod` line): path and version (`(devel)` for local builds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main: Option<GoModule>,
    /// Build settings (`build` lines), e.g. `CGO_ENABLED=0`, `GOARCH=amd64`, `-trimpath=true`,
    /// `vcs.revision=…`, in the order Go wrote them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<(String, String)>,
}

/// A Go module named in build info.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct GoModule {
    pub path: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<String>,
    /// The module that replaced it (`=>` line), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace: Option<Box<GoModule>>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Compiler {
    /// `gcc`, `clang`, `zig`, `lld`, `gnu-ld`, `gold`, `mold`…
    pub name: String,
    pub version: Option<String>,
    /// Vendor string as found, e.g. `Debian 12.2.0-14+deb12u1`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vendor: Option<String>,
    pub evidence: Vec<Evidence>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Toolchain {
    pub rustc: Option<Rustc>,
    pub go: Option<Go>,
    /// C/C++ compilers and linkers that left a mark (`.comment`), most specific first.
    pub cc: Vec<Compiler>,
}
