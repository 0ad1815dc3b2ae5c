//! The local advisory database: the `db` subcommand (`import`, `update`, `status`), and the
//! warnings about its data that an audit also prints (skipped records, stale data).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Subcommand;

use crate::{args, fail, EXIT_OK, EXIT_SOME_FAILED};

#[derive(Subcommand)]
pub(crate) enum DbCommand {
    /// Import OSV records (a directory of JSON files, or a .zip such as an OSV export) into the
    /// local database used by --audit. A failed import leaves the existing copy in place.
    Import {
        /// A directory of OSV JSON files, or a .zip of them (an OSV export)
        #[arg(value_name = "DIR_OR_ZIP")]
        path: PathBuf,
        /// Source name (default: the directory or file name, e.g. `crates.io`).
        #[arg(long)]
        name: Option<String>,
    },
    /// Download the OSV exports (`<mirror>/<ecosystem>/all.zip`) and import them like `db import`.
    /// Each source is checked (size, exact length, the server's MD5) and swapped in atomically:
    /// a failed or interrupted download keeps the copy you had.
    Update {
        /// Ecosystems to fetch: crates.io, Go (default: both); repeatable.
        #[arg(long = "source", value_name = "ECOSYSTEM", value_parser = args::db_source)]
        sources: Vec<String>,
        /// Base URL of an OSV export mirror (default: $BINSIGHT_OSV_MIRROR, else OSV's own bucket).
        #[arg(long, value_name = "URL")]
        mirror: Option<String>,
    },
    /// Show the imported sources, their size and age (stale after 7 days).
    Status,
}

/// Run one `db` subcommand against the database in $BINSIGHT_DATA (or its default place).
pub(crate) fn run_db_command(command: DbCommand) -> Result<u8> {
    let root = binsight_advisory::store::data_dir();
    match command {
        DbCommand::Import { path, name } => import(&root, &path, name),
        DbCommand::Update { sources, mirror } => Ok(update(&root, sources, mirror)),
        DbCommand::Status => {
            print_status(&root);
            Ok(EXIT_OK)
        }
    }
}

/// `1 advisory`, `2 advisories`.
fn advisories(n: usize) -> String {
    binsight_report::text::count(n, "advisory", "advisories")
}

/// A skipped advisory file or record on stderr; names from archives are escaped.
pub(crate) fn eprint_load_warning(w: &binsight_advisory::LoadWarning) {
    let path = w.path.display().to_string();
    let path = binsight_report::sanitize(&path);
    eprintln!("binsight: {path}: {}", binsight_report::sanitize(&w.message));
}

/// One warning on stderr for advisory data older than 30 days, with the command to refresh.
pub(crate) fn warn_stale(db: &binsight_advisory::Database) {
    use binsight_advisory::store::{days_since, now_secs, STALE_AFTER_DAYS};
    let now = now_secs();
    // Grouped by source and age: "crates.io, Go from snapshot (104 days old)".
    let mut groups: Vec<(String, u64, Vec<String>)> = Vec::new();
    for s in db.sources.iter().filter(|s| s.origin != binsight_advisory::Origin::BuiltIn) {
        let Some(days) = s.date.as_deref().and_then(|d| days_since(d, now)) else { continue };
        if days <= STALE_AFTER_DAYS {
            continue;
        }
        let origin = s.origin.to_string();
        match groups.iter_mut().find(|g| g.0 == origin && g.1 == days) {
            Some(g) => g.2.extend(s.ecosystems.iter().cloned()),
            None => groups.push((origin, days, s.ecosystems.clone())),
        }
    }
    let old: Vec<String> = groups.iter().map(|(o, d, e)| format!("{} from {o} ({d} days old)", e.join(", "))).collect();
    if !old.is_empty() {
        crate::output::eprint_wrapped(&format!(
            "binsight: warning: advisory data is over {STALE_AFTER_DAYS} days old: {}; refresh it with `binsight db update` (or `binsight db import` offline)",
            old.join("; ")
        ));
    }
}

/// The source name `db import PATH` uses without --name: the directory or file name, or for an
/// OSV export (`<ecosystem>/all.zip`) the folder's.
fn default_import_name(path: &Path) -> String {
    let stem = if path.is_dir() { path.file_name() } else { path.file_stem() }
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // OSV exports are `<ecosystem>/all.zip`: name them after the folder.
    if stem == "all" {
        path.parent().and_then(|p| p.file_name()).map(|s| s.to_string_lossy().into_owned()).unwrap_or(stem)
    } else {
        stem
    }
}

/// `db import`: copy the OSV records at `path` into the database as source `name`.
fn import(root: &Path, path: &Path, name: Option<String>) -> Result<u8> {
    let name = name.unwrap_or_else(|| default_import_name(path));
    let (meta, warnings) = binsight_advisory::store::import(root, &name, path)
        .map_err(|e| fail::import(e, path))
        .with_context(|| format!("importing {} as {name}", path.display()))?;
    for w in &warnings {
        eprint_load_warning(w);
    }
    println!(
        "imported {} as '{}' into {} ({} skipped)",
        advisories(meta.records),
        binsight_report::sanitize(&meta.name),
        binsight_report::sanitize(&root.display().to_string()),
        meta.skipped
    );
    Ok(EXIT_OK)
}

