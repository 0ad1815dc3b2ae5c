//! Where the bytes come from: single files and directory trees (read with a size cap, never
//! following symlinks during a walk), container images (`image`) and registries (`registry`,
//! the client of `binsight-oci`, re-exported here for the callers that scan registries).

#![warn(missing_docs, unreachable_pub)]

pub mod image;
pub mod loader;
pub mod pkgdb;
pub use binsight_oci::registry;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Caps on what one file may cost.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest file read whole; larger ones get a per-file error.
    pub max_file_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_file_size: 1 << 30 }
    }
}

/// Why a file (or a directory walk) could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file cannot be opened or read.
    #[error("{path}: cannot read: {source}{hint}", hint = io_hint(source))]
    Io {
        /// The path as the user gave it (or as the walk found it).
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A directory where a file was expected.
    #[error("{path}: is a directory; use `binsight scan {path}` to inspect the ELF files under it")]
    IsDir {
        /// The path as the user gave it (or as the walk found it).
        path: String,
    },
    /// A device, socket or FIFO where a file was expected.
    #[error("{path}: not a regular file (device, socket or FIFO); skipped")]
    NotRegular {
        /// The path as the user gave it (or as the walk found it).
        path: String,
    },
    /// The file is over the size limit.
    #[error("{path}: {size} bytes is over the {limit}-byte limit; raise it with --max-file-size")]
    TooLarge {
        /// The path as the user gave it (or as the walk found it).
        path: String,
        /// Its size.
        size: u64,
        /// The limit (`--max-file-size`).
        limit: u64,
    },
    /// The walk failed at an entry.
    #[error("{path}: walking the directory failed: {message}")]
    Walk {
        /// The path as the user gave it (or as the walk found it).
        path: String,
        /// What the walk reported.
        message: String,
    },
}

impl SourceError {
    /// The file (or directory) the error is about.
    pub fn path(&self) -> &str {
        match self {
            SourceError::Io { path, .. }
            | SourceError::IsDir { path }
            | SourceError::NotRegular { path }
            | SourceError::TooLarge { path, .. }
            | SourceError::Walk { path, .. } => path,
        }
    }
}

fn io_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => " (run with permission to read it, e.g. as its owner)",
        std::io::ErrorKind::NotFound => " (check the path)",
        _ => "",
    }
}

fn io(path: &Path, source: std::io::Error) -> SourceError {
    SourceError::Io { path: path.display().to_string(), source }
}

/// Open a file that must be a regular one, for reading, without ever blocking: the open is
/// non-blocking (`O_NONBLOCK`, which changes nothing for regular files), so a FIFO or device
/// put at the path after the caller's type check does not wait for a writer; what was opened
/// is then checked. `Err` of kind `InvalidInput` for anything but a regular file.
pub fn open_regular_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY).open(path)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, socket or device)",
        ));
    }
    Ok(f)
}

/// The four-byte ELF magic.
pub const ELF_MAGIC: &[u8; 4] = b"\x7fELF";

/// Read a whole file named on the command line (symlinks followed: the user named it).
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, SourceError> {
    let meta = std::fs::metadata(path).map_err(|e| io(path, e))?;
    if meta.is_dir() {
        return Err(SourceError::IsDir { path: path.display().to_string() });
    }
    if !meta.is_file() {
        return Err(SourceError::NotRegular { path: path.display().to_string() });
    }
    read_capped(path, limits)
}

/// Read at most `limit + 1` bytes so an oversize (or growing) file is caught without reading it all.
fn read_capped(path: &Path, limits: &Limits) -> Result<Vec<u8>, SourceError> {
    let mut buf = Vec::new();
    read_capped_into(path, limits, &mut buf)?;
    Ok(buf)
}

/// [`read_capped`] into a caller's buffer (cleared first), so a thread can reuse one.
fn read_capped_into(path: &Path, limits: &Limits, buf: &mut Vec<u8>) -> Result<(), SourceError> {
    buf.clear();
    let f = open_regular_file(path).map_err(|e| io(path, e))?;
    let hint = f.metadata().map(|m| m.len()).unwrap_or(0).min(limits.max_file_size);
    buf.reserve(usize::try_from(hint).unwrap_or(0));
    f.take(limits.max_file_size.saturating_add(1)).read_to_end(buf).map_err(|e| io(path, e))?;
    if buf.len() as u64 > limits.max_file_size {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(buf.len() as u64);
        return Err(SourceError::TooLarge { path: path.display().to_string(), size, limit: limits.max_file_size });
    }
    Ok(())
}

