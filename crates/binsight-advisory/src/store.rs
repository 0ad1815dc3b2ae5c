//! The local advisory database: OSV sources imported into a data directory
//! (`$BINSIGHT_DATA`, else `$XDG_DATA_HOME/binsight`, else `~/.local/share/binsight`), one
//! folder per source under `advisories/`, each with `.meta.json` (when, from where, how many).
//! An import streams its input one record at a time into a staging folder beside the old copy
//! (removed whatever happens) and swaps it in with a rename, so a failed or truncated import
//! never replaces a good database. A bad record (too big, not JSON, unusable id, duplicate) is
//! skipped with a warning naming it; the rest are imported.

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::db::{MAX_LOADED, MAX_RECORD, MAX_SOURCE};
use crate::error::RecordError;
use crate::{Database, LoadWarning};

/// Entries read from one archive or directory, at most (the largest OSV exports hold a few
/// hundred thousand records).
const MAX_ENTRIES: usize = 1_000_000;
/// Longest record id stored (real ones are under 40 bytes: `RUSTSEC-2024-0001`,
/// `GHSA-xxxx-xxxx-xxxx`, `openSUSE-SU-2024:14087-1`).
pub const MAX_ID: usize = 128;
/// Longest file name a record is stored under (file systems allow 255 bytes).
const MAX_FILE_NAME: usize = 250;
/// Warnings an import returns one by one; the rest are counted in a last one.
const MAX_WARNINGS: usize = 100;
/// Longest zip entry or file name shown in a warning.
const MAX_SHOWN: usize = 200;
/// Largest `.meta.json` read (real ones are ~150 bytes).
const MAX_META: u64 = 64 << 10;
/// Metadata file of a source (hidden, so record loading passes it over; record ids that start
/// with '.' are stored encoded, so no record can take its name).
const META: &str = ".meta.json";
/// Advisory data older than this many days is reported stale (once per run, with the command
/// that refreshes it).
pub const STALE_AFTER_DAYS: u64 = 30;

/// Why a local advisory database cannot be read, written or imported into.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file or directory cannot be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// No record to import; the second field says what was skipped (empty if nothing was).
    #[error("{0}: no usable OSV records found{1} (nothing was imported; the existing database is unchanged)")]
    Empty(PathBuf, String),
    /// The import source is neither a directory nor a `.zip`.
    #[error("{0}: not a directory or a .zip of OSV JSON records")]
    NotOsv(PathBuf),
    /// The import source is a FIFO, socket or device.
    #[error(
        "{0}: not a regular file (a FIFO, socket or device); give a directory of OSV JSON files or a .zip of them"
    )]
    NotRegular(PathBuf),
}

pub(crate) fn io(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Io { path: path.to_path_buf(), message: e.to_string() }
}

/// What is known of one imported source: stored beside its records.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceMeta {
    /// Its name in the database (the directory its records are in).
    pub name: String,
    /// Where it was imported from.
    pub origin: String,
    /// Seconds since the Unix epoch.
    pub imported_at: u64,
    /// Records imported.
    pub records: usize,
    /// Records skipped (bad or over a cap).
    pub skipped: usize,
}

/// Caps of one import. [`ImportLimits::default`] is what `db import` and `db update` use;
/// tests and fuzzing use small ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// Largest record, uncompressed; larger ones are skipped with a warning (at most this
    /// plus one byte of each is read, whatever a zip header claims).
    pub max_record: u64,
    /// Largest total of records; past it the import fails and the old copy stays.
    pub max_source: u64,
    /// Most zip entries or directory files.
    pub max_entries: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits { max_record: MAX_RECORD, max_source: MAX_SOURCE, max_entries: MAX_ENTRIES }
    }
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

/// The file a record is stored under: its id with every byte outside `[A-Za-z0-9._-]`, `%`,
/// and a leading `.` percent-encoded, plus `.json`. So an id such as `.meta`, `../x`, `a/b`
/// or `SUSE-SU-2024:1` gets a name that stays in the source's folder, cannot take the name
/// of the store's own files (which start with '.') nor be passed over as hidden, and two
/// different ids never share a name. Ids over [`MAX_ID`] bytes or holding control characters
/// are refused with why.
pub fn record_file_name(id: &str) -> Result<String, RecordError> {
    if id.is_empty() {
        return Err(RecordError::NoId);
    }
    if id.len() > MAX_ID {
        return Err(RecordError::IdTooLong { len: id.len(), limit: MAX_ID });
    }
    if id.chars().any(char::is_control) {
        return Err(RecordError::IdControl);
    }
    let mut out = String::with_capacity(id.len() + 5);
    for (i, b) in id.bytes().enumerate() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && i > 0) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push_str(".json");
    if out.len() > MAX_FILE_NAME {
        return Err(RecordError::FileNameTooLong { len: out.len() });
    }
    Ok(out)
}

