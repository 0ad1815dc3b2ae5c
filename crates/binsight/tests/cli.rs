//! The command line as users meet it: output formats, bad input, exit codes, scan walking.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn bin() -> Command {
    let mut c = Command::cargo_bin("binsight").expect("binary built");
    // Hermetic: no advisory sources from the machine's data directory.
    c.env("BINSIGHT_DATA", std::env::temp_dir().join(format!("binsight-test-data-empty-{}", std::process::id())));
    // Hermetic: no config file of the developer's (./binsight.toml is not in the crate dir).
    c.env("XDG_CONFIG_HOME", std::env::temp_dir().join(format!("binsight-test-config-none-{}", std::process::id())));
    // Messages are matched whole: never wrapped to a developer's terminal width.
    c.env_remove("COLUMNS");
    c
}

/// This test binary itself: a real dynamic ELF built by the toolchain running the tests.
use binsight_testkit::cli::this_exe as some_elf;

use binsight_testkit::cli::json_lines;

#[test]
fn inspect_json_has_the_documented_fields() {
    let out = bin().args(["inspect", "-o", "json"]).arg(some_elf()).assert().success().get_output().stdout.clone();
    let v = json_lines(&out);
    assert_eq!(v.len(), 1);
    let r = &v[0];
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["elf"]["machine"], std::env::consts::ARCH);
    assert_eq!(r["elf"]["class"], 64);
    assert_eq!(r["elf"]["endian"], "little");
    assert_eq!(r["elf"]["linkage"], "dynamic");
    assert_eq!(r["libc"]["family"], "glibc");
    assert_eq!(r["libc"]["confidence"], "exact");
    assert!(r["libc"]["evidence"].as_array().is_some_and(|e| !e.is_empty()));
    // Built by the rustc running this test: its version must be the one found.
    let rustc = std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-V")
        .output()
        .expect("rustc -V");
    let rustc = String::from_utf8_lossy(&rustc.stdout);
    let want = rustc.split_whitespace().nth(1).expect("rustc version");
    assert_eq!(r["toolchain"]["rustc"]["version"], want, "{rustc}");
    for k in ["interpreter", "needed", "type"] {
        assert!(r["elf"].get(k).is_some(), "elf.{k} missing");
    }
    for k in ["relro", "pie", "nx", "canary", "fortify", "cfi"] {
        assert!(r["hardening"][k]["status"].is_string(), "hardening.{k}");
    }
    assert!(r["portability"]["glibc_floor"].is_string());
    assert!(r["toolchain"]["cc"].is_array());
    assert!(r["toolchain"].get("go").is_some());
}

#[test]
fn bad_inputs_get_one_line_errors_and_the_rest_is_still_inspected() {
    let d = tempfile::tempdir().expect("tempdir");
    let random: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(d.path().join("random.bin"), &random).expect("write");
    let elf = std::fs::read(some_elf()).expect("read");
    std::fs::write(d.path().join("truncated"), &elf[..100]).expect("write");
    std::fs::write(d.path().join("text"), b"#!/bin/sh\necho hi\n").expect("write");
    std::fs::write(d.path().join("empty"), b"").expect("write");
    let p = |n: &str| d.path().join(n);
    let out = bin()
        .arg("inspect")
        .args([
            p("random.bin"),
            p("truncated"),
            some_elf(),
            p("text"),
            p("empty"),
            p("missing"),
            d.path().to_path_buf(),
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 6, "one line per bad file:\n{stderr}");
    for (name, what) in [
        ("random.bin", "not an ELF file"),
        ("truncated", "truncated or corrupt"),
        ("text", "not an ELF file"),
        ("empty", "not an ELF file"),
        ("missing", "check the path"),
    ] {
        assert!(lines.iter().any(|l| l.contains(name) && l.contains(what)), "{name}: {what}\n{stderr}");
    }
    assert!(stderr.contains("is a directory; use `binsight scan"), "{stderr}");
    // The good file in the middle was still reported.
    assert!(String::from_utf8_lossy(&out.stdout).contains("libc      glibc"));
}

#[test]
fn json_mode_reports_errors_as_json_lines_too() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("x"), b"nope").expect("write");
    let out = bin()
        .args(["inspect", "-o", "json"])
        .arg(d.path().join("x"))
        .arg(some_elf())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json_lines(&out);
    assert_eq!(v.len(), 2);
    assert!(v[0]["error"].as_str().is_some_and(|e| e.contains("not an ELF")));
    assert_eq!(v[1]["libc"]["family"], "glibc");
}