/// Caps the bytes of file contents held at once by parallel readers: `acquire(n)` waits until
/// `n` more bytes fit under the cap (a file larger than the cap goes alone), `release(n)` gives
/// them back. Memory then stays bounded whatever the number or size of the files.
#[derive(Debug)]
pub struct ByteBudget {
    used: std::sync::Mutex<u64>,
    freed: std::sync::Condvar,
    max: u64,
}

impl ByteBudget {
    /// A budget of `max` bytes, none in use.
    pub fn new(max: u64) -> Self {
        ByteBudget { used: std::sync::Mutex::new(0), freed: std::sync::Condvar::new(), max }
    }

    /// Take `n` bytes, waiting until they fit (a single request larger than the budget is let
    /// through when nothing else is in use).
    pub fn acquire(&self, n: u64) {
        let mut u = self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while *u != 0 && *u + n > self.max {
            u = self.freed.wait(u).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *u += n;
    }

    /// [`acquire`](Self::acquire) for a thread that feeds the rayon pool (an image's layer
    /// reader): while waiting it runs queued tasks, whose releases it is waiting for (works
    /// with `-j 1` too).
    pub fn acquire_helping_pool(&self, n: u64) {
        loop {
            {
                let mut u = self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if *u == 0 || *u + n <= self.max {
                    *u += n;
                    return;
                }
            }
            if rayon::yield_now() != Some(rayon::Yield::Executed) {
                std::thread::yield_now();
            }
        }
    }

    /// Give `n` bytes back and wake the waiters.
    pub fn release(&self, n: u64) {
        let mut u = self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *u = u.saturating_sub(n);
        self.freed.notify_all();
    }
}

/// Jobs of known sizes handed out largest first under a byte cap, like [`ByteBudget`], but a
/// job that does not fit lets a smaller one that does go ahead: with a 158 MB file in flight
/// under a 192 MiB cap, the next 52 MB file waits while the 30 MB ones behind it run, so no
/// worker idles while memory allows work. A job larger than the cap runs alone.
#[derive(Debug)]
pub struct SizedQueue {
    /// Bytes in flight, and the jobs not started as (size, id), smallest first (taken from the
    /// end: largest first).
    state: std::sync::Mutex<(u64, Vec<(u64, usize)>)>,
    freed: std::sync::Condvar,
    max: u64,
}

impl SizedQueue {
    /// A queue of `jobs` (id, size) under a cap of `max` bytes in flight.
    pub fn new(jobs: impl IntoIterator<Item = (usize, u64)>, max: u64) -> Self {
        let mut pending: Vec<(u64, usize)> = jobs.into_iter().map(|(id, n)| (n, id)).collect();
        pending.sort_unstable();
        SizedQueue { state: std::sync::Mutex::new((0, pending)), freed: std::sync::Condvar::new(), max }
    }

    /// The largest job that fits now, as (id, size), its bytes taken; waits while none fits;
    /// `None` once every job was handed out. Give the bytes back with [`done`](Self::done).
    pub fn next(&self) -> Option<(usize, u64)> {
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            let (used, pending) = &mut *st;
            if pending.is_empty() {
                return None;
            }
            // The largest with size <= room; with nothing in flight, the largest of all.
            let room = self.max.saturating_sub(*used);
            let fit = if *used == 0 { pending.len() } else { pending.partition_point(|&(n, _)| n <= room) };
            if fit > 0 {
                let (n, id) = pending.remove(fit - 1);
                *used += n;
                return Some((id, n));
            }
            st = self.freed.wait(st).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// A job of `n` bytes is finished: its bytes are free again.
    pub fn done(&self, n: u64) {
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        st.0 = st.0.saturating_sub(n);
        self.freed.notify_all();
    }

    /// Hand out no more jobs (the run is stopping): waiters get `None`.
    pub fn clear(&self) {
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        st.1.clear();
        self.freed.notify_all();
    }
}

/// Does the file start with the ELF magic? Reads four bytes.
pub fn starts_with_elf_magic(path: &Path) -> Result<bool, SourceError> {
    let mut f = open_regular_file(path).map_err(|e| io(path, e))?;
    let mut m = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match f.read(&mut m[got..]) {
            Ok(0) => return Ok(false),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io(path, e)),
        }
    }
    Ok(&m == ELF_MAGIC)
}

