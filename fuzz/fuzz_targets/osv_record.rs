//! One OSV record from arbitrary bytes, then the range evaluation of every `affected` entry.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(a) = binsight_advisory::osv::parse_record(data) else { return };
    assert!(!a.id.is_empty());
    // The record's own versions and bounds, and a few fixed ones, against every entry.
    let mut versions: Vec<&str> = vec!["0", "0.0.0", "1.0.0", "v1.2.3", "1.0.0-rc.1", "(devel)", ""];
    for aff in &a.affected {
        versions.extend(aff.versions.iter().map(String::as_str));
        for r in &aff.ranges {
            for e in &r.events {
                versions.extend(
                    [&e.introduced, &e.fixed, &e.last_affected, &e.limit].into_iter().flatten().map(String::as_str),
                );
            }
        }
    }
    versions.truncate(64);
    for aff in &a.affected {
        for v in &versions {
            let _ = binsight_advisory::range::decide(aff, v);
        }
    }
    // The file name it would be stored under stays inside the source's folder.
    if let Ok(f) = binsight_advisory::store::record_file_name(&a.id) {
        assert!(!f.starts_with('.') && !f.contains('/') && f.len() <= 255, "{f}");
    }
});
