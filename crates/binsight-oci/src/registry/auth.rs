//! Credentials and challenges. Credentials come from the files `docker login`, `podman login`
//! and `skopeo login` write: `$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`,
//! then `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`); `auths` entries (`auth`
//! or `username`/`password`) and credential helpers (`credHelpers`, `credsStore`). A 401 answer
//! is followed as the distribution spec says: `Basic` with those credentials, or `Bearer` with a
//! token fetched from the realm the registry names (anonymously when there are no credentials).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;

use super::error::CredentialError;
use super::reference::{DOCKER_HUB_ALIASES, DOCKER_HUB_AUTH_KEY};

/// A user name and password (or token) for one registry.
#[derive(Clone)]
pub struct Credentials {
    /// The user name.
    pub user: String,
    /// The password or token (never printed).
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

/// A credential file (docker's `config.json`, podman's `auth.json`): the parts read here.
#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthFile {
    #[serde(default, deserialize_with = "crate::json::string_map")]
    cred_helpers: Option<BTreeMap<String, String>>,
    /// By key, sorted (the first entry for a host wins).
    #[serde(default, deserialize_with = "crate::json::struct_map")]
    auths: Option<BTreeMap<String, AuthEntry>>,
    #[serde(default, deserialize_with = "crate::json::opt")]
    creds_store: Option<String>,
}

/// One `auths` entry.
#[derive(Default, serde::Deserialize)]
struct AuthEntry {
    #[serde(default, deserialize_with = "crate::json::opt")]
    auth: Option<String>,
    #[serde(default, deserialize_with = "crate::json::opt")]
    username: Option<String>,
    #[serde(default, deserialize_with = "crate::json::opt")]
    password: Option<String>,
    #[serde(default, deserialize_with = "crate::json::opt")]
    identitytoken: Option<String>,
}

/// What a credential helper's `get` prints.
#[derive(Default, serde::Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username", default, deserialize_with = "crate::json::string")]
    username: String,
    #[serde(rename = "Secret", default, deserialize_with = "crate::json::string")]
    secret: String,
}

/// A token server's answer: `token`, or OAuth2's `access_token`.
#[derive(Default, serde::Deserialize)]
pub(crate) struct TokenAnswer {
    #[serde(default, deserialize_with = "crate::json::opt")]
    token: Option<String>,
    #[serde(default, deserialize_with = "crate::json::opt")]
    access_token: Option<String>,
}

impl TokenAnswer {
    /// The token; `None` when the answer holds none (or an empty one).
    pub(crate) fn token(&self) -> Option<&str> {
        self.token.as_deref().or(self.access_token.as_deref()).filter(|t| !t.is_empty())
    }
}

/// Does a failed helper's output say it simply has nothing for the server? That is the
/// credential-helper protocol's answer ("credentials not found in native keychain"), not an
/// error of ours: it is read from the helper's stdout as the protocol defines it.
fn helper_has_nothing(stdout: &str) -> bool {
    stdout.contains("not found")
}

/// Run `docker-credential-<helper> get` as Docker does: the server on stdin, JSON out.
fn credential_helper(helper: &str, host: &str, file: &Path) -> Result<Option<Credentials>, CredentialError> {
    if helper.is_empty() || !helper.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
        return Err(CredentialError::HelperName { file: file.into(), helper: helper.into() });
    }
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| CredentialError::HelperSpawn { file: file.into(), program: program.clone(), source })?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(host.as_bytes());
    }
    let out =
        child.wait_with_output().map_err(|source| CredentialError::HelperWait { program: program.clone(), source })?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stdout);
        if helper_has_nothing(&msg) {
            return Ok(None);
        }
        let output = msg.trim().to_string();
        return Err(CredentialError::HelperFailed { program, host: host.into(), status: out.status, output });
    }
    let v: HelperAnswer = crate::json::parse_lenient(&out.stdout)
        .map_err(|source| CredentialError::HelperNotJson { program: program.clone(), source })?;
    if v.username == "<token>" {
        return Err(CredentialError::HelperIdentityToken { program, host: host.into() });
    }
    let from = format!("{} (helper {program})", file.display());
    Ok((!v.secret.is_empty()).then_some(Credentials { user: v.username, secret: v.secret, from }))
}

/// Credentials for `host` from the first credential file that has them. Docker Hub's entries
/// are found under any of its names: `https://index.docker.io/v1/` (what `docker login` writes),
/// `index.docker.io`, `docker.io` or `registry-1.docker.io`. `Ok(None)`: no file has any;
/// `Err`: a file (or the helper it names) could not be read.
pub fn credentials(host: &str, files: &[PathBuf]) -> Result<Option<Credentials>, CredentialError> {
    let hub = DOCKER_HUB_ALIASES.contains(&host);
    // Names to look for, best first; what a credential helper is asked for (docker asks for
    // Docker Hub by its index URL).
    let (names, server): (Vec<&str>, &str) = if hub {
        (vec!["index.docker.io", "docker.io", "registry-1.docker.io"], DOCKER_HUB_AUTH_KEY)
    } else {
        (vec![host], host)
    };
    for f in files {
        let bytes = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(CredentialError::Read { file: f.clone(), source }),
        };
        if bytes.len() > 4 << 20 {
            return Err(CredentialError::TooLarge { file: f.clone() });
        }
        let v: AuthFile = crate::json::parse_lenient(&bytes)
            .map_err(|source| CredentialError::NotJson { file: f.clone(), source })?;
        let helper_keys = if hub { vec![DOCKER_HUB_AUTH_KEY] } else { Vec::new() };
        let helpers = v.cred_helpers.as_ref();
        if let Some(h) = helper_keys.iter().chain(&names).find_map(|n| helpers?.get(*n)) {
            return credential_helper(h, server, f);
        }
        let entry = v
            .auths
            .as_ref()
            .and_then(|m| names.iter().find_map(|n| m.iter().find(|(k, _)| auth_key_host(k) == *n).map(|(_, e)| e)));
        if let Some(e) = entry {
            if let Some(c) = from_entry(e, host, f)? {
                return Ok(Some(c));
            }
        }
        if let Some(store) = &v.creds_store {
            if let Some(c) = credential_helper(store, server, f)? {
                return Ok(Some(c));
            }
        }
    }
    Ok(None)
}

/// The credentials of one `auths` entry: `auth` (base64 `user:password`), else `username` and
/// `password`; `Ok(None)` when it has neither.
fn from_entry(e: &AuthEntry, host: &str, f: &Path) -> Result<Option<Credentials>, CredentialError> {
    let bad = |expected| CredentialError::BadAuth { file: f.into(), host: host.into(), expected };
    if let Some(a) = e.auth.as_deref().filter(|a| !a.is_empty()) {
        let raw = base64::engine::general_purpose::STANDARD.decode(a.trim()).map_err(|_| bad("base64"))?;
        let s = String::from_utf8(raw).map_err(|_| bad("UTF-8"))?;
        let (user, secret) = s.split_once(':').ok_or_else(|| bad("user:password"))?;
        let from = f.display().to_string();
        return Ok(Some(Credentials { user: user.into(), secret: secret.into(), from }));
    }
    if let (Some(u), Some(p)) = (&e.username, &e.password) {
        return Ok(Some(Credentials { user: u.clone(), secret: p.clone(), from: f.display().to_string() }));
    }
    if e.identitytoken.is_some() {
        return Err(CredentialError::IdentityToken { file: f.into(), host: host.into() });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::reference::DOCKER_HUB;

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
        assert!(credentials("reg.example:5000", &files).is_err_and(|e| e.to_string().contains("auth.json")));
    }
}
