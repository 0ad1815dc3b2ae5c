//! A set of OSV records, indexed by package, that remembers where each part came from
//! ([`DataSource`]): which ecosystems it covers and what day its data is as of, so that a
//! verdict can say what it was decided with and refuse to say `ok` without data.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{RecordError, SnapshotError, REIMPORT};
use crate::osv::Advisory;
pub use crate::osv::MAX_RECORD;
use crate::range::{decide, Decision};
/// Largest total of record bytes in one source (an imported export, a directory): 64 MiB.
/// The real exports binsight matches against are far smaller (the full Go database ~8 MB,
/// crates.io ~2.6 MB in `shared/osv`).
pub const MAX_SOURCE: u64 = 64 << 20;
/// Largest total of record bytes loaded at once, all sources together: `--audit` startup
/// then stays around 300 MB peak RSS at worst (measured: 120 MB of records → 270 MB).
pub const MAX_LOADED: u64 = 128 << 20;
/// Problem files reported per directory at load; the rest are counted in one line.
const MAX_WARNINGS_PER_DIR: usize = 20;

/// A file that was skipped, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning {
    /// The file.
    pub path: PathBuf,
    /// Why it was skipped.
    pub message: String,
}

/// Advisory records indexed by (ecosystem, package), and where they came from.
#[derive(Debug, Default)]
pub struct Database {
    /// Every record loaded, in load order.
    pub advisories: Vec<Advisory>,
    /// (ecosystem, package name) → indices into `advisories`.
    index: HashMap<(String, String), Vec<usize>>,
    /// Where the records came from, in the order they were added.
    pub sources: Vec<DataSource>,
    /// Sources decoded on the first query of their ecosystem (the embedded snapshot: a
    /// one-file `inspect --audit` of a Rust binary never decodes the Go data).
    deferred: Vec<Deferred>,
    /// VEX statements and ignore entries: the findings they take out of the verdict.
    pub suppressions: crate::vex::Suppressions,
}

/// Records of one ecosystem, decoded when first needed.
#[derive(Debug)]
struct Deferred {
    ecosystem: String,
    decode: fn(&str) -> Result<Vec<Advisory>, SnapshotError>,
    cell: std::sync::OnceLock<(Database, Option<SnapshotError>)>,
}

impl Deferred {
    /// The decoded records (once; later calls wait for or reuse the first), and the error
    /// if decoding failed (then the database is empty).
    fn get(&self) -> &(Database, Option<SnapshotError>) {
        self.cell.get_or_init(|| match (self.decode)(&self.ecosystem) {
            Ok(records) => {
                let mut db = Database::default();
                for a in records {
                    db.add(a);
                }
                (db, None)
            }
            Err(e) => (Database::default(), Some(e)),
        })
    }
}

/// Where a part of the database came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// binsight's own advisories (libcs, the Rust standard library), compiled in.
    BuiltIn,
    /// The OSV snapshot compiled into binsight (see [`crate::snapshot`]).
    Snapshot,
    /// A source in the local database (`db update`, `db import`), by name.
    Imported(String),
    /// A directory given with `--advisories`.
    Directory(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::BuiltIn => f.write_str("binsight"),
            Origin::Snapshot => f.write_str("snapshot"),
            Origin::Imported(n) => write!(f, "db:{n}"),
            Origin::Directory(p) => write!(f, "dir:{}", p.display()),
        }
    }
}

/// One part of the database: where it came from, the ecosystems its records cover, how many,
/// and the day its data is as of (`None` when nothing says: a directory of records without
/// modification dates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSource {
    /// Where its records came from.
    pub origin: Origin,
    /// The OSV ecosystems its records cover.
    pub ecosystems: Vec<String>,
    /// How many records it holds.
    pub records: usize,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// One advisory that affects a queried package version.
#[derive(Debug, Clone)]
pub struct Match<'a> {
    /// The advisory.
    pub advisory: &'a Advisory,
    /// Whether the version is affected, or cannot be decided.
    pub decision: Decision,
}

impl Database {
    /// Load every `*.json` under `dirs` (one level of subdirectories too, e.g. `osv/crates.io`),
    /// one [`DataSource`] per directory. Malformed, oversized or unreadable files are skipped
    /// with a warning naming the file.
    pub fn load(dirs: &[&Path]) -> (Database, Vec<LoadWarning>) {
        let mut db = Database::default();
        let mut warnings = Vec::new();
        let mut budget = MAX_LOADED;
        for d in dirs {
            let w = db.load_dir_within(d, Origin::Directory(d.to_path_buf()), None, &mut budget);
            warnings.extend(w);
        }
        (db, warnings)
    }

    /// Add the records under `dir` as one source. `date` is what the data is as of when the
    /// caller knows it (an import's date), else the newest record's `modified`. At most
    /// [`MAX_SOURCE`] bytes of records are read, none over [`MAX_RECORD`].
    pub fn load_dir(&mut self, dir: &Path, origin: Origin, date: Option<String>) -> Vec<LoadWarning> {
        let mut budget = MAX_SOURCE;
        self.load_dir_within(dir, origin, date, &mut budget)
    }

