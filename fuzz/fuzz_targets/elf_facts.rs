//! The whole read side on arbitrary bytes: parse, every detector, JSON serialisation.
//! Any panic, overflow (debug assertions are on), timeout or OOM is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(report) = binsight_detect::analyze_file("fuzz", data, &binsight_detect::Options::default()) else {
        return;
    };
    let json = serde_json::to_vec(&report).expect("a report always serialises");
    assert!(!json.is_empty());
});
