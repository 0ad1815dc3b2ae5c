//! Images pulled straight from a registry over the OCI distribution API (`/v2/`), read-only:
//! manifests by tag or digest, blobs streamed by digest. Nothing is written to disk.
//! References follow docker's grammar: a name without a registry host (`alpine:3.20`) is on
//! Docker Hub (`docker.io/library/alpine:3.20`, served by `registry-1.docker.io`).
//!
//! Credentials come from the files `docker login`, `podman login` and `skopeo login` write:
//! `$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`, then
//! `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`); `auths` entries (`auth` or
//! `username`/`password`) and credential helpers (`credHelpers`, `credsStore`). A 401 answer is
//! followed as the distribution spec says: `Basic` with those credentials, or `Bearer` with a
//! token fetched from the realm the registry names (anonymously when there are no credentials).
//!
//! Loopback registries (`localhost`, `127.0.0.0/8`, `::1`) are spoken to over plain HTTP, as
//! Docker does; any other host over HTTPS with certificate checks, unless plain HTTP is asked
//! for explicitly.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Docker Hub's name in references (`docker.io/library/alpine`), as docker and syft write it.
pub const DOCKER_HUB: &str = "docker.io";
/// The host that serves Docker Hub's distribution API.
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";
/// The key `docker login` stores Docker Hub credentials under (and hands to credential helpers).
pub const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";
/// Host names that mean Docker Hub, in references and in credential files.
const DOCKER_HUB_ALIASES: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/// A parsed image reference, `[HOST[:PORT]/]REPO[:TAG][@DIGEST]`, normalised as docker does:
/// no host means Docker Hub (`docker.io`), whose one-component names get `library/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `host` or `host:port` (lower-cased); `docker.io` for Docker Hub.
    pub host: String,
    pub repo: String,
    /// A tag, or a digest (`sha256:…`).
    pub reference: String,
}

impl Reference {
    /// Is this a Docker Hub reference?
    pub fn is_docker_hub(&self) -> bool {
        self.host == DOCKER_HUB
    }

    /// The host to connect to (`registry-1.docker.io` for Docker Hub).
    pub fn api_host(&self) -> &str {
        if self.is_docker_hub() {
            DOCKER_HUB_API
        } else {
            &self.host
        }
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sep = if self.reference.contains(':') { '@' } else { ':' };
        write!(f, "{}/{}{sep}{}", self.host, self.repo, self.reference)
    }
}

/// Why a string is not an image reference.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error(
        "{input:?}: {why}; expected [HOST[:PORT]/]REPO[:TAG|@sha256:DIGEST], e.g. alpine:3.20 or ghcr.io/org/app:1"
    )]
    Syntax { input: String, why: String },
    #[error("{input:?}: repository name must be lowercase ({repo:?})")]
    Uppercase { input: String, repo: String },
    #[error(
        "{input:?}: invalid repository name {repo:?}: components of lower-case letters and digits, \
         joined by '.', '_', '__' or '-'"
    )]
    Repo { input: String, repo: String },
    #[error("{input:?}: invalid registry host {host:?}")]
    Host { input: String, host: String },
    #[error(
        "{input:?}: invalid tag {tag:?}: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"
    )]
    Tag { input: String, tag: String },
    #[error("{input:?}: invalid digest {digest:?} (expected sha256:<64 lower-case hex digits>)")]
    Digest { input: String, digest: String },
    #[error("{input:?}: the name is over 255 characters")]
    TooLong { input: String },
}

/// One path component of a repository name, by docker's grammar:
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut sep = String::new();
    for &x in b {
        if alnum(x) {
            if !(sep.is_empty() || sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|s| s == b'-')) {
                return false;
            }
            sep.clear();
        } else if b"._-".contains(&x) {
            sep.push(x as char);
        } else {
            return false;
        }
    }
    true
}

/// A registry host by docker's grammar: DNS-like components (or `[IPv6]`), an optional port.
fn valid_host(h: &str) -> bool {
    let port_ok = |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = h.strip_prefix('[') {
        let Some((ip, tail)) = rest.split_once(']') else { return false };
        return ip.parse::<std::net::Ipv6Addr>().is_ok()
            && (tail.is_empty() || tail.strip_prefix(':').is_some_and(port_ok));
    }
    let (name, port) = h.split_once(':').map_or((h, None), |(n, p)| (n, Some(p)));
    port.is_none_or(port_ok)
        && name.split('.').all(|c| {
            !c.is_empty()
                && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !c.starts_with('-')
                && !c.ends_with('-')
        })
}

