//! The HTTP side of a registry client: one repository of one registry, requests with their
//! deadlines, redirects followed by hand (credentials only ever go to the registry itself or the
//! token realm it names, never to a redirect target, and nothing goes from HTTPS to plain HTTP),
//! and the registry's own 401 challenges answered once.
//!
//! Loopback registries (`localhost`, `127.0.0.0/8`, `::1`) are spoken to over plain HTTP, as
//! Docker does; any other host over HTTPS with certificate checks, unless plain HTTP is asked
//! for explicitly.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;

use super::auth::{self, Credentials};
use super::error::{ErrorKind, RegistryError};
use super::origin::{resolve_location, Origin, MAX_REDIRECTS};
use super::reference::{is_loopback, Reference};

/// Slowest transfer accepted by default: a blob must average at least this many bytes per
/// second over every [`DEFAULT_RATE_WINDOW`] spent waiting on the network.
pub const DEFAULT_MIN_RATE: u64 = 10 << 10;
/// The window the minimum rate is averaged over (also the longest a read may wait for a byte).
pub const DEFAULT_RATE_WINDOW: Duration = Duration::from_secs(60);
/// Total time for one metadata request (manifest, index, token, push step), body included.
pub const DEFAULT_METADATA_DEADLINE: Duration = Duration::from_secs(120);

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
    /// The window `min_rate` is measured over.
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

/// A client for one repository of one registry.
pub struct Client {
    agent: ureq::Agent,
    pub(crate) base: String,
    /// The registry's own origin: the only one its credentials and tokens are sent to.
    home: Origin,
    /// The repository (and tag or digest) the client is for.
    pub reference: Reference,
    creds: Option<Credentials>,
    /// The `Authorization` header that last worked (Basic or Bearer).
    auth: Mutex<Option<String>>,
    pub(crate) min_rate: u64,
    pub(crate) rate_window: Duration,
    pub(crate) metadata_deadline: Duration,
}

/// One HTTP request of the client.
pub(crate) struct Req<'a> {
    pub method: &'static str,
    pub url: &'a str,
    pub accept: &'a str,
    /// (content type, bytes)
    pub body: Option<(&'a str, &'a [u8])>,
}

type Response = ureq::http::Response<ureq::Body>;

