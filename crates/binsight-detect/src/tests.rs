use crate::{rust_releases, signatures};

#[test]
fn compiled_in_tables_parse() {
    assert!(signatures::signatures().len() >= 10);
    assert!(crate::portability::distros().len() >= 10);
    // Every family named in the table is one the detectors read.
    for s in signatures::signatures() {
        assert!(
            [
                "musl",
                "glibc",
                "uclibc",
                "bionic",
                "go",
                "nss",
                "rustc-path"
            ]
            .contains(&s.family.as_str()),
            "unknown family {} in {}",
            s.family,
            s.id
        );
    }
    assert!(rust_releases::releases().len() >= 100);
    assert!(crate::zig_releases::releases().len() >= 10);
}

#[test]
fn signature_escapes() {
    let t = signatures::parse_table("a\tmusl\t2\tx\\0y\\xffz\\\\\n").expect("parses");
    assert_eq!(t[0].pattern, b"x\0y\xffz\\");
    assert!(signatures::parse_table("a\tmusl\t2\tbad\\q\n").is_err());
    assert!(signatures::parse_table("a\tmusl\n").is_err());
}

#[test]
fn scan_finds_every_occurrence_up_to_cap() {
    let mut data = b"xx No error information\0 yy GLIBC_TUNABLES\0".to_vec();
    data.extend(std::iter::repeat_n(b"/rustc/".as_slice(), 100).flatten());
    let hits = signatures::scan(&data);
    assert_eq!(hits.of("musl-strerror-0"), &[3]);
    assert_eq!(hits.of("glibc-tunables-env").len(), 1);
    assert_eq!(hits.of("rustc-path").len(), 64);
}