fn valid_tag(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 128
        && t.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Parse `[HOST[:PORT]/]REPO[:TAG][@sha256:HEX]` by docker's reference grammar: the first
/// component is a host only if it holds '.' or ':' or is `localhost`; otherwise the image is on
/// Docker Hub (`docker.io`, also spelt `index.docker.io` or `registry-1.docker.io`), where a
/// one-component name means `library/NAME`. The tag defaults to `latest`; with both a tag and a
/// digest, the digest is what is pulled.
pub fn parse_reference(s: &str) -> Result<Reference, ReferenceError> {
    let syntax = |why: &str| ReferenceError::Syntax { input: s.to_string(), why: why.to_string() };
    if s.is_empty() {
        return Err(syntax("empty reference"));
    }
    let (name, digest) = match s.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (s, None),
    };
    // The tag is after the last ':' of the last path component.
    let last = name.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name[last..].rfind(':') {
        Some(i) => (&name[..last + i], Some(&name[last + i + 1..])),
        None => (name, None),
    };
    if name.is_empty() {
        return Err(syntax("no repository name"));
    }
    if name.len() > 255 {
        return Err(ReferenceError::TooLong { input: s.to_string() });
    }
    let (host, repo) = match name.split_once('/') {
        Some((h, r)) if h.contains('.') || h.contains(':') || h == "localhost" => (h, r),
        _ => (DOCKER_HUB, name),
    };
    if !valid_host(host) {
        return Err(ReferenceError::Host { input: s.to_string(), host: host.to_string() });
    }
    let host = host.to_ascii_lowercase();
    let hub = DOCKER_HUB_ALIASES.contains(&host.as_str());
    if repo.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(ReferenceError::Uppercase { input: s.to_string(), repo: repo.to_string() });
    }
    if repo.is_empty() || !repo.split('/').all(valid_component) {
        return Err(ReferenceError::Repo { input: s.to_string(), repo: repo.to_string() });
    }
    let reference = match (tag, digest) {
        (Some(t), _) if !valid_tag(t) => return Err(ReferenceError::Tag { input: s.to_string(), tag: t.to_string() }),
        (_, Some(d)) if crate::image::valid_digest(d).is_none_or(|(alg, _)| alg != "sha256") => {
            return Err(ReferenceError::Digest { input: s.to_string(), digest: d.to_string() })
        }
        (_, Some(d)) => d.to_string(),
        (Some(t), None) => t.to_string(),
        (None, None) => "latest".to_string(),
    };
    let (host, repo) = if hub {
        let repo = if repo.contains('/') { repo.to_string() } else { format!("library/{repo}") };
        (DOCKER_HUB.to_string(), repo)
    } else {
        (host, repo.to_string())
    };
    Ok(Reference { host, repo, reference })
}

fn is_loopback(host: &str) -> bool {
    let h = host.strip_prefix('[').and_then(|h| h.split_once(']')).map_or_else(
        || {
            host.rsplit_once(':')
                .map_or(host, |(h, port)| if port.bytes().all(|b| b.is_ascii_digit()) { h } else { host })
        },
        |(h, _)| h,
    );
    h == "localhost" || h == "::1" || h.parse::<std::net::Ipv4Addr>().is_ok_and(|a| a.is_loopback())
}

/// Slowest transfer accepted by default: a blob must average at least this many bytes per
/// second over every [`DEFAULT_RATE_WINDOW`] spent waiting on the network.
pub const DEFAULT_MIN_RATE: u64 = 10 << 10;
/// The window the minimum rate is averaged over (also the longest a read may wait for a byte).
pub const DEFAULT_RATE_WINDOW: Duration = Duration::from_secs(60);
/// Total time for one metadata request (manifest, index, token, push step), body included.
pub const DEFAULT_METADATA_DEADLINE: Duration = Duration::from_secs(120);
/// Redirects followed for one request (blobs are often redirected once, to a CDN).
const MAX_REDIRECTS: usize = 5;

/// How to reach registries.
#[derive(Clone, Debug)]
pub struct RegistryOptions {
    /// Speak plain HTTP to every host, not only loopback ones.
    pub plain_http: bool,
    /// Credential files to read instead of the default ones (tests, air-gapped setups).
    pub auth_files: Option<Vec<PathBuf>>,
    /// Minimum average rate of a blob transfer, bytes per second over `rate_window` of network
    /// waiting (time the scan spends elsewhere does not count); slower transfers end with an
    /// error naming the blob. Each blob also has an overall deadline: `metadata_deadline` plus
    /// its size at this rate.
    pub min_rate: u64,
    pub rate_window: Duration,
    /// Total time for one manifest, index, token or push request, body included.
    pub metadata_deadline: Duration,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            plain_http: false,
            auth_files: None,
            min_rate: DEFAULT_MIN_RATE,
            rate_window: DEFAULT_RATE_WINDOW,
            metadata_deadline: DEFAULT_METADATA_DEADLINE,
        }
    }
}

/// A user name and password (or token) for one registry.
#[derive(Clone)]
pub struct Credentials {
    pub user: String,
    pub secret: String,
    /// Which file (and entry) they came from, for error messages.
    pub from: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({} from {}, secret hidden)", self.user, self.from)
    }
}

/// The credential files searched, in order (podman/skopeo's first, then Docker's).
pub fn default_auth_files() -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(f) = std::env::var_os("REGISTRY_AUTH_FILE") {
        v.push(PathBuf::from(f));
    }
    if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR") {
        v.push(PathBuf::from(d).join("containers/auth.json"));
    }
    match std::env::var_os("DOCKER_CONFIG") {
        Some(d) => v.push(PathBuf::from(d).join("config.json")),
        None => {
            if let Some(h) = std::env::var_os("HOME") {
                v.push(PathBuf::from(h).join(".docker/config.json"));
            }
        }
    }
    v
}

/// The key of an `auths` entry reduced to `host[:port]` (entries may be URLs).
fn auth_key_host(key: &str) -> String {
    let k = key.strip_prefix("https://").or_else(|| key.strip_prefix("http://")).unwrap_or(key);
    k.split('/').next().unwrap_or("").to_ascii_lowercase()
}

/// Run `docker-credential-<helper> get` as Docker does: the server on stdin, JSON out.
fn credential_helper(helper: &str, host: &str, file: &str) -> Result<Option<Credentials>, String> {
    if helper.is_empty() || !helper.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
        return Err(format!("{file}: credential helper name {helper:?} is not valid"));
    }
    let prog = format!("docker-credential-{helper}");
    let mut child = Command::new(&prog)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{file} names credential helper {prog}, which cannot be run: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(host.as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| format!("{prog}: {e}"))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stdout);
        // Helpers say "credentials not found in native keychain" when they have nothing.
        if msg.contains("not found") {
            return Ok(None);
        }
        return Err(format!("{prog} get {host}: failed ({}): {}", out.status, msg.trim()));
    }
    let v: Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("{prog}: not JSON ({e})"))?;
    let user = v["Username"].as_str().unwrap_or("").to_string();
    let secret = v["Secret"].as_str().unwrap_or("").to_string();
    if user == "<token>" {
        return Err(format!(
            "{prog} holds an identity token for {host}; OAuth2 identity tokens are not supported: \
             log in with a user name and password or access token"
        ));
    }
    Ok((!secret.is_empty()).then(|| Credentials { user, secret, from: format!("{file} (helper {prog})") }))
}

