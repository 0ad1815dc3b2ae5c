//! OSV records written as osv-scanner's offline database, so `osv-scanner scan source
//! --offline` matches against exactly the data binsight reads: for each ecosystem,
//! `OUT/osv-scalibr/<ecosystem>/all.zip` holding its records (the layout osv-scanner v2.6.0's
//! osv-scalibr reads under `$OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY`; the same zip the OSV
//! exports publish, here stored rather than deflated).

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

/// Write `all.zip` for each of `ecosystems` (`crates.io`, `Go`: subdirectories of `osv_root`
/// holding `*.json` records) under `out/osv-scalibr/`; the number of records written.
pub fn write_db(osv_root: &Path, ecosystems: &[&str], out: &Path) -> Result<usize> {
    let mut records = 0;
    for eco in ecosystems {
        let src = osv_root.join(eco);
        let dir = out.join("osv-scalibr").join(eco);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let files = crate::osv_records(&src)?;
        let zip_path = dir.join("all.zip");
        let file = std::fs::File::create(&zip_path).with_context(|| format!("creating {}", zip_path.display()))?;
        let mut z = zip::ZipWriter::new(file);
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for f in &files {
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            z.start_file(name, stored)?;
            z.write_all(&std::fs::read(f).with_context(|| format!("reading {}", f.display()))?)?;
        }
        z.finish().with_context(|| format!("writing {}", zip_path.display()))?;
        records += files.len();
    }
    Ok(records)
}
