//! `inspect` and `scan`: sources to reports.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use binsight_model::BinaryReport;
use binsight_source::image::{self, ImageKind, ImageSource};
use binsight_source::registry;
use rayon::prelude::*;
use sha2::Digest as _;

use crate::output::{Item, Run, Style};
use crate::{analyze_bytes, limits, Common};

pub struct Options {
    pub platform: Option<String>,
    pub max_layer_size: u64,
    pub quiet: bool,
    pub progress: bool,
    pub plain_http: bool,
    /// JSON lines in the sources' order, at the end (else as each file finishes).
    pub sort: bool,
}

/// Analyse one file's bytes and record its hash.
fn analyze(path: &str, data: &[u8], db: Option<&binsight_advisory::Database>) -> Result<BinaryReport, String> {
    let mut r = analyze_bytes(path, data, db)?;
    r.sha256 = format!("{:x}", sha2::Sha256::digest(data));
    Ok(r)
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

pub fn inspect(files: &[PathBuf], common: &Common) -> Result<u8> {
    let db = common.database();
    // Files are read in the order given: JSON lines stream in that order.
    let opts = crate::output::Options { color: common.color, stream: true };
    let mut run = Run::new(&common.output, common.fail_on(), db.is_some(), opts)?;
    run.set_database(db.as_ref());
    for f in files {
        let path = f.display().to_string();
        let result = binsight_source::read_file(f, &limits(common))
            .map_err(|e| e.to_string())
            .and_then(|data| analyze(&path, &data, db.as_ref()));
        match result {
            Ok(r) => run.report(r)?,
            Err(msg) => run.error(&path, &msg, None)?,
        }
    }
    run.finish(Style::Inspect)
}

/// What one SOURCE argument names.
#[derive(Debug, PartialEq, Eq)]
enum Source {
    Dir(PathBuf),
    File(PathBuf),
    Image(PathBuf, ImageKind),
    Registry(registry::Reference),
}

fn classify(s: &str) -> Result<Source> {
    if let Some((scheme, rest)) = s.split_once(':') {
        let p = PathBuf::from(rest);
        match scheme {
            "dir" => return Ok(Source::Dir(p)),
            "file" => return Ok(Source::File(p)),
            "docker-archive" => return Ok(Source::Image(p, ImageKind::DockerArchive)),
            "oci-dir" => return Ok(Source::Image(p, ImageKind::OciDir)),
            "oci-archive" => return Ok(Source::Image(p, ImageKind::OciArchive)),
            "registry" | "docker" => {
                let rest = rest.strip_prefix("//").unwrap_or(rest);
                return registry::parse_reference(rest).map(Source::Registry).map_err(|e| anyhow::anyhow!("{e}"));
            }
            // Not a scheme we know: a path that happens to hold ':'.
            _ => {}
        }
    }
    let p = PathBuf::from(s);
    let m = std::fs::metadata(&p).with_context(|| format!("{s}: cannot scan"))?;
    Ok(match image::detect(&p) {
        Some(kind) => Source::Image(p, kind),
        None if m.is_dir() => Source::Dir(p),
        None => Source::File(p),
    })
}

/// The default scan target: the directories on $PATH that exist, without duplicates.
fn default_dirs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = Vec::new();
    for d in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        let real = std::fs::canonicalize(&d).unwrap_or(d.clone());
        if real.is_dir() && !v.iter().any(|x| std::fs::canonicalize(x).ok().as_ref() == Some(&real)) {
            v.push(d);
        }
    }
    v
}

/// Whether progress may be drawn: asked for, stderr a terminal, not on CI.
fn progress_shown(enabled: bool) -> bool {
    enabled && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

fn bar(total: u64, enabled: bool) -> Option<indicatif::ProgressBar> {
    if !progress_shown(enabled) {
        return None;
    }
    let b = indicatif::ProgressBar::new(total);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(b)
}

/// A spinner with a message, for work whose size is not known yet (a directory walk).
fn spinner(enabled: bool) -> Option<indicatif::ProgressBar> {
    if !progress_shown(enabled) {
        return None;
    }
    let b = indicatif::ProgressBar::new_spinner();
    b.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    b.enable_steady_tick(Duration::from_millis(100));
    Some(b)
}

/// Run `work` while another thread refreshes `bar` with `update` every 100 ms.
fn polling<T>(
    bar: Option<&indicatif::ProgressBar>,
    update: impl Fn(&indicatif::ProgressBar) + Sync,
    work: impl FnOnce() -> T,
) -> T {
    let Some(b) = bar else { return work() };
    std::thread::scope(|t| {
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let update = &update;
        t.spawn(move || {
            // Wakes when `done` is dropped (work over, or unwinding), else every 100 ms.
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(Duration::from_millis(100)) {
                update(b);
            }
        });
        let r = work();
        drop(done);
        r
    })
}

pub fn scan(sources: Vec<String>, common: &Common, opts: &Options) -> Result<u8> {
    let started = Instant::now();
    let sources: Vec<Source> = if sources.is_empty() {
        let d = default_dirs();
        if d.is_empty() {
            bail!("no SOURCE given and no directory on $PATH exists; name one: binsight scan DIR");
        }
        if !opts.quiet {
            eprintln!(
                "binsight: scanning the directories on $PATH: {}",
                d.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" ")
            );
        }
        d.into_iter().map(Source::Dir).collect()
    } else {
        sources.iter().map(|s| classify(s)).collect::<Result<_>>()?
    };
    for s in &sources {
        if let Source::Dir(d) = s {
            let m = std::fs::metadata(d).with_context(|| format!("{}: cannot scan", d.display()))?;
            if !m.is_dir() {
                bail!("{}: not a directory; scan file:{} for a single file", d.display(), d.display());
            }
        }
    }
    // The advisory database loads on another thread while the first directory is walked.
    std::thread::scope(|scope| scan_sources(sources, common, opts, started, &LazyDb::start(scope, common)))
}

