//! Go module-info text parser (the `path`/`mod`/`dep`/`=>`/`build` lines of Go build info).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let m = binsight_detect::go_buildinfo::parse_modinfo(&text);
    // Bounded: never more modules than lines.
    assert!(m.deps.len() <= text.lines().count());
});
