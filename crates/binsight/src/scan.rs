//! The `inspect` and `scan` commands: files, directories and images to reports. A directory's
//! ELF files are read and analysed in parallel (largest first, within a memory budget); an
//! image's files come from the image reader; every result goes to the run's outputs.

mod progress;
mod sources;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Result;
use binsight_model::BinaryReport;
use binsight_source::image::{self, ImageSource};
use binsight_source::registry;
use rayon::prelude::*;

use self::progress::{byte_bar, polling, spinner};
use self::sources::{check_path, classify_source, default_dirs, Source};
use crate::analyze::{analyze_and_audit_isolated, read_and_analyze, FileError};
use crate::fail::{bail_usage, Mark as _};
use crate::output::{Item, Run, Style};
use crate::{file_limits, Common, EXIT_SOURCE};

/// How `scan` reads images and reports progress (its options beyond [`Common`]).
pub struct Options {
    pub platform: Option<String>,
    pub max_layer_size: u64,
    pub quiet: bool,
    pub progress: bool,
    pub plain_http: bool,
    /// Registry blobs: the slowest rate accepted (bytes/s) and the window it is averaged over.
    pub min_rate: u64,
    pub rate_window: std::time::Duration,
    /// JSON lines in the sources' order, at the end (else as each file finishes).
    pub sort: bool,
}

/// Run `f` with this thread's reusable file buffer. Buffers over 32 MiB are given back after
/// use, so memory stays bounded by the files in flight (see the budget), not by the largest
/// file each thread has seen: most files are small, and those reuse the buffer.
fn with_buffer<T>(f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with(|b| match b.try_borrow_mut() {
        Ok(mut buf) => {
            let r = f(&mut buf);
            if buf.capacity() > 32 << 20 {
                *buf = Vec::new();
            }
            r
        }
        Err(_) => f(&mut Vec::new()),
    })
}

/// How `common` asks outputs to be written (streaming decided by the command).
fn output_options(common: &Common) -> crate::output::Options {
    crate::output::Options {
        color: common.color,
        stream: true,
        show_suppressed: common.show_suppressed,
        vex_author: common.vex_author.clone(),
    }
}

/// The outputs asked for, checked (usage errors).
fn new_run(common: &Common, audited: bool, opts: crate::output::Options) -> Result<Run> {
    crate::args::distinct_outputs(&common.output).usage()?;
    // Usage errors are marked where they arise; a file that cannot be created is a runtime error.
    Run::new(&common.output, common.fail_on(), audited, opts)
}

/// The `inspect` command: report on each FILE in the order given, then write the outputs; the
/// exit code.
pub fn inspect_files(files: &[PathBuf], common: &Common) -> Result<u8> {
    // Files are read in the order given: JSON lines stream in that order.
    let opts = crate::output::Options { stream: true, ..output_options(common) };
    let mut run = new_run(common, common.auditing(), opts)?;
    let db = common.database();
    run.set_database(db.as_ref());
    for f in files {
        report_file(&mut run, f, common, db.as_ref())?;
    }
    run.finish(Style::Inspect)
}

/// Read, analyse and audit one file named on the command line, and add its report (or its
/// error) to the run.
fn report_file(run: &mut Run, file: &Path, common: &Common, db: Option<&binsight_advisory::Database>) -> Result<()> {
    match read_and_analyze(file, common, db) {
        Ok(r) => run.report(r),
        Err(e) => run.error(&file.display().to_string(), &e.to_string(), None),
    }
}

/// The `scan` command: recognise the SOURCE arguments (default: the directories on $PATH),
/// scan each, write the outputs and a summary; the exit code.
pub fn run_scan(sources: Vec<String>, common: &Common, opts: &Options) -> Result<u8> {
    let started = Instant::now();
    let sources: Vec<Source> = if sources.is_empty() {
        let d = default_dirs();
        if d.is_empty() {
            bail_usage!("no SOURCE given and no directory on $PATH exists; name one: binsight scan DIR");
        }
        if !opts.quiet {
            eprintln!(
                "binsight: scanning the directories on $PATH: {}",
                binsight_report::sanitize(&d.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" "))
            );
        }
        d.into_iter().map(Source::Dir).collect()
    } else {
        sources.iter().map(|s| classify_source(s)).collect::<Result<_>>()?
    };
    // A path named with a scheme must be there (and a dir: a directory).
    let sources: Vec<Source> = sources.into_iter().map(check_path).collect();
    for s in &sources {
        log::debug!("source recognised: {s:?}");
    }
    // The advisory database loads on another thread while the first directory is walked.
    std::thread::scope(|scope| scan_all_sources(sources, common, opts, started, &LazyDb::start(scope, common)))
}

