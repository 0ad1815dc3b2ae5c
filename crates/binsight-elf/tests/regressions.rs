//! Every file in `tests/regressions/` through the whole read side (parse, every detector,
//! JSON), as the fuzz target does: inputs that once panicked, overflowed, ran away or hoarded
//! memory, plus small crafted seeds. A crash found by `fuzz/` (see fuzz/README.md) is fixed and
//! its (minimised) input added here.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use binsight_elf::{Elf, Limits};

fn inputs() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_regression_input_is_handled() {
    let files = inputs();
    assert!(!files.is_empty(), "tests/regressions/ has no inputs");
    for path in files {
        let data = std::fs::read(&path).expect("read input");
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        let start = Instant::now();
        if let Ok(elf) = Elf::parse(&data, &Limits::default()) {
            let report = binsight_detect::analyze_elf(&name, &elf, &binsight_detect::Options::default());
            serde_json::to_vec(&report).expect("report serialises");
        }
        let took = start.elapsed();
        assert!(took < Duration::from_secs(2), "{name}: took {took:?}");
    }
}

/// Each truncation and single-byte flip of the inputs too (they are small).
#[test]
fn mutations_of_regression_inputs_are_handled() {
    let limits = Limits::default();
    for path in inputs() {
        let data = std::fs::read(&path).expect("read input");
        if data.len() > 4096 {
            continue;
        }
        for len in 0..data.len() {
            if let Ok(elf) = Elf::parse(&data[..len], &limits) {
                let _ = binsight_detect::analyze_elf("cut", &elf, &binsight_detect::Options::default());
            }
        }
        let mut d = data.clone();
        for i in 0..d.len() {
            for v in [0x00, 0xff, 0x80, 0x7f] {
                let old = d[i];
                d[i] = v;
                if let Ok(elf) = Elf::parse(&d, &limits) {
                    let _ = binsight_detect::analyze_elf("flip", &elf, &binsight_detect::Options::default());
                }
                d[i] = old;
            }
        }
    }
}