#[test]
fn usage_errors_exit_2() {
    bin().arg("inspect").assert().code(2);
    bin().args(["bogus"]).assert().code(2);
    bin().args(["scan", "--jobs", "many", "."]).assert().code(2);
    // More than one output to stdout, and two outputs to one file.
    bin().args(["inspect", "-o", "json", "-o", "table"]).arg(some_elf()).assert().code(2);
    let t = tempfile::tempdir().expect("tmp");
    let f = t.path().join("out");
    let same = t.path().join(".").join("out");
    bin()
        .args(["inspect", "-o"])
        .arg(format!("json={}", f.display()))
        .arg("-o")
        .arg(format!("sarif={}", same.display()))
        .arg(some_elf())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("are the same file"));
    assert!(!f.exists(), "nothing written");
}

/// Exit 3: a source that cannot be opened at all; the other sources are still scanned.
#[test]
fn sources_that_cannot_be_opened_exit_3() {
    bin()
        .args(["scan", "/definitely/not/here"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("/definitely/not/here: cannot scan"));
    let t = tempfile::tempdir().expect("tmp");
    let text = t.path().join("notes.txt");
    std::fs::write(&text, "not an image").expect("write");
    let tool = t.path().join("bin");
    std::fs::create_dir(&tool).expect("mkdir");
    std::fs::copy(some_elf(), tool.join("tool")).expect("copy");
    // Unreachable registry: a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    for (src, why) in [
        (format!("dir:{}", text.display()), "not a directory".to_string()),
        (format!("docker-archive:{}", text.display()), "notes.txt".to_string()),
        (format!("oci-dir:{}", t.path().join("nope").display()), "nope: cannot scan".to_string()),
        (format!("registry:127.0.0.1:{port}/demo/app:1"), format!("127.0.0.1:{port}")),
    ] {
        let out = bin().args(["scan", "-q", "-o", "json"]).arg(&src).arg(&tool).assert().code(3).get_output().clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&why), "{src}: {stderr}");
        // The reachable source is still reported, the other one is an error line.
        let v = json_lines(&out.stdout);
        assert!(v.iter().any(|r| r["path"].as_str().is_some_and(|p| p.ends_with("/bin/tool"))), "{src}: {v:?}");
        assert!(v.iter().any(|r| r["error"].is_string()), "{src}: {v:?}");
    }
    // `inspect` of a file that is not there is one of its files failing: 1.
    bin().args(["inspect", "/definitely/not/here"]).assert().code(1);
}

