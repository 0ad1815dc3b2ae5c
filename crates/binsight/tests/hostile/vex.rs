//! `--vex` with hostile documents: too big, nested past any sane depth, too many statements,
//! control characters in names and file names. Each is refused (exit 2) with the file named and
//! what is wrong, or read under the caps; none is printed raw.

use std::io::Write;

use crate::harness::{self, Caps};

fn scan_with_vex(vex: &std::path::Path, caps: Caps) -> harness::Outcome {
    let me = std::env::current_exe().expect("the test binary: any ELF");
    harness::run(
        [
            std::ffi::OsStr::new("scan"),
            "--vex".as_ref(),
            vex.as_os_str(),
            "-o".as_ref(),
            "json".as_ref(),
            me.as_os_str(),
        ],
        &[],
        caps,
    )
}

/// Past 16 MiB: refused before it is parsed, without reading the rest.
#[test]
fn a_huge_vex_document_is_refused() {
    let d = tempfile::tempdir().expect("tmp");
    let f = d.path().join("big.json");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&f).expect("create"));
    w.write_all(b"{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"x\": \"").expect("write");
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..20 {
        w.write_all(&chunk).expect("write");
    }
    w.write_all(b"\"}").expect("write");
    drop(w);
    let caps = Caps { rss_mib: 300, secs: 30 };
    scan_with_vex(&f, caps).check(caps, &[2]).stderr_has("big.json: larger than 16 MiB");
}

/// 100,000 nested arrays: serde_json's depth limit, an error, no stack overflow.
#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let d = tempfile::tempdir().expect("tmp");
    let f = d.path().join("deep.json");
    std::fs::write(&f, format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))).expect("write");
    let caps = Caps { rss_mib: 300, secs: 30 };
    scan_with_vex(&f, caps).check(caps, &[2]).stderr_has("deep.json: not JSON");
}

/// Write an OpenVEX document of `n` statements, each `statement(i)`, to `f`.
fn many(f: &std::path::Path, n: u32, statement: impl Fn(u32) -> String) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(f).expect("create"));
    write!(w, "{{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"statements\":[").expect("write");
    for i in 0..n {
        let sep = if i == 0 { "" } else { "," };
        write!(w, "{sep}{}", statement(i)).expect("write");
    }
    w.write_all(b"]}").expect("write");
}

/// 170,000 statements (about 15 MiB, under the 16 MiB cap) load within the caps, and the scan
/// goes on; 250,001 minimal ones (under 16 MiB too) pass the statement cap and are refused.
#[test]
fn many_statements_load_under_the_caps_and_too_many_are_refused() {
    let d = tempfile::tempdir().expect("tmp");
    let f = d.path().join("many.json");
    many(&f, 170_000, |i| {
        format!(
            "{{\"vulnerability\":{{\"name\":\"CVE-{i}\"}},\"products\":[\"pkg:generic/x@{i}\"],\"status\":\"fixed\"}}"
        )
    });
    assert!(std::fs::metadata(&f).expect("size").len() < 16 << 20);
    let caps = Caps { rss_mib: 300, secs: 60 };
    scan_with_vex(&f, caps).check(caps, &[0]).stdout_has("\"elf\"");
    let g = d.path().join("too-many.json");
    many(&g, 250_001, |_| "{\"vulnerability\":\"C\",\"products\":[\"x\"],\"status\":\"fixed\"}".to_string());
    let caps = Caps { rss_mib: 300, secs: 60 };
    scan_with_vex(&g, caps).check(caps, &[2]).stderr_has("too-many.json: more than 250000 statements");
}

/// Control characters in a statement's status and in the file's name are shown escaped.
#[test]
fn control_characters_are_escaped() {
    let d = tempfile::tempdir().expect("tmp");
    let f = d.path().join("evil\u{1b}[31m.json");
    std::fs::write(
        &f,
        "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"statements\":[{\"vulnerability\":{\"name\":\"CVE-1\"},\
         \"products\":[\"x\"],\"status\":\"\\u001b[2Jgone\"}]}",
    )
    .expect("write");
    let caps = Caps { rss_mib: 300, secs: 30 };
    scan_with_vex(&f, caps).check(caps, &[2]).no_control_chars().stderr_has("\\u{1b}[2Jgone");
}
