//! The local advisory database: OSV sources imported into a data directory
//! (`$BINSIGHT_DATA`, else `$XDG_DATA_HOME/binsight`, else `~/.local/share/binsight`), one
//! folder per source under `advisories/`, each with `.meta.json` (when, from where, how many).
//! An import is written beside the old copy and swapped in with a rename, so a failed or
//! truncated import never replaces a good database.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::osv::Advisory;
use crate::{Database, LoadWarning};

/// Largest single advisory accepted from an archive.
const MAX_ENTRY: u64 = 4 << 20;
/// Largest total uncompressed size read from one archive.
const MAX_TOTAL: u64 = 2 << 30;
/// Entries read from one archive, at most.
const MAX_ENTRIES: usize = 1_000_000;
/// Metadata file of a source (hidden, so record loading passes it over).
const META: &str = ".meta.json";
/// Advisory data older than this many days is reported stale (once per run, with the command
/// that refreshes it).
pub const STALE_AFTER_DAYS: u64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{0}: no OSV records found (nothing was imported; the existing database is unchanged)")]
    Empty(PathBuf),
    #[error("{0}: not a directory or a .zip of OSV JSON records")]
    NotOsv(PathBuf),
}

pub(crate) fn io(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Io { path: path.to_path_buf(), message: e.to_string() }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceMeta {
    pub name: String,
    /// Where it was imported from.
    pub origin: String,
    /// Seconds since the Unix epoch.
    pub imported_at: u64,
    pub records: usize,
    pub skipped: usize,
}

/// `$BINSIGHT_DATA`, else `$XDG_DATA_HOME/binsight`, else `~/.local/share/binsight`.
pub fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("BINSIGHT_DATA") {
        return d.into();
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".local").join("share"));
    base.join("binsight")
}

pub(crate) fn sources_dir(root: &Path) -> PathBuf {
    root.join("advisories")
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Valid source names: letters, digits, `.`, `-`, `_` (no path separators).
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Import a directory of OSV JSON files or a `.zip` of them as source `name` under `root`.
/// Returns the new source's metadata and the per-record warnings (malformed records skipped).
pub fn import(root: &Path, name: &str, from: &Path) -> Result<(SourceMeta, Vec<LoadWarning>), StoreError> {
    import_with_origin(root, name, from, &from.display().to_string())
}

/// [`import`], recording `origin` (e.g. the URL a download came from) as where it came from.
pub(crate) fn import_with_origin(
    root: &Path,
    name: &str,
    from: &Path,
    origin: &str,
) -> Result<(SourceMeta, Vec<LoadWarning>), StoreError> {
    if !valid_name(name) {
        return Err(io(Path::new(name), "source names may hold only letters, digits, '.', '-', '_'"));
    }
    let records: Vec<(String, Vec<u8>)> = if from.is_dir() {
        read_dir_records(from)?
    } else if from.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) {
        read_zip_records(from)?
    } else {
        return Err(StoreError::NotOsv(from.to_path_buf()));
    };
    let mut warnings = Vec::new();
    let mut good: Vec<(String, Vec<u8>)> = Vec::new();
    for (entry, bytes) in records {
        match serde_json::from_slice::<Advisory>(&bytes) {
            Ok(a) if !a.id.is_empty() && valid_name(&a.id) => good.push((format!("{}.json", a.id), bytes)),
            Ok(_) => warnings
                .push(LoadWarning { path: from.join(&entry), message: "record without a usable id; skipped".into() }),
            Err(e) => warnings.push(LoadWarning {
                path: from.join(&entry),
                message: format!("not a valid OSV record ({e}); skipped"),
            }),
        }
    }
    if good.is_empty() {
        return Err(StoreError::Empty(from.to_path_buf()));
    }
    let dir = sources_dir(root);
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    // Staged beside its destination; errors name the destination, not the staging directory.
    let dest = dir.join(name);
    let tmp = dir.join(format!(".{name}.importing-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| io(&dest, e))?;
    }
    std::fs::create_dir(&tmp).map_err(|e| io(&dest, e))?;
    for (file, bytes) in &good {
        std::fs::write(tmp.join(file), bytes).map_err(|e| io(&dest.join(file), e))?;
    }
    let meta = SourceMeta {
        name: name.to_string(),
        origin: origin.to_string(),
        imported_at: now(),
        records: good.len(),
        skipped: warnings.len(),
    };
    let meta_json = serde_json::to_vec_pretty(&meta).map_err(|e| io(&dest, e))?;
    std::fs::write(tmp.join(META), meta_json).map_err(|e| io(&dest, e))?;
    // Swap: old → .old, new → name, remove .old. A crash leaves either the old or the new copy.
    let old = dir.join(format!(".{name}.old"));
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| io(&dest, format!("cannot remove the previous copy: {e}")))?;
    }
    if dest.exists() {
        std::fs::rename(&dest, &old).map_err(|e| io(&dest, e))?;
    }
    std::fs::rename(&tmp, &dest).map_err(|e| io(&dest, e))?;
    if old.exists() {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok((meta, warnings))
}

