//! Where binsight writes and what it prints: `pack --oci-layout . --force` and friends never
//! empty a directory that is not an OCI layout (nor the working directory, nor one above it);
//! outputs write through FIFOs, devices and symbolic links instead of replacing them; every
//! control character from file names and binaries is escaped in human output (stdout and
//! stderr); `SOURCE_DATE_EPOCH` beyond what RFC 3339 can say is refused.

use std::os::unix::fs::FileTypeExt as _;
use std::path::{Path, PathBuf};

use crate::harness::{self, Caps};

const CAPS: Caps = Caps { rss_mib: 200, secs: 30 };

/// A static musl program of the corpus (what `tests/pack.rs` packs; built first by corpus/build).
fn static_hello() -> PathBuf {
    let p = binsight_corpus::corpus_dir().join("c/gcc-musl-1.2.5/x86_64-static/hello");
    assert!(p.is_file(), "{} missing: build the corpus (corpus/build)", p.display());
    p
}

/// A small dynamic ELF program of the host (coreutils is Essential).
fn host_elf() -> Vec<u8> {
    std::fs::read("/usr/bin/true").expect("/usr/bin/true")
}

fn tree(files: &[&str]) -> std::collections::BTreeSet<String> {
    files.iter().map(|s| s.to_string()).collect()
}

/// The relative paths of everything under `dir`, sorted.
fn listing(dir: &Path) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("ls").flatten() {
            let p = e.path();
            out.insert(p.strip_prefix(dir).expect("under").display().to_string());
            if e.file_type().expect("type").is_dir() {
                stack.push(p);
            }
        }
    }
    out
}

/// `pack --oci-layout` with `--force` replaces an OCI layout and nothing else: the working
/// directory, its parent and a directory holding other files survive, with exit 2 and the
/// reason; an existing layout is replaced whole, nothing staged left beside it.
#[test]
fn layout_force_never_empties_a_directory_that_is_not_a_layout() {
    let hello = static_hello();
    let t = tempfile::tempdir().expect("tmp");
    let work = t.path().join("work");
    std::fs::create_dir_all(work.join("src")).expect("mkdir");
    std::fs::write(work.join("Cargo.toml"), b"[package]").expect("w");
    std::fs::write(work.join("src/main.rs"), b"fn main() {}").expect("w");
    let before = listing(t.path());
    let pack = |cwd: &Path, layout: &Path, force: bool| {
        let mut args: Vec<std::ffi::OsString> = vec!["pack".into(), hello.clone().into()];
        args.extend(["--tag".into(), "demo/x:1".into(), "--oci-layout".into(), layout.as_os_str().to_owned()]);
        if force {
            args.push("--force".into());
        }
        harness::run_in(Some(cwd), &args, &[], CAPS)
    };
    for (layout, why) in [
        (PathBuf::from("."), "is the current directory"),
        (work.clone(), "is the current directory"),
        (PathBuf::from(".."), "is a directory above the current one"),
        (PathBuf::from("src/.."), "is the current directory"),
    ] {
        let o = pack(&work, &layout, true);
        o.check(CAPS, &[2]).stderr_has(why).stderr_has("never written over it, even with --force");
        assert_eq!(listing(t.path()), before, "{}: nothing removed", layout.display());
    }
    // A directory holding something else than a layout.
    let mine = t.path().join("mine");
    std::fs::create_dir(&mine).expect("mkdir");
    std::fs::write(mine.join("oci-layout"), b"{}").expect("w");
    std::fs::write(mine.join("index.json"), b"{}").expect("w");
    std::fs::write(mine.join("notes.txt"), b"mine").expect("w");
    pack(t.path(), &mine, true)
        .check(CAPS, &[2])
        .stderr_has("\"notes.txt\", which is not part of an OCI image layout")
        .stderr_has("--force replaces only an OCI image layout");
    assert_eq!(std::fs::read(mine.join("notes.txt")).ok(), Some(b"mine".to_vec()));
    // A layout: refused without --force, replaced whole with it.
    let lay = t.path().join("lay");
    pack(t.path(), &lay, false).check(CAPS, &[0]);
    pack(t.path(), &lay, false).check(CAPS, &[2]).stderr_has("pass --force to replace it");
    std::fs::write(lay.join("blobs/sha256/stale"), b"x").expect("w");
    pack(t.path(), &lay, true).check(CAPS, &[0]).stderr_has("wrote OCI layout");
    let files = listing(&lay);
    assert!(files.contains("oci-layout") && files.contains("index.json"), "{files:?}");
    assert!(!files.contains("blobs/sha256/stale"), "the old layout went: {files:?}");
    let staged: Vec<String> =
        listing(t.path()).into_iter().filter(|n| n.contains("partial") || n.contains(".old")).collect();
    assert!(staged.is_empty(), "{staged:?}");
    assert!(listing(&work) == tree(&["Cargo.toml", "src", "src/main.rs"]));
}

