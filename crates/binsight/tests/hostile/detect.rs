//! Detectors on hostile ELF files: each has a per-file work and memory budget; running out is
//! a `partial` note on that file, never an abort, and the rest of the scan is reported.

use crate::gen::{self, Section, SHF_ALLOC, SHF_EXECINSTR, SHT_PROGBITS};
use crate::harness::{self, Caps};

/// `dir/flood`: a static musl ELF whose `.text` is `size` bytes of [`gen::lea_flood`]; and
/// `dir/good` beside it.
fn flood_dir(dir: &std::path::Path, size: u64) {
    let text =
        Section { name: ".text", kind: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, size, fill: gen::lea_flood() };
    gen::write_elf(&dir.join("flood"), &[text, Section::bytes(".rodata", SHT_PROGBITS, SHF_ALLOC, gen::musl_rodata())]);
    gen::good_elf(&dir.join("good"));
}

/// A static musl binary whose 160 MiB executable section is nothing but `lea disp(%rsp)` with
/// musl's buffer steps: the musl code signal's search once held every instruction (1.6 GB at
/// this size; SIGABRT at 400 MiB) and a directory scan holding the file printed nothing.
#[test]
fn musl_code_search_on_a_lea_flood() {
    let d = tempfile::tempdir().expect("tmp");
    let size = 160u64 << 20;
    flood_dir(d.path(), size);
    // The file itself is mapped or read whole (160 MiB); the search adds one block's lists.
    let caps = Caps { rss_mib: 160 + 120, secs: 120 };
    let o = harness::run(
        ["scan", "-q", "-o", "json"].iter().map(|s| s.to_string()).chain([d.path().display().to_string()]),
        &[],
        caps,
    );
    o.check(caps, &[0]);
    let lines: Vec<serde_json::Value> = o.stdout.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    let flood =
        lines.iter().find(|v| v["path"].as_str().is_some_and(|p| p.ends_with("/flood"))).expect("flood reported");
    let good = lines.iter().find(|v| v["path"].as_str().is_some_and(|p| p.ends_with("/good"))).expect("good reported");
    assert_eq!(flood["libc"]["family"], "musl", "{flood}");
    assert_eq!(good["libc"]["family"], "musl", "{good}");
    // The whole flood is searched within the default budget (no signal: it holds no +280
    // step next to a single buffer size pattern that stays consistent), or stops as partial:
    // either way it is reported and says which.
    if let Some(p) = flood["partial"].as_array() {
        assert!(p.iter().all(|p| p["detector"] == "musl-version"), "{flood}");
    }
}

/// The same flood under a work budget lowered for the test: the file is reported `partial`
/// with the reason, and the good file beside it is complete.
#[test]
fn spent_budget_is_a_partial_note() {
    let d = tempfile::tempdir().expect("tmp");
    flood_dir(d.path(), 8 << 20);
    let caps = Caps { rss_mib: 150, secs: 60 };
    let dir = d.path().display().to_string();
    let o = harness::run(["scan", "-q", "-o", "json", "--max-detector-work", "1M", &dir], &[], caps);
    o.check(caps, &[0]);
    let flood = o.stdout.lines().find(|l| l.contains("/flood\"")).expect("flood reported");
    let v: serde_json::Value = serde_json::from_str(flood).expect("JSON");
    assert_eq!(v["partial"][0]["detector"], "musl-version", "{v}");
    assert!(v["partial"][0]["reason"].as_str().is_some_and(|r| r.contains("work budget")), "{v}");
    let good = o.stdout.lines().find(|l| l.contains("/good\"")).expect("good reported");
    assert!(!good.contains("\"partial\""), "{good}");
    // The table says so too.
    let o = harness::run(["scan", "-q", "--max-detector-work", "1M", &dir], &[], caps);
    o.check(caps, &[0]).stdout_has("partial");
}
