//! Reports of corpus binaries, one of each kind binsight tells apart, in every output format:
//! `inspect` text and JSON, SARIF, CycloneDX and SPDX (all with `--audit`, which adds findings
//! and verdicts), and the `scan` table of all of them at two terminal widths.
//!
//! Binaries are named relative to the corpus directory (the working directory of the run), so
//! reports show the same paths on every machine; their SHA-256 hashes stay in the snapshots:
//! they prove which file was read.

use binsight_testkit::corpus;

use crate::common::{binsight, filters, snap};

/// (snapshot name, corpus path): musl static, glibc dynamic, stripped, Go with modules, Rust with
/// cargo-auditable dependencies and known vulnerabilities, Rust with an old bundled musl.
const FIXTURES: &[(&str, &str)] = &[
    ("musl-static", MUSL_STATIC),
    ("glibc-dynamic", GLIBC_DYNAMIC),
    ("stripped", STRIPPED),
    ("go", GO),
    ("rust-auditable", RUST_AUDITABLE),
    ("rust-old-musl", RUST_OLD_MUSL),
];

const MUSL_STATIC: &str = "c/gcc-musl-1.2.5/x86_64-static/hello";
const GLIBC_DYNAMIC: &str = "c/gcc-glibc-2.36/x86_64-dynamic/dns";
const STRIPPED: &str = "c/gcc-musl-1.2.5/x86_64-static/dns.stripped";
const GO: &str = "goold/go-1.15.15/amd64/deps-go.plain";
const RUST_AUDITABLE: &str = "vuln/rust-1.95.0/x86_64-musl/vuln-rust.auditable";
const RUST_OLD_MUSL: &str = "rust/1.69.0/aarch64-musl/hello";

/// `inspect --audit` of the corpus file `rel`, with `extra` arguments, from the corpus
/// directory, as the snapshot `name` (JSON lines re-indented when `pretty`).
fn inspect(name: &str, rel: &str, extra: &[&str], pretty: bool) {
    corpus::file(rel);
    let b = binsight();
    let mut c = b.cmd();
    c.current_dir(corpus::dir()).args(["inspect", "--audit"]).args(extra).arg(rel);
    let mut o = binsight_testkit::cli::run(&mut c);
    if pretty {
        o = o.pretty();
    }
    snap!(filters(&b), name, o.snapshot());
}

/// For one fixture: `inspect` text, JSON (re-indented: key order and spelling as written),
/// SARIF, CycloneDX and SPDX.
macro_rules! formats {
    ($module:ident, $name:literal, $rel:expr) => {
        mod $module {
            use super::inspect;

            #[test]
            fn text() {
                inspect(concat!("inspect-", $name), $rel, &[], false);
            }

            #[test]
            fn json() {
                inspect(concat!("json-", $name), $rel, &["-o", "json"], true);
            }

            #[test]
            fn sarif() {
                inspect(concat!("sarif-", $name), $rel, &["-o", "sarif"], false);
            }

            #[test]
            fn cyclonedx() {
                inspect(concat!("cyclonedx-", $name), $rel, &["-o", "cyclonedx-json"], false);
            }

            #[test]
            fn spdx() {
                inspect(concat!("spdx-", $name), $rel, &["-o", "spdx-json"], false);
            }
        }
    };
}

formats!(musl_static, "musl-static", super::MUSL_STATIC);
formats!(glibc_dynamic, "glibc-dynamic", super::GLIBC_DYNAMIC);
formats!(stripped, "stripped", super::STRIPPED);
formats!(go, "go", super::GO);
formats!(rust_auditable, "rust-auditable", super::RUST_AUDITABLE);
formats!(rust_old_musl, "rust-old-musl", super::RUST_OLD_MUSL);

/// `scan --audit DIR` of copies of all the fixtures, as the table drawn for `COLUMNS` wide.
fn scan_table(columns: &str) {
    let b = binsight();
    let dir = b.home().join("bins");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (name, rel) in FIXTURES {
        std::fs::copy(corpus::file(rel), dir.join(name)).expect("copy");
    }
    let mut c = b.cmd();
    c.current_dir(&dir).env("COLUMNS", columns).args(["scan", "--audit", "."]);
    let o = binsight_testkit::cli::run(&mut c);
    snap!(filters(&b), format!("scan-table-{columns}-columns"), o.snapshot());
}

#[test]
fn scan_table_wide() {
    scan_table("160");
}

#[test]
fn scan_table_narrow() {
    scan_table("72");
}
