//! Media types of the manifests, indexes, configs and layers binsight reads and writes.

/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// OCI layer, a gzip-compressed tar.
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// The empty descriptor's type (`{}`), the config of an artifact manifest.
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// Docker image manifest, v2 schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list (the index of schema 2).
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker schema 1 manifests (deprecated; not read): any media type holding this.
pub const DOCKER_SCHEMA1_MARKER: &str = "distribution.manifest.v1";
/// CycloneDX JSON, the artifact type of binsight's SBOMs.
pub const CYCLONEDX_JSON: &str = "application/vnd.cyclonedx+json";

/// Annotation naming an image in a layout's `index.json`.
pub const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";
/// Annotation with the image's creation time.
pub const ANNOTATION_CREATED: &str = "org.opencontainers.image.created";