/// One ELF candidate found by a walk.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Its path.
    pub path: PathBuf,
    /// Its size in bytes, when the walk looked at it.
    pub size: u64,
}

/// Summary counts of a walk.
#[derive(Debug, Default, Clone)]
pub struct WalkStats {
    /// Regular files seen.
    pub files_seen: u64,
    /// Symbolic links skipped (never followed).
    pub symlinks_skipped: u64,
    /// Regular files skipped because they are not ELF.
    pub non_elf_skipped: u64,
}

/// Counters a walk updates as it goes, for a caller to poll (e.g. a progress display).
#[derive(Debug, Default)]
pub struct WalkProgress {
    /// Regular files seen so far.
    pub files_seen: std::sync::atomic::AtomicU64,
    /// Files found to start with the ELF magic so far (checked after the directories are read).
    pub elf_found: std::sync::atomic::AtomicU64,
}

/// Every regular file under `root` that starts with the ELF magic, sorted by path, plus
/// per-entry errors. Symlinks are never followed (so nothing outside `root` is read).
pub fn walk_elf_files(root: &Path) -> (Vec<Candidate>, Vec<SourceError>, WalkStats) {
    walk_elf_files_with_progress(root, &WalkProgress::default())
}

/// [`walk_elf_files`], counting files seen and ELF files found in `progress` as it goes.
pub fn walk_elf_files_with_progress(
    root: &Path,
    progress: &WalkProgress,
) -> (Vec<Candidate>, Vec<SourceError>, WalkStats) {
    use std::sync::atomic::Ordering::Relaxed;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let mut stats = WalkStats::default();
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(root).follow_links(false).follow_root_links(true).sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(root).display().to_string();
                errors.push(SourceError::Walk { path, message: e.to_string() });
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_symlink() {
            stats.symlinks_skipped += 1;
            continue;
        }
        if !ft.is_file() {
            continue;
        }
        stats.files_seen += 1;
        progress.files_seen.fetch_add(1, Relaxed);
        files.push(entry);
    }
    // Opening each file for its magic is most of a walk's time: do it on the pool, in order.
    use rayon::prelude::*;
    let checked: Vec<Result<Option<u64>, SourceError>> = files
        .par_iter()
        .map(|e| match starts_with_elf_magic(e.path()) {
            Ok(true) => {
                progress.elf_found.fetch_add(1, Relaxed);
                Ok(Some(e.metadata().map(|m| m.len()).unwrap_or(0)))
            }
            Ok(false) => Ok(None),
            Err(err) => Err(err),
        })
        .collect();
    for (entry, r) in files.into_iter().zip(checked) {
        match r {
            Ok(Some(size)) => found.push(Candidate { path: entry.into_path(), size }),
            Ok(None) => stats.non_elf_skipped += 1,
            Err(e) => errors.push(e),
        }
    }
    (found, errors, stats)
}

/// Read a candidate found by a walk. Refuses symlinks that appeared since the walk.
pub fn read_candidate(c: &Candidate, limits: &Limits) -> Result<Vec<u8>, SourceError> {
    let mut buf = Vec::new();
    read_candidate_into(c, limits, &mut buf)?;
    Ok(buf)
}

