//! binsight corpus fixture (issue 4): a small but real CLI whose committed Cargo.lock pulls in
//! 100+ crates from crates.io. Every direct dependency is called on data only known at run time,
//! so its code (and the panic paths inside it) is linked into the binary.
//!
//!   deps-rust selftest                 # exercise everything offline, print a JSON summary
//!   deps-rust scan [--config F] DIR    # hash/compress/classify files, CSV or JSON report
//!   deps-rust serve --addr 127.0.0.1:0 [--once]   # tiny hyper HTTP/1 server
//!   deps-rust fetch http://host:port/path         # hyper HTTP/1 client (resolves the host)

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use flate2::{read::GzDecoder, write::GzEncoder, Compression};
use http_body_util::{BodyExt, Full};
use hyper::{body::Incoming, service::service_fn, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use indexmap::IndexMap;
use itertools::Itertools;
use regex::Regex;
use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;
use url::Url;
use uuid::Uuid;
use walkdir::WalkDir;

#[derive(Parser, Debug)]
#[command(name = "deps-rust", version, about = "binsight corpus: a CLI with a deep dependency tree")]
struct Cli {
    /// Verbose logging (through the `log` facade).
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run every dependency on built-in data and print a JSON summary.
    Selftest,
    /// Walk a directory and report on its files.
    Scan {
        dir: PathBuf,
        /// TOML configuration (see `Config`).
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Serve a JSON status page over HTTP/1.1.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Answer one connection, then exit.
        #[arg(long)]
        once: bool,
    },
    /// GET a plain-HTTP URL and print the body.
    Fetch { url: String },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Json,
    Csv,
}

#[derive(Debug, Deserialize, Serialize)]
struct Config {
    #[serde(default = "default_pattern")]
    include: String,
    #[serde(default)]
    max_depth: Option<usize>,
    #[serde(default)]
    min_version: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

fn default_pattern() -> String {
    r".*".to_string()
}

#[derive(Debug, thiserror::Error)]
enum ScanError {
    #[error("bad include pattern {pattern:?}: {source}")]
    Pattern { pattern: String, source: regex::Error },
    #[error("bad version requirement {0:?}: {1}")]
    Requirement(String, semver::Error),
    #[error("bad base URL {0:?}: {1}")]
    BaseUrl(String, url::ParseError),
}

#[derive(Debug, Serialize)]
struct FileRow {
    path: String,
    size: u64,
    sha256: String,
    gzip_ratio: f64,
    head_b64: String,
    version: Option<String>,
    version_ok: Option<bool>,
    link: Option<String>,
}

fn gzip_roundtrip(data: &[u8]) -> Result<(usize, Vec<u8>)> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::new(6));
    enc.write_all(data)?;
    let packed = enc.finish()?;
    let mut back = Vec::with_capacity(data.len());
    GzDecoder::new(&packed[..]).read_to_end(&mut back)?;
    if back != data {
        bail!("gzip round trip changed {} bytes", data.len());
    }
    Ok((packed.len(), back))
}

fn scan(dir: &Path, cfg: &Config) -> Result<Vec<FileRow>> {
    let include = Regex::new(&cfg.include)
        .map_err(|source| ScanError::Pattern { pattern: cfg.include.clone(), source })?;
    let version_re = Regex::new(r"(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.]+)?").expect("static regex");
    let req = match &cfg.min_version {
        Some(r) => Some(VersionReq::parse(r).map_err(|e| ScanError::Requirement(r.clone(), e))?),
        None => None,
    };
    let base = match &cfg.base_url {
        Some(u) => Some(Url::parse(u).map_err(|e| ScanError::BaseUrl(u.clone(), e))?),
        None => None,
    };
    let mut walk = WalkDir::new(dir).sort_by_file_name();
    if let Some(d) = cfg.max_depth {
        walk = walk.max_depth(d);
    }
    let mut rows = Vec::new();
    for entry in walk {
        let entry = entry.with_context(|| format!("walking {}", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_string_lossy().into_owned();
        if !include.is_match(&rel) {
            continue;
        }
        let data = std::fs::read(entry.path()).with_context(|| format!("reading {rel}"))?;
        let (packed, _) = gzip_roundtrip(&data)?;
        let version = version_re.find(&rel).map(|m| m.as_str().to_string());
        let version_ok = match (&req, &version) {
            (Some(req), Some(v)) => Version::parse(v).ok().map(|v| req.matches(&v)),
            _ => None,
        };
        let link = base.as_ref().map(|b| b.join(&rel)).transpose()?.map(String::from);
        log::debug!("{rel}: {} bytes", data.len());
        rows.push(FileRow {
            path: rel,
            size: data.len() as u64,
            sha256: hex::encode(Sha256::digest(&data)),
            gzip_ratio: if data.is_empty() { 1.0 } else { packed as f64 / data.len() as f64 },
            head_b64: base64::engine::general_purpose::STANDARD.encode(&data[..data.len().min(12)]),
            version,
            version_ok,
            link,
        });
    }
    Ok(rows)
}

fn write_report(rows: &[FileRow], format: Format, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, rows)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            for r in rows {
                w.serialize(r)?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

fn text_stats(text: &str) -> serde_json::Value {
    let words: IndexMap<&str, usize> = text.unicode_words().fold(IndexMap::new(), |mut m, w| {
        *m.entry(w).or_default() += 1;
        m
    });
    let top = words.iter().sorted_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0))).take(3).map(|(w, n)| format!("{w}={n}")).join(",");
    serde_json::json!({
        "graphemes": text.graphemes(true).count(),
        "width": UnicodeWidthStr::width(text),
        "distinct_words": words.len(),
        "top": top,
    })
}