fn read_dir_records(from: &Path) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let mut out = Vec::new();
    let rd = std::fs::read_dir(from).map_err(|e| io(from, e))?;
    let mut paths: Vec<PathBuf> =
        rd.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json") && p.is_file()).collect();
    paths.sort();
    for p in paths {
        let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(u64::MAX);
        if len > MAX_ENTRY {
            continue;
        }
        let bytes = std::fs::read(&p).map_err(|e| io(&p, e))?;
        out.push((p.file_name().unwrap_or_default().to_string_lossy().into_owned(), bytes));
    }
    Ok(out)
}

fn read_zip_records(from: &Path) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let f = std::fs::File::open(from).map_err(|e| io(from, e))?;
    let mut z = zip::ZipArchive::new(f).map_err(|e| io(from, format!("not a readable zip ({e})")))?;
    let mut out = Vec::new();
    let mut total = 0u64;
    for i in 0..z.len().min(MAX_ENTRIES) {
        let mut e = z.by_index(i).map_err(|e| io(from, e))?;
        let name = e.name().to_string();
        if !e.is_file() || !name.ends_with(".json") {
            continue;
        }
        // Read at most MAX_ENTRY + 1 bytes whatever the header claims (zip bombs lie).
        let mut bytes = Vec::new();
        (&mut e).take(MAX_ENTRY + 1).read_to_end(&mut bytes).map_err(|er| io(from, format!("{name}: {er}")))?;
        if bytes.len() as u64 > MAX_ENTRY {
            return Err(io(from, format!("{name}: over {MAX_ENTRY} bytes uncompressed; not an OSV export")));
        }
        total += bytes.len() as u64;
        if total > MAX_TOTAL {
            return Err(io(from, format!("more than {MAX_TOTAL} bytes uncompressed; not an OSV export")));
        }
        out.push((name.rsplit('/').next().unwrap_or(&name).to_string(), bytes));
    }
    Ok(out)
}

/// Metadata of every imported source.
pub fn status(root: &Path) -> Vec<SourceMeta> {
    let Ok(rd) = std::fs::read_dir(sources_dir(root)) else { return vec![] };
    let mut v: Vec<SourceMeta> = rd
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| serde_json::from_slice(&std::fs::read(e.path().join(META)).ok()?).ok())
        .collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

/// Load every imported source, one [`crate::DataSource`] each, dated by its import (the day
/// the data was fetched or imported).
pub fn load(root: &Path) -> (Database, Vec<LoadWarning>) {
    let mut db = Database::default();
    let mut warnings = Vec::new();
    for m in status(root) {
        let dir = sources_dir(root).join(&m.name);
        warnings.extend(db.load_dir(&dir, crate::Origin::Imported(m.name.clone()), Some(ymd(m.imported_at))));
    }
    (db, warnings)
}

