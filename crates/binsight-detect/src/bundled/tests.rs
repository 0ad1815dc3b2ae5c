use super::*;

#[test]
fn tables_load_and_agree() {
    let libs = table::libraries();
    assert!(libs.iter().any(|l| l.name == "openssl" && l.crates.contains(&"openssl-src".to_string())));
    for r in table::signatures() {
        assert!(libs.iter().any(|l| l.name == r.library), "{}", r.id);
    }
    for l in libs {
        let rows: Vec<_> = rows_of(&l.name).collect();
        assert!(rows.iter().any(|r| matches!(r.role, Role::Code | Role::Symbol)), "{} has no code rows", l.name);
    }
    // Every crate of sys-crates.tsv is one its library lists (else its binaries would not say
    // how the library got in).
    for r in table::sys_crates() {
        let lib = libs.iter().find(|l| l.name == r.library).unwrap_or_else(|| panic!("{}: unknown library", r.library));
        assert!(lib.crates.contains(&r.krate), "{} is not among {}'s crates in c-libraries.tsv", r.krate, r.library);
    }
    assert!(table::sqlite_releases().len() >= 30);
}

#[test]
fn version_tokens() {
    let v = |s: &[u8], min| version_at(s, 0, min);
    assert_eq!(v(b"3.0.13 30 Jan 2024\0", 3).as_deref(), Some("3.0.13"));
    assert_eq!(v(b"1.1.1w  11 Sep 2023\0", 3).as_deref(), Some("1.1.1w"));
    assert_eq!(v(b"1.2.13 Copyright", 2).as_deref(), Some("1.2.13"));
    // a sentence, not a version
    assert_eq!(v(b"3.0 is required", 3), None);
    assert_eq!(v(b"Default Provider", 3), None);
    assert_eq!(v(b"3.0.1x86", 3), None);
    // a version at the end of a sentence
    assert_eq!(v(b"1.2.", 2).as_deref(), Some("1.2"));
    assert_eq!(next_string(b"\0\0\x003.0.19\0provider", 0).as_deref(), Some("3.0.19"));
    assert!(is_version("10.42", 2) && !is_version("10", 2) && !is_version("1..2", 2));
}

#[test]
fn crate_metadata_gives_the_library_version() {
    assert_eq!(crate_library_version("curl", "curl-sys", "0.4.80+curl-8.12.1").as_deref(), Some("8.12.1"));
    assert_eq!(crate_library_version("zstd", "zstd-sys", "2.0.7+zstd.1.5.4").as_deref(), Some("1.5.4"));
    assert_eq!(crate_library_version("openssl", "openssl-src", "111.28.2+1.1.1w").as_deref(), Some("1.1.1w"));
    assert_eq!(
        crate_library_version("zlib", "libz-sys", "1.1.8"),
        None.or(crate_library_version("zlib", "libz-sys", "1.1.8"))
    );
}
