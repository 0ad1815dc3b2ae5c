//! One file's bytes to its report: the detectors (within the `--max-detector-*` budget), then
//! the advisory audit when a database is loaded; and why a file got no report.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use binsight_model::BinaryReport;

use crate::Common;

/// How every file of this run is analysed, set once from the command line before any file is
/// read: what each detector may spend (`--max-detector-*`) and whether files are hashed.
static ANALYSIS: OnceLock<Analysis> = OnceLock::new();

#[derive(Clone, Copy, Debug)]
struct Analysis {
    budget: binsight_detect::Budget,
    /// Compute each file's SHA-256: only when an output prints it or a suppression may name a
    /// binary by it ([`Common::hashing`]). Hashing is most of a scan's work on big binaries.
    hash: bool,
}

/// Set the detectors' budget from `--max-detector-work` and `--max-detector-memory`, and
/// whether files are hashed, from `common` (its suppressions already loaded).
pub(crate) fn set_analysis(common: &Common) {
    let budget = binsight_detect::Budget { work: common.max_detector_work, memory: common.max_detector_memory };
    let _ = ANALYSIS.set(Analysis { budget, hash: common.hashing() });
}

/// Why one file has no report. Cheap to clone: an image's hard links share their target's
/// result.
#[derive(Debug, Clone)]
pub(crate) enum FileError {
    /// The file could not be read (the message names it).
    Read(Arc<binsight_source::SourceError>),
    /// Its bytes are not an ELF file binsight can read.
    NotAnalysable { path: String, error: Arc<binsight_detect::AnalyzeError> },
    /// The analysis panicked: a bug in binsight.
    Panicked { path: String },
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::Read(e) => write!(f, "{e}"),
            FileError::NotAnalysable { path, error } => write!(f, "{path}: {error}"),
            FileError::Panicked { path } => {
                write!(f, "{path}: internal error while analysing this file (a bug in binsight; please report it)")
            }
        }
    }
}

// No `source()`: the message already holds the cause (`{:#}` would print it twice).
impl std::error::Error for FileError {}

impl From<binsight_source::SourceError> for FileError {
    fn from(e: binsight_source::SourceError) -> Self {
        FileError::Read(Arc::new(e))
    }
}

/// Analyse one file's bytes (its hash too, when the run needs it) and, with a database, audit it.
pub(crate) fn analyze_and_audit(
    path: &str,
    data: &[u8],
    db: Option<&binsight_advisory::Database>,
) -> Result<BinaryReport, FileError> {
    analyze_and_audit_in(path, data, None, db)
}

/// [`analyze_and_audit`] of a file of `image` (which VEX statements may name).
pub(crate) fn analyze_and_audit_in(
    path: &str,
    data: &[u8],
    image: Option<&binsight_model::ImageRef>,
    db: Option<&binsight_advisory::Database>,
) -> Result<BinaryReport, FileError> {
    let defaults = binsight_detect::Options::default();
    let set = ANALYSIS.get();
    let options = binsight_detect::Options {
        budget: set.map_or(defaults.budget, |a| a.budget),
        hash: set.map_or(defaults.hash, |a| a.hash),
        go_functions: db.is_some(),
        ..defaults
    };
    let mut r = binsight_detect::analyze_file(path, data, &options)
        .map_err(|e| FileError::NotAnalysable { path: path.to_string(), error: Arc::new(e) })?;
    // A file of an image knows its image before the audit: VEX statements may name it.
    r.image = image.cloned();
    if let Some(db) = db {
        binsight_advisory::audit(&mut r, db);
    }
    // Working data for the audit only: not kept while the report waits for output.
    r.go_functions = None;
    Ok(r)
}

/// [`analyze_and_audit`], with a panic in the analysis (a bug: none is known, and fuzzing looks
/// for them) turned into this file's error, so the rest of the run is reported.
pub(crate) fn analyze_and_audit_isolated(
    path: &str,
    data: &[u8],
    image: Option<&binsight_model::ImageRef>,
    db: Option<&binsight_advisory::Database>,
) -> Result<BinaryReport, FileError> {
    let analysed =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyze_and_audit_in(path, data, image, db)));
    analysed.unwrap_or_else(|_| Err(FileError::Panicked { path: path.to_string() }))
}

/// Read a file named on the command line (under `--max-file-size`), then
/// [`analyze_and_audit_isolated`] it.
pub(crate) fn read_and_analyze(
    file: &Path,
    common: &Common,
    db: Option<&binsight_advisory::Database>,
) -> Result<BinaryReport, FileError> {
    let data = binsight_source::read_file(file, &crate::file_limits(common))?;
    analyze_and_audit_isolated(&file.display().to_string(), &data, None, db)
}

/// A file the package database of its image or root names: record the package and what its
/// control fields say it links (crates, a static glibc's version). When that added components
/// and there is a database, audit again (a crate of `X-Cargo-Built-Using` may have advisories);
/// else only put "update the package" before the fixes the audit found.
pub(crate) fn attribute_package(
    r: &mut BinaryReport,
    path_in_root: &str,
    packages: &binsight_source::pkgdb::PackageDb,
    db: Option<&binsight_advisory::Database>,
) {
    let Some(pkg) = packages.owner(path_in_root) else { return };
    let added = binsight_source::pkgdb::attribute(r, pkg);
    match (db, added) {
        (Some(db), true) => binsight_advisory::audit(r, db),
        _ => {
            if let (Some(v), Some(p)) = (r.verdict.as_mut(), r.package.as_ref()) {
                binsight_advisory::package_fix(&mut v.fix, p);
            }
        }
    }
}

/// Audit a report again (what it knows changed): the fixes the audit finds, after "update the
/// package" when a distribution package installed it.
pub(crate) fn reaudit(r: &mut BinaryReport, db: &binsight_advisory::Database) {
    binsight_advisory::audit(r, db);
    if let (Some(v), Some(p)) = (r.verdict.as_mut(), r.package.as_ref()) {
        binsight_advisory::package_fix(&mut v.fix, p);
    }
}

/// The files of one image: each dynamic binary gets the C libraries and libc version of the
/// shared libraries its loader would load from the same image (`binsight_source::loader`), and
/// is audited again when that added something. `config` holds the image's `/etc/ld.so.conf`
/// files, when it has them.
pub(crate) fn resolve_shared_libraries(
    files: &mut [(String, String, Result<BinaryReport, FileError>)],
    config: &[(String, Vec<u8>)],
    symlinks: &[(String, String)],
    db: Option<&binsight_advisory::Database>,
) {
    let mut conf: Vec<String> = Vec::new();
    let mut confs: Vec<&(String, Vec<u8>)> =
        config.iter().filter(|(p, _)| p == "/etc/ld.so.conf" || p.starts_with("/etc/ld.so.conf.d/")).collect();
    // The main file first, then its include directory in name order (what Debian's and
    // Alpine's `include /etc/ld.so.conf.d/*.conf` amounts to).
    confs.sort_by_key(|(p, _)| (p != "/etc/ld.so.conf", p.clone()));
    for (_, text) in confs {
        conf.extend(binsight_source::loader::ld_so_conf_dirs(&String::from_utf8_lossy(text)));
    }
    let mut ok: Vec<&mut BinaryReport> = files.iter_mut().filter_map(|(_, _, r)| r.as_mut().ok()).collect();
    let changed = binsight_source::loader::resolve_shared_libraries(&mut ok, symlinks, &conf);
    if let Some(db) = db {
        for i in changed {
            reaudit(ok[i], db);
        }
    }
}