/// The advisory database, loading in the background until first needed.
struct LazyDb<'s> {
    loading: std::sync::Mutex<Option<std::thread::ScopedJoinHandle<'s, Option<binsight_advisory::Database>>>>,
    db: std::sync::OnceLock<Option<binsight_advisory::Database>>,
}

impl<'s> LazyDb<'s> {
    /// Start loading the database for `common` on a thread of `scope`.
    fn start<'e>(scope: &'s std::thread::Scope<'s, 'e>, common: &'s Common) -> Self {
        LazyDb { loading: std::sync::Mutex::new(Some(scope.spawn(|| common.database()))), db: Default::default() }
    }

    /// The database (None when not auditing), waiting for it the first time.
    fn get(&self) -> Option<&binsight_advisory::Database> {
        self.db
            .get_or_init(|| {
                let h = self.loading.lock().unwrap_or_else(|e| e.into_inner()).take();
                h.and_then(|h| h.join().ok()).flatten()
            })
            .as_ref()
    }
}

/// One scan in progress: the run collecting results, and the counts for the summary.
struct Scan<'a, 's> {
    run: Run,
    common: &'a Common,
    opts: &'a Options,
    lazy: &'a LazyDb<'s>,
    /// Files passed over because they are not ELF.
    non_elf: u64,
    /// Symbolic links passed over in directories.
    symlinks: u64,
    /// Sources that could not be opened at all: the run exits 3.
    unopened: usize,
}

/// Scan every source in order, then write the outputs and the summary; the exit code.
fn scan_all_sources(
    sources: Vec<Source>,
    common: &Common,
    opts: &Options,
    started: Instant,
    lazy: &LazyDb<'_>,
) -> Result<u8> {
    let out = crate::output::Options { stream: !opts.sort, ..output_options(common) };
    let run = new_run(common, common.auditing(), out)?;
    let mut scan = Scan { run, common, opts, lazy, non_elf: 0, symlinks: 0, unopened: 0 };
    for s in sources {
        scan.scan_one_source(s)?;
    }
    if common.auditing() {
        scan.run.set_database(lazy.get());
    }
    let code = scan.run.finish(Style::Scan)?;
    if !opts.quiet {
        scan.print_summary(started);
    }
    Ok(if scan.unopened > 0 { EXIT_SOURCE } else { code })
}

impl Scan<'_, '_> {
    /// Scan one recognised source, adding its reports and errors to the run.
    fn scan_one_source(&mut self, source: Source) -> Result<()> {
        match source {
            Source::Unopenable(path, why) => {
                self.unopened += 1;
                self.run.error(&path, &why, None)
            }
            Source::File(p) => report_file(&mut self.run, &p, self.common, self.lazy.get()),
            Source::Dir(d) => self.scan_directory(&d),
            Source::Image(p, kind) => self.scan_image(ImageSource::Path(p, kind)),
            Source::Registry(r) => {
                let options = registry::RegistryOptions {
                    plain_http: self.opts.plain_http,
                    auth_files: None,
                    min_rate: self.opts.min_rate,
                    rate_window: self.opts.rate_window,
                    ..Default::default()
                };
                self.scan_image(ImageSource::Registry(r, options))
            }
        }
    }