/// A failure at run time is not a usage error: an output that cannot be written exits 1, and
/// the message names the file asked for, never the temporary file beside it.
#[test]
fn an_output_that_cannot_be_written_exits_1_and_names_the_file() {
    let t = tempfile::tempdir().expect("tmp");
    let missing = t.path().join("no/such/dir/out.json");
    bin()
        .args(["inspect", "-o"])
        .arg(format!("json={}", missing.display()))
        .arg(some_elf())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("{}: cannot write the output", missing.display())))
        .stderr(predicate::str::contains("binsight-").not());
    // The target is a directory: refused before the scan, nothing written beside it.
    let dir = t.path().join("taken");
    std::fs::create_dir(&dir).expect("mkdir");
    bin()
        .args(["scan", "-q", "-o"])
        .arg(format!("json={}", dir.display()))
        .arg(some_elf())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("{}: cannot write the output", dir.display())))
        .stderr(predicate::str::contains("binsight-").not());
    let left: Vec<String> = std::fs::read_dir(t.path())
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp") || n.contains(".partial"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn unknown_schemes_are_refused_never_read_as_paths() {
    for (src, meant) in [
        ("docker:alpine", "did you mean docker-archive: or registry:"),
        ("oci:layout", "did you mean oci-dir: or oci-archive:"),
        ("dockerarchive:img.tar", "did you mean docker-archive:"),
        ("podman:alpine", "did you mean docker-archive: or registry:"),
    ] {
        bin()
            .args(["scan", src])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "unknown source scheme '{}'",
                &src[..=src.find(':').unwrap_or(0)]
            )))
            .stderr(predicate::str::contains(meant))
            .stderr(predicate::str::contains("schemes: dir: file: docker-archive: oci-dir: oci-archive: registry:"));
    }
    // A real path holding ':' still works, as is and forced with ./ or dir:.
    let t = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(t.path().join("oci:weird")).expect("mkdir");
    std::fs::copy(some_elf(), t.path().join("oci:weird/tool")).expect("copy");
    for src in ["oci:weird", "./oci:weird", "dir:oci:weird"] {
        let out = bin().current_dir(t.path()).args(["scan", "-q", "-o", "json", src]).assert().success();
        let v = json_lines(&out.get_output().stdout);
        assert!(v.iter().any(|r| r["path"].as_str().is_some_and(|p| p.ends_with("oci:weird/tool"))), "{src}: {v:?}");
    }
}

