//! Test fixtures shared by binsight's test suites, so each suite builds images, finds corpus
//! files and runs the binary the same way:
//!
//! - [`corpus`]: ground-truth corpus files in the cache (`scripts/test.sh` builds them); a
//!   missing one fails the test loudly, naming what to run.
//! - [`image`]: container images built byte by byte: layer tars, gzip layers, OCI layouts, OCI
//!   and docker archives. [`rawtar`]: raw tar records for hostile cases the `tar` crate refuses.
//! - [`cli`]: the `binsight` binary run hermetically, and its whole output as one text.
//! - [`filters`]: insta settings that hide only what varies between runs and machines.
//! - [`peers`]: a real registry and skopeo; [`hostile_registry`]: a registry that misbehaves.
//! - [`offline`]: the Go peers (govulncheck, syft, osv-scanner) run with no way out to the network.
//! - [`vexcheck`]: OpenVEX documents loaded and matched by go-vex, the library grype and trivy use.
//! - [`validate`]: CycloneDX, SPDX and OpenVEX documents checked by the official validators.
//!
//! Every helper panics with a message on failure: these are test fixtures, and a fixture that
//! cannot be built is a failed test.

#![warn(missing_docs, unreachable_pub)]
#![allow(clippy::unwrap_used)]

pub mod cli;
pub mod corpus;
pub mod filters;
pub mod hostile_registry;
pub mod image;
pub mod offline;
pub mod peers;
pub mod rawtar;
pub mod validate;
pub mod vexcheck;