/// Credentials for `host` from the first credential file that has them. Docker Hub's entries
/// are found under any of its names: `https://index.docker.io/v1/` (what `docker login` writes),
/// `index.docker.io`, `docker.io` or `registry-1.docker.io`.
pub fn credentials(host: &str, files: &[PathBuf]) -> Result<Option<Credentials>, String> {
    let hub = DOCKER_HUB_ALIASES.contains(&host);
    // Names to look for, best first; what a credential helper is asked for (docker asks for
    // Docker Hub by its index URL).
    let (names, server): (Vec<&str>, &str) = if hub {
        (vec!["index.docker.io", "docker.io", "registry-1.docker.io"], DOCKER_HUB_AUTH_KEY)
    } else {
        (vec![host], host)
    };
    for f in files {
        let shown = f.display().to_string();
        let bytes = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{shown}: cannot read the credential file: {e}")),
        };
        if bytes.len() > 4 << 20 {
            return Err(format!("{shown}: over 4 MiB; not a credential file"));
        }
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| format!("{shown}: not valid JSON ({e})"))?;
        let helper_keys = if hub { vec![DOCKER_HUB_AUTH_KEY] } else { Vec::new() };
        if let Some(h) = helper_keys.iter().chain(&names).find_map(|n| v["credHelpers"][*n].as_str()) {
            return credential_helper(h, server, &shown);
        }
        let entry = v["auths"].as_object().and_then(|m| {
            names.iter().find_map(|n| m.iter().find(|(k, _)| auth_key_host(k) == *n).map(|(_, e)| e.clone()))
        });
        if let Some(e) = entry {
            if let Some(a) = e["auth"].as_str().filter(|a| !a.is_empty()) {
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(a.trim())
                    .map_err(|_| format!("{shown}: auths.{host}.auth is not base64"))?;
                let s = String::from_utf8(raw).map_err(|_| format!("{shown}: auths.{host}.auth is not UTF-8"))?;
                let (user, secret) =
                    s.split_once(':').ok_or_else(|| format!("{shown}: auths.{host}.auth is not user:password"))?;
                return Ok(Some(Credentials { user: user.into(), secret: secret.into(), from: shown }));
            }
            if let (Some(u), Some(p)) = (e["username"].as_str(), e["password"].as_str()) {
                return Ok(Some(Credentials { user: u.into(), secret: p.into(), from: shown }));
            }
            if e["identitytoken"].is_string() {
                return Err(format!("{shown}: {host} has an OAuth2 identity token, which is not supported"));
            }
        }
        if let Some(store) = v["credsStore"].as_str() {
            if let Some(c) = credential_helper(store, server, &shown)? {
                return Ok(Some(c));
            }
        }
    }
    Ok(None)
}

/// Split a `WWW-Authenticate` challenge: scheme and its `key="value"` parameters.
pub fn parse_challenge(h: &str) -> (String, Vec<(String, String)>) {
    let h = h.trim();
    let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = std::iter::from_fn(|| chars.next_if(|c| *c != '=' && *c != ',')).collect();
        if key.is_empty() {
            break;
        }
        if chars.next() != Some('=') {
            continue;
        }
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => val.extend(chars.next()),
                    '"' => break,
                    c => val.push(c),
                }
            }
        } else {
            val = std::iter::from_fn(|| chars.next_if(|c| *c != ',')).collect::<String>().trim().to_string();
        }
        params.push((key.trim().to_ascii_lowercase(), val));
    }
    (scheme.to_ascii_lowercase(), params)
}

fn query_escape(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// Manifest media types asked for, newest first (Docker schema 1 is not supported).
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// Where a URL points: scheme, host and port (what credentials are bound to).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub scheme: String,
    /// Lower-cased; IPv6 addresses in brackets.
    pub host: String,
    pub port: u16,
}

impl Origin {
    /// The origin of an absolute `http`/`https` URL.
    pub fn of(url: &str) -> Option<Origin> {
        let u: ureq::http::Uri = url.parse().ok()?;
        let scheme = u.scheme_str()?.to_ascii_lowercase();
        let default = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let host = u.host().filter(|h| !h.is_empty())?.to_ascii_lowercase();
        Some(Origin { port: u.port_u16().unwrap_or(default), scheme, host })
    }

