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

use crate::output::{Run, Style};
use crate::{analyze_bytes, limits, Common};

pub struct Options {
    pub platform: Option<String>,
    pub max_layer_size: u64,
    pub quiet: bool,
    pub progress: bool,
    pub plain_http: bool,
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
    let mut run = Run::new(&common.output, common.fail_on(), db.is_some())?;
    run.set_database(db.as_ref());
    for f in files {
        let path = f.display().to_string();
        let result = binsight_source::read_file(f, &limits(common))
            .map_err(|e| e.to_string())
            .and_then(|data| analyze(&path, &data, db.as_ref()));
        match result {
            Ok(r) => run.report(r),
            Err(msg) => run.error(&path, &msg, None),
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

fn bar(total: u64, enabled: bool) -> Option<indicatif::ProgressBar> {
    if !enabled || !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
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
        log::debug!("source recognised: {s:?}");
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
    let mut run = Run::new(&common.output, common.fail_on(), common.auditing())?;
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
                    Ok(r) => run.report(r),
                    Err(m) => run.error(&path, &m, None),
                }
            }
            Source::Dir(d) => {
                let (found, errors, st) = binsight_source::walk_elf_files(&d);
                let db = lazy.get();
                non_elf += st.non_elf_skipped;
                symlinks += st.symlinks_skipped;
                for e in errors {
                    run.error(e.path(), &e.to_string(), None);
                }
                let total: u64 = found.iter().map(|c| c.size).sum();
                let b = bar(total, opts.progress);
                if let Some(b) = &b {
                    b.set_message(format!("{} ELF files", found.len()));
                }
                let limits = limits(common);
                // Largest files first: a big binary started last would leave the other cores
                // idle at the end. Reports keep the walk's order.
                // File contents in memory at once: 192 MiB, or one file larger than that.
                let budget = binsight_source::ByteBudget::new(192 << 20);
                let mut order: Vec<usize> = (0..found.len()).collect();
                order.sort_by_key(|&i| std::cmp::Reverse(found[i].size));
                let mut slots: Vec<(usize, Result<BinaryReport, String>)> = order
                    .par_iter()
                    .with_max_len(1)
                    .map(|&i| (i, &found[i]))
                    .map(|(i, c)| {
                        let path = c.path.display().to_string();
                        budget.acquire(c.size);
                        let r = with_buffer(|buf| {
                            binsight_source::read_candidate_into(c, &limits, buf)
                                .map_err(|e| e.to_string())
                                .and_then(|()| analyze(&path, buf, db))
                        });
                        budget.release(c.size);
                        if let Some(b) = &b {
                            b.inc(c.size);
                        }
                        (i, r)
                    })
                    .collect();
                slots.sort_unstable_by_key(|(i, _)| *i);
                let results = slots.into_iter().map(|(_, r)| r);
                if let Some(b) = b {
                    b.finish_and_clear();
                }
                for (c, r) in found.iter().zip(results) {
                    match r {
                        Ok(r) => run.report(r),
                        Err(m) => run.error(&c.path.display().to_string(), &m, None),
                    }
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
                let done = std::sync::atomic::AtomicBool::new(false);
                let scanned = std::thread::scope(|t| {
                    if let Some(b) = &b {
                        t.spawn(|| {
                            while !done.load(Ordering::Relaxed) {
                                b.set_length(progress.total.load(Ordering::Relaxed));
                                b.set_position(progress.bytes.load(Ordering::Relaxed));
                                b.set_message(format!("{} ELF files", progress.files.load(Ordering::Relaxed)));
                                std::thread::sleep(Duration::from_millis(100));
                            }
                        });
                    }
                    let r = image::scan_source(&src, opts.platform.as_deref(), &limits, &progress, |path, data| {
                        analyze(path, data, db)
                    });
                    done.store(true, Ordering::Relaxed);
                    r
                });
                if let Some(b) = b {
                    b.finish_and_clear();
                }
                let scanned = match scanned {
                    Ok(s) => s,
                    Err(e) => {
                        run.error(&shown, &format!("{e}"), None);
                        continue;
                    }
                };
                non_elf += scanned.non_elf;
                run.images.push(scanned.info);
                for f in scanned.files {
                    match f.result {
                        Ok(mut r) => {
                            // A hard link shares its target's analysis but has its own path.
                            r.path = f.path;
                            r.layer = Some(f.layer);
                            run.report(r)
                        }
                        Err(m) => run.error(&f.path, &m, Some(&f.layer)),
                    }
                }
                for e in scanned.errors {
                    let msg = if e.path.is_empty() {
                        format!("{shown}: layer {}: {}", e.layer.as_deref().unwrap_or("?"), e.reason)
                    } else {
                        format!("{shown}: {}: {}", e.path, e.reason)
                    };
                    run.error(&e.path, &msg, e.layer.as_deref());
                }
            }
        }
    }
    if common.auditing() {
        run.set_database(lazy.get());
    }
    let code = run.finish(Style::Scan)?;
    if !opts.quiet {
        eprintln!(
            "binsight: {} ELF files reported, {} errors, {} other files and {} symlinks skipped, {:.2}s",
            run.reports.len(),
            run.failed,
            non_elf,
            symlinks,
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