#[test]
fn option_values_are_checked_and_case_insensitive() {
    // Enum values in any case.
    let out = bin().args(["inspect", "--fail-on", "HIGH", "-o", "JSON"]).arg(some_elf()).assert().success();
    assert_eq!(json_lines(&out.get_output().stdout).len(), 1);
    bin().args(["inspect", "-o", "Table", "--fail-on", "Critical"]).arg(some_elf()).assert().success();
    // Sizes: binary units (1K = 1024 bytes), garbage refused with the accepted forms.
    bin()
        .args(["inspect", "--max-file-size", "1K"])
        .arg(some_elf())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("over the 1024-byte limit"));
    bin().args(["inspect", "--max-file-size", "1G"]).arg(some_elf()).assert().success();
    for bad in ["10MB", "1.5G", "ten", "0"] {
        bin()
            .args(["inspect", "--max-file-size", bad])
            .arg(some_elf())
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--max-file-size"))
            .stderr(predicate::str::contains(bad));
    }
    bin()
        .args(["scan", "--max-layer-size", "64Q", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("e.g. 512K, 10M, 1G"));
    // Platforms: OS/ARCH[/VARIANT] with known names, a hint for the usual mistakes.
    bin()
        .args(["scan", "--platform", "linux/x86_64", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean linux/amd64?"));
    bin().args(["scan", "--platform", "linux", "."]).assert().code(2).stderr(predicate::str::contains("OS/ARCH"));
    bin().args(["scan", "-q", "--platform", "Linux/ARM64/v8"]).arg(some_elf()).assert().success();
    // db update sources.
    bin()
        .args(["db", "update", "--source", "npm"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown source \"npm\"").and(predicate::str::contains("crates.io and Go")));
}

/// `scan --help` and `inspect --help` fit one screen of 100 columns, and say what each
/// positional argument is.
#[test]
fn help_fits_one_screen_and_describes_the_arguments() {
    for (cmd, positional) in [("scan", "[SOURCE]..."), ("inspect", "<FILE>...")] {
        for flag in ["--help", "-h"] {
            let out = bin().env("COLUMNS", "100").args([cmd, flag]).assert().success().get_output().stdout.clone();
            let text = String::from_utf8_lossy(&out);
            // Rows on a 100-column terminal: long lines wrap.
            let rows: usize = text.lines().map(|l| l.chars().count().div_ceil(100).max(1)).sum();
            assert!(rows <= 50, "{cmd} {flag}: {rows} rows\n{text}");
            // One line per option: nothing wraps.
            assert!(text.lines().all(|l| l.chars().count() <= 100), "{cmd} {flag}: lines over 100 columns\n{text}");
            let line = text
                .lines()
                .find(|l| l.trim_start().starts_with(positional))
                .unwrap_or_else(|| panic!("{cmd}: no {positional} line\n{text}"));
            let description = line.trim_start()[positional.len()..].trim();
            assert!(description.len() > 10, "{cmd}: {positional} is not described: {line:?}");
        }
    }
    // The exit codes are documented, 3 included.
    let out = bin().args(["scan", "--help"]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&out).contains("3 a SOURCE could not be opened"));
}

#[test]
fn scan_walks_a_tree_without_following_symlinks_out() {
    let d = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::copy(some_elf(), outside.path().join("outside-elf")).expect("copy");
    std::fs::create_dir_all(d.path().join("usr/bin")).expect("mkdir");
    std::fs::copy(some_elf(), d.path().join("usr/bin/tool")).expect("copy");
    std::fs::write(d.path().join("usr/bin/script"), b"#!/bin/sh\n").expect("write");
    std::fs::write(d.path().join("usr/bin/broken"), b"\x7fELF\x02\x01").expect("write");
    std::os::unix::fs::symlink(outside.path(), d.path().join("escape")).expect("symlink");
    std::os::unix::fs::symlink(outside.path().join("outside-elf"), d.path().join("usr/bin/link")).expect("symlink");

    let out = bin().args(["scan", "-o", "json"]).arg(d.path()).assert().code(1).get_output().clone();
    let v = json_lines(&out.stdout);
    let paths: Vec<&str> = v.iter().filter_map(|r| r["path"].as_str()).collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths.iter().all(|p| Path::new(p).starts_with(d.path())), "{paths:?}");
    assert!(paths.iter().any(|p| p.ends_with("usr/bin/tool")));
    assert!(v.iter().any(|r| r["path"].as_str().is_some_and(|p| p.ends_with("broken")) && r["error"].is_string()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 ELF file reported, 1 error, 1 other file and 2 symlinks skipped"), "{stderr}");

    // Table output: a summary, then a header and one row per binary.
    let out = bin().arg("scan").arg(d.path().join("usr")).assert().code(1).get_output().stdout.clone();
    let table = String::from_utf8_lossy(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("1 ELF file: 0 static, 1 dynamic"), "{table}");
    assert!(lines[2].starts_with("ARCH"), "{table}");
    assert_eq!(lines.len(), 4, "{table}");
}

#[test]
fn scan_without_dir_scans_path() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::copy(some_elf(), d.path().join("tool")).expect("copy");
    let out = bin().arg("scan").env("PATH", d.path()).assert().success().get_output().clone();
    assert!(String::from_utf8_lossy(&out.stdout).contains("tool"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("scanning the directories on $PATH"));
}

#[test]
fn broken_pipe_is_not_an_error() {
    // `binsight scan ... | head -1` must not print an error: emulate with a closed stdout.
    let d = tempfile::tempdir().expect("tempdir");
    for i in 0..50 {
        std::fs::copy(some_elf(), d.path().join(format!("t{i}"))).expect("copy");
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("binsight"))
        .args(["scan", "-o", "json"])
        .arg(d.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn audit_flags_verdict_and_fail_on() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("bad.json"), "{ nope").expect("write");
    // This test binary is dynamic glibc: no libc component to match, crates unknown → a verdict
    // is still given, and a malformed advisory file is named on stderr.
    let out = bin()
        .args(["inspect", "-o", "json", "--advisories"])
        .arg(d.path())
        .arg(some_elf())
        .assert()
        .success()
        .get_output()
        .clone();
    let v = json_lines(&out.stdout);
    assert!(v[0]["verdict"]["action"].is_string(), "{}", v[0]["verdict"]);
    assert!(v[0]["findings"].is_array());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json: not a valid OSV record"));
    // Without --audit there is no verdict in the output.
    let out = bin().args(["inspect", "-o", "json"]).arg(some_elf()).assert().success().get_output().stdout.clone();
    assert!(json_lines(&out)[0].get("verdict").is_none());
    // --fail-on accepts the documented levels only.
    bin().args(["inspect", "--fail-on", "severe"]).arg(some_elf()).assert().code(2);
}

/// A corpus fixture (the corpus must be built: scripts/test.sh or corpus/build).
use binsight_testkit::corpus::file as corpus_file;

#[test]
fn fail_on_sets_exit_code_4_for_linked_vulnerable_libc_code() {
    // Rust 1.69 bundles musl 1.1.24, and this program links musl's qsort (CVE-2026-40200).
    let f = corpus_file("rust/1.69.0/aarch64-musl/hello");
    let out = bin().args(["inspect", "--fail-on", "high"]).arg(&f).assert().code(4).get_output().stdout.clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("verdict   REBUILD"), "{text}");
    assert!(text.contains("fix: rebuild with Rust >= 1.95"), "{text}");
    // The same binary from Rust 1.95 carries the backports: ok, exit 0.
    bin().args(["inspect", "--fail-on", "high"]).arg(corpus_file("rust/1.95.0/aarch64-musl/hello")).assert().success();
}

#[test]
fn sarif_output_passes_the_sarif_multitool_validator() {
    // scripts/test.sh installs the validator (npm @microsoft/sarif-multitool) and sets this.
    let tool = std::env::var("BINSIGHT_SARIF_MULTITOOL")
        .expect("BINSIGHT_SARIF_MULTITOOL unset: run scripts/test.sh, which installs the SARIF validator");
    let d = tempfile::tempdir().expect("tempdir");
    for (i, rel) in
        ["rust/1.69.0/aarch64-musl/hello", "rust/1.85.0/x86_64-musl/hello.stripped", "rust/1.95.0/x86_64-musl/hello"]
            .iter()
            .enumerate()
    {
        std::fs::copy(corpus_file(rel), d.path().join(format!("bin{i}"))).expect("copy");
    }
    let out = bin().args(["scan", "-o", "sarif"]).arg(d.path()).assert().success().get_output().stdout.clone();
    let log: serde_json::Value = serde_json::from_slice(&out).expect("SARIF is JSON");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["level"] == "error"), "the Rust 1.69 binary links musl's vulnerable qsort");
    let file = d.path().join("out.sarif");
    std::fs::write(&file, &out).expect("write");
    let v = std::process::Command::new(&tool).arg("validate").arg(&file).output().expect("run sarif-multitool");
    let text = format!("{}{}", String::from_utf8_lossy(&v.stdout), String::from_utf8_lossy(&v.stderr));
    assert!(v.status.success(), "{text}");
    assert!(!text.contains(": error"), "{text}");
}

