//! Every user-facing error of the command line, whole: bad arguments and option values, sources
//! that cannot be read, bad configuration, a bad `SOURCE_DATE_EPOCH`, advisory database errors.
//! One snapshot per kind of mistake; related variants share one, each under its command line.
//! Runs happen in a temporary home holding `hello` (a static musl binary of the corpus) and
//! `notes.txt` (not an ELF file).

use std::process::Command;

use binsight_testkit::cli::{run, Binsight, Output};
use binsight_testkit::corpus;

use crate::common::{binsight, filters, snap, transcript};

/// A home with `hello` and `notes.txt`.
fn home() -> Binsight {
    let b = binsight();
    std::fs::copy(corpus::file("c/gcc-musl-1.2.5/x86_64-static/hello"), b.home().join("hello")).expect("copy");
    std::fs::write(b.home().join("notes.txt"), "not an ELF file\n").expect("write");
    b
}

/// Runs of `args` lists (and environment variables `env`) in one snapshot `name`.
fn check(name: &str, env: &[(&str, &str)], cases: &[&[&str]]) {
    let b = home();
    check_in(&b, name, cases, |c| {
        c.envs(env.iter().copied());
    });
}

fn check_in(b: &Binsight, name: &str, cases: &[&[&str]], setup: impl Fn(&mut Command)) {
    let runs: Vec<(String, Output)> = cases
        .iter()
        .map(|args| {
            let mut c = b.cmd();
            setup(&mut c);
            c.args(*args);
            (format!("binsight {}", args.join(" ")).trim_end().to_string(), run(&mut c))
        })
        .collect();
    snap!(filters(b), name, transcript(&runs));
}

#[test]
fn usage_errors() {
    check(
        "error-usage",
        &[],
        &[&[], &["bogus"], &["inspect"], &["inspect", "--bogus", "hello"], &["completion", "tcsh"]],
    );
}

#[test]
fn bad_option_values() {
    check(
        "error-option-values",
        &[],
        &[
            &["inspect", "--fail-on", "severe", "hello"],
            &["inspect", "--fail-on-unrated", "hello"],
            &["inspect", "--color", "sometimes", "hello"],
            &["inspect", "--max-file-size", "10MB", "hello"],
            &["inspect", "--max-file-size", "1.5G", "hello"],
            &["inspect", "--max-file-size", "ten", "hello"],
            &["inspect", "--max-file-size", "0", "hello"],
            &["inspect", "--max-file-size", "99999999999T", "hello"],
            &["scan", "--jobs", "many", "hello"],
            &["scan", "--platform", "macos/amd64", "hello"],
            &["scan", "--platform", "linux/x86_64", "hello"],
            &["scan", "--platform", "linux/arm/v9", "hello"],
            &["scan", "--platform", "linux", "hello"],
        ],
    );
}

#[test]
fn bad_outputs() {
    check(
        "error-outputs",
        &[],
        &[
            &["inspect", "-o", "xml", "hello"],
            &["inspect", "-o", "json=", "hello"],
            &["inspect", "-o", "json", "-o", "table", "hello"],
            &["inspect", "-o", "json=out.json", "-o", "sarif=./out.json", "hello"],
            &["inspect", "-o", "json=no/such/dir/out.json", "hello"],
            &["scan", "-q", "-o", "json=.", "hello"],
        ],
    );
}

#[test]
fn inspect_files_that_cannot_be_read() {
    check(
        "error-inspect-files",
        &[],
        &[
            &["inspect", "/definitely/not/here"],
            &["inspect", "notes.txt"],
            &["inspect", "."],
            &["inspect", "--max-file-size", "1K", "hello"],
            &["inspect", "-o", "json", "notes.txt", "hello"],
        ],
    );
}

#[test]
fn sources_that_cannot_be_opened() {
    check(
        "error-scan-sources",
        &[],
        &[
            &["scan", "/definitely/not/here"],
            &["scan", "dir:notes.txt"],
            &["scan", "docker-archive:notes.txt"],
            &["scan", "oci-dir:nope"],
            &["scan", "oci-archive:notes.txt"],
            &["scan", "-q", "-o", "json", "/definitely/not/here", "hello"],
        ],
    );
}

#[test]
fn unknown_source_schemes() {
    check(
        "error-scan-schemes",
        &[],
        &[
            &["scan", "docker:alpine"],
            &["scan", "oci:layout"],
            &["scan", "dockerarchive:img.tar"],
            &["scan", "podman:alpine"],
            &["scan", "http://example.com/image.tar"],
            &["scan", "registry:"],
            &["scan", "dir:"],
            &["scan", "registry:UPPER/Case:1"],
            &["scan", "registry:demo/app@sha256:nothex"],
        ],
    );
}

#[test]
fn fifo_source() {
    let b = home();
    let fifo = b.home().join("pipe");
    let ok = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(ok.success(), "mkfifo failed");
    check_in(&b, "error-scan-fifo", &[&["scan", "pipe"], &["scan", "file:pipe"], &["inspect", "pipe"]], |_| {});
}