    /// Walk a directory for ELF files (a spinner meanwhile), then analyse them in parallel.
    fn scan_directory(&mut self, d: &Path) -> Result<()> {
        let walked = binsight_source::WalkProgress::default();
        let spin = spinner(self.opts.progress);
        let shown = binsight_report::sanitize(&d.display().to_string()).into_owned();
        let (found, errors, st) = polling(
            spin.as_ref(),
            |b| {
                use binsight_report::text::count;
                let seen = walked.files_seen.load(Ordering::Relaxed) as usize;
                let elf = walked.elf_found.load(Ordering::Relaxed) as usize;
                b.set_message(format!(
                    "{shown}: {} seen, {} found",
                    count(seen, "file", "files"),
                    count(elf, "ELF file", "ELF files")
                ));
            },
            || binsight_source::walk_elf_files_with_progress(d, &walked),
        );
        if let Some(s) = spin {
            s.finish_and_clear();
        }
        let db = self.lazy.get();
        self.non_elf += st.non_elf_skipped;
        self.symlinks += st.symlinks_skipped;
        for e in errors {
            self.run.error(e.path(), &e.to_string(), None)?;
        }
        // A root filesystem's package database, when it has one: which package installed what.
        let packages = binsight_source::pkgdb::PackageDb::from_root(d);
        if let Some(p) = &packages {
            for why in &p.problems {
                self.run.error(&shown, &format!("package database: {why}"), None)?;
            }
        }
        self.analyze_candidates(&found, db, packages.as_ref().map(|p| (d, p)))
    }

    /// Read and analyse a directory's ELF files on the worker threads (a byte bar meanwhile).
    /// Results are announced (JSON lines) as they finish, and kept in the walk's order for the
    /// other outputs.
    fn analyze_candidates(
        &mut self,
        found: &[binsight_source::Candidate],
        db: Option<&binsight_advisory::Database>,
        packages: Option<(&Path, &binsight_source::pkgdb::PackageDb)>,
    ) -> Result<()> {
        let total: u64 = found.iter().map(|c| c.size).sum();
        let b = byte_bar(total, self.opts.progress);
        if let Some(b) = &b {
            b.set_message(binsight_report::text::count(found.len(), "ELF file", "ELF files"));
        }
        self.run.set_bar(b.clone());
        let limits = file_limits(self.common);
        // Set when the output is gone (a closed pipe): the files not started are skipped.
        let stop = AtomicBool::new(false);
        let mut slots: Vec<Option<Item>> = (0..found.len()).map(|_| None).collect();
        let announced = std::thread::scope(|t| -> Result<()> {
            let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<BinaryReport, FileError>)>();
            let (limits, bar, stop) = (&limits, &b, &stop);
            t.spawn(move || analyze_largest_first(found, limits, db, bar.as_ref(), stop, &tx));
            for (i, r) in rx {
                let item = match r {
                    Ok(mut r) => {
                        if let Some((root, p)) = packages {
                            if let Ok(rel) = found[i].path.strip_prefix(root) {
                                let in_root = format!("/{}", rel.display());
                                crate::analyze::attribute_package(&mut r, &in_root, p, db);
                            }
                        }
                        Item::Report(Box::new(r))
                    }
                    Err(e) => Item::error(&found[i].path.display().to_string(), &e.to_string(), None),
                };
                if let Err(e) = self.run.emit(&item) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
                slots[i] = Some(item);
            }
            Ok(())
        });
        self.run.set_bar(None);
        if let Some(b) = b {
            b.finish_and_clear();
        }
        announced?;
        for item in slots.into_iter().flatten() {
            self.run.store(item);
        }
        Ok(())
    }

    /// Read an image (or pull it from a registry) and analyse its files (a byte bar meanwhile);
    /// an image that cannot be opened is this source's error (the run exits 3).
    fn scan_image(&mut self, src: ImageSource) -> Result<()> {
        let db = self.lazy.get();
        let shown = src.to_string();
        let limits = image::ImageLimits {
            max_file_size: self.common.max_file_size,
            max_layer_size: self.opts.max_layer_size,
            ..Default::default()
        };
        let progress = image::Progress::default();
        let b = byte_bar(0, self.opts.progress);
        let scanned = polling(
            b.as_ref(),
            |b| {
                b.set_length(progress.total.load(Ordering::Relaxed));
                b.set_position(progress.bytes.load(Ordering::Relaxed));
                let files = progress.files.load(Ordering::Relaxed) as usize;
                b.set_message(binsight_report::text::count(files, "ELF file", "ELF files"));
            },
            || {
                image::scan_source(&src, self.opts.platform.as_deref(), &limits, &progress, |image, path, data| {
                    analyze_and_audit_isolated(path, data, Some(image), db)
                })
            },
        );
        if let Some(b) = b {
            b.finish_and_clear();
        }
        match scanned {
            Ok(scanned) => self.report_image(&shown, scanned),
            Err(e) => {
                self.unopened += 1;
                self.run.error(&shown, &format!("{e}"), None)
            }
        }
    }

    /// Add a scanned image to the run: its facts, its files' reports and errors, then the errors
    /// about its layers or entries. `shown` names the image.
    fn report_image(&mut self, shown: &str, scanned: image::ImageScan<Result<BinaryReport, FileError>>) -> Result<()> {
        self.non_elf += scanned.non_elf;
        // An image's files are known once its last layer is read (a later layer may delete a
        // file): they are announced together, after the image's line.
        self.run.image(scanned.info)?;
        let packages = (!scanned.db_files.is_empty())
            .then(|| binsight_source::pkgdb::PackageDb::from_files(&scanned.db_files))
            .filter(|p| !p.is_empty());
        let db = self.lazy.get();
        let mut files: Vec<(String, String, Result<BinaryReport, FileError>)> = Vec::new();
        for f in scanned.files {
            let result = f.result.map(|mut r| {
                if let Some(p) = &packages {
                    crate::analyze::attribute_package(&mut r, &f.path, p, db);
                }
                // A hard link shares its target's analysis but has its own path.
                r.path = f.path.clone();
                r.layer = Some(f.layer.clone());
                r
            });
            files.push((f.path, f.layer, result));
        }
        // Dynamic binaries: what the shared libraries they load from this image carry.
        crate::analyze::resolve_shared_libraries(&mut files, &scanned.db_files, &scanned.symlinks, db);
        for (path, layer, result) in files {
            match result {
                Ok(r) => self.run.report(r)?,
                Err(e) => self.run.error(&path, &e.to_string(), Some(&layer))?,
            }
        }
        for e in scanned.errors {
            // An error about a whole layer (or the image) names the image as its path.
            let (path, msg) = match (e.path.is_empty(), e.layer.as_deref()) {
                (true, Some(l)) => (shown.to_string(), format!("{shown}: layer {l}: {}", e.reason)),
                (true, None) => (shown.to_string(), format!("{shown}: {}", e.reason)),
                (false, _) => (e.path.clone(), format!("{shown}: {}: {}", e.path, e.reason)),
            };
            self.run.error(&path, &msg, e.layer.as_deref())?;
        }
        Ok(())
    }

    /// The closing line on stderr: files reported, errors, files passed over, time taken.
    fn print_summary(&self, started: Instant) {
        use binsight_report::text::count;
        crate::output::eprint_wrapped(&format!(
            "binsight: {} reported, {}, {} and {} skipped, {:.2}s",
            count(self.run.reports.len(), "ELF file", "ELF files"),
            count(self.run.failed, "error", "errors"),
            count(self.non_elf as usize, "other file", "other files"),
            count(self.symlinks as usize, "symlink", "symlinks"),
            started.elapsed().as_secs_f64()
        ));
    }
}

