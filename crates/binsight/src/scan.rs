//! `inspect` and `scan`: sources to reports.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Result;
use binsight_model::BinaryReport;
use binsight_source::image::{self, ImageKind, ImageSource};
use binsight_source::registry;
use rayon::prelude::*;

use crate::fail::{bail_usage, Mark as _};
use crate::output::{Item, Run, Style};
use crate::{analyze_bytes, limits, Common, EXIT_SOURCE};

pub struct Options {
    pub platform: Option<String>,
    pub max_layer_size: u64,
    pub quiet: bool,
    pub progress: bool,
    pub plain_http: bool,
    /// JSON lines in the sources' order, at the end (else as each file finishes).
    pub sort: bool,
}

/// Analyse one file's bytes (its hash too). A panic in the analysis (a bug: none is known,
/// and fuzzing looks for them) becomes this file's error, so the rest of the scan is reported.
fn analyze(path: &str, data: &[u8], db: Option<&binsight_advisory::Database>) -> Result<BinaryReport, String> {
    let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyze_bytes(path, data, db)));
    analysed.unwrap_or_else(|_| {
        Err(format!("{path}: internal error while analysing this file (a bug in binsight; please report it)"))
    })
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

/// The outputs asked for, checked (usage errors).
fn new_run(common: &Common, audited: bool, opts: crate::output::Options) -> Result<Run> {
    crate::args::distinct_outputs(&common.output).map_err(anyhow::Error::msg).usage()?;
    // Usage errors are marked where they arise; a file that cannot be created is a runtime error.
    Run::new(&common.output, common.fail_on(), audited, opts)
}

pub fn inspect(files: &[PathBuf], common: &Common) -> Result<u8> {
    // Files are read in the order given: JSON lines stream in that order.
    let opts = crate::output::Options { color: common.color, stream: true };
    let mut run = new_run(common, common.auditing(), opts)?;
    let db = common.database();
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
    /// A path that cannot be scanned at all (missing, not a directory): (the argument, why).
    /// Reported like a file error, and the run exits 3.
    Unopenable(String, String),
}

/// The schemes a SOURCE may start with.
const SCHEMES: [&str; 6] = ["dir", "file", "docker-archive", "oci-dir", "oci-archive", "registry"];

/// The schemes an unknown `word:` probably meant: other tools' names for them, else typos.
fn suggest(word: &str) -> Vec<&'static str> {
    let w = word.to_ascii_lowercase().replace('_', "-");
    let alias: &[&'static str] = match w.as_str() {
        "oci" | "oci-layout" => &["oci-dir", "oci-archive"],
        "docker" | "docker-daemon" | "podman" | "containerd" | "containers-storage" => &["docker-archive", "registry"],
        "tar" | "archive" | "tarball" => &["docker-archive", "oci-archive"],
        "http" | "https" | "reg" | "oci-registry" => &["registry"],
        "directory" | "folder" | "path" | "rootfs" => &["dir"],
        _ => &[],
    };
    if !alias.is_empty() {
        return alias.to_vec();
    }
    let scored: Vec<(usize, &'static str)> = SCHEMES.iter().map(|k| (crate::config::distance(&w, k), *k)).collect();
    let best = scored.iter().map(|(d, _)| *d).min().unwrap_or(usize::MAX);
    scored.into_iter().filter(|(d, k)| *d == best && *d <= (k.len() / 3).max(2)).map(|(_, k)| k).collect()
}

