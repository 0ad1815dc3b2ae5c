//! A hostile registry for tests: plain HTTP/1.1 on a loopback address, one thread per
//! connection, one request per connection. Every request is recorded (method, path, the
//! `Authorization` header) so a test can tell what a host was sent; handlers write whatever
//! answer the case needs (redirects, challenges, bodies that drip or never end).
//!
//! Shared by `binsight-source`'s registry tests and `binsight`'s hostile suite.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// One request a server received.
#[derive(Clone, Debug)]
pub struct Hit {
    /// The HTTP method.
    pub method: String,
    /// The request target (path and query).
    pub path: String,
    /// Its `Authorization` header; `None` when it had none.
    pub authorization: Option<String>,
}

/// A running server: its address, what it was asked, how many body bytes it wrote.
#[derive(Clone)]
pub struct Server {
    /// Where it listens (loopback).
    pub addr: SocketAddr,
    /// The requests received, in order.
    pub hits: Arc<Mutex<Vec<Hit>>>,
    /// Body bytes written, all connections together.
    pub sent: Arc<AtomicU64>,
}

impl Server {
    /// `host:port`, as a reference or a URL names it.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }
    /// The requests received so far, in order.
    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
    /// Every `Authorization` header this server was sent.
    pub fn authorizations(&self) -> Vec<String> {
        self.hits().into_iter().filter_map(|h| h.authorization).collect()
    }
    /// Body bytes written so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

/// The writing side of one connection; counts the body bytes written.
pub struct Out<'a> {
    stream: &'a mut TcpStream,
    sent: &'a AtomicU64,
}

impl Out<'_> {
    /// Status line and headers (`Connection: close` added).
    pub fn head(&mut self, status: u16, headers: &[(&str, String)]) -> std::io::Result<()> {
        let mut h = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n");
        for (k, v) in headers {
            h.push_str(&format!("{k}: {v}\r\n"));
        }
        h.push_str("\r\n");
        self.stream.write_all(h.as_bytes())
    }
    /// Write body bytes (flushed at once, counted in [`Server::sent`]).
    pub fn body(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(b)?;
        self.stream.flush()?;
        self.sent.fetch_add(b.len() as u64, Ordering::Relaxed);
        Ok(())
    }
    /// A whole answer with a `Content-Length`.
    pub fn respond(&mut self, status: u16, headers: &[(&str, String)], body: &[u8]) -> std::io::Result<()> {
        let mut h = headers.to_vec();
        h.push(("Content-Length", body.len().to_string()));
        self.head(status, &h)?;
        self.body(body)
    }
}

/// Serve on `ip` (any port), calling `handler` for every request.
pub fn serve<F>(ip: &str, handler: F) -> Server
where
    F: Fn(&Hit, &mut Out) + Send + Sync + 'static,
{
    let l = TcpListener::bind((ip, 0)).unwrap_or_else(|e| panic!("bind {ip}: {e}"));
    let server =
        Server { addr: l.local_addr().expect("addr"), hits: Arc::default(), sent: Arc::new(AtomicU64::new(0)) };
    let handler = Arc::new(handler);
    let s = server.clone();
    std::thread::spawn(move || {
        for stream in l.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (handler, s) = (handler.clone(), s.clone());
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                let Some(hit) = read_request(&stream) else { return };
                s.hits.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(hit.clone());
                handler(&hit, &mut Out { stream: &mut stream, sent: &s.sent });
            });
        }
    });
    server
}

fn read_request(stream: &TcpStream) -> Option<Hit> {
    let mut r = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut authorization = None;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.trim().eq_ignore_ascii_case("authorization") {
                authorization = Some(v.trim().to_string());
            }
        }
    }
    Some(Hit { method, path, authorization })
}

/// `sha256:HEX` of `b`.
pub fn digest(b: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(b))
}

/// A one-layer OCI image as a registry serves it.
pub struct Image {
    /// The manifest's bytes.
    pub manifest: Vec<u8>,
    /// The config's bytes.
    pub config: Vec<u8>,
    /// The config's digest.
    pub config_digest: String,
    /// The layer's digest.
    pub layer_digest: String,
}

