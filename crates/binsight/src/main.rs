//! `binsight`: what is inside the Linux binaries you ship. Thin CLI over the library crates:
//! the command-line definition (commands, shared options, exit codes), `--fail-on`, and the
//! dispatch to each command's module.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use binsight_model::{BinaryReport, Severity};
use clap::{CommandFactory as _, Parser, Subcommand, ValueEnum};

mod analyze;
mod args;
mod config;
mod db;
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
    /// table|json|sarif|cyclonedx-json|spdx-json|openvex|cyclonedx-vex
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
    /// OpenVEX or CycloneDX VEX statements to apply (repeatable; implies --audit)
    #[arg(long, value_name = "FILE", help_heading = "Audit")]
    vex: Vec<PathBuf>,
    /// List the findings --vex and the config's [[ignore]] suppressed
    #[arg(long, help_heading = "Audit")]
    show_suppressed: bool,
    /// The author OpenVEX output names
    #[arg(long, value_name = "NAME", default_value = "binsight", help_heading = "Output")]
    vex_author: String,
    /// What --vex and the config's [[ignore]] suppress: read before the scan (`load_suppressions`).
    #[arg(skip)]
    suppressions: std::sync::Arc<binsight_advisory::vex::Suppressions>,
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
    /// Whether this run audits: --audit, or an option that needs it (--advisories,
    /// --fail-on, a SARIF output).
    pub(crate) fn auditing(&self) -> bool {
        self.audit
            || !self.advisories.is_empty()
            || !self.vex.is_empty()
            || self.fail_on.is_some()
            || self.output.iter().any(|o| o.format.needs_audit())
    }

    /// Whether files are hashed: an output prints each file's SHA-256 (JSON, the SBOMs, the VEX
    /// documents), or a suppression (--vex, [[ignore]]) may name a binary by it. The table and
    /// SARIF do not: a scan for them computes no hash.
    pub(crate) fn hashing(&self) -> bool {
        self.output.iter().any(|o| o.format.needs_hash()) || !self.suppressions.is_empty()
    }

    /// Read the --vex documents and the config's ignore entries (expired ones warned about and
    /// dropped) into `self.suppressions`. A document binsight cannot use is a usage error.
    fn load_suppressions(&mut self, extras: &config::Extras) -> Result<()> {
        let mut s = binsight_advisory::vex::Suppressions::default();
        for f in &self.vex {
            let shown = binsight_report::sanitize(&f.display().to_string()).into_owned();
            let loaded = s.load_file(f, &shown).map_err(|e| fail::usage(anyhow::anyhow!(e)))?;
            log::debug!(
                "--vex {shown}: {} {} ({} suppressing)",
                loaded.format,
                binsight_report::text::count(loaded.statements, "statement", "statements"),
                loaded.suppressing
            );
        }
        for w in &extras.expired {
            output::eprint_wrapped(&format!("binsight: warning: {w}"));
        }
        for e in &extras.ignore {
            s.add_ignore(e.clone());
        }
        self.suppressions = std::sync::Arc::new(s);
        Ok(())
    }
    /// The advisory database for --audit (None without it); load problems go to stderr.
    fn database(&self) -> Option<binsight_advisory::Database> {
        if !self.auditing() {
            return None;
        }
        let root = binsight_advisory::store::data_dir();
        let dirs: Vec<&std::path::Path> = self.advisories.iter().map(PathBuf::as_path).collect();
        let started = std::time::Instant::now();
        let (mut db, warnings) = binsight_advisory::load_for_audit(&root, &dirs);
        db.suppressions = (*self.suppressions).clone();
        log::debug!("advisory data loaded in {:?} (database {:?}, --advisories {dirs:?}):", started.elapsed(), root);
        for s in &db.sources {
            let date = s.date.as_deref().unwrap_or("date unknown");
            log::debug!("  {}: {} records for {} ({date})", s.origin, s.records, s.ecosystems.join(", "));
        }
        for w in &warnings {
            db::eprint_load_warning(w);
        }
        db::warn_stale(&db);
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

impl FailOn {
    /// The findings of this report that trip --fail-on, as "ID in PATH (SEVERITY)".
    pub(crate) fn tripped_by(self, r: &BinaryReport) -> Vec<String> {
        let FailOn { level, unrated } = self;
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
}

impl Common {
    /// When findings make the run exit 4 (`--fail-on`, `--fail-on-unrated`).
    pub(crate) fn fail_on(&self) -> Option<FailOn> {
        self.fail_on.map(|level| FailOn { level, unrated: self.fail_on_unrated })
    }
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
        command: db::DbCommand,
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
        /// Slowest registry transfer accepted (bytes/s)
        // The defaults (help text) are binsight-oci's DEFAULT_MIN_RATE and DEFAULT_RATE_WINDOW:
        // `tests::registry_defaults_are_the_librarys` holds them equal.
        #[arg(long, default_value = "10K", value_parser = args::size, value_name = "SIZE", help_heading = "Images")]
        registry_min_rate: u64,
        /// Window of the minimum rate; longest byte wait
        #[arg(long, default_value = "60s", value_parser = args::seconds, value_name = "SECONDS", help_heading = "Images")]
        registry_window: u64,
        /// JSON lines in walk order, at the end (default: as each finishes)
        #[arg(long, help_heading = "Output")]
        sort: bool,
        /// Worker threads (default: one per core)
        #[arg(short = 'j', long, value_name = "N", help_heading = "Limits")]
        jobs: Option<usize>,
    },
    /// Pack static executables (given, or built with --cargo) into a minimal, reproducible OCI
    /// image: the binary at /app/NAME as entrypoint, a non-root user, a CA bundle, /tmp; one
    /// image per platform under an index, each with its CycloneDX SBOM and (when the audit finds
    /// something) its OpenVEX attestation attached. Each binary is inspected and audited first:
    /// dynamic or host-dependent ones are refused unless --allow-dynamic.
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

/// Parse the command line over the config file and environment, run the command, and turn its
/// outcome into the exit code (errors on stderr, on one line).
/// glibc's malloc serves an allocation from its heap once the allocation is below its mmap
/// threshold, and raises that threshold (up to 32 MiB) each time it frees a mapped chunk: after
/// the first big file, the next file buffers of a scan came from the heaps of the worker
/// threads, where freed memory stays resident (an image scan peaked 85 MB higher than the
/// bytes it held). A fixed 1 MiB threshold keeps every file buffer mapped and returned when
/// freed, and trimming the heap above 1 MiB returns the rest. Not glibc (musl's malloc maps
/// big chunks already): nothing to tune.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn tune_allocator() {
    // SAFETY: mallopt takes two integers and touches only malloc's own settings; it is called
    // first thing in main, before any thread is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn main() -> ExitCode {
    tune_allocator();
    let started = std::time::Instant::now();
    let (cli, notes, extras) = match config::parse::<Cli>() {
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
    let result = run(cli, &extras);
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

/// Whether the error is a closed stdout (`binsight scan | head`): not a failure.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
}

/// Run the command given; its exit code.
fn run(cli: Cli, extras: &config::Extras) -> Result<u8> {
    match cli.command {
        Command::Db { command } => db::run_db_command(command),
        Command::Inspect { files, mut common } => {
            common.load_suppressions(extras)?;
            analyze::set_analysis(&common);
            scan::inspect_files(&files, &common)
        }
        Command::Pack { args, quiet } => pack::pack(args, quiet),
        Command::Version { output } => meta::version(output),
        Command::Completion { shell } => meta::completion(shell, Cli::command()),
        Command::HelpConfig => meta::help_config(&Cli::command()),
        Command::Scan {
            sources,
            mut common,
            jobs,
            platform,
            max_layer_size,
            quiet,
            no_progress,
            plain_http,
            registry_min_rate,
            registry_window,
            sort,
        } => {
            common.load_suppressions(extras)?;
            analyze::set_analysis(&common);
            if let Some(j) = jobs {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(j.max(1))
                    .build_global()
                    .context("setting up worker threads")?;
            }
            let opts = scan::Options {
                platform,
                max_layer_size,
                quiet,
                progress: !quiet && !no_progress,
                plain_http,
                min_rate: registry_min_rate,
                rate_window: std::time::Duration::from_secs(registry_window),
                sort,
            };
            scan::run_scan(sources, &common, &opts)
        }
    }
}

/// The file reader's limits: `--max-file-size`.
fn file_limits(common: &Common) -> binsight_source::Limits {
    binsight_source::Limits { max_file_size: common.max_file_size }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `scan`'s registry defaults, written as text for the help, are the registry client's.
    #[test]
    fn registry_defaults_are_the_librarys() {
        use binsight_source::registry::{DEFAULT_MIN_RATE, DEFAULT_RATE_WINDOW};
        let Cli { command: Command::Scan { registry_min_rate, registry_window, .. }, .. } =
            Cli::try_parse_from(["binsight", "scan"]).expect("`binsight scan` parses")
        else {
            panic!("`binsight scan` is not the scan command");
        };
        assert_eq!(registry_min_rate, DEFAULT_MIN_RATE);
        assert_eq!(registry_window, DEFAULT_RATE_WINDOW.as_secs());
    }
}