/// Does `w` look like a scheme name (a word, not part of a path)?
fn scheme_like(w: &str) -> bool {
    w.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn classify(s: &str) -> Result<Source> {
    if let Some((scheme, rest)) = s.split_once(':') {
        let p = PathBuf::from(rest);
        if SCHEMES.contains(&scheme) && rest.is_empty() {
            bail_usage!("{s}: give what to scan after '{scheme}:'");
        }
        match scheme {
            "dir" => return Ok(Source::Dir(p)),
            "file" => return Ok(Source::File(p)),
            "docker-archive" => return Ok(Source::Image(p, ImageKind::DockerArchive)),
            "oci-dir" => return Ok(Source::Image(p, ImageKind::OciDir)),
            "oci-archive" => return Ok(Source::Image(p, ImageKind::OciArchive)),
            "registry" => {
                let rest = rest.strip_prefix("//").unwrap_or(rest);
                return registry::parse_reference(rest)
                    .map(Source::Registry)
                    .map_err(|e| anyhow::anyhow!("{e}"))
                    .usage();
            }
            // An existing path that happens to hold ':' is a path; any other `word:` is a
            // mistyped or foreign scheme, refused rather than read as a path that is not there.
            w if scheme_like(w) && std::fs::symlink_metadata(s).is_err() => {
                let meant = suggest(w);
                let example = if meant.contains(&"registry") {
                    format!(", e.g. registry:{}", rest.trim_start_matches('/'))
                } else {
                    String::new()
                };
                let meant = match meant.as_slice() {
                    [] => String::new(),
                    [one] => format!(" (did you mean {one}:{example}?)"),
                    [init @ .., last] => format!(
                        " (did you mean {} or {last}:{example}?)",
                        init.iter().map(|m| format!("{m}:")).collect::<Vec<_>>().join(", ")
                    ),
                };
                bail_usage!(
                    "{s}: unknown source scheme '{w}:'{meant}; schemes: {}. To scan a path holding ':', \
                     write ./{s}, dir:{s} or file:{s}",
                    SCHEMES.iter().map(|k| format!("{k}:")).collect::<Vec<_>>().join(" ")
                );
            }
            _ => {}
        }
    }
    let p = PathBuf::from(s);
    let m = match std::fs::metadata(&p) {
        Ok(m) => m,
        Err(e) => return Ok(unopenable(&p, &e)),
    };
    if !m.is_file() && !m.is_dir() {
        return Ok(not_regular(&p));
    }
    Ok(match image::detect(&p) {
        Some(kind) => Source::Image(p, kind),
        None if m.is_dir() => Source::Dir(p),
        None => Source::File(p),
    })
}

/// A path source that is not there (or a `dir:` that is not a directory) becomes `Unopenable`.
fn check_path(s: Source) -> Source {
    let d = match &s {
        Source::Dir(d) | Source::File(d) | Source::Image(d, _) => d,
        _ => return s,
    };
    match std::fs::metadata(d) {
        Err(e) => unopenable(d, &e),
        Ok(m) if !m.is_file() && !m.is_dir() => not_regular(d),
        Ok(m) if matches!(s, Source::Dir(_)) && !m.is_dir() => Source::Unopenable(
            d.display().to_string(),
            format!("{}: not a directory; scan file:{} for a single file", d.display(), d.display()),
        ),
        Ok(_) => s,
    }
}

/// A FIFO, socket or device named as a source: refused before it is opened (opening a FIFO
/// waits for a writer forever).
fn not_regular(p: &std::path::Path) -> Source {
    Source::Unopenable(
        p.display().to_string(),
        format!(
            "{}: not a regular file or directory (a FIFO, socket or device); binsight scans files, directories and image archives",
            p.display()
        ),
    )
}

fn unopenable(p: &std::path::Path, e: &std::io::Error) -> Source {
    let hint = if e.kind() == std::io::ErrorKind::NotFound { " (check the path)" } else { "" };
    Source::Unopenable(p.display().to_string(), format!("{}: cannot scan: {e}{hint}", p.display()))
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
        sources.iter().map(|s| classify(s)).collect::<Result<_>>()?
    };
    // A path named with a scheme must be there (and a dir: a directory).
    let sources: Vec<Source> = sources.into_iter().map(check_path).collect();
    for s in &sources {
        log::debug!("source recognised: {s:?}");
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
    let mut run = new_run(common, common.auditing(), out)?;
    let mut non_elf = 0u64;
    // Sources that could not be opened at all: the run exits 3.
    let mut unopened = 0usize;
    let mut symlinks = 0u64;
    for s in sources {
        match s {
            Source::Unopenable(path, why) => {
                unopened += 1;
                run.error(&path, &why, None)?;
            }
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
                        registry::RegistryOptions {
                            plain_http: opts.plain_http,
                            auth_files: None,
                            ..Default::default()
                        },
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
                        unopened += 1;
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
                    // An error about a whole layer (or the image) names the image as its path.
                    let (path, msg) = match (e.path.is_empty(), e.layer.as_deref()) {
                        (true, Some(l)) => (shown.clone(), format!("{shown}: layer {l}: {}", e.reason)),
                        (true, None) => (shown.clone(), format!("{shown}: {}", e.reason)),
                        (false, _) => (e.path.clone(), format!("{shown}: {}: {}", e.path, e.reason)),
                    };
                    run.error(&path, &msg, e.layer.as_deref())?;
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
        crate::output::eprint_wrapped(&format!(
            "binsight: {} reported, {}, {} and {} skipped, {:.2}s",
            count(run.reports.len(), "ELF file", "ELF files"),
            count(run.failed, "error", "errors"),
            count(non_elf as usize, "other file", "other files"),
            count(symlinks as usize, "symlink", "symlinks"),
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(if unopened > 0 { EXIT_SOURCE } else { code })
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
        let here = env!("CARGO_MANIFEST_DIR");
        assert_eq!(classify(here).ok(), Some(Source::Dir(here.into())));
        // A missing path is a source that cannot be opened (exit 3), not a usage error.
        assert!(matches!(classify("/definitely/not/here"), Ok(Source::Unopenable(..))));
        assert!(matches!(check_path(Source::Dir("/definitely/not/here".into())), Source::Unopenable(..)));
        assert!(
            matches!(check_path(Source::Dir(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml").into())), Source::Unopenable(_, why) if why.contains("not a directory"))
        );
    }

    /// docker's normalisation: no registry host means Docker Hub.
    #[test]
    fn registry_references_without_a_host_are_docker_hub() {
        for (arg, repo, tag) in [
            ("registry:alpine", "library/alpine", "latest"),
            ("registry:library/alpine:3.20", "library/alpine", "3.20"),
            ("registry:alpine:3", "library/alpine", "3"),
            ("registry://docker.io/bitnami/redis:7", "bitnami/redis", "7"),
        ] {
            let Ok(Source::Registry(r)) = classify(arg) else { panic!("{arg}") };
            assert_eq!((r.host.as_str(), r.repo.as_str(), r.reference.as_str()), ("docker.io", repo, tag), "{arg}");
            assert_eq!(r.api_host(), "registry-1.docker.io");
        }
        let e = classify("registry:Alpine").expect_err("upper case");
        assert_eq!(crate::fail::code(&e), crate::EXIT_USAGE);
        assert!(e.to_string().contains("lowercase"), "{e}");
    }

    #[test]
    fn unknown_schemes_are_refused_with_a_suggestion() {
        for (arg, meant) in [
            ("dockerarchive:img.tar", "did you mean docker-archive:?"),
            ("docker-archve:img.tar", "did you mean docker-archive:?"),
            ("oci:layout", "did you mean oci-dir: or oci-archive:?"),
            ("oci_dir:layout", "did you mean oci-dir:?"),
            ("docker:alpine", "did you mean docker-archive: or registry:, e.g. registry:alpine?"),
            ("podman:alpine", "did you mean docker-archive: or registry:"),
            ("regsitry:alpine", "did you mean registry:"),
            ("directory:/usr", "did you mean dir:?"),
            ("zzz:thing", "unknown source scheme 'zzz:'; schemes:"),
        ] {
            let e = classify(arg).expect_err(arg);
            let msg = format!("{e:#}");
            assert_eq!(crate::fail::code(&e), crate::EXIT_USAGE, "{arg}");
            assert!(msg.contains(meant), "{arg}: {msg}");
            assert!(msg.contains("schemes: dir: file: docker-archive: oci-dir: oci-archive: registry:"), "{msg}");
            assert!(msg.contains(&format!("./{arg}")), "how to force a path: {msg}");
        }
        assert_eq!(suggest("frobnicate"), Vec::<&str>::new());
        // A scheme with nothing after it.
        assert_eq!(crate::fail::code(&classify("dir:").expect_err("empty")), crate::EXIT_USAGE);
    }
}
