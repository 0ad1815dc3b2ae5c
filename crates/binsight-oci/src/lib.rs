//! The image formats binsight reads and writes, and the registry protocol that moves them.
//!
//! - [`Digest`]: `sha256:…`/`sha512:…`, checked when parsed (it names what is fetched).
//! - [`Descriptor`], [`Platform`], [`ImageManifest`], [`ImageIndex`], [`ImageConfig`],
//!   [`DockerArchiveEntry`]: serde types of OCI and Docker (v2 schema 2) manifests, indexes and
//!   manifest lists, configs and `docker save`'s `manifest.json`. What an image states is read
//!   leniently ([`json`]): a field of the wrong type reads as absent, so the checks that follow
//!   name the problem; every accessor says what `None`/`Err` mean. What binsight writes is
//!   canonical JSON ([`json::canonical`]): the same image, the same digest.
//! - [`media`]: media types and annotation keys.
//! - [`registry`]: the distribution API client, pull and push.

#![warn(missing_docs, unreachable_pub)]

pub mod config;
pub mod descriptor;
pub mod digest;
pub mod json;
pub mod manifest;
pub mod media;
pub mod registry;

pub use config::{DockerArchiveEntry, History, ImageConfig, RootFs, RunConfig};
pub use descriptor::{Descriptor, Platform};
pub use digest::{Algorithm, Digest, DigestError};
pub use manifest::{ImageIndex, ImageManifest, ManifestOrIndex};