#[test]
fn db_import_and_status() {
    let data = tempfile::tempdir().expect("tempdir");
    let src = tempfile::tempdir().expect("tempdir");
    let dir = src.path().join("crates.io");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(
        dir.join("X-1.json"),
        r#"{"id":"X-1","affected":[{"package":{"ecosystem":"crates.io","name":"foo"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}"#,
    )
    .expect("write");
    std::fs::write(dir.join("broken.json"), "{").expect("write");
    let run = |args: &[&str]| {
        let mut c = Command::cargo_bin("binsight").expect("binary built");
        c.env("BINSIGHT_DATA", data.path()).args(args);
        c
    };
    let out = run(&["db", "import", &dir.display().to_string()]).assert().success().get_output().clone();
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 1 advisory as 'crates.io'"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.json: not a valid OSV record"));
    let out = run(&["db", "status"]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&out).contains("crates.io: 1 advisory"), "{}", String::from_utf8_lossy(&out));
    // An empty source is refused and leaves the database as it was.
    let empty = src.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    run(&["db", "import", "--name", "crates.io", &empty.display().to_string()]).assert().code(3);
    run(&["db", "import", &src.path().join("missing").display().to_string()]).assert().code(3);
    let out = run(&["db", "status"]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&out).contains("crates.io: 1 advisory"));
}