/// A zip entry or file name as shown in a warning: control characters escaped, long names cut.
fn shown(name: &str) -> String {
    let mut out = String::new();
    for (n, c) in name.chars().enumerate() {
        if n == MAX_SHOWN {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Import a directory of OSV JSON files or a `.zip` of them as source `name` under `root`.
/// Returns the new source's metadata and the per-record warnings (bad records skipped).
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
    import_limited(root, name, from, origin, &ImportLimits::default())
}

/// [`import`] under `limits`.
pub fn import_limited(
    root: &Path,
    name: &str,
    from: &Path,
    origin: &str,
    limits: &ImportLimits,
) -> Result<(SourceMeta, Vec<LoadWarning>), StoreError> {
    // The file type first: opening a FIFO would wait for a writer forever.
    let meta = std::fs::metadata(from).map_err(|e| io(from, e))?;
    if meta.is_dir() {
        return stage_and_swap(root, name, from, origin, limits, |st| stage_dir(from, st));
    }
    if !meta.is_file() {
        return Err(StoreError::NotRegular(from.to_path_buf()));
    }
    if !from.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) {
        return Err(StoreError::NotOsv(from.to_path_buf()));
    }
    let f = std::fs::File::open(from).map_err(|e| io(from, e))?;
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        return Err(StoreError::NotRegular(from.to_path_buf()));
    }
    import_zip(root, name, std::io::BufReader::new(f), from, origin, limits)
}

/// Import the zip archive read from `zip` as source `name` under `root`, one entry at a time;
/// `from` is the archive's name in messages. Public for fuzzing.
pub fn import_zip<R: Read + Seek>(
    root: &Path,
    name: &str,
    zip: R,
    from: &Path,
    origin: &str,
    limits: &ImportLimits,
) -> Result<(SourceMeta, Vec<LoadWarning>), StoreError> {
    stage_and_swap(root, name, from, origin, limits, |st| stage_zip(zip, from, st))
}

/// Where records are written as they are read, and what was skipped.
struct Staging<'a> {
    dir: &'a Path,
    /// The source's final folder, named in errors (never the staging folder).
    dest: &'a Path,
    from: &'a Path,
    limits: ImportLimits,
    records: usize,
    skipped: usize,
    total: u64,
    warnings: Vec<LoadWarning>,
    /// One record's bytes, reused.
    buf: Vec<u8>,
}

impl Staging<'_> {
    fn skip(&mut self, entry: &str, why: String) {
        self.skipped += 1;
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(LoadWarning { path: self.from.join(shown(entry)), message: why });
        }
    }

    /// One record named `entry` read from `r`: at most `max_record + 1` bytes are read. A bad
    /// record is skipped with a warning; only running past the source's cap or failing to
    /// write is an error.
    fn offer(&mut self, entry: &str, r: impl Read) -> Result<(), StoreError> {
        let cap = self.limits.max_record;
        self.buf.clear();
        if let Err(e) = r.take(cap.saturating_add(1)).read_to_end(&mut self.buf) {
            self.skip(entry, format!("cannot be read ({e}); skipped"));
            return Ok(());
        }
        let len = self.buf.len() as u64;
        if len > cap {
            self.skip(
                entry,
                format!("over the {cap}-byte limit for one advisory (real OSV records are a few KiB); skipped"),
            );
            return Ok(());
        }
        self.total += len;
        if self.total > self.limits.max_source {
            return Err(io(
                self.from,
                format!(
                    "more than {} bytes of records (the real crates.io and Go exports hold under 10 MB): \
                     not an OSV export binsight can use; nothing was imported, the existing database is unchanged",
                    self.limits.max_source
                ),
            ));
        }
        let a = match crate::osv::parse_record(&self.buf) {
            Ok(a) => a,
            Err(why) => {
                self.skip(entry, why.to_string());
                return Ok(());
            }
        };
        let file = match record_file_name(&a.id) {
            Ok(f) => f,
            Err(why) => {
                self.skip(entry, why.to_string());
                return Ok(());
            }
        };
        let path = self.dir.join(&file);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => f.write_all(&self.buf).map_err(|e| io(&self.dest.join(&file), e))?,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let why = format!("duplicate id '{}' (an earlier record has it); skipped", shown(&a.id));
                self.skip(entry, why);
                return Ok(());
            }
            Err(e) => return Err(io(&self.dest.join(&file), e)),
        }
        self.records += 1;
        Ok(())
    }
}