/// The advisory database, loading in the background until first needed.
struct LazyDb<'s> {
    loading: std::sync::Mutex<Option<std::thread::ScopedJoinHandle<'s, Option<binsight_advisory::Database>>>>,
    db: std::sync::OnceLock<Option<binsight_advisory::Database>>,
}

impl<'s> LazyDb<'s> {
    fn start<'e>(scope: &'s std::thread::Scope<'s, 'e>, common: &'s Common) -> Self {
        LazyDb { loading: std::sync::Mutex::new(Some(scope.spawn(|| common.database()))), db: Default::default() }
    }

    fn get(&self) -> Option<&binsight_advisory::Database> {
        self.db
            .get_or_init(|| {
                let h = self.loading.lock().unwrap_or_else(|e| e.into_inner()).take();
                h.and_then(|h| h.join().ok()).flatten()
            })
            .as_ref()
    }
}

fn scan_sources(
    sources: Vec<Source>,
    common: &Common,
    opts: &Options,
    started: Instant,
    lazy: &LazyDb<'_>,
) -> Result<u8> {
    let out = crate::output::Options { color: common.color, stream: !opts.sort };
    let mut run = Run::new(&common.output, common.fail_on(), common.auditing(), out)?;
    let mut non_elf = 0u64;
    let mut symlinks = 0u64;
    for s in sources {
        match s {
            Source::File(p) => {
                let db = lazy.get();
                let path = p.display().to_string();
                match binsight_source::read_file(&p, &limits(common))
                    .map_err(|e| e.to_string())
                    .and_then(|data| analyze(&path, &data, db))
                {
                    Ok(r) => run.report(r)?,
                    Err(m) => run.error(&path, &m, None)?,
                }
            }
            Source::Dir(d) => {
                let walked = binsight_source::WalkProgress::default();
                let spin = spinner(opts.progress);
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
                    || binsight_source::walk_elf_files_with_progress(&d, &walked),
                );
                if let Some(s) = spin {
                    s.finish_and_clear();
                }
                let db = lazy.get();
                non_elf += st.non_elf_skipped;
                symlinks += st.symlinks_skipped;
                for e in errors {
                    run.error(e.path(), &e.to_string(), None)?;
                }
                let total: u64 = found.iter().map(|c| c.size).sum();
                let b = bar(total, opts.progress);
                if let Some(b) = &b {
                    b.set_message(binsight_report::text::count(found.len(), "ELF file", "ELF files"));
                }
                run.set_bar(b.clone());
                let limits = limits(common);
                // Largest files first: a big binary started last would leave the other cores
                // idle at the end. Results are announced (JSON lines) as they finish, and kept
                // in the walk's order for the other outputs.
                // File contents in memory at once: 192 MiB, or one file larger than that.
                let budget = binsight_source::ByteBudget::new(192 << 20);
                let mut order: Vec<usize> = (0..found.len()).collect();
                order.sort_by_key(|&i| std::cmp::Reverse(found[i].size));
                // Set when the output is gone (a closed pipe): the files not started are skipped.
                let stop = std::sync::atomic::AtomicBool::new(false);
                let mut slots: Vec<Option<Item>> = (0..found.len()).map(|_| None).collect();
                let announced = std::thread::scope(|t| -> Result<()> {
                    let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<BinaryReport, String>)>();
                    let (found, order, budget, limits, bar, stop) = (&found, &order, &budget, &limits, &b, &stop);
                    t.spawn(move || {
                        order.par_iter().with_max_len(1).for_each_with(tx, |tx, &i| {
                            if stop.load(Ordering::Relaxed) {
                                return;
                            }
                            let c = &found[i];
                            let path = c.path.display().to_string();
                            budget.acquire(c.size);
                            let r = with_buffer(|buf| {
                                binsight_source::read_candidate_into(c, limits, buf)
                                    .map_err(|e| e.to_string())
                                    .and_then(|()| analyze(&path, buf, db))
                            });
                            budget.release(c.size);
                            if let Some(b) = bar {
                                b.inc(c.size);
                            }
                            // The receiver is gone only when the run is stopping.
                            let _ = tx.send((i, r));
                        });
                    });
                    for (i, r) in rx {
                        let item = match r {
                            Ok(r) => Item::Report(Box::new(r)),
                            Err(m) => Item::error(&found[i].path.display().to_string(), &m, None),
                        };
                        if let Err(e) = run.emit(&item) {
                            stop.store(true, Ordering::Relaxed);
                            return Err(e);
                        }
                        slots[i] = Some(item);
                    }
                    Ok(())
                });
                run.set_bar(None);
                if let Some(b) = b {
                    b.finish_and_clear();
                }
                announced?;
                for item in slots.into_iter().flatten() {
                    run.store(item);
                }
            }
            src @ (Source::Image(..) | Source::Registry(_)) => {
                let db = lazy.get();
                let src = match src {
                    Source::Image(p, kind) => ImageSource::Path(p, kind),
                    Source::Registry(r) => ImageSource::Registry(
                        r,
                        registry::RegistryOptions { plain_http: opts.plain_http, auth_files: None },
                    ),
                    _ => unreachable!("matched above"),
                };
                let shown = src.to_string();
                let limits = image::ImageLimits {
                    max_file_size: common.max_file_size,
                    max_layer_size: opts.max_layer_size,
                    ..Default::default()
                };
                let progress = image::Progress::default();
                let b = bar(0, opts.progress);
                let scanned = polling(
                    b.as_ref(),
                    |b| {
                        b.set_length(progress.total.load(Ordering::Relaxed));
                        b.set_position(progress.bytes.load(Ordering::Relaxed));
                        let files = progress.files.load(Ordering::Relaxed) as usize;
                        b.set_message(binsight_report::text::count(files, "ELF file", "ELF files"));
                    },
                    || {
                        image::scan_source(&src, opts.platform.as_deref(), &limits, &progress, |path, data| {
                            analyze(path, data, db)
                        })
                    },
                );
                if let Some(b) = b {
                    b.finish_and_clear();
                }
                let scanned = match scanned {
                    Ok(s) => s,
                    Err(e) => {
                        run.error(&shown, &format!("{e}"), None)?;
                        continue;
                    }
                };
                non_elf += scanned.non_elf;
                // An image's files are known once its last layer is read (a later layer may
                // delete a file): they are announced together, after the image's line.
                run.image(scanned.info)?;
                for f in scanned.files {
                    match f.result {
                        Ok(mut r) => {
                            // A hard link shares its target's analysis but has its own path.
                            r.path = f.path;
                            r.layer = Some(f.layer);
                            run.report(r)?
                        }
                        Err(m) => run.error(&f.path, &m, Some(&f.layer))?,
                    }
                }
                for e in scanned.errors {
                    let msg = if e.path.is_empty() {
                        format!("{shown}: layer {}: {}", e.layer.as_deref().unwrap_or("?"), e.reason)
                    } else {
                        format!("{shown}: {}: {}", e.path, e.reason)
                    };
                    run.error(&e.path, &msg, e.layer.as_deref())?;
                }
            }
        }
    }
    if common.auditing() {
        run.set_database(lazy.get());
    }
    let code = run.finish(Style::Scan)?;
    if !opts.quiet {
        use binsight_report::text::count;
        eprintln!(
            "binsight: {} reported, {}, {} and {} skipped, {:.2}s",
            count(run.reports.len(), "ELF file", "ELF files"),
            count(run.failed, "error", "errors"),
            count(non_elf as usize, "other file", "other files"),
            count(symlinks as usize, "symlink", "symlinks"),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_plain_paths() {
        assert_eq!(
            classify("docker-archive:/x/img.tar").ok(),
            Some(Source::Image("/x/img.tar".into(), ImageKind::DockerArchive))
        );
        assert_eq!(classify("oci-dir:o").ok(), Some(Source::Image("o".into(), ImageKind::OciDir)));
        assert_eq!(classify("dir:/usr/bin").ok(), Some(Source::Dir("/usr/bin".into())));
        assert!(matches!(classify("registry:localhost:5000/x:1"), Ok(Source::Registry(r)) if r.reference == "1"));
        assert!(classify("registry:alpine:3").is_err_and(|e| e.to_string().contains("registry host")));
        let here = env!("CARGO_MANIFEST_DIR");
        assert_eq!(classify(here).ok(), Some(Source::Dir(here.into())));
    }
}