/// [`read_candidate`] into a reusable buffer (cleared first): a scan reads thousands of files,
/// and fresh buffers cost a page fault per 4 KiB each time.
pub fn read_candidate_into(c: &Candidate, limits: &Limits, buf: &mut Vec<u8>) -> Result<(), SourceError> {
    let meta = std::fs::symlink_metadata(&c.path).map_err(|e| io(&c.path, e))?;
    if !meta.is_file() {
        return Err(SourceError::NotRegular { path: c.path.display().to_string() });
    }
    read_capped_into(&c.path, limits, buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Largest first; a job that does not fit lets a smaller one that does go ahead; one
    /// larger than the cap runs alone; every job is handed out once.
    #[test]
    fn sized_queue_hands_out_the_largest_job_that_fits() {
        // On a thread: a wrong answer would wait for a release that never comes.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let q = SizedQueue::new([(0, 158), (1, 52), (2, 30), (3, 30), (4, 300), (5, 5)], 200);
            let mut got = vec![q.next()];
            q.done(300);
            got.extend([q.next(), q.next(), q.next()]);
            q.done(158);
            got.extend([q.next(), q.next(), q.next()]);
            let _ = tx.send(got);
        });
        let got = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("the queue waited forever");
        assert_eq!(
            got,
            [
                Some((4, 300)), // larger than the cap: alone, first
                Some((0, 158)),
                Some((3, 30)), // 52 does not fit beside 158: a 30 goes ahead
                Some((5, 5)),
                Some((1, 52)),
                Some((2, 30)),
                None
            ]
        );
        let stopped = SizedQueue::new([(0, 1), (1, 1)], 10);
        stopped.clear();
        assert_eq!(stopped.next(), None);
    }

    #[test]
    fn walk_skips_symlinks_and_non_elf() {
        let d = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("secret"), b"\x7fELF outside").expect("write");
        std::fs::write(d.path().join("a.elf"), b"\x7fELFxxxx").expect("write");
        std::fs::write(d.path().join("b.txt"), b"hello").expect("write");
        std::fs::write(d.path().join("c.short"), b"\x7f").expect("write");
        std::fs::create_dir(d.path().join("sub")).expect("mkdir");
        std::fs::write(d.path().join("sub/d.elf"), b"\x7fELF").expect("write");
        std::os::unix::fs::symlink(outside.path(), d.path().join("link-dir")).expect("symlink");
        std::os::unix::fs::symlink(outside.path().join("secret"), d.path().join("link-file")).expect("symlink");
        let (found, errors, stats) = walk_elf_files(d.path());
        let names: Vec<String> =
            found.iter().map(|c| c.path.strip_prefix(d.path()).expect("under root").display().to_string()).collect();
        assert_eq!(names, ["a.elf", "sub/d.elf"]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(stats.symlinks_skipped, 2);
        assert_eq!(stats.non_elf_skipped, 2);
        // The counters a progress display polls end at the walk's totals.
        let progress = WalkProgress::default();
        let (found, _, stats) = walk_elf_files_with_progress(d.path(), &progress);
        use std::sync::atomic::Ordering::Relaxed;
        assert_eq!(progress.files_seen.load(Relaxed), stats.files_seen);
        assert_eq!(progress.files_seen.load(Relaxed), 4);
        assert_eq!(progress.elf_found.load(Relaxed), found.len() as u64);
    }

    /// A FIFO with no writer: a plain open would wait forever; this one returns at once.
    #[test]
    fn opening_a_fifo_never_blocks() {
        let d = tempfile::tempdir().expect("tempdir");
        let fifo = d.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
        let (tx, rx) = std::sync::mpsc::channel();
        let p = fifo.clone();
        std::thread::spawn(move || {
            let _ =
                tx.send((open_regular_file(&p).map(|_| ()).map_err(|e| e.kind()), starts_with_elf_magic(&p).is_err()));
        });
        let (open, magic_err) = rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the open returned");
        assert_eq!(open, Err(std::io::ErrorKind::InvalidInput));
        assert!(magic_err);
        let c = Candidate { path: fifo, size: 0 };
        assert!(matches!(read_candidate(&c, &Limits::default()), Err(SourceError::NotRegular { .. })));
    }

    #[test]
    fn size_cap_is_enforced() {
        let d = tempfile::tempdir().expect("tempdir");
        let p = d.path().join("big");
        std::fs::write(&p, vec![0u8; 100]).expect("write");
        let limits = Limits { max_file_size: 99 };
        assert!(matches!(read_file(&p, &limits), Err(SourceError::TooLarge { size: 100, .. })));
        assert_eq!(read_file(&p, &Limits { max_file_size: 100 }).expect("fits").len(), 100);
        assert!(matches!(read_file(d.path(), &limits), Err(SourceError::IsDir { .. })));
        let e = read_file(&d.path().join("missing"), &limits).expect_err("missing");
        assert!(e.to_string().contains("check the path"), "{e}");
    }
}