/// A file the scanning user may not read: one error line naming it, exit 1, the rest reported.
/// Run as an unprivileged user (setpriv from util-linux), since root reads anything.
#[test]
fn permission_denied_is_a_per_file_error() {
    let t = tempfile::tempdir().expect("tmp");
    let dir = t.path().join("tree");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::copy(some_elf(), dir.join("readable")).expect("copy");
    std::fs::copy(some_elf(), dir.join("secret")).expect("copy");
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(dir.join("secret"), std::fs::Permissions::from_mode(0o000)).expect("chmod");
    for p in [t.path(), dir.as_path()] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let binsight = assert_cmd::cargo::cargo_bin("binsight");
    let mut cmd = std::process::Command::new("setpriv");
    let is_root =
        std::process::Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false);
    if is_root {
        cmd.args(["--reuid", "65534", "--regid", "65534", "--clear-groups"]);
    }
    let out =
        cmd.arg(&binsight).args(["scan", "-q", "--no-progress", "-o", "json"]).arg(&dir).output().expect("setpriv");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("secret") && stderr.contains("Permission denied"), "{stderr}");
    let lines = json_lines(&out.stdout);
    assert!(lines.iter().any(|l| l["path"].as_str().is_some_and(|p| p.ends_with("readable"))), "{lines:?}");
    assert!(lines.iter().any(|l| l["path"].as_str().is_some_and(|p| p.ends_with("secret")) && l["error"].is_string()));
}

/// A fixture of the corpus manifest by id (its path).
use binsight_testkit::corpus::fixture as corpus_fixture;

/// Days from `date` (YYYY-MM-DD) to today, computed here independently of binsight.
fn days_old(date: &str) -> i64 {
    let p: Vec<i64> = date.split('-').map(|x| x.parse().expect("date")).collect();
    let (y, m, d) = (p[0], p[1], p[2]);
    let (y2, m2) = if m <= 2 { (y - 1, m + 12) } else { (y, m) };
    // Days since 1970-01-01 by the proleptic Gregorian calendar.
    let days = 365 * y2 + y2 / 4 - y2 / 100 + y2 / 400 + (153 * (m2 - 3) + 2) / 5 + d - 719_469;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() as i64;
    now / 86_400 - days
}

#[test]
fn a_fresh_install_audits_a_vulnerable_rust_binary_with_the_embedded_snapshot() {
    let f = corpus_fixture("vuln-rust-1.95.0-x86_64-musl-auditable");
    let out = bin().args(["inspect", "--audit", "-o", "json"]).arg(&f).assert().success().get_output().clone();
    let r = &json_lines(&out.stdout)[0];
    assert_eq!(r["verdict"]["action"], "rebuild", "{}", r["verdict"]);
    let ids: Vec<&str> = r["findings"].as_array().expect("findings").iter().filter_map(|x| x["id"].as_str()).collect();
    assert!(ids.contains(&"RUSTSEC-2021-0003"), "{ids:?}");
    let data = r["verdict"]["data"].as_array().expect("verdict.data");
    let crates = data.iter().find(|d| d["ecosystem"] == "crates.io").expect("crates.io data");
    assert_eq!(crates["source"], "snapshot");
    let date = crates["date"].as_str().expect("snapshot date");
    // The stale warning: once, exactly when the data is over 30 days old.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings = stderr.matches("advisory data is over 30 days old").count();
    assert_eq!(warnings, usize::from(days_old(date) > 30), "{stderr}");
    if warnings == 1 {
        assert!(stderr.contains("binsight db update"), "{stderr}");
    }
    // The table names the date too, and the severity of every finding.
    let out = bin().args(["inspect", "--audit"]).arg(&f).assert().success().get_output().stdout.clone();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains(&format!("crates.io, Go: snapshot {date}")) || text.contains(&format!("snapshot {date}")),
        "{text}"
    );
    assert!(text.contains("RUSTSEC-2021-0003") && text.contains("critical"), "{text}");
}