/// The image of `layer`; the manifest declares `declared` as the layer's size (none when
/// `None`) and names the layer by `layer_digest` when given (else the layer's sha256).
pub fn image(layer: &[u8], declared: Option<u64>, layer_digest: Option<&str>) -> Image {
    let config =
        br#"{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}}"#.to_vec();
    let config_digest = digest(&config);
    let layer_digest = layer_digest.map_or_else(|| digest(layer), str::to_string);
    let mut l = serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest});
    if let Some(d) = declared {
        l["size"] = d.into();
    }
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [l],
    }))
    .expect("json");
    Image { manifest, config, config_digest, layer_digest }
}

/// An empty tar: two zero blocks.
pub fn empty_tar() -> Vec<u8> {
    vec![0; 1024]
}

/// A registry for `img` (any repository): `/v2/`, the manifest under any tag, the config blob;
/// the layer blob is `layer`'s to answer. With `login`, every request without that
/// `Authorization` value gets a `401` with a Basic challenge.
pub fn registry<F>(ip: &str, img: Image, login: Option<String>, layer: F) -> Server
where
    F: Fn(&Hit, &mut Out) + Send + Sync + 'static,
{
    serve(ip, move |hit, out| {
        if login.is_some() && hit.authorization != login {
            let _ = out.respond(401, &[("WWW-Authenticate", r#"Basic realm="registry""#.into())], b"");
            return;
        }
        let json = |ct: &str| vec![("Content-Type", ct.to_string())];
        let _ = if hit.path == "/v2/" {
            out.respond(200, &[], b"{}")
        } else if hit.path.contains("/manifests/") {
            out.respond(200, &json("application/vnd.oci.image.manifest.v1+json"), &img.manifest)
        } else if hit.path.ends_with(&format!("/blobs/{}", img.config_digest)) {
            out.respond(200, &json("application/octet-stream"), &img.config)
        } else if hit.path.contains("/blobs/") {
            layer(hit, out);
            Ok(())
        } else {
            out.respond(404, &[], b"")
        };
    })
}

/// A docker credential file with `user:password` for `host`.
pub fn auth_file(dir: &Path, host: &str, user: &str, password: &str) -> PathBuf {
    let f = dir.join("auth.json");
    let enc = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    std::fs::write(&f, format!(r#"{{"auths": {{"{host}": {{"auth": "{enc}"}}}}}}"#)).expect("write auth file");
    f
}

/// The `Authorization` value those credentials make.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// A host that answers every request with `401` and a Bearer challenge whose realm is on
/// itself (`scheme://itself/token`), and hands out a token to whoever asks the realm.
pub fn greedy_host(ip: &str, scheme: &str) -> Server {
    let me: Arc<Mutex<String>> = Arc::default();
    let (m, scheme) = (me.clone(), scheme.to_string());
    let s = serve(ip, move |hit, out| {
        let _ = if hit.path.starts_with("/token") {
            out.respond(200, &[("Content-Type", "application/json".into())], br#"{"token":"stolen"}"#)
        } else {
            let realm = format!(r#"Bearer realm="{scheme}://{}/token",service="cdn""#, m.lock().expect("lock"));
            out.respond(401, &[("WWW-Authenticate", realm)], b"")
        };
    });
    *me.lock().expect("lock") = s.host();
    s
}

/// Answer with a redirect.
pub fn redirect(out: &mut Out, to: &str) {
    let _ = out.respond(302, &[("Location", to.to_string())], b"");
}

/// A body of `len` zeros (`Content-Length`) sent one byte every `every`.
pub fn drip(out: &mut Out, len: usize, every: Duration) {
    drip_body(out, &vec![0; len], 1, every);
}

/// `body` (`Content-Length`) sent `chunk` bytes every `every`: slow, but complete.
pub fn drip_body(out: &mut Out, body: &[u8], chunk: usize, every: Duration) {
    if out.head(200, &[("Content-Length", body.len().to_string())]).is_err() {
        return;
    }
    for part in body.chunks(chunk.max(1)) {
        if out.body(part).is_err() {
            return;
        }
        std::thread::sleep(every);
    }
}

/// A chunked body of zeros that never ends (until the client hangs up).
pub fn endless(out: &mut Out) {
    if out.head(200, &[("Transfer-Encoding", "chunked".into())]).is_err() {
        return;
    }
    let chunk = [0u8; 64 << 10];
    let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
    framed.extend_from_slice(&chunk);
    framed.extend_from_slice(b"\r\n");
    while out.body(&framed).is_ok() {}
}