    /// [`Database::load_dir`] reading at most `budget` bytes of records (and at most
    /// [`MAX_SOURCE`]), less what it read. Files over [`MAX_RECORD`] are skipped unread; past
    /// the budget the rest of the directory is skipped, with one warning naming the directory.
    pub(crate) fn load_dir_within(
        &mut self,
        dir: &Path,
        origin: Origin,
        date: Option<String>,
        budget: &mut u64,
    ) -> Vec<LoadWarning> {
        let mut warnings = Vec::new();
        let mut files = Vec::new();
        collect(dir, 1, &mut files, &mut warnings);
        files.sort();
        // Sizes first: oversize files are skipped unread, and the source stops at the budget.
        let limit = (*budget).min(MAX_SOURCE);
        let mut used = 0u64;
        let mut problems: Vec<LoadWarning> = Vec::new();
        let mut accepted = Vec::with_capacity(files.len());
        let mut over_budget = 0usize;
        for (f, len) in files {
            if len > MAX_RECORD {
                problems.push(LoadWarning {
                    path: f,
                    message: format!(
                        "{len} bytes is over the {MAX_RECORD}-byte limit for one advisory (real ones are a few KiB); skipped: {REIMPORT}"
                    ),
                });
            } else if over_budget > 0 || used + len > limit {
                over_budget += 1;
            } else {
                used += len;
                accepted.push(f);
            }
        }
        // Thousands of small JSON files: parse them on the pool, add them in file-name order.
        use rayon::prelude::*;
        let parsed: Vec<Result<Advisory, RecordError>> = accepted.par_iter().map(|f| read_one(f)).collect();
        let mut records = Vec::with_capacity(parsed.len());
        for (f, r) in accepted.into_iter().zip(parsed) {
            match r {
                Ok(a) => records.push(a),
                Err(why) => problems.push(LoadWarning { path: f, message: why.to_string() }),
            }
        }
        *budget = budget.saturating_sub(used);
        let more = problems.len().saturating_sub(MAX_WARNINGS_PER_DIR);
        warnings.extend(problems.into_iter().take(MAX_WARNINGS_PER_DIR));
        if more > 0 {
            warnings.push(LoadWarning {
                path: dir.to_path_buf(),
                message: format!("{more} more files skipped for the same kinds of reasons"),
            });
        }
        if over_budget > 0 {
            warnings.push(LoadWarning {
                path: dir.to_path_buf(),
                message: format!(
                    "advisory data over the {limit}-byte limit (at most {MAX_SOURCE} bytes per source, {MAX_LOADED} in all): \
                     loaded {} records, skipped {over_budget} files, so results for it are incomplete; {REIMPORT}",
                    records.len()
                ),
            });
        }
        self.add_source(origin, records, date);
        warnings
    }

    /// Add `records` as one source (see [`Database::load_dir`] for `date`).
    pub fn add_source(&mut self, origin: Origin, records: Vec<Advisory>, date: Option<String>) {
        let mut ecosystems: Vec<String> = records
            .iter()
            .flat_map(|a| &a.affected)
            .filter_map(|x| x.package.as_ref().map(|p| p.ecosystem.clone()))
            .collect();
        ecosystems.sort();
        ecosystems.dedup();
        let date = date.or_else(|| {
            records
                .iter()
                .map(|a| a.modified.get(..10).unwrap_or(""))
                .max()
                .filter(|d| *d >= "1970")
                .map(str::to_string)
        });
        let n = records.len();
        for a in records {
            self.add(a);
        }
        self.sources.push(DataSource { origin, ecosystems, records: n, date });
    }

    /// Add a source of one ecosystem whose records `decode(ecosystem)` gives when that ecosystem
    /// is first queried; `records` and `date` describe it until then. A decoding error leaves
    /// the ecosystem without records and is reported by [`Database::deferred_errors`].
    pub fn add_deferred(
        &mut self,
        origin: Origin,
        ecosystem: &str,
        records: usize,
        date: Option<String>,
        decode: fn(&str) -> Result<Vec<Advisory>, SnapshotError>,
    ) {
        self.sources.push(DataSource { origin, ecosystems: vec![ecosystem.to_string()], records, date });
        self.deferred.push(Deferred { ecosystem: ecosystem.to_string(), decode, cell: Default::default() });
    }

    /// Errors met decoding deferred sources so far (compiled-in data: none expected).
    pub fn deferred_errors(&self) -> Vec<&SnapshotError> {
        self.deferred.iter().filter_map(|d| d.cell.get().and_then(|(_, e)| e.as_ref())).collect()
    }

