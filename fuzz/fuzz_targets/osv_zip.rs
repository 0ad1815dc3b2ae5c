//! Arbitrary bytes as a zip → the streaming `db import` into a temporary store with small
//! caps: no panic, and nothing written outside the store's own source folder.
#![no_main]

use std::path::Path;

use binsight_advisory::store::{import_zip, ImportLimits};
use libfuzzer_sys::fuzz_target;

/// Every path under `dir`, relative to it.
fn tree(dir: &Path, base: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).expect("list").flatten() {
        let p = e.path();
        out.push(p.strip_prefix(base).expect("under base").display().to_string());
        if e.file_type().expect("type").is_dir() {
            tree(&p, base, out);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let parent = tempfile::tempdir().expect("tempdir");
    let root = parent.path().join("data");
    let limits = ImportLimits { max_record: 4096, max_source: 64 << 10, max_entries: 256 };
    let from = parent.path().join("in.zip");
    let r = import_zip(&root, "crates.io", std::io::Cursor::new(data), &from, "fuzz", &limits);
    let mut files = Vec::new();
    tree(parent.path(), parent.path(), &mut files);
    for f in &files {
        // The store's folders, then only files of the one source (no staging folder left).
        let ok = ["data", "data/advisories", "data/advisories/crates.io"].contains(&f.as_str())
            || f.strip_prefix("data/advisories/crates.io/").is_some_and(|n| !n.contains('/') && n.ends_with(".json"));
        assert!(ok, "unexpected {f} after {r:?}");
    }
    if let Ok((meta, _)) = r {
        assert!(meta.records > 0);
        // What was imported loads back, as many records as it says.
        let (db, warnings) = binsight_advisory::store::load(&root);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(db.len(), meta.records);
    }
});