    fn plain(&self) -> bool {
        self.scheme == "http"
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let default = if self.plain() { 80 } else { 443 };
        if self.port == default {
            write!(f, "{}", self.host)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Resolve a `Location` header against the URL that answered it.
fn resolve_location(base: &str, loc: &str) -> Option<String> {
    let lower = loc.get(..8).unwrap_or(loc).to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(loc.to_string());
    }
    let o = Origin::of(base)?;
    let scheme_end = base.find("://")? + 3;
    let path_start = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    if let Some(rest) = loc.strip_prefix("//") {
        return Some(format!("{}://{rest}", o.scheme));
    }
    if loc.starts_with('/') {
        return Some(format!("{}{loc}", &base[..path_start]));
    }
    let path_end = base.find(['?', '#']).unwrap_or(base.len());
    let dir_end = base[..path_end].rfind('/').filter(|i| *i >= path_start)?;
    Some(format!("{}{loc}", &base[..=dir_end]))
}

/// A client for one repository of one registry.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    /// The registry's own origin: the only one its credentials and tokens are sent to.
    home: Origin,
    pub reference: Reference,
    creds: Option<Credentials>,
    /// The `Authorization` header that last worked (Basic or Bearer).
    auth: Mutex<Option<String>>,
    min_rate: u64,
    rate_window: Duration,
    metadata_deadline: Duration,
}

fn err(r: &Reference, why: impl std::fmt::Display) -> String {
    format!("registry:{r}: {why}")
}

impl Client {
    pub fn new(reference: Reference, opts: &RegistryOptions) -> Result<Client, String> {
        let files = opts.auth_files.clone().unwrap_or_else(default_auth_files);
        let creds = credentials(&reference.host, &files).map_err(|e| err(&reference, e))?;
        let scheme = if opts.plain_http || is_loopback(&reference.host) { "http" } else { "https" };
        let window = opts.rate_window.max(Duration::from_millis(100));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Redirects are followed here, not by ureq: credentials must stay with the
            // registry, and a 401 must be known to come from it before it is answered.
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .timeout_per_read(Some(window.min(Duration::from_secs(120))))
            .user_agent(concat!("binsight/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let base = format!("{scheme}://{}", reference.api_host());
        let home = Origin::of(&base).ok_or_else(|| err(&reference, format!("{base} is not a usable URL")))?;
        Ok(Client {
            agent,
            base,
            home,
            reference,
            creds,
            auth: Mutex::new(None),
            min_rate: opts.min_rate.max(1),
            rate_window: window,
            metadata_deadline: opts.metadata_deadline,
        })
    }

    fn current_auth(&self) -> Option<String> {
        self.auth.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn basic(&self) -> Option<String> {
        self.creds.as_ref().map(|c| {
            let raw = format!("{}:{}", c.user, c.secret);
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
        })
    }

    /// The deadline of a request that is not a blob download: the metadata deadline, plus
    /// the time an upload body takes at the minimum rate.
    fn deadline_for(&self, r: &Req) -> Duration {
        let body = r.body.map_or(0, |(_, b)| b.len() as u64);
        self.metadata_deadline + Duration::from_secs(body / self.min_rate)
    }

    /// One HTTP exchange, no redirect followed.
    fn send_with(
        &self,
        r: &Req,
        auth: Option<&str>,
        what: &str,
        deadline: Option<Duration>,
    ) -> Result<ureq::http::Response<ureq::Body>, String> {
        let mut b = ureq::http::Request::builder().method(r.method).uri(r.url).header("Accept", r.accept);
        if let Some(a) = auth {
            b = b.header("Authorization", a);
        }
        let fail = |e: &dyn std::fmt::Display| err(&self.reference, format!("{what}: {} {}: {e}", r.method, r.url));
        let resp = match r.body {
            Some((ctype, bytes)) => {
                let req = b.header("Content-Type", ctype).body(bytes.to_vec()).map_err(|e| fail(&e))?;
                self.agent.run(self.agent.configure_request(req).timeout_global(deadline).build())
            }
            None if r.method == "POST" || r.method == "PUT" => {
                let req = b.header("Content-Length", "0").body(Vec::new()).map_err(|e| fail(&e))?;
                self.agent.run(self.agent.configure_request(req).timeout_global(deadline).build())
            }
            None => {
                let req = b.body(()).map_err(|e| fail(&e))?;
                self.agent.run(self.agent.configure_request(req).timeout_global(deadline).build())
            }
        };
        resp.map_err(|e| match e {
            ureq::Error::Timeout(_) => fail(&format!(
                "{e}: no complete answer within {} s; the registry is unreachable or too slow",
                deadline.unwrap_or(self.rate_window).as_secs()
            )),
            e => fail(&e),
        })
    }

    /// A request, its redirects followed: `auth` is sent only to `home` (the registry, or the
    /// token realm it named), never to a host it redirects to, and nothing is followed from
    /// HTTPS to plain HTTP. Returns the last answer and the origin that gave it.
    fn exchange(
        &self,
        r: &Req,
        home: &Origin,
        auth: Option<&str>,
        what: &str,
        deadline: Option<Duration>,
    ) -> Result<(ureq::http::Response<ureq::Body>, Origin), String> {
        let mut url = r.url.to_string();
        let mut method = r.method;
        let mut body = r.body;
        for _ in 0..=MAX_REDIRECTS {
            let here = Origin::of(&url)
                .ok_or_else(|| err(&self.reference, format!("{what}: {url:?} is not an http(s) URL")))?;
            let a = if &here == home { auth } else { None };
            let hop = Req { method, url: &url, accept: r.accept, body };
            let resp = self.send_with(&hop, a, what, deadline)?;
            let status = resp.status().as_u16();
            let Some(loc) = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .filter(|_| matches!(status, 301 | 302 | 303 | 307 | 308))
            else {
                return Ok((resp, here));
            };
            // 301/302/303 turn an upload into a GET as browsers do; only GET and HEAD follow them.
            match (status, method) {
                (307 | 308, _) | (_, "GET" | "HEAD") => {}
                (303, _) => (method, body) = ("GET", None),
                _ => return Ok((resp, here)),
            }
            let next = resolve_location(&url, loc)
                .ok_or_else(|| err(&self.reference, format!("{what}: unusable redirect location {loc:?}")))?;
            let to = Origin::of(&next)
                .ok_or_else(|| err(&self.reference, format!("{what}: redirect to {next:?}, not an http(s) URL")))?;
            if to.plain() && !here.plain() {
                return Err(err(
                    &self.reference,
                    format!(
                        "{what}: {here} redirected to plain HTTP ({next}); refused: what HTTPS fetched must not \
                         come over an unencrypted connection"
                    ),
                ));
            }
            url = next;
        }
        Err(err(&self.reference, format!("{what}: over {MAX_REDIRECTS} redirects from {}", r.url)))
    }

    fn login_hint(&self) -> String {
        if self.reference.is_docker_hub() {
            "run `docker login` (or `skopeo login docker.io`) or set REGISTRY_AUTH_FILE".to_string()
        } else {
            format!("run `docker login {h}` (or `skopeo login {h}`) or set REGISTRY_AUTH_FILE", h = self.reference.host)
        }
    }

    /// Answer the registry's own 401 challenge: find the Authorization header to retry with.
    fn authenticate(&self, challenge: &str) -> Result<String, String> {
        let (scheme, params) = parse_challenge(challenge);
        let param = |k: &str| params.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        let login = self.login_hint();
        match scheme.as_str() {
            "basic" => self.basic().ok_or_else(|| {
                err(
                    &self.reference,
                    format!("the registry requires a login and no credentials for it were found; {login}"),
                )
            }),
            "bearer" => {
                let realm = param("realm").ok_or_else(|| err(&self.reference, "Bearer challenge without a realm"))?;
                let at = Origin::of(realm).ok_or_else(|| {
                    err(&self.reference, format!("token realm {realm:?} is not an http(s) URL; refused"))
                })?;
                // Credentials cross the network in clear text only to the registry's own host
                // when the registry itself is spoken to over plain HTTP (loopback, --plain-http).
                if at.plain() && !(self.home.plain() && at.host == self.home.host) {
                    return Err(err(
                        &self.reference,
                        format!(
                            "token realm {realm:?} is plain HTTP on {at}, another host than the registry ({}): \
                             refused to send the credentials for {} in clear text; the registry must name an \
                             HTTPS realm",
                            self.home, self.home
                        ),
                    ));
                }
                let scope =
                    param("scope").map(str::to_string).unwrap_or(format!("repository:{}:pull", self.reference.repo));
                let mut url =
                    format!("{realm}{}scope={}", if realm.contains('?') { '&' } else { '?' }, query_escape(&scope));
                if let Some(s) = param("service") {
                    url.push_str(&format!("&service={}", query_escape(s)));
                }
                let basic = self.basic();
                let r = Req { method: "GET", url: &url, accept: "application/json", body: None };
                let (mut resp, _) = self.exchange(&r, &at, basic.as_deref(), "token", Some(self.metadata_deadline))?;
                let status = resp.status().as_u16();
                if status != 200 {
                    let hint = if self.creds.is_some() {
                        format!("the credentials from {} were refused", self.creds.as_ref().map_or("", |c| &c.from))
                    } else {
                        format!("no credentials were found; {login}")
                    };
                    return Err(err(&self.reference, format!("token server answered HTTP {status}: {hint}")));
                }
                let body = resp
                    .body_mut()
                    .with_config()
                    .limit(1 << 20)
                    .read_to_vec()
                    .map_err(|e| err(&self.reference, format!("token: {e}")))?;
                let v: Value = serde_json::from_slice(&body)
                    .map_err(|e| err(&self.reference, format!("token: not JSON ({e})")))?;
                let token = v["token"]
                    .as_str()
                    .or(v["access_token"].as_str())
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| err(&self.reference, "token server answered without a token"))?;
                Ok(format!("Bearer {token}"))
            }
            other => Err(err(&self.reference, format!("unsupported authentication scheme {other:?}"))),
        }
    }

    /// A request with the metadata deadline: see [`Client::request_with`].
    fn request(&self, r: &Req, what: &str) -> Result<ureq::http::Response<ureq::Body>, String> {
        self.request_with(r, what, Some(self.deadline_for(r)))
    }

    /// A request, authenticating once if the registry itself challenges it; any status is
    /// returned. A 401 from a host the registry redirected to is not answered: its challenge
    /// would have the registry's credentials (or a token got with them) sent elsewhere.
    fn request_with(
        &self,
        r: &Req,
        what: &str,
        deadline: Option<Duration>,
    ) -> Result<ureq::http::Response<ureq::Body>, String> {
        let (mut resp, from) = self.exchange(r, &self.home, self.current_auth().as_deref(), what, deadline)?;
        if resp.status().as_u16() == 401 {
            if from != self.home {
                let whose = if self.creds.is_some() { "the credentials" } else { "a login" };
                return Err(err(
                    &self.reference,
                    format!(
                        "{what}: refused to send {whose} for {} to {from}: the 401 came from a host the registry \
                         redirected to, not from the registry",
                        self.home
                    ),
                ));
            }
            let challenge =
                resp.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let auth = self.authenticate(&challenge)?;
            let (again, from) = self.exchange(r, &self.home, Some(&auth), what, deadline)?;
            resp = again;
            if resp.status().as_u16() == 401 {
                if from != self.home {
                    return Err(err(
                        &self.reference,
                        format!(
                            "{what}: refused to send the credentials for {} to {from}: the 401 came from a host \
                             the registry redirected to, not from the registry",
                            self.home
                        ),
                    ));
                }
                let from = self.creds.as_ref().map_or("none found".to_string(), |c| format!("from {}", c.from));
                return Err(err(&self.reference, format!("access to {what} denied (HTTP 401; credentials: {from})")));
            }
            *self.auth.lock().unwrap_or_else(|e| e.into_inner()) = Some(auth);
        }
        Ok(resp)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v2/{}/{path}", self.base, self.reference.repo)
    }

    /// GET `path` under `/v2/<repo>/`; anything but 200 is an error.
    fn get(
        &self,
        path: &str,
        accept: &str,
        what: &str,
        deadline: Option<Duration>,
    ) -> Result<ureq::http::Response<ureq::Body>, String> {
        let url = self.url(path);
        let resp = self.request_with(&Req { method: "GET", url: &url, accept, body: None }, what, deadline)?;
        match resp.status().as_u16() {
            200 => Ok(resp),
            404 => Err(err(&self.reference, format!("{what} not found (HTTP 404): check the repository and tag"))),
            403 => Err(err(&self.reference, format!("access to {what} forbidden (HTTP 403)"))),
            s => Err(err(&self.reference, format!("{what}: the registry answered HTTP {s}"))),
        }
    }

    /// A manifest or index by tag or digest: its bytes and digest (checked when one was asked
    /// for, or when the registry states one).
    pub fn manifest(&self, reference: &str, max: u64) -> Result<(Vec<u8>, String), String> {
        let what = format!("manifest {reference}");
        let mut resp =
            self.get(&format!("manifests/{reference}"), MANIFEST_ACCEPT, &what, Some(self.metadata_deadline))?;
        let stated = resp.headers().get("docker-content-digest").and_then(|v| v.to_str().ok()).map(str::to_string);
        let ctype = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        if ctype.contains("distribution.manifest.v1") {
            return Err(err(
                &self.reference,
                "the registry serves only a Docker schema 1 manifest (deprecated); push the image again with a current tool",
            ));
        }
        let body = resp.body_mut().with_config().limit(max).read_to_vec().map_err(|e| {
            err(
                &self.reference,
                format!("{what}: {e} (manifests are capped at {max} bytes and {} s)", self.metadata_deadline.as_secs()),
            )
        })?;
        let digest = format!("sha256:{:x}", Sha256::digest(&body));
        let want = if reference.contains(':') { Some(reference.to_string()) } else { stated };
        if let Some(w) = want.filter(|w| w.starts_with("sha256:")) {
            if w != digest {
                return Err(err(
                    &self.reference,
                    format!("manifest {reference} does not match its digest {w} (got {digest})"),
                ));
            }
        }
        Ok((body, digest))
    }

    /// A blob by digest, streamed; with its length when the registry states it. At most
    /// `declared` bytes are read (the size its descriptor states: more is an error), or `max`
    /// when no size is declared (`raise` says how to raise it, for the error); the transfer must
    /// keep the minimum rate and end by its deadline.
    pub fn blob(
        &self,
        digest: &str,
        declared: Option<u64>,
        max: u64,
        raise: &str,
    ) -> Result<(Box<dyn Read + Send>, Option<u64>), String> {
        let what = format!("blob {digest}");
        let resp = self.get(&format!("blobs/{digest}"), "*/*", &what, None)?;
        let len: Option<u64> =
            resp.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        let cap = declared.unwrap_or(max);
        let limit = match declared {
            Some(d) => format!("the {d} bytes the manifest declares"),
            None => format!("the {max}-byte limit ({raise}; the manifest declares no size)"),
        };
        if let Some(l) = len.filter(|l| *l > cap) {
            return Err(err(&self.reference, format!("{what}: the registry states {l} bytes, more than {limit}")));
        }
        let shown = err(&self.reference, &what);
        let deadline = self.metadata_deadline + Duration::from_secs(cap / self.min_rate).max(self.rate_window);
        let reader = Paced {
            inner: resp.into_body().into_reader(),
            what: shown,
            limit,
            cap,
            left: cap,
            min_rate: self.min_rate,
            window: self.rate_window,
            deadline,
            busy: Duration::ZERO,
            window_busy: Duration::ZERO,
            window_bytes: 0,
            failed: None,
        };
        Ok((Box::new(reader), len))
    }
}

/// A blob body as it streams: at most `left` more bytes (one more is an error), a minimum
/// average rate over each `window` of time spent waiting on the network, and an overall
/// `deadline` on that time. Time the caller spends between reads does not count.
struct Paced<R> {
    inner: R,
    /// `registry:REF: blob DIGEST`, for errors.
    what: String,
    /// What `cap` stands for, for errors.
    limit: String,
    cap: u64,
    left: u64,
    min_rate: u64,
    window: Duration,
    deadline: Duration,
    busy: Duration,
    window_busy: Duration,
    window_bytes: u64,
    /// The first error, returned again by every later read (one cause, one message).
    failed: Option<(io::ErrorKind, String)>,
}

impl<R: Read> Paced<R> {
    fn timed_read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let start = Instant::now();
        let got = self.inner.read(buf);
        let spent = start.elapsed();
        self.busy += spent;
        self.window_busy += spent;
        let k = got.map_err(|e| {
            io::Error::new(e.kind(), format!("{}: {e} (reads wait at most {} s)", self.what, self.window.as_secs()))
        })?;
        self.window_bytes += k as u64;
        if self.busy > self.deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "{}: not finished after {} s of transfer, the deadline for {} bytes at the minimum rate of \
                     {} B/s; the registry is too slow",
                    self.what,
                    self.deadline.as_secs(),
                    self.cap,
                    self.min_rate
                ),
            ));
        }
        if self.window_busy >= self.window {
            let need = self.min_rate.saturating_mul(self.window_busy.as_secs().max(1));
            if self.window_bytes < need {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "{}: {} bytes in {:.0} s is below the minimum rate of {} B/s; the registry is too slow \
                         or stalling (RegistryOptions::min_rate sets the floor)",
                        self.what,
                        self.window_bytes,
                        self.window_busy.as_secs_f64(),
                        self.min_rate
                    ),
                ));
            }
            (self.window_busy, self.window_bytes) = (Duration::ZERO, 0);
        }
        Ok(k)
    }
}