    /// Whether any source has records for `ecosystem`. Decodes the deferred sources of that
    /// ecosystem (a source that fails to decode covers nothing).
    pub fn covers(&self, ecosystem: &str) -> bool {
        self.index.keys().any(|(e, _)| e == ecosystem)
            || self.deferred.iter().any(|d| d.ecosystem == ecosystem && d.get().1.is_none())
    }

    /// The sources that hold records for `ecosystem`.
    pub fn sources_for<'a>(&'a self, ecosystem: &'a str) -> impl Iterator<Item = &'a DataSource> + 'a {
        self.sources.iter().filter(move |s| s.ecosystems.iter().any(|e| e == ecosystem))
    }

    /// Add a record and index it under each package it affects.
    pub fn add(&mut self, a: Advisory) {
        let i = self.advisories.len();
        for aff in &a.affected {
            if let Some(p) = &aff.package {
                let e = self.index.entry((p.ecosystem.clone(), package_key(&p.ecosystem, &p.name))).or_default();
                if e.last() != Some(&i) {
                    e.push(i);
                }
            }
        }
        self.advisories.push(a);
    }

    /// Records loaded so far (deferred sources count once decoded: see `sources` for sizes).
    pub fn len(&self) -> usize {
        self.advisories.len()
    }
    /// No record loaded.
    pub fn is_empty(&self) -> bool {
        self.advisories.is_empty()
    }

    /// Advisories (not withdrawn) whose affected entries for this package cover `version`, or
    /// cannot be decided for it. One per id; records that share an alias are merged, keeping
    /// the first (records are loaded in file-name order).
    pub fn query(&self, ecosystem: &str, name: &str, version: &str) -> Vec<Match<'_>> {
        let mut out: Vec<Match<'_>> = Vec::new();
        self.query_into(ecosystem, name, version, &mut out);
        for d in self.deferred.iter().filter(|d| d.ecosystem == ecosystem) {
            let (db, _) = d.get();
            db.query_into(ecosystem, name, version, &mut out);
        }
        out
    }

    fn query_into<'a>(&'a self, ecosystem: &str, name: &str, version: &str, out: &mut Vec<Match<'a>>) {
        let key = package_key(ecosystem, name);
        let Some(ids) = self.index.get(&(ecosystem.to_string(), key.clone())) else { return };
        for &i in ids {
            let a = &self.advisories[i];
            if a.withdrawn.is_some() {
                continue;
            }
            let mut best = Decision::NotAffected;
            for aff in &a.affected {
                let same = aff
                    .package
                    .as_ref()
                    .is_some_and(|p| p.ecosystem == ecosystem && package_key(ecosystem, &p.name) == key);
                if !same {
                    continue;
                }
                match decide(aff, version) {
                    Decision::Affected => best = Decision::Affected,
                    Decision::Undecidable if best == Decision::NotAffected => best = Decision::Undecidable,
                    _ => {}
                }
            }
            if best == Decision::NotAffected {
                continue;
            }
            let dup = out.iter().any(|m| m.advisory.ids().any(|x| a.ids().any(|y| x == y)));
            if !dup {
                out.push(Match { advisory: a, decision: best });
            }
        }
    }
}

/// The `*.json` files under `dir` (not hidden, regular: symlinks, FIFOs and devices are passed
/// over), with their sizes.
fn collect(dir: &Path, depth: usize, files: &mut Vec<(PathBuf, u64)>, warnings: &mut Vec<LoadWarning>) {
    let rd = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) => {
            warnings.push(LoadWarning { path: dir.to_path_buf(), message: format!("cannot read directory: {e}") });
            return;
        }
    };
    for entry in rd.flatten() {
        let p = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() && depth > 0 {
            collect(&p, depth - 1, files, warnings);
        } else if ft.is_file()
            && p.extension().is_some_and(|e| e == "json")
            && !entry.file_name().to_string_lossy().starts_with('.')
        {
            let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
            files.push((p, len));
        }
    }
}

fn read_one(path: &Path) -> Result<Advisory, RecordError> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(RecordError::Read)?;
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        return Err(RecordError::NotRegular);
    }
    // At most MAX_RECORD + 1 bytes, whatever its size was when listed (it may have grown).
    let mut bytes = Vec::new();
    f.take(MAX_RECORD + 1).read_to_end(&mut bytes).map_err(RecordError::Read)?;
    if bytes.len() as u64 > MAX_RECORD {
        return Err(RecordError::StoredTooLarge { limit: MAX_RECORD });
    }
    crate::osv::parse_record(&bytes)
}

/// How a package name is looked up: crates.io treats `-` and `_` (and case) as the same name
/// (it refuses a crate whose name differs from another's only so), so `encoding-rs` as a
/// distribution spells it finds `encoding_rs`'s advisories; other ecosystems compare exactly.
pub(crate) fn package_key(ecosystem: &str, name: &str) -> String {
    if ecosystem == "crates.io" {
        name.to_ascii_lowercase().replace('_', "-")
    } else {
        name.to_string()
    }
}
