//! Human output as users meet it: the table fitted to COLUMNS, colour and NO_COLOR, plurals,
//! escaped control characters; and JSON lines streamed as files finish (or sorted with --sort).

use std::io::BufRead as _;

use assert_cmd::Command;

fn bin() -> Command {
    let mut c = Command::cargo_bin("binsight").expect("binary built");
    // Hermetic: no advisory sources from the machine's data directory, no inherited settings.
    c.env("BINSIGHT_DATA", std::env::temp_dir().join(format!("binsight-test-data-empty-{}", std::process::id())));
    c.env_remove("COLUMNS").env_remove("NO_COLOR").env_remove("TERM");
    c
}

/// This test binary itself: a real ELF built by the toolchain running the tests.
use binsight_testkit::cli::this_exe as some_elf;

/// A directory of `n` copies of a real ELF under long names (in a long-named subdirectory too).
fn long_named_tree(n: usize) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    let sub = d.path().join(format!("a-rather-long-directory-name-{}", "x".repeat(40)));
    std::fs::create_dir(&sub).expect("mkdir");
    for i in 0..n {
        let dir = if i % 2 == 0 { d.path() } else { sub.as_path() };
        let name = format!("{}-{i}-tail", "some-very-long-executable-name-".repeat(4));
        std::fs::copy(some_elf(), dir.join(name)).expect("copy");
    }
    d
}

fn stdout_of(c: &mut Command) -> String {
    String::from_utf8(c.assert().success().get_output().stdout.clone()).expect("UTF-8")
}

/// Terminal columns a line takes (ASCII and `…` here: one column per character).
fn columns(line: &str) -> usize {
    line.chars().count()
}

#[test]
fn table_lines_never_exceed_columns_and_long_paths_are_ellipsised() {
    let d = long_named_tree(4);
    for width in [80usize, 200] {
        for audit in [false, true] {
            let mut c = bin();
            c.env("COLUMNS", width.to_string()).arg("scan").arg(d.path());
            if audit {
                c.arg("--audit");
            }
            let table = stdout_of(&mut c);
            let what = format!("COLUMNS={width} audit={audit}:\n{table}");
            for l in table.lines() {
                assert!(columns(l) <= width, "{} columns > {width}: {l:?}\n{what}", columns(l));
            }
            let header = table.lines().position(|l| l.contains("PATH")).unwrap_or_else(|| panic!("header: {what}"));
            assert!(table.lines().nth(header).is_some_and(|h| h.trim_end().ends_with("PATH")), "PATH last: {what}");
            let rows: Vec<&str> = table.lines().skip(header + 1).take_while(|l| !l.is_empty()).collect();
            assert_eq!(rows.len(), 4, "{what}");
            for (i, r) in rows.iter().enumerate() {
                // The path is cut in its middle, the end of its file name kept.
                assert!(r.contains('…'), "row {i} has no ellipsis: {what}");
                assert!(r.ends_with("-tail"), "row {i} lost the end of its path: {what}");
                // Its first component stays when short (`/tmp/…`), the end fills the rest.
                let root = d.path().display().to_string();
                let first = &root[..root[1..].find('/').map_or(0, |k| k + 2)];
                if first.len() <= 7 {
                    assert!(r.contains(&format!("  {first}…")), "row {i} lost the start: {what}");
                }
            }
            assert_eq!(table.contains("VERDICT"), audit, "{what}");
            if width == 200 {
                // Wide enough for every column.
                for h in ["ARCH", "LINKAGE", "LIBC", "TOOLCHAIN", "PORTABLE", "COMPS"] {
                    assert!(table.contains(h), "{h} missing: {what}");
                }
            }
        }
    }
    // No terminal and no COLUMNS: nothing is cut (a table in a pipe or a file keeps every path).
    let table = stdout_of(bin().arg("scan").arg(d.path()));
    assert!(!table.contains('…'), "{table}");
    assert_eq!(table.matches("-tail\n").count(), 4, "{table}");
    assert!(table.lines().any(|l| columns(l) > 200), "full paths are long: {table}");
}