fn selftest() -> Result<serde_json::Value> {
    let cfg: Config = toml::from_str(
        "include = '^[a-z]+-(\\d+\\.){2}\\d+\\.txt$'\nmin_version = '>=1.2, <2'\n\
         base_url = 'https://bücher.example/files/'\n[tags]\nkind = 'fixture'\n",
    )?;
    let dir = std::env::temp_dir().join(format!("deps-rust-selftest-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    for (name, body) in [("alpha-1.2.3.txt", "aaaaaaaaaaaaaaaa"), ("beta-2.0.0.txt", "bb"), ("skip.md", "x")] {
        std::fs::write(dir.join(name), body)?;
    }
    let rows = scan(&dir, &cfg);
    std::fs::remove_dir_all(&dir)?;
    let rows = rows?;
    let mut csv_out = Vec::new();
    write_report(&rows, Format::Csv, &mut csv_out)?;
    let id = Uuid::parse_str("67e55044-10b1-426f-9247-bb680e5fe0c8")?;
    let when: DateTime<Utc> = DateTime::parse_from_rfc3339("2024-02-29T12:34:56+01:00")?.with_timezone(&Utc);
    let back: Config = toml::from_str(&toml::to_string(&cfg)?)?;
    Ok(serde_json::json!({
        "files": rows.len(),
        "first": rows.first().map(|r| r.sha256.clone()),
        "links": rows.iter().filter_map(|r| r.link.clone()).collect::<Vec<_>>(),
        "csv_bytes": csv_out.len(),
        "uuid": id.hyphenated().to_string(),
        "uuid_version": id.get_version_num(),
        "when": when.to_rfc3339_opts(SecondsFormat::Secs, true),
        "now_year_ok": Utc::now().timestamp() > when.timestamp(),
        "toml_roundtrip": back.tags == cfg.tags,
        "text": text_stats("naïve café — the quick brown fox, the lazy dog 🦀🦀"),
    }))
}

async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let body = serde_json::json!({
        "method": req.method().as_str(),
        "path": req.uri().path(),
        "query": req.uri().query().map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect::<Vec<_>>()),
        "served_at": Utc::now().to_rfc3339(),
    });
    let mut resp = Response::new(Full::new(Bytes::from(body.to_string())));
    if req.uri().path() != "/" {
        *resp.status_mut() = StatusCode::NOT_FOUND;
    }
    resp.headers_mut().insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    Ok(resp)
}

async fn serve(addr: &str, once: bool) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (stream, peer) = listener.accept().await?;
        log::info!("connection from {peer}");
        let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service_fn(handle));
        if once {
            return Ok(conn.await?);
        }
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                log::warn!("connection from {peer}: {e}");
            }
        });
    }
}

async fn fetch(url: &str) -> Result<Bytes> {
    let url = Url::parse(url)?;
    if url.scheme() != "http" {
        bail!("only http:// URLs are supported, not {}", url.scheme());
    }
    let host = url.host_str().context("URL has no host")?.to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    // Resolves through the system resolver (getaddrinfo) when the host is a name.
    let addr = tokio::net::lookup_host((host.as_str(), port)).await?.next().context("no address")?;
    let stream = tokio::time::timeout(Duration::from_secs(10), tokio::net::TcpStream::connect(addr)).await??;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            log::warn!("client connection: {e}");
        }
    });
    let path = &url[url::Position::BeforePath..];
    let req = Request::get(path).header(hyper::header::HOST, host).body(Full::new(Bytes::new()))?;
    let resp = sender.send_request(req).await?;
    let status = resp.status();
    let body = resp.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        bail!("{url}: HTTP {status}");
    }
    Ok(body)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    if cli.verbose {
        log::set_max_level(log::LevelFilter::Debug);
    }
    let stdout = &mut std::io::stdout().lock();
    match cli.cmd {
        Cmd::Selftest => {
            serde_json::to_writer(&mut *stdout, &selftest()?)?;
            writeln!(stdout)?;
        }
        Cmd::Scan { dir, config, format } => {
            let cfg: Config = match config {
                Some(p) => toml::from_str(&std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?)?,
                None => toml::from_str("")?,
            };
            write_report(&scan(&dir, &cfg)?, format, stdout)?;
        }
        Cmd::Serve { addr, once } => runtime()?.block_on(serve(&addr, once))?,
        Cmd::Fetch { url } => {
            let body = runtime()?.block_on(fetch(&url))?;
            stdout.write_all(&body)?;
        }
    }
    Ok(())
}
