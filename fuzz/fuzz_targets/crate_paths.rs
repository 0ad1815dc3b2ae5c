//! Rust crate recovery from `registry/src/<registry>/<name>-<version>/` paths in a binary.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for c in binsight_detect::components::crates_from_paths(data, &mut binsight_detect::Meter::new(Default::default())) {
        // Every recovered crate has a well-formed name and a semver version.
        assert!(!c.name.is_empty() && c.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
        assert!(c.version.as_deref().is_some_and(|v| semver::Version::parse(v).is_ok()));
    }
});
