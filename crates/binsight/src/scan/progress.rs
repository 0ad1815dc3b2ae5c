//! Progress on stderr while `scan` works: a spinner during a directory walk, a byte bar while
//! files or image layers are read. Drawn only when asked for, on a terminal, and not on CI.

use std::io::IsTerminal as _;
use std::time::Duration;

/// Whether progress may be drawn: asked for, stderr a terminal, not on CI.
fn progress_shown(enabled: bool) -> bool {
    enabled && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// A bar over `total` bytes, with the ELF files found as its message.
pub(super) fn byte_bar(total: u64, enabled: bool) -> Option<indicatif::ProgressBar> {
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
pub(super) fn spinner(enabled: bool) -> Option<indicatif::ProgressBar> {
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
pub(super) fn polling<T>(
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