/// Read a FIFO on a thread until its writer closes it.
fn drain(fifo: &Path) -> std::thread::JoinHandle<Vec<u8>> {
    let p = fifo.to_path_buf();
    std::thread::spawn(move || std::fs::read(p).expect("read the FIFO"))
}

/// After a run: if binsight never opened `fifo`, open it for writing once so its reader ends
/// (on a detached thread: it blocks only when no reader waits, and then nobody cares).
fn release(fifo: &Path) {
    let p = fifo.to_path_buf();
    std::thread::spawn(move || {
        let _ = std::fs::OpenOptions::new().write(true).open(p);
    });
}

fn mkfifo(p: &Path) {
    let st = std::process::Command::new("mkfifo").arg(p).status().expect("mkfifo (coreutils)");
    assert!(st.success(), "mkfifo {}", p.display());
}

fn is_fifo(p: &Path) -> bool {
    std::fs::symlink_metadata(p).map(|m| m.file_type().is_fifo()).unwrap_or(false)
}

/// Outputs never replace what is not a regular file: a FIFO gets the bytes and stays a FIFO,
/// /dev/null stays a character device, a symbolic link stays a link (its target gets the
/// output); a directory or a link to nothing is refused before the scan (exit 1); a bad file
/// among the inputs is reported and the good one still is.
#[test]
fn outputs_write_through_fifos_devices_and_links() {
    let t = tempfile::tempdir().expect("tmp");
    let dir = t.path().join("in");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("good"), host_elf()).expect("w");
    std::fs::write(dir.join("broken"), b"\x7fELF\x02\x01\x01").expect("w");
    let (sarif_fifo, json_fifo) = (t.path().join("sarif.fifo"), t.path().join("json.fifo"));
    mkfifo(&sarif_fifo);
    mkfifo(&json_fifo);
    let (sarif_r, json_r) = (drain(&sarif_fifo), drain(&json_fifo));
    let arg = |f: &str, p: &Path| format!("{f}={}", p.display());
    let o = harness::run(
        ["scan", "-q", "-o", &arg("sarif", &sarif_fifo), "-o", &arg("json", &json_fifo), dir.to_str().unwrap_or("")],
        &[],
        CAPS,
    );
    release(&sarif_fifo);
    release(&json_fifo);
    o.check(CAPS, &[1]).stderr_has("broken");
    let sarif: serde_json::Value =
        serde_json::from_slice(&sarif_r.join().expect("reader")).expect("SARIF via the FIFO");
    assert_eq!(sarif["version"], "2.1.0");
    let json = String::from_utf8(json_r.join().expect("reader")).expect("utf-8");
    let lines: Vec<serde_json::Value> = json.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(lines.len(), 2, "the good file's report and the broken one's error: {json}");
    assert!(lines.iter().any(|l| l["path"].as_str().is_some_and(|p| p.ends_with("good")) && l["elf"].is_object()));
    assert!(is_fifo(&sarif_fifo) && is_fifo(&json_fifo), "FIFOs stay FIFOs");

    // /dev/null: written through, exit 0, still a character device.
    let good = dir.join("good");
    for f in ["sarif", "cyclonedx-json", "json"] {
        harness::run(["scan", "-q", "--sort", "-o", &format!("{f}=/dev/null"), good.to_str().unwrap_or("")], &[], CAPS)
            .check(CAPS, &[0]);
        let m = std::fs::symlink_metadata("/dev/null").expect("stat /dev/null");
        assert!(m.file_type().is_char_device(), "/dev/null replaced by -o {f}=/dev/null");
    }

    // A symbolic link: its target gets the output, the link stays.
    let target = t.path().join("target.json");
    std::fs::write(&target, b"old").expect("w");
    let link = t.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    for (f, extra) in [("sarif", None), ("json", Some("--sort")), ("json", None)] {
        let mut args = vec!["scan".to_string(), "-q".into(), "-o".into(), arg(f, &link)];
        args.extend(extra.map(str::to_string));
        args.push(good.display().to_string());
        harness::run(&args, &[], CAPS).check(CAPS, &[0]);
        assert!(std::fs::symlink_metadata(&link).expect("lstat").file_type().is_symlink(), "{f}: still a link");
        let text = std::fs::read_to_string(&target).expect("target");
        let want = if f == "sarif" { "\"version\": \"2.1.0\"" } else { "/in/good\"" };
        assert!(text.contains(want), "{f}: the target holds the output: {text}");
        std::fs::write(&target, b"old").expect("w");
    }

    // Refused before the scan (exit 1: an output that cannot be written): a directory, a link
    // to nothing (which is not created).
    let dangling = t.path().join("dangling");
    std::os::unix::fs::symlink(t.path().join("nowhere"), &dangling).expect("symlink");
    harness::run(["scan", "-q", "-o", &arg("sarif", t.path()), good.to_str().unwrap_or("")], &[], CAPS)
        .check(CAPS, &[1])
        .stderr_has("is a directory");
    harness::run(["scan", "-q", "-o", &arg("sarif", &dangling), good.to_str().unwrap_or("")], &[], CAPS)
        .check(CAPS, &[1])
        .stderr_has("symbolic link to nothing");
    assert!(!t.path().join("nowhere").exists());
}

