//! The whole read side on arbitrary bytes: parse, every detector, JSON serialisation.
//! Any panic, overflow (debug assertions are on), timeout or OOM is a bug.
#![no_main]

use binsight_elf::{Elf, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(elf) = Elf::parse(data, &Limits::default()) else {
        return;
    };
    let report: binsight_model::BinaryReport = binsight_detect::analyze("fuzz", &elf);
    let json = serde_json::to_vec(&report).expect("a report always serialises");
    assert!(!json.is_empty());
});