/// Stage the records `stage` offers in a fresh folder beside `advisories/<name>`, write the
/// metadata, and swap it in. The staging folder is removed on every error.
fn stage_and_swap(
    root: &Path,
    name: &str,
    from: &Path,
    origin: &str,
    limits: &ImportLimits,
    stage: impl FnOnce(&mut Staging<'_>) -> Result<(), StoreError>,
) -> Result<(SourceMeta, Vec<LoadWarning>), StoreError> {
    if !valid_name(name) {
        return Err(io(Path::new(name), "source names may hold only letters, digits, '.', '-', '_'"));
    }
    let dir = sources_dir(root);
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    // Errors name the destination, not the staging directory.
    let dest = dir.join(name);
    // Removed when dropped: on every error and panic below.
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.importing-"))
        .tempdir_in(&dir)
        .map_err(|e| io(&dest, format!("cannot create a staging folder: {e}")))?;
    let mut st = Staging {
        dir: staging.path(),
        dest: &dest,
        from,
        limits: *limits,
        records: 0,
        skipped: 0,
        total: 0,
        warnings: Vec::new(),
        buf: Vec::new(),
    };
    stage(&mut st)?;
    if st.skipped > st.warnings.len() {
        let more = st.skipped - st.warnings.len();
        let message = format!("{more} more records skipped (the first {MAX_WARNINGS} are listed above)");
        st.warnings.push(LoadWarning { path: from.to_path_buf(), message });
    }
    if st.records == 0 {
        let detail = match st.warnings.first() {
            Some(w) => format!(
                ": {} skipped, the first ({}) {}",
                st.skipped,
                w.path.strip_prefix(from).unwrap_or(&w.path).display(),
                w.message.trim_end_matches("; skipped")
            ),
            None => String::new(),
        };
        return Err(StoreError::Empty(from.to_path_buf(), detail));
    }
    let meta = SourceMeta {
        name: name.to_string(),
        origin: origin.to_string(),
        imported_at: now(),
        records: st.records,
        skipped: st.skipped,
    };
    let warnings = std::mem::take(&mut st.warnings);
    let meta_json = serde_json::to_vec_pretty(&meta).map_err(|e| io(&dest, e))?;
    std::fs::write(staging.path().join(META), meta_json).map_err(|e| io(&dest, e))?;
    // Swap: old → .old, new → name, remove .old. A crash leaves either the old or the new copy.
    let old = dir.join(format!(".{name}.old"));
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| io(&dest, format!("cannot remove the previous copy: {e}")))?;
    }
    let had_old = dest.exists();
    if had_old {
        std::fs::rename(&dest, &old).map_err(|e| io(&dest, e))?;
    }
    if let Err(e) = std::fs::rename(staging.path(), &dest) {
        if had_old {
            let _ = std::fs::rename(&old, &dest);
        }
        return Err(io(&dest, e));
    }
    // The staging folder is `dest` now: nothing left to remove.
    let _ = staging.keep();
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok((meta, warnings))
}

/// The `*.json` files of a directory, in name order, each offered as a record.
fn stage_dir(from: &Path, st: &mut Staging<'_>) -> Result<(), StoreError> {
    let rd = std::fs::read_dir(from).map_err(|e| io(from, e))?;
    let mut paths: Vec<PathBuf> = Vec::new();
    for e in rd.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "json") {
            if paths.len() == st.limits.max_entries {
                return Err(io(from, format!("more than {} JSON files; not an OSV export", st.limits.max_entries)));
            }
            paths.push(p);
        }
    }
    paths.sort();
    for p in paths {
        let entry = p.file_name().unwrap_or_default().to_string_lossy().into_owned();
        // Symlinks are followed (the directory is the user's), but only to regular files.
        match std::fs::metadata(&p) {
            Ok(m) if m.is_file() => {}
            Ok(m) if m.is_dir() => continue,
            Ok(_) => {
                st.skip(&entry, "not a regular file (a FIFO, socket or device); skipped".into());
                continue;
            }
            Err(e) => {
                st.skip(&entry, format!("cannot be read ({e}); skipped"));
                continue;
            }
        }
        match std::fs::File::open(&p) {
            Ok(f) => st.offer(&entry, f)?,
            Err(e) => st.skip(&entry, format!("cannot be read ({e}); skipped")),
        }
    }
    Ok(())
}

