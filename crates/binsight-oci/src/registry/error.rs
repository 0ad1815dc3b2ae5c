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
    /// The reference the exchange was about.
    pub reference: Reference,
    /// What went wrong.
    pub kind: Box<ErrorKind>,
}

impl RegistryError {
    /// An error of an exchange about `reference`.
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
    /// The credentials for the registry could not be read.
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    /// The registry's base URL cannot be parsed.
    #[error("{base} is not a usable URL")]
    BaseUrl {
        /// The base URL.
        base: String,
    },
    /// A request could not be built.
    #[error("{what}: {method} {url}: {source}")]
    InvalidRequest {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// The HTTP method.
        method: &'static str,
        /// The URL requested.
        url: String,
        /// The underlying error.
        source: ureq::http::Error,
    },
    /// A request failed on the way (connection, TLS, a protocol error).
    #[error("{what}: {method} {url}: {source}")]
    Transport {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// The HTTP method.
        method: &'static str,
        /// The URL requested.
        url: String,
        /// The underlying error.
        source: ureq::Error,
    },
    /// A request got no complete answer within its deadline (or fell below the minimum rate).
    #[error(
        "{what}: {method} {url}: {source}: no complete answer within {secs} s; the registry is unreachable or too slow"
    )]
    Timeout {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// The HTTP method.
        method: &'static str,
        /// The URL requested.
        url: String,
        /// The underlying error.
        source: ureq::Error,
        /// The deadline, in seconds.
        secs: u64,
    },
    /// A URL to fetch is not http(s).
    #[error("{what}: {url:?} is not an http(s) URL")]
    NotHttpUrl {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// The URL requested.
        url: String,
    },
    /// A redirect's `Location` cannot be parsed.
    #[error("{what}: unusable redirect location {location:?}")]
    RedirectLocation {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// The `Location` header.
        location: String,
    },
    /// A redirect to something other than http(s).
    #[error("{what}: redirect to {to:?}, not an http(s) URL")]
    RedirectNotHttp {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// Where it pointed.
        to: String,
    },
    /// An HTTPS request redirected to plain HTTP (refused).
    #[error(
        "{what}: {from} redirected to plain HTTP ({to}); refused: what HTTPS fetched must not come over an \
         unencrypted connection"
    )]
    RedirectToPlainHttp {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// The origin that redirected.
        from: Origin,
        /// Where it pointed.
        to: String,
    },
    /// More redirects than the cap.
    #[error("{what}: over {MAX_REDIRECTS} redirects from {url}")]
    TooManyRedirects {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// The URL first requested.
        url: String,
    },
    /// The registry wants credentials and none were found for it.
    #[error("the registry requires a login and no credentials for it were found; {login}")]
    LoginRequired {
        /// How to log in (`docker login HOST`, or setting `REGISTRY_AUTH_FILE`).
        login: String,
    },
    /// A `Bearer` challenge without a `realm`.
    #[error("Bearer challenge without a realm")]
    NoRealm,
    /// The token realm is not an http(s) URL.
    #[error("token realm {realm:?} is not an http(s) URL; refused")]
    RealmNotHttp {
        /// The realm as the challenge named it.
        realm: String,
    },
    /// The token realm is plain HTTP on another host than the registry (credentials not sent).
    #[error(
        "token realm {realm:?} is plain HTTP on {at}, another host than the registry ({home}): refused to send \
         the credentials for {home} in clear text; the registry must name an HTTPS realm"
    )]
    RealmPlainHttp {
        /// The realm as the challenge named it.
        realm: String,
        /// The realm's origin.
        at: Origin,
        /// The registry's origin.
        home: Origin,
    },
    /// The token server refused the request.
    #[error("token server answered HTTP {status}: {hint}")]
    TokenRefused {
        /// The HTTP status, or the helper's exit status.
        status: u16,
        /// Which credentials were refused, or, with none, how to log in.
        hint: String,
    },
    /// The token server's answer could not be read.
    #[error("token: {source}")]
    TokenRead {
        /// The underlying error.
        source: ureq::Error,
    },
    /// The token server's answer is not JSON.
    #[error("token: not JSON ({source})")]
    TokenNotJson {
        /// The underlying error.
        source: serde_json::Error,
    },
    /// The token server's answer has no `token` or `access_token`.
    #[error("token server answered without a token")]
    NoToken,
    /// A challenge other than `Basic` or `Bearer`.
    #[error("unsupported authentication scheme {scheme:?}")]
    UnsupportedScheme {
        /// The scheme named.
        scheme: String,
    },
    /// A host the registry redirected to asked for credentials (not sent).
    #[error(
        "{what}: refused to send {whose} for {home} to {from}: the 401 came from a host the registry redirected \
         to, not from the registry"
    )]
    CredentialsToRedirect {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// What was refused: `the credentials`, or `a login`.
        whose: &'static str,
        /// The registry's origin.
        home: Origin,
        /// The origin that asked.
        from: Origin,
    },
    /// HTTP 401 with the credentials sent.
    #[error("access to {what} denied (HTTP 401; credentials: {credentials})")]
    Denied {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// Where the credentials sent came from (`from FILE`), or `none found`.
        credentials: String,
    },
    /// HTTP 404.
    #[error("{what} not found (HTTP 404): check the repository and tag")]
    NotFound {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
    },
    /// HTTP 403.
    #[error("access to {what} forbidden (HTTP 403)")]
    Forbidden {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
    },
    /// Any other unexpected HTTP status.
    #[error("{what}: the registry answered HTTP {status}")]
    Status {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// The HTTP status, or the helper's exit status.
        status: u16,
    },
    /// The tag names only a Docker schema 1 manifest, which binsight does not read.
    #[error(
        "the registry serves only a Docker schema 1 manifest (deprecated); push the image again with a current tool"
    )]
    SchemaV1,
    /// A manifest could not be read within its size cap and deadline.
    #[error("{what}: {source} (manifests are capped at {max} bytes and {secs} s)")]
    ManifestRead {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// The underlying error.
        source: ureq::Error,
        /// The size cap, in bytes.
        max: u64,
        /// The deadline, in seconds.
        secs: u64,
    },
    /// A manifest's bytes do not match the digest asked for or stated.
    #[error("manifest {reference} does not match its digest {want} (got {got})")]
    ManifestDigest {
        /// The reference asked for.
        reference: String,
        /// The digest expected.
        want: String,
        /// The digest of the bytes received.
        got: String,
    },
    /// A blob's stated size is over its cap.
    #[error("{what}: the registry states {stated} bytes, more than {limit}")]
    BlobTooLarge {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// The size the registry stated.
        stated: u64,
        /// The cap, as the user would write it.
        limit: String,
    },
    /// The registry refused part of a push.
    #[error("{what}: the registry answered HTTP {status}{hint} {body}", hint = push_hint(*status))]
    PushRefused {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// The HTTP status, or the helper's exit status.
        status: u16,
        /// The start of its answer.
        body: String,
    },
    /// An upload was started without a `Location` to send the blob to.
    #[error("{what}: no upload location")]
    NoUploadLocation {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
    },
    /// The upload `Location` cannot be parsed.
    #[error("{what}: unusable upload location {location:?}")]
    UploadLocation {
        /// The request (`manifest 1.2`, `blob sha256:…`, `token`).
        what: String,
        /// The `Location` header.
        location: String,
    },
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
    /// The credential file could not be read.
    #[error("{}: cannot read the credential file: {source}", file.display())]
    Read {
        /// The credential file.
        file: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The credential file is over 4 MiB.
    #[error("{}: over 4 MiB; not a credential file", file.display())]
    TooLarge {
        /// The credential file.
        file: PathBuf,
    },
    /// The credential file is not JSON.
    #[error("{}: not valid JSON ({source})", file.display())]
    NotJson {
        /// The credential file.
        file: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// An `auth` entry is not base64 of `user:secret`.
    #[error("{}: auths.{host}.auth is not {expected}", file.display())]
    BadAuth {
        /// The credential file.
        file: PathBuf,
        /// The registry host the credentials are for.
        host: String,
        /// What it should be.
        expected: &'static str,
    },
    /// The entry is an OAuth2 identity token (not supported).
    #[error("{}: {host} has an OAuth2 identity token, which is not supported", file.display())]
    IdentityToken {
        /// The credential file.
        file: PathBuf,
        /// The registry host the credentials are for.
        host: String,
    },
    /// A credential helper name with characters a program name cannot have.
    #[error("{}: credential helper name {helper:?} is not valid", file.display())]
    HelperName {
        /// The credential file.
        file: PathBuf,
        /// The name as written.
        helper: String,
    },
    /// The credential helper cannot be run.
    #[error("{} names credential helper {program}, which cannot be run: {source}", file.display())]
    HelperSpawn {
        /// The credential file.
        file: PathBuf,
        /// The helper program (`docker-credential-NAME`).
        program: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Talking to the credential helper failed.
    #[error("{program}: {source}")]
    HelperWait {
        /// The helper program (`docker-credential-NAME`).
        program: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The credential helper exited with an error.
    #[error("{program} get {host}: failed ({status}): {output}")]
    HelperFailed {
        /// The helper program (`docker-credential-NAME`).
        program: String,
        /// The registry host the credentials are for.
        host: String,
        /// The HTTP status, or the helper's exit status.
        status: std::process::ExitStatus,
        /// What it printed.
        output: String,
    },
    /// The credential helper's answer is not JSON.
    #[error("{program}: not JSON ({source})")]
    HelperNotJson {
        /// The helper program (`docker-credential-NAME`).
        program: String,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// The credential helper holds an OAuth2 identity token (not supported).
    #[error(
        "{program} holds an identity token for {host}; OAuth2 identity tokens are not supported: log in with a \
         user name and password or access token"
    )]
    HelperIdentityToken {
        /// The helper program (`docker-credential-NAME`).
        program: String,
        /// The registry host the credentials are for.
        host: String,
    },
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