#[test]
fn bad_config_files() {
    let b = home();
    let cases: &[(&str, &str)] = &[
        ("unknown-key", "[scan]\nmax-fil-size = 10\n"),
        ("unknown-top-key", "outptu = \"json\"\n"),
        ("command-as-value", "scan = \"json\"\n"),
        ("no-suggestion", "[pack]\nzzzzzzzz = true\n"),
        ("bad-enum", "fail-on = \"severe\"\n"),
        ("bad-bool", "[scan]\nquiet = \"yes\"\n"),
        ("array-for-size", "max-file-size = [1, 2]\n"),
        ("not-toml", "output = [\n"),
    ];
    let mut runs = Vec::new();
    for (what, text) in cases {
        std::fs::write(b.home().join("binsight.toml"), text).expect("write");
        runs.push((format!("binsight inspect hello  # binsight.toml ({what}): {text:?}"), b.run(["inspect", "hello"])));
    }
    std::fs::remove_file(b.home().join("binsight.toml")).expect("rm");
    runs.push((
        "binsight --config missing.toml inspect hello".to_string(),
        b.run(["--config", "missing.toml", "inspect", "hello"]),
    ));
    snap!(filters(&b), "error-config-file", transcript(&runs));
}

#[test]
fn bad_environment_variables() {
    let b = home();
    let cases: &[(&str, &str)] = &[
        ("BINSIGHT_MAX_FILE_SIZE", "lots"),
        ("BINSIGHT_FAIL_ON", "severe"),
        ("BINSIGHT_AUDIT", "maybe"),
        ("BINSIGHT_OUTPUT", "xml"),
        ("BINSIGHT_CONFIG", "missing.toml"),
    ];
    let runs: Vec<(String, Output)> = cases
        .iter()
        .map(|(k, v)| {
            let mut c = b.cmd();
            c.env(k, v).args(["inspect", "hello"]);
            (format!("{k}={v} binsight inspect hello"), run(&mut c))
        })
        .collect();
    snap!(filters(&b), "error-environment", transcript(&runs));
}

#[test]
fn bad_source_date_epoch() {
    let b = home();
    let mut runs = Vec::new();
    for (bad, args) in [
        ("253402300800", &["scan", "-q", "-o", "cyclonedx-json", "hello"][..]),
        ("-1", &["scan", "-q", "-o", "spdx-json", "hello"]),
        ("yesterday", &["inspect", "-o", "cyclonedx-json", "hello"]),
        ("1e9", &["pack", "hello", "--tag", "x:1", "--oci-layout", "layout"]),
    ] {
        let mut c = b.cmd();
        c.env("SOURCE_DATE_EPOCH", bad).args(args);
        runs.push((format!("SOURCE_DATE_EPOCH={bad} binsight {}", args.join(" ")), run(&mut c)));
    }
    assert!(!b.home().join("layout").exists(), "nothing packed");
    snap!(filters(&b), "error-source-date-epoch", transcript(&runs));
}

#[test]
fn advisory_database_errors() {
    let b = home();
    std::fs::create_dir_all(b.home().join("empty-osv")).expect("mkdir");
    std::fs::write(b.home().join("bad.zip"), b"PK not really").expect("write");
    check_in(
        &b,
        "error-db",
        &[
            &["db", "import", "/definitely/not/here"],
            &["db", "import", "notes.txt"],
            &["db", "import", "bad.zip"],
            &["db", "update", "--source", "npm"],
            &["db", "update", "--source", "rustsec"],
            // Nothing listens on the discard port of the loopback address.
            &["db", "update", "--source", "Go", "--mirror", "http://127.0.0.1:9"],
            &["inspect", "--advisories", "/definitely/not/here", "hello"],
            &["inspect", "--advisories", "notes.txt", "hello"],
        ],
        |_| {},
    );
}

#[test]
fn pack_refusals() {
    let b = home();
    std::fs::copy(corpus::file("c/gcc-glibc-2.36/x86_64-dynamic/dns"), b.home().join("dynamic")).expect("copy");
    check_in(
        &b,
        "error-pack",
        &[
            &["pack", "dynamic", "--tag", "demo:1", "--oci-layout", "out"],
            &["pack", "notes.txt", "--tag", "demo:1", "--oci-layout", "out"],
            &["pack", "missing", "--tag", "demo:1", "--oci-layout", "out"],
            &["pack", "hello", "--tag", "demo@sha256:0000000000000000000000000000000000000000000000000000000000000000"],
            &["pack", "hello", "--tag", "Demo:1", "--oci-layout", "out"],
            &["pack", "hello", "--tag", "demo:1", "--platform", "linux/arm64", "--oci-layout", "out"],
            &["pack", "hello", "--tag", "demo:1", "--ca-certs", "notes.txt", "--oci-layout", "out"],
            &["pack", "hello", "--tag", "demo:1", "--oci-layout", "."],
            &["pack", "hello"],
        ],
        |_| {},
    );
}
