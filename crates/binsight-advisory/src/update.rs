//! `db update`: download OSV exports (`<mirror>/<ecosystem>/all.zip`) and import them with the
//! same checks and atomic swap as `db import`. The download goes to a temporary file next to
//! the database; it is checked (HTTP status, exact Content-Length, the MD5 the server states in
//! `x-goog-hash`, a size cap) before the import even starts, and removed afterwards whatever
//! happens, so a truncated or corrupt download never replaces a good database.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use md5::Digest as _;

use crate::store::{import_with_origin, io, sources_dir, valid_name, SourceMeta, StoreError};
use crate::LoadWarning;

/// Where OSV publishes its per-ecosystem exports. `--mirror` / `$BINSIGHT_OSV_MIRROR` replace it.
pub const DEFAULT_MIRROR: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// The ecosystems binsight matches components against.
pub const DEFAULT_SOURCES: [&str; 2] = ["crates.io", "Go"];
/// Largest export accepted (the biggest OSV export is a few hundred MB).
const MAX_DOWNLOAD: u64 = 1 << 30;

/// Download `<mirror>/<name>/all.zip` and import it as source `name` under `root`.
/// `progress(received, total)` is called as bytes arrive.
pub fn update(
    root: &Path,
    name: &str,
    mirror: &str,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<(SourceMeta, Vec<LoadWarning>), StoreError> {
    if !valid_name(name) {
        return Err(io(Path::new(name), "source names may hold only letters, digits, '.', '-', '_'"));
    }
    let url = format!("{}/{name}/all.zip", mirror.trim_end_matches('/'));
    let dir = sources_dir(root);
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let tmp = dir.join(format!(".{name}.download-{}.zip", std::process::id()));
    let result = download(&url, &tmp, progress).and_then(|()| import_with_origin(root, name, &tmp, &url));
    let _ = std::fs::remove_file(&tmp);
    // Messages name the download's URL, never the temporary file it was saved to.
    let shown = |p: PathBuf| match p.strip_prefix(&tmp) {
        Ok(rest) if rest.as_os_str().is_empty() => PathBuf::from(&url),
        Ok(rest) => Path::new(&url).join(rest),
        Err(_) => p,
    };
    match result {
        Ok((meta, warnings)) => {
            Ok((meta, warnings.into_iter().map(|w| LoadWarning { path: shown(w.path), message: w.message }).collect()))
        }
        Err(StoreError::Io { path, message }) => Err(StoreError::Io { path: shown(path), message }),
        Err(StoreError::Empty(p, why)) => Err(StoreError::Empty(shown(p), why)),
        Err(StoreError::NotOsv(p)) => Err(StoreError::NotOsv(shown(p))),
        Err(StoreError::NotRegular(p)) => Err(StoreError::NotRegular(shown(p))),
    }
}

fn download(url: &str, to: &Path, progress: &mut dyn FnMut(u64, Option<u64>)) -> Result<(), StoreError> {
    let err = |m: String| io(Path::new(url), m);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        // A server that accepts the connection and never answers must not hang `db update`.
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .timeout_recv_body(Some(Duration::from_secs(60)))
        .user_agent(concat!("binsight/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let resp = agent.get(url).call().map_err(|e| err(format!("download failed: {e}")))?;
    let total = resp.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if total.is_some_and(|t| t > MAX_DOWNLOAD) {
        return Err(err(format!(
            "the server announces {} bytes, over the {MAX_DOWNLOAD}-byte cap",
            total.unwrap_or(0)
        )));
    }
    // Google Cloud Storage states the object's MD5 as `x-goog-hash: crc32c=…,md5=<base64>`.
    let md5_expected: Option<Vec<u8>> = resp
        .headers()
        .get_all("x-goog-hash")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|kv| kv.trim().strip_prefix("md5="))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
    // ureq fails the read if fewer bytes arrive than Content-Length promised.
    let mut body = resp.into_body().into_with_config().limit(MAX_DOWNLOAD).reader();
    let mut out = std::fs::File::create(to).map_err(|e| io(to, e))?;
    let mut md5 = md5::Md5::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut received = 0u64;
    loop {
        let n = body.read(&mut buf).map_err(|e| err(format!("download interrupted after {received} bytes: {e}")))?;
        if n == 0 {
            break;
        }
        md5.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(|e| io(to, e))?;
        received += n as u64;
        progress(received, total);
    }
    out.sync_all().map_err(|e| io(to, e))?;
    if total.is_some_and(|t| t != received) {
        return Err(err(format!("truncated: {received} of {} bytes", total.unwrap_or(0))));
    }
    if let Some(want) = md5_expected {
        if md5.finalize().as_slice() != want.as_slice() {
            return Err(err("MD5 does not match the server's x-goog-hash: corrupt download, nothing imported".into()));
        }
    }
    Ok(())
}
