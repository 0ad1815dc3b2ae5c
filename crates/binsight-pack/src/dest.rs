//! Where an output goes: a file binsight writes at a path the user named (`-o FORMAT=PATH`,
//! `pack --tarball`). What is at the path decides how:
//!
//! - nothing, or a regular file: written beside it (`.NAME.partial-PID`), synced and renamed
//!   into place, so a reader never sees half a file and a failure leaves the old one; the old
//!   file's permissions are kept;
//! - a symbolic link: followed, as a shell's `>` does: the file it points to is replaced that
//!   way (the link stays a link), or written through when it is a FIFO or device; a link to
//!   nothing is refused (name the file itself);
//! - a FIFO or a character device (`/dev/null`, a terminal, a pipe made with `mkfifo`), and
//!   `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N` whatever they point to:
//!   opened (appending, never created or truncated) and written through; never replaced, so a
//!   device node or a FIFO stays what it is;
//! - a directory, a block device or a socket: refused.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why an output cannot be written at a path (without the path: callers name it).
#[derive(Debug, thiserror::Error)]
pub enum DestError {
    /// What is at the path cannot be looked at (`lstat` failed).
    #[error("cannot look at it: {0}")]
    Look(io::Error),
    /// A symbolic link to nothing.
    #[error("is a symbolic link to nothing: name the file itself, or remove the link")]
    Dangling,
    /// A symbolic link that cannot be followed (a loop, no permission).
    #[error("cannot follow the symbolic link: {0}")]
    Follow(io::Error),
    /// A directory, a block device or a socket.
    #[error("is {kind}: outputs go to files, FIFOs or character devices (/dev/stdout); name a file")]
    Unsupported {
        /// Which: `a directory`, `a block device` or `a socket`.
        kind: &'static str,
    },
    /// [`Sink::commit`] after the output was committed.
    #[error("already committed")]
    AlreadyCommitted,
    /// Opening, writing, syncing or renaming failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// How an output path is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dest {
    /// Staged beside this path (the link's target, for a symbolic link) and renamed over it.
    Replace {
        /// The path written (the link's target, for a symbolic link).
        path: PathBuf,
        /// A file is there now (it is replaced, its permissions kept).
        exists: bool,
    },
    /// Opened and written through (FIFO, character device, a file descriptor's path).
    Through(PathBuf),
}

/// `/dev/stdout`, `/dev/fd/3`, `/proc/self/fd/1`…: names of an open file descriptor, whose
/// target (a pipe, a terminal, or the file a shell redirected to) is written through.
fn names_a_descriptor(p: &Path) -> bool {
    let s = p.to_string_lossy();
    matches!(s.as_ref(), "/dev/stdout" | "/dev/stderr")
        || ["/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/"].iter().any(|d| s.starts_with(d))
}

/// What kind of thing `m` is, for messages.
fn kind(m: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    let t = m.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else {
        "a file"
    }
}

/// How `path` is to be written; the error says why not (without the path: callers name it).
pub fn classify(path: &Path) -> Result<Dest, DestError> {
    use std::os::unix::fs::FileTypeExt as _;
    let lm = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Dest::Replace { path: path.to_path_buf(), exists: false });
        }
        Err(e) => return Err(DestError::Look(e)),
    };
    let (m, target) = if lm.file_type().is_symlink() {
        match std::fs::metadata(path) {
            Ok(m) => (m, true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(DestError::Dangling);
            }
            Err(e) => return Err(DestError::Follow(e)),
        }
    } else {
        (lm, false)
    };
    let t = m.file_type();
    if t.is_dir() || t.is_block_device() || t.is_socket() {
        return Err(DestError::Unsupported { kind: kind(&m) });
    }
    if t.is_fifo() || t.is_char_device() || names_a_descriptor(path) {
        return Ok(Dest::Through(path.to_path_buf()));
    }
    let path = if target { std::fs::canonicalize(path).map_err(DestError::Follow)? } else { path.to_path_buf() };
    Ok(Dest::Replace { path, exists: true })
}

/// A sibling of `target` to write into before renaming.
pub fn staging(target: &Path, what: &str) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// An output being written; [`Sink::commit`] puts it in place. Dropped uncommitted, a staged
/// file is removed (the target is untouched).
pub struct Sink {
    w: Option<BufWriter<File>>,
    /// (staging file, final path, permissions to give it) when replacing.
    stage: Option<(PathBuf, PathBuf, Option<std::fs::Permissions>)>,
    terminal: bool,
}

