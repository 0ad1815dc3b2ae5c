use crate::{rust_releases, signatures};

#[test]
fn compiled_in_tables_parse() {
    assert!(signatures::signatures().len() >= 10);
    assert!(crate::portability::distros().len() >= 10);
    // Every family named in the table is one the detectors read.
    for s in signatures::signatures() {
        assert!(
            ["musl", "glibc", "uclibc", "bionic", "go", "nss", "rustc-path", "resolver", "musl-version"]
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

/// A minimal static ELF64 (header only) followed by `payload`: enough for the detectors.
fn static_elf_with(payload: &[u8]) -> Vec<u8> {
    let mut h = vec![0u8; 64];
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = 2; // 64-bit
    h[5] = 1; // little endian
    h[6] = 1;
    h[16] = 2; // ET_EXEC
    h[18] = 62; // x86_64
    h[20] = 1;
    h[52] = 64; // e_ehsize
    h.extend_from_slice(payload);
    h
}

fn analyze_bytes(data: &[u8]) -> binsight_model::BinaryReport {
    let elf = binsight_elf::Elf::parse(data, &binsight_elf::Limits::default()).expect("parses");
    crate::analyze("crafted", &elf)
}

#[test]
fn one_planted_version_signal_is_not_a_confident_answer() {
    // musl's strerror anchor plus the 1.2.3+ key messages, nothing else.
    let r = analyze_bytes(&static_elf_with(
        b"..No error information\0Required key not available\0Key has expired\0..Illegal byte sequence\0",
    ));
    assert_eq!(r.libc.family, binsight_model::LibcFamily::Musl);
    assert_eq!(r.libc.version.as_deref(), Some(">=1.2.3"));
    assert_eq!(r.libc.version_confidence, binsight_model::Confidence::Partial);
}

#[test]
fn two_libcs_report_the_conflict() {
    let r = analyze_bytes(&static_elf_with(b"No error information\0..GLIBC_TUNABLES\0..Fatal glibc error: x\0"));
    assert_eq!(r.libc.family, binsight_model::LibcFamily::Unknown);
    assert!(r.unknowns.iter().any(|u| u.message.contains("several C libraries")), "{:?}", r.unknowns);
    assert!(r.libc.version.is_none());
}

#[test]
fn contradicting_version_signals_give_no_version() {
    // 1.2.4+ resolver message beside the <=1.2.2 strerror table (no key messages).
    let r = analyze_bytes(&static_elf_with(
        b"No error information\0Illegal byte sequence\0Name does not resolve\0Non-recoverable error\0Name has no usable address\0",
    ));
    assert_eq!(r.libc.family, binsight_model::LibcFamily::Musl);
    assert!(r.libc.version.is_none(), "{:?}", r.libc.version);
    assert!(r.unknowns.iter().any(|u| u.origin == "musl-version"), "{:?}", r.unknowns);
}