/// `YYYY-MM-DD` (UTC) of a time in seconds since the Unix epoch.
pub fn ymd(secs: u64) -> String {
    let (y, m, d) = binsight_model::date::civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days from `date` (`YYYY-MM-DD`) to `now` (seconds since the epoch); `None` if unparsable.
pub fn days_since(date: &str, now_secs: u64) -> Option<u64> {
    let mut it = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (it.next()??, it.next()??, it.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let days = binsight_model::date::days_from_civil(y, m, d);
    let now_days = (now_secs / 86_400) as i64;
    u64::try_from(now_days - days).ok()
}

/// Seconds since the Unix epoch, now.
pub fn now_secs() -> u64 {
    now()
}

/// Age of a source in seconds.
pub fn age(m: &SourceMeta) -> u64 {
    // (kept for `db status`)
    now().saturating_sub(m.imported_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(ymd(0), "1970-01-01");
        assert_eq!(ymd(951_782_400), "2000-02-29");
        assert_eq!(ymd(1_787_270_400), "2026-08-21");
        assert_eq!(days_since("2026-08-21", 1_787_270_400), Some(0));
        assert_eq!(days_since("2026-08-21", 1_787_270_400 + 104 * 86_400 + 5), Some(104));
        assert_eq!(days_since("2027-01-01", 1_787_270_400), None);
        assert_eq!(days_since("0001-01-01x", 0), None);
        assert_eq!(days_since("garbage", 0), None);
    }

    const REC: &str = r#"{"id":"X-1","affected":[{"package":{"ecosystem":"crates.io","name":"foo"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}"#;

    #[test]
    fn import_status_load_and_atomic_replace() {
        let root = tempfile::tempdir().expect("tempdir");
        let src = tempfile::tempdir().expect("tempdir");
        std::fs::write(src.path().join("X-1.json"), REC).expect("write");
        std::fs::write(src.path().join("bad.json"), "{").expect("write");
        let (meta, warnings) = import(root.path(), "crates.io", src.path()).expect("import");
        assert_eq!((meta.records, meta.skipped), (1, 1));
        assert!(warnings[0].path.ends_with("bad.json"));
        assert_eq!(status(root.path()).len(), 1);
        let (db, w) = load(root.path());
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(db.query("crates.io", "foo", "0.9.0").len(), 1);
        // A source with no valid record does not replace the good one.
        let empty = tempfile::tempdir().expect("tempdir");
        std::fs::write(empty.path().join("junk.json"), "[]").expect("write");
        assert!(matches!(import(root.path(), "crates.io", empty.path()), Err(StoreError::Empty(_))));
        assert_eq!(load(root.path()).0.len(), 1);
        // Names cannot escape the data directory.
        assert!(import(root.path(), "../evil", src.path()).is_err());
    }

    #[test]
    fn zip_import_and_bombs() {
        use std::io::Write;
        let root = tempfile::tempdir().expect("tempdir");
        let d = tempfile::tempdir().expect("tempdir");
        let zpath = d.path().join("all.zip");
        {
            let f = std::fs::File::create(&zpath).expect("create");
            let mut z = zip::ZipWriter::new(f);
            let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            z.start_file("X-1.json", opts).expect("start");
            z.write_all(REC.as_bytes()).expect("write");
            z.finish().expect("finish");
        }
        let (meta, _) = import(root.path(), "crates.io", &zpath).expect("zip import");
        assert_eq!(meta.records, 1);
        // An entry that inflates past the per-record cap is refused, and the old copy stays.
        let bomb = d.path().join("bomb.zip");
        {
            let f = std::fs::File::create(&bomb).expect("create");
            let mut z = zip::ZipWriter::new(f);
            let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            z.start_file("big.json", opts).expect("start");
            z.write_all(&vec![b' '; (MAX_ENTRY + 10) as usize]).expect("write");
            z.finish().expect("finish");
        }
        let e = import(root.path(), "crates.io", &bomb).expect_err("bomb refused");
        assert!(e.to_string().contains("uncompressed"), "{e}");
        assert_eq!(load(root.path()).0.len(), 1);
        // Not a zip at all.
        let fake = d.path().join("fake.zip");
        std::fs::write(&fake, b"nope").expect("write");
        assert!(import(root.path(), "x", &fake).is_err());
    }
}