/// `pack --tarball` onto a FIFO or /dev/stdout streams the archive through it (no --force
/// needed: nothing is replaced); onto a directory it is refused before anything is built.
#[test]
fn pack_tarball_streams_through_a_fifo() {
    let hello = static_hello();
    let t = tempfile::tempdir().expect("tmp");
    let fifo = t.path().join("img.fifo");
    mkfifo(&fifo);
    let r = drain(&fifo);
    let o = harness::run(
        [
            "pack".as_ref(),
            hello.as_os_str(),
            "--tag".as_ref(),
            "demo/x:1".as_ref(),
            "--tarball".as_ref(),
            fifo.as_os_str(),
        ],
        &[],
        CAPS,
    );
    release(&fifo);
    o.check(CAPS, &[0]).stdout_has("demo/x:1@sha256:");
    let bytes = r.join().expect("reader");
    let mut names = Vec::new();
    for e in tar::Archive::new(bytes.as_slice()).entries().expect("a tar") {
        names.push(e.expect("entry").path().expect("path").display().to_string());
    }
    assert!(names.iter().any(|n| n == "manifest.json") && names.iter().any(|n| n == "index.json"), "{names:?}");
    assert!(is_fifo(&fifo), "the FIFO stays a FIFO");
    // /dev/stdout (a pipe here): the archive alone on stdout, REF@DIGEST on stderr. The
    // harness reads stdout as text, so the tar is checked by its members' names.
    let o = harness::run(
        [
            "pack".as_ref(),
            hello.as_os_str(),
            "--tag".as_ref(),
            "demo/x:1".as_ref(),
            "--tarball".as_ref(),
            "/dev/stdout".as_ref(),
        ],
        &[],
        CAPS,
    );
    o.check(CAPS, &[0]).stderr_has("demo/x:1@sha256:").stdout_has("manifest.json");
    assert!(!o.stdout.contains("demo/x:1@"), "nothing but the archive on stdout");
    harness::run(
        [
            "pack".as_ref(),
            hello.as_os_str(),
            "--tag".as_ref(),
            "x:1".as_ref(),
            "--tarball".as_ref(),
            t.path().as_os_str(),
        ],
        &[],
        CAPS,
    )
    .check(CAPS, &[2])
    .stderr_has("is a directory");
}

