//! `binsight`: what is inside the Linux binaries you ship. Thin CLI over the library crates.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use binsight_model::{BinaryReport, Severity};
use clap::{CommandFactory as _, Parser, Subcommand, ValueEnum};

mod args;
mod config;
mod fail;
mod logging;
mod meta;
mod output;
mod pack;
mod scan;

/// Exit codes (documented in README and `--help`).
const EXIT_OK: u8 = 0;
const EXIT_SOME_FAILED: u8 = 1;
const EXIT_USAGE: u8 = 2;
/// A source (or pack input) that cannot be opened at all: missing, unreadable, not an image,
/// registry unreachable.
const EXIT_SOURCE: u8 = 3;
const EXIT_FINDINGS: u8 = 4;

#[derive(Parser)]
#[command(
    name = "binsight",
    version,
    about = "What is inside the Linux binaries you ship: arch, linkage, libc (musl too), toolchain, hardening, portability",
    after_help = "\
Environment: NO_COLOR (non-empty: no colour unless --color always); COLUMNS (the table's width;
default: the terminal's, no limit when stdout is not a terminal).
Exit codes: 0 every file reported; 1 some files could not be read or parsed (the rest were still
reported), or an output could not be written; 2 usage error (bad arguments or option values,
nothing to scan); 3 a source could not be opened at all (missing, not an image, registry
unreachable); 4 a finding at or above --fail-on. 3 takes precedence over 4, and 4 over 1."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: config::Global,
}

// Help: one line per option, grouped under headings, so `scan --help` fits one screen; the
// details are in README.md.
#[derive(clap::Args)]
struct Common {
    /// FORMAT: table, json, sarif, cyclonedx-json, spdx-json; repeatable
    #[arg(
        short,
        long = "output",
        value_name = "FORMAT[=FILE]",
        value_parser = output::parse_spec,
        help_heading = "Output"
    )]
    output: Vec<output::Spec>,
    /// Match known vulnerabilities; a rebuild verdict per binary
    #[arg(long, help_heading = "Audit")]
    audit: bool,
    /// Also match the OSV records in DIR (repeatable; implies --audit)
    #[arg(long, value_name = "DIR", help_heading = "Audit")]
    advisories: Vec<PathBuf>,
    /// Exit 4 on a linked finding >= LEVEL: low, medium, high, critical
    #[arg(
        long,
        value_enum,
        ignore_case = true,
        hide_possible_values = true,
        value_name = "LEVEL",
        help_heading = "Audit"
    )]
    fail_on: Option<Level>,
    /// With --fail-on: findings without a severity trip it too
    #[arg(long, requires = "fail_on", help_heading = "Audit")]
    fail_on_unrated: bool,
    /// auto (default: on a terminal, unless NO_COLOR), always, never
    #[arg(
        long,
        value_enum,
        ignore_case = true,
        hide_possible_values = true,
        hide_default_value = true,
        default_value_t,
        value_name = "WHEN",
        help_heading = "Output"
    )]
    color: output::ColorChoice,
    /// Largest file read (larger ones are an error)
    #[arg(long, default_value = "1G", value_parser = args::size, value_name = "SIZE", help_heading = "Limits")]
    max_file_size: u64,
    /// Work cap per detector and file
    #[arg(long, default_value = "2G", value_parser = args::size, value_name = "N", help_heading = "Limits")]
    max_detector_work: u64,
    /// Memory cap per detector and file
    #[arg(long, default_value = "64M", value_parser = args::size, value_name = "SIZE", help_heading = "Limits")]
    max_detector_memory: u64,
}

/// What each detector may spend per file, set once from the command line (`--max-detector-*`)
/// before any file is read.
static DETECTOR_BUDGET: std::sync::OnceLock<binsight_detect::Budget> = std::sync::OnceLock::new();

fn set_detector_budget(common: &Common) {
    let _ = DETECTOR_BUDGET
        .set(binsight_detect::Budget { work: common.max_detector_work, memory: common.max_detector_memory });
}

/// When findings make the run exit 4.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FailOn {
    level: Level,
    unrated: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Level {
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    /// The lowest severity that trips `--fail-on` at this level.
    fn severity(self) -> Severity {
        match self {
            Level::Low => Severity::Low,
            Level::Medium => Severity::Medium,
            Level::High => Severity::High,
            Level::Critical => Severity::Critical,
        }
    }
}

