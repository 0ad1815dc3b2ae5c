//! Hostile inputs, each generated here by a small generator (no stored blobs), run through the
//! real `binsight` binary under resource limits (`prlimit`): no abort, peak RSS and time under
//! stated caps, a clear error, and the other inputs of the same run still reported.
//!
//! One module per area; each case states its caps beside it. `harness` runs the binary.

mod advisory;
mod harness;
mod output;
mod registry;
mod vex;

use harness::Caps;

/// The harness itself measures: a file of 64 MiB is read whole, so the peak RSS it reports
/// is at least that; exit 0.
#[test]
fn harness_measures() {
    let d = tempfile::tempdir().expect("tmp");
    let f = d.path().join("big");
    gen::write_elf(&f, &[gen::Section::bytes(".data", gen::SHT_PROGBITS, gen::SHF_ALLOC, vec![0x5a; 64 << 20])]);
    let caps = Caps { rss_mib: 300, secs: 60 };
    let o = harness::run([std::ffi::OsStr::new("inspect"), f.as_os_str()], &[], caps);
    o.check(caps, &[0]);
    assert!(o.peak_rss_kib >= 64 << 10, "peak RSS {} KiB for a 64 MiB file: VmHWM not read", o.peak_rss_kib);
}

mod gen;

mod image;

mod detect;
