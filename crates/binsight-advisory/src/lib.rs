//! OSV advisory data and what it says of a binary: parse records (bounded, per-file errors),
//! keep them in a database that knows where each part came from (built-in, the embedded OSV
//! snapshot, the local `db`, `--advisories` directories) and how old it is, match components
//! against it, decide whether the vulnerable code is linked, and give a verdict that never
//! claims more than the data loaded.

#![warn(missing_docs, unreachable_pub)]

pub mod audit;
pub mod db;
pub mod error;
pub mod osv;
pub mod range;
pub mod snapshot;
pub mod store;
pub mod update;
pub mod vex;

pub use audit::{audit, embedded, package_fix, with_embedded};
pub use db::{DataSource, Database, LoadWarning, Origin};

use std::path::Path;

/// The database `--audit` uses: the sources imported into `data_dir` (`db update`,
/// `db import`), the directories in `extra`, the compiled-in OSV snapshot for each ecosystem
/// none of those covers (fresher data supersedes it per ecosystem), and binsight's built-in
/// advisories. Problems with individual files are returned, never fatal. At most
/// [`db::MAX_LOADED`] bytes of records are read from `data_dir` and `extra` together, none over
/// [`db::MAX_RECORD`], whatever wrote them.
pub fn load_for_audit(data_dir: &Path, extra: &[&Path]) -> (Database, Vec<LoadWarning>) {
    let mut budget = db::MAX_LOADED;
    let (mut db, mut warnings) = store::load_within(data_dir, &mut budget);
    for d in extra {
        warnings.extend(db.load_dir_within(d, Origin::Directory(d.to_path_buf()), None, &mut budget));
    }
    let info = snapshot::info();
    for e in &info.ecosystems {
        if db.covers(&e.ecosystem) {
            continue;
        }
        // Decoded on the first query of its ecosystem.
        db.add_deferred(Origin::Snapshot, &e.ecosystem, e.records, Some(e.date.clone()), snapshot::records);
    }
    (with_embedded(db), warnings)
}
pub use osv::Advisory;