impl<R: Read> Read for Paced<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some((kind, msg)) = &self.failed {
            return Err(io::Error::new(*kind, msg.clone()));
        }
        let got = self.checked_read(buf);
        if let Err(e) = &got {
            self.failed = Some((e.kind(), e.to_string()));
        }
        got
    }
}

impl<R: Read> Paced<R> {
    fn checked_read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // Everything allowed has arrived: the body must end here.
            let mut probe = [0u8; 1];
            return match self.timed_read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(format!("{}: the registry sent more than {}", self.what, self.limit))),
            };
        }
        let n = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let k = self.timed_read(&mut buf[..n])?;
        self.left -= k as u64;
        Ok(k)
    }
}

/// One HTTP request of the client.
struct Req<'a> {
    method: &'static str,
    url: &'a str,
    accept: &'a str,
    /// (content type, bytes)
    body: Option<(&'a str, &'a [u8])>,
}

/// Pushing (used by `binsight pack --push`): blobs first, manifests after, as the
/// distribution spec orders it.
impl Client {
    fn status_err(&self, what: &str, resp: &mut ureq::http::Response<ureq::Body>) -> String {
        let s = resp.status().as_u16();
        let body = resp.body_mut().with_config().limit(4096).read_to_string().unwrap_or_default();
        let hint = match s {
            401 | 403 => ": the credentials lack push access",
            404 => ": no such repository (or the registry refuses to create it)",
            _ => "",
        };
        err(&self.reference, format!("{what}: the registry answered HTTP {s}{hint} {}", body.trim()))
    }

