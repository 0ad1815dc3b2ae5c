//! A layer's tar stream, read once: each entry's path (GNU long names and PAX records read
//! whole only under a cap), whiteouts and opaque markers noted for squashing, hard links
//! noted, and each ELF file handed to the caller's analysis on the rayon pool while the next
//! entries decompress (memory bounded by a [`ByteBudget`]).

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::atomic::Ordering;
use std::sync::Mutex;

use super::store::clean_name;
use super::types::{EntryError, ImageLimits, Progress};
use crate::{ByteBudget, ELF_MAGIC};

/// File buffers handed back after analysis and reused: allocating and freeing one per file on
/// different threads fragmented the allocator's arenas (peak RSS grew with the image). Buffers
/// over 32 MiB are not kept (the allocator maps and unmaps those), nor more than 8.
#[derive(Default)]
pub(crate) struct BufferPool {
    free: Mutex<Vec<Vec<u8>>>,
}

impl BufferPool {
    fn take(&self, size: u64) -> Vec<u8> {
        let mut v = self.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop().unwrap_or_default();
        v.clear();
        v.reserve(usize::try_from(size).unwrap_or(0));
        v
    }
    fn give(&self, v: Vec<u8>) {
        if v.capacity() <= 32 << 20 {
            let mut f = self.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if f.len() < 8 {
                f.push(v);
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    File,
    Dir,
    Other,
}

/// What a layer says about paths, for squashing.
#[derive(Default)]
pub(crate) struct LayerView {
    /// Path → kind of the entry this layer puts there (the last one wins).
    pub(crate) entries: HashMap<String, Kind>,
    pub(crate) whiteouts: HashSet<String>,
    pub(crate) opaque: HashSet<String>,
}

/// Image path of a tar entry name, or why it is refused.
pub(crate) fn image_path(raw: &str) -> Result<String, &'static str> {
    if raw.starts_with('/') {
        return Err("absolute path in a layer entry; skipped");
    }
    if raw.split('/').any(|c| c == "..") {
        return Err("path with '..' in a layer entry; skipped (it would escape the image root)");
    }
    Ok(format!("/{}", clean_name(raw).unwrap_or_default()))
}

fn parent(p: &str) -> &str {
    match p.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &p[..i],
    }
}

/// Symbolic links kept per layer (a base image has a few thousand).
pub(crate) const MAX_SYMLINKS: usize = 100_000;
/// Longest symbolic-link target kept.
const MAX_SYMLINK_TARGET: usize = 1024;
/// Bytes of symbolic-link paths and targets kept per layer (a hostile layer of long links
/// otherwise costs [`MAX_SYMLINKS`] times the longest).
const MAX_SYMLINK_BYTES: usize = 8 << 20;

/// What one layer's tar stream held.
pub(crate) struct LayerRead<R> {
    pub(crate) view: LayerView,
    /// (path, size, analysis) of the ELF files.
    pub(crate) files: Vec<(String, u64, R)>,
    pub(crate) non_elf: Vec<String>,
    /// Files of a package database (`pkgdb::is_db_file`), read whole under its caps.
    pub(crate) db_files: Vec<(String, Vec<u8>)>,
    /// Hard links: (link path, target path).
    pub(crate) links: Vec<(String, String)>,
    /// Symbolic links: (link path, target as written), at most [`MAX_SYMLINKS`]; read by the
    /// loader resolution, never followed to read a file.
    pub(crate) symlinks: Vec<(String, String)>,
    /// Bytes of `symlinks`, capped at [`MAX_SYMLINK_BYTES`].
    pub(crate) symlink_bytes: usize,
    pub(crate) errors: Vec<EntryError>,
    /// Why the layer could not be read to its end, if it could not.
    pub(crate) stopped: Option<String>,
    pub(crate) entries: u64,
}

/// The extension records (GNU long name/link, PAX) that describe the next entry, each read
/// whole only when under the cap: the tar crate would read any size (a 1 GiB long name cost
/// 2.7 GB), so entries come raw and these are handled here.
#[derive(Default)]
struct Pending {
    name: Option<Vec<u8>>,
    link: Option<Vec<u8>>,
    pax: Option<Vec<u8>>,
    /// The first refused record: the entry it describes is skipped with this reason.
    refused: Option<String>,
}

impl Pending {
    fn take(&mut self) -> Pending {
        std::mem::take(self)
    }
}

/// What to do after an entry.
enum Flow {
    Next,
    Stop,
}

/// What one layer's stream is read with: where ELF files go and what they may cost.
pub(crate) struct Streamer<'a, R, F> {
    /// The layer's digest, for entry errors.
    pub layer: &'a str,
    pub limits: &'a ImageLimits,
    pub budget: &'a ByteBudget,
    pub pool: &'a BufferPool,
    pub progress: &'a Progress,
    pub analyze: &'a F,
    pub files: Mutex<Vec<(String, u64, R)>>,
}