/// `db update`: download and import each source (default: all that binsight matches); the exit
/// code is 1 when any of them failed.
fn update(root: &Path, sources: Vec<String>, mirror: Option<String>) -> u8 {
    let mirror = mirror
        .or_else(|| std::env::var("BINSIGHT_OSV_MIRROR").ok().filter(|m| !m.is_empty()))
        .unwrap_or_else(|| binsight_advisory::update::DEFAULT_MIRROR.to_string());
    let sources = if sources.is_empty() {
        binsight_advisory::update::DEFAULT_SOURCES.iter().map(|s| s.to_string()).collect()
    } else {
        sources
    };
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let failed = sources.iter().filter(|name| !update_source(root, name, &mirror, tty)).count();
    if failed == 0 {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    }
}

/// Download and import one source, with a byte count on stderr when it is a terminal; the
/// outcome is printed. Whether it succeeded.
fn update_source(root: &Path, name: &str, mirror: &str, tty: bool) -> bool {
    let shown = binsight_report::sanitize(name);
    let mut last = 0u64;
    let mut progress = |got: u64, total: Option<u64>| {
        if tty && got - last >= 1 << 20 {
            last = got;
            let of = total.map(|t| format!(" of {:.1}", t as f64 / 1e6)).unwrap_or_default();
            eprint!("\r{shown}: {:.1}{of} MB", got as f64 / 1e6);
        }
    };
    let r = binsight_advisory::update::update(root, name, mirror, &mut progress);
    if tty {
        eprint!("\r\x1b[K");
    }
    match r {
        Ok((meta, warnings)) => {
            for w in &warnings {
                eprint_load_warning(w);
            }
            println!(
                "updated '{}': {} from {} ({} skipped)",
                binsight_report::sanitize(&meta.name),
                advisories(meta.records),
                binsight_report::sanitize(&meta.origin.to_string()),
                meta.skipped
            );
            true
        }
        Err(e) => {
            eprintln!(
                "binsight: db update {shown}: {}\n  the previous copy of '{shown}' (if any) is unchanged; \
                 retry, pass --mirror URL, or fetch {shown}/all.zip yourself and run `binsight db import`",
                binsight_report::sanitize(&e.to_string())
            );
            false
        }
    }
}

/// How old data from `date` is, for `db status`: "3 days old", or stale with the fix.
fn age(date: Option<&str>, now: u64) -> String {
    use binsight_advisory::store::{days_since, STALE_AFTER_DAYS};
    match date.and_then(|d| days_since(d, now)) {
        Some(d) if d > STALE_AFTER_DAYS => format!("{d} days old: STALE, run `binsight db update`"),
        Some(1) => "1 day old".to_string(),
        Some(d) => format!("{d} days old"),
        None => "date unknown".to_string(),
    }
}

/// `db status`: where the database is, the data built in and embedded, what was imported (and
/// what it supersedes), then the snapshot's notice.
fn print_status(root: &Path) {
    let now = binsight_advisory::store::now_secs();
    let sources = binsight_advisory::store::status(root);
    let (db, _) = binsight_advisory::load_for_audit(root, &[]);
    println!("advisory database: {}", binsight_report::sanitize(&root.display().to_string()));
    println!(
        "built in: {} (binsight's: musl, the Rust standard library, bundled C libraries)",
        advisories(binsight_advisory::embedded().len())
    );
    print_snapshot_status(&db, now);
    print_imported_status(&db, &sources, now);
    println!();
    print!("{}", binsight_advisory::snapshot::NOTICE);
}

/// The embedded OSV snapshot, per ecosystem, and whether imported data supersedes it.
fn print_snapshot_status(db: &binsight_advisory::Database, now: u64) {
    let snap = binsight_advisory::snapshot::info();
    println!("embedded OSV snapshot, data as of {}:", snap.date);
    for e in &snap.ecosystems {
        let in_use = db.sources_for(&e.ecosystem).any(|s| s.origin == binsight_advisory::Origin::Snapshot);
        println!(
            "  {}: {}, {} ({}){}",
            e.ecosystem,
            advisories(e.records),
            e.date,
            age(Some(&e.date), now),
            if in_use { "" } else { "; superseded by imported data" }
        );
    }
}

/// The imported sources: size, ecosystems, date and origin of each.
fn print_imported_status(db: &binsight_advisory::Database, sources: &[binsight_advisory::store::SourceMeta], now: u64) {
    if sources.is_empty() {
        println!("imported: none (`binsight db update` downloads fresh crates.io and Go data; `binsight db import DIR_OR_ZIP` adds an OSV export offline)");
    } else {
        println!("imported (these supersede the snapshot for their ecosystems):");
    }
    for m in sources {
        let date = binsight_advisory::store::ymd(m.imported_at);
        let ecos: Vec<String> = db
            .sources
            .iter()
            .filter(|s| s.origin == binsight_advisory::Origin::Imported(m.name.clone()))
            .flat_map(|s| s.ecosystems.clone())
            .collect();
        println!(
            "  {}: {} ({}), imported {date} ({}) from {}",
            binsight_report::sanitize(&m.name),
            advisories(m.records),
            if ecos.is_empty() { "no ecosystem".to_string() } else { ecos.join(", ") },
            age(Some(&date), now),
            binsight_report::sanitize(&m.origin.to_string())
        );
    }
}