/// The `*.json` entries of a zip archive, in archive order, each offered as a record. Entry
/// names are only shown: a record's file name comes from its id ([`record_file_name`]), so
/// `../` or absolute entry names cannot write anywhere.
fn stage_zip<R: Read + Seek>(zip: R, from: &Path, st: &mut Staging<'_>) -> Result<(), StoreError> {
    let mut z = zip::ZipArchive::new(zip).map_err(|e| io(from, format!("not a readable zip ({e})")))?;
    if z.len() > st.limits.max_entries {
        return Err(io(
            from,
            format!("{} entries, over the limit of {}; not an OSV export", z.len(), st.limits.max_entries),
        ));
    }
    for i in 0..z.len() {
        let entry = z.name_for_index(i).unwrap_or_default().to_string();
        if !entry.ends_with(".json") {
            continue;
        }
        match z.by_index(i) {
            Ok(e) if e.is_file() => st.offer(&entry, e)?,
            Ok(_) => {}
            Err(e) => st.skip(&entry, format!("cannot be read ({e}); skipped")),
        }
    }
    Ok(())
}

/// A source's metadata, if `dir` holds a readable one naming `dir` itself.
fn read_meta(dir: &Path) -> Option<SourceMeta> {
    let f = std::fs::File::open(dir.join(META)).ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    f.take(MAX_META + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() as u64 > MAX_META {
        return None;
    }
    let m: SourceMeta = serde_json::from_slice(&bytes).ok()?;
    (valid_name(&m.name) && dir.file_name().is_some_and(|n| *n == *m.name)).then_some(m)
}

/// Metadata of every imported source.
pub fn status(root: &Path) -> Vec<SourceMeta> {
    let Ok(rd) = std::fs::read_dir(sources_dir(root)) else { return vec![] };
    let mut v: Vec<SourceMeta> = rd
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| read_meta(&e.path()))
        .collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

/// Load every imported source, one [`crate::DataSource`] each, dated by its import (the day
/// the data was fetched or imported). At most [`MAX_LOADED`] bytes of records in all.
pub fn load(root: &Path) -> (Database, Vec<LoadWarning>) {
    let mut budget = MAX_LOADED;
    load_within(root, &mut budget)
}

/// [`load`] reading at most `budget` bytes of records, less what it read.
pub(crate) fn load_within(root: &Path, budget: &mut u64) -> (Database, Vec<LoadWarning>) {
    let mut db = Database::default();
    let mut warnings = Vec::new();
    for m in status(root) {
        let dir = sources_dir(root).join(&m.name);
        let origin = crate::Origin::Imported(m.name.clone());
        warnings.extend(db.load_dir_within(&dir, origin, Some(ymd(m.imported_at)), budget));
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
        assert!(matches!(import(root.path(), "crates.io", empty.path()), Err(StoreError::Empty(..))));
        assert_eq!(load(root.path()).0.len(), 1);
        // Names cannot escape the data directory.
        assert!(import(root.path(), "../evil", src.path()).is_err());
    }

    /// A zip of `(entry name, contents)`, deflated.
    fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            z.start_file(*name, opts).expect("start");
            z.write_all(bytes).expect("write");
        }
        z.finish().expect("finish").into_inner()
    }

    fn rec(id: &str) -> Vec<u8> {
        let id = serde_json::to_string(id).expect("json string");
        REC.replacen("\"X-1\"", &id, 1).into_bytes()
    }

    /// Every path under `dir`, relative to it.
    fn tree(dir: &Path) -> Vec<String> {
        fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(d).expect("list").flatten() {
                let p = e.path();
                out.push(p.strip_prefix(base).expect("under base").display().to_string());
                if e.file_type().expect("type").is_dir() {
                    walk(base, &p, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(dir, dir, &mut out);
        out.sort();
        out
    }

    #[test]
    fn zip_import_and_bombs() {
        let root = tempfile::tempdir().expect("tempdir");
        let d = tempfile::tempdir().expect("tempdir");
        let zpath = d.path().join("all.zip");
        std::fs::write(&zpath, zip_of(&[("X-1.json", REC.into())])).expect("write");
        let (meta, _) = import(root.path(), "crates.io", &zpath).expect("zip import");
        assert_eq!(meta.records, 1);
        // An entry that inflates past the per-record cap (16 MiB of spaces: 16 KiB deflated)
        // is skipped, naming it; the good record beside it is imported.
        let bomb = d.path().join("bomb.zip");
        let big = vec![b' '; 16 << 20];
        std::fs::write(&bomb, zip_of(&[("big.json", big), ("Y-1.json", rec("Y-1"))])).expect("write");
        assert!(std::fs::metadata(&bomb).expect("stat").len() < 100_000);
        let (meta, w) = import(root.path(), "crates.io", &bomb).expect("bomb skipped");
        assert_eq!((meta.records, meta.skipped), (1, 1));
        assert!(w[0].path.ends_with("big.json") && w[0].message.contains("1048576-byte limit"), "{w:?}");
        assert_eq!(load(root.path()).0.query("crates.io", "foo", "0.1.0")[0].advisory.id, "Y-1");
        // Only bombs: nothing imported, the old copy stays, and the error says why.
        let only = d.path().join("only.zip");
        std::fs::write(&only, zip_of(&[("big.json", vec![b' '; 2 << 20])])).expect("write");
        let e = import(root.path(), "crates.io", &only).expect_err("nothing usable").to_string();
        assert!(e.contains("1 skipped, the first (big.json) over the 1048576-byte limit"), "{e}");
        assert_eq!(load(root.path()).0.len(), 1);
        // Not a zip at all.
        let fake = d.path().join("fake.zip");
        std::fs::write(&fake, b"nope").expect("write");
        assert!(import(root.path(), "x", &fake).expect_err("not a zip").to_string().contains("not a readable zip"));
        assert_eq!(tree(&sources_dir(root.path())), ["crates.io", "crates.io/.meta.json", "crates.io/Y-1.json"]);
    }

    /// At most `cap + 1` bytes of an entry are read, whatever it holds.
    #[test]
    fn a_record_is_read_up_to_its_cap_only() {
        struct Counting(u64);
        impl Read for Counting {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                buf.fill(b' ');
                self.0 += buf.len() as u64;
                Ok(buf.len())
            }
        }
        let d = tempfile::tempdir().expect("tempdir");
        let limits = ImportLimits { max_record: 1000, ..ImportLimits::default() };
        let dest = d.path().join("dest");
        let mut st = Staging {
            dir: d.path(),
            dest: &dest,
            from: Path::new("x.zip"),
            limits,
            records: 0,
            skipped: 0,
            total: 0,
            warnings: vec![],
            buf: vec![],
        };
        let mut endless = Counting(0);
        st.offer("endless.json", &mut endless).expect("skipped, not an error");
        assert!(endless.0 <= 1001 + 8192, "read {} bytes", endless.0);
        assert_eq!((st.records, st.skipped), (0, 1));
    }

    #[test]
    fn bad_ids_and_entry_names_are_stored_safely_or_skipped() {
        let parent = tempfile::tempdir().expect("tempdir");
        let root = parent.path().join("data");
        let zpath = parent.path().join("in.zip");
        let long = "A".repeat(300);
        let entries: Vec<(&str, Vec<u8>)> = vec![
            ("a.json", rec(&long)),
            ("b.json", rec(".meta")),
            ("c.json", rec("GOOD-1")),
            ("../../evil.json", rec("EVIL-1")),
            ("/abs/e.json", rec("ABS-1")),
            ("d.json", rec("../../../escape")),
            ("e.json", rec("SUSE-SU-2024:1")),
            ("f.json", rec("..")),
            ("g.json", rec("a\u{0}b")),
            ("h.json", rec("\u{1b}[31mred")),
            ("i.json", rec("GOOD-1")),
            ("j.json", b"{not json".to_vec()),
            ("k.json", rec("")),
            ("l.json", rec("%2Emeta")),
        ];
        std::fs::write(&zpath, zip_of(&entries)).expect("write");
        let (meta, w) = import(&root, "crates.io", &zpath).expect("import");
        let why = |entry: &str| {
            w.iter()
                .find(|w| w.path.ends_with(entry))
                .map(|w| w.message.clone())
                .unwrap_or_else(|| panic!("no warning for {entry}: {w:?}"))
        };
        assert!(why("a.json").contains("300 bytes is over the 128-byte limit"));
        assert!(why("g.json").contains("control characters") && why("h.json").contains("control characters"));
        assert!(why("i.json").contains("duplicate id 'GOOD-1'"));
        assert!(why("j.json").contains("not a valid OSV record"));
        assert!(why("k.json").contains("without an id"));
        assert_eq!((meta.records, meta.skipped), (8, 6), "{w:?}");
        // Nothing outside the store, no staging folder left, the store's own metadata intact.
        assert_eq!(
            tree(parent.path()).iter().filter(|p| !p.starts_with("data")).count(),
            1,
            "{:?}",
            tree(parent.path())
        );
        let files = tree(&root.join("advisories"));
        assert_eq!(
            files,
            [
                "crates.io",
                "crates.io/%252Emeta.json",
                // Only a leading '.' is encoded: '/' never passes.
                "crates.io/%2E.%2F..%2F..%2Fescape.json",
                "crates.io/%2E..json",
                "crates.io/%2Emeta.json",
                "crates.io/.meta.json",
                "crates.io/ABS-1.json",
                "crates.io/EVIL-1.json",
                "crates.io/GOOD-1.json",
                "crates.io/SUSE-SU-2024%3A1.json",
            ]
        );
        assert_eq!(status(&root), [meta]);
        let (db, lw) = load(&root);
        assert!(lw.is_empty(), "{lw:?}");
        let mut ids: Vec<&str> = db.advisories.iter().map(|a| a.id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["%2Emeta", "..", "../../../escape", ".meta", "ABS-1", "EVIL-1", "GOOD-1", "SUSE-SU-2024:1"]);
    }

    #[test]
    fn record_file_names_are_safe_and_distinct() {
        assert_eq!(record_file_name("RUSTSEC-2024-0001").ok().as_deref(), Some("RUSTSEC-2024-0001.json"));
        assert_eq!(record_file_name("GO-2022.0463").ok().as_deref(), Some("GO-2022.0463.json"));
        for id in [".meta", ".", "..", "/etc/passwd", "a/b", "a\\b", "é", "%", "x y"] {
            let f = record_file_name(id).expect("stored");
            assert!(!f.starts_with('.') && !f.contains('/') && !f.contains('\\') && f.is_ascii(), "{id} → {f}");
        }
        assert_ne!(record_file_name("%2E").ok(), record_file_name(".").ok());
        assert!(record_file_name(&"é".repeat(40)).is_ok());
        assert!(record_file_name(&"%".repeat(100)).is_err(), "too long once encoded");
        assert!(record_file_name(&"a".repeat(129)).is_err());
        assert!(record_file_name("").is_err());
    }

    #[test]
    fn errors_remove_the_staging_folder_and_keep_the_old_copy() {
        let root = tempfile::tempdir().expect("tempdir");
        let d = tempfile::tempdir().expect("tempdir");
        let good = d.path().join("good.zip");
        std::fs::write(&good, zip_of(&[("X-1.json", REC.into())])).expect("write");
        import(root.path(), "crates.io", &good).expect("import");
        let before = tree(root.path());
        // Past the source's cap: the import fails after records were staged.
        let many: Vec<(String, Vec<u8>)> = (0..20).map(|i| (format!("R-{i}.json"), rec(&format!("R-{i}")))).collect();
        let refs: Vec<(&str, Vec<u8>)> = many.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        let big = d.path().join("big.zip");
        std::fs::write(&big, zip_of(&refs)).expect("write");
        let limits = ImportLimits { max_source: 1000, ..ImportLimits::default() };
        let e = import_limited(root.path(), "crates.io", &big, "big", &limits).expect_err("over the cap");
        assert!(e.to_string().contains("more than 1000 bytes of records"), "{e}");
        assert_eq!(tree(root.path()), before);
        // Too many entries.
        let limits = ImportLimits { max_entries: 5, ..ImportLimits::default() };
        let e = import_limited(root.path(), "crates.io", &big, "big", &limits).expect_err("too many");
        assert!(e.to_string().contains("20 entries, over the limit of 5"), "{e}");
        assert_eq!(tree(root.path()), before);
        // Only bad records.
        let bad = d.path().join("bad.zip");
        std::fs::write(&bad, zip_of(&[("a.json", b"[]".to_vec())])).expect("write");
        assert!(matches!(import(root.path(), "crates.io", &bad), Err(StoreError::Empty(..))));
        assert_eq!(tree(root.path()), before);
    }

    #[test]
    fn warnings_are_capped_and_counted() {
        let root = tempfile::tempdir().expect("tempdir");
        let d = tempfile::tempdir().expect("tempdir");
        let names: Vec<String> = (0..150).map(|i| format!("bad-{i}.json")).collect();
        let mut entries: Vec<(&str, Vec<u8>)> = names.iter().map(|n| (n.as_str(), b"{".to_vec())).collect();
        entries.push(("X-1.json", REC.into()));
        let z = d.path().join("w.zip");
        std::fs::write(&z, zip_of(&entries)).expect("write");
        let (meta, w) = import(root.path(), "crates.io", &z).expect("import");
        assert_eq!((meta.records, meta.skipped), (1, 150));
        assert_eq!(w.len(), MAX_WARNINGS + 1);
        assert!(w[MAX_WARNINGS].message.contains("50 more records skipped"), "{:?}", w[MAX_WARNINGS]);
    }

    #[test]
    fn a_fifo_or_device_is_refused_without_waiting() {
        let root = tempfile::tempdir().expect("tempdir");
        let d = tempfile::tempdir().expect("tempdir");
        let fifo = d.path().join("export.zip");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
        assert!(made.success());
        for p in [fifo.as_path(), Path::new("/dev/zero")] {
            let e = import(root.path(), "crates.io", p).expect_err("not a regular file");
            assert!(matches!(e, StoreError::NotRegular(_)), "{e}");
            assert!(e.to_string().contains("not a regular file"), "{e}");
        }
        // In a directory import, a FIFO named *.json is skipped with a warning.
        std::fs::write(d.path().join("X-1.json"), REC).expect("write");
        let f2 = d.path().join("pipe.json");
        assert!(std::process::Command::new("mkfifo").arg(&f2).status().expect("mkfifo").success());
        let (meta, w) = import(root.path(), "crates.io", d.path()).expect("import");
        assert_eq!(meta.records, 1);
        assert!(w.iter().any(|w| w.path.ends_with("pipe.json") && w.message.contains("not a regular file")), "{w:?}");
    }

    #[test]
    fn loading_is_bounded_whatever_wrote_the_store() {
        let root = tempfile::tempdir().expect("tempdir");
        let d = tempfile::tempdir().expect("tempdir");
        let good = d.path().join("good.zip");
        std::fs::write(&good, zip_of(&[("X-1.json", REC.into())])).expect("write");
        import(root.path(), "crates.io", &good).expect("import");
        let dir = sources_dir(root.path()).join("crates.io");
        // Written by hand: a huge record, and a huge or foreign .meta.json elsewhere.
        let huge = format!(
            "{{\"id\":\"HUGE-1\",\"details\":\"{}\"}}",
            "x".repeat(usize::try_from(MAX_RECORD + 10).expect("fits"))
        );
        std::fs::write(dir.join("HUGE-1.json"), huge).expect("write");
        let (db, w) = load(root.path());
        assert_eq!(db.len(), 1);
        assert!(w[0].path.ends_with("HUGE-1.json") && w[0].message.contains("binsight db import"), "{w:?}");
        // A budget: the source stops there, with one warning naming the directory.
        for i in 0..10 {
            std::fs::write(dir.join(format!("Y-{i}.json")), rec(&format!("Y-{i}"))).expect("write");
        }
        let mut budget = 600;
        let (db, w) = load_within(root.path(), &mut budget);
        assert!(db.len() < 11 && !db.is_empty(), "{}", db.len());
        let last = w.last().expect("warning");
        assert!(last.path == dir && last.message.contains("incomplete"), "{last:?}");
        // A .meta.json that is too big, or names another folder, is not a source.
        let other = sources_dir(root.path()).join("other");
        std::fs::create_dir(&other).expect("mkdir");
        std::fs::write(
            other.join(META),
            br#"{"name":"crates.io","origin":"x","imported_at":0,"records":1,"skipped":0}"#,
        )
        .expect("write");
        let bigmeta = sources_dir(root.path()).join("big");
        std::fs::create_dir(&bigmeta).expect("mkdir");
        std::fs::write(bigmeta.join(META), vec![b' '; usize::try_from(MAX_META + 1).expect("fits")]).expect("write");
        assert_eq!(status(root.path()).iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["crates.io"]);
    }
}