#[test]
fn a_narrow_terminal_drops_columns_in_the_documented_order() {
    let d = long_named_tree(1);
    let headers = |width: usize| {
        let t = stdout_of(bin().env("COLUMNS", width.to_string()).args(["scan", "--audit"]).arg(d.path()));
        let h = t.lines().find(|l| l.contains("PATH")).unwrap_or_default().to_string();
        assert!(t.lines().all(|l| columns(l) <= width), "{t}");
        h
    };
    let wide = headers(300);
    let narrow = headers(60);
    let tiny = headers(20);
    assert!(wide.contains("COMPS") && wide.contains("ARCH"), "{wide}");
    assert!(!narrow.contains("COMPS") && !narrow.contains("ARCH"), "dropped first: {narrow}");
    assert!(narrow.contains("VERDICT"), "dropped last: {narrow}");
    assert_eq!(tiny.trim(), "PATH", "only the path is left at 20 columns");
}

const ESC: char = '\x1b';

/// The text without ANSI SGR sequences.
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == ESC {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn colour_only_when_asked_and_never_in_json() {
    let d = long_named_tree(2);
    let scan = |args: &[&str], no_color: Option<&str>| {
        let mut c = bin();
        c.env("COLUMNS", "100").args(["scan", "--audit"]).args(args).arg(d.path());
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        stdout_of(&mut c)
    };
    let always = scan(&["--color", "always"], None);
    assert!(always.contains(ESC), "--color always colours the verdicts:\n{always}");
    let never = scan(&["--color", "never"], None);
    assert!(!never.contains(ESC), "{never}");
    // Padding is computed on the visible text: without the escapes, the same table.
    assert_eq!(strip_ansi(&always), never);
    // auto (the default) in a pipe: no colour; NO_COLOR (non-empty) too; --color always wins.
    assert!(!scan(&[], None).contains(ESC));
    assert!(!scan(&[], Some("1")).contains(ESC));
    assert!(!scan(&["--color", "auto"], Some("1")).contains(ESC));
    assert!(scan(&["--color", "always"], Some("1")).contains(ESC));
    // JSON never has colour, whatever --color says.
    let json = scan(&["--color", "always", "-o", "json"], None);
    assert!(!json.contains(ESC) && !json.contains("\\u001b"), "{json}");
    // A table written to a file: no colour unless --color always.
    let f = d.path().join("table.txt");
    let to_file = |args: &[&str]| {
        bin()
            .args(["scan", "--audit", "-o"])
            .arg(format!("table={}", f.display()))
            .args(args)
            .arg(d.path())
            .assert()
            .success();
        std::fs::read_to_string(&f).expect("table file")
    };
    assert!(!to_file(&[]).contains(ESC));
    assert!(to_file(&["--color", "always"]).contains(ESC));
    // inspect: the verdict is coloured too.
    let inspect = stdout_of(bin().args(["inspect", "--audit", "--color", "always"]).arg(some_elf()));
    assert!(inspect.lines().any(|l| l.starts_with("  verdict   \x1b[")), "{inspect}");
    assert!(!stdout_of(bin().args(["inspect", "--audit"]).arg(some_elf())).contains(ESC));
}

#[test]
fn counts_and_nouns_agree() {
    let one = tempfile::tempdir().expect("tempdir");
    std::fs::copy(some_elf(), one.path().join("tool")).expect("copy");
    let out = bin().arg("scan").arg(one.path()).assert().success().get_output().clone();
    let table = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(table.starts_with("1 ELF file: 0 static, 1 dynamic"), "{table}");
    assert!(stderr.contains("1 ELF file reported, 0 errors, 0 other files and 0 symlinks skipped"), "{stderr}");

    let two = tempfile::tempdir().expect("tempdir");
    std::fs::copy(some_elf(), two.path().join("a")).expect("copy");
    std::fs::copy(some_elf(), two.path().join("b")).expect("copy");
    std::fs::write(two.path().join("text"), b"hello").expect("write");
    std::fs::write(two.path().join("broken"), b"\x7fELF\x02\x01").expect("write");
    std::os::unix::fs::symlink("a", two.path().join("link")).expect("symlink");
    let out = bin().arg("scan").arg(two.path()).assert().code(1).get_output().clone();
    let table = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(table.starts_with("2 ELF files: 0 static, 2 dynamic"), "{table}");
    assert!(stderr.contains("2 ELF files reported, 1 error, 1 other file and 1 symlink skipped"), "{stderr}");
}

#[test]
fn control_characters_in_file_names_are_escaped() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::copy(some_elf(), d.path().join("\x1b[31mevil")).expect("copy");
    std::fs::write(d.path().join("bell\x07\x1b]0;title\x07"), b"\x7fELF\x02\x01").expect("write");
    for columns in [None, Some("80"), Some("200")] {
        let mut c = bin();
        c.args(["scan", "--audit"]).arg(d.path());
        if let Some(w) = columns {
            c.env("COLUMNS", w);
        }
        let out = c.assert().code(1).get_output().clone();
        let (table, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!table.chars().any(|c| c.is_control() && c != '\n'), "{columns:?}: {table:?}");
        assert!(table.contains("\\x1b[31mevil"), "{columns:?}: {table}");
        assert!(!stderr.chars().any(|c| c.is_control() && c != '\n'), "{stderr:?}");
        assert!(stderr.contains("bell\\x07\\x1b]0;title\\x07"), "{stderr}");
    }
    let inspect = stdout_of(bin().arg("inspect").arg(d.path().join("\x1b[31mevil")));
    assert!(!inspect.chars().any(|c| c.is_control() && c != '\n'), "{inspect:?}");
    assert!(inspect.starts_with(&format!("{}/\\x1b[31mevil\n", d.path().display())), "{inspect}");
}

