//! A blob body as it streams, held to a size cap, a minimum rate and a deadline.

use std::io::{self, Read};
use std::time::{Duration, Instant};

/// A blob body as it streams: at most `left` more bytes (one more is an error), a minimum
/// average rate over each `window` of time spent waiting on the network, and an overall
/// `deadline` on that time. Time the caller spends between reads does not count.
pub(crate) struct Paced<R> {
    inner: R,
    /// `registry:REF: blob DIGEST`, for errors.
    what: String,
    /// What `cap` stands for, for errors.
    limit: String,
    cap: u64,
    left: u64,
    min_rate: u64,
    window: Duration,
    deadline: Duration,
    busy: Duration,
    window_busy: Duration,
    window_bytes: u64,
    /// The first error, returned again by every later read (one cause, one message).
    failed: Option<(io::ErrorKind, String)>,
}

impl<R: Read> Paced<R> {
    /// `inner` read to at most `cap` bytes (`limit` says what the cap stands for), at
    /// `min_rate` over each `window`, within `deadline` of network time; `what` names it.
    pub(crate) fn new(
        inner: R,
        what: String,
        limit: String,
        cap: u64,
        min_rate: u64,
        window: Duration,
        deadline: Duration,
    ) -> Paced<R> {
        Paced {
            inner,
            what,
            limit,
            cap,
            left: cap,
            min_rate,
            window,
            deadline,
            busy: Duration::ZERO,
            window_busy: Duration::ZERO,
            window_bytes: 0,
            failed: None,
        }
    }

    fn timed_read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let start = Instant::now();
        let got = self.inner.read(buf);
        let spent = start.elapsed();
        self.busy += spent;
        self.window_busy += spent;
        let k = got.map_err(|e| {
            io::Error::new(e.kind(), format!("{}: {e} (reads wait at most {} s)", self.what, self.window.as_secs()))
        })?;
        self.window_bytes += k as u64;
        if self.busy > self.deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "{}: not finished after {} s of transfer, the deadline for {} bytes at the minimum rate of \
                     {} B/s; the registry is too slow",
                    self.what,
                    self.deadline.as_secs(),
                    self.cap,
                    self.min_rate
                ),
            ));
        }
        if self.window_busy >= self.window {
            let need = self.min_rate.saturating_mul(self.window_busy.as_secs().max(1));
            if self.window_bytes < need {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "{}: {} bytes in {:.0} s is below the minimum rate of {} B/s; the registry is too slow \
                         or stalling (RegistryOptions::min_rate sets the floor)",
                        self.what,
                        self.window_bytes,
                        self.window_busy.as_secs_f64(),
                        self.min_rate
                    ),
                ));
            }
            (self.window_busy, self.window_bytes) = (Duration::ZERO, 0);
        }
        Ok(k)
    }
}

impl<R: Read> Read for Paced<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some((kind, msg)) = &self.failed {
            return Err(io::Error::new(*kind, msg.clone()));
        }
        let got = self.checked_read(buf);
        if let Err(e) = &got {
            self.failed = Some((e.kind(), e.to_string()));
        }
        got
    }
}

impl<R: Read> Paced<R> {
    fn checked_read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // Everything allowed has arrived: the body must end here.
            let mut probe = [0u8; 1];
            return match self.timed_read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(format!("{}: the registry sent more than {}", self.what, self.limit))),
            };
        }
        let n = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let k = self.timed_read(&mut buf[..n])?;
        self.left -= k as u64;
        Ok(k)
    }
}
