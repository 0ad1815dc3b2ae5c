//! Tests across detectors: the compiled-in tables, the scanner, and whole crafted files.

use crate::tsv::{Problem, TableError};
use crate::{rust_releases, signatures};

/// Every table under `data/`, with its loader: (file name, contents, rows loaded).
fn every_table() -> Vec<(&'static str, &'static str, Result<usize, TableError>)> {
    macro_rules! table {
        ($name:literal, $parse:path) => {{
            let text = include_str!(concat!("../data/", $name));
            ($name, text, $parse(text).map(|v| v.len()))
        }};
    }
    let signatures_of_bundled =
        |t: &str| crate::bundled::table::parse_signatures(t, crate::bundled::table::libraries());
    vec![
        ("bundled-libraries.tsv", include_str!("../data/bundled-libraries.tsv"), {
            signatures_of_bundled(include_str!("../data/bundled-libraries.tsv")).map(|v| v.len())
        }),
        table!("c-libraries.tsv", crate::bundled::table::parse_libraries),
        table!("c-library-functions.tsv", crate::bundled::table::parse_functions),
        table!("cargo-registries.tsv", crate::crate_paths::parse_registries),
        table!("crate-path-layouts.tsv", crate::crate_paths::parse_layouts),
        table!("distros.tsv", crate::portability::parse_distros),
        table!("exec-stack-arches.tsv", crate::hardening::parse_exec_stack),
        table!("glibc-tunables.tsv", crate::glibc_version::parse_tunables),
        table!("go-module-hosts.tsv", crate::go::packages::parse_hosts),
        table!("kernel-floors.tsv", crate::portability::parse_kernel_floors),
        table!("libc-components.tsv", crate::components::parse_libc_components),
        table!("libc-loaders.tsv", crate::libc::parse_loaders),
        table!("libc-signatures.tsv", signatures::parse_table),
        table!("musl-code-signals.tsv", crate::musl::code::parse_abuf_sizes),
        table!("musl-features.tsv", crate::musl::releases::parse_features),
        table!("musl-patches.tsv", crate::musl::signals::parse_patches),
        table!("musl-provenance.tsv", crate::musl::parse_provenance),
        table!("musl-rebuild.tsv", crate::dns::parse_rebuild),
        table!("musl-signals.tsv", crate::musl::parse_signals),
        table!("rust-releases.tsv", rust_releases::parse_table),
        table!("sqlite-source-ids.tsv", crate::bundled::table::parse_sqlite_ids),
        table!("symbols.tsv", crate::symbols::parse_symbols),
        table!("sys-crates.tsv", crate::bundled::table::parse_sys_crates),
        table!("tracked-functions.tsv", crate::libc_functions::parse_tracked),
        table!("zig-releases.tsv", crate::zig_releases::parse_table),
    ]
}