fn json_paths(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("not JSON: {e}: {l}")))
        .map(|v| v["path"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A tree whose walk order (by file name, depth first) is known: the sorted relative paths.
fn tree_of(n: usize) -> (tempfile::TempDir, Vec<String>) {
    let d = tempfile::tempdir().expect("tempdir");
    let mut walk = Vec::new();
    for i in 0..n {
        let rel = format!("d{}/f{i:02}", i % 3);
        std::fs::create_dir_all(d.path().join(format!("d{}", i % 3))).expect("mkdir");
        std::fs::copy(some_elf(), d.path().join(&rel)).expect("copy");
        walk.push(d.path().join(rel).display().to_string());
    }
    std::fs::write(d.path().join("d1/zz-broken"), b"\x7fELF\x02\x01").expect("write");
    walk.push(d.path().join("d1/zz-broken").display().to_string());
    walk.sort();
    (d, walk)
}

#[test]
fn json_has_a_line_per_file_and_sort_gives_the_walk_order() {
    let (d, walk) = tree_of(12);
    let run = |args: &[&str]| {
        let out =
            bin().args(["scan", "-q", "-o", "json"]).args(args).arg(d.path()).assert().code(1).get_output().clone();
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let streamed = json_paths(&run(&[]));
    assert_eq!(streamed.len(), 13, "12 reports and the broken file's error line");
    let mut sorted = streamed.clone();
    sorted.sort();
    assert_eq!(sorted, walk);
    assert_eq!(json_paths(&run(&["--sort"])), walk, "--sort: the walk's order");
    // -o json=FILE holds the same lines.
    let f = d.path().join("out.jsonl");
    run(&["-o", &format!("json={}", f.display())]);
    let mut in_file = json_paths(&std::fs::read_to_string(&f).expect("json file"));
    in_file.sort();
    assert_eq!(in_file, walk);
}

/// Lines are written as files finish, not at the end: a directory's lines arrive while the run is
/// still blocked on a second source (a registry on loopback that never answers).
#[test]
fn json_lines_stream_before_the_run_ends() {
    let (d, walk) = tree_of(6);
    let registry = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = registry.local_addr().expect("addr").port();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("binsight"))
        .env("BINSIGHT_DATA", std::env::temp_dir().join("binsight-test-data-empty-stream"))
        .env("DOCKER_CONFIG", d.path())
        .env_remove("REGISTRY_AUTH_FILE")
        .env_remove("XDG_RUNTIME_DIR")
        .args(["scan", "-q", "-o", "json"])
        .arg(d.path())
        .arg(format!("registry:127.0.0.1:{port}/never/answers:1"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for l in std::io::BufReader::new(stdout).lines() {
            if tx.send(l.expect("line")).is_err() {
                break;
            }
        }
    });
    let mut got = Vec::new();
    for _ in 0..walk.len() {
        match rx.recv_timeout(std::time::Duration::from_secs(120)) {
            Ok(l) => got.push(l),
            Err(e) => {
                let _ = child.kill();
                panic!("only {} of {} lines before the end of the run ({e})", got.len(), walk.len());
            }
        }
    }
    assert!(child.try_wait().expect("try_wait").is_none(), "the run is still waiting for the registry");
    drop(registry);
    let status = child.wait().expect("wait");
    let _ = reader.join();
    let rest: Vec<String> = rx.try_iter().collect();
    let mut paths = json_paths(&got.join("\n"));
    paths.sort();
    assert_eq!(paths, walk);
    // The registry's failure is a JSON error line too, and the exit code says a source could not
    // be opened at all (3).
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert!(rest[0].contains("\"error\""), "{rest:?}");
    assert_eq!(status.code(), Some(3));
}