/// A file name with a newline, ESC sequences (clear screen, window title) and a bidi override;
/// and a binary whose `.comment` (the rustc version string) holds the same: escaped in the
/// scan table, inspect's block, pack's stderr and error messages; one table row per file.
#[test]
fn human_output_escapes_control_characters_from_names_and_binaries() {
    let evil = "evil\nFAKE ROW\x1b[2J\x1b]0;pwned\x07\u{202e}txt";
    let shown = "evil\\nFAKE ROW\\x1b[2J\\x1b]0;pwned\\x07\\u{202e}txt";
    let t = tempfile::tempdir().expect("tmp");
    let dir = t.path().join("in");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join(evil), host_elf()).expect("w");
    std::fs::write(dir.join("good"), host_elf()).expect("w");
    std::fs::write(dir.join(format!("bad\x1b[31m{}", '\u{9b}')), b"\x7fELF\x02").expect("w");
    let no_bidi = |o: &harness::Outcome| {
        for s in [&o.stdout, &o.stderr] {
            assert!(!s.chars().any(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')), "{s:?}");
        }
    };
    let o = harness::run(["scan", "-q", "--audit", dir.to_str().unwrap_or("")], &[], CAPS);
    o.check(CAPS, &[1]).no_control_chars().stdout_has(shown).stderr_has("bad\\x1b[31m\\x9b");
    no_bidi(&o);
    let rows: Vec<&str> =
        o.stdout.lines().skip_while(|l| !l.contains("PATH")).skip(1).take_while(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 2, "one row per ELF file: {rows:#?}");
    let o = harness::run(["inspect".as_ref(), dir.join(evil).as_os_str()], &[], CAPS);
    o.check(CAPS, &[0]).no_control_chars().stdout_has(shown);
    no_bidi(&o);

    // .comment: `rustc version 1.95.0 (…` made to carry a clear-screen and a title sequence.
    let mut elf = std::fs::read(binsight_corpus::corpus_dir().join("rust/1.95.0/x86_64-musl/hello"))
        .expect("corpus rust/1.95.0/x86_64-musl/hello (corpus/build)");
    let at = elf.windows(20).position(|w| w == b"rustc version 1.95.0").expect(".comment of rustc");
    let inject = b"rustc version 1.95.0\x1b[2J\x1b]0;t\x07";
    elf[at..at + inject.len()].copy_from_slice(inject);
    let bin = t.path().join(format!("hello\x1b[1m{evil}"));
    std::fs::write(&bin, &elf).expect("w");
    let o = harness::run(["scan".as_ref(), bin.as_os_str()], &[], CAPS);
    o.check(CAPS, &[0]).no_control_chars().stdout_has("rustc 1.95.0\\x1b[2J\\x1b]0;t\\x07");
    let layout = t.path().join("layout");
    let o = harness::run(
        [
            "pack".as_ref(),
            bin.as_os_str(),
            "--tag".as_ref(),
            "x:1".as_ref(),
            "--oci-layout".as_ref(),
            layout.as_os_str(),
        ],
        &[],
        CAPS,
    );
    o.check(CAPS, &[0]).no_control_chars().stderr_has("rustc 1.95.0\\x1b[2J").stderr_has("hello\\x1b[1mevil\\n");
    no_bidi(&o);
    // An error that ends the run quotes the path: escaped too.
    let out = t.path().join("no\x1b[31m\u{202e}dir/out.sarif");
    let o = harness::run(
        ["scan", "-q", "-o", &format!("sarif={}", out.display()), dir.join("good").to_str().unwrap_or("")],
        &[],
        CAPS,
    );
    o.check(CAPS, &[1]).no_control_chars().stderr_has("no\\x1b[31m\\u{202e}dir/out.sarif: cannot write the output");
    no_bidi(&o);
}

/// `SOURCE_DATE_EPOCH` after 9999-12-31T23:59:59Z (or not a whole number) is refused with
/// exit 2 naming the variable and the range, for SBOMs and pack alike, before any work; the
/// last second of 9999 is taken.
#[test]
fn source_date_epoch_out_of_range_is_refused() {
    let hello = static_hello();
    let t = tempfile::tempdir().expect("tmp");
    let h = hello.to_str().unwrap_or("");
    for bad in ["253402300800", "18446744073709551615", "99999999999999999999999", "-1", "1e9", "12 34"] {
        let env = [("SOURCE_DATE_EPOCH", bad)];
        for f in ["cyclonedx-json", "spdx-json"] {
            harness::run(["scan", "-q", "-o", f, h], &env, CAPS)
                .check(CAPS, &[2])
                .stderr_has(&format!("SOURCE_DATE_EPOCH='{bad}'"))
                .stderr_has("0 to 253402300799");
        }
        let layout = t.path().join("l");
        harness::run(["pack", h, "--tag", "x:1", "--oci-layout", layout.to_str().unwrap_or("")], &env, CAPS)
            .check(CAPS, &[2])
            .stderr_has("SOURCE_DATE_EPOCH");
        assert!(!layout.exists(), "{bad}: nothing written");
    }
    let env = [("SOURCE_DATE_EPOCH", "253402300799")];
    let o = harness::run(["scan", "-q", "-o", "cyclonedx-json", h], &env, CAPS);
    o.check(CAPS, &[0]).stdout_has("\"timestamp\": \"9999-12-31T23:59:59Z\"");
    let o = harness::run(["scan", "-q", "-o", "spdx-json", h], &env, CAPS);
    o.check(CAPS, &[0]).stdout_has("\"created\": \"9999-12-31T23:59:59Z\"");
    let layout = t.path().join("max");
    harness::run(["pack", h, "--tag", "x:1", "--oci-layout", layout.to_str().unwrap_or("")], &env, CAPS)
        .check(CAPS, &[0]);
}