/// Read and analyse `found` on the worker threads, largest first (a big binary started last
/// would leave the other cores idle at the end), with at most 192 MiB of file contents in
/// memory at once (or one file larger than that): a file that does not fit yet lets smaller
/// ones go ahead ([`binsight_source::SizedQueue`]). Each result is sent with its index in
/// `found`; once `stop` is set, the files not started are skipped.
fn analyze_largest_first(
    found: &[binsight_source::Candidate],
    limits: &binsight_source::Limits,
    db: Option<&binsight_advisory::Database>,
    bar: Option<&indicatif::ProgressBar>,
    stop: &AtomicBool,
    tx: &std::sync::mpsc::Sender<(usize, Result<BinaryReport, FileError>)>,
) {
    let queue = binsight_source::SizedQueue::new(found.iter().map(|c| c.size).enumerate(), 192 << 20);
    let workers = rayon::current_num_threads().min(found.len());
    (0..workers).into_par_iter().with_max_len(1).for_each_with(tx.clone(), |tx, _| {
        while let Some((i, size)) = queue.next() {
            if stop.load(Ordering::Relaxed) {
                queue.clear();
                queue.done(size);
                return;
            }
            let c = &found[i];
            let path = c.path.display().to_string();
            let r = with_buffer(|buf| match binsight_source::read_candidate_into(c, limits, buf) {
                Ok(()) => analyze_and_audit_isolated(&path, buf, None, db),
                Err(e) => Err(FileError::from(e)),
            });
            queue.done(size);
            if let Some(b) = bar {
                b.inc(c.size);
            }
            // The receiver is gone only when the run is stopping.
            let _ = tx.send((i, r));
        }
    });
}