type Entry<'e, T> = tar::Entry<'e, T>;

impl<'a, R, F> Streamer<'a, R, F>
where
    R: Send,
    F: Fn(&str, &[u8]) -> R + Sync,
{
    fn entry_err(&self, path: String, reason: String) -> EntryError {
        EntryError { path, layer: Some(self.layer.to_string()), reason }
    }

    /// Read the decompressed tar stream of the layer, handing each ELF file to `analyze` on
    /// the rayon pool (memory bounded by `budget`). Returns what it held and the stream.
    pub(crate) fn stream<T: Read + Send>(self, tar_stream: T) -> (LayerRead<R>, T) {
        let mut out = LayerRead {
            view: LayerView::default(),
            files: Vec::new(),
            non_elf: Vec::new(),
            db_files: Vec::new(),
            links: Vec::new(),
            symlinks: Vec::new(),
            symlink_bytes: 0,
            errors: Vec::new(),
            stopped: None,
            entries: 0,
        };
        let mut archive = tar::Archive::new(tar_stream);
        rayon::scope(|s| {
            let entries = match archive.entries() {
                Ok(e) => e.raw(true),
                Err(e) => {
                    out.stopped = Some(format!("not a tar layer: {e}"));
                    return;
                }
            };
            let mut pending = Pending::default();
            for entry in entries {
                let mut entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        out.stopped = Some(format!("layer truncated or corrupt after {} entries ({e})", out.entries));
                        break;
                    }
                };
                out.entries += 1;
                if let Flow::Stop = self.entry(s, &mut entry, &mut pending, &mut out) {
                    break;
                }
            }
        });
        out.files = self.files.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        (out, archive.into_inner())
    }

    /// One raw entry: an extension record kept for the next entry, or an entry of the layer.
    fn entry<'s, T: Read>(
        &'s self,
        s: &rayon::Scope<'s>,
        entry: &mut Entry<'_, T>,
        pending: &mut Pending,
        out: &mut LayerRead<R>,
    ) -> Flow {
        let et = entry.header().entry_type();
        if et.is_gnu_longname() || et.is_gnu_longlink() || et.is_pax_local_extensions() {
            return self.extension(entry, pending, out);
        }
        if et.is_pax_global_extensions() {
            return Flow::Next;
        }
        let ext = pending.take();
        let Some((raw, link)) = self.names(entry, ext, out) else {
            return if out.stopped.is_some() { Flow::Stop } else { Flow::Next };
        };
        let p = match image_path(&raw) {
            Ok(p) => p,
            Err(why) => {
                out.errors.push(self.entry_err(raw, why.into()));
                return Flow::Next;
            }
        };
        if p == "/" {
            return Flow::Next;
        }
        let depth = p.bytes().filter(|b| *b == b'/').count() - 1; // directories above the entry
        if depth > self.limits.max_path_depth {
            let why =
                format!("path nested {depth} levels deep, over the cap of {}; skipped", self.limits.max_path_depth);
            out.errors.push(self.entry_err(shorten(&p), why));
            return Flow::Next;
        }
        if note_whiteout(&p, &mut out.view) {
            return Flow::Next;
        }
        let kind = if et.is_dir() {
            Kind::Dir
        } else if et.is_file() || et == tar::EntryType::Continuous || et.is_hard_link() {
            Kind::File
        } else {
            Kind::Other
        };
        out.view.entries.insert(p.clone(), kind);
        if et.is_symlink() {
            let target = link.or_else(|| entry.link_name_bytes().map(std::borrow::Cow::into_owned));
            let kept: usize = out.symlinks.len();
            if let Some(t) = target.filter(|t| t.len() <= MAX_SYMLINK_TARGET && kept < MAX_SYMLINKS) {
                out.symlink_bytes = out.symlink_bytes.saturating_add(p.len() + t.len());
                if out.symlink_bytes <= MAX_SYMLINK_BYTES {
                    out.symlinks.push((p, String::from_utf8_lossy(&t).into_owned()));
                }
            }
            return Flow::Next;
        }
        if et.is_hard_link() {
            let target = link
                .or_else(|| entry.link_name_bytes().map(std::borrow::Cow::into_owned))
                .map(|t| String::from_utf8_lossy(&t).into_owned());
            match target.as_deref().map(image_path) {
                Some(Ok(t)) => out.links.push((p, t)),
                _ => out
                    .errors
                    .push(self.entry_err(p, "hard link with a missing, absolute or '..' target; skipped".into())),
            }
            return Flow::Next;
        }
        if kind != Kind::File {
            return Flow::Next;
        }
        self.file(s, entry, p, out)
    }

    /// A GNU long name or link, or a PAX header: kept for the next entry when under the cap.
    fn extension<T: Read>(&self, entry: &mut Entry<'_, T>, pending: &mut Pending, out: &mut LayerRead<R>) -> Flow {
        let et = entry.header().entry_type();
        let what = if et.is_pax_local_extensions() { "PAX header" } else { "GNU long name" };
        let size = entry.size();
        if size > self.limits.max_tar_extension {
            // The tar reader skips the unread data before the next header.
            pending.refused.get_or_insert(format!(
                "{what} of {size} bytes, over the {}-byte cap; entry skipped",
                self.limits.max_tar_extension
            ));
            return Flow::Next;
        }
        let mut v = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        if let Err(e) = entry.read_to_end(&mut v) {
            out.stopped = Some(format!("{what} truncated: {e}"));
            return Flow::Stop;
        }
        let slot = if et.is_pax_local_extensions() {
            &mut pending.pax
        } else if et.is_gnu_longname() {
            &mut pending.name
        } else {
            &mut pending.link
        };
        if slot.replace(v).is_some() {
            pending.refused.get_or_insert(format!("two {what} records for one entry; entry skipped"));
        }
        Flow::Next
    }

    /// The entry's name and link target, from its header and the records before it. `None`:
    /// the entry is skipped (an entry error is noted) or the layer stops (`out.stopped`).
    fn names<T: Read>(
        &self,
        entry: &Entry<'_, T>,
        ext: Pending,
        out: &mut LayerRead<R>,
    ) -> Option<(String, Option<Vec<u8>>)> {
        let header_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if let Some(why) = ext.refused {
            out.errors.push(self.entry_err(header_name, why));
            return None;
        }
        let (mut name, mut link) = (ext.name.map(trim_nul), ext.link.map(trim_nul));
        if let Some(pax) = &ext.pax {
            for rec in tar::PaxExtensions::new(pax) {
                let Ok(rec) = rec else {
                    out.errors.push(self.entry_err(header_name.clone(), "malformed PAX record; entry skipped".into()));
                    name = None;
                    break;
                };
                match rec.key() {
                    Ok("path") => name = Some(rec.value_bytes().to_vec()),
                    Ok("linkpath") => link = Some(rec.value_bytes().to_vec()),
                    Ok("size") => {
                        // The tar reader sized the entry by its header; a different PAX size
                        // would desynchronise the stream (and could hide entries).
                        let header_size = entry.header().entry_size().unwrap_or(u64::MAX);
                        if rec.value().ok().and_then(|v| v.parse::<u64>().ok()) != Some(header_size) {
                            out.stopped = Some(format!(
                                "{header_name}: PAX size record disagrees with the header's size ({header_size})"
                            ));
                        }
                    }
                    _ => {}
                }
            }
            if out.stopped.is_some() {
                return None;
            }
        }
        if entry.header().entry_type().is_gnu_sparse() {
            out.stopped = Some(format!("{header_name}: GNU sparse entry (not used by image builders)"));
            return None;
        }
        let raw = name.map_or(header_name, |n| String::from_utf8_lossy(&n).into_owned());
        Some((raw, link))
    }

    /// A regular file: counted as non-ELF, or read whole and analysed on the pool.
    fn file<'s, T: Read>(
        &'s self,
        s: &rayon::Scope<'s>,
        entry: &mut Entry<'_, T>,
        p: String,
        out: &mut LayerRead<R>,
    ) -> Flow {
        let size = entry.size();
        if size < 4 {
            return Flow::Next;
        }
        let mut magic = [0u8; 4];
        if let Err(e) = entry.read_exact(&mut magic) {
            out.errors.push(self.entry_err(p, format!("cannot read: {e}")));
            return Flow::Next;
        }
        if &magic != ELF_MAGIC {
            if crate::pkgdb::is_db_file(&p) {
                self.db_file(entry, &p, magic, size, out);
            }
            out.non_elf.push(p);
            return Flow::Next;
        }
        if size > self.limits.max_file_size {
            let why = format!(
                "{size} bytes is over the {}-byte limit; raise it with --max-file-size",
                self.limits.max_file_size
            );
            out.errors.push(self.entry_err(p, why));
            return Flow::Next;
        }
        // The analyses are queued on this pool: run them here while waiting.
        self.budget.acquire_helping_pool(size);
        let mut data = self.pool.take(size);
        data.extend_from_slice(&magic);
        if let Err(e) = entry.by_ref().take(size - 4).read_to_end(&mut data) {
            self.budget.release(size);
            out.stopped = Some(format!("{p}: truncated in the layer ({e})"));
            return Flow::Stop;
        }
        s.spawn(move |_| {
            let r = (self.analyze)(&p, &data);
            self.pool.give(data);
            self.budget.release(size);
            self.progress.files.fetch_add(1, Ordering::Relaxed);
            self.files.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((p, size, r));
        });
        Flow::Next
    }
}