    /// Does the repository already hold this blob?
    pub fn has_blob(&self, digest: &str) -> Result<bool, String> {
        let url = self.url(&format!("blobs/{digest}"));
        let mut resp = self.request(&Req { method: "HEAD", url: &url, accept: "*/*", body: None }, "blob")?;
        match resp.status().as_u16() {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(self.status_err(&format!("checking blob {digest}"), &mut resp)),
        }
    }

    /// Upload a blob in one request (POST for a session, then PUT with the digest).
    pub fn upload_blob(&self, digest: &str, bytes: &[u8]) -> Result<(), String> {
        let what = format!("uploading blob {digest}");
        let url = self.url("blobs/uploads/");
        let mut resp = self.request(&Req { method: "POST", url: &url, accept: "*/*", body: None }, &what)?;
        if resp.status().as_u16() != 202 {
            return Err(self.status_err(&what, &mut resp));
        }
        let loc = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| err(&self.reference, format!("{what}: no upload location")))?
            .to_string();
        let loc = if loc.starts_with("http://") || loc.starts_with("https://") {
            loc
        } else if loc.starts_with('/') {
            format!("{}{loc}", self.base)
        } else {
            return Err(err(&self.reference, format!("{what}: unusable upload location {loc:?}")));
        };
        let put = format!("{loc}{}digest={}", if loc.contains('?') { '&' } else { '?' }, query_escape(digest));
        let r = Req { method: "PUT", url: &put, accept: "*/*", body: Some(("application/octet-stream", bytes)) };
        let mut resp = self.request(&r, &what)?;
        if resp.status().as_u16() != 201 {
            return Err(self.status_err(&what, &mut resp));
        }
        Ok(())
    }

    /// PUT a manifest or index under a tag or its digest.
    pub fn put_manifest(&self, reference: &str, media_type: &str, bytes: &[u8]) -> Result<(), String> {
        let what = format!("pushing manifest {reference}");
        let url = self.url(&format!("manifests/{reference}"));
        let r = Req { method: "PUT", url: &url, accept: "*/*", body: Some((media_type, bytes)) };
        let mut resp = self.request(&r, &what)?;
        if resp.status().as_u16() != 201 {
            return Err(self.status_err(&what, &mut resp));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let r = parse_reference("127.0.0.1:5000/bin/app:1.2").expect("parse");
        assert_eq!((r.host.as_str(), r.repo.as_str(), r.reference.as_str()), ("127.0.0.1:5000", "bin/app", "1.2"));
        let r = parse_reference("registry.example/app").expect("parse");
        assert_eq!(r.reference, "latest");
        let d = format!("sha256:{}", "a".repeat(64));
        let r = parse_reference(&format!("localhost/app@{d}")).expect("parse");
        assert_eq!(r.reference, d);
        assert_eq!(r.to_string(), format!("localhost/app@{d}"));
        // A tag and a digest: the digest is what is pulled.
        assert_eq!(parse_reference(&format!("localhost/app:1@{d}")).expect("parse").reference, d);
        let r = parse_reference("[::1]:5000/app:2").expect("parse");
        assert_eq!((r.host.as_str(), r.repo.as_str()), ("[::1]:5000", "app"));
        assert_eq!(parse_reference("a.b/x__y/z-_-q").ok(), None, "'-_-' is not a separator");
        assert!(parse_reference("a.b/x__y/z--q.r_s").is_ok());
        assert!(parse_reference(&format!("a.b/x:{}", "t".repeat(128))).is_ok());
        for bad in [
            "",
            "host.example/",
            "host.example/a/../b:1",
            "h.x/a@sha256:12",
            "h.x/a@md5:0123",
            "h.x/a_/b",
            "h.x/a___b",
            "h.x/.a",
            "-h.x/a",
            "h.x:port/a",
            "h.x/a:-1",
            "h.x/a:.1",
            "h.x/a:1:2",
            "h x/a",
        ] {
            assert!(parse_reference(bad).is_err(), "{bad} should be refused");
        }
        assert!(matches!(parse_reference(&format!("a.b/x:{}", "t".repeat(129))), Err(ReferenceError::Tag { .. })));
        assert!(matches!(parse_reference(&format!("a.b/{}", "x".repeat(260))), Err(ReferenceError::TooLong { .. })));
        let e = parse_reference("ghcr.io/Org/App:1").expect_err("upper case");
        assert!(e.to_string().contains("must be lowercase"), "{e}");
    }

    /// Docker's normalisation: no host means Docker Hub, one-component names are `library/`.
    #[test]
    fn docker_hub_references() {
        let hub = |s: &str| {
            let r = parse_reference(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            (r.host.clone(), r.repo.clone(), r.reference.clone(), r.api_host().to_string(), r.to_string())
        };
        let lib = |tag: &str| {
            (
                "docker.io".to_string(),
                "library/alpine".to_string(),
                tag.to_string(),
                "registry-1.docker.io".to_string(),
                format!("docker.io/library/alpine:{tag}"),
            )
        };
        assert_eq!(hub("alpine"), lib("latest"));
        assert_eq!(hub("alpine:3.20"), lib("3.20"));
        assert_eq!(hub("library/alpine:3.20"), lib("3.20"));
        assert_eq!(hub("docker.io/alpine:3.20"), lib("3.20"));
        assert_eq!(hub("docker.io/library/alpine:3.20"), lib("3.20"));
        assert_eq!(hub("index.docker.io/alpine:3.20"), lib("3.20"));
        assert_eq!(hub("registry-1.docker.io/library/alpine:3.20"), lib("3.20"));
        let r = parse_reference("bitnami/redis:7").expect("parse");
        assert_eq!((r.host.as_str(), r.repo.as_str()), ("docker.io", "bitnami/redis"));
        assert!(r.is_docker_hub());
        // The first component is a host only with '.' or ':', or as `localhost`.
        let r = parse_reference("localhost/app").expect("parse");
        assert_eq!((r.host.as_str(), r.repo.as_str(), r.api_host()), ("localhost", "app", "localhost"));
        let r = parse_reference("myhost:5000/app").expect("parse");
        assert_eq!(r.host, "myhost:5000");
        let r = parse_reference("org/team/app").expect("parse");
        assert_eq!((r.host.as_str(), r.repo.as_str()), ("docker.io", "org/team/app"));
        // No '/': `localhost:5000` is the image `localhost` with the tag `5000`, as in docker.
        let r = parse_reference("localhost:5000").expect("parse");
        assert_eq!(
            (r.host.as_str(), r.repo.as_str(), r.reference.as_str()),
            ("docker.io", "library/localhost", "5000")
        );
        assert!(!parse_reference("ghcr.io/org/app").expect("parse").is_docker_hub());
        let e = parse_reference("Alpine").expect_err("upper case");
        assert!(matches!(e, ReferenceError::Uppercase { .. }), "{e}");
    }

    #[test]
    fn docker_hub_credentials_under_every_alias() {
        let t = tempfile::tempdir().expect("tmp");
        let f = t.path().join("config.json");
        let enc = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        for key in ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"] {
            std::fs::write(&f, format!(r#"{{"auths": {{"{key}": {{"auth": "{}"}}}}}}"#, enc("hub:pw"))).expect("w");
            let c = credentials(DOCKER_HUB, std::slice::from_ref(&f)).expect("read").expect(key);
            assert_eq!((c.user.as_str(), c.secret.as_str()), ("hub", "pw"), "{key}");
            // Hub credentials are not handed to another registry.
            assert!(credentials("ghcr.io", std::slice::from_ref(&f)).expect("read").is_none());
        }
        // `docker login`'s own key wins over the other spellings.
        std::fs::write(
            &f,
            format!(
                r#"{{"auths": {{"docker.io": {{"auth": "{}"}}, "https://index.docker.io/v1/": {{"auth": "{}"}}}}}}"#,
                enc("old:x"),
                enc("new:y")
            ),
        )
        .expect("w");
        let c = credentials(DOCKER_HUB, std::slice::from_ref(&f)).expect("read").expect("found");
        assert_eq!(c.user, "new");
    }

    #[test]
    fn loopback_hosts() {
        for h in ["localhost", "localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["registry.example", "10.0.0.1:5000", "localhost.example"] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn challenges() {
        let (s, p) = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(s, "bearer");
        assert_eq!(
            p,
            [
                ("realm".to_string(), "https://auth.example/token".to_string()),
                ("service".into(), "registry.example".into()),
                ("scope".into(), "repository:a/b:pull,push".into())
            ]
        );
        let (s, p) = parse_challenge(r#"Basic realm="basic-realm""#);
        assert_eq!((s.as_str(), p.len()), ("basic", 1));
    }

    #[test]
    fn credential_files() {
        let t = tempfile::tempdir().expect("tmp");
        let a = t.path().join("auth.json");
        let d = t.path().join("config.json");
        std::fs::write(&a, r#"{"auths": {"other.example": {"auth": "eDp5"}}}"#).expect("write");
        let enc = base64::engine::general_purpose::STANDARD.encode("alice:pa:ss");
        std::fs::write(&d, format!(r#"{{"auths": {{"https://reg.example:5000/v1/": {{"auth": "{enc}"}}}}}}"#))
            .expect("write");
        let files = [t.path().join("missing.json"), a.clone(), d.clone()];
        let c = credentials("reg.example:5000", &files).expect("read").expect("found");
        assert_eq!((c.user.as_str(), c.secret.as_str()), ("alice", "pa:ss"));
        assert!(c.from.ends_with("config.json"));
        assert!(credentials("nowhere.example", &files).expect("read").is_none());
        std::fs::write(&a, "{not json").expect("write");
        assert!(credentials("reg.example:5000", &files).is_err_and(|e| e.contains("auth.json")));
    }
}
