//! A layer's raw stream on its way to the tar reader: counted and hashed as it passes
//! ([`Tap`]), decompressed by its magic bytes ([`Decoder`]: gzip, zstd or plain tar), and held
//! to the layer size cap and the decompression-bomb ratio ([`Capped`]).

use std::io::{self, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use sha2::{Digest as _, Sha256};

/// Counts the compressed bytes as they pass (for the bomb ratio and progress) and hashes them
/// (to check the blob's digest without reading it twice).
pub(crate) struct Tap<'a, R> {
    pub(crate) inner: R,
    pub(crate) compressed: &'a AtomicU64,
    pub(crate) progress: &'a AtomicU64,
    pub(crate) hash: Option<&'a Mutex<Sha256>>,
}

impl<R: Read> Read for Tap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.compressed.fetch_add(k as u64, Ordering::Relaxed);
        self.progress.fetch_add(k as u64, Ordering::Relaxed);
        if let Some(h) = self.hash {
            h.lock().unwrap_or_else(std::sync::PoisonError::into_inner).update(&buf[..k]);
        }
        Ok(k)
    }
}

/// Stops a decompression bomb: at most `max` bytes, and at most `ratio` times what the
/// compressed side has delivered once past `floor`.
pub(crate) struct Capped<'a, R> {
    pub(crate) inner: R,
    pub(crate) n: u64,
    pub(crate) max: u64,
    pub(crate) floor: u64,
    pub(crate) ratio: u64,
    pub(crate) compressed: &'a AtomicU64,
    /// SHA-256 of the uncompressed stream, when a `diff_id` is to be checked.
    pub(crate) hash: Option<Sha256>,
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        if let Some(h) = &mut self.hash {
            h.update(&buf[..k]);
        }
        if self.n > self.max {
            return Err(io::Error::other(format!("layer inflates past {} bytes (the --max-layer-size cap)", self.max)));
        }
        let c = self.compressed.load(Ordering::Relaxed).max(1);
        if self.n > self.floor && self.n / c > self.ratio {
            return Err(io::Error::other(format!(
                "layer inflates {}x ({} bytes from {c}): a decompression bomb; not scanned further",
                self.n / c,
                self.n
            )));
        }
        Ok(k)
    }
}

/// A layer's decompressor over its raw stream, concrete so the raw stream can be taken back:
/// after a decompression error the rest of the blob is still read (hashed, not inflated) so its
/// digest can be checked.
pub(crate) enum Decoder<R: Read> {
    Gzip(Box<flate2::read::MultiGzDecoder<BufReader<Head<R>>>>),
    Zstd(zstd::stream::read::Decoder<'static, BufReader<Head<R>>>),
    Plain(Head<R>),
}

/// The raw stream with its first bytes (read to sniff the compression) put back in front.
type Head<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Zstd(d) => d.read(buf),
            Decoder::Plain(d) => d.read(buf),
        }
    }
}

impl<R: Read> Decoder<R> {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Decoder::Gzip(_) => "gzip",
            Decoder::Zstd(_) => "zstd",
            Decoder::Plain(_) => "tar",
        }
    }

    /// The raw stream, positioned after what the decoder consumed.
    pub(crate) fn into_raw(self) -> R {
        match self {
            Decoder::Gzip(d) => (*d).into_inner().into_inner().into_inner().1,
            Decoder::Zstd(d) => d.finish().into_inner().into_inner().1,
            Decoder::Plain(d) => d.into_inner().1,
        }
    }
}

/// Open a layer for reading, choosing the decompressor by the stream's magic bytes.
pub(crate) fn decompress<R: Read>(mut r: R) -> io::Result<Decoder<R>> {
    let mut magic = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match r.read(&mut magic[got..])? {
            0 => break,
            n => got += n,
        }
    }
    let head = io::Cursor::new(magic[..got].to_vec()).chain(r);
    Ok(if got >= 2 && magic[..2] == [0x1f, 0x8b] {
        Decoder::Gzip(Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(256 << 10, head))))
    } else if got == 4 && magic == [0x28, 0xb5, 0x2f, 0xfd] {
        Decoder::Zstd(zstd::stream::read::Decoder::with_buffer(BufReader::with_capacity(256 << 10, head))?)
    } else {
        Decoder::Plain(head)
    })
}
