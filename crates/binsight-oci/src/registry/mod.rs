//! A client for the OCI distribution API (`/v2/`) that pulls and pushes, split by job:
//! [`reference`](mod@reference) parses image references, [`auth`] finds credentials and reads
//! challenges, [`transport`] makes the requests (deadlines, redirects, who gets credentials),
//! `paced` (private) holds a blob transfer to its size, rate and deadline, [`pull`] reads
//! manifests and blobs, [`push`](mod@push) writes them, and [`error`] says what went wrong.
//!
//! Every limit is for a hostile registry: credentials only to the registry's own origin (or
//! the token realm it names, over HTTPS), never to a redirect target; at most
//! [`MAX_REDIRECTS`] redirects, never from HTTPS to plain HTTP; a minimum transfer rate and
//! deadlines on every request; blobs read to at most their declared size; manifests checked
//! against their digest.

pub mod auth;
pub mod error;
pub mod origin;
mod paced;
pub mod pull;
pub mod push;
pub mod reference;
pub mod transport;

pub use auth::{credentials, default_auth_files, parse_challenge, Credentials};
pub use error::{CredentialError, ErrorKind, RegistryError};
pub use origin::{Origin, MAX_REDIRECTS};
pub use push::{push, ManifestUpload, Pushed, Upload};
pub use reference::{parse_reference, Reference, ReferenceError, DOCKER_HUB, DOCKER_HUB_API, DOCKER_HUB_AUTH_KEY};
pub use transport::{Client, RegistryOptions, DEFAULT_METADATA_DEADLINE, DEFAULT_MIN_RATE, DEFAULT_RATE_WINDOW};