impl Client {
    /// A client for `reference`'s repository, with the credentials the credential files hold
    /// for its registry. `Err` when those files cannot be read.
    pub fn new(reference: Reference, opts: &RegistryOptions) -> Result<Client, RegistryError> {
        let files = opts.auth_files.clone().unwrap_or_else(auth::default_auth_files);
        let creds = auth::credentials(&reference.host, &files)
            .map_err(|e| RegistryError::new(&reference, ErrorKind::Credentials(e)))?;
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
        let home = Origin::of(&base)
            .ok_or_else(|| RegistryError::new(&reference, ErrorKind::BaseUrl { base: base.clone() }))?;
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

    /// An error about this client's reference.
    pub(crate) fn err(&self, kind: ErrorKind) -> RegistryError {
        RegistryError::new(&self.reference, kind)
    }

    fn current_auth(&self) -> Option<String> {
        self.auth.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
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
    ) -> Result<Response, RegistryError> {
        let mut b = ureq::http::Request::builder().method(r.method).uri(r.url).header("Accept", r.accept);
        if let Some(a) = auth {
            b = b.header("Authorization", a);
        }
        let invalid = |source| {
            self.err(ErrorKind::InvalidRequest { what: what.into(), method: r.method, url: r.url.into(), source })
        };
        let resp = match r.body {
            Some((ctype, bytes)) => {
                let req = b.header("Content-Type", ctype).body(bytes.to_vec()).map_err(invalid)?;
                self.agent.run(self.agent.configure_request(req).timeout_global(deadline).build())
            }
            None if r.method == "POST" || r.method == "PUT" => {
                let req = b.header("Content-Length", "0").body(Vec::new()).map_err(invalid)?;
                self.agent.run(self.agent.configure_request(req).timeout_global(deadline).build())
            }
            None => {
                let req = b.body(()).map_err(invalid)?;
                self.agent.run(self.agent.configure_request(req).timeout_global(deadline).build())
            }
        };
        resp.map_err(|source| {
            let (what, method, url) = (what.to_string(), r.method, r.url.to_string());
            self.err(match source {
                ureq::Error::Timeout(_) => ErrorKind::Timeout {
                    what,
                    method,
                    url,
                    source,
                    secs: deadline.unwrap_or(self.rate_window).as_secs(),
                },
                source => ErrorKind::Transport { what, method, url, source },
            })
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
    ) -> Result<(Response, Origin), RegistryError> {
        let mut url = r.url.to_string();
        let mut method = r.method;
        let mut body = r.body;
        for _ in 0..=MAX_REDIRECTS {
            let here = Origin::of(&url)
                .ok_or_else(|| self.err(ErrorKind::NotHttpUrl { what: what.into(), url: url.clone() }))?;
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
                .ok_or_else(|| self.err(ErrorKind::RedirectLocation { what: what.into(), location: loc.into() }))?;
            let to = Origin::of(&next)
                .ok_or_else(|| self.err(ErrorKind::RedirectNotHttp { what: what.into(), to: next.clone() }))?;
            if to.plain() && !here.plain() {
                return Err(self.err(ErrorKind::RedirectToPlainHttp { what: what.into(), from: here, to: next }));
            }
            url = next;
        }
        Err(self.err(ErrorKind::TooManyRedirects { what: what.into(), url: r.url.into() }))
    }

    fn login_hint(&self) -> String {
        if self.reference.is_docker_hub() {
            "run `docker login` (or `skopeo login docker.io`) or set REGISTRY_AUTH_FILE".to_string()
        } else {
            format!("run `docker login {h}` (or `skopeo login {h}`) or set REGISTRY_AUTH_FILE", h = self.reference.host)
        }
    }

    /// Answer the registry's own 401 challenge: find the Authorization header to retry with.
    fn authenticate(&self, challenge: &str) -> Result<String, RegistryError> {
        let (scheme, params) = auth::parse_challenge(challenge);
        let param = |k: &str| params.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        match scheme.as_str() {
            "basic" => self.basic().ok_or_else(|| self.err(ErrorKind::LoginRequired { login: self.login_hint() })),
            "bearer" => {
                let realm = param("realm").ok_or_else(|| self.err(ErrorKind::NoRealm))?;
                self.bearer_token(realm, param("scope"), param("service"))
            }
            other => Err(self.err(ErrorKind::UnsupportedScheme { scheme: other.into() })),
        }
    }

    /// Fetch a token from the realm a Bearer challenge named (with the credentials, if any).
    fn bearer_token(&self, realm: &str, scope: Option<&str>, service: Option<&str>) -> Result<String, RegistryError> {
        let at = Origin::of(realm).ok_or_else(|| self.err(ErrorKind::RealmNotHttp { realm: realm.into() }))?;
        // Credentials cross the network in clear text only to the registry's own host
        // when the registry itself is spoken to over plain HTTP (loopback, --plain-http).
        if at.plain() && !(self.home.plain() && at.host == self.home.host) {
            return Err(self.err(ErrorKind::RealmPlainHttp { realm: realm.into(), at, home: self.home.clone() }));
        }
        let scope = scope.map(str::to_string).unwrap_or(format!("repository:{}:pull", self.reference.repo));
        let mut url = format!("{realm}{}scope={}", if realm.contains('?') { '&' } else { '?' }, query_escape(&scope));
        if let Some(s) = service {
            url.push_str(&format!("&service={}", query_escape(s)));
        }
        let basic = self.basic();
        let r = Req { method: "GET", url: &url, accept: "application/json", body: None };
        let (mut resp, _) = self.exchange(&r, &at, basic.as_deref(), "token", Some(self.metadata_deadline))?;
        let status = resp.status().as_u16();
        if status != 200 {
            let hint = match &self.creds {
                Some(c) => format!("the credentials from {} were refused", c.from),
                None => format!("no credentials were found; {}", self.login_hint()),
            };
            return Err(self.err(ErrorKind::TokenRefused { status, hint }));
        }
        let body = resp
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_vec()
            .map_err(|source| self.err(ErrorKind::TokenRead { source }))?;
        let answer: auth::TokenAnswer =
            serde_json::from_slice(&body).map_err(|source| self.err(ErrorKind::TokenNotJson { source }))?;
        let token = answer.token().ok_or_else(|| self.err(ErrorKind::NoToken))?;
        Ok(format!("Bearer {token}"))
    }

    /// A request with the metadata deadline: see [`Client::request_with`].
    pub(crate) fn request(&self, r: &Req, what: &str) -> Result<Response, RegistryError> {
        self.request_with(r, what, Some(self.deadline_for(r)))
    }

    /// A request, authenticating once if the registry itself challenges it; any status is
    /// returned. A 401 from a host the registry redirected to is not answered: its challenge
    /// would have the registry's credentials (or a token got with them) sent elsewhere.
    pub(crate) fn request_with(
        &self,
        r: &Req,
        what: &str,
        deadline: Option<Duration>,
    ) -> Result<Response, RegistryError> {
        let (mut resp, from) = self.exchange(r, &self.home, self.current_auth().as_deref(), what, deadline)?;
        if resp.status().as_u16() == 401 {
            let whose = if self.creds.is_some() { "the credentials" } else { "a login" };
            self.check_home(&from, what, whose)?;
            let challenge =
                resp.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let auth = self.authenticate(&challenge)?;
            let (again, from) = self.exchange(r, &self.home, Some(&auth), what, deadline)?;
            resp = again;
            if resp.status().as_u16() == 401 {
                self.check_home(&from, what, "the credentials")?;
                let credentials = self.creds.as_ref().map_or("none found".to_string(), |c| format!("from {}", c.from));
                return Err(self.err(ErrorKind::Denied { what: what.into(), credentials }));
            }
            *self.auth.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(auth);
        }
        Ok(resp)
    }

    /// A 401 is answered only when the registry itself sent it.
    fn check_home(&self, from: &Origin, what: &str, whose: &'static str) -> Result<(), RegistryError> {
        if *from == self.home {
            return Ok(());
        }
        Err(self.err(ErrorKind::CredentialsToRedirect {
            what: what.into(),
            whose,
            home: self.home.clone(),
            from: from.clone(),
        }))
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/v2/{}/{path}", self.base, self.reference.repo)
    }
}

/// `s` escaped for a URL query.
pub(crate) fn query_escape(s: &str) -> String {
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