impl<R, F> Streamer<'_, R, F>
where
    R: Send,
    F: Fn(&str, &[u8]) -> R + Sync,
{
    /// Keep a package-database file (its first 4 bytes already read) when it is under
    /// [`MAX_DB_FILE`](crate::pkgdb::MAX_DB_FILE) and the image's database bytes stay under
    /// [`MAX_DB_TOTAL`](crate::pkgdb::MAX_DB_TOTAL); else note why it was left out.
    fn db_file<T: Read>(&self, entry: &mut Entry<'_, T>, p: &str, magic: [u8; 4], size: u64, out: &mut LayerRead<R>) {
        use crate::pkgdb::{MAX_DB_FILE, MAX_DB_FILES, MAX_DB_TOTAL};
        let total = self.progress.db_bytes.fetch_add(size, Ordering::Relaxed) + size;
        if size > MAX_DB_FILE || total > MAX_DB_TOTAL || out.db_files.len() >= MAX_DB_FILES {
            let why =
                format!("package database file of {size} bytes over binsight's caps; packages not attributed from it");
            out.errors.push(self.entry_err(p.to_string(), why));
            return;
        }
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        data.extend_from_slice(&magic);
        match entry.by_ref().take(size - 4).read_to_end(&mut data) {
            Ok(_) => out.db_files.push((p.to_string(), data)),
            Err(e) => out.errors.push(self.entry_err(p.to_string(), format!("cannot read: {e}"))),
        }
    }
}

/// A whiteout (`.wh.NAME`) or opaque marker (`.wh..wh..opq`) at `p`: noted in `view`; `true`
/// when `p` was one.
fn note_whiteout(p: &str, view: &mut LayerView) -> bool {
    let base = &p[p.rfind('/').map_or(0, |i| i + 1)..];
    let Some(rest) = base.strip_prefix(".wh.") else { return false };
    if rest == ".wh..opq" {
        view.opaque.insert(parent(p).to_string());
    } else if !rest.is_empty() {
        let dir = parent(p);
        view.whiteouts.insert(if dir == "/" { format!("/{rest}") } else { format!("{dir}/{rest}") });
    }
    true
}

fn trim_nul(mut v: Vec<u8>) -> Vec<u8> {
    while v.last() == Some(&0) {
        v.pop();
    }
    v
}

/// A path shown in an error, cut to its first and last 100 bytes when longer.
fn shorten(p: &str) -> String {
    if p.len() <= 240 {
        return p.to_string();
    }
    let mut a = 100;
    while !p.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = p.len() - 100;
    while !p.is_char_boundary(b) {
        b += 1;
    }
    format!("{}…{} ({} bytes)", &p[..a], &p[b..], p.len())
}
