//! The distribution package a file of an image or root filesystem belongs to (from the
//! package manager's own database), and what that package says it statically links.

use serde::{Deserialize, Serialize};

names! {
    /// The package manager whose database named the package.
    pub enum PackageManager ("package manager") {
        /// Debian, Ubuntu and derivatives (`/var/lib/dpkg/status`, distroless `status.d/`).
        Dpkg => "dpkg",
        /// Alpine (`/lib/apk/db/installed`).
        Apk => "apk",
    }
}

/// The package that installed a file.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct OsPackage {
    /// Which database named it.
    pub manager: PackageManager,
    /// The binary package (`ripgrep`).
    pub name: String,
    /// Its version as the distribution writes it (`13.0.0-4+b2`).
    pub version: String,
    /// The source package it was built from, when it differs from `name` (`rust-ripgrep`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The package URL (`pkg:deb/debian/ripgrep@13.0.0-4%2Bb2?arch=amd64`), when the
    /// distribution is known (`/etc/os-release`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// Source packages it was built with and links statically, as its control fields list them
    /// (`Built-Using`, `Static-Built-Using`, `X-Cargo-Built-Using`): `name (= version)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub built_using: Vec<BuiltUsing>,
}

/// One entry of `Built-Using`, `Static-Built-Using` or `X-Cargo-Built-Using`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct BuiltUsing {
    /// The source package (`rust-aho-corasick`, `golang-github-pkg-sftp`, `glibc`).
    pub package: String,
    /// Its version (`0.7.19-1`).
    pub version: String,
    /// The field that listed it.
    pub field: String,
}