impl Sink {
    /// Open `path` as [`classify`] says. Errors say why, without the path.
    pub fn open(path: &Path) -> Result<Sink, DestError> {
        match classify(path)? {
            Dest::Through(p) => {
                let f = OpenOptions::new().append(true).open(&p)?;
                let terminal = io::IsTerminal::is_terminal(&f);
                Ok(Sink { w: Some(BufWriter::new(f)), stage: None, terminal })
            }
            Dest::Replace { path, exists } => {
                let perms = if exists { std::fs::metadata(&path).ok().map(|m| m.permissions()) } else { None };
                let tmp = staging(&path, "partial");
                // A leftover of this very process id, or anything planted there: gone first,
                // then created anew (never followed).
                let _ = std::fs::remove_file(&tmp);
                let f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
                Ok(Sink { w: Some(BufWriter::new(f)), stage: Some((tmp, path, perms)), terminal: false })
            }
        }
    }

    /// The output is a terminal (written through).
    pub fn is_terminal(&self) -> bool {
        self.terminal
    }

    /// Flush; when replacing, sync and rename into place.
    pub fn commit(mut self) -> Result<(), DestError> {
        let w = self.w.take().ok_or(DestError::AlreadyCommitted)?;
        let f = w.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        if let Some((tmp, path, perms)) = &self.stage {
            if let Some(p) = perms {
                f.set_permissions(p.clone())?;
            }
            f.sync_all()?;
            std::fs::rename(tmp, path)?;
            self.stage = None;
        }
        Ok(())
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.w {
            Some(w) => w.write(buf),
            None => Err(io::Error::other("output already committed")),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.w {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        if let Some((tmp, _, _)) = &self.stage {
            self.w = None;
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Write `bytes` to `path` as [`classify`] says. Errors say why, without the path.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), DestError> {
    let mut s = Sink::open(path)?;
    s.write_all(bytes)?;
    s.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mkfifo(p: &Path) {
        let st = std::process::Command::new("mkfifo").arg(p).status().expect("mkfifo (coreutils)");
        assert!(st.success());
    }

    #[test]
    fn files_are_replaced_links_followed_fifos_and_devices_written_through() {
        use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
        let t = tempfile::tempdir().expect("tmp");
        let f = t.path().join("out.json");
        assert_eq!(classify(&f).ok(), Some(Dest::Replace { path: f.clone(), exists: false }));
        write(&f, b"one").expect("new file");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write(&f, b"two").expect("replaced");
        assert_eq!(std::fs::read(&f).expect("read"), b"two");
        assert_eq!(std::fs::metadata(&f).expect("stat").permissions().mode() & 0o777, 0o640, "mode kept");
        // A link: its target is replaced, the link stays.
        let link = t.path().join("link");
        std::os::unix::fs::symlink(&f, &link).expect("symlink");
        write(&link, b"three").expect("through the link");
        assert!(std::fs::symlink_metadata(&link).expect("lstat").file_type().is_symlink());
        assert_eq!(std::fs::read(&f).expect("read"), b"three");
        let dangling = t.path().join("dangling");
        std::os::unix::fs::symlink(t.path().join("nowhere"), &dangling).expect("symlink");
        assert!(write(&dangling, b"x").expect_err("dangling").to_string().contains("symbolic link to nothing"));
        assert!(!t.path().join("nowhere").exists());
        // Directories are refused.
        assert!(write(t.path(), b"x").expect_err("dir").to_string().contains("is a directory"));
        // /dev/null is written through and stays a character device.
        assert_eq!(classify(Path::new("/dev/null")).ok(), Some(Dest::Through("/dev/null".into())));
        write(Path::new("/dev/null"), b"nothing").expect("/dev/null");
        assert!(std::fs::metadata("/dev/null").expect("stat").file_type().is_char_device());
        // A FIFO gets the bytes and stays a FIFO.
        let fifo = t.path().join("fifo");
        mkfifo(&fifo);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).expect("read the FIFO"))
        };
        write(&fifo, b"through").expect("FIFO");
        assert_eq!(reader.join().expect("reader"), b"through");
        assert!(std::fs::symlink_metadata(&fifo).expect("lstat").file_type().is_fifo());
        // Nothing left beside.
        let left: Vec<_> = std::fs::read_dir(t.path())
            .expect("ls")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("partial"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