impl Common {
    pub(crate) fn auditing(&self) -> bool {
        self.audit
            || !self.advisories.is_empty()
            || self.fail_on.is_some()
            || self.output.iter().any(|o| o.format == output::Format::Sarif)
    }
    /// The advisory database for --audit (None without it); load problems go to stderr.
    fn database(&self) -> Option<binsight_advisory::Database> {
        if !self.auditing() {
            return None;
        }
        let root = binsight_advisory::store::data_dir();
        let dirs: Vec<&std::path::Path> = self.advisories.iter().map(PathBuf::as_path).collect();
        let started = std::time::Instant::now();
        let (db, warnings) = binsight_advisory::load_for_audit(&root, &dirs);
        log::debug!("advisory data loaded in {:?} (database {:?}, --advisories {dirs:?}):", started.elapsed(), root);
        for s in &db.sources {
            let date = s.date.as_deref().unwrap_or("date unknown");
            log::debug!("  {}: {} records for {} ({date})", s.origin, s.records, s.ecosystems.join(", "));
        }
        for w in &warnings {
            eprint_load_warning(w);
        }
        warn_stale(&db);
        Some(db)
    }
}

/// The snapshot date, and the data `db` holds (per source and ecosystem) when auditing.
pub(crate) fn advisory_context(db: Option<&binsight_advisory::Database>) -> binsight_model::AdvisoryContext {
    binsight_model::AdvisoryContext {
        snapshot_date: binsight_advisory::snapshot::info().date.clone(),
        used: db.map(|db| {
            db.sources
                .iter()
                .flat_map(|s| {
                    s.ecosystems.iter().map(|e| binsight_model::AdvisoryData {
                        ecosystem: e.clone(),
                        source: s.origin.to_string(),
                        date: s.date.clone(),
                    })
                })
                .collect()
        }),
    }
}

/// One warning on stderr for advisory data older than 30 days, with the command to refresh.
fn warn_stale(db: &binsight_advisory::Database) {
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
        output::eprint_wrapped(&format!(
            "binsight: warning: advisory data is over {STALE_AFTER_DAYS} days old: {}; refresh it with `binsight db update` (or `binsight db import` offline)",
            old.join("; ")
        ));
    }
}

/// A skipped advisory file or record on stderr; names from archives are escaped.
fn eprint_load_warning(w: &binsight_advisory::LoadWarning) {
    let path = w.path.display().to_string();
    let path = binsight_report::sanitize(&path);
    eprintln!("binsight: {path}: {}", binsight_report::sanitize(&w.message));
}

/// `1 advisory`, `2 advisories`.
fn advisories(n: usize) -> String {
    binsight_report::text::count(n, "advisory", "advisories")
}

fn db(command: DbCommand) -> Result<u8> {
    let root = binsight_advisory::store::data_dir();
    match command {
        DbCommand::Import { path, name } => {
            let name = name.unwrap_or_else(|| {
                let stem = if path.is_dir() { path.file_name() } else { path.file_stem() }
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                // OSV exports are `<ecosystem>/all.zip`: name them after the folder.
                if stem == "all" {
                    path.parent().and_then(|p| p.file_name()).map(|s| s.to_string_lossy().into_owned()).unwrap_or(stem)
                } else {
                    stem
                }
            });
            let (meta, warnings) = binsight_advisory::store::import(&root, &name, &path)
                .map_err(|e| fail::import(e, &path))
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
        DbCommand::Update { sources, mirror } => {
            let mirror = mirror
                .or_else(|| std::env::var("BINSIGHT_OSV_MIRROR").ok().filter(|m| !m.is_empty()))
                .unwrap_or_else(|| binsight_advisory::update::DEFAULT_MIRROR.to_string());
            let sources = if sources.is_empty() {
                binsight_advisory::update::DEFAULT_SOURCES.iter().map(|s| s.to_string()).collect()
            } else {
                sources
            };
            let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let mut failed = 0;
            for name in &sources {
                let shown = binsight_report::sanitize(name);
                let mut last = 0u64;
                let mut progress = |got: u64, total: Option<u64>| {
                    if tty && got - last >= 1 << 20 {
                        last = got;
                        let of = total.map(|t| format!(" of {:.1}", t as f64 / 1e6)).unwrap_or_default();
                        eprint!("\r{shown}: {:.1}{of} MB", got as f64 / 1e6);
                    }
                };
                let r = binsight_advisory::update::update(&root, name, &mirror, &mut progress);
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
                    }
                    Err(e) => {
                        failed += 1;
                        eprintln!(
                            "binsight: db update {shown}: {}\n  the previous copy of '{shown}' (if any) is unchanged; \
                             retry, pass --mirror URL, or fetch {shown}/all.zip yourself and run `binsight db import`",
                            binsight_report::sanitize(&e.to_string())
                        );
                    }
                }
            }
            Ok(if failed == 0 { EXIT_OK } else { EXIT_SOME_FAILED })
        }
        DbCommand::Status => {
            use binsight_advisory::store::{days_since, now_secs, ymd, STALE_AFTER_DAYS};
            let now = now_secs();
            let age = |date: Option<&str>| match date.and_then(|d| days_since(d, now)) {
                Some(d) if d > STALE_AFTER_DAYS => format!("{d} days old: STALE, run `binsight db update`"),
                Some(1) => "1 day old".to_string(),
                Some(d) => format!("{d} days old"),
                None => "date unknown".to_string(),
            };
            let sources = binsight_advisory::store::status(&root);
            let (db, _) = binsight_advisory::load_for_audit(&root, &[]);
            println!("advisory database: {}", binsight_report::sanitize(&root.display().to_string()));
            println!(
                "built in: {} (binsight's: musl, Rust standard library)",
                advisories(binsight_advisory::embedded().len())
            );
            let snap = binsight_advisory::snapshot::info();
            println!("embedded OSV snapshot, data as of {}:", snap.date);
            for e in &snap.ecosystems {
                let in_use = db.sources_for(&e.ecosystem).any(|s| s.origin == binsight_advisory::Origin::Snapshot);
                println!(
                    "  {}: {}, {} ({}){}",
                    e.ecosystem,
                    advisories(e.records),
                    e.date,
                    age(Some(&e.date)),
                    if in_use { "" } else { "; superseded by imported data" }
                );
            }
            if sources.is_empty() {
                println!("imported: none (`binsight db update` downloads fresh crates.io and Go data; `binsight db import DIR_OR_ZIP` adds an OSV export offline)");
            } else {
                println!("imported (these supersede the snapshot for their ecosystems):");
            }
            for m in sources {
                let date = ymd(m.imported_at);
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
                    age(Some(&date)),
                    binsight_report::sanitize(&m.origin.to_string())
                );
            }
            println!();
            print!("{}", binsight_advisory::snapshot::NOTICE);
            Ok(EXIT_OK)
        }
    }
}