#[test]
fn fail_on_names_the_findings_and_unrated_ones_count_only_when_asked() {
    // Go's vulnerability database gives no severities: its findings are unrated.
    let f = corpus_fixture("rw-esbuild-0.25.0-x64");
    let out = bin().args(["inspect", "--audit", "-o", "json"]).arg(&f).assert().get_output().stdout.clone();
    let r = &json_lines(&out)[0];
    let unrated_affected: Vec<&str> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|x| x["applicability"] == "affected" && x["severity"].is_null() && x.get("informational").is_none())
        .filter_map(|x| x["id"].as_str())
        .collect();
    assert!(!unrated_affected.is_empty(), "esbuild 0.25.0's Go 1.23 stdlib has linked, unrated findings");
    let out = bin().args(["inspect", "--fail-on", "critical"]).arg(&f).assert().success().get_output().clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("unrated"), "{text}");
    let out = bin()
        .args(["inspect", "--fail-on", "critical", "--fail-on-unrated"])
        .arg(&f)
        .assert()
        .code(4)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("at or above --fail-on"), "{stderr}");
    for id in &unrated_affected {
        assert!(stderr.contains(&format!("{id} in {} (unrated)", f.display())), "{id}: {stderr}");
    }
    // A rated finding: the musl qsort finding of a Rust 1.69 binary (CVE-2026-40200: high).
    let out = bin()
        .args(["inspect", "--fail-on", "high"])
        .arg(corpus_file("rust/1.69.0/aarch64-musl/hello"))
        .assert()
        .code(4)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8_lossy(&out);
    assert!(stderr.contains("BINSIGHT-MUSL-2026-40200 in ") && stderr.contains("(high)"), "{stderr}");
    // --fail-on-unrated needs --fail-on.
    bin().args(["inspect", "--fail-on-unrated"]).arg(&f).assert().code(2);
}

#[test]
fn db_status_shows_the_snapshot_date_and_its_licences() {
    let out = bin().args(["db", "status"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("embedded OSV snapshot, data as of 20"), "{text}");
    assert!(text.contains("CC0-1.0") && text.contains("CC-BY-4.0"), "{text}");
    assert!(text.contains("Go Vulnerability Database") && text.contains("RustSec"), "{text}");
}

#[test]
fn every_report_format_names_the_advisory_snapshot_date() {
    let date = binsight_advisory::snapshot::info().date.clone();
    let d = tempfile::tempdir().expect("tempdir");
    let f = corpus_fixture("vuln-rust-1.95.0-x86_64-musl-auditable");
    let (sarif, cdx, spdx) = (d.path().join("o.sarif"), d.path().join("o.cdx.json"), d.path().join("o.spdx.json"));
    let out = bin()
        .args(["scan", "--audit", "-o", "table"])
        .arg("-o")
        .arg(format!("sarif={}", sarif.display()))
        .arg("-o")
        .arg(format!("cyclonedx-json={}", cdx.display()))
        .arg("-o")
        .arg(format!("spdx-json={}", spdx.display()))
        .arg(format!("file:{}", f.display()))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    // The table's footer.
    let table = String::from_utf8_lossy(&out);
    assert!(table.contains("advisory data:") && table.contains(&format!("snapshot {date}")), "{table}");
    let read = |p: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(p).expect("output written")).expect("JSON")
    };
    let s = read(&sarif);
    assert_eq!(s["runs"][0]["properties"]["advisorySnapshotDate"], date.as_str());
    let used = s["runs"][0]["properties"]["advisoryData"].as_array().expect("advisoryData");
    assert!(used.iter().any(|u| u["ecosystem"] == "crates.io" && u["source"] == "snapshot"), "{used:?}");
    let c = read(&cdx);
    let props = c["metadata"]["properties"].as_array().expect("metadata.properties");
    assert!(props.iter().any(|p| p["name"] == "binsight:advisory-snapshot-date" && p["value"] == date.as_str()));
    assert!(props.iter().any(|p| p["name"] == "binsight:advisory-data"), "{props:?}");
    let x = read(&spdx);
    let comment = x["creationInfo"]["comment"].as_str().expect("creationInfo.comment");
    assert!(comment.contains(&format!("advisory snapshot {date}")), "{comment}");
    // binsight version names it too.
    let v = bin().arg("version").assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&v).contains(&date), "{}", String::from_utf8_lossy(&v));
}
