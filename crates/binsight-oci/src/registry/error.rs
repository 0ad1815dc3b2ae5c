//! What can go wrong talking to a registry. Every error names the reference it was about
//! ([`RegistryError`] shows as `registry:REF: …`); [`ErrorKind`] says what happened, in words
//! that say what to do where there is something to do.

use std::path::PathBuf;

use super::origin::{Origin, MAX_REDIRECTS};
use super::reference::Reference;

/// An error of a registry exchange: the reference it was about and what went wrong.
#[derive(Debug, thiserror::Error)]
#[error("registry:{reference}: {kind}")]
pub struct RegistryError {
    pub reference: Reference,
    pub kind: Box<ErrorKind>,
}

impl RegistryError {
    pub fn new(reference: &Reference, kind: ErrorKind) -> RegistryError {
        RegistryError { reference: reference.clone(), kind: Box::new(kind) }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

/// What went wrong; `what` names the request (`manifest 1.2`, `blob sha256:…`, `token`).
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    #[error("{base} is not a usable URL")]
    BaseUrl { base: String },
    #[error("{what}: {method} {url}: {source}")]
    InvalidRequest { what: String, method: &'static str, url: String, source: ureq::http::Error },
    #[error("{what}: {method} {url}: {source}")]
    Transport { what: String, method: &'static str, url: String, source: ureq::Error },
    #[error(
        "{what}: {method} {url}: {source}: no complete answer within {secs} s; the registry is unreachable or too slow"
    )]
    Timeout { what: String, method: &'static str, url: String, source: ureq::Error, secs: u64 },
    #[error("{what}: {url:?} is not an http(s) URL")]
    NotHttpUrl { what: String, url: String },
    #[error("{what}: unusable redirect location {location:?}")]
    RedirectLocation { what: String, location: String },
    #[error("{what}: redirect to {to:?}, not an http(s) URL")]
    RedirectNotHttp { what: String, to: String },
    #[error(
        "{what}: {from} redirected to plain HTTP ({to}); refused: what HTTPS fetched must not come over an \
         unencrypted connection"
    )]
    RedirectToPlainHttp { what: String, from: Origin, to: String },
    #[error("{what}: over {MAX_REDIRECTS} redirects from {url}")]
    TooManyRedirects { what: String, url: String },
    #[error("the registry requires a login and no credentials for it were found; {login}")]
    LoginRequired { login: String },
    #[error("Bearer challenge without a realm")]
    NoRealm,
    #[error("token realm {realm:?} is not an http(s) URL; refused")]
    RealmNotHttp { realm: String },
    #[error(
        "token realm {realm:?} is plain HTTP on {at}, another host than the registry ({home}): refused to send \
         the credentials for {home} in clear text; the registry must name an HTTPS realm"
    )]
    RealmPlainHttp { realm: String, at: Origin, home: Origin },
    #[error("token server answered HTTP {status}: {hint}")]
    TokenRefused { status: u16, hint: String },
    #[error("token: {source}")]
    TokenRead { source: ureq::Error },
    #[error("token: not JSON ({source})")]
    TokenNotJson { source: serde_json::Error },
    #[error("token server answered without a token")]
    NoToken,
    #[error("unsupported authentication scheme {scheme:?}")]
    UnsupportedScheme { scheme: String },
    #[error(
        "{what}: refused to send {whose} for {home} to {from}: the 401 came from a host the registry redirected \
         to, not from the registry"
    )]
    CredentialsToRedirect { what: String, whose: &'static str, home: Origin, from: Origin },
    #[error("access to {what} denied (HTTP 401; credentials: {credentials})")]
    Denied { what: String, credentials: String },
    #[error("{what} not found (HTTP 404): check the repository and tag")]
    NotFound { what: String },
    #[error("access to {what} forbidden (HTTP 403)")]
    Forbidden { what: String },
    #[error("{what}: the registry answered HTTP {status}")]
    Status { what: String, status: u16 },
    #[error(
        "the registry serves only a Docker schema 1 manifest (deprecated); push the image again with a current tool"
    )]
    SchemaV1,
    #[error("{what}: {source} (manifests are capped at {max} bytes and {secs} s)")]
    ManifestRead { what: String, source: ureq::Error, max: u64, secs: u64 },
    #[error("manifest {reference} does not match its digest {want} (got {got})")]
    ManifestDigest { reference: String, want: String, got: String },
    #[error("{what}: the registry states {stated} bytes, more than {limit}")]
    BlobTooLarge { what: String, stated: u64, limit: String },
    #[error("{what}: the registry answered HTTP {status}{hint} {body}", hint = push_hint(*status))]
    PushRefused { what: String, status: u16, body: String },
    #[error("{what}: no upload location")]
    NoUploadLocation { what: String },
    #[error("{what}: unusable upload location {location:?}")]
    UploadLocation { what: String, location: String },
}

fn push_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => ": the credentials lack push access",
        404 => ": no such repository (or the registry refuses to create it)",
        _ => "",
    }
}

/// Why credentials could not be read from a credential file or helper (`file` as shown).
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("{}: cannot read the credential file: {source}", file.display())]
    Read { file: PathBuf, source: std::io::Error },
    #[error("{}: over 4 MiB; not a credential file", file.display())]
    TooLarge { file: PathBuf },
    #[error("{}: not valid JSON ({source})", file.display())]
    NotJson { file: PathBuf, source: serde_json::Error },
    #[error("{}: auths.{host}.auth is not {expected}", file.display())]
    BadAuth { file: PathBuf, host: String, expected: &'static str },
    #[error("{}: {host} has an OAuth2 identity token, which is not supported", file.display())]
    IdentityToken { file: PathBuf, host: String },
    #[error("{}: credential helper name {helper:?} is not valid", file.display())]
    HelperName { file: PathBuf, helper: String },
    #[error("{} names credential helper {program}, which cannot be run: {source}", file.display())]
    HelperSpawn { file: PathBuf, program: String, source: std::io::Error },
    #[error("{program}: {source}")]
    HelperWait { program: String, source: std::io::Error },
    #[error("{program} get {host}: failed ({status}): {output}")]
    HelperFailed { program: String, host: String, status: std::process::ExitStatus, output: String },
    #[error("{program}: not JSON ({source})")]
    HelperNotJson { program: String, source: serde_json::Error },
    #[error(
        "{program} holds an identity token for {host}; OAuth2 identity tokens are not supported: log in with a \
         user name and password or access token"
    )]
    HelperIdentityToken { program: String, host: String },
}

impl CredentialError {
    /// The credential file the error is about; `None` for a helper's own failure.
    pub fn file(&self) -> Option<&std::path::Path> {
        match self {
            CredentialError::Read { file, .. }
            | CredentialError::TooLarge { file }
            | CredentialError::NotJson { file, .. }
            | CredentialError::BadAuth { file, .. }
            | CredentialError::IdentityToken { file, .. }
            | CredentialError::HelperName { file, .. }
            | CredentialError::HelperSpawn { file, .. } => Some(file),
            _ => None,
        }
    }
}