impl Common {
    pub(crate) fn fail_on(&self) -> Option<FailOn> {
        self.fail_on.map(|level| FailOn { level, unrated: self.fail_on_unrated })
    }
}

/// The findings of this report that trip --fail-on, as "ID in PATH (SEVERITY)".
fn fails(r: &BinaryReport, fail_on: Option<FailOn>) -> Vec<String> {
    let Some(FailOn { level, unrated }) = fail_on else { return Vec::new() };
    r.findings
        .iter()
        .flatten()
        .filter(|f| {
            f.applicability == binsight_model::Applicability::Affected
                && f.informational.is_none()
                && match f.severity {
                    Some(Severity::None) => false,
                    Some(s) => s >= level.severity(),
                    None => unrated,
                }
        })
        .map(|f| format!("{} in {} ({})", f.id, binsight_report::sanitize(&r.path), Severity::text(f.severity)))
        .collect()
}

#[derive(Subcommand)]
enum DbCommand {
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

const INSPECT_AFTER_HELP: &str = "\
FILE is read whole (symlinks followed: you named it). SIZE: bytes, or K, M, G, T (1K = 1024).
Exit codes: 0 every file reported; 1 some files could not be read, or an output could not be
written; 2 usage; 4 a finding at or above --fail-on. Details: README.md.";

const SCAN_AFTER_HELP: &str = "\
SOURCE is a path (an image is recognised by its contents) or SCHEME:REF with SCHEME one of
dir, file, docker-archive, oci-dir, oci-archive, registry. registry:[HOST[:PORT]/]REPO[:TAG|@DIGEST]
pulls over the OCI distribution API (no HOST: Docker Hub). An existing path holding ':' is a path;
write ./PATH, dir:PATH or file:PATH to be sure. SIZE: bytes, or K, M, G, T (binary: 1K = 1024).
Exit codes: 0 all reported; 1 some files unreadable, or an output unwritable; 2 usage;
3 a SOURCE could not be opened; 4 a finding at or above --fail-on. Details: README.md.";

#[derive(Subcommand)]
enum Command {
    /// The local advisory database (in $BINSIGHT_DATA or $XDG_DATA_HOME/binsight).
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Report on ELF files: arch, linkage, libc, toolchain, portability, hardening
    #[command(after_help = INSPECT_AFTER_HELP)]
    Inspect {
        /// ELF executables or shared libraries to inspect
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Scan directories, files and container images (archives, layouts, registries) for ELF files
    #[command(after_help = SCAN_AFTER_HELP)]
    Scan {
        /// DIR, FILE, image archive or layout, or SCHEME:REF (default: the $PATH directories)
        #[arg(value_name = "SOURCE")]
        sources: Vec<String>,
        #[command(flatten)]
        common: Common,
        /// No progress bar and no summary on stderr (errors still shown)
        #[arg(short, long, help_heading = "Output")]
        quiet: bool,
        /// Never draw a progress bar
        #[arg(long, help_heading = "Output")]
        no_progress: bool,
        /// Image platform to scan (default: linux/<this machine's arch>)
        #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_parser = args::platform, help_heading = "Images")]
        platform: Option<String>,
        /// Largest uncompressed image layer
        #[arg(long, default_value = "64G", value_parser = args::size, value_name = "SIZE", help_heading = "Images")]
        max_layer_size: u64,
        /// Plain HTTP to registries (loopback ones always get it)
        #[arg(long, help_heading = "Images")]
        plain_http: bool,
        /// JSON lines in walk order, at the end (default: as each finishes)
        #[arg(long, help_heading = "Output")]
        sort: bool,
        /// Worker threads (default: one per core)
        #[arg(short = 'j', long, value_name = "N", help_heading = "Limits")]
        jobs: Option<usize>,
    },
    /// Pack static executables (given, or built with --cargo) into a minimal, reproducible OCI
    /// image: the binary at /app/NAME as entrypoint, a non-root user, a CA bundle, /tmp; one
    /// image per platform under an index, each with its CycloneDX SBOM attached. Each binary is
    /// inspected first: dynamic or host-dependent ones are refused unless --allow-dynamic.
    /// Timestamps come from SOURCE_DATE_EPOCH (default 0): same inputs, same digests.
    Pack {
        #[command(flatten)]
        args: pack::PackArgs,
        /// No per-blob messages.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Show binsight's version, the git commit it was built from, the date of the advisory
    /// snapshot compiled in, and the version of its JSON output schema.
    Version {
        /// text, or json for one JSON object.
        #[arg(short, long, value_enum, default_value_t = meta::VersionFormat::Text, value_name = "FORMAT")]
        output: meta::VersionFormat,
    },
    /// Print a shell completion script to stdout, e.g.
    /// `binsight completion bash > ~/.local/share/bash-completion/completions/binsight`.
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print docs/configuration.md: every option with its variable, config key and default.
    #[command(hide = true)]
    HelpConfig,
}

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let (cli, notes) = match config::parse::<Cli>() {
        Ok(parsed) => parsed,
        Err(config::Error(e)) => {
            eprintln!("binsight: {}", binsight_report::sanitize(&e));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    logging::init(cli.global.verbose, started);
    for n in notes {
        log::debug!(target: "binsight::config", "{n}");
    }
    let result = run(cli);
    log::debug!("finished in {:?}", started.elapsed());
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::from(EXIT_OK),
        Err(e) => {
            // Errors quote paths, names and messages from the input: escaped, on one line.
            eprintln!("binsight: {}", binsight_report::sanitize(&format!("{e:#}")));
            ExitCode::from(fail::code(&e))
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Db { command } => db(command),
        Command::Inspect { files, common } => {
            set_detector_budget(&common);
            scan::inspect(&files, &common)
        }
        Command::Pack { args, quiet } => pack::pack(args, quiet),
        Command::Version { output } => meta::version(output),
        Command::Completion { shell } => meta::completion(shell, Cli::command()),
        Command::HelpConfig => meta::help_config(&Cli::command()),
        Command::Scan { sources, common, jobs, platform, max_layer_size, quiet, no_progress, plain_http, sort } => {
            set_detector_budget(&common);
            if let Some(j) = jobs {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(j.max(1))
                    .build_global()
                    .context("setting up worker threads")?;
            }
            let opts =
                scan::Options { platform, max_layer_size, quiet, progress: !quiet && !no_progress, plain_http, sort };
            scan::scan(sources, &common, &opts)
        }
    }
}

/// For a report whose ELF structure was partly unreadable: the stderr line (the run's exit code
/// becomes 1; the report itself is still printed, with the problems in `unknowns`).
fn partial_warning(r: &BinaryReport) -> Option<String> {
    let first = r.elf.warnings.first()?;
    let more = r.elf.warnings.len() - 1;
    let more = if more > 0 { format!(" (+{more} more)") } else { String::new() };
    Some(format!("binsight: {}: truncated or corrupt ELF, report is partial: {first}{more}", r.path))
}

/// Analyse one file's bytes and, with a database, audit it.
fn analyze_bytes(path: &str, data: &[u8], db: Option<&binsight_advisory::Database>) -> Result<BinaryReport, String> {
    let options = binsight_detect::Options {
        budget: DETECTOR_BUDGET.get().copied().unwrap_or_default(),
        go_functions: db.is_some(),
        ..binsight_detect::Options::default()
    };
    let mut r = binsight_detect::analyze_file(path, data, &options).map_err(|e| format!("{path}: {e}"))?;
    if let Some(db) = db {
        binsight_advisory::audit(&mut r, db);
    }
    // Working data for the audit only: not kept while the report waits for output.
    r.go_functions = None;
    Ok(r)
}

fn limits(common: &Common) -> binsight_source::Limits {
    binsight_source::Limits { max_file_size: common.max_file_size }
}