/// Every file of `data/` loads, with one entry per data line: no row is left out.
#[test]
fn every_table_loads() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("data/ readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let tables = every_table();
    let names: Vec<&str> = tables.iter().map(|(n, ..)| *n).collect();
    assert_eq!(files, names, "a file of data/ has no loader in this test");
    for (name, text, loaded) in tables {
        let rows = text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).count();
        match loaded {
            Ok(n) => assert_eq!(n, rows, "data/{name}: rows left out"),
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn a_bad_row_is_an_error_naming_the_table_and_line() {
    let e = signatures::parse_table("# c\na\tmusl\t2\tok\nb\tmusl\n").expect_err("short row");
    assert_eq!(e, TableError { table: "libc-signatures.tsv", line: 3, problem: Problem::Columns { want: 4, got: 2 } });
    assert_eq!(e.to_string(), "data/libc-signatures.tsv line 3: want 4 tab-separated columns, found 2");
    let e = crate::musl::parse_signals("x\t-\t1.2.3\t1.2.9\t-\t-\tp\ts\n").expect_err("unknown release");
    assert_eq!(e.problem, Problem::UnknownMusl { version: "1.2.9".into() });
    assert!(crate::libc::parse_loaders("needed\tsome\tlibc.so.6\tglibc\tsrc\n").is_err());
    assert!(crate::dns::parse_rebuild("-\tdo something\tsrc\n").is_err());
}

#[test]
fn compiled_in_tables_parse() {
    assert!(crate::scanner().patterns().len() >= 10);
    assert!(crate::scanner().patterns().len() > signatures::table().len(), "musl signals are scanned too");
    assert!(crate::portability::distros().len() >= 10);
    // Every family named in the table is one the detectors read.
    for s in crate::scanner().patterns() {
        assert!(
            [
                "musl",
                "glibc",
                "uclibc",
                "bionic",
                "go",
                "nss",
                "rustc-path",
                "resolver",
                "musl-version",
                "libc-function",
                "bundled"
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
    let hits = crate::scanner().scan(&data);
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
    crate::analyze_elf("crafted", &elf, &crate::Options::default())
}

#[test]
fn one_planted_version_signal_is_not_a_confident_answer() {
    // musl's strerror anchor plus the 1.2.3+ key messages, nothing else.
    let r = analyze_bytes(&static_elf_with(
        b"..No error information\0Required key not available\0Key has expired\0..Illegal byte sequence\0",
    ));
    assert_eq!(r.libc.family, binsight_model::LibcFamily::Musl);
    assert_eq!(r.libc.version.as_ref().map(ToString::to_string).as_deref(), Some(">=1.2.3"));
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

/// An ELF64 x86_64 static executable with the given named sections (plus `.shstrtab`).
fn elf_with_sections(sections: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = static_elf_with(b"");
    let mut names = vec![0u8];
    let mut headers: Vec<[u64; 4]> = Vec::new(); // name offset, file offset, size, type
    for (name, data) in sections {
        let name_off = names.len() as u64;
        names.extend_from_slice(name.as_bytes());
        names.push(0);
        headers.push([name_off, out.len() as u64, data.len() as u64, 1]); // SHT_PROGBITS
        out.extend_from_slice(data);
    }
    let shstr_name = names.len() as u64;
    names.extend_from_slice(b".shstrtab\0");
    headers.push([shstr_name, out.len() as u64, names.len() as u64, 3]); // SHT_STRTAB
    out.extend_from_slice(&names);
    while out.len() % 8 != 0 {
        out.push(0);
    }
    let shoff = out.len() as u64;
    out.extend_from_slice(&[0u8; 64]); // section 0
    for [name, off, size, kind] in &headers {
        let mut sh = [0u8; 64];
        sh[0..4].copy_from_slice(&(*name as u32).to_le_bytes());
        sh[4..8].copy_from_slice(&(*kind as u32).to_le_bytes());
        sh[24..32].copy_from_slice(&off.to_le_bytes());
        sh[32..40].copy_from_slice(&size.to_le_bytes());
        sh[48..56].copy_from_slice(&1u64.to_le_bytes());
        out.extend_from_slice(&sh);
    }
    out[40..48].copy_from_slice(&shoff.to_le_bytes()); // e_shoff
    out[58..60].copy_from_slice(&64u16.to_le_bytes()); // e_shentsize
    out[60..62].copy_from_slice(&((headers.len() + 1) as u16).to_le_bytes()); // e_shnum
    out[62..64].copy_from_slice(&(headers.len() as u16).to_le_bytes()); // e_shstrndx
    out
}

/// zlib (RFC 1950) with stored (uncompressed) deflate blocks: no compressor dependency needed.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = if data.is_empty() { vec![&[][..]] } else { data.chunks(65_535).collect() };
    for (i, c) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let len = c.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(c);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

const RUSTC_COMMENT: &[u8] = b"rustc version 1.80.1 (3f5fd8dd4 2024-08-06)\0";

#[test]
fn auditable_data_is_read() {
    let json = br#"{"packages":[{"name":"tool","version":"0.1.0","source":"local","root":true,"dependencies":[1]},{"name":"serde","version":"1.0.200","source":"crates.io"},{"name":"cc","version":"1.0.0","source":"crates.io","kind":"build"}]}"#;
    let r = analyze_bytes(&elf_with_sections(&[(".comment", RUSTC_COMMENT), (".dep-v0", &zlib_stored(json))]));
    assert_eq!(r.components_completeness, binsight_model::Completeness::Complete);
    let serde = r.components.iter().find(|c| c.name == "serde").expect("serde listed");
    assert_eq!(serde.purl.as_deref(), Some("pkg:cargo/serde@1.0.200"));
    assert_eq!(serde.found_by, "cargo-auditable");
    assert!(r.components.iter().any(|c| c.name == "tool" && c.root));
    assert!(r.components.iter().any(|c| c.name == "cc" && c.build_only));
    assert!(r.components.iter().any(|c| c.name == "rust-std" && c.version.as_deref() == Some("1.80.1")));
}

#[test]
fn hostile_auditable_data_gives_an_error_and_partial_results() {
    // A path-recoverable crate elsewhere in the file survives a bad .dep-v0.
    let path = b"/c/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.200/src/lib.rs\0";
    let bomb = zlib_stored(&vec![b' '; 9 << 20]); // decompresses past the 8 MiB cap
    let cases: [(&str, Vec<u8>); 4] = [
        ("over its limit", bomb),
        ("malformed json", zlib_stored(b"{\"packages\": [ {\"name\": ")),
        ("not zlib", b"\x00\x01garbage".to_vec()),
        ("cycle", zlib_stored(br#"{"packages":[{"name":"a","version":"1.0.0","source":"crates.io","dependencies":[1]},{"name":"b","version":"1.0.0","source":"crates.io","dependencies":[0]}]}"#)),
    ];
    for (what, dep) in cases {
        let r = analyze_bytes(&elf_with_sections(&[(".comment", RUSTC_COMMENT), (".rodata", path), (".dep-v0", &dep)]));
        // (auditable-serde rejects dependency cycles, like the other cases: error + fallback.)
        assert!(r.unknowns.iter().any(|u| u.origin == "cargo-auditable"), "{what}: {:?}", r.unknowns);
        assert_eq!(r.components_completeness, binsight_model::Completeness::Partial, "{what}");
        assert!(r.components.iter().any(|c| c.name == "serde" && c.found_by == "panic-path"), "{what}");
    }
}

#[test]
fn lying_go_buildinfo_is_bounded() {
    // New-format header, then a version and a module-info length far past the end of the file.
    let mut blob = vec![0u8; 16];
    blob.extend_from_slice(b"\xff Go buildinf:\x08\x02");
    blob.extend_from_slice(&[0u8; 16]);
    blob.extend_from_slice(b"\x08go1.22.0\xff\xff\xff\xff\x0f");
    let mut data = static_elf_with(b"");
    while data.len() % 16 != 0 {
        data.push(0);
    }
    data.extend_from_slice(&blob[16..]);
    let r = analyze_bytes(&data);
    let go = r.toolchain.go.expect("version still read");
    assert_eq!(go.version, "go1.22.0");
    assert!(go.main.is_none());
    assert_eq!(r.libc.family, binsight_model::LibcFamily::None);
}

#[test]
fn distro_rustc_paths_and_producer_strings_name_rustc() {
    // Debian's rustc: std paths under /usr/src/rustc-X.Y.Z/, crates from its registry.
    let debian = b"..called `Option::unwrap()`/usr/src/rustc-1.63.0/library/alloc/src/slice.rs\0\
        /usr/share/cargo/registry/memchr-2.5.0/src/memchr/x86/mod.rs\0";
    let r = analyze_bytes(&elf_with_sections(&[(".rodata", debian)]));
    let rustc = r.toolchain.rustc.expect("rustc found");
    assert_eq!(rustc.version.as_deref(), Some("1.63.0"));
    assert_eq!(rustc.confidence, binsight_model::Confidence::Likely);
    assert_eq!(rustc.evidence[0].detail, "/usr/src/rustc-1.63.0/");
    assert!(r.components.iter().any(|c| c.name == "memchr" && c.source.as_deref() == Some("distro")));
    assert!(r.components.iter().any(|c| c.name == "rust-std" && c.version.as_deref() == Some("1.63.0")));
    assert_eq!(r.components_completeness, binsight_model::Completeness::Partial);
    // Fedora's rustc.
    let fedora = b"/builddir/build/BUILD/rustc-1.75.0-src/library/core/src/fmt/mod.rs\0";
    let r = analyze_bytes(&elf_with_sections(&[(".rodata", fedora)]));
    assert_eq!(r.toolchain.rustc.and_then(|r| r.version).as_deref(), Some("1.75.0"));
    // A nightly named only in the LLVM producer string (no .comment), beside its commit path.
    let nightly = b"clang LLVM (rustc version 1.72.0-nightly (839e9a6e1 2023-07-02))\0\
        /rustc/839e9a6e1210934fd24b15548b811a97c77138fc/library/core/src/fmt/mod.rs\0";
    let r = analyze_bytes(&elf_with_sections(&[(".debug_str", nightly)]));
    let rustc = r.toolchain.rustc.expect("rustc found");
    assert_eq!(rustc.version.as_deref(), Some("1.72.0-nightly"));
    assert_eq!(rustc.commit.as_deref(), Some("839e9a6e1210934fd24b15548b811a97c77138fc"));
    assert_eq!(rustc.confidence, binsight_model::Confidence::Exact);
    // Text that only looks like one names nothing.
    for junk in [&b"/usr/src/rustc-latest/x\0"[..], b"rustc version banana\0", b"/usr/src/rustc-9.1.0/x\0"] {
        let r = analyze_bytes(&elf_with_sections(&[(".rodata", junk)]));
        assert!(r.toolchain.rustc.is_none(), "{:?}", String::from_utf8_lossy(junk));
    }
}

#[test]
fn a_gopath_main_package_names_its_root_module_by_host_layout() {
    let go = |path: &str| binsight_model::Go {
        version: "go1.19.8".into(),
        confidence: binsight_model::Confidence::Exact,
        evidence: vec![binsight_model::Evidence::new("go-buildinfo", "build info states go1.19.8")],
        path: Some(path.into()),
        main: None,
        settings: Vec::new(),
    };
    let root = |path: &str| crate::components::root_from_main_package(path, &go(path));
    // Debian's skopeo: a module whose only package is `main` (its functions are `main.*`).
    let c = root("github.com/containers/skopeo/cmd/skopeo").expect("a root module");
    assert_eq!((c.name.as_str(), c.version.as_deref(), c.root), ("github.com/containers/skopeo", None, true));
    assert_eq!(c.purl.as_deref(), Some("pkg:golang/github.com/containers/skopeo"));
    assert_eq!(c.kind, binsight_model::ComponentKind::GoModule);
    assert!(c.evidence[0].detail.contains("github.com/containers/skopeo/cmd/skopeo"), "{:?}", c.evidence);
    // A major-version suffix is part of the module path.
    assert_eq!(root("github.com/a/b/v2/cmd/c").map(|c| c.name).as_deref(), Some("github.com/a/b/v2"));
    // No guess: a host not in the table, `go run`'s package, a path too short, odd bytes.
    for no in
        ["example.org/x/cmd/y", "command-line-arguments", "github.com/a", "github.com/a/b\"c/d", "github.com/a/b@v1/c"]
    {
        assert!(root(no).is_none(), "{no}");
    }
}
